using System;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Nn
{
    [TestClass]
    public sealed class LayerBehaviourTests
    {
        private static Engine Cpu() => Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = 3 });

        [TestMethod]
        public void Conv2d_Forward_MatchesDirectConvolution()
        {
            using var e = Cpu();
            var conv = new Conv2d(e, 4, 6, 3, stride: 2, padding: 1, dilation: 1, groups: 2);
            float[] x = GradCheck.Normal(2 * 4 * 7 * 7, 1);
            using Tensor xt = e.CreateTensor(x, 2, 4, 7, 7);
            float[] y = conv.Forward(xt).ToArray();
            float[] w = conv.Weight.Value.ToArray(), b = conv.Bias!.Value.ToArray();
            int p = 4, q = 4;
            for (int n = 0; n < 2; n++)
                for (int k = 0; k < 6; k++)
                    for (int i = 0; i < p; i++)
                        for (int j = 0; j < q; j++)
                        {
                            double acc = b[k];
                            int g = k / 3;
                            for (int c = 0; c < 2; c++)
                                for (int r = 0; r < 3; r++)
                                    for (int s = 0; s < 3; s++)
                                    {
                                        int h = i * 2 - 1 + r, ww = j * 2 - 1 + s;
                                        if (h < 0 || h >= 7 || ww < 0 || ww >= 7) continue;
                                        acc += w[((k * 2 + c) * 3 + r) * 3 + s] * x[((n * 4 + g * 2 + c) * 7 + h) * 7 + ww];
                                    }
                            Assert.AreEqual(acc, y[((n * 6 + k) * p + i) * q + j], 1e-4);
                        }
        }

        [TestMethod]
        public void Layers_PrintTheirStructure()
        {
            using var e = Cpu();
            var model = new Sequential(e, new Conv2d(e, 1, 8, 5, 2, 2), new GeneralReLU(e, 0.1, 0.4, 6.0), new BatchNorm2d(e, 8),
                new MaxPool2d(e, 2), new AdaptiveAvgPool2d(e), new Flatten(e), new Linear(e, 8, 10));
            string text = model.ToString();
            StringAssert.Contains(text, "(0): Conv2d(1→8, k5, s2, p2)");
            StringAssert.Contains(text, "(1): GeneralReLU(leak=0.1, sub=0.4, maxv=6)");
            StringAssert.Contains(text, "(6): Linear(8→10)");
            CollectionAssert.AreEqual(new[] { "0.weight", "0.bias", "2.weight", "2.bias", "6.weight", "6.bias" }, model.NamedParameters().Select(p => p.Name).ToArray());
        }

        [TestMethod]
        public void Layers_DefaultInit_IsPyTorchDefault()
        {
            using var e = Cpu();
            var lin = new Linear(e, 400, 300);
            float[] w = lin.Weight.Value.ToArray();
            float bound = 1f / MathF.Sqrt(400);
            Assert.IsTrue(w.All(v => v >= -bound && v <= bound));
            Assert.AreEqual(1 / Math.Sqrt(3 * 400.0), Support.Dist.Moments(w).Std, 0.01 / Math.Sqrt(400));
        }

        [TestMethod]
        public void BatchNorm_TrainUsesBatchStats_EvalUsesRunningStats()
        {
            using var e = Cpu();
            var bn = new BatchNorm2d(e, 2, momentum: 0.5);
            float[] x = { 1, 2, 3, 4, 10, 20, 30, 40 }; // [1, 2, 2, 2]
            using Tensor xt = e.CreateTensor(x, 1, 2, 2, 2);
            float[] y = bn.Forward(xt).ToArray();
            Assert.AreEqual(0.0, y.Take(4).Average(), 1e-5);
            CollectionAssert.AreEqual(new[] { 1.25f, 12.5f }, bn.RunningMean.ToArray(), "0.5·0 + 0.5·mean");
            float[] rv = bn.RunningVar.ToArray();
            Assert.AreEqual(0.5 + 0.5 * (5.0 / 3.0), rv[0], 1e-5, "unbiased batch variance");
            bn.Eval();
            float[] ye = bn.Forward(xt).ToArray();
            Assert.AreEqual((1 - 1.25) / Math.Sqrt(rv[0] + 1e-5), ye[0], 1e-5);
        }

        [TestMethod]
        public void TrainEval_PropagatesToChildren()
        {
            using var e = Cpu();
            var model = new Sequential(e, new Linear(e, 2, 2), new Sequential(e, new ReLU(e)));
            model.Eval();
            Assert.IsTrue(model.Modules().All(m => !m.IsTraining));
            model.Train();
            Assert.IsTrue(model.Modules().All(m => m.IsTraining));
        }

        [TestMethod]
        public void Sgd_MomentumAndWeightDecay_FollowTorch()
        {
            using var e = Cpu();
            var lin = new Linear(e, 1, 1, bias: false);
            lin.Weight.Value.CopyFrom(new[] { 1f });
            var opt = new Sgd(lin.Parameters(), 0.1, momentum: 0.9, weightDecay: 0.01);
            lin.Weight.Grad.CopyFrom(new[] { 0.5f });
            opt.Step(); // d = 0.5 + 0.01 = 0.51; buf = 0.51; p = 1 − 0.051
            Assert.AreEqual(0.949f, lin.Weight.Value.ToArray()[0], 1e-6f);
            opt.Step(); // d = 0.5 + 0.00949 = 0.50949; buf = 0.9·0.51 + 0.50949 = 0.96849; p = 0.949 − 0.096849
            Assert.AreEqual(0.852151f, lin.Weight.Value.ToArray()[0], 1e-6f);
        }

        [TestMethod]
        public void Backward_BeforeForward_ThrowsNamingLayer()
        {
            using var e = Cpu();
            var lin = new Linear(e, 2, 3);
            using Tensor g = e.CreateTensor(1, 3);
            var ex = Assert.ThrowsExactly<InvalidOperationException>(() => lin.Backward(g));
            StringAssert.Contains(ex.Message, "Linear(2→3)");
        }

        [TestMethod]
        public void Forward_WrongInputShape_ThrowsWithExpectedForm()
        {
            using var e = Cpu();
            var conv = new Conv2d(e, 3, 8, 3);
            using Tensor x = e.CreateTensor(2, 1, 8, 8);
            var ex = Assert.ThrowsExactly<ArgumentException>(() => conv.Forward(x));
            StringAssert.Contains(ex.Message, "expects input [batch, 3, height, width]");
        }

        [TestMethod]
        public void ModelInit_Batched_EqualsTensorByTensor()
        {
            using var e = Cpu();
            Sequential Make() => new Sequential(e, new Conv2d(e, 1, 8, 5, 2, 2), new ReLU(e), new Conv2d(e, 8, 16, 3, 2, 1, groups: 2), new Flatten(e), new Linear(e, 16, 10));
            var a = Make();
            int count = ModelInit.Apply(a, InitScheme.KaimingNormal(), InitScheme.Zeros, new Generator(5));
            Assert.AreEqual(6, count);
            var b = Make();
            var g = new Generator(5);
            Init.KaimingNormal(((Conv2d)b[0]).Weight.Value, generator: g);
            Init.KaimingNormal(((Conv2d)b[2]).Weight.Value, generator: g);
            Init.KaimingNormal(((Linear)b[4]).Weight.Value, generator: g);
            foreach (var ((n1, p1), (_, p2)) in a.NamedParameters().Zip(b.NamedParameters()))
            {
                if (n1.EndsWith("bias", StringComparison.Ordinal)) Assert.IsTrue(p1.Value.ToArray().All(v => v == 0f), n1);
                else CollectionAssert.AreEqual(p2.Value.ToArray(), p1.Value.ToArray(), n1);
            }
        }

        [TestMethod]
        public void ModelInit_LayerAwareFans_UseGroups()
        {
            using var e = Cpu();
            var depthwise = new Sequential(e, new Conv2d(e, 64, 64, 3, groups: 64, bias: false));
            ModelInit.Apply(depthwise, InitScheme.KaimingNormal(mode: FanMode.FanOut, nonlinearity: Nonlinearity.Relu), fanRule: FanRule.LayerAware);
            var (_, std) = Support.Dist.Moments(((Conv2d)depthwise[0]).Weight.Value.ToArray());
            Assert.AreEqual(Math.Sqrt(2.0 / 9), std, 0.05, "fan_out of a depthwise 3×3 is 9");
        }
    }
}
