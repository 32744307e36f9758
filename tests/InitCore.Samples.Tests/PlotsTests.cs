using System.IO;
using System.Linq;
using System.Text.Json;
using InitCore.Samples.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Samples.Tests
{
    [TestClass]
    public sealed class PlotsTests : TempFolder
    {
        [TestMethod]
        public void Plots_Small_WritesEveryChartOfBothInitializations()
        {
            JsonElement doc = SampleRun.Json(PlotsProgram.Run, Folder);
            Assert.AreEqual("cpu", doc.GetProperty("backend").GetProperty("kind").GetString());
            Assert.AreEqual(6, doc.GetProperty("batches").GetInt32(), "--small trains 6 batches");

            JsonElement[] runs = doc.GetProperty("runs").EnumerateArray().ToArray();
            CollectionAssert.AreEqual(new[] { "default", "kaiming" }, runs.Select(r => r.GetProperty("init").GetString()).ToArray());
            double StdOfLast(JsonElement run) => run.GetProperty("before").EnumerateArray().Reverse().Skip(1).First().GetProperty("std").GetDouble();
            Assert.IsTrue(StdOfLast(runs[1]) > 2 * StdOfLast(runs[0]),
                $"the last conv keeps more of its std with Kaiming ({StdOfLast(runs[1])}) than with the default ({StdOfLast(runs[0])})");

            // It trains on the bundled digits, so the charts show learning: after 6 batches Kaiming's run is well above chance.
            foreach (JsonElement run in runs) Assert.IsTrue(run.GetProperty("valid_accuracy").GetDouble() is >= 0 and <= 1);
            double kaimingAccuracy = runs[1].GetProperty("valid_accuracy").GetDouble();
            Assert.IsGreaterThan(0.3, kaimingAccuracy, "Kaiming's validation accuracy after 6 batches of digits (chance: 0.1)");
            Assert.IsLessThan(System.Math.Log(10), runs[1].GetProperty("train_loss").GetDouble(), "below the loss of a uniform guess");

            string[] expected = PlotsProgram.Charts.SelectMany(c => new[] { $"{c}-default.png", $"{c}-kaiming.png" }).ToArray();
            SampleRun.AssertPngs(Folder, doc.GetProperty("files"), expected);
            Assert.AreEqual(expected.Length, doc.GetProperty("files").GetArrayLength(), "no other files listed");
            Assert.AreEqual(expected.Length, Directory.GetFiles(Folder).Length, "no other files written");
        }

        [TestMethod]
        public void Plots_OneInit_WithSvg_WritesThatInitOnly()
        {
            JsonElement doc = SampleRun.Json(PlotsProgram.Run, Folder, "--init", "kaiming", "--svg");
            string[] files = doc.GetProperty("files").EnumerateArray().Select(f => Path.GetFileName(f.GetString()!)).ToArray();
            Assert.IsTrue(files.All(f => f.Contains("-kaiming.")), string.Join(", ", files));
            Assert.AreEqual(7 + 5, files.Length, "seven PNGs and the five ActivationStats charts as SVG");
            StringAssert.StartsWith(File.ReadAllText(Path.Combine(Folder, "mean-std-kaiming.svg")).TrimStart(), "<");
        }

        [TestMethod]
        public void Plots_BadInit_ExitsWithTwo()
        {
            SampleRun run = SampleRun.Of(PlotsProgram.Run, "--init", "xavier", "--out", Folder);
            Assert.AreEqual(2, run.ExitCode);
            StringAssert.Contains(run.Stderr, "'xavier'");
            Assert.AreEqual("", run.Stdout);
            Assert.AreEqual(0, Directory.GetFiles(Folder).Length, "nothing written");
        }
    }
}
