using System;
using System.Linq;
using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Backends
{
    /// <summary>
    /// Statistics over float32's whole range: constant data has std exactly 0 (mean exactly the value), huge and
    /// tiny magnitudes give the right std (no overflow to ∞, no underflow to 0), and NaN propagates through every
    /// activation and the fused statistics path, as in PyTorch.
    /// </summary>
    public abstract class StatisticsRangeTests : BackendFixture
    {
        private static readonly StatisticsOptions NoHistogram = new StatisticsOptions { HistogramBins = 0 };

        public static System.Collections.Generic.IEnumerable<object[]> ConstantCases =>
            from n in new[] { 2, 3, 7, 8, 17, 512, 4095, 4096, 4097, 10_000, 100_003 }
            from v in new[] { -0.4f, 0.1f, 1f / 3f, -7.77e-3f, 123456.79f, 3.0e38f, -1e-30f, 1e-40f, float.Epsilon, 0f }
            select new object[] { n, v };

        [TestMethod]
        [DynamicData(nameof(ConstantCases))]
        public void Statistics_ConstantData_StdIsExactlyZero(int n, float value)
        {
            using Engine engine = NewEngine();
            using Tensor t = engine.CreateTensor(Enumerable.Repeat(value, n).ToArray(), n);
            TensorStatistics s = TensorOps.Statistics(t, NoHistogram);
            Assert.AreEqual(0.0, s.Std, $"std of {n} copies of {value:R}");
            Assert.AreEqual(0.0, s.Variance, $"variance of {n} copies of {value:R}");
            Assert.AreEqual((double)value, s.Mean, $"mean of {n} copies of {value:R}");
        }

        public static System.Collections.Generic.IEnumerable<object[]> Magnitudes =>
            from scale in new[] { 1e30, 1e-30, 1e19, 1e36, 1e-38, 1e-44 }
            from n in new[] { 1000, 100_003 }
            select new object[] { scale, n };

        [TestMethod]
        [DynamicData(nameof(Magnitudes))]
        public void Statistics_HugeAndTinyMagnitudes_GiveTheRightStd(double scale, int n)
        {
            // Values scale·(1 + u), u ∈ [0, 1), plus a sign flip on every third: the squares overflow float above
            // about 1.8e19 and underflow below about 1e-23, so both ends need the scaled accumulation.
            var rng = new Random(11);
            float[] x = Enumerable.Range(0, n).Select(i => (float)(scale * (1 + rng.NextDouble()) * (i % 3 == 0 ? -1 : 1))).ToArray();
            using Engine engine = NewEngine();
            using Tensor t = engine.CreateTensor(x, n);
            TensorStatistics s = TensorOps.Statistics(t, NoHistogram);
            double mean = x.Average(v => (double)v);
            double std = Math.Sqrt(x.Sum(v => ((double)v - mean) * ((double)v - mean)) / (n - 1));
            Assert.IsTrue(std > 0 && !double.IsInfinity(std), $"reference std {std}");
            // Subnormal inputs (1e-44) carry only a few bits each; the tolerance is relative to the value's own precision.
            double tolerance = scale < 1e-37 ? 1e-3 : 1e-5;
            Assert.AreEqual(std, s.Std, tolerance * std, $"std at scale {scale:R}");
            Assert.AreEqual(mean, s.Mean, tolerance * std, $"mean at scale {scale:R}");
        }

        [TestMethod]
        public void Statistics_FloatExtremes_DoNotOverflow()
        {
            // ±float.MaxValue: deviations of 2·MaxValue overflow float; the std is MaxValue·√(n/(n−1)).
            const int n = 4099;
            float[] x = Enumerable.Range(0, n).Select(i => i % 2 == 0 ? float.MaxValue : -float.MaxValue).ToArray();
            using Engine engine = NewEngine();
            using Tensor t = engine.CreateTensor(x, n);
            TensorStatistics s = TensorOps.Statistics(t, NoHistogram);
            double mean = x.Average(v => (double)v);
            double std = Math.Sqrt(x.Sum(v => ((double)v - mean) * ((double)v - mean)) / (n - 1));
            Assert.AreEqual(std, s.Std, 1e-5 * std);
        }

        [TestMethod]
        public void Statistics_NaNInData_GivesNaNMeanAndStd()
        {
            float[] x = Enumerable.Range(0, 5000).Select(i => (float)Math.Sin(i)).ToArray();
            x[4321] = float.NaN;
            using Engine engine = NewEngine();
            using Tensor t = engine.CreateTensor(x, x.Length);
            TensorStatistics s = TensorOps.Statistics(t, NoHistogram);
            Assert.IsTrue(double.IsNaN(s.Mean), $"mean {s.Mean}");
            Assert.IsTrue(double.IsNaN(s.Std), $"std {s.Std}");
        }

        public static System.Collections.Generic.IEnumerable<object?[]> Activations => new[]
        {
            new object?[] { "relu", 0.0, 0.0, null },
            new object?[] { "leaky", 0.1, 0.0, null },
            new object?[] { "general", 0.1, 0.4, 6.0 },
            new object?[] { "general-relu-sub", 0.0, 0.5, null },
            new object?[] { "general-relu-max", 0.0, 0.0, 1.0 },
        };

        [TestMethod]
        [DynamicData(nameof(Activations))]
        public void Activation_NaN_PropagatesForwardAndBackwardAsPyTorch(string name, double leak, double sub, double? maxv)
        {
            // NaN at positions inside the SIMD body and in the scalar tail of a 37-element array.
            const int n = 37;
            int[] nanAt = { 0, 5, 17, 35, 36 };
            float[] xs = Enumerable.Range(0, n).Select(i => (i % 4) - 1.5f).ToArray();
            foreach (int i in nanAt) xs[i] = float.NaN;
            float[] dys = Enumerable.Range(0, n).Select(i => 0.25f * (i + 1)).ToArray();
            using Engine engine = NewEngine();
            using Tensor x = engine.CreateTensor(xs, n);
            using Tensor dy = engine.CreateTensor(dys, n);
            using Tensor y = engine.CreateTensor(n);
            using Tensor dx = engine.CreateTensor(n);
            switch (name)
            {
                case "relu": TensorOps.Relu(x, y); TensorOps.ReluBackward(x, dy, dx); break;
                case "leaky": TensorOps.LeakyRelu(x, y, leak); TensorOps.LeakyReluBackward(x, dy, dx, leak); break;
                default: TensorOps.GeneralRelu(x, y, leak, sub, maxv); TensorOps.GeneralReluBackward(x, dy, dx, leak, sub, maxv); break;
            }
            float[] ys = y.ToArray(), dxs = dx.ToArray();
            foreach (int i in nanAt)
            {
                Assert.IsTrue(float.IsNaN(ys[i]), $"{name}(NaN) at {i} gave {ys[i]}; PyTorch gives NaN");
                // torch: relu passes the incoming gradient where the input is NaN (threshold_backward zeroes where
                // x <= 0, false for NaN); leaky_relu_backward gives slope·dy (it passes dy only where x > 0);
                // clamp_max's gradient is 0 where its input is NaN (it passes only where u <= maxv).
                float expected = maxv is not null ? 0f : leak != 0 ? dys[i] * (float)leak : dys[i];
                Assert.AreEqual(expected, dxs[i], $"{name} backward at NaN input {i}");
            }
            // A NaN gradient propagates wherever the activation passes gradient.
            using Tensor nanDy = engine.CreateTensor(Enumerable.Repeat(float.NaN, n).ToArray(), n);
            switch (name)
            {
                case "relu": TensorOps.ReluBackward(x, nanDy, dx); break;
                case "leaky": TensorOps.LeakyReluBackward(x, nanDy, dx, leak); break;
                default: TensorOps.GeneralReluBackward(x, nanDy, dx, leak, sub, maxv); break;
            }
            dxs = dx.ToArray();
            Assert.IsTrue(float.IsNaN(dxs[2]), $"{name} backward of NaN gradient at x={xs[2]}");
        }

        [TestMethod]
        [DynamicData(nameof(Activations))]
        public void Module_NaN_PropagatesThroughEveryActivationModule(string name, double leak, double sub, double? maxv)
        {
            using Engine engine = NewEngine();
            InitCore.Nn.Module act = name switch
            {
                "relu" => new InitCore.Nn.ReLU(engine),
                "leaky" => new InitCore.Nn.LeakyReLU(engine, leak),
                _ => new InitCore.Nn.GeneralReLU(engine, leak, sub, maxv),
            };
            float[] xs = Enumerable.Range(0, 40).Select(i => i == 9 || i == 38 ? float.NaN : i - 20f).ToArray();
            using Tensor x = engine.CreateTensor(xs, 4, 10);
            using Tensor y = act.Forward(x);
            float[] ys = y.ToArray();
            Assert.IsTrue(float.IsNaN(ys[9]) && float.IsNaN(ys[38]), $"{name} module forward: {ys[9]}, {ys[38]}");
        }

        [TestMethod]
        [DynamicData(nameof(Activations))]
        public void AffineActivationStatistics_NaN_Propagates(string name, double leak, double sub, double? maxv)
        {
            _ = name;
            float[] zs = Enumerable.Range(0, 9000).Select(i => (float)Math.Cos(i)).ToArray();
            zs[8999] = float.NaN; // in the last, partial chunk
            using Engine engine = NewEngine();
            using Tensor z = engine.CreateTensor(zs, 9000);
            var spec = new ActivationSpec((float)leak, (float)sub, maxv is double m ? (float)m : null);
            var cfg = new StatsConfig(0.05f, 0f, 1f, 0, false);
            StatsResult r = engine.Main.AffineActivationStatistics(z.Storage, 1.5f, -0.25f, null, 1, 9000, spec, cfg);
            Assert.IsTrue(double.IsNaN(r.Mean), $"{name}: fused mean {r.Mean}");
            Assert.IsTrue(double.IsNaN(r.M2), $"{name}: fused M2 {r.M2}");
        }

        [TestMethod]
        public void AffineActivationStatistics_ConstantOutput_HasZeroM2()
        {
            // A dead ReLU layer: every pre-activation negative, so every output is exactly 0.
            using Engine engine = NewEngine();
            using Tensor z = engine.CreateTensor(Enumerable.Repeat(-0.4f, 9000).ToArray(), 9000);
            var cfg = new StatsConfig(0.05f, 0f, 1f, 0, false);
            StatsResult r = engine.Main.AffineActivationStatistics(z.Storage, 1f, 0f, null, 1, 9000, new ActivationSpec(0f, 0f, null), cfg);
            Assert.AreEqual(0.0, r.M2);
            StatsResult leaky = engine.Main.AffineActivationStatistics(z.Storage, 1f, 0f, null, 1, 9000, new ActivationSpec(0.1f, 0f, null), cfg);
            Assert.AreEqual(0.0, leaky.M2);
            Assert.AreEqual((double)(-0.4f * 0.1f), leaky.Mean);
        }
    }

    [TestClass]
    public sealed class CpuStatisticsRangeTests : StatisticsRangeTests
    {
        protected override BackendKind Kind => BackendKind.Cpu;
    }

    [TestClass]
    public sealed class CudaStatisticsRangeTests : StatisticsRangeTests
    {
        protected override BackendKind Kind => BackendKind.Cuda;
    }
}
