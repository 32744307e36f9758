using System;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Data
{
    [TestClass]
    public sealed class NormalizationTests
    {
        private static readonly Lazy<MnistData> Bundled = new Lazy<MnistData>(() => Mnist.LoadBundled());

        [TestMethod]
        public void FeatureStatistics_Compute_UsesBesselCorrectedStd()
        {
            FeatureStatistics s = FeatureStatistics.Compute(new float[] { 1, 2, 3, 4 });
            Assert.AreEqual(4, s.Count);
            Assert.AreEqual(2.5, s.Mean, 1e-15);
            Assert.AreEqual(Math.Sqrt(5.0 / 3.0), s.Std, 1e-15);
            Assert.AreEqual(1.0, s.Min);
            Assert.AreEqual(4.0, s.Max);
        }

        [TestMethod]
        public void Normalizer_Apply_ComputesXMinusMeanOverStd()
        {
            var norm = new Normalizer(0.5, 0.25);
            var values = new float[] { 0.5f, 1f, 0f, 0.25f };
            norm.Apply(values);
            CollectionAssert.AreEqual(new float[] { 0f, 2f, -2f, -1f }, values);
        }

        [TestMethod]
        public void MnistNormalize_TrainingSet_HasMeanZeroStdOne()
        {
            MnistData data = Bundled.Value.Normalize();
            FeatureStatistics train = data.Train.ComputeStatistics();
            Assert.AreEqual(0.0, train.Mean, 1e-6);
            Assert.AreEqual(1.0, train.Std, 1e-6);
            Assert.AreEqual(0.130892947, data.Normalization!.Mean, 1e-8);
            Assert.AreEqual(0.308363147, data.Normalization.Std, 1e-8);
        }

        [TestMethod]
        public void MnistNormalize_ValidationSet_UsesTrainingStatistics()
        {
            MnistData raw = Bundled.Value;
            MnistData data = raw.Normalize();
            FeatureStatistics trainRaw = raw.Train.ComputeStatistics();
            FeatureStatistics validRaw = raw.Valid.ComputeStatistics();
            FeatureStatistics valid = data.Valid.ComputeStatistics();

            // The validation set is shifted and scaled by the training mean and std, so it lands near (0, 1) but not on it.
            Assert.AreEqual((validRaw.Mean - trainRaw.Mean) / trainRaw.Std, valid.Mean, 1e-6);
            Assert.AreEqual(validRaw.Std / trainRaw.Std, valid.Std, 1e-6);
            Assert.AreEqual(0.0037748, valid.Mean, 1e-6);
            Assert.AreEqual(1.0054216, valid.Std, 1e-6);
            Assert.AreNotEqual(0.0, valid.Mean, 1e-3, "normalizing with the validation set's own mean would give 0");

            // Element by element, both sets use the very same formula.
            float x = raw.Valid.Features[300];
            Assert.AreEqual((float)((x - trainRaw.Mean) / trainRaw.Std), data.Valid.Features[300]);
            CollectionAssert.AreEqual(raw.Valid.Labels.ToArray(), data.Valid.Labels.ToArray());
        }

        [TestMethod]
        public void MnistNormalize_Twice_ThrowsSayingItIsAlreadyNormalized()
        {
            MnistData once = Bundled.Value.Normalize();
            var ex = Assert.Throws<InvalidOperationException>(() => once.Normalize());
            StringAssert.Contains(ex.Message, "already normalized");
        }

        [TestMethod]
        public void Normalizer_FitOnConstantData_ThrowsNamingTraining()
        {
            var constant = new Dataset(new float[] { 3, 3, 3, 3 }, new[] { 0, 1 }, new[] { 2 }, "flat");
            var ex = Assert.Throws<ArgumentException>(() => Normalizer.Fit(constant));
            Assert.AreEqual("training", ex.ParamName);
            StringAssert.Contains(ex.Message, "'flat'");
        }

        [TestMethod]
        public void Normalizer_NonPositiveStd_ThrowsNamingStd()
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new Normalizer(0, 0));
            Assert.AreEqual("std", ex.ParamName);
            Assert.AreEqual("mean", Assert.Throws<ArgumentOutOfRangeException>(() => new Normalizer(double.NaN, 1)).ParamName);
        }
    }
}
