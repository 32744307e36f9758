using System;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests
{
    [TestClass]
    public sealed class FanTests
    {
        [TestMethod]
        [DataRow(new[] { 10, 20 }, 20.0, 10.0)]
        [DataRow(new[] { 32, 1, 5, 5 }, 25.0, 800.0)]
        [DataRow(new[] { 64, 32, 3, 3 }, 288.0, 576.0)]
        [DataRow(new[] { 8, 4, 3 }, 12.0, 24.0)]
        [DataRow(new[] { 8, 4, 2, 3, 5 }, 120.0, 240.0)]
        public void FromShape_MatchesTorchRule(int[] shape, double fanIn, double fanOut)
        {
            Assert.AreEqual(new Fans(fanIn, fanOut), Fans.FromShape(shape));
        }

        [TestMethod]
        public void FromShape_OneDimension_ThrowsLikeTorch()
        {
            var ex = Assert.ThrowsExactly<ArgumentException>(() => Fans.FromShape(new[] { 5 }));
            StringAssert.Contains(ex.Message, "fewer than 2 dimensions");
            StringAssert.Contains(ex.Message, "[5]");
            Assert.AreEqual("shape", ex.ParamName);
        }

        [TestMethod]
        public void ForConv_Grouped_DividesBothFansByGroups()
        {
            // Conv2d(32, 64, 3, groups=4): weight [64, 8, 3, 3].
            Fans f = Fans.ForConv(32, 64, new[] { 3, 3 }, groups: 4);
            Assert.AreEqual(new Fans(72, 144), f);
            Assert.AreEqual(f.FanIn, Fans.FromShape(new[] { 64, 8, 3, 3 }).FanIn, "PyTorch gets fan_in right");
            Assert.AreEqual(576.0, Fans.FromShape(new[] { 64, 8, 3, 3 }).FanOut, "PyTorch's fan_out is groups times too large");
        }

        [TestMethod]
        public void ForConv_Depthwise_FanOutIsKernelTimesMultiplier()
        {
            Assert.AreEqual(new Fans(9, 9), Fans.ForConv(64, 64, new[] { 3, 3 }, groups: 64));
            Assert.AreEqual(new Fans(9, 18), Fans.ForConv(64, 128, new[] { 3, 3 }, groups: 64));
        }

        [TestMethod]
        public void ForConvTranspose_DividesFanInByStride()
        {
            // ConvTranspose2d(16, 8, 4, stride 2): each output sums 16·(4/2)² = 64 terms; each input reaches 8·16 = 128 outputs.
            Assert.AreEqual(new Fans(64, 128), Fans.ForConvTranspose(16, 8, new[] { 4, 4 }, 1, new[] { 2, 2 }));
            Assert.AreEqual(new Fans(144, 72), Fans.ForConvTranspose(16, 8, new[] { 3, 3 }));
        }

        [TestMethod]
        public void ForConv_GroupsNotDividingChannels_Throws()
        {
            var ex = Assert.ThrowsExactly<ArgumentException>(() => Fans.ForConv(30, 64, new[] { 3 }, groups: 4));
            Assert.AreEqual("groups", ex.ParamName);
            StringAssert.Contains(ex.Message, "in_channels = 30");
        }

        [TestMethod]
        public void ForConvTranspose_StrideRankMismatch_Throws()
        {
            var ex = Assert.ThrowsExactly<ArgumentException>(() => Fans.ForConvTranspose(4, 4, new[] { 3, 3 }, 1, new[] { 2 }));
            Assert.AreEqual("stride", ex.ParamName);
        }

        [TestMethod]
        public void Select_FanAvg_IsMean()
        {
            Assert.AreEqual(15.0, new Fans(10, 20).Select(FanMode.FanAvg));
        }

        [TestMethod]
        [DataRow("fan_in", FanMode.FanIn)]
        [DataRow("fan_out", FanMode.FanOut)]
        [DataRow("fan_avg", FanMode.FanAvg)]
        public void ParseMode_TorchNames(string name, FanMode mode) => Assert.AreEqual(mode, Fans.ParseMode(name));

        [TestMethod]
        public void ParseMode_Unknown_ThrowsLikeTorch()
        {
            var ex = Assert.ThrowsExactly<ArgumentException>(() => Fans.ParseMode("fan_inn"));
            StringAssert.Contains(ex.Message, "Mode \"fan_inn\" not supported, please use one of fan_in, fan_out");
            Assert.AreEqual("mode", ex.ParamName);
        }

        [TestMethod]
        public void Fans_NegativeValue_Throws()
        {
            Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new Fans(-1, 3));
        }
    }
}
