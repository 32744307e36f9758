using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Diagnostics
{
    [TestClass]
    public sealed class InitDoctorTests
    {
        private static Engine Cpu() => Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = 4 });

        private static Sequential Deep(Engine e, double std)
        {
            var layers = new List<Module>();
            for (int i = 0; i < 20; i++) { layers.Add(new Linear(e, 64, 64)); layers.Add(new ReLU(e)); }
            var model = new Sequential(e, layers.ToArray());
            ModelInit.Apply(model, InitScheme.Normal(0, std), InitScheme.Zeros);
            return model;
        }

        [TestMethod]
        public void Doctor_FlagsVanishing_WithStd0_01ThroughTwentyLayers()
        {
            using var e = Cpu();
            using Tensor x = e.CreateTensor(256, 64);
            Init.Normal(x);
            DoctorReport report = InitDoctor.Diagnose(Deep(e, 0.01), x);
            Assert.IsFalse(report.Healthy);
            Assert.IsTrue(report.Layers.Last().Flags.Contains("vanishing"), report.ToString());
            // The prediction follows the measurement: 20 layers of fan_in·σ²/2 = 0.0032 per layer.
            Assert.AreEqual(Math.Log10(report.Layers[10].PredictedStd), Math.Log10(report.Layers[10].Forward.Std), 0.3, report.ToString());
        }

        [TestMethod]
        public void Doctor_FlagsExploding_WithStd3()
        {
            using var e = Cpu();
            using Tensor x = e.CreateTensor(256, 64);
            Init.Normal(x);
            DoctorReport report = InitDoctor.Diagnose(Deep(e, 3), x);
            Assert.IsTrue(report.Layers.Any(l => l.Flags.Contains("exploding")), report.ToString());
            Assert.IsTrue(report.Layers.Last().Flags.Contains("nan/inf") || report.Layers.Last().Flags.Contains("exploding"));
        }

        [TestMethod]
        public void Doctor_KaimingInit_IsHealthy_WithBackwardStats()
        {
            using var e = Cpu();
            var model = Deep(e, 1);
            ModelInit.Apply(model, InitScheme.KaimingNormal(nonlinearity: Nonlinearity.Relu), InitScheme.Zeros);
            using Tensor x = e.CreateTensor(256, 64);
            Init.Normal(x);
            using Tensor y = e.CreateTensor(Enumerable.Range(0, 256).Select(i => (float)(i % 10)).ToArray(), 256);
            DoctorReport report = InitDoctor.Diagnose(model, x, y, new CrossEntropyLoss());
            Assert.IsTrue(report.Layers.Where(l => l.Name.Contains("Linear")).All(l => l.Flags.Count == 0), report.ToString());
            Assert.IsTrue(report.Layers.All(l => l.Backward is not null));
            StringAssert.Contains(report.ToJson(), "\"predicted_std\":");
        }

        [TestMethod]
        public void Doctor_HealthyReLUs_ZeroAboutHalf_AndAreNotDead()
        {
            using var e = Cpu();
            var model = Deep(e, 1);
            ModelInit.Apply(model, InitScheme.KaimingNormal(nonlinearity: Nonlinearity.Relu), InitScheme.Zeros);
            using Tensor x = e.CreateTensor(256, 64);
            Init.Normal(x);
            DoctorReport report = InitDoctor.Diagnose(model, x);
            Assert.IsTrue(report.Healthy, report.ToString());
            foreach (DoctorLayer l in report.Layers.Where(l => l.Name.Contains("ReLU")))
            {
                Assert.AreEqual(0.5, l.FlatFraction!.Value, 0.1, l.Name);
                Assert.AreEqual(0.9, l.DeadAbove!.Value, 1e-12, l.Name);
            }
            Assert.IsTrue(report.Layers.Where(l => l.Name.Contains("Linear")).All(l => l.FlatFraction is null && l.DeadAbove is null));
        }

        [TestMethod]
        public void Doctor_FlagsDead_WhenFarMoreUnitsAreZeroedThanOnAHealthyInput()
        {
            using var e = Cpu();
            // GeneralReLU without leak outputs −sub on its flat side: a near-zero count never sees those units.
            var model = new Sequential(e, new Linear(e, 64, 64), new ReLU(e), new Linear(e, 64, 64), new GeneralReLU(e, 0, 0.4), new Linear(e, 64, 64), new LeakyReLU(e, 0.1));
            ModelInit.Apply(model, InitScheme.KaimingNormal(nonlinearity: Nonlinearity.Relu), InitScheme.Zeros);
            Init.Constant(((Linear)model[0]).Bias!.Value, -2.5);
            Init.Constant(((Linear)model[2]).Bias!.Value, -2.5);
            Init.Constant(((Linear)model[4]).Bias!.Value, -2.5);
            using Tensor x = e.CreateTensor(256, 64);
            Init.Normal(x);
            DoctorReport report = InitDoctor.Diagnose(model, x);
            DoctorLayer relu = report.Layers[1], general = report.Layers[3], leaky = report.Layers[5];
            Assert.IsTrue(relu.FlatFraction > 0.9 && relu.FlatFraction < 1, report.ToString());
            CollectionAssert.Contains(relu.Flags.ToArray(), "dead", report.ToString());
            CollectionAssert.Contains(general.Flags.ToArray(), "dead", report.ToString());
            Assert.IsLessThan(0.5, general.Forward.NearZeroFraction, "its zeroed units sit at −0.4, not near zero");
            Assert.IsNull(leaky.FlatFraction, "a leaky ReLU has no flat region");
            CollectionAssert.DoesNotContain(leaky.Flags.ToArray(), "dead");
        }

        [TestMethod]
        public void Doctor_ConstantOutput_IsDead_ByARelativeTest()
        {
            using var e = Cpu();
            var model = new Sequential(e, new Linear(e, 8, 8), new Linear(e, 8, 8));
            Init.Zeros(((Linear)model[0]).Weight.Value);
            Init.Constant(((Linear)model[0]).Bias!.Value, -0.4);
            using Tensor x = e.CreateTensor(64, 8);
            Init.Normal(x);
            DoctorReport report = InitDoctor.Diagnose(model, x);
            CollectionAssert.Contains(report.Layers[0].Flags.ToArray(), "dead", report.ToString());
        }

        [TestMethod]
        public void Doctor_Table_FormatsEveryNumberOneWay()
        {
            using var e = Cpu();
            var model = Deep(e, 0.05);
            using Tensor x = e.CreateTensor(64, 64);
            Init.Normal(x);
            using Tensor y = e.CreateTensor(Enumerable.Range(0, 64).Select(i => (float)(i % 10)).ToArray(), 64);
            string table = InitDoctor.Diagnose(model, x, y, new CrossEntropyLoss()).ToString();
            Assert.IsFalse(table.Contains('%'), "fractions as plain numbers, like the other columns: " + table);
            string[] row = table.Split('\n')[2].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            // name, mean, std, predicted, near0, zeroed, grad std[, flags]: every number four significant digits, invariant.
            foreach (string cell in row.Skip(1).Take(6).Where(c => c != "-"))
            {
                Assert.IsTrue(double.TryParse(cell, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double v), cell);
                Assert.AreEqual(v.ToString("G4", System.Globalization.CultureInfo.InvariantCulture), cell);
            }
        }

        [TestMethod]
        public void Doctor_TargetWithoutLoss_Throws()
        {
            using var e = Cpu();
            var model = new Linear(e, 2, 2);
            using Tensor x = e.CreateTensor(1, 2);
            var ex = Assert.ThrowsExactly<ArgumentException>(() => InitDoctor.Diagnose(model, x, x, null));
            Assert.AreEqual("target", ex.ParamName);
        }
    }
}
