using System;
using System.Linq;
using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Diagnostics
{
    [TestClass]
    public sealed class ActivationStatsTests
    {
        private static Engine Cpu() => Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = 2 });

        [TestMethod]
        public void Records_MatchDirectStatistics_PerLayerAndBatch()
        {
            using var e = Cpu();
            var model = new Sequential(e, new Linear(e, 20, 30), new ReLU(e), new Linear(e, 30, 5));
            using var stats = new ActivationStats(model, new ActivationStatsOptions { ActivationGradients = true, WeightGradients = true });
            CollectionAssert.AreEqual(new Module[] { model[0], model[1], model[2] }, stats.Layers.ToArray());
            Tensor? lastRelu = null;
            using var probe = model[1].RegisterForwardHook((_, _, y) => lastRelu = y);
            for (int b = 0; b < 3; b++)
            {
                using Tensor x = e.CreateTensor(64, 20);
                Init.Normal(x);
                Tensor y = model.Forward(x);
                model.Backward(y);
            }
            var records = stats.Records(model[1]);
            Assert.AreEqual(3, records.Count);
            CollectionAssert.AreEqual(new[] { 0, 1, 2 }, records.Select(r => r.Batch).ToArray());
            TensorStatistics direct = TensorOps.Statistics(lastRelu!);
            Assert.AreEqual(direct.Mean, records[2].Statistics.Mean, 1e-6);
            Assert.AreEqual(direct.Std, records[2].Statistics.Std, 1e-6);
            CollectionAssert.AreEqual(direct.Histogram.ToArray(), records[2].Statistics.Histogram.ToArray());
            Assert.AreEqual(40, records[0].Statistics.Histogram.Count);
            Assert.AreEqual(3, stats.Records(model[2], StatKind.ActivationGradient).Count);
            Assert.AreEqual(3, stats.Records(model[0], StatKind.WeightGradient).Count);
            Assert.AreEqual(0, stats.Records(model[1], StatKind.WeightGradient).Count, "ReLU has no weight");
        }

        [TestMethod]
        public void History_IsBoundedByCapacity_AndThinnedByStride()
        {
            using var e = Cpu();
            var model = new Sequential(e, new Linear(e, 4, 4));
            using var stats = new ActivationStats(model, new ActivationStatsOptions { Capacity = 5, Stride = 2 });
            using Tensor x = e.CreateTensor(8, 4);
            for (int b = 0; b < 30; b++) model.Forward(x);
            var records = stats.Records(model[0]);
            Assert.AreEqual(5, records.Count);
            CollectionAssert.AreEqual(new[] { 20, 22, 24, 26, 28 }, records.Select(r => r.Batch).ToArray());
            Assert.AreEqual(30, stats.Batches);
        }

        [TestMethod]
        public void Dispose_RemovesHooks_AndExportsCsvAndJson()
        {
            using var e = Cpu();
            var model = new Sequential(e, new Linear(e, 4, 4), new ReLU(e));
            var stats = new ActivationStats(model);
            using Tensor x = e.CreateTensor(8, 4);
            Init.Normal(x);
            model.Forward(x);
            string csv = stats.ToCsv();
            string json = stats.ToJson();
            StringAssert.StartsWith(csv, "layer,kind,batch,count,mean,std,min,max,near_zero,h0,");
            Assert.AreEqual(3, csv.Trim().Split('\n').Length, "header + one record per layer");
            StringAssert.Contains(json, "\"name\":\"1:ReLU()\"");
            StringAssert.Contains(json, "\"histogram\":[");
            stats.Dispose();
            stats.Dispose();
            Assert.IsTrue(model.Modules().All(m => m.HookCount == 0));
        }

        [TestMethod]
        public void Options_OutOfRange_Throw()
        {
            using var e = Cpu();
            var model = new Linear(e, 2, 2);
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ActivationStats(model, new ActivationStatsOptions { Capacity = 0 }));
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new ActivationStats(model, new ActivationStatsOptions { Stride = 0 }));
            Assert.AreEqual(0, model.HookCount);
        }

        [TestMethod]
        public void EvaluationPasses_AreNotRecorded_ByDefault_AsFastai()
        {
            using var e = Cpu();
            var model = new Sequential(e, new Linear(e, 4, 6), new ReLU(e));
            using var stats = new ActivationStats(model);
            using Tensor train = e.CreateTensor(8, 4);
            using Tensor valid = e.CreateTensor(120, 4);
            Init.Normal(train);
            Init.Normal(valid);
            model.Train();
            model.Forward(train);
            model.Forward(train);
            model.Eval();
            model.Forward(valid); // a validation pass, 15× larger
            model.Train();
            model.Forward(train);
            var records = stats.Records(model[0]);
            CollectionAssert.AreEqual(new[] { 0, 1, 2 }, records.Select(r => r.Batch).ToArray(), "training batches only, numbered without gaps");
            Assert.IsTrue(records.All(r => r.Statistics.Count == 8 * 6), "no record of the 120-sample validation batch");
            Assert.AreEqual(3, stats.Batches);
        }

        [TestMethod]
        public void EvaluationPasses_AreRecorded_WhenAskedFor()
        {
            using var e = Cpu();
            var model = new Sequential(e, new Linear(e, 4, 6));
            using var stats = new ActivationStats(model, new ActivationStatsOptions { RecordEvaluation = true });
            using Tensor train = e.CreateTensor(8, 4);
            using Tensor valid = e.CreateTensor(120, 4);
            model.Train();
            model.Forward(train);
            model.Eval();
            model.Forward(valid);
            var records = stats.Records(model[0]);
            CollectionAssert.AreEqual(new long[] { 8 * 6, 120 * 6 }, records.Select(r => r.Statistics.Count).ToArray());
            Assert.AreEqual(2, stats.Batches);
        }

        [TestMethod]
        public void LayerNames_AgreeWithTheModel_NamedParameters_Lsuv_AndTheDoctor()
        {
            using var e = Cpu();
            var model = LessonModels.Cnn(e);
            using var stats = new ActivationStats(model);
            Assert.IsFalse(stats.Layers.Contains(model[11]), "Flatten is not watched by default");
            Assert.AreEqual("12:Linear(64→10)", stats.LayerName(model[12]), "numbered as in the model, even though Flatten is not watched");
            Assert.AreEqual("12.weight", model.NamedParameters().First(p => ReferenceEquals(p.Parameter, ((Linear)model[12]).Weight)).Name);
            Assert.AreEqual("0:Conv2d(1→8, k5, s2, p2)", stats.LayerName(model[0]));
            using Tensor x = LsuvTests.Images(e, 8);
            LsuvReport lsuv = Lsuv.Run(model, x);
            Assert.AreEqual(stats.LayerName(model[12]), lsuv.Layers.Last().Name);
            DoctorReport doctor = InitDoctor.Diagnose(model, x);
            foreach (Module layer in stats.Layers)
                Assert.IsTrue(doctor.Layers.Any(l => l.Name == stats.LayerName(layer)), stats.LayerName(layer));
            StringAssert.Contains(stats.ToJson(), "\"name\":\"12:Linear(64→10)\"");
            var ex = Assert.ThrowsExactly<ArgumentException>(() => stats.LayerName(new ReLU(e)));
            Assert.AreEqual("layer", ex.ParamName);
            StringAssert.Contains(ex.Message, "is not a module of the model");
        }

        [TestMethod]
        public void LayerNames_OfAModuleUsedTwice_AreItsFirstPath_InStatsLsuvAndTheDoctor()
        {
            using var e = Cpu();
            var relu = new ReLU(e);
            var model = new Sequential(e, new Linear(e, 4, 8), relu, new Linear(e, 8, 8), relu, new Linear(e, 8, 2));
            using var stats = new ActivationStats(model);
            Assert.AreEqual("1:ReLU()", stats.LayerName(relu));
            using Tensor x = e.CreateTensor(64, 4);
            Init.Normal(x);
            Assert.AreEqual("2:Linear(8→8)", Lsuv.Run(model, x).Layers[1].Name);
            Assert.AreEqual("1:ReLU()", InitDoctor.Diagnose(model, x).Layers[3].Name);
        }

        [TestMethod]
        public void LayerNames_InANestedModel_AreThePathsNamedParametersUse()
        {
            using var e = Cpu();
            var model = new Sequential(e, new Linear(e, 4, 4), new Sequential(e, new ReLU(e), new Linear(e, 4, 2)));
            using var stats = new ActivationStats(model);
            Assert.AreEqual("1.1:Linear(4→2)", stats.LayerName(model.Modules().OfType<Linear>().Last()));
            CollectionAssert.Contains(model.NamedParameters().Select(p => p.Name).ToArray(), "1.1.weight");
            Assert.AreEqual("1.0:ReLU()", stats.LayerName(model.Modules().OfType<ReLU>().Single()));
        }
    }
}
