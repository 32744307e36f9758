using System.IO;
using System.Linq;
using System.Text.Json;
using InitCore.Samples.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Samples.Tests
{
    [TestClass]
    public sealed class MnistTests : TempFolder
    {
        [TestMethod]
        public void Mnist_Small_NormalizesBothSetsWithTheTrainingStatistics_ShufflesWithTheSeed_AndDrawsTheDigits()
        {
            JsonElement doc = SampleRun.Json(MnistProgram.Run, Folder);
            Assert.AreEqual("cpu", doc.GetProperty("backend").GetProperty("kind").GetString());
            Assert.AreEqual("bundled", doc.GetProperty("source").GetString());
            Assert.AreEqual(8000, doc.GetProperty("counts").GetProperty("train").GetInt32());
            Assert.AreEqual(2000, doc.GetProperty("counts").GetProperty("valid").GetInt32());

            JsonElement training = doc.GetProperty("training"), raw = doc.GetProperty("raw").GetProperty("train");
            Assert.AreEqual(0.1309, training.GetProperty("mean").GetDouble(), 0.001, "the subset's pixel mean (x/255)");
            Assert.AreEqual(0.3084, training.GetProperty("std").GetDouble(), 0.001);
            Assert.AreEqual(raw.GetProperty("mean").GetDouble(), training.GetProperty("mean").GetDouble(), 1e-12, "fitted on the training set");

            JsonElement train = doc.GetProperty("normalized").GetProperty("train"), valid = doc.GetProperty("normalized").GetProperty("valid");
            Assert.AreEqual(0, train.GetProperty("mean").GetDouble(), 1e-4);
            Assert.AreEqual(1, train.GetProperty("std").GetDouble(), 1e-4);
            double validMean = valid.GetProperty("mean").GetDouble(), validStd = valid.GetProperty("std").GetDouble();
            Assert.AreEqual(0, validMean, 0.05, "close to 0 ...");
            Assert.AreEqual(1, validStd, 0.05, "... and to 1");
            Assert.IsTrue(validMean != 0 && validStd != 1, "but not exactly: the validation set is normalized with the TRAINING statistics");

            int[] labels = doc.GetProperty("first_batch_labels").EnumerateArray().Select(l => l.GetInt32()).ToArray();
            Assert.AreEqual(64, labels.Length);
            Assert.IsTrue(labels.All(l => l >= 0 && l <= 9));
            JsonElement[] epochs = doc.GetProperty("epochs").EnumerateArray().ToArray();
            Assert.AreEqual(2, epochs.Length);
            Assert.AreEqual(125, epochs[0].GetProperty("batches").GetInt32(), "8,000 / 64, drop_last");
            int[] second = epochs[1].GetProperty("first_batch_labels").EnumerateArray().Select(l => l.GetInt32()).ToArray();
            CollectionAssert.AreNotEqual(labels, second, "each epoch reshuffles");

            // The same seed gives the same batches; another seed other ones.
            int[] Labels(JsonElement d) => d.GetProperty("first_batch_labels").EnumerateArray().Select(l => l.GetInt32()).ToArray();
            CollectionAssert.AreEqual(labels, Labels(SampleRun.Json(MnistProgram.Run, Folder)));
            CollectionAssert.AreNotEqual(labels, Labels(SampleRun.Json(MnistProgram.Run, Folder, "--seed", "7")));
            SampleRun.AssertPngs(Folder, doc.GetProperty("files"), "first-digits.png");
            Assert.AreEqual(1, Directory.GetFiles(Folder).Length, "--out gets the digits' picture and nothing else");
        }

        [TestMethod]
        public void Mnist_MissingFolder_ExitsWithOne_AndSaysWhyOnStderr()
        {
            string missing = Path.Combine(Folder, "no-such-mnist");
            SampleRun run = SampleRun.Of(MnistProgram.Run, "--device", "cpu", "--json", "--folder", missing);
            Assert.AreEqual(1, run.ExitCode);
            StringAssert.Contains(run.Stderr, "Mnist failed");
            Assert.AreEqual("", run.Stdout, "nothing on stdout");
        }
    }
}
