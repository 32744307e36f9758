using System;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Nn
{
    [TestClass]
    public sealed class LayerGradientTests
    {
        private static Engine Cpu() => Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = 3 });

        [TestMethod]
        public void Linear_GradientsMatchFiniteDifferences()
        {
            using var e = Cpu();
            GradCheck.Check(e, new Linear(e, 7, 5), GradCheck.Normal(4 * 7, 1), new[] { 4, 7 });
        }

        [TestMethod]
        [DataRow(1, 0, 1, 1)]
        [DataRow(2, 1, 1, 1)]
        [DataRow(2, 2, 2, 1)]
        [DataRow(1, 1, 1, 2)]
        public void Conv2d_GradientsMatchFiniteDifferences(int stride, int padding, int dilation, int groups)
        {
            using var e = Cpu();
            var conv = new Conv2d(e, 4, 6, 3, stride, padding, dilation, groups);
            GradCheck.Check(e, conv, GradCheck.Normal(2 * 4 * 7 * 7, 2), new[] { 2, 4, 7, 7 });
        }

        [TestMethod]
        public void Activations_GradientsMatchFiniteDifferences()
        {
            using var e = Cpu();
            float[] x = GradCheck.Normal(60, 3).Select(v => MathF.Abs(v) < 0.05f ? v + 0.2f : v).ToArray(); // keep away from the kink
            GradCheck.Check(e, new ReLU(e), x, new[] { 6, 10 }, h: 1e-3);
            GradCheck.Check(e, new LeakyReLU(e, 0.1), x, new[] { 6, 10 }, h: 1e-3);
            GradCheck.Check(e, new GeneralReLU(e, 0.1, 0.4, 1.2), x.Select(v => MathF.Abs(v - 1.6f) < 0.05f ? v + 0.2f : v).ToArray(), new[] { 6, 10 }, h: 1e-3);
        }

        [TestMethod]
        public void MaxPool2d_GradientsMatchFiniteDifferences()
        {
            using var e = Cpu();
            // Distinct values 0.1 apart, shuffled, so a small step never changes the argmax.
            var rng = new Random(4);
            float[] x = Enumerable.Range(0, 2 * 3 * 6 * 6).Select(i => i * 0.1f).OrderBy(_ => rng.Next()).ToArray();
            GradCheck.Check(e, new MaxPool2d(e, 2), x, new[] { 2, 3, 6, 6 }, h: 1e-3);
            GradCheck.Check(e, new MaxPool2d(e, 3, 2, 1), x, new[] { 2, 3, 6, 6 }, h: 1e-3);
        }

        [TestMethod]
        public void AvgPoolFlattenBatchNorm_GradientsMatchFiniteDifferences()
        {
            using var e = Cpu();
            GradCheck.Check(e, new AdaptiveAvgPool2d(e), GradCheck.Normal(2 * 3 * 4 * 4, 5), new[] { 2, 3, 4, 4 });
            GradCheck.Check(e, new Flatten(e), GradCheck.Normal(2 * 3 * 4 * 4, 5), new[] { 2, 3, 4, 4 });
            var bn = new BatchNorm2d(e, 3);
            Init.Uniform(bn.Weight.Value, 0.5, 1.5);
            Init.Uniform(bn.Bias.Value, -0.5, 0.5);
            GradCheck.Check(e, bn, GradCheck.Normal(4 * 3 * 3 * 3, 6), new[] { 4, 3, 3, 3 }, h: 1e-2);
        }

        [TestMethod]
        public void Sequential_GradientsMatchFiniteDifferences()
        {
            using var e = Cpu();
            var model = new Sequential(e, new Conv2d(e, 1, 4, 3, 2, 1), new GeneralReLU(e, 0.1, 0.4), new Conv2d(e, 4, 8, 3, 2, 1),
                new ReLU(e), new AdaptiveAvgPool2d(e), new Flatten(e), new Linear(e, 8, 3));
            GradCheck.Check(e, model, GradCheck.Normal(3 * 1 * 8 * 8, 7), new[] { 3, 1, 8, 8 }, h: 5e-3, samples: 12);
        }

        [TestMethod]
        public void Losses_GradientsMatchFiniteDifferences()
        {
            using var e = Cpu();
            float[] z = GradCheck.Normal(5 * 4, 8);
            float[] labels = { 0, 3, 1, 1, 2 };
            float[] t = GradCheck.Normal(5 * 4, 9);
            foreach (Loss loss in new Loss[] { new CrossEntropyLoss(), new MseLoss() })
            {
                using Tensor target = loss is CrossEntropyLoss ? e.CreateTensor(labels, 5) : e.CreateTensor(t, 5, 4);
                using Tensor zt = e.CreateTensor(z, 5, 4);
                loss.Forward(zt, target);
                float[] g = loss.Backward().ToArray();
                for (int i = 0; i < z.Length; i++)
                {
                    float[] zp = (float[])z.Clone(), zm = (float[])z.Clone();
                    zp[i] += 1e-2f;
                    zm[i] -= 1e-2f;
                    using Tensor a = e.CreateTensor(zp, 5, 4), b = e.CreateTensor(zm, 5, 4);
                    double numeric = (loss.Forward(a, target) - loss.Forward(b, target)) / 2e-2;
                    Assert.AreEqual(numeric, g[i], 1e-3, $"{loss}: d/dz[{i}]");
                }
            }
        }

        [TestMethod]
        public void CrossEntropy_LargeLogits_StayFinite()
        {
            using var e = Cpu();
            using Tensor z = e.CreateTensor(new[] { 1000f, -1000f, 0f, 999f }, 2, 2);
            using Tensor y = e.CreateTensor(new[] { 1f, 0f }, 2);
            double l = new CrossEntropyLoss().Forward(z, y);
            Assert.AreEqual((2000 + 999) / 2.0, l, 1e-3, "log-softmax is max-shifted");
        }
    }
}
