using System.IO;
using System.Linq;
using InitCore.Samples.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Samples.Tests
{
    /// <summary>
    /// The human report, redirected (as into a file): the backend line first, tables and rules that fit an 80-column
    /// terminal, text never hard-wrapped, and the --out folder honoured by every sample.
    /// </summary>
    [TestClass]
    public sealed class ConsoleOutputTests : TempFolder
    {
        private const string BoxCharacters = "╭│├╰─";

        [TestMethod]
        [DynamicData(nameof(CommandLineTests.SampleNames), typeof(CommandLineTests))]
        public void Redirected_BackendLineFirst_TablesFit80Columns_AndOutIsHonoured(string sample)
        {
            SampleRun run = SampleRun.Of(CommandLineTests.Entry(sample), "--device", "cpu", "--small", "--out", Folder);
            Assert.AreEqual(0, run.ExitCode, run.Stderr);
            string[] lines = run.Stdout.Replace("\r", "").Split('\n');

            StringAssert.StartsWith(lines[0], "CPU backend: requested — ", "the backend line comes first");
            foreach (string line in lines.Where(l => l.Length > 0 && BoxCharacters.Contains(l[0])))
                Assert.IsLessThanOrEqualTo(80, line.Length, $"{sample}: a table or rule line wider than 80 columns:\n{line}\n\n{run.Stdout}");
            Assert.IsFalse(lines.Any(l => l.Length > 0 && BoxCharacters.Contains(l[0]) && l.Contains('…')), $"{sample}: a header or cell cut off:\n{run.Stdout}");

            string[] written = Directory.GetFiles(Folder, "*.png");
            Assert.IsNotEmpty(written, $"{sample} honours --out");
            string listed = lines.Single(l => l.StartsWith("plots (", System.StringComparison.Ordinal));
            Assert.AreEqual($"plots ({written.Length} PNG) in {Folder}:", listed, "one line, the folder whole");
        }

        [TestMethod]
        public void Redirected_TextIsNotHardWrapped()
        {
            SampleRun run = SampleRun.Of(TourProgram.Run, "--device", "cpu", "--small");
            Assert.AreEqual(0, run.ExitCode, run.Stderr);
            string note = run.Stdout.Replace("\r", "").Split('\n').Single(l => l.StartsWith("The default's std falls", System.StringComparison.Ordinal));
            Assert.IsGreaterThan(80, note.Length, "a sentence longer than the tables' width ...");
            StringAssert.EndsWith(note, "LSUV sets every layer to 1 by measuring.", "... stays on one line");
        }
    }
}
