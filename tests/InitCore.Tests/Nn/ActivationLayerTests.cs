using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Nn
{
    /// <summary>
    /// The smooth activations (Tanh, Sigmoid, GELU, SiLU, ELU, SELU, Softplus) on the CPU backend: forward and backward
    /// against torch 1.13's float32 values (embedded below, from torch.nn.&lt;Layer&gt; and autograd on the inputs
    /// <see cref="Xs"/>), finite-difference gradients, NaN propagation, gains, printed names and argument errors.
    /// </summary>
    [TestClass]
    public sealed class ActivationLayerTests
    {
        private static Engine Cpu() => Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = 3 });

        private static readonly float[] Xs = { -30f, -8f, -2.5f, -1f, -0.3f, -1e-3f, 0f, 1e-3f, 0.3f, 1f, 2.5f, 8f, 30f };

        // torch.nn.Tanh(), Sigmoid(), GELU(), SiLU(), ELU(0.7), SELU(), Softplus(2.0, 10.0): y and dy/dx at Xs (float32).
        private static readonly Dictionary<string, (float[] Y, float[] Dx)> Torch = new Dictionary<string, (float[], float[])>
        {
            ["Tanh"] = (new[] { -1.0f, -0.9999997615814209f, -0.9866142868995667f, -0.7615941762924194f, -0.29131263494491577f, -0.0009999996982514858f, 0.0f, 0.0009999996982514858f, 0.29131263494491577f, 0.7615941762924194f, 0.9866142868995667f, 0.9999997615814209f, 1.0f }, new[] { 0.0f, 4.7683710135970614e-07f, 0.026592249050736427f, 0.41997429728507996f, 0.9151369333267212f, 0.9999989867210388f, 1.0f, 0.9999989867210388f, 0.9151369333267212f, 0.41997429728507996f, 0.026592249050736427f, 4.7683710135970614e-07f, 0.0f }),
            ["Sigmoid"] = (new[] { 9.357623589846195e-14f, 0.00033535013790242374f, 0.07585817575454712f, 0.2689414322376251f, 0.4255574941635132f, 0.499750018119812f, 0.5f, 0.500249981880188f, 0.5744425058364868f, 0.7310585975646973f, 0.9241418242454529f, 0.9996646642684937f, 1.0f }, new[] { 9.357623589846195e-14f, 0.0003352376807015389f, 0.0701037123799324f, 0.1966119408607483f, 0.24445831775665283f, 0.24999994039535522f, 0.25f, 0.24999994039535522f, 0.24445831775665283f, 0.1966119259595871f, 0.0701037123799324f, 0.00033522327430546284f, 0.0f }),
            ["GELU"] = (new[] { 0.0f, 0.0f, -0.015524178743362427f, -0.1586552858352661f, -0.11462658643722534f, -0.0004996011266484857f, 0.0f, 0.0005003989208489656f, 0.1853734254837036f, 0.8413447141647339f, 2.48447585105896f, 8.0f, 30.0f }, new[] { 0.0f, 0.0f, -0.03761106729507446f, -0.08331543207168579f, 0.26767227053642273f, 0.4992021918296814f, 0.5f, 0.5007978081703186f, 0.7323277592658997f, 1.083315372467041f, 1.0376110076904297f, 1.0f, 1.0f }),
            ["SiLU"] = (new[] { -2.807286954981114e-12f, -0.00268280110321939f, -0.189645454287529f, -0.2689414322376251f, -0.12766724824905396f, -0.0004997500218451023f, 0.0f, 0.000500250025652349f, 0.172332763671875f, 0.7310585975646973f, 2.310354471206665f, 7.997317314147949f, 30.0f }, new[] { -2.7137107665164972e-12f, -0.002346551278606057f, -0.09940110892057419f, 0.07232948392629623f, 0.35221999883651733f, 0.49950000643730164f, 0.5f, 0.500499963760376f, 0.6477800607681274f, 0.9276705384254456f, 1.0994011163711548f, 1.002346396446228f, 1.0f }),
            ["ELU"] = (new[] { -0.699999988079071f, -0.699765145778656f, -0.642540454864502f, -0.44248437881469727f, -0.1814272552728653f, -0.0006996571901254356f, 0.0f, 0.0010000000474974513f, 0.30000001192092896f, 1.0f, 2.5f, 8.0f, 30.0f }, new[] { 6.550336174079158e-14f, 0.00023482383403461426f, 0.057459499686956406f, 0.2575156092643738f, 0.5185727477073669f, 0.6993003487586975f, 0.699999988079071f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f, 1.0f }),
            ["SELU"] = (new[] { -1.7580993175506592f, -1.7575095891952515f, -1.613785743713379f, -1.1113307476043701f, -0.4556673467159271f, -0.0017572384094819427f, 0.0f, 0.0010507010156288743f, 0.3152103126049042f, 1.0507010221481323f, 2.6267526149749756f, 8.405608177185059f, 31.52103042602539f }, new[] { 1.6451630910439136e-13f, 0.0005897766095586121f, 0.14431357383728027f, 0.6467686295509338f, 1.3024319410324097f, 1.7563420534133911f, 1.7580993175506592f, 1.0507010221481323f, 1.0507010221481323f, 1.0507010221481323f, 1.0507010221481323f, 1.0507010221481323f, 1.0507010221481323f }),
            ["Softplus"] = (new[] { 4.37825544636038e-27f, 5.626758436960699e-08f, 0.003357674228027463f, 0.06346400082111359f, 0.2187439650297165f, 0.34607383608818054f, 0.3465735912322998f, 0.34707385301589966f, 0.5187439918518066f, 1.0634640455245972f, 2.5033576488494873f, 8.0f, 30.0f }, new[] { 8.75651089272076e-27f, 1.1253516163378663e-07f, 0.006692850962281227f, 0.11920291930437088f, 0.3543436825275421f, 0.49949997663497925f, 0.5f, 0.5005000233650208f, 0.6456563472747803f, 0.8807970881462097f, 0.9933071732521057f, 1.0f, 1.0f }),
        };

        internal static IEnumerable<ActivationModule> All(Engine e) => new ActivationModule[]
        {
            new Tanh(e), new Sigmoid(e), new GELU(e), new SiLU(e), new ELU(e, 0.7), new SELU(e), new Softplus(e, 2.0, 10.0),
        };

        private static string Key(Module m) => m.GetType().Name;

        [TestMethod]
        public void ForwardAndBackward_MatchTorch()
        {
            using var e = Cpu();
            foreach (ActivationModule m in All(e))
            {
                var (ty, tdx) = Torch[Key(m)];
                using Tensor x = e.CreateTensor(Xs, 1, Xs.Length);
                float[] y = m.Forward(x).ToArray();
                using Tensor ones = e.CreateTensor(Enumerable.Repeat(1f, Xs.Length).ToArray(), 1, Xs.Length);
                float[] dx = m.Backward(ones).ToArray();
                for (int i = 0; i < Xs.Length; i++)
                {
                    // torch's float32 kernels are within a few ulp of the correctly rounded values the CPU twins give.
                    Assert.AreEqual(ty[i], y[i], 2e-6 * Math.Abs(ty[i]) + 2e-7, $"{m.Describe()} forward at x = {Xs[i]}");
                    Assert.AreEqual(tdx[i], dx[i], 2e-6 * Math.Abs(tdx[i]) + 2e-7, $"{m.Describe()} backward at x = {Xs[i]}");
                }
            }
        }

        [TestMethod]
        public void NaN_Propagates()
        {
            using var e = Cpu();
            foreach (ActivationModule m in All(e))
            {
                // Forty elements so the CPU's SIMD and scalar paths both see a NaN.
                float[] input = Enumerable.Range(0, 40).Select(i => i % 7 == 3 ? float.NaN : (i - 20) * 0.25f).ToArray();
                using Tensor x = e.CreateTensor(input, 4, 10);
                float[] y = m.Forward(x).ToArray();
                using Tensor ones = e.CreateTensor(Enumerable.Repeat(1f, 40).ToArray(), 4, 10);
                float[] dx = m.Backward(ones).ToArray();
                for (int i = 0; i < 40; i++)
                {
                    Assert.AreEqual(float.IsNaN(input[i]), float.IsNaN(y[i]), $"{m.Describe()} forward at {i} (x = {input[i]})");
                    Assert.AreEqual(float.IsNaN(input[i]), float.IsNaN(dx[i]), $"{m.Describe()} backward at {i} (x = {input[i]})");
                }
            }
        }

        [TestMethod]
        public void Gradients_MatchFiniteDifferences()
        {
            using var e = Cpu();
            float[] x = GradCheck.Normal(60, 11).Select(v => 2 * v).ToArray();
            foreach (ActivationModule m in All(e)) GradCheck.Check(e, m, x, new[] { 6, 10 }, h: 1e-3, samples: 40);
            // Softplus across its threshold: β·x > threshold is the identity (kept 0.05 away from the switch).
            float[] wide = x.Select(v => 4 * v).Select(v => Math.Abs(v * 2 - 10) < 0.1f ? v + 0.2f : v).ToArray();
            GradCheck.Check(e, new Softplus(e, 2.0, 10.0), wide, new[] { 6, 10 }, h: 1e-3, samples: 40);
        }

        [TestMethod]
        public void Gains_AreTorchsOrTheMeasuredValue()
        {
            using var e = Cpu();
            Assert.AreEqual(5.0 / 3.0, new Tanh(e).RecommendedGain);
            Assert.AreEqual(1.0, new Sigmoid(e).RecommendedGain);
            Assert.AreEqual(0.75, new SELU(e).RecommendedGain);
            Assert.AreEqual(Math.Sqrt(2.0), new ReLU(e).RecommendedGain);
            Assert.AreEqual(Gain.Calculate("leaky_relu", 0.2), new LeakyReLU(e, 0.2).RecommendedGain);
            // Quadrature values (1/√E[f(x)²], x ~ N(0, 1)), to 1e-4; and Gain.Measure (2^20 samples) within its 0.3% error.
            var expected = new (ActivationModule Layer, double Gain, Func<float, float> F)[]
            {
                (new GELU(e), 1.53353, v => (float)(0.5 * v * (1 + TorchMath.Erf(v / Math.Sqrt(2))))),
                (new SiLU(e), 1.67653, v => (float)(v / (1 + Math.Exp(-v)))),
                (new ELU(e), 1.24520, v => v > 0 ? v : (float)(Math.Exp(v) - 1)),
                (new Softplus(e), 1.04187, v => (float)Math.Log(1 + Math.Exp(v))),
            };
            foreach (var (layer, gain, f) in expected)
            {
                Assert.AreEqual(gain, layer.RecommendedGain, 1e-4, layer.Describe());
                double measured = Gain.Measure(f, seed: 5);
                Assert.AreEqual(layer.RecommendedGain, measured, 3e-3 * measured, $"{layer.Describe()}: Gain.Measure gives {measured}");
            }
        }

        [TestMethod]
        public void Describe_AsTorchPrintsTheModules()
        {
            using var e = Cpu();
            CollectionAssert.AreEqual(
                new[] { "Tanh()", "Sigmoid()", "GELU(approximate='none')", "SiLU()", "ELU(alpha=0.7)", "SELU()", "Softplus(beta=2.0, threshold=10.0)" },
                All(e).Select(m => m.Describe()).ToArray());
            Assert.AreEqual("ELU(alpha=1.0)", new ELU(e).Describe());
            Assert.AreEqual("Softplus(beta=1.0, threshold=20.0)", new Softplus(e).Describe());
            Assert.AreEqual("Sequential (\n  (0): Linear(4→8)\n  (1): GELU(approximate='none')\n)",
                new Sequential(e, new Linear(e, 4, 8), new GELU(e)).ToString().Replace("\r\n", "\n"));
        }

        [TestMethod]
        public void BadArguments_ThrowNamingTheArgument()
        {
            using var e = Cpu();
            var ex = Assert.ThrowsExactly<ArgumentException>(() => new ELU(e, double.NaN));
            Assert.AreEqual("alpha", ex.ParamName);
            StringAssert.Contains(ex.Message, "alpha must be a finite number");
            ex = Assert.ThrowsExactly<ArgumentException>(() => new Softplus(e, 0.0));
            Assert.AreEqual("beta", ex.ParamName);
            StringAssert.Contains(ex.Message, "beta must be a positive finite number such as 1.0, got 0");
            ex = Assert.ThrowsExactly<ArgumentException>(() => new Softplus(e, 1.0, double.PositiveInfinity));
            Assert.AreEqual("threshold", ex.ParamName);
            StringAssert.Contains(ex.Message, "threshold must be a finite number");
            // The engine stays usable.
            using Tensor x = e.CreateTensor(new[] { 1f }, 1, 1);
            Assert.AreEqual((float)Math.Tanh(1.0), new Tanh(e).Forward(x).ToArray()[0]);
        }

        [TestMethod]
        public void Infer_EqualsForward()
        {
            using var e = Cpu();
            float[] input = GradCheck.Normal(3 * 50, 2);
            foreach (ActivationModule m in All(e))
            {
                using Tensor x = e.CreateTensor(input, 3, 50);
                CollectionAssert.AreEqual(m.Forward(x).ToArray(), m.Infer(x).ToArray(), m.Describe());
            }
        }
    }
}
