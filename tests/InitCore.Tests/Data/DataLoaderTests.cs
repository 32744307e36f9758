using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Data
{
    [TestClass]
    public sealed class DataLoaderTests
    {
        /// <summary>n samples of shape [2]: sample i holds (i, −i), label i mod 10.</summary>
        private static Dataset Numbered(int n)
        {
            var x = new float[2 * n];
            var y = new int[n];
            for (int i = 0; i < n; i++) { x[2 * i] = i; x[2 * i + 1] = -i; y[i] = i % 10; }
            return new Dataset(x, y, new[] { 2 }, "numbered");
        }

        private static int[] Order(DataLoader loader, int epoch) => loader.GetBatches(epoch).SelectMany(b => b.Indices).ToArray();

        [TestMethod]
        public void DataLoader_TenSamplesInBatchesOfFour_GivesFourFourTwo()
        {
            var loader = new DataLoader(Numbered(10), batchSize: 4);
            CollectionAssert.AreEqual(new[] { 4, 4, 2 }, loader.GetBatches().Select(b => b.Count).ToArray());
            Assert.AreEqual(3, loader.BatchCount);
        }

        [TestMethod]
        public void DataLoader_DropLast_DropsTheIncompleteBatch()
        {
            var loader = new DataLoader(Numbered(10), batchSize: 4, dropLast: true);
            CollectionAssert.AreEqual(new[] { 4, 4 }, loader.GetBatches().Select(b => b.Count).ToArray());
            Assert.AreEqual(2, loader.BatchCount);
            Assert.AreEqual(0, new DataLoader(Numbered(3), 4, dropLast: true).GetBatches().Count());
            Assert.AreEqual(2, new DataLoader(Numbered(8), 4, dropLast: true).GetBatches().Count());
        }

        [TestMethod]
        public void DataLoader_Sequential_VisitsSamplesInOrderWithTheirFeaturesAndLabels()
        {
            var loader = new DataLoader(Numbered(7), batchSize: 3);
            CollectionAssert.AreEqual(Enumerable.Range(0, 7).ToArray(), Order(loader, 0));
            CollectionAssert.AreEqual(Order(loader, 0), Order(loader, 5), "a sequential order does not change with the epoch");
            foreach (var (x, y, count) in loader.GetBatches())
            {
                Assert.AreEqual(2 * count, x.Length);
                for (int k = 0; k < count; k++)
                {
                    int i = (int)x[2 * k];
                    Assert.AreEqual(-i, x[2 * k + 1]);
                    Assert.AreEqual(i % 10, y[k]);
                }
            }
            Batch last = loader.GetBatches().Last();
            CollectionAssert.AreEqual(new[] { 1, 2 }, last.Shape.ToArray());
        }

        [TestMethod]
        public void RandomSampler_SameSeedAndEpoch_GivesTheSamePermutation()
        {
            var a = new DataLoader(Numbered(100), 16, new RandomSampler(100, seed: 42));
            var b = new DataLoader(Numbered(100), 16, new RandomSampler(100, seed: 42));
            CollectionAssert.AreEqual(Order(a, 3), Order(b, 3));
            CollectionAssert.AreEqual(Order(a, 3), Order(a, 3));
        }

        [TestMethod]
        public void RandomSampler_DifferentSeed_GivesAnotherPermutation()
        {
            CollectionAssert.AreNotEqual(new RandomSampler(100, 1).GetIndices(0), new RandomSampler(100, 2).GetIndices(0));
        }

        [TestMethod]
        public void RandomSampler_DifferentEpoch_GivesAnotherPermutation()
        {
            var s = new RandomSampler(100, 7);
            CollectionAssert.AreNotEqual(s.GetIndices(0), s.GetIndices(1));
            CollectionAssert.AreNotEqual(s.GetIndices(1), s.GetIndices(2));
        }

        [TestMethod]
        public void RandomSampler_EveryEpoch_VisitsEveryIndexExactlyOnce()
        {
            var loader = new DataLoader(Numbered(1000), 64, new RandomSampler(1000, 5));
            for (int epoch = 0; epoch < 5; epoch++)
            {
                int[] order = Order(loader, epoch);
                CollectionAssert.AreEqual(Enumerable.Range(0, 1000).ToArray(), order.OrderBy(i => i).ToArray(), $"epoch {epoch}");
                CollectionAssert.AreNotEqual(Enumerable.Range(0, 1000).ToArray(), order);
            }
        }

        [TestMethod]
        public void RandomSampler_Seed42_MatchesTheDocumentedAlgorithm()
        {
            // Computed independently by a Python transcription of the algorithm documented on RandomSampler
            // (Philox4x32-10 checked against Random123's known answer, then Fisher–Yates with rejection).
            CollectionAssert.AreEqual(new[] { 4, 8, 1, 6, 0, 9, 2, 5, 7, 3 }, new RandomSampler(10, 42).GetIndices(0));
            CollectionAssert.AreEqual(new[] { 5, 1, 8, 4, 7, 6, 3, 0, 2, 9 }, new RandomSampler(10, 42).GetIndices(1));
        }

        [TestMethod]
        public void RandomSampler_AllPermutationsOfThree_AreEquallyLikely()
        {
            var counts = new Dictionary<string, int>();
            const int seeds = 6000;
            for (ulong seed = 0; seed < seeds; seed++)
            {
                string key = string.Join(",", new RandomSampler(3, seed).GetIndices(0));
                counts[key] = counts.TryGetValue(key, out int c) ? c + 1 : 1;
            }
            Assert.AreEqual(6, counts.Count);
            double chi2 = counts.Values.Sum(c => (c - 1000.0) * (c - 1000.0) / 1000.0);
            Assert.IsTrue(chi2 < 20.52, $"chi-square {chi2:F2} over 6 permutations (5 degrees of freedom) exceeds the 0.1% critical value 20.52");
        }

        [TestMethod]
        public void DataLoader_TensorBatches_AreTensorsOfTheBatchShapeOnTheEngine()
        {
            using var engine = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu });
            var data = new Dataset(new float[5 * 4], new int[5], new[] { 1, 2, 2 }, "img");
            var loader = new DataLoader(data, 2, new RandomSampler(5, 3));
            var host = loader.GetBatches(1).ToList();
            int b = 0;
            foreach (var (x, y, count) in loader.GetBatches(engine, 1))
            {
                using (x)
                {
                    CollectionAssert.AreEqual(new[] { count, 1, 2, 2 }, x.Shape.ToArray());
                    CollectionAssert.AreEqual(host[b].Features, x.ToArray());
                    CollectionAssert.AreEqual(host[b].Labels, y);
                }
                b++;
            }
            Assert.AreEqual(3, b);
        }

        [TestMethod]
        public void DataLoader_BundledMnistBatches_AreB1x28x28()
        {
            MnistData data = Mnist.LoadBundled();
            var loader = new DataLoader(data.Train, 64, new RandomSampler(data.Train.Count, 0), dropLast: true);
            Assert.AreEqual(125, loader.BatchCount);
            Batch first = loader.GetBatches().First();
            CollectionAssert.AreEqual(new[] { 64, 1, 28, 28 }, first.Shape.ToArray());
            Assert.AreEqual(64 * 784, first.Features.Length);
        }

        [TestMethod]
        public void DataLoader_BatchSizeBelowOne_ThrowsNamingBatchSize()
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new DataLoader(Numbered(3), 0));
            Assert.AreEqual("batchSize", ex.ParamName);
        }

        [TestMethod]
        public void DataLoader_SamplerOfAnotherSize_ThrowsNamingSampler()
        {
            var ex = Assert.Throws<ArgumentException>(() => new DataLoader(Numbered(3), 1, new RandomSampler(4, 0)));
            Assert.AreEqual("sampler", ex.ParamName);
            StringAssert.Contains(ex.Message, "orders 4 samples but data set 'numbered' has 3");
        }

        [TestMethod]
        public void DataLoader_NegativeEpoch_ThrowsNamingEpoch()
        {
            var loader = new DataLoader(Numbered(3), 1);
            Assert.AreEqual("epoch", Assert.Throws<ArgumentOutOfRangeException>(() => loader.GetBatches(-1)).ParamName);
            Assert.AreEqual("epoch", Assert.Throws<ArgumentOutOfRangeException>(() => new RandomSampler(3, 0).GetIndices(-1)).ParamName);
        }

        [TestMethod]
        public void Dataset_FeaturesNotMatchingLabels_ThrowsNamingFeatures()
        {
            var ex = Assert.Throws<ArgumentException>(() => new Dataset(new float[7], new int[2], new[] { 1, 2, 2 }, "bad"));
            Assert.AreEqual("features", ex.ParamName);
            StringAssert.Contains(ex.Message, "2 labels × 4 values per sample [1, 2, 2] = 8 feature values expected, but 7 were given");
        }

        [TestMethod]
        public void Dataset_Slice_CopiesTheRange()
        {
            Dataset part = Numbered(10).Slice(3, 4);
            Assert.AreEqual(4, part.Count);
            Assert.AreEqual(3f, part.GetFeatures(0)[0]);
            Assert.AreEqual(6, part.GetLabel(3));
            Assert.AreEqual("count", Assert.Throws<ArgumentOutOfRangeException>(() => Numbered(10).Slice(8, 3)).ParamName);
        }
    }
}
