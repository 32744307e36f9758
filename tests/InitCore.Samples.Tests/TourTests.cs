using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using InitCore.Samples.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Samples.Tests
{
    [TestClass]
    public sealed class TourTests : TempFolder
    {
        [TestMethod]
        public void Tour_Small_ReportsEachSchemesLayersAndAccuracy_AndWritesPlots()
        {
            JsonElement doc = SampleRun.Json(TourProgram.Run, Folder);

            Assert.AreEqual("cpu", doc.GetProperty("backend").GetProperty("kind").GetString());
            StringAssert.StartsWith(doc.GetProperty("backend").GetProperty("reason").GetString(), "CPU backend");
            JsonElement[] schemes = doc.GetProperty("schemes").EnumerateArray().ToArray();
            CollectionAssert.AreEqual(new[] { "default", "kaiming", "lsuv" }, schemes.Select(s => s.GetProperty("name").GetString()).ToArray());
            foreach (JsonElement s in schemes)
            {
                JsonElement[] layers = s.GetProperty("layers").EnumerateArray().ToArray();
                Assert.AreEqual(6, layers.Length, "five conv blocks and the linear head");
                foreach (JsonElement l in layers)
                {
                    Assert.IsFalse(string.IsNullOrEmpty(l.GetProperty("name").GetString()));
                    Assert.IsTrue(double.IsFinite(l.GetProperty("mean").GetDouble()));
                    Assert.IsTrue(l.GetProperty("std").GetDouble() > 0);
                }
                double accuracy = s.GetProperty("valid_accuracy").GetDouble();
                Assert.IsTrue(accuracy >= 0 && accuracy <= 1, $"{s.GetProperty("name")}: valid_accuracy {accuracy}");
            }

            // The story: the default's deepest conv block has shrunk; LSUV's layers sit at std 1.
            double[] Stds(int scheme) => schemes[scheme].GetProperty("layers").EnumerateArray().Select(l => l.GetProperty("std").GetDouble()).ToArray();
            Assert.IsTrue(Stds(0)[4] < 0.5, $"default, last conv block: std {Stds(0)[4]}");
            foreach (double std in Stds(2)) Assert.AreEqual(1.0, std, 0.1, "LSUV layer std on the probe batch");
            Assert.IsTrue(doc.GetProperty("lsuv").GetProperty("all_converged").GetBoolean());

            SampleRun.AssertPngs(Folder, doc.GetProperty("files"),
                "default-mean-std.png", "default-colorful-dimension.png", "kaiming-mean-std.png", "kaiming-colorful-dimension.png",
                "lsuv-mean-std.png", "lsuv-colorful-dimension.png");
        }

        [TestMethod]
        public void ReadmeTourExcerpt_IsWhatTheTourPrints()
        {
            // README.md: "The Tour compares ..." and an excerpt of a real run. The Tour runs here at its defaults on the
            // CPU; every line of the excerpt must be in its output: labels and headers exactly, numbers within what
            // another thread count or SIMD width changes (the seconds column, a timing, is not compared).
            string readme = File.ReadAllText(Path.Combine(Repository.Root, "README.md")).Replace("\r", "");
            int intro = readme.IndexOf("The Tour compares", StringComparison.Ordinal);
            Assert.IsGreaterThanOrEqualTo(0, intro, "the README introduces the Tour excerpt");
            int open = readme.IndexOf("```\n", intro, StringComparison.Ordinal) + 4;
            int close = readme.IndexOf("```", open, StringComparison.Ordinal);
            string[] excerpt = readme[open..close].Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.IsGreaterThan(10, excerpt.Length, "an excerpt with the tables");

            SampleRun run = SampleRun.Of(TourProgram.Run, "--device", "cpu");
            Assert.AreEqual(0, run.ExitCode, run.Stderr);
            string[] output = run.Stdout.Replace("\r", "").Split('\n');

            // The backend line depends on the machine; the excerpt's is a CPU one, as the run here is.
            StringAssert.StartsWith(excerpt[0], "CPU backend");
            StringAssert.StartsWith(output[0], "CPU backend");
            int? secondsColumn = null;
            foreach (string line in excerpt.Skip(1))
            {
                if (!line.StartsWith('│'))
                {
                    Assert.IsTrue(output.Any(o => o.Trim() == line.Trim()), $"the Tour prints the excerpt's line:\n{line}\n\n{run.Stdout}");
                    continue;
                }
                string[] cells = Cells(line);
                if (Array.IndexOf(cells, "seconds") is int s && s >= 0) secondsColumn = s;
                bool matched = output.Where(o => o.StartsWith('│')).Select(Cells)
                    .Any(o => o.Length == cells.Length && o[0] == cells[0] && Enumerable.Range(1, cells.Length - 1).All(c => c == secondsColumn || Close(cells[c], o[c])));
                Assert.IsTrue(matched, $"the Tour prints a row like the excerpt's:\n{line}\n\n{run.Stdout}");
            }
        }

        private static string[] Cells(string line) => line.Trim().Trim('│').Split('│').Select(c => c.Trim()).ToArray();

        /// <summary>Equal text, or numbers within 0.02 or 2 %: what a different summation order changes after training.</summary>
        private static bool Close(string expected, string actual)
        {
            var invariant = System.Globalization.CultureInfo.InvariantCulture;
            if (double.TryParse(expected, System.Globalization.NumberStyles.Float, invariant, out double e) &&
                double.TryParse(actual, System.Globalization.NumberStyles.Float, invariant, out double a))
                return Math.Abs(e - a) <= Math.Max(0.02, 0.02 * Math.Abs(e));
            return expected == actual;
        }
    }
}
