using System;
using System.Linq;
using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests
{
    /// <summary>Every initializer checked as a distribution on at least 10⁵ samples, against the formula PyTorch or Keras documents.</summary>
    [TestClass]
    public sealed class InitializerTests
    {
        private static float[] Run(int[] shape, Action<Tensor> init, ulong seed = 31)
        {
            using var engine = Engine.Create(new EngineOptions { Seed = seed });
            using var t = engine.CreateTensor(shape);
            init(t);
            return t.ToArray();
        }

        private static void AssertNormal(float[] x, double std, string what)
        {
            Assert.IsGreaterThanOrEqualTo(100_000, x.Length);
            double d = Dist.KsStatistic(x, Dist.NormalCdf(0, std));
            Assert.IsLessThan(Dist.KsCritical(x.Length), d, $"{what}: KS D = {d} against N(0, {std}²)");
        }

        private static void AssertUniform(float[] x, double bound, string what)
        {
            Assert.IsGreaterThanOrEqualTo(100_000, x.Length);
            Assert.IsGreaterThanOrEqualTo((float)-bound, x.Min(), $"{what}: below −bound");
            Assert.IsLessThanOrEqualTo((float)bound, x.Max(), $"{what}: above bound");
            double d = Dist.KsStatistic(x, Dist.UniformCdf(-bound, bound));
            Assert.IsLessThan(Dist.KsCritical(x.Length), d, $"{what}: KS D = {d} against U(±{bound})");
        }

        private static void AssertTruncated(float[] x, double std, string what)
        {
            Assert.IsGreaterThanOrEqualTo(100_000, x.Length);
            Assert.IsGreaterThanOrEqualTo((float)(-2 * std), x.Min(), $"{what}: below −2σ");
            Assert.IsLessThanOrEqualTo((float)(2 * std), x.Max(), $"{what}: above 2σ");
            double d = Dist.KsStatistic(x, Dist.TruncatedNormalCdf(0, std, -2 * std, 2 * std));
            Assert.IsLessThan(Dist.KsCritical(x.Length), d, $"{what}: KS D = {d}");
        }

        // ---------------------------------------------------------------- Kaiming

        [TestMethod]
        public void KaimingNormal_FanInRelu_MatchesExpectedStd()
        {
            float[] x = Run(new[] { 256, 512 }, t => Init.KaimingNormal(t, nonlinearity: Nonlinearity.Relu));
            AssertNormal(x, Math.Sqrt(2.0 / 512), "kaiming_normal(relu)");
        }

        [TestMethod]
        public void KaimingNormal_FanOut_MatchesExpectedStd()
        {
            // [256, 128, 3, 3]: fan_in = 1152, fan_out = 2304.
            float[] x = Run(new[] { 256, 128, 3, 3 }, t => Init.KaimingNormal(t, mode: FanMode.FanOut));
            AssertNormal(x, Math.Sqrt(2.0) / Math.Sqrt(2304), "kaiming_normal(fan_out)");
        }

        [TestMethod]
        public void KaimingUniform_LeakyReluSlope_UsesLeakyGain()
        {
            float[] x = Run(new[] { 300, 400 }, t => Init.KaimingUniform(t, a: 0.2));
            AssertUniform(x, Math.Sqrt(2.0 / 1.04) * Math.Sqrt(3.0 / 400), "kaiming_uniform(a=0.2)");
        }

        [TestMethod]
        public void KaimingUniform_ExplicitFans_OverrideShapeRule()
        {
            // Depthwise 3×3 conv with 64 channels: the layer-aware fan_out is 9 (PyTorch's shape rule would say 576).
            Fans fans = Fans.ForConv(64, 64, new[] { 3, 3 }, groups: 64);
            using var engine = Engine.Create();
            var data = new float[120_000];
            Init.KaimingUniform(engine, data, new[] { 120_000, 1 }, mode: FanMode.FanOut, nonlinearity: Nonlinearity.Relu, fans: fans);
            AssertUniform(data, Math.Sqrt(2) * Math.Sqrt(3.0 / 9), "kaiming_uniform(fans=depthwise)");
        }

        // ---------------------------------------------------------------- Xavier

        [TestMethod]
        public void XavierUniform_TanhGain_MatchesBound()
        {
            double gain = Gain.Calculate(Nonlinearity.Tanh);
            float[] x = Run(new[] { 200, 600 }, t => Init.XavierUniform(t, gain));
            AssertUniform(x, 5.0 / 3 * Math.Sqrt(6.0 / 800), "xavier_uniform(tanh)");
        }

        [TestMethod]
        public void XavierNormal_IsNormalNotUniform()
        {
            // TorchSharp's xavier_normal_ once drew a uniform; KS against the normal CDF catches that.
            float[] x = Run(new[] { 64, 32, 7, 7 }, t => Init.XavierNormal(t, 0.5));
            AssertNormal(x, 0.5 * Math.Sqrt(2.0 / (32 * 49 + 64 * 49)), "xavier_normal");
        }

        // ---------------------------------------------------------------- Keras VarianceScaling

        [TestMethod]
        public void VarianceScaling_TruncatedNormal_HasVarianceScaleOverN()
        {
            float[] x = Run(new[] { 400, 300 }, t => Init.VarianceScaling(t, 2.0, FanMode.FanIn, VarianceDistribution.TruncatedNormal));
            double sigma = Math.Sqrt(2.0 / 300) / Init.TruncatedNormalStdCorrection;
            AssertTruncated(x, sigma, "variance_scaling(truncated)");
            var (_, s) = Dist.Moments(x);
            Assert.AreEqual(Math.Sqrt(2.0 / 300), s, 0.005 * s);
        }

        [TestMethod]
        public void TruncatedNormalStdCorrection_IsStdOfUnitNormalCutAtTwo()
        {
            Assert.AreEqual(Init.TruncatedNormalStdCorrection, Math.Sqrt(Dist.TruncatedVarianceFactor(2)), 1e-12);
        }

        [TestMethod]
        public void VarianceScaling_UntruncatedNormal_FanOut()
        {
            float[] x = Run(new[] { 500, 250 }, t => Init.VarianceScaling(t, 3.0, FanMode.FanOut, VarianceDistribution.UntruncatedNormal));
            AssertNormal(x, Math.Sqrt(3.0 / 500), "variance_scaling(untruncated, fan_out)");
        }

        [TestMethod]
        public void VarianceScaling_Uniform_FanAvg()
        {
            float[] x = Run(new[] { 32, 64, 7, 7 }, t => Init.VarianceScaling(t, 1.5, FanMode.FanAvg, VarianceDistribution.Uniform));
            double n = (64 * 49 + 32 * 49) / 2.0;
            AssertUniform(x, Math.Sqrt(3 * 1.5 / n), "variance_scaling(uniform, fan_avg)");
        }

        [TestMethod]
        public void KerasPresets_MatchTheirVarianceScalingDefinitions()
        {
            int[] shape = { 320, 400 };
            const double fanIn = 400, fanOut = 320;
            AssertTruncated(Run(shape, t => Init.LeCunNormal(t)), Math.Sqrt(1 / fanIn) / Init.TruncatedNormalStdCorrection, "lecun_normal");
            AssertUniform(Run(shape, t => Init.LeCunUniform(t)), Math.Sqrt(3 / fanIn), "lecun_uniform");
            AssertTruncated(Run(shape, t => Init.HeNormal(t)), Math.Sqrt(2 / fanIn) / Init.TruncatedNormalStdCorrection, "he_normal");
            AssertUniform(Run(shape, t => Init.HeUniform(t)), Math.Sqrt(6 / fanIn), "he_uniform");
            AssertTruncated(Run(shape, t => Init.GlorotNormal(t)), Math.Sqrt(2 / (fanIn + fanOut)) / Init.TruncatedNormalStdCorrection, "glorot_normal");
            AssertUniform(Run(shape, t => Init.GlorotUniform(t)), Math.Sqrt(6 / (fanIn + fanOut)), "glorot_uniform");
        }

        // ---------------------------------------------------------------- PyTorch's default

        [TestMethod]
        public void PyTorchDefault_Conv2d_WeightAndBiasWithinOneOverSqrtFanIn()
        {
            using var engine = Engine.Create(new EngineOptions { Seed = 5 });
            using var w = engine.CreateTensor(128, 64, 5, 5); // fan_in = 1600
            using var b = engine.CreateTensor(100_000);
            Init.PyTorchDefault(w, b);
            double bound = 1 / Math.Sqrt(1600);
            AssertUniform(w.ToArray(), bound, "default weight");
            AssertUniform(b.ToArray(), bound, "default bias");
            var (_, s) = Dist.Moments(w.ToArray());
            Assert.AreEqual(1 / Math.Sqrt(3 * 1600.0), s, 0.005 * s, "weight std = 1/√(3·fan_in)");
        }

        [TestMethod]
        public void PyTorchDefault_DrawsWeightThenBias_FromOneGenerator()
        {
            using var engine = Engine.Create();
            using var w = engine.CreateTensor(8, 3, 3, 3);
            using var b = engine.CreateTensor(8);
            var g = new Generator(99);
            Init.PyTorchDefault(w, b, g);
            var g2 = new Generator(99);
            using var w2 = engine.CreateTensor(8, 3, 3, 3);
            using var b2 = engine.CreateTensor(8);
            Init.KaimingUniform(w2, Math.Sqrt(5), generator: g2);
            Init.Uniform(b2, -1 / Math.Sqrt(27), 1 / Math.Sqrt(27), g2);
            CollectionAssert.AreEqual(w2.ToArray(), w.ToArray());
            CollectionAssert.AreEqual(b2.ToArray(), b.ToArray());
        }

        // ---------------------------------------------------------------- orthogonal

        [TestMethod]
        [DataRow(new[] { 300, 200 })]
        [DataRow(new[] { 64, 16, 3, 3 })]
        [DataRow(new[] { 1, 10 })]
        [DataRow(new[] { 10, 1 })]
        public void Orthogonal_IsSemiOrthogonalTimesGain(int[] shape)
        {
            const double gain = 1.7;
            float[] x = Run(shape, t => Init.Orthogonal(t, gain));
            int rows = shape[0], cols = x.Length / rows;
            bool tall = rows >= cols;
            int k = tall ? cols : rows;
            double worst = 0;
            for (int i = 0; i < k; i++)
                for (int j = 0; j < k; j++)
                {
                    double dot = 0;
                    int len = tall ? rows : cols;
                    for (int r = 0; r < len; r++)
                        dot += tall ? (double)x[r * cols + i] * x[r * cols + j] : (double)x[i * cols + r] * x[j * cols + r];
                    worst = Math.Max(worst, Math.Abs(dot - (i == j ? gain * gain : 0)));
                }
            Assert.IsLessThan(1e-5, worst, $"max |QᵀQ − gain²I| = {worst}");
        }

        [TestMethod]
        public void Orthogonal_IsQOfTheSampledMatrix_WithPositiveRDiagonal()
        {
            // PyTorch: A ~ N(0,1) rows×cols, A = QR, Q *= sign(diag R). Then QᵀA = R is upper triangular with R_ii > 0.
            const int rows = 40, cols = 25;
            using var engine = Engine.Create();
            var g = new Generator(8);
            var a = new float[rows * cols];
            Init.Normal(engine, a, 0, 1, g.Clone());
            var q = new float[rows * cols];
            Init.Orthogonal(engine, q, new[] { rows, cols }, 1.0, g);
            for (int i = 0; i < cols; i++)
                for (int j = 0; j < cols; j++)
                {
                    double r = 0;
                    for (int k = 0; k < rows; k++) r += (double)q[k * cols + i] * a[k * cols + j];
                    if (i > j) Assert.AreEqual(0.0, r, 1e-4, $"R[{i},{j}] below the diagonal");
                    if (i == j) Assert.IsGreaterThan(0.0, r, $"R[{i},{i}] must be positive");
                }
        }

        [TestMethod]
        public void Orthogonal_DiagonalEntries_HaveZeroMean()
        {
            // Without the sign correction, Householder's Q has Q[0,0] < 0 always; Haar-distributed Q has mean 0 everywhere.
            using var engine = Engine.Create(new EngineOptions { Seed = 1 });
            var q = new float[32 * 32];
            double sum = 0;
            int count = 0;
            for (int m = 0; m < 200; m++)
            {
                Init.Orthogonal(engine, q, new[] { 32, 32 });
                for (int i = 0; i < 32; i++) { sum += q[i * 32 + i]; count++; }
            }
            Assert.AreEqual(0.0, sum / count, 5 * Math.Sqrt(1.0 / 32 / count));
        }

        // ---------------------------------------------------------------- sparse

        [TestMethod]
        public void Sparse_ZeroesCeilSparsityRowsPerColumn_RestNormal()
        {
            const int rows = 1000, cols = 200;
            const double sparsity = 0.33, std = 0.05;
            float[] x = Run(new[] { rows, cols }, t => Init.Sparse(t, sparsity, std));
            int zerosPerColumn = (int)Math.Ceiling(sparsity * rows);
            for (int c = 0; c < cols; c++)
            {
                int zeros = 0;
                for (int r = 0; r < rows; r++) if (x[r * cols + c] == 0f) zeros++;
                Assert.AreEqual(zerosPerColumn, zeros, $"column {c}");
            }
            float[] nonZero = x.Where(v => v != 0f).ToArray();
            AssertNormal(nonZero, std, "sparse non-zeros");
            // The zero pattern differs between columns.
            bool[] col0 = Enumerable.Range(0, rows).Select(r => x[r * cols] == 0f).ToArray();
            bool[] col1 = Enumerable.Range(0, rows).Select(r => x[r * cols + 1] == 0f).ToArray();
            Assert.IsFalse(col0.SequenceEqual(col1));
        }

        // ---------------------------------------------------------------- eye, dirac, constants

        [TestMethod]
        [DataRow(3, 5)]
        [DataRow(5, 3)]
        [DataRow(4, 4)]
        public void Eye_PutsOnesOnMainDiagonal(int rows, int cols)
        {
            float[] x = Run(new[] { rows, cols }, t => { Init.Normal(t); Init.Eye(t); });
            for (int r = 0; r < rows; r++)
                for (int c = 0; c < cols; c++)
                    Assert.AreEqual(r == c ? 1f : 0f, x[r * cols + c], $"[{r},{c}]");
        }

        [TestMethod]
        public void Dirac_WithGroups_IsIdentityConvolutionPerGroup()
        {
            // [out=6, in=2, 3, 3] with groups 3: each group of 2 outputs copies its 2 inputs at the centre.
            float[] x = Run(new[] { 6, 2, 3, 3 }, t => { Init.Normal(t); Init.Dirac(t, 3); });
            for (int o = 0; o < 6; o++)
                for (int i = 0; i < 2; i++)
                    for (int k = 0; k < 9; k++)
                    {
                        float expected = (o % 2 == i && k == 4) ? 1f : 0f;
                        Assert.AreEqual(expected, x[(o * 2 + i) * 9 + k], $"[{o},{i},{k / 3},{k % 3}]");
                    }
        }

        [TestMethod]
        public void Dirac_3DAnd5D_CentreTaps()
        {
            float[] x3 = Run(new[] { 2, 3, 5 }, t => Init.Dirac(t));
            CollectionAssert.AreEqual(new[] { 2, 22 }, Enumerable.Range(0, x3.Length).Where(i => x3[i] == 1f).ToArray());
            float[] x5 = Run(new[] { 1, 1, 3, 3, 3 }, t => Init.Dirac(t));
            CollectionAssert.AreEqual(new[] { 13 }, Enumerable.Range(0, x5.Length).Where(i => x5[i] == 1f).ToArray());
        }

        [TestMethod]
        public void ConstantZerosOnes_FillEveryElement()
        {
            Assert.IsTrue(Run(new[] { 300, 700 }, t => Init.Constant(t, 0.25)).All(v => v == 0.25f));
            Assert.IsTrue(Run(new[] { 3, 7 }, t => { Init.Normal(t); Init.Zeros(t); }).All(v => v == 0f));
            Assert.IsTrue(Run(new[] { 3, 7 }, t => Init.Ones(t)).All(v => v == 1f));
        }

        // ---------------------------------------------------------------- zero elements, spans

        [TestMethod]
        public void ZeroElementTensor_IsNoOp_AndDoesNotAdvanceGenerator()
        {
            using var engine = Engine.Create();
            using var t = engine.CreateTensor(0, 5);
            var g = new Generator(1);
            Init.KaimingNormal(t, generator: g);
            Init.XavierUniform(t, generator: g);
            Init.Orthogonal(t, generator: g);
            Init.Normal(t, generator: g);
            Init.TruncatedNormal(t, generator: g);
            Init.Sparse(t, 0.5, generator: g);
            Init.VarianceScaling(t, generator: g);
            Init.Eye(t);
            Assert.AreEqual(0UL, g.Offset);
        }

        [TestMethod]
        public void SpanOverload_EqualsTensorOverload()
        {
            using var engine = Engine.Create();
            using var t = engine.CreateTensor(16, 8, 3, 3);
            Init.KaimingNormal(t, generator: new Generator(4));
            var span = new float[16 * 8 * 9];
            Init.KaimingNormal(engine, span, new[] { 16, 8, 3, 3 }, generator: new Generator(4));
            CollectionAssert.AreEqual(t.ToArray(), span);
        }
    }
}
