using System;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Nn
{
    /// <summary>Dropout, Residual and Conv2d with rectangular kernels, strides, paddings and dilations, on the CPU backend.</summary>
    [TestClass]
    public sealed class BlockLayerTests
    {
        private static Engine Cpu(ulong seed = 3) => Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = seed });

        // ------------------------------------------------------------------ Dropout

        [TestMethod]
        public void Dropout_Training_ZeroesAboutPAndScalesTheRest()
        {
            using var e = Cpu();
            const double p = 0.3;
            const int n = 200_000;
            var d = new Dropout(e, p);
            float[] input = Enumerable.Range(0, n).Select(i => 1f + (i % 5)).ToArray();
            using Tensor x = e.CreateTensor(input, 400, 500);
            float[] y = d.Forward(x).ToArray();
            int zeros = 0;
            float scale = (float)(1.0 / (1.0 - p));
            for (int i = 0; i < n; i++)
            {
                if (y[i] == 0f) zeros++;
                else Assert.AreEqual(input[i] * scale, y[i], $"element {i} is kept and scaled by 1/(1 − p)");
            }
            // Binomial(n, p): std √(n·p(1 − p)) ≈ 205; 5 standard deviations.
            Assert.AreEqual(p * n, zeros, 5 * Math.Sqrt(n * p * (1 - p)), "zeroed count");
            Assert.AreEqual(input.Average(), y.Average(), 0.01, "inverted dropout keeps the mean");
        }

        [TestMethod]
        public void Dropout_BackwardUsesTheForwardMask()
        {
            using var e = Cpu();
            var d = new Dropout(e, 0.5);
            float[] input = GradCheck.Normal(1000, 1).Select(v => v + 10f).ToArray(); // no zeros in x
            using Tensor x = e.CreateTensor(input, 10, 100);
            float[] y = d.Forward(x).ToArray();
            float[] g = GradCheck.Normal(1000, 2);
            using Tensor gy = e.CreateTensor(g, 10, 100);
            float[] dx = d.Backward(gy).ToArray();
            for (int i = 0; i < 1000; i++)
                Assert.AreEqual(y[i] == 0f ? 0f : g[i] * 2f, dx[i], $"element {i}");
            // Finite differences with the mask fixed: the mask is drawn afresh each forward, so check the linear map directly.
            Assert.IsTrue(y.Count(v => v == 0f) is > 400 and < 600);
        }

        [TestMethod]
        public void Dropout_EvalAndInferAreTheIdentity_PZeroDrawsNothing()
        {
            using var e = Cpu();
            var d = new Dropout(e, 0.5);
            using Tensor x = e.CreateTensor(GradCheck.Normal(64, 3), 8, 8);
            d.Eval();
            Assert.AreSame(x, d.Forward(x), "evaluation mode returns the input, as torch");
            using Tensor g = e.CreateTensor(GradCheck.Normal(64, 4), 8, 8);
            Assert.AreSame(g, d.Backward(g));
            Assert.AreSame(x, d.Infer(x));
            d.Train();
            ulong before = e.DefaultGenerator.Offset;
            var d0 = new Dropout(e, 0.0);
            CollectionAssert.AreEqual(x.ToArray(), d0.Forward(x).ToArray());
            Assert.AreEqual(before, e.DefaultGenerator.Offset, "p = 0 draws no mask");
            d.Forward(x);
            Assert.AreEqual(before + 16, e.DefaultGenerator.Offset, "64 elements take 16 Philox blocks");
        }

        [TestMethod]
        public void Dropout_SameSeedSameMask()
        {
            using var a = Cpu(42);
            using var b = Cpu(42);
            using Tensor xa = a.CreateTensor(Enumerable.Repeat(1f, 999).ToArray(), 999), xb = b.CreateTensor(Enumerable.Repeat(1f, 999).ToArray(), 999);
            CollectionAssert.AreEqual(new Dropout(a, 0.25).Forward(xa).ToArray(), new Dropout(b, 0.25).Forward(xb).ToArray());
            var g = new Generator(7);
            CollectionAssert.AreNotEqual(new Dropout(a, 0.25).Forward(xa).ToArray(), new Dropout(a, 0.25, g).Forward(xa).ToArray(), "a given generator is used");
        }

        [TestMethod]
        [DataRow(1.0)]
        [DataRow(-0.1)]
        [DataRow(double.NaN)]
        public void Dropout_BadP_Throws(double p)
        {
            using var e = Cpu();
            var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Dropout(e, p));
            Assert.AreEqual("p", ex.ParamName);
            StringAssert.Contains(ex.Message, "Dropout probability p must be in [0, 1)");
        }

        [TestMethod]
        public void Dropout_Describe() 
        {
            using var e = Cpu();
            Assert.AreEqual("Dropout(p=0.5, inplace=False)", new Dropout(e).Describe());
            Assert.AreEqual("Dropout(p=0.1, inplace=False)", new Dropout(e, 0.1).Describe());
        }

        // ------------------------------------------------------------------ Residual

        [TestMethod]
        public void Residual_Identity_ForwardIsXPlusBody_AndGradientsMatch()
        {
            using var e = Cpu();
            var body = new Sequential(e, new Linear(e, 6, 6), new Tanh(e), new Linear(e, 6, 6));
            var block = new Residual(e, body);
            float[] input = GradCheck.Normal(4 * 6, 5);
            using Tensor x = e.CreateTensor(input, 4, 6);
            float[] fx = body.Forward(x).ToArray();
            float[] y = block.Forward(x).ToArray();
            for (int i = 0; i < y.Length; i++) Assert.AreEqual(fx[i] + input[i], y[i], $"y[{i}] = f(x) + x");
            GradCheck.Check(e, block, input, new[] { 4, 6 }, h: 1e-2);
        }

        [TestMethod]
        public void Residual_WithProjection_GradientsMatch_AndNames()
        {
            using var e = Cpu();
            var body = new Sequential(e, new Conv2d(e, 2, 4, 3, stride: 2, padding: 1), new GELU(e), new Conv2d(e, 4, 4, 3, padding: 1));
            var block = new Residual(e, body, new Conv2d(e, 2, 4, 1, stride: 2, bias: false));
            GradCheck.Check(e, block, GradCheck.Normal(2 * 2 * 6 * 6, 6), new[] { 2, 2, 6, 6 }, h: 1e-2, samples: 16);
            CollectionAssert.AreEqual(new[] { "body.0.weight", "body.0.bias", "body.2.weight", "body.2.bias", "projection.weight" },
                block.NamedParameters().Select(p => p.Name).ToArray());
            Assert.AreEqual(
                "Residual(y = body(x) + projection(x)) (\n  (body): Sequential (\n    (0): Conv2d(2→4, k3, s2, p1)\n    (1): GELU(approximate='none')\n    (2): Conv2d(4→4, k3, p1)\n  )\n  (projection): Conv2d(2→4, k1, s2, no bias)\n)",
                block.ToString().Replace("\r\n", "\n"));
        }

        [TestMethod]
        public void Residual_InferEqualsForwardInEval()
        {
            using var e = Cpu();
            var block = new Residual(e, new Sequential(e, new Conv2d(e, 3, 3, 3, padding: 1), new BatchNorm2d(e, 3), new SiLU(e)));
            block.Eval();
            using Tensor x = e.CreateTensor(GradCheck.Normal(2 * 3 * 5 * 5, 8), 2, 3, 5, 5);
            CollectionAssert.AreEqual(block.Forward(x).ToArray(), block.Infer(x).ToArray());
        }

        [TestMethod]
        public void Infer_NewLayers_AllocateNothingPerCall_AndMatchForward()
        {
            using var e = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = 3, ThreadCount = 2 });
            var model = new Sequential(e, new Linear(e, 16, 32), new GELU(e),
                new Residual(e, new Sequential(e, new Linear(e, 32, 32), new SiLU(e), new Linear(e, 32, 32), new Tanh(e))),
                new Dropout(e, 0.5), new Residual(e, new Sequential(e, new Linear(e, 32, 8), new ELU(e)), new Linear(e, 32, 8, bias: false)),
                new Softplus(e), new SELU(e), new Sigmoid(e));
            model.Eval();
            using Tensor x = e.CreateTensor(GradCheck.Normal(64 * 16, 4), 64, 16);
            CollectionAssert.AreEqual(model.Forward(x).ToArray(), model.Infer(x).ToArray(), "Infer gives Forward's bits in evaluation mode");
            for (int i = 0; i < 20; i++) model.Infer(x);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 50; i++) model.Infer(x);
            Assert.AreEqual(0L, GC.GetAllocatedBytesForCurrentThread() - before, "managed bytes allocated by 50 steady-state Infer calls");
        }

        [TestMethod]
        public void Residual_ShapeMismatch_SaysToAddAProjection()
        {
            using var e = Cpu();
            var block = new Residual(e, new Linear(e, 4, 3));
            using Tensor x = e.CreateTensor(new float[8], 2, 4);
            var ex = Assert.ThrowsExactly<ArgumentException>(() => block.Forward(x));
            Assert.AreEqual("input", ex.ParamName);
            StringAssert.Contains(ex.Message, "the body's output has shape [2, 3] but the shortcut's has [2, 4]; give a projection");
            Assert.ThrowsExactly<ArgumentNullException>(() => new Residual(e, null!));
            var lin = new Linear(e, 4, 4);
            Assert.AreEqual("projection", Assert.ThrowsExactly<ArgumentException>(() => new Residual(e, lin, lin)).ParamName);
            // Still usable after the error.
            var ok = new Residual(e, new Linear(e, 4, 3), new Linear(e, 4, 3, bias: false));
            Assert.AreEqual(6, ok.Forward(x).Length);
        }

        // ------------------------------------------------------------------ Conv2d with (kh, kw) pairs

        /// <summary>Direct convolution in double (groups 1), torch's definition.</summary>
        private static float[] Direct(float[] x, float[] w, float[] b, int n, int c, int h, int wd, int k, int r, int s, (int, int) st, (int, int) pad, (int, int) dil)
        {
            int p = (h + 2 * pad.Item1 - dil.Item1 * (r - 1) - 1) / st.Item1 + 1, q = (wd + 2 * pad.Item2 - dil.Item2 * (s - 1) - 1) / st.Item2 + 1;
            var y = new float[n * k * p * q];
            for (int ni = 0; ni < n; ni++)
            for (int ki = 0; ki < k; ki++)
            for (int pi = 0; pi < p; pi++)
            for (int qi = 0; qi < q; qi++)
            {
                double acc = b[ki];
                for (int ci = 0; ci < c; ci++)
                for (int ri = 0; ri < r; ri++)
                for (int si = 0; si < s; si++)
                {
                    int hi = pi * st.Item1 - pad.Item1 + ri * dil.Item1, wi = qi * st.Item2 - pad.Item2 + si * dil.Item2;
                    if (hi < 0 || hi >= h || wi < 0 || wi >= wd) continue;
                    acc += (double)x[((ni * c + ci) * h + hi) * wd + wi] * w[((ki * c + ci) * r + ri) * s + si];
                }
                y[((ni * k + ki) * p + pi) * q + qi] = (float)acc;
            }
            return y;
        }

        [TestMethod]
        [DataRow(2, 3, 1, 2, 1, 0, 1, 1)]
        [DataRow(3, 1, 2, 1, 0, 2, 2, 1)]
        [DataRow(1, 5, 1, 3, 0, 2, 1, 2)]
        public void Conv2d_RectangularGeometry_MatchesDirectConvolutionAndGradients(int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw)
        {
            using var e = Cpu();
            var conv = new Conv2d(e, 3, 4, (kh, kw), stride: (sh, sw), padding: (ph, pw), dilation: (dh, dw));
            Assert.AreEqual(new Size2d(kh, kw), conv.KernelSize);
            CollectionAssert.AreEqual(new[] { 4, 3, kh, kw }, conv.Weight.Value.ShapeArray);
            Assert.AreEqual((double)(3 * kh * kw), conv.Fans.FanIn, "fan_in = in·kh·kw");
            Assert.AreEqual((double)(4 * kh * kw), conv.Fans.FanOut, "fan_out = out·kh·kw");
            float[] input = GradCheck.Normal(2 * 3 * 9 * 11, 3);
            using Tensor x = e.CreateTensor(input, 2, 3, 9, 11);
            Tensor y = conv.Forward(x);
            float[] expected = Direct(input, conv.Weight.Value.ToArray(), conv.Bias!.Value.ToArray(), 2, 3, 9, 11, 4, kh, kw, (sh, sw), (ph, pw), (dh, dw));
            int p = (9 + 2 * ph - dh * (kh - 1) - 1) / sh + 1, q = (11 + 2 * pw - dw * (kw - 1) - 1) / sw + 1;
            CollectionAssert.AreEqual(new[] { 2, 4, p, q }, y.ShapeArray, "torch's output size per direction");
            float[] actual = y.ToArray();
            for (int i = 0; i < expected.Length; i++) Assert.AreEqual(expected[i], actual[i], 1e-4, $"y[{i}]");
            GradCheck.Check(e, conv, input, new[] { 2, 3, 9, 11 }, h: 1e-2, samples: 12);
        }

        [TestMethod]
        public void Conv2d_SquareIntsAndPairsAgree_AndDescribe()
        {
            using var e = Cpu();
            Assert.AreEqual("Conv2d(1→8, k5, s2, p2)", new Conv2d(e, 1, 8, 5, 2, 2).Describe());
            Assert.AreEqual("Conv2d(1→8, k5, s2, p2)", new Conv2d(e, 1, 8, (5, 5), (2, 2), (2, 2)).Describe());
            Assert.AreEqual("Conv2d(2→4, k3x5, s1x2, p1x2, d2x1)", new Conv2d(e, 2, 4, (3, 5), (1, 2), (1, 2), (2, 1)).Describe());
            Assert.AreEqual("(3, 5)", new Size2d(3, 5).ToString());
        }

        [TestMethod]
        public void Conv2d_BadPairs_ThrowNamingArgumentAndSide()
        {
            using var e = Cpu();
            var ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Conv2d(e, 1, 2, (3, 0)));
            Assert.AreEqual("kernelSize", ex.ParamName);
            StringAssert.Contains(ex.Message, "kernel_size must be ≥ 1 in both directions (an int, or a (height, width) tuple), got height 3, width 0");
            ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Conv2d(e, 1, 2, 3, stride: (1, 0)));
            Assert.AreEqual("stride", ex.ParamName);
            ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Conv2d(e, 1, 2, 3, padding: (-1, 0)));
            Assert.AreEqual("padding", ex.ParamName);
            StringAssert.Contains(ex.Message, "padding must be ≥ 0 in both directions");
            ex = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Conv2d(e, 1, 2, 3, dilation: 0));
            Assert.AreEqual("dilation", ex.ParamName);
        }
    }
}
