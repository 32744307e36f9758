using System;
using System.Linq;
using InitCore.Nn;
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
