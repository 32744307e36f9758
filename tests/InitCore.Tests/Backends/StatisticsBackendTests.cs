using System;
using System.Linq;
using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Backends
{
    /// <summary>
    /// One-pass statistics against a direct double-precision computation. Tolerances (docs/cuda.md):
    /// mean within 1e-5·std, std within relative 1e-5; count, min, max, near-zero count and histogram exact.
    /// </summary>
    public abstract class StatisticsBackendTests : BackendFixture
    {
        public static System.Collections.Generic.IEnumerable<object[]> Sizes => new[] { 1, 2, 255, 4097, 1_000_003 }.Select(n => new object[] { n });

        [TestMethod]
        [DynamicData(nameof(Sizes))]
        public void Statistics_MatchDirectComputation(int n)
        {
            using Engine engine = NewEngine(7);
            using Tensor t = engine.CreateTensor(n);
            Init.Normal(t, 3.0, 2.0);
            float[] x = t.ToArray();
            var options = new StatisticsOptions { HistogramBins = 40, HistogramMin = 0, HistogramMax = 10, NearZeroThreshold = 0.5f };
            TensorStatistics s = TensorOps.Statistics(t, options);

            double mean = x.Average(v => (double)v);
            double m2 = x.Sum(v => (v - mean) * (v - mean));
            Assert.AreEqual((long)n, s.Count);
            Assert.AreEqual(x.Min(), s.Min);
            Assert.AreEqual(x.Max(), s.Max);
            double std = n > 1 ? Math.Sqrt(m2 / (n - 1)) : double.NaN;
            Assert.AreEqual(mean, s.Mean, 1e-5 * (n > 1 ? std : 1.0) + 1e-6, "mean");
            if (n > 1) Assert.AreEqual(std, s.Std, 1e-5 * std, "std");
            Assert.AreEqual((long)x.Count(v => Math.Abs(v) < 0.5f), s.NearZeroCount);
            var cfg = options.ToConfig();
            var expected = new long[40];
            foreach (float v in x)
            {
                float a = Math.Abs(v);
                if (a >= 0f && a <= 10f)
                {
                    int bin = (int)((a - 0f) * cfg.InvWidth);
                    expected[bin >= 40 ? 39 : bin]++;
                }
            }
            CollectionAssert.AreEqual(expected, s.Histogram.ToArray());
        }

        [TestMethod]
        [DataRow(6, 5, 63)]
        [DataRow(64, 8, 196)]     // planes cross the 4096-element chunks
        [DataRow(300, 10, 1)]     // a Linear layer's output
        public void AffineActivationStatistics_EqualsTheComposedOperations(int outer, int channels, int inner)
        {
            using Engine engine = NewEngine(3);
            using Tensor z = engine.CreateTensor(outer, channels, inner);
            Init.Normal(z, 0.3, 1.7);
            using Tensor perChannel = engine.CreateTensor(Enumerable.Range(0, channels).Select(c => 0.1f * c - 0.2f).ToArray(), channels);
            var spec = new InitCore.Backends.ActivationSpec(0.1f, 0.4f, 2.5f);
            var cfg = new InitCore.Backends.StatsConfig(0.05f, 0f, 1f, 0, false);
            var backend = engine.Main;
            foreach (var (scale, shift, withChannels, act) in new[] { (1.3f, -0.25f, true, true), (1f, 0f, false, true), (0.7f, 0.1f, true, false), (1f, 0f, false, false) })
            {
                using Tensor t = engine.CreateTensor(outer, channels, inner);
                backend.Copy(z.Storage, t.Storage);
                if (scale != 1f || shift != 0f) backend.ScaleShift(t.Storage, scale, shift);
                if (withChannels) backend.AddBias(t.Storage, perChannel.Storage, outer, channels, inner);
                if (act) backend.ActivationForward(spec, t.Storage, t.Storage);
                var expected = backend.Statistics(t.Storage, cfg);
                var fused = backend.AffineActivationStatistics(z.Storage, scale, shift, withChannels ? perChannel.Storage : null, channels, inner,
                    act ? spec : (InitCore.Backends.ActivationSpec?)null, cfg);
                string what = $"scale {scale}, shift {shift}, per-channel {withChannels}, activation {act}";
                // The same float operations on the same values, measured the same way: equal, not merely close.
                Assert.AreEqual(expected.Count, fused.Count, what);
                Assert.AreEqual(expected.Mean, fused.Mean, what);
                Assert.AreEqual(expected.M2, fused.M2, what);
                Assert.AreEqual(expected.Min, fused.Min, what);
                Assert.AreEqual(expected.Max, fused.Max, what);
                Assert.AreEqual(expected.NearZero, fused.NearZero, what);
            }
        }

        [TestMethod]
        public void Statistics_SignedHistogram_ExcludesOutOfRange()
        {
            using Engine engine = NewEngine();
            using Tensor t = engine.CreateTensor(new[] { -3f, -1f, -0.25f, 0f, 0.25f, 1f, 1f, 3f }, 8);
            TensorStatistics s = TensorOps.Statistics(t, new StatisticsOptions { HistogramBins = 4, HistogramMin = -1, HistogramMax = 1, HistogramOfAbsoluteValues = false });
            CollectionAssert.AreEqual(new long[] { 1, 1, 2, 2 }, s.Histogram.ToArray());
            Assert.AreEqual(0.125, s.Mean, 1e-7);
        }

        [TestMethod]
        public void Statistics_LargeOffset_StaysAccurate()
        {
            // Welford/Chan keeps the variance when the mean dwarfs the spread, where Σx² − (Σx)²/n would not.
            using Engine engine = NewEngine(3);
            using Tensor t = engine.CreateTensor(1 << 20);
            Init.Uniform(t, 1000.0, 1001.0);
            TensorStatistics s = TensorOps.Statistics(t, new StatisticsOptions { HistogramBins = 0 });
            Assert.AreEqual(1 / Math.Sqrt(12), s.Std, 0.002);
        }
    }

    [TestClass]
    public sealed class CpuStatisticsBackendTests : StatisticsBackendTests
    {
        protected override BackendKind Kind => BackendKind.Cpu;
    }

    [TestClass]
    public sealed class CudaStatisticsBackendTests : StatisticsBackendTests
    {
        protected override BackendKind Kind => BackendKind.Cuda;
    }
}
