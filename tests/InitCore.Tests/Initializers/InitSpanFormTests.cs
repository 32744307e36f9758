using System;
using System.Collections.Generic;
using System.Linq;
using System.Reflection;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests
{
    /// <summary>
    /// Every initializer has a host-span form, <c>Init.X(engine, span, shape, …)</c>, as the README promises.
    /// </summary>
    /// <remarks>The span form writes the very bits the tensor form writes from the same generator state, and leaves the generator in the same state.</remarks>
    [TestClass]
    public sealed class InitSpanFormTests
    {
        private delegate void TensorForm(Tensor tensor, RandomSource generator);

        private delegate void SpanForm(Engine engine, float[] data, int[] shape, RandomSource generator);

        /// <summary>What both targets hold before the call, so a form that writes nothing is caught.</summary>
        private const float Sentinel = 7.25f;

        private static readonly int[] Conv = { 16, 8, 3, 3 };
        private static readonly int[] Matrix = { 40, 30 };

        /// <summary>Each case: a name, the shape, the tensor form and the span form of the same call.</summary>
        private static IEnumerable<(string Name, int[] Shape, TensorForm Tensor, SpanForm Span)> Cases()
        {
            yield return ("Uniform", Conv, (t, g) => Init.Uniform(t, -0.5, 2.0, g), (e, d, s, g) => Init.Uniform(e, d, -0.5, 2.0, g));
            yield return ("Normal", Conv, (t, g) => Init.Normal(t, 0.25, 1.5, g), (e, d, s, g) => Init.Normal(e, d, 0.25, 1.5, g));
            yield return ("TruncatedNormal", Conv, (t, g) => Init.TruncatedNormal(t, 0.1, 0.8, -1.0, 1.5, g), (e, d, s, g) => Init.TruncatedNormal(e, d, 0.1, 0.8, -1.0, 1.5, g));
            yield return ("Constant", Conv, (t, g) => Init.Constant(t, -3.5), (e, d, s, g) => Init.Constant(e, d, -3.5));
            yield return ("Zeros", Conv, (t, g) => Init.Zeros(t), (e, d, s, g) => Init.Zeros(e, d));
            yield return ("Ones", Conv, (t, g) => Init.Ones(t), (e, d, s, g) => Init.Ones(e, d));
            yield return ("Eye", Matrix, (t, g) => Init.Eye(t), (e, d, s, g) => Init.Eye(e, d, s));
            yield return ("Dirac", new[] { 12, 4, 3, 3 }, (t, g) => Init.Dirac(t, 3), (e, d, s, g) => Init.Dirac(e, d, s, 3));
            yield return ("XavierUniform", Conv, (t, g) => Init.XavierUniform(t, 1.3, g), (e, d, s, g) => Init.XavierUniform(e, d, s, 1.3, g));
            yield return ("XavierNormal", Conv, (t, g) => Init.XavierNormal(t, 0.7, g), (e, d, s, g) => Init.XavierNormal(e, d, s, 0.7, g));
            yield return ("KaimingUniform", Conv, (t, g) => Init.KaimingUniform(t, 0.2, FanMode.FanOut, Nonlinearity.LeakyRelu, g), (e, d, s, g) => Init.KaimingUniform(e, d, s, 0.2, FanMode.FanOut, Nonlinearity.LeakyRelu, g));
            yield return ("KaimingNormal", Conv, (t, g) => Init.KaimingNormal(t, 0, FanMode.FanIn, Nonlinearity.Tanh, g), (e, d, s, g) => Init.KaimingNormal(e, d, s, 0, FanMode.FanIn, Nonlinearity.Tanh, g));
            yield return ("KaimingUniform(string)", Conv, (t, g) => Init.KaimingUniform(t, "leaky_relu", 0.3, "fan_out", g), (e, d, s, g) => Init.KaimingUniform(e, d, s, "leaky_relu", 0.3, "fan_out", g));
            yield return ("KaimingNormal(string)", Conv, (t, g) => Init.KaimingNormal(t, "relu", generator: g), (e, d, s, g) => Init.KaimingNormal(e, d, s, "relu", generator: g));
            yield return ("KaimingNormal, given fans", Conv, (t, g) => Init.KaimingNormal(t, generator: g, fans: new Fans(5, 7)), (e, d, s, g) => Init.KaimingNormal(e, d, s, generator: g, fans: new Fans(5, 7)));
            yield return ("VarianceScaling", Conv, (t, g) => Init.VarianceScaling(t, 0.5, FanMode.FanAvg, VarianceDistribution.UntruncatedNormal, g), (e, d, s, g) => Init.VarianceScaling(e, d, s, 0.5, FanMode.FanAvg, VarianceDistribution.UntruncatedNormal, g));
            yield return ("LeCunNormal", Conv, (t, g) => Init.LeCunNormal(t, g), (e, d, s, g) => Init.LeCunNormal(e, d, s, g));
            yield return ("LeCunUniform", Conv, (t, g) => Init.LeCunUniform(t, g), (e, d, s, g) => Init.LeCunUniform(e, d, s, g));
            yield return ("HeNormal", Conv, (t, g) => Init.HeNormal(t, g), (e, d, s, g) => Init.HeNormal(e, d, s, g));
            yield return ("HeUniform", Conv, (t, g) => Init.HeUniform(t, g), (e, d, s, g) => Init.HeUniform(e, d, s, g));
            yield return ("HeNormal, given fans", Conv, (t, g) => Init.HeNormal(t, g, new Fans(3, 9)), (e, d, s, g) => Init.HeNormal(e, d, s, g, new Fans(3, 9)));
            yield return ("GlorotNormal", Conv, (t, g) => Init.GlorotNormal(t, g), (e, d, s, g) => Init.GlorotNormal(e, d, s, g));
            yield return ("GlorotUniform", Conv, (t, g) => Init.GlorotUniform(t, g), (e, d, s, g) => Init.GlorotUniform(e, d, s, g));
            yield return ("Orthogonal", Matrix, (t, g) => Init.Orthogonal(t, 1.5, g), (e, d, s, g) => Init.Orthogonal(e, d, s, 1.5, g));
            yield return ("Sparse", Matrix, (t, g) => Init.Sparse(t, 0.3, 0.05, g), (e, d, s, g) => Init.Sparse(e, d, s, 0.3, 0.05, g));
        }

        public static IEnumerable<object[]> Rows =>
            from c in Cases()
            from generator in new[] { "philox", "torch" }
            select new object[] { c.Name, generator };

        public static string RowName(MethodInfo method, object[] row) => $"{method.Name}({row[0]}, {row[1]})";

        /// <summary>A generator away from its start: Philox at a non-zero offset, or PyTorch's MT19937 after some draws.</summary>
        private static RandomSource NewGenerator(Engine engine, string kind)
        {
            if (kind == "philox") return new Generator(11, 3) { Offset = 5 };
            var torch = new TorchGenerator(11);
            Init.Uniform(engine, new float[7], generator: torch);
            return torch;
        }

        [TestMethod]
        [DynamicData(nameof(Rows), DynamicDataDisplayName = nameof(RowName))]
        public void SpanForm_WritesTheTensorFormsBits_AndAdvancesTheGeneratorAlike(string name, string generatorKind)
        {
            var c = Cases().Single(x => x.Name == name);
            using var engine = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, ThreadCount = 2 });
            using var tensor = engine.CreateTensor(c.Shape);
            Init.Constant(tensor, Sentinel);
            var span = new float[tensor.Length];
            span.AsSpan().Fill(Sentinel);
            RandomSource forTensor = NewGenerator(engine, generatorKind), forSpan = NewGenerator(engine, generatorKind);

            c.Tensor(tensor, forTensor);
            c.Span(engine, span, (int[])c.Shape.Clone(), forSpan);

            float[] expected = tensor.ToArray();
            Assert.IsTrue(expected.Any(v => v != Sentinel), $"{name}: the tensor form wrote nothing");
            for (int i = 0; i < expected.Length; i++)
                Assert.AreEqual(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(span[i]), $"{name}, {generatorKind}: element {i}: tensor {expected[i]:R}, span {span[i]:R}");

            // The same state afterwards: the next draws agree too.
            var nextTensor = new float[64];
            var nextSpan = new float[64];
            Init.Normal(engine, nextTensor, generator: forTensor);
            Init.Normal(engine, nextSpan, generator: forSpan);
            CollectionAssert.AreEqual(nextTensor, nextSpan, $"{name}, {generatorKind}: the generators differ after the call");
        }

        /// <summary>
        /// Every public tensor form <c>Init.X(tensor, …)</c> has a span form <c>Init.X(engine, span, [shape,] …)</c> with the
        /// same other parameters (names, types and defaults), and the cases above cover every name.
        /// </summary>
        [TestMethod]
        public void EveryTensorForm_HasASpanForm_WithTheSameParameters()
        {
            MethodInfo[] methods = typeof(Init).GetMethods(BindingFlags.Public | BindingFlags.Static);
            static bool IsTarget(Type t) => t == typeof(Tensor) || t == typeof(Span<float>) || t == typeof(ReadOnlySpan<int>) || t == typeof(Engine);
            static string Rest(MethodInfo m) => string.Join(", ", m.GetParameters().Where(p => !IsTarget(p.ParameterType))
                .Select(p => $"{p.ParameterType.Name} {p.Name}{(p.HasDefaultValue ? $" = {p.DefaultValue ?? "null"}" : "")}"));
            var tensorForms = methods.Where(m => m.GetParameters().FirstOrDefault()?.ParameterType == typeof(Tensor)).ToList();
            Assert.IsGreaterThanOrEqualTo(20, tensorForms.Count, "the reflection found too few tensor forms to be meaningful");
            var missing = new List<string>();
            foreach (MethodInfo t in tensorForms)
            {
                bool found = methods.Any(m => m.Name == t.Name
                    && m.GetParameters().FirstOrDefault()?.ParameterType == typeof(Engine)
                    && m.GetParameters().Skip(1).FirstOrDefault()?.ParameterType == typeof(Span<float>)
                    && Rest(m) == Rest(t));
                if (!found) missing.Add($"Init.{t.Name}(engine, span, …, {Rest(t)})");
            }
            Assert.AreEqual(0, missing.Count, "tensor forms without a span form: " + string.Join("; ", missing));
            var covered = new HashSet<string>(Cases().Select(c => c.Name.Split('(', ',')[0]));
            string[] uncovered = tensorForms.Select(m => m.Name).Distinct().Where(n => n != nameof(Init.PyTorchDefault) && !covered.Contains(n)).ToArray();
            Assert.AreEqual(0, uncovered.Length, "initializers without a bit-identity case: " + string.Join(", ", uncovered));
        }

        [TestMethod]
        public void PyTorchDefault_SpanForm_WritesTheTensorFormsBits()
        {
            using var engine = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu });
            using var weight = engine.CreateTensor(Conv);
            using var bias = engine.CreateTensor(Conv[0]);
            Init.PyTorchDefault(weight, bias, new Generator(2) { Offset = 9 });
            var w = new float[weight.Length];
            var b = new float[bias.Length];
            Init.PyTorchDefault(engine, w, Conv, b, new Generator(2) { Offset = 9 });
            CollectionAssert.AreEqual(weight.ToArray(), w, "weight");
            CollectionAssert.AreEqual(bias.ToArray(), b, "bias");
            double bound = 1 / Math.Sqrt(8 * 9);
            Assert.IsTrue(b.All(v => Math.Abs(v) <= bound) && b.Any(v => v != 0), "the bias is U(±1/√fan_in), not all zero");
        }
    }
}
