using System;
using System.Collections.Generic;
using System.Linq;
using InitCore.Diagnostics;
using InitCore.Nn;
using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Diagnostics
{
    [TestClass]
    public sealed class LsuvTests
    {
        private static Engine Cpu() => Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = 4 });

        private static readonly System.Lazy<InitCore.Data.MnistData> Mnist = new System.Lazy<InitCore.Data.MnistData>(() => InitCore.Data.Mnist.LoadBundled().Normalize());

        /// <summary>The first <paramref name="n"/> digits of the bundled MNIST training subset, normalized with training statistics.</summary>
        internal static Tensor Images(Engine e, int n = 64) => Mnist.Value.Train.Slice(0, n).ToTensor(e);

        internal static Sequential PlainCnn(Engine e, int depth)
        {
            var layers = new List<Module> { new Conv2d(e, 1, 16, 3, 1, 1), new GeneralReLU(e, 0.1, 0.4) };
            for (int i = 1; i < depth; i++) { layers.Add(new Conv2d(e, 16, 16, 3, 1, 1)); layers.Add(new GeneralReLU(e, 0.1, 0.4)); }
            layers.Add(new AdaptiveAvgPool2d(e));
            layers.Add(new Flatten(e));
            layers.Add(new Linear(e, 16, 10));
            return new Sequential(e, layers.ToArray());
        }

        [TestMethod]
        [DataRow(LsuvVariant.Fastai)]
        [DataRow(LsuvVariant.Paper)]
        public void Lsuv_LessonCnn_ReachesTargetsOnEveryLayer(LsuvVariant variant)
        {
            using var e = Cpu();
            var model = LessonModels.Cnn(e);
            using Tensor x = Images(e);
            LsuvReport report = Lsuv.Run(model, x, new LsuvOptions { Variant = variant, Tolerance = 1e-3, MaxIterations = 20 });
            Assert.AreEqual(6, report.Layers.Count, report.ToString());
            Assert.IsTrue(report.AllConverged, report.ToString());
            foreach (LsuvLayerReport l in report.Layers)
            {
                Assert.IsLessThan(1e-3, Math.Abs(l.StdAfter - 1), l.Name);
                if (variant == LsuvVariant.Fastai) Assert.IsLessThan(1e-3, Math.Abs(l.MeanAfter), l.Name);
            }
        }

        [TestMethod]
        public void Lsuv_TwentyLayerPlainCnn_Converges()
        {
            using var e = Cpu();
            var model = PlainCnn(e, 20);
            using Tensor x = Images(e, 16);
            LsuvReport report = Lsuv.Run(model, x, new LsuvOptions { MaxIterations = 20 });
            Assert.AreEqual(21, report.Layers.Count);
            Assert.IsTrue(report.AllConverged, report.ToString());
        }

        [TestMethod]
        public void Lsuv_Cost_IsOnePassPlusEachLayersIterations()
        {
            using var e = Cpu();
            var model = LessonModels.Cnn(e);
            int calls = 0;
            using var scope = new HookScope();
            foreach (Module m in model.Modules().Where(m => m.Children.Count == 0)) scope.Forward(m, (_, _, _) => calls++);
            using Tensor x = Images(e);
            LsuvReport report = Lsuv.Run(model, x);
            // Exactly one pass through the model: each conv runs once, its cached output is rescaled and measured
            // (through the GeneralReLU's formula, fused into the statistics pass) on every iteration, and the
            // GeneralReLU module runs once on the final values to make the next layer's input; pool and flatten
            // run once to reach the final Linear, which runs once.
            int leaves = model.Modules().Count(m => m.Children.Count == 0);
            Assert.AreEqual(13, leaves);
            Assert.AreEqual(leaves, calls, report.ToString());
            Assert.IsTrue(report.Layers.Take(5).Any(l => l.Iterations > 0), "the layers needed iterations, so the count shows they cost no layer calls");
            Assert.AreEqual(calls, report.LayerForwardCalls);
            int fastaiStyle = report.Layers.Sum(l => (l.Iterations + 1) * 13);
            Assert.IsLessThan(fastaiStyle / 2, calls, "far fewer layer calls than re-running the whole model each iteration");
        }

        [TestMethod]
        public void Lsuv_NotConverged_IsReported_NotAnInfiniteLoop()
        {
            using var e = Cpu();
            var model = LessonModels.Cnn(e);
            using Tensor x = Images(e);
            LsuvReport report = Lsuv.Run(model, x, new LsuvOptions { MaxIterations = 1, Tolerance = 1e-9 });
            Assert.IsFalse(report.AllConverged);
            Assert.IsTrue(report.Layers.All(l => l.Iterations == 1));
        }

        [TestMethod]
        public void Lsuv_ZeroStd_ThrowsNamingTheLayer_AndRestoresMode()
        {
            using var e = Cpu();
            var model = new Sequential(e, new Linear(e, 8, 8), new ReLU(e), new Linear(e, 8, 4));
            Init.Zeros(((Linear)model[0]).Weight.Value);
            Init.Zeros(((Linear)model[0]).Bias!.Value);
            using Tensor x = e.CreateTensor(16, 8);
            Init.Normal(x);
            model.Train();
            var ex = Assert.ThrowsExactly<LsuvException>(() => Lsuv.Run(model, x));
            Assert.AreEqual("0:Linear(8→8)", ex.Layer);
            StringAssert.Contains(ex.Message, "zero std");
            Assert.IsTrue(model.IsTraining, "the model's mode is restored");
        }

        [TestMethod]
        public void Lsuv_LayerFilter_AndMeasureBeforeActivation()
        {
            using var e = Cpu();
            var model = LessonModels.Cnn(e);
            using Tensor x = Images(e);
            LsuvReport report = Lsuv.Run(model, x, new LsuvOptions { LayerFilter = m => m is Conv2d, MeasureAfterActivation = false });
            Assert.AreEqual(5, report.Layers.Count);
            Assert.IsTrue(report.AllConverged, report.ToString());
            StringAssert.Contains(report.ToJson(), "\"layer_forward_calls\":");
        }

        [TestMethod]
        public void Lsuv_BadArguments_Throw()
        {
            using var e = Cpu();
            var model = LessonModels.Cnn(e);
            Assert.ThrowsExactly<ArgumentException>(() => Lsuv.Run(model, Array.Empty<Tensor>()));
            using Tensor x = Images(e, 2);
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Lsuv.Run(model, x, new LsuvOptions { MaxIterations = 0 }));
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Lsuv.Run(model, x, new LsuvOptions { Tolerance = 0 }));
        }
    }

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

