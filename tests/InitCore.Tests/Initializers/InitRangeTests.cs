using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests
{
    /// <summary>
    /// Initializers refuse what torch refuses, and what cannot be stored in float32, before writing anything;
    /// every value they write lies within the documented bounds.
    /// </summary>
    [TestClass]
    public sealed class InitRangeTests
    {
        private const float Sentinel = 7.25f;

        private static Tensor Filled(Engine engine, params int[] shape)
        {
            Tensor t = engine.CreateTensor(shape);
            Init.Constant(t, Sentinel);
            return t;
        }

        private static void AssertUnchanged(Tensor t, string what)
        {
            float[] x = t.ToArray();
            Assert.IsTrue(x.All(v => v == Sentinel), $"{what}: the tensor was written before the error");
        }

        /// <summary>Each case: a call on a [6, 5] weight (pre-filled with a sentinel), and the parameter its error must name.</summary>
        public static IEnumerable<object[]> Float32Overflows => new (string Name, Action<Tensor> Call, string Param)[]
        {
            ("uniform a below float32", t => Init.Uniform(t, -1e39, 1.0), "a"),
            ("uniform b above float32", t => Init.Uniform(t, 0.0, 1e39), "b"),
            ("uniform width beyond float32", t => Init.Uniform(t, -3e38, 3e38), "b"),
            ("uniform both bounds at the edge", t => Init.Uniform(t, -float.MaxValue, float.MaxValue), "b"),
            ("normal mean beyond float32", t => Init.Normal(t, 1e39, 1.0), "mean"),
            ("normal std overflowing", t => Init.Normal(t, 0.0, 1e38), "std"),
            ("normal mean + std overflowing", t => Init.Normal(t, 3.3e38, 1e37), "std"),
            ("trunc_normal std overflowing, open bounds", t => Init.TruncatedNormal(t, 0.0, 1e38, double.NegativeInfinity, double.PositiveInfinity), "std"),
            ("trunc_normal mean beyond float32", t => Init.TruncatedNormal(t, 1e39, 1.0, -2.0, 2.0), "mean"),
            ("trunc_normal bounds beyond float32 reached", t => Init.TruncatedNormal(t, 0.0, 1e38, -1e39, 1e39), "std"),
            ("trunc_normal std·√2 beyond float32, finite bounds", t => Init.TruncatedNormal(t, 0.0, 3e38, -1.0, 1.0), "std"),
            ("xavier_uniform negative gain", t => Init.XavierUniform(t, -1.0), "gain"),
            ("xavier_normal negative gain", t => Init.XavierNormal(t, -0.5), "gain"),
            ("xavier_uniform gain overflowing", t => Init.XavierUniform(t, 1e39), "gain"),
            ("xavier_normal gain overflowing", t => Init.XavierNormal(t, 1e38), "gain"),
            ("kaiming_uniform tiny fans", t => Init.KaimingUniform(t, fans: new Fans(1e-80, 1)), "fans"),
            ("kaiming_normal tiny fans", t => Init.KaimingNormal(t, fans: new Fans(1e-80, 1)), "fans"),
            ("kaiming a whose square overflows", t => Init.KaimingNormal(t, a: 1e200), "a"),
            ("variance_scaling uniform huge scale", t => Init.VarianceScaling(t, 1e80, distribution: VarianceDistribution.Uniform), "scale"),
            ("variance_scaling normal huge scale", t => Init.VarianceScaling(t, 1e80, distribution: VarianceDistribution.UntruncatedNormal), "scale"),
            ("variance_scaling truncated huge scale", t => Init.VarianceScaling(t, 1e80, distribution: VarianceDistribution.TruncatedNormal), "scale"),
            ("orthogonal gain beyond float32", t => Init.Orthogonal(t, 1e39), "gain"),
            ("sparse std overflowing", t => Init.Sparse(t, 0.5, 1e38), "std"),
            ("constant beyond float32", t => Init.Constant(t, -1e39), "value"),
        }.Select(c => new object[] { c.Name, c.Call, c.Param });

        [TestMethod]
        [DynamicData(nameof(Float32Overflows), DynamicDataDisplayName = nameof(CaseName))]
        public void ParametersInvalidInFloat32_ThrowNamingTheParameter_AndWriteNothing(string name, Action<Tensor> call, string param)
        {
            using Engine engine = Engine.Create(new EngineOptions { Seed = 1 });
            using Tensor t = Filled(engine, 6, 5);
            var ex = Assert.ThrowsExactly<ArgumentException>(() => call(t), name);
            Assert.AreEqual(param, ex.ParamName, $"{name}: {ex.Message}");
            Assert.IsTrue(ex.Message.Contains("float32") || ex.Message.Contains("torch") || ex.Message.Contains("overflow"), $"{name}: the message should say why: {ex.Message}");
            AssertUnchanged(t, name);
        }

        public static string CaseName(System.Reflection.MethodInfo method, object[] data) => $"{method.Name}({data[0]})";

        [TestMethod]
        public void SpanOverloads_RefuseFloat32Overflow_AndWriteNothing()
        {
            using Engine engine = Engine.Create();
            float[] data = Enumerable.Repeat(Sentinel, 30).ToArray();
            Assert.AreEqual("b", Assert.ThrowsExactly<ArgumentException>(() => Init.Uniform(engine, data, -3e38, 3e38)).ParamName);
            Assert.AreEqual("std", Assert.ThrowsExactly<ArgumentException>(() => Init.Normal(engine, data, 0, 1e38)).ParamName);
            Assert.AreEqual("gain", Assert.ThrowsExactly<ArgumentException>(() => Init.XavierUniform(engine, data, new[] { 6, 5 }, -2.0)).ParamName);
            Assert.AreEqual("value", Assert.ThrowsExactly<ArgumentException>(() => Init.Constant(engine, data, 4e38)).ParamName);
            Assert.IsTrue(data.All(v => v == Sentinel));
        }

        [TestMethod]
        public void Constant_AcceptsInfinityAndNaN_AsTorchFill()
        {
            // torch's fill_ refuses a finite value that overflows float, but stores ±inf and NaN.
            using Engine engine = Engine.Create();
            using Tensor t = engine.CreateTensor(3);
            Init.Constant(t, double.NegativeInfinity);
            Assert.IsTrue(t.ToArray().All(float.IsNegativeInfinity));
            Init.Constant(t, double.NaN);
            Assert.IsTrue(t.ToArray().All(float.IsNaN));
            Init.Constant(t, float.MaxValue);
            Assert.IsTrue(t.ToArray().All(v => v == float.MaxValue));
        }

        [TestMethod]
        public void XavierZeroGain_IsAllowed_AsTorch()
        {
            using Engine engine = Engine.Create();
            using Tensor t = Filled(engine, 4, 3);
            Init.XavierUniform(t, 0.0);
            Assert.IsTrue(t.ToArray().All(v => v == 0f));
            Init.XavierNormal(t, 0.0);
            Assert.IsTrue(t.ToArray().All(v => v == 0f));
        }

        [TestMethod]
        public void Schemes_RefuseInvalidParameters_WhenCreated()
        {
            Assert.AreEqual("gain", Assert.ThrowsExactly<ArgumentException>(() => InitCore.Nn.InitScheme.XavierUniform(-1)).ParamName);
            Assert.AreEqual("gain", Assert.ThrowsExactly<ArgumentException>(() => InitCore.Nn.InitScheme.XavierNormal(-1)).ParamName);
            Assert.AreEqual("b", Assert.ThrowsExactly<ArgumentException>(() => InitCore.Nn.InitScheme.Uniform(-3e38, 3e38)).ParamName);
            Assert.AreEqual("std", Assert.ThrowsExactly<ArgumentException>(() => InitCore.Nn.InitScheme.Normal(0, 1e38)).ParamName);
            Assert.AreEqual("value", Assert.ThrowsExactly<ArgumentException>(() => InitCore.Nn.InitScheme.Constant(1e39)).ParamName);
            Assert.AreEqual("gain", Assert.ThrowsExactly<ArgumentException>(() => InitCore.Nn.InitScheme.Orthogonal(1e39)).ParamName);
        }

        [TestMethod]
        public void GainCalculate_LeakyReluSlopeWhoseSquareOverflows_Throws()
        {
            // torch: negative_slope ** 2 raises OverflowError.
            var ex = Assert.ThrowsExactly<ArgumentException>(() => Gain.Calculate(Nonlinearity.LeakyRelu, 1e200));
            Assert.AreEqual("param", ex.ParamName);
            StringAssert.Contains(ex.Message, "overflows");
            Assert.AreEqual(Math.Sqrt(2.0 / (1.0 + 1e150 * 1e150)), Gain.Calculate(Nonlinearity.LeakyRelu, 1e150));
        }

        // ------------------------------------------------------------------ nothing is written before validation

        [TestMethod]
        public void PyTorchDefault_DisposedBias_LeavesTheWeightAsItWas()
        {
            using Engine engine = Engine.Create();
            using Tensor w = Filled(engine, 4, 3);
            Tensor b = engine.CreateTensor(4);
            b.Dispose();
            Assert.ThrowsExactly<ObjectDisposedException>(() => Init.PyTorchDefault(w, b));
            AssertUnchanged(w, "PyTorchDefault with a disposed bias");
        }

        [TestMethod]
        public void PyTorchDefault_BiasOfWrongRank_LeavesTheWeightAsItWas()
        {
            using Engine engine = Engine.Create();
            using Tensor w = Filled(engine, 4, 3);
            using Tensor b = engine.CreateTensor(2, 2);
            var ex = Assert.ThrowsExactly<ArgumentException>(() => Init.PyTorchDefault(w, b));
            Assert.AreEqual("bias", ex.ParamName);
            StringAssert.Contains(ex.Message, "[2, 2]");
            AssertUnchanged(w, "PyTorchDefault with a 2-D bias");
        }

        [TestMethod]
        public void PyTorchDefault_DisposedWeight_LeavesTheBiasAsItWas()
        {
            using Engine engine = Engine.Create();
            Tensor w = engine.CreateTensor(4, 3);
            w.Dispose();
            using Tensor b = Filled(engine, 4);
            Assert.ThrowsExactly<ObjectDisposedException>(() => Init.PyTorchDefault(w, b));
            AssertUnchanged(b, "PyTorchDefault with a disposed weight");
        }

        [TestMethod]
        public void EveryInitializer_RejectsBadArguments_WithoutWriting()
        {
            // The rank, groups, sparsity and mode checks all come before the first write.
            using Engine engine = Engine.Create();
            using Tensor w = Filled(engine, 4, 3);
            using Tensor conv = Filled(engine, 4, 2, 3, 3);
            Action[] bad =
            {
                () => Init.Eye(conv),
                () => Init.Dirac(w),
                () => Init.Dirac(conv, groups: 3),
                () => Init.Sparse(w, 1.5),
                () => Init.Sparse(w, 0.5, -1),
                () => Init.KaimingUniform(w, mode: FanMode.FanAvg),
                () => Init.VarianceScaling(w, -1),
                () => Init.TruncatedNormal(w, 0, 1, 2, -2),
                () => Init.Uniform(w, 1, 0),
                () => Init.Normal(w, 0, -1),
                () => Init.Orthogonal(w, double.NaN),
            };
            foreach (Action call in bad) Assert.ThrowsExactly<ArgumentException>(call);
            AssertUnchanged(w, "2-D weight");
            AssertUnchanged(conv, "conv weight");
        }

        [TestMethod]
        public void ModelInit_SchemeFailingOnALaterLayer_LeavesEveryLayerAsItWas()
        {
            // xavier_uniform(gain 1e38) fits float32 for a 100→100 layer (bound 1.7e37) but not for a 1→1 layer
            // (bound 1.7e38, width beyond float32). A TorchGenerator fills tensor by tensor, so the first layer
            // used to be written before the second threw.
            using Engine engine = Engine.Create();
            var first = new InitCore.Nn.Linear(engine, 100, 100);
            var second = new InitCore.Nn.Linear(engine, 1, 1);
            var model = new InitCore.Nn.Sequential(engine, first, second);
            Init.Constant(first.Weight.Value, Sentinel);
            var ex = Assert.ThrowsExactly<ArgumentException>(() => InitCore.Nn.ModelInit.Apply(model, InitCore.Nn.InitScheme.XavierUniform(1e38), generator: new TorchGenerator(1)));
            Assert.AreEqual("gain", ex.ParamName);
            AssertUnchanged(first.Weight.Value, "the first layer's weight");
        }

        // ------------------------------------------------------------------ bounds, as properties

        private static IEnumerable<(double A, double B)> UniformRanges()
        {
            var rng = new Random(17);
            yield return (0, 1);
            yield return (-1, 1);
            yield return (1, 1);
            yield return (1000, 1000.00006103515625);      // one float ulp wide: the top value rounds to b
            yield return (1000.00003, 1000.00009);         // bounds that round in opposite directions
            yield return (-1.7e38, 1.7e38);                // width just under float32's largest
            yield return (3.3e38, float.MaxValue);
            yield return (-float.MaxValue, -3.3e38);
            yield return (1e-40, 3e-40);                   // subnormal
            yield return (0.1, 0.3);
            for (int i = 0; i < 300; i++)
            {
                double centre = (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-30, 30));
                double width = Math.Abs(centre) * Math.Pow(10, -rng.Next(0, 9)) * rng.NextDouble();
                yield return (centre - width / 2, centre + width / 2);
            }
        }

        [TestMethod]
        public void Uniform_EveryValue_LiesInTheFloatRoundedBounds()
        {
            using Engine engine = Engine.Create(new EngineOptions { Seed = 2 });
            foreach (RandomSource source in new RandomSource[] { new Generator(5), new TorchGenerator(5) })
                foreach (var (a, b) in UniformRanges())
                {
                    float lo = (float)a, hi = (float)b;
                    float[] x = new float[4099];
                    Init.Uniform(engine, x, a, b, source);
                    foreach (float v in x)
                        Assert.IsTrue(v >= lo && v <= hi, $"{source.GetType().Name}: uniform({a:R}, {b:R}) wrote {v:R} outside [{lo:R}, {hi:R}]");
                }
        }

        [TestMethod]
        public void UniformFamilies_EveryValue_LiesWithinTheirBound()
        {
            // xavier_uniform, kaiming_uniform and VarianceScaling(uniform) write within ±bound (rounded to float).
            using Engine engine = Engine.Create(new EngineOptions { Seed = 3 });
            int[][] shapes = { new[] { 50, 40 }, new[] { 16, 8, 3, 3 }, new[] { 7, 1000 } };
            foreach (int[] shape in shapes)
            {
                var fans = Fans.FromShape(shape);
                long n = shape.Aggregate(1L, (p, d) => p * d);
                var checks = new (string Name, double Bound, Action<float[]> Fill)[]
                {
                    ("xavier_uniform", 1.7 * Math.Sqrt(6.0 / (fans.FanIn + fans.FanOut)), x => Init.XavierUniform(engine, x, shape, 1.7)),
                    ("kaiming_uniform", Math.Sqrt(2.0) * Math.Sqrt(3.0 / fans.FanIn), x => Init.KaimingUniform(engine, x, shape, nonlinearity: Nonlinearity.Relu)),
                    ("variance_scaling uniform", Math.Sqrt(3.0 * 2.5 / fans.FanOut), x => Init.VarianceScaling(engine, x, shape, 2.5, FanMode.FanOut, VarianceDistribution.Uniform)),
                };
                foreach (var (name, bound, fill) in checks)
                {
                    float[] x = new float[n];
                    fill(x);
                    float fb = (float)bound;
                    Assert.IsTrue(x.All(v => v >= -fb && v <= fb), $"{name} {string.Join("x", shape)}: a value outside ±{fb:R}: {x.Max(Math.Abs):R}");
                }
            }
        }

        public static IEnumerable<object[]> TruncatedCases => new[]
        {
            new object[] { 0.0, 1.0, -2.0, 2.0 },
            new object[] { 0.0, 1.0, -0.01, 0.01 },
            new object[] { 5.0, 0.1, 5.0, 5.3 },
            new object[] { 0.0, 1.0, 3.0, 3.5 },        // far in the tail
            new object[] { 0.0, 1.0, 10.0, 11.0 },      // beyond double's Φ: every t is 1, erfinv gives ∞, clamped to b
            new object[] { -3.0, 2.0, double.NegativeInfinity, -2.9 },
            new object[] { 1e30, 1e29, -1e39, 1e39 },   // bounds beyond float32, values within it
            new object[] { 0.0, 1e37, -1.0, 1.0 },      // a huge std inside narrow bounds: erfinv(t)·std·√2 is large, then clamped
        };

        [TestMethod]
        [DynamicData(nameof(TruncatedCases))]
        public void TruncatedNormal_EveryValue_LiesWithinAB(double mean, double std, double a, double b)
        {
            using Engine engine = Engine.Create(new EngineOptions { Seed = 4 });
            foreach (RandomSource source in new RandomSource[] { new Generator(9), new TorchGenerator(9) })
            {
                float[] x = new float[100_000];
                Init.TruncatedNormal(engine, x, mean, std, a, b, source);
                float lo = (float)a, hi = (float)b;
                Assert.IsTrue(x.All(v => !float.IsNaN(v) && !float.IsInfinity(v) && v >= lo && v <= hi),
                    $"{source.GetType().Name}: trunc_normal({mean}, {std}, {a}, {b}) wrote a value outside [{lo:R}, {hi:R}] or non-finite: min {x.Min():R}, max {x.Max():R}");
            }
        }

        [TestMethod]
        public void NormalFamilies_EveryValue_IsFinite_AtTheLargestAllowedStd()
        {
            // The largest std the float32 check admits (|mean| + 9·std at float32's edge) still writes only finite values.
            using Engine engine = Engine.Create(new EngineOptions { Seed = 6 });
            double std = float.MaxValue / 9.0 * 0.999;
            foreach (RandomSource source in new RandomSource[] { new Generator(1), new TorchGenerator(1), new TorchGenerator(2) })
                foreach (int n in new[] { 5, 100_003 })
                {
                    float[] x = new float[n];
                    Init.Normal(engine, x, 0.0, std, source);
                    Assert.IsTrue(x.All(v => !float.IsInfinity(v) && !float.IsNaN(v)), $"{source.GetType().Name}: normal(0, {std:R}) wrote a non-finite value");
                }
        }
    }
}
