using System.Linq;
using System.Text.Json;
using InitCore.Samples.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Samples.Tests
{
    [TestClass]
    public sealed class LsuvTests : TempFolder
    {
        [TestMethod]
        public void Lsuv_Small_BringsEveryLayerToUnitStd_ThenTrainsTwoEpochs()
        {
            JsonElement doc = SampleRun.Json(LsuvProgram.Run, Folder);
            Assert.AreEqual("cpu", doc.GetProperty("backend").GetProperty("kind").GetString());
            Assert.AreEqual("fastai", doc.GetProperty("variant").GetString());

            double[] before = doc.GetProperty("before").EnumerateArray().Select(l => l.GetProperty("std").GetDouble()).ToArray();
            JsonElement[] after = doc.GetProperty("after").EnumerateArray().ToArray();
            Assert.AreEqual(6, after.Length);
            Assert.IsTrue(before.Skip(1).Take(4).All(s => s < 0.5), "PyTorch's default: the deeper conv blocks start far below std 1");
            foreach (JsonElement l in after)
            {
                Assert.AreEqual(1.0, l.GetProperty("std").GetDouble(), 0.01, $"{l.GetProperty("name")}: std after LSUV");
                Assert.AreEqual(0.0, l.GetProperty("mean").GetDouble(), 0.01, $"{l.GetProperty("name")}: mean after LSUV");
            }
            JsonElement lsuv = doc.GetProperty("lsuv");
            Assert.IsTrue(lsuv.GetProperty("all_converged").GetBoolean());
            Assert.AreEqual(6, lsuv.GetProperty("layers").GetArrayLength());

            JsonElement[] epochs = doc.GetProperty("epochs").EnumerateArray().ToArray();
            Assert.AreEqual(2, epochs.Length);
            foreach (JsonElement e in epochs)
            {
                double accuracy = e.GetProperty("valid_accuracy").GetDouble();
                Assert.IsTrue(accuracy >= 0 && accuracy <= 1, $"valid_accuracy {accuracy}");
            }
            Assert.IsTrue(epochs[1].GetProperty("valid_accuracy").GetDouble() > 0.3, "learns something in 40 batches");

            SampleRun.AssertPngs(Folder, doc.GetProperty("files"), "lsuv-mean-std.png", "lsuv-colorful-dimension.png", "lsuv-near-zero.png");
        }

        [TestMethod]
        public void Lsuv_PaperVariant_ScalesEveryLayerToUnitStd()
        {
            JsonElement doc = SampleRun.Json(LsuvProgram.Run, Folder, "--variant", "paper", "--epochs", "1", "--lsuv-batches", "2");
            Assert.AreEqual("paper", doc.GetProperty("variant").GetString());
            Assert.AreEqual(1024, doc.GetProperty("lsuv_digits").GetInt32());
            foreach (JsonElement l in doc.GetProperty("after").EnumerateArray())
                Assert.AreEqual(1.0, l.GetProperty("std").GetDouble(), 0.05, $"{l.GetProperty("name")}: std after the paper's LSUV");
        }
    }
}