namespace InitCore.Tests.Diagnostics
{
    /// <summary>LSUV and ActivationStats on CUDA (Inconclusive without a GPU).</summary>
    [TestClass]
    public sealed class CudaLsuvTests : BackendFixture
    {
        protected override BackendKind Kind => BackendKind.Cuda;

        [TestMethod]
        public void Lsuv_LessonCnnAndTwentyLayers_ConvergeOnCuda()
        {
            using Engine e = NewEngine(4);
            using Tensor x = LsuvTests.Images(e);
            Assert.IsTrue(Lsuv.Run(LessonModels.Cnn(e), x).AllConverged);
            Assert.IsTrue(Lsuv.Run(LsuvTests.PlainCnn(e, 20), x, new LsuvOptions { MaxIterations = 20 }).AllConverged);
        }

        /// <summary>The same starting weights on both engines.</summary>
        private static void CopyParameters(Module from, Module to)
        {
            foreach (var (p, q) in from.Parameters().Zip(to.Parameters(), (p, q) => (p, q))) q.Value.CopyFrom(p.Value.ToArray());
        }

        [TestMethod]
        public void Lsuv_PlainReluCnn_OnCuda_MatchesTheCpu()
        {
            using Engine e = NewEngine(4);
            using Engine cpu = CpuEngine(4);
            Sequential Model(Engine en) => new Sequential(en, new Conv2d(en, 1, 8, 3, 1, 1), new ReLU(en), new MaxPool2d(en, 2),
                new Conv2d(en, 8, 16, 3, 1, 1), new GeneralReLU(en, 0.1, 0.4), new Flatten(en), new Linear(en, 16 * 14 * 14, 10));
            Sequential onCpu = Model(cpu), onGpu = Model(e);
            CopyParameters(onCpu, onGpu);
            using Tensor xc = LsuvTests.Images(cpu, 32), xg = LsuvTests.Images(e, 32);
            LsuvReport rc = Lsuv.Run(onCpu, xc), rg = Lsuv.Run(onGpu, xg);
            Assert.IsTrue(rg.AllConverged, rg.ToString());
            for (int i = 0; i < rc.Layers.Count; i++)
            {
                // Reductions in another order: the statistics agree to about 1e-5, the corrections they drive to 1e-4.
                Assert.AreEqual(rc.Layers[i].WeightScale, rg.Layers[i].WeightScale, 1e-4 * Math.Abs(rc.Layers[i].WeightScale), rg.ToString());
                Assert.AreEqual(rc.Layers[i].BiasShift, rg.Layers[i].BiasShift, 1e-4 * (1 + Math.Abs(rc.Layers[i].BiasShift)), rg.ToString());
                Assert.AreEqual(rc.Layers[i].SubAfter ?? 0, rg.Layers[i].SubAfter ?? 0, 1e-4, rg.ToString());
            }
        }

        [TestMethod]
        public void Doctor_FlatFraction_OnCuda_MatchesTheCpu()
        {
            using Engine e = NewEngine(4);
            using Engine cpu = CpuEngine(4);
            Sequential Model(Engine en) => new Sequential(en, new Linear(en, 64, 64), new ReLU(en), new Linear(en, 64, 64), new GeneralReLU(en, 0, 0.4));
            Sequential onCpu = Model(cpu), onGpu = Model(e);
            CopyParameters(onCpu, onGpu);
            float[] input = Enumerable.Range(0, 256 * 64).Select(i => (float)Math.Sin(i * 0.37)).ToArray();
            using Tensor xc = cpu.CreateTensor(input, 256, 64), xg = e.CreateTensor(input, 256, 64);
            DoctorReport dc = InitDoctor.Diagnose(onCpu, xc), dg = InitDoctor.Diagnose(onGpu, xg);
            foreach (int i in new[] { 1, 3 })
            {
                Assert.IsNotNull(dg.Layers[i].FlatFraction);
                Assert.AreEqual(dc.Layers[i].FlatFraction!.Value, dg.Layers[i].FlatFraction!.Value, 1.0 / (256 * 64) * 8, dg.ToString());
                Assert.IsTrue(dg.Layers[i].FlatFraction > 0.3, "the flat values are counted on the device too: " + dg);
            }
        }

        [TestMethod]
        public void ActivationStats_OnCuda_MatchDirectStatistics()
        {
            using Engine e = NewEngine(4);
            var model = LessonModels.Cnn(e);
            using var stats = new ActivationStats(model);
            using Tensor x = LsuvTests.Images(e);
            Tensor? first = null;
            using var probe = model[1].RegisterForwardHook((_, _, y) => first = y);
            model.Forward(x);
            TensorStatistics direct = TensorOps.Statistics(first!);
            var r = stats.Records(model[1]).Single().Statistics;
            Assert.AreEqual(direct.Mean, r.Mean, 1e-6);
            CollectionAssert.AreEqual(direct.Histogram.ToArray(), r.Histogram.ToArray());
        }
    }
}
