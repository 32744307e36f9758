using System;
using System.Linq;
using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests
{
    /// <summary>The three primitive distributions, as distributions: Kolmogorov–Smirnov on 10⁶ samples, moments, bounds.</summary>
    [TestClass]
    public sealed class DistributionTests
    {
        private const int N = 1_000_000;

        private static float[] Sample(Action<Engine, float[]> fill, ulong seed = 2024)
        {
            using var engine = Engine.Create(new EngineOptions { Seed = seed });
            var data = new float[N];
            fill(engine, data);
            return data;
        }

        [TestMethod]
        [DataRow(0.0, 1.0)]
        [DataRow(-0.3, 0.7)]
        [DataRow(-100.0, 250.0)]
        public void Uniform_PassesKolmogorovSmirnov(double a, double b)
        {
            float[] x = Sample((e, d) => Init.Uniform(e, d, a, b));
            double d = Dist.KsStatistic(x, Dist.UniformCdf(a, b));
            Assert.IsLessThan(Dist.KsCritical(N), d, $"KS D = {d}");
        }

        [TestMethod]
        [DataRow(-0.3, 0.7)]
        [DataRow(-1.0, 1.0)]
        [DataRow(2.0, 2.0000002)]
        public void Uniform_StaysWithinBounds_AndReachesBothEnds(double a, double b)
        {
            float[] x = Sample((e, d) => Init.Uniform(e, d, a, b));
            float min = x.Min(), max = x.Max();
            Assert.IsGreaterThanOrEqualTo((float)a, min);
            Assert.IsLessThanOrEqualTo((float)b, max);
            double width = b - a;
            Assert.IsLessThan(width * 1e-4 + 1e-6, min - a, "minimum is not near a");
            Assert.IsLessThan(width * 1e-4 + 1e-6, b - max, "maximum is not near b");
        }

        [TestMethod]
        [DataRow(0.0, 1.0)]
        [DataRow(3.0, 0.02)]
        [DataRow(-1.5, 7.0)]
        public void Normal_PassesKolmogorovSmirnov_AndMoments(double mean, double std)
        {
            float[] x = Sample((e, d) => Init.Normal(e, d, mean, std));
            double d = Dist.KsStatistic(x, Dist.NormalCdf(mean, std));
            Assert.IsLessThan(Dist.KsCritical(N), d, $"KS D = {d}");
            var (m, s) = Dist.Moments(x);
            Assert.AreEqual(mean, m, 5 * std / Math.Sqrt(N));
            Assert.AreEqual(std, s, 5 * std / Math.Sqrt(2.0 * N));
        }

        [TestMethod]
        public void Normal_Tails_MatchGaussian()
        {
            // P(|z| > 3) = 0.0026998; P(|z| > 4) = 6.334e-5. Checks the Box–Muller radius, which a KS test barely sees.
            float[] x = Sample((e, d) => Init.Normal(e, d, 0, 1), seed: 77);
            double p3 = x.Count(v => Math.Abs(v) > 3) / (double)N;
            double p4 = x.Count(v => Math.Abs(v) > 4) / (double)N;
            Assert.AreEqual(0.0026998, p3, 5 * Math.Sqrt(0.0027 / N));
            Assert.AreEqual(6.334e-5, p4, 5 * Math.Sqrt(6.334e-5 / N));
        }

        [TestMethod]
        public void Normal_WithZeroStd_FillsTheMean()
        {
            float[] x = Sample((e, d) => Init.Normal(e, d, 1.25, 0));
            Assert.IsTrue(x.All(v => v == 1.25f));
        }

        [TestMethod]
        [DataRow(0.0, 1.0, -2.0, 2.0)]
        [DataRow(0.5, 2.0, -1.0, 4.0)]
        [DataRow(0.0, 1.0, 1.0, 3.0)]
        [DataRow(0.0, 0.02, -0.04, 0.04)]
        public void TruncatedNormal_PassesKolmogorovSmirnov_WithExactBounds(double mean, double std, double a, double b)
        {
            float[] x = Sample((e, d) => Init.TruncatedNormal(e, d, mean, std, a, b));
            Assert.IsGreaterThanOrEqualTo((float)a, x.Min());
            Assert.IsLessThanOrEqualTo((float)b, x.Max());
            double d = Dist.KsStatistic(x, Dist.TruncatedNormalCdf(mean, std, a, b));
            Assert.IsLessThan(Dist.KsCritical(N), d, $"KS D = {d}");
        }

        [TestMethod]
        public void TruncatedNormal_StandardCut_HasTruncatedVariance()
        {
            float[] x = Sample((e, d) => Init.TruncatedNormal(e, d, 0, 1, -2, 2));
            var (m, s) = Dist.Moments(x);
            Assert.AreEqual(0.0, m, 0.005);
            Assert.AreEqual(Init.TruncatedNormalStdCorrection, s, 0.002);
        }

        [TestMethod]
        public void TruncatedNormal_AbsoluteBoundsNotMultiplesOfStd()
        {
            // PyTorch's a and b are absolute: with std = 10 and [−2, 2] the result is close to uniform.
            float[] x = Sample((e, d) => Init.TruncatedNormal(e, d, 0, 10, -2, 2));
            Assert.IsTrue(x.All(v => v >= -2f && v <= 2f));
            var (_, s) = Dist.Moments(x);
            Assert.AreEqual(4 / Math.Sqrt(12), s, 0.01);
        }
    }
}
