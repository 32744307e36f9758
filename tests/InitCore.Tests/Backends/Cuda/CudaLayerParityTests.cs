using System;
using System.Linq;
using InitCore.Tests.Nn;
using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Backends
{
    /// <summary>
    /// Every layer and loss forward and backward on CUDA against the CPU backend with the same weights and
    /// inputs. Tolerance (docs/cuda.md): |cuda − cpu| ≤ 1e-4·max|cpu| + 1e-5 (float32, TF32 off; cuBLAS and
    /// cuDNN sum in a different order than the CPU GEMM).
    /// </summary>
    [TestClass]
    public sealed class CudaLayerParityTests : BackendFixture
    {
        protected override BackendKind Kind => BackendKind.Cuda;

        private static void Close(float[] expected, float[] actual, string what)
        {
            Assert.AreEqual(expected.Length, actual.Length, what);
            double scale = expected.Length == 0 ? 0 : expected.Max(v => Math.Abs((double)v));
            for (int i = 0; i < expected.Length; i++)
                Assert.AreEqual(expected[i], actual[i], 1e-4 * scale + 1e-5, $"{what}[{i}]");
        }

        private void Parity(Func<Engine, Module> make, int[] inputShape)
        {
            using Engine gpu = NewEngine(1);
            using Engine cpu = CpuEngine(1);
            Module mg = make(gpu), mc = make(cpu);
            foreach (var ((name, pg), (_, pc)) in mg.NamedParameters().Zip(mc.NamedParameters()))
                pg.Value.CopyFrom(pc.Value.ToArray());
            int n = inputShape.Aggregate(1, (a, b) => a * b);
            float[] x = GradCheck.Normal(n, 3);
            using Tensor xg = gpu.CreateTensor(x, inputShape), xc = cpu.CreateTensor(x, inputShape);
            Tensor yg = mg.Forward(xg), yc = mc.Forward(xc);
            Close(yc.ToArray(), yg.ToArray(), $"{mc.Describe()} forward");
            float[] r = GradCheck.Normal((int)yc.Length, 4);
            using Tensor rg = gpu.CreateTensor(r, yc.ShapeArray), rc = cpu.CreateTensor(r, yc.ShapeArray);
            Close(mc.Backward(rc).ToArray(), mg.Backward(rg).ToArray(), $"{mc.Describe()} input gradient");
            foreach (var ((name, pg), (_, pc)) in mg.NamedParameters().Zip(mc.NamedParameters()))
                Close(pc.Grad.ToArray(), pg.Grad.ToArray(), $"{mc.Describe()} {name} gradient");
        }

        [TestMethod]
        public void Linear_MatchesCpu() => Parity(e => new Linear(e, 37, 19), new[] { 64, 37 });

        [TestMethod]
        [DataRow(1, 0, 1, 1)]
        [DataRow(2, 1, 1, 1)]
        [DataRow(1, 2, 2, 1)]
        [DataRow(2, 1, 1, 4)]
        public void Conv2d_MatchesCpu(int stride, int padding, int dilation, int groups)
            => Parity(e => new Conv2d(e, 8, 16, 3, stride, padding, dilation, groups), new[] { 4, 8, 15, 15 });

        [TestMethod]
        public void ActivationsPoolingBatchNorm_MatchCpu()
        {
            Parity(e => new GeneralReLU(e, 0.1, 0.4, 2.0), new[] { 4, 3, 9, 9 });
            Parity(e => new MaxPool2d(e, 3, 2, 1), new[] { 4, 3, 9, 9 });
            Parity(e => new AdaptiveAvgPool2d(e), new[] { 4, 3, 9, 9 });
            Parity(e => new BatchNorm2d(e, 3), new[] { 4, 3, 9, 9 });
        }

        /// <summary>The smooth activations: CUDA's float tanhf/expf/erff/expm1f/log1pf against the CPU twins' double formulas
        /// rounded once, within the fixture's tolerance (a few ulp in practice); NaN in the same places.</summary>
        [TestMethod]
        public void SmoothActivations_MatchCpu()
        {
            Parity(e => new Tanh(e), new[] { 4, 3, 9, 9 });
            Parity(e => new Sigmoid(e), new[] { 4, 3, 9, 9 });
            Parity(e => new GELU(e), new[] { 4, 3, 9, 9 });
            Parity(e => new SiLU(e), new[] { 4, 3, 9, 9 });
            Parity(e => new ELU(e, 0.7), new[] { 4, 3, 9, 9 });
            Parity(e => new SELU(e), new[] { 4, 3, 9, 9 });
            Parity(e => new Softplus(e, 2.0, 1.0), new[] { 4, 3, 9, 9 }); // threshold 1 so both regions occur
            using Engine gpu = NewEngine(1);
            using Engine cpu = CpuEngine(1);
            float[] x = { float.NaN, -1f, 0f, 1f, float.NaN, 40f, -40f };
            foreach (var (mg, mc) in ActivationLayerTests.All(gpu).Zip(ActivationLayerTests.All(cpu)))
            {
                using Tensor xg = gpu.CreateTensor(x, 7), xc = cpu.CreateTensor(x, 7);
                float[] yg = mg.Forward(xg).ToArray(), yc = mc.Forward(xc).ToArray();
                using Tensor og = gpu.CreateTensor(Enumerable.Repeat(1f, 7).ToArray(), 7), oc = cpu.CreateTensor(Enumerable.Repeat(1f, 7).ToArray(), 7);
                float[] dg = mg.Backward(og).ToArray(), dc = mc.Backward(oc).ToArray();
                for (int i = 0; i < x.Length; i++)
                {
                    Assert.AreEqual(float.IsNaN(yc[i]), float.IsNaN(yg[i]), $"{mc.Describe()} forward NaN at {i}");
                    Assert.AreEqual(float.IsNaN(dc[i]), float.IsNaN(dg[i]), $"{mc.Describe()} backward NaN at {i}");
                    if (!float.IsNaN(yc[i])) Assert.AreEqual(yc[i], yg[i], 1e-5 * Math.Abs(yc[i]) + 1e-6, $"{mc.Describe()} forward at x = {x[i]}");
                    if (!float.IsNaN(dc[i])) Assert.AreEqual(dc[i], dg[i], 1e-5 * Math.Abs(dc[i]) + 1e-6, $"{mc.Describe()} backward at x = {x[i]}");
                }
            }
        }

        /// <summary>Dropout: the Philox fill and the mask kernel are bit-identical, so the same seed drops the same units and scales them identically.</summary>
        [TestMethod]
        public void Dropout_MatchesCpuBitForBit()
        {
            using Engine gpu = NewEngine(9);
            using Engine cpu = CpuEngine(9);
            float[] x = GradCheck.Normal(4 * 3 * 9 * 9, 3);
            Module dg = new Dropout(gpu, 0.3), dc = new Dropout(cpu, 0.3);
            using Tensor xg = gpu.CreateTensor(x, 4, 3, 9, 9), xc = cpu.CreateTensor(x, 4, 3, 9, 9);
            for (int pass = 0; pass < 2; pass++)
            {
                CollectionAssert.AreEqual(dc.Forward(xc).ToArray(), dg.Forward(xg).ToArray(), $"forward, pass {pass}");
                float[] r = GradCheck.Normal(x.Length, 4 + pass);
                using Tensor rg = gpu.CreateTensor(r, 4, 3, 9, 9), rc = cpu.CreateTensor(r, 4, 3, 9, 9);
                CollectionAssert.AreEqual(dc.Backward(rc).ToArray(), dg.Backward(rg).ToArray(), $"backward, pass {pass}");
            }
            Assert.AreEqual(cpu.DefaultGenerator.Offset, gpu.DefaultGenerator.Offset, "both generators advanced alike");
        }

        [TestMethod]
        [DataRow(3, 5, 1, 2, 1, 2, 1, 1)]
        [DataRow(1, 3, 2, 1, 0, 1, 1, 2)]
        public void Conv2d_Rectangular_MatchesCpu(int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw)
            => Parity(e => new Conv2d(e, 8, 16, (kh, kw), (sh, sw), (ph, pw), (dh, dw)), new[] { 4, 8, 15, 15 });

        [TestMethod]
        public void Residual_MatchesCpu()
        {
            Parity(e => new Residual(e, new Sequential(e, new Conv2d(e, 4, 4, 3, padding: 1), new BatchNorm2d(e, 4), new GELU(e), new Conv2d(e, 4, 4, 3, padding: 1))),
                new[] { 4, 4, 9, 9 });
            Parity(e => new Residual(e, new Sequential(e, new Conv2d(e, 4, 8, 3, stride: 2, padding: 1), new SiLU(e)), new Conv2d(e, 4, 8, 1, stride: 2, bias: false)),
                new[] { 4, 4, 9, 9 });
        }

        [TestMethod]
        public void LessonCnn_MatchesCpu()
            => Parity(e => LessonModels.Cnn(e), new[] { 16, 1, 28, 28 });

        [TestMethod]
        public void Losses_MatchCpu()
        {
            using Engine gpu = NewEngine();
            using Engine cpu = CpuEngine();
            float[] z = GradCheck.Normal(32 * 10, 5);
            float[] labels = Enumerable.Range(0, 32).Select(i => (float)(i % 10)).ToArray();
            using Tensor zg = gpu.CreateTensor(z, 32, 10), zc = cpu.CreateTensor(z, 32, 10);
            using Tensor lg = gpu.CreateTensor(labels, 32), lc = cpu.CreateTensor(labels, 32);
            var ceg = new CrossEntropyLoss();
            var cec = new CrossEntropyLoss();
            Assert.AreEqual(cec.Forward(zc, lc), ceg.Forward(zg, lg), 1e-6);
            Assert.AreEqual(cec.LastCorrect, ceg.LastCorrect);
            Close(cec.Backward().ToArray(), ceg.Backward().ToArray(), "cross-entropy gradient");
            var mg = new MseLoss();
            var mc = new MseLoss();
            using Tensor tg = gpu.CreateTensor(z.Reverse().ToArray(), 32, 10), tc = cpu.CreateTensor(z.Reverse().ToArray(), 32, 10);
            Assert.AreEqual(mc.Forward(zc, tc), mg.Forward(zg, tg), 1e-5);
            Close(mc.Backward().ToArray(), mg.Backward().ToArray(), "mse gradient");
        }

        [TestMethod]
        public void Sgd_MatchesCpu()
        {
            using Engine gpu = NewEngine();
            using Engine cpu = CpuEngine();
            var lg = new Linear(gpu, 5, 3);
            var lc = new Linear(cpu, 5, 3);
            foreach (var (pg, pc) in lg.Parameters().Zip(lc.Parameters()))
            {
                pg.Value.CopyFrom(pc.Value.ToArray());
                float[] g = GradCheck.Normal((int)pc.Value.Length, 9);
                pg.Grad.CopyFrom(g);
                pc.Grad.CopyFrom(g);
            }
            var og = new Sgd(lg.Parameters(), 0.1, 0.9, 1e-2);
            var oc = new Sgd(lc.Parameters(), 0.1, 0.9, 1e-2);
            for (int i = 0; i < 3; i++) { og.Step(); oc.Step(); }
            foreach (var (pg, pc) in lg.Parameters().Zip(lc.Parameters()))
                CollectionAssert.AreEqual(pc.Value.ToArray(), pg.Value.ToArray(), "the SGD kernel performs the CPU's float operations");
        }
    }
}
