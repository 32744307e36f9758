using System;
using System.Linq;
using System.Threading;
using InitCore.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Nn
{
    [TestClass]
    public sealed class MnistTrainingTests
    {
        private static (DataLoader Train, DataLoader Valid) Loaders(int batch = 64)
        {
            MnistData data = Mnist.LoadBundled().Normalize();
            return (new DataLoader(data.Train, batch, new RandomSampler(data.Train.Count, seed: 7)), new DataLoader(data.Valid, 500));
        }

        [TestMethod]
        public void LessonCnn_OneEpochOnCpu_WithKaiming_ReachesNinetyPercent()
        {
            using var engine = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = 1 });
            var (train, valid) = Loaders(32);
            Sequential model = LessonModels.Cnn(engine);
            ModelInit.Apply(model, InitScheme.KaimingNormal(a: 0.1), InitScheme.Zeros);
            var history = Trainer.Fit(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.02, momentum: 0.9),
                epoch => train.TrainingPairs(engine, epoch), () => valid.TrainingPairs(engine), epochs: 1);
            Assert.AreEqual(1, history.Count);
            Assert.IsGreaterThanOrEqualTo(0.90, history[0].ValidAccuracy, history[0].ToString());
        }

        [TestMethod]
        public void Fit_CallsBackPerBatchAndEpoch_AndCancels()
        {
            using var engine = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = 1 });
            var (train, valid) = Loaders(500);
            Sequential model = LessonModels.Cnn(engine);
            int batches = 0, epochs = 0;
            Trainer.Fit(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.05),
                epoch => train.TrainingPairs(engine, epoch).Take(3), () => valid.TrainingPairs(engine).Take(1), epochs: 2,
                onBatch: b => batches++, onEpoch: e => { epochs++; Assert.IsFalse(double.IsNaN(e.ValidLoss)); });
            Assert.AreEqual(6, batches);
            Assert.AreEqual(2, epochs);
            using var cts = new CancellationTokenSource();
            model.Eval();
            Assert.ThrowsExactly<OperationCanceledException>(() => Trainer.Fit(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.05),
                epoch => train.TrainingPairs(engine, epoch), null, epochs: 1, onBatch: b => { if (b.Batch == 1) cts.Cancel(); }, cancellationToken: cts.Token));
            Assert.IsFalse(model.IsTraining, "Fit restores the mode it found");
        }
    }
}
