using System;
using System.Collections.Generic;
using System.Linq;
using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Diagnostics
{
    /// <summary>
    /// LSUV never leaves a network worse (issue 12, item 7), is transactional (item 4) and detects a dead layer by a
    /// relative test (item 6): real bundled digits, statistics checked on the calibration batch and on held-out digits.
    /// </summary>
    [TestClass]
    public sealed class LsuvSafetyTests
    {
        private static Engine Cpu() => Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = 4 });

        private static readonly Lazy<InitCore.Data.MnistData> Mnist = new Lazy<InitCore.Data.MnistData>(() => InitCore.Data.Mnist.LoadBundled().Normalize());

        /// <summary>Digits LSUV never saw: the bundled validation subset.</summary>
        private static Tensor HeldOut(Engine e, int n = 128) => Mnist.Value.Valid.Slice(0, n).ToTensor(e);

        /// <summary>Mean, std and fractions of exact zeros and of negative values of a tensor, computed here in double from its values.</summary>
        private static (double Mean, double Std, double Zeros, double Negative) Moments(Tensor t)
        {
            float[] v = t.ToArray();
            double mean = v.Average(x => (double)x);
            double std = Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
            return (mean, std, v.Count(x => x == 0) / (double)v.Length, v.Count(x => x < 0) / (double)v.Length);
        }

        /// <summary>Every leaf's output on <paramref name="x"/>, in evaluation mode.</summary>
        private static Dictionary<Module, (double Mean, double Std, double Zeros, double Negative)> Probe(Module model, Tensor x)
        {
            var result = new Dictionary<Module, (double Mean, double Std, double Zeros, double Negative)>();
            model.Eval();
            using (var scope = new HookScope())
            {
                foreach (Module m in model.Modules().Where(m => m.Children.Count == 0)) scope.Forward(m, (mm, _, y) => result[mm] = Moments(y));
                model.Forward(x);
            }
            return result;
        }

        private static Sequential PlainReluCnn(Engine e) => new Sequential(e,
            new Conv2d(e, 1, 8, 3, 1, 1), new ReLU(e), new MaxPool2d(e, 2),
            new Conv2d(e, 8, 16, 3, 1, 1), new ReLU(e), new MaxPool2d(e, 2),
            new Flatten(e), new Linear(e, 16 * 7 * 7, 10));

        private static Sequential LeakyMlp(Engine e) => new Sequential(e,
            new Flatten(e), new Linear(e, 784, 100), new LeakyReLU(e, 0.01), new Linear(e, 100, 50), new LeakyReLU(e, 0.01), new Linear(e, 50, 10));

        private static Sequential DeepReluCnn(Engine e, int depth)
        {
            var layers = new List<Module> { new Conv2d(e, 1, 16, 3, 1, 1), new ReLU(e) };
            for (int i = 1; i < depth; i++) { layers.Add(new Conv2d(e, 16, 16, 3, 1, 1)); layers.Add(new ReLU(e)); }
            layers.Add(new AdaptiveAvgPool2d(e));
            layers.Add(new Flatten(e));
            layers.Add(new Linear(e, 16, 10));
            return new Sequential(e, layers.ToArray());
        }

        /// <summary>
        /// After a rectifier: the layer's output is centred (mean at the target) and the activation's output has the target
        /// std, on the calibration batch (tightly) and on held-out digits (loosely); about half the units are zeroed, not most.
        /// </summary>
        private static void AssertRectifiedLayersHealthy(Module model, LsuvReport report, Tensor calibration, Tensor heldOut, double heldOutTolerance)
        {
            List<Module> leaves = model.Modules().Where(m => m.Children.Count == 0).ToList();
            foreach (var (x, tol, which) in new[] { (calibration, 2e-3, "calibration"), (heldOut, heldOutTolerance, "held-out") })
            {
                var probe = Probe(model, x);
                for (int i = 0; i + 1 < leaves.Count; i++)
                {
                    if (leaves[i] is not (Linear or Conv2d) || leaves[i + 1] is not ActivationModule act) continue;
                    string where = $"{which}, layer {i}: {report}";
                    Assert.AreEqual(0, probe[leaves[i]].Mean, tol, "the layer's output is centred before the rectifier; " + where);
                    Assert.AreEqual(1, probe[act].Std, tol, "the rectifier's output has std 1; " + where);
                    double negative = probe[leaves[i]].Negative;
                    Assert.IsTrue(negative > 0.3 && negative < 0.7, $"about half of the rectifier's inputs are on its flat side, not most ({negative:P1}); " + where);
                    if (act is ReLU) Assert.AreEqual(negative, probe[act].Zeros, 0.01, "the ReLU zeroes exactly those; " + where);
                }
            }
        }

        [TestMethod]
        public void Lsuv_PlainReluCnn_CentresBeforeTheReLU_AndConverges()
        {
            using var e = Cpu();
            var model = PlainReluCnn(e);
            using Tensor x = LsuvTests.Images(e, 64);
            using Tensor held = HeldOut(e);
            LsuvReport report = Lsuv.Run(model, x);
            Assert.IsTrue(report.AllConverged, report.ToString());
            Assert.AreEqual(3, report.Layers.Count);
            foreach (LsuvLayerReport l in report.Layers.Take(2))
            {
                Assert.AreEqual(LsuvPoint.LayerOutput, l.MeanMeasuredAt, l.Name);
                Assert.AreEqual(LsuvPoint.ActivationOutput, l.StdMeasuredAt, l.Name);
                Assert.AreEqual(LsuvMeanControl.Bias, l.MeanCorrectedBy, l.Name);
                Assert.IsNull(l.SubAfter, l.Name);
                Assert.IsNull(l.Note, l.Name);
            }
            Assert.AreEqual(LsuvPoint.LayerOutput, report.Layers[2].StdMeasuredAt, "the linear output layer is measured on its own output");
            foreach (Conv2d conv in model.Modules().OfType<Conv2d>())
                Assert.IsTrue(conv.Bias!.Value.ToArray().All(b => Math.Abs(b) < 1), "no bias is driven far negative: " + string.Join(",", conv.Bias.Value.ToArray()));
            AssertRectifiedLayersHealthy(model, report, x, held, 0.15);
        }

        [TestMethod]
        public void Lsuv_LeakyReluMlp_CentresBeforeTheLeakyReLU_AndConverges()
        {
            using var e = Cpu();
            var model = LeakyMlp(e);
            using Tensor x = LsuvTests.Images(e, 128);
            using Tensor held = HeldOut(e);
            LsuvReport report = Lsuv.Run(model, x);
            Assert.IsTrue(report.AllConverged, report.ToString());
            Assert.AreEqual(3, report.Layers.Count);
            Assert.IsTrue(report.Layers.Take(2).All(l => l.MeanMeasuredAt == LsuvPoint.LayerOutput && l.StdMeasuredAt == LsuvPoint.ActivationOutput), report.ToString());
            AssertRectifiedLayersHealthy(model, report, x, held, 0.15);
            // A mean of 0 after a leaky ReLU would need most pre-activations negative; centring before it keeps its mean positive.
            var probe = Probe(model, held);
            foreach (Module act in model.Modules().OfType<LeakyReLU>())
                Assert.IsTrue(probe[act].Mean > 0.2, $"the leaky ReLU's output mean stays positive (it is not pushed to 0 by negative biases): {probe[act].Mean}; {report}");
        }

        [TestMethod]
        public void Lsuv_TwentyLayerPlainReluCnn_ConvergesOnEveryLayer_AndHeldOutStaysHealthy()
        {
            using var e = Cpu();
            var model = DeepReluCnn(e, 20);
            using Tensor x = LsuvTests.Images(e, 16);
            using Tensor held = HeldOut(e, 32);
            LsuvReport report = Lsuv.Run(model, x, new LsuvOptions { MaxIterations = 20 });
            Assert.AreEqual(21, report.Layers.Count);
            Assert.IsTrue(report.AllConverged, report.ToString());
            AssertRectifiedLayersHealthy(model, report, x, held, 0.25);
        }

        [TestMethod]
        public void Lsuv_LessonGeneralReluCnn_CorrectsSubAfterTheActivation_AsTheLesson_OnHeldOutToo()
        {
            using var e = Cpu();
            var model = LessonModels.Cnn(e);
            using Tensor x = LsuvTests.Images(e);
            using Tensor held = HeldOut(e);
            LsuvReport report = Lsuv.Run(model, x);
            Assert.IsTrue(report.AllConverged, report.ToString());
            var acts = model.Modules().OfType<GeneralReLU>().ToList();
            for (int i = 0; i < 5; i++)
            {
                LsuvLayerReport l = report.Layers[i];
                Assert.AreEqual(LsuvPoint.ActivationOutput, l.MeanMeasuredAt, l.Name);
                Assert.AreEqual(LsuvMeanControl.Sub, l.MeanCorrectedBy, l.Name);
                Assert.AreEqual(0.4, l.SubBefore!.Value, 1e-12, l.Name);
                Assert.AreEqual(acts[i].Sub, l.SubAfter!.Value, 0, "the report gives the sub the GeneralReLU now has");
                Assert.AreNotEqual(1.0, l.WeightScale, l.Name);
                Assert.AreEqual(0.0, l.BiasShift, 0, "the mean goes through sub, not the bias");
            }
            var probeCal = Probe(model, x);
            var probeHeld = Probe(model, held);
            foreach (GeneralReLU a in acts)
            {
                Assert.AreEqual(0, probeCal[a].Mean, 2e-3);
                Assert.AreEqual(1, probeCal[a].Std, 2e-3);
                Assert.AreEqual(0, probeHeld[a].Mean, 0.15, report.ToString());
                Assert.AreEqual(1, probeHeld[a].Std, 0.15, report.ToString());
            }
            string json = report.ToJson();
            foreach (string key in new[] { "\"weight_scale\":", "\"bias_shift\":", "\"sub_before\":0.4", "\"sub_after\":", "\"mean_at\":\"ActivationOutput\"", "\"mean_by\":\"Sub\"" })
                StringAssert.Contains(json, key);
            StringAssert.Contains(report.ToString(), "w scale");
        }

        [TestMethod]
        public void Lsuv_NoBias_CorrectsTheStdOnly_AndSaysWhy()
        {
            using var e = Cpu();
            var model = new Sequential(e, new Conv2d(e, 1, 8, 3, 1, 1, bias: false), new ReLU(e), new Flatten(e), new Linear(e, 8 * 28 * 28, 10));
            using Tensor x = LsuvTests.Images(e, 32);
            LsuvReport report = Lsuv.Run(model, x);
            LsuvLayerReport conv = report.Layers[0];
            Assert.IsNull(conv.MeanCorrectedBy);
            Assert.AreEqual("mean not corrected: the layer has no bias", conv.Note);
            Assert.AreEqual(0.0, conv.BiasShift);
            Assert.IsTrue(conv.Converged, report.ToString());
            Assert.AreEqual(1, conv.StdAfter, 1e-3);
        }

        [TestMethod]
        public void Lsuv_UnreachableTarget_KeepsTheClosestState_NeverAWorseLayer_AndSaysSo()
        {
            using var e = Cpu();
            // A clamp at 0.5 after the sub bounds the output's std far below 1: the target cannot be reached.
            var model = new Sequential(e, new Conv2d(e, 1, 8, 3, 1, 1), new GeneralReLU(e, 0, 0.2, 0.5), new Flatten(e), new Linear(e, 8 * 28 * 28, 10));
            using Tensor x = LsuvTests.Images(e, 32);
            LsuvReport report = Lsuv.Run(model, x);
            LsuvLayerReport conv = report.Layers[0];
            Assert.IsFalse(conv.Converged, report.ToString());
            StringAssert.Contains(conv.Note, "not converged in 10 iterations");
            double before = Math.Abs(conv.MeanBefore) + Math.Abs(conv.StdBefore - 1), after = Math.Abs(conv.MeanAfter) + Math.Abs(conv.StdAfter - 1);
            Assert.IsLessThanOrEqualTo(before, after, "the kept state is no farther from the targets than the original: " + report);
            // What the report says is what the model now does.
            var probe = Probe(model, x);
            Assert.AreEqual(conv.StdAfter, probe[model[1]].Std, 1e-4);
            Assert.AreEqual(conv.MeanAfter, probe[model[1]].Mean, 1e-4);
        }

        [TestMethod]
        [DataRow(0.0)]
        [DataRow(1e-7)]
        public void Lsuv_ConstantLayerOutput_IsDead_ByARelativeTest_AndNothingChanges(double weight)
        {
            using var e = Cpu();
            // Every output is −0.4, exactly (zero weight) or up to a few float32 rounding steps (weight 1e-7: a std near
            // 1e-7 of the values, not 0, which a test of std == 0 misses and scaling by 1/std would turn into noise).
            var model = new Sequential(e, new Linear(e, 8, 8), new Linear(e, 8, 4));
            var first = (Linear)model[0];
            Init.Constant(first.Weight.Value, weight);
            Init.Constant(first.Bias!.Value, -0.4);
            using Tensor x = e.CreateTensor(64, 8);
            Init.Normal(x);
            float[][] before = model.Parameters().Select(p => p.Value.ToArray()).ToArray();
            var ex = Assert.ThrowsExactly<LsuvException>(() => Lsuv.Run(model, x));
            Assert.AreEqual("0:Linear(8→8)", ex.Layer);
            StringAssert.Contains(ex.Message, "zero std");
            StringAssert.Contains(ex.Message, "Re-initialize");
            float[][] after = model.Parameters().Select(p => p.Value.ToArray()).ToArray();
            for (int i = 0; i < before.Length; i++) CollectionAssert.AreEqual(before[i], after[i], "nothing is changed");
        }

        [TestMethod]
        public void Lsuv_AllInputsOnTheFlatSide_IsRevivedByCentringBeforeTheReLU()
        {
            using var e = Cpu();
            var model = new Sequential(e, new Linear(e, 784, 32), new ReLU(e), new Linear(e, 32, 10));
            Init.Constant(((Linear)model[0]).Bias!.Value, -50);
            var flat = new Sequential(e, new Flatten(e), model);
            using Tensor x = LsuvTests.Images(e, 64);
            LsuvReport report = Lsuv.Run(flat, x);
            Assert.IsTrue(report.AllConverged, report.ToString());
            Assert.AreEqual("1.0:Linear(784→32)", report.Layers[0].Name, "named by its path, as NamedParameters names its weight");
            Assert.AreEqual("1.0.weight", flat.NamedParameters().First().Name);
            Assert.IsTrue(report.Layers[0].BiasShift > 40, report.ToString());
        }

        [TestMethod]
        [DataRow(LsuvVariant.Fastai)]
        [DataRow(LsuvVariant.Paper)]
        public void Lsuv_FailurePartWay_RestoresEveryWeightBiasAndSub(LsuvVariant variant)
        {
            using var e = Cpu();
            var model = LessonModels.Cnn(e);
            using Tensor x = LsuvTests.Images(e, 32);
            float[][] before = model.Parameters().Select(p => p.Value.ToArray()).ToArray();
            double[] subs = model.Modules().OfType<GeneralReLU>().Select(g => g.Sub).ToArray();
            // The final Linear fails when LSUV reaches it: every conv and GeneralReLU has been calibrated by then.
            using var failure = model[12].RegisterForwardHook((_, _, _) => throw new InvalidOperationException("injected failure"));
            int calibrated = 0;
            using var counter = model[9].RegisterForwardHook((_, _, _) => calibrated++);
            model.Train();
            var ex = Assert.ThrowsExactly<InvalidOperationException>(() => Lsuv.Run(model, x, new LsuvOptions { Variant = variant }));
            Assert.AreEqual("injected failure", ex.Message);
            Assert.AreEqual(1, calibrated, "the failure came after the convolutions were calibrated");
            float[][] after = model.Parameters().Select(p => p.Value.ToArray()).ToArray();
            for (int i = 0; i < before.Length; i++) CollectionAssert.AreEqual(before[i], after[i], $"parameter {model.NamedParameters().ElementAt(i).Name} is restored");
            CollectionAssert.AreEqual(subs, model.Modules().OfType<GeneralReLU>().Select(g => g.Sub).ToArray(), "every sub is restored");
            Assert.IsTrue(model.IsTraining, "the mode is restored");
            failure.Dispose();
            Assert.IsTrue(Lsuv.Run(model, x, new LsuvOptions { Variant = variant }).AllConverged, "the model and engine stay usable");
        }

        [TestMethod]
        public void Lsuv_BadOptionsAndBatches_ThrowBeforeAnythingChanges()
        {
            using var e = Cpu();
            using var other = Cpu();
            var model = LessonModels.Cnn(e);
            using Tensor x = LsuvTests.Images(e, 4);
            using Tensor elsewhere = LsuvTests.Images(other, 4);
            using Tensor rgb = e.CreateTensor(4, 3, 28, 28);
            using Tensor flat = e.CreateTensor(4, 784);
            using Tensor empty = e.CreateTensor(0, 1, 28, 28);
            using Tensor smaller = e.CreateTensor(4, 1, 14, 14);
            float[][] before = model.Parameters().Select(p => p.Value.ToArray()).ToArray();
            var paper = new LsuvOptions { Variant = LsuvVariant.Paper };

            void Bad<T>(string contains, Func<object> run) where T : ArgumentException
            {
                T ex = Assert.ThrowsExactly<T>(() => run());
                StringAssert.Contains(ex.Message, contains);
                float[][] after = model.Parameters().Select(p => p.Value.ToArray()).ToArray();
                for (int i = 0; i < before.Length; i++) CollectionAssert.AreEqual(before[i], after[i], contains);
            }

            Bad<ArgumentOutOfRangeException>("TargetMean must be a finite number", () => Lsuv.Run(model, x, new LsuvOptions { Variant = LsuvVariant.Paper, TargetMean = double.NaN }));
            Bad<ArgumentOutOfRangeException>("TargetStd must be a finite number > 0", () => Lsuv.Run(model, x, new LsuvOptions { Variant = LsuvVariant.Paper, TargetStd = double.PositiveInfinity }));
            Bad<ArgumentOutOfRangeException>("TargetStd must be a finite number > 0", () => Lsuv.Run(model, x, new LsuvOptions { TargetStd = -1 }));
            Bad<ArgumentOutOfRangeException>("Tolerance must be a finite number > 0", () => Lsuv.Run(model, x, new LsuvOptions { Variant = LsuvVariant.Paper, Tolerance = double.NaN }));
            Bad<ArgumentOutOfRangeException>("MaxIterations must be ≥ 1", () => Lsuv.Run(model, x, new LsuvOptions { Variant = LsuvVariant.Paper, MaxIterations = -3 }));
            Bad<ArgumentOutOfRangeException>("Variant", () => Lsuv.Run(model, x, new LsuvOptions { Variant = (LsuvVariant)7 }));
            Bad<ArgumentException>("another engine", () => Lsuv.Run(model, elsewhere, paper));
            Bad<ArgumentException>("takes [N, 1, H, W]", () => Lsuv.Run(model, rgb, paper));
            Bad<ArgumentException>("takes [N, 1, H, W]", () => Lsuv.Run(model, flat, paper));
            Bad<ArgumentException>("empty", () => Lsuv.Run(model, empty, paper));
            Bad<ArgumentException>("same shape after the batch dimension", () => Lsuv.Run(model, new[] { x, smaller }, paper));
            Bad<ArgumentException>("batches[1] is null", () => Lsuv.Run(model, new[] { x, null! }, paper));
            var named = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => Lsuv.Run(model, x, new LsuvOptions { Tolerance = double.PositiveInfinity }));
            Assert.AreEqual("options", named.ParamName);
            Assert.AreEqual("batches", Assert.ThrowsExactly<ArgumentException>(() => Lsuv.Run(model, rgb)).ParamName);
        }
    }
}
