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
