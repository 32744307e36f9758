using System;
using System.Linq;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Plots.Tests
{
    [TestClass]
    public sealed class HistogramTests
    {
        [TestMethod]
        public void Of_CountsEveryFiniteValueOnce_BetweenMinAndMax()
        {
            float[] values = Enumerable.Range(0, 1000).Select(i => (float)Math.Sin(i)).Append(float.NaN).Append(float.PositiveInfinity).ToArray();
            Histogram h = Histogram.Of(values, 50);
            Assert.AreEqual(1000.0, h.Counts.Sum());
            Assert.AreEqual(20, h.Counts.Length, "Rice's rule: 2·∛1000 = 20 bins, fewer than the 50 asked for");
            Assert.AreEqual(values.Take(1000).Min(), h.Min, 1e-7);
            Assert.AreEqual(values.Take(1000).Max(), h.Max, 1e-7);
            Assert.AreEqual(values.Take(1000).Average(v => (double)v), h.Mean, 1e-12);
        }

        [TestMethod]
        public void Of_ManyValues_UsesTheBinsAskedFor()
        {
            float[] values = Enumerable.Range(0, 100_000).Select(i => i / 100_000f).ToArray();
            Histogram h = Histogram.Of(values, 50);
            Assert.AreEqual(50, h.Counts.Length);
            Assert.IsTrue(h.Counts.All(c => Math.Abs(c - 2000) <= 1), "uniform values fill the bins evenly");
        }

        [TestMethod]
        public void Of_ConstantTensor_GetsOneVisibleBarAroundItsValue()
        {
            Histogram h = Histogram.Of(new float[64], 50);
            Assert.AreEqual(64.0, h.Counts.Sum());
            Assert.IsTrue(h.Min < 0 && h.Max > 0);
            Assert.AreEqual(0.0, h.Std);
        }

        [TestMethod]
        [DataRow(1, 1, 1)]
        [DataRow(2, 1, 2)]
        [DataRow(3, 1, 3)]
        [DataRow(4, 2, 2)]
        [DataRow(5, 2, 3)]
        [DataRow(12, 3, 4)]
        [DataRow(21, 4, 6)]
        public void Grid_HasFloorSqrtRows_AsFastai(int count, int rows, int columns)
        {
            Assert.AreEqual((rows, columns), Figure.Grid(count));
        }
    }
}
