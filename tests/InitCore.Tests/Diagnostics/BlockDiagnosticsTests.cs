using System;
using System.Collections.Generic;
using System.Linq;
using InitCore.Tests.Nn;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Diagnostics
{
    /// <summary>The init doctor's predictions through the smooth activations, Dropout and Residual blocks, and LSUV inside Residual blocks (CPU).</summary>
    [TestClass]
    public sealed class BlockDiagnosticsTests
    {
        private static Engine Cpu() => Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = 5 });

        private static Linear Kaiming(Engine e, int n, double gain)
        {
            var l = new Linear(e, n, n);
            Init.Normal(l.Weight.Value, 0, gain / Math.Sqrt(n));
            Init.Zeros(l.Bias!.Value);
            return l;
        }

        [TestMethod]
        public void Doctor_PredictsStdThroughSmoothActivations()
        {
            using var e = Cpu();
            const int n = 256;
            using Tensor x = e.CreateTensor(GradCheck.Normal(512 * n, 1), 512, n);
            foreach (ActivationModule a in new ActivationModule[] { new Tanh(e), new Sigmoid(e), new GELU(e), new SiLU(e), new ELU(e), new SELU(e), new Softplus(e) })
            {
                // Gaussian pre-activations (N(0, gain²)): the doctor integrates the activation over them.
                DoctorReport r = InitDoctor.Diagnose(new Sequential(e, Kaiming(e, n, a.RecommendedGain), a), x);
                DoctorLayer l = r.Layers[r.Layers.Count - 1];
                Assert.AreEqual(l.Forward.Std, l.PredictedStd, 0.03 * l.Forward.Std, $"{l.Name}: measured {l.Forward.Std}, predicted {l.PredictedStd}");
                Assert.AreEqual(2, r.Layers.Count, "one line per layer");
            }
        }

        [TestMethod]
        public void Doctor_PredictsResidualBlockAndDropout()
        {
            using var e = Cpu();
            const int n = 256;
            var block = new Residual(e, new Sequential(e, Kaiming(e, n, 1.5335), new GELU(e), Kaiming(e, n, 1.0)));
            var model = new Sequential(e, block, new Dropout(e, 0.2), Kaiming(e, n, 1.0));
            using Tensor x = e.CreateTensor(GradCheck.Normal(512 * n, 2), 512, n);
            DoctorReport r = InitDoctor.Diagnose(model, x);
            CollectionAssert.AreEqual(new[] { "Residual", "Linear", "GELU", "Linear", "Dropout", "Linear" },
                r.Layers.Select(l => l.Name.Split(':')[1].Split('(')[0]).ToArray(), string.Join(" | ", r.Layers.Select(l => l.Name)));
            DoctorLayer b = r.Layers[0];
            // y = x + f(x): E[y²] = E[x²] + E[f(x)²], so the block's std exceeds both the input's (1) and the body's.
            Assert.IsTrue(b.PredictedStd > 1.3 && b.PredictedStd > r.Layers[3].PredictedStd, $"block {b.PredictedStd}, body {r.Layers[3].PredictedStd}");
            Assert.AreEqual(b.Forward.Std, b.PredictedStd, 0.03 * b.Forward.Std, "block: measured vs predicted");
            foreach (DoctorLayer l in r.Layers)
                Assert.AreEqual(l.Forward.Std, l.PredictedStd, 0.05 * l.Forward.Std, $"{l.Name}: measured {l.Forward.Std}, predicted {l.PredictedStd}");
        }

        [TestMethod]
        public void Lsuv_CalibratesTheLayersInsideResidualBlocks()
        {
            using var e = Cpu();
            const int n = 64;
            var inner = new Sequential(e, new Linear(e, n, n), new SiLU(e), new Linear(e, n, n));
            var projected = new Residual(e, new Sequential(e, new Linear(e, n, 32), new ReLU(e), new Linear(e, 32, 32)), new Linear(e, n, 32, bias: false));
            var model = new Sequential(e, new Linear(e, 20, n), new ReLU(e), new Residual(e, inner), projected, new Linear(e, 32, 10));
            using Tensor x = e.CreateTensor(GradCheck.Normal(256 * 20, 3).Select(v => 3 * v + 1).ToArray(), 256, 20);
            LsuvReport report = Lsuv.Run(model, x);
            Assert.AreEqual(7, report.Layers.Count, string.Join(" | ", report.Layers.Select(l => l.Name)));
            // Measured again on the real forward pass: the last layer of each body, the projection and the head have no
            // activation after them, so their outputs have std 1, and mean 0 where a bias can move it.
            var outputs = new Dictionary<Module, TensorStatistics>();
            var last = new Module[] { inner[2], ((Sequential)projected.Body)[2], projected.Projection!, model[4] };
            using (var scope = new HookScope())
            {
                foreach (Module m in last) scope.Forward(m, (mm, _, y) => outputs[mm] = TensorOps.Statistics(y));
                model.Eval();
                model.Forward(x);
            }
            foreach (Module m in last)
            {
                if (m.OwnParameters.Any(p => p.Name == "bias")) Assert.AreEqual(0.0, outputs[m].Mean, 2e-3, $"{m.Describe()} mean"); // without a bias LSUV cannot move the mean
                Assert.AreEqual(1.0, outputs[m].Std, 2e-3, $"{m.Describe()} std");
            }
        }

        [TestMethod]
        public void Lsuv_OtherContainersStillRejected()
        {
            using var e = Cpu();
            var model = new Sequential(e, new Residual(e, new Linear(e, 4, 4)), new Opaque(e));
            using Tensor x = e.CreateTensor(new float[8], 2, 4);
            var ex = Assert.ThrowsExactly<NotSupportedException>(() => Lsuv.Run(model, x));
            StringAssert.Contains(ex.Message, "Sequential and Residual blocks");
        }

        private sealed class Opaque : Module
        {
            private readonly Module[] _children;
            public Opaque(Engine e) : base(e) => _children = new Module[] { new Linear(e, 4, 4) };
            public override IReadOnlyList<Module> Children => _children;
            protected override Tensor ForwardCore(Tensor input) => _children[0].Forward(input);
            protected override Tensor BackwardCore(Tensor gradOutput) => _children[0].Backward(gradOutput);
            public override string Describe() => "Opaque";
        }
    }
}
