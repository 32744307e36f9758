using System.Linq;
using System.Text.Json;
using InitCore.Samples.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Samples.Tests
{
    /// <summary>The contract every sample shares: exit codes 0 / 1 / 2, messages on stderr, help, the backend choice.</summary>
    [TestClass]
    public sealed class CommandLineTests
    {
        public static readonly (string Name, SampleEntry Run)[] Samples =
        {
            ("Tour", TourProgram.Run),
            ("VarianceExperiments", VarianceExperimentsProgram.Run),
            ("WhySqrt5", WhySqrt5Program.Run),
            ("Lsuv", LsuvProgram.Run),
            ("HostEmbedding", HostEmbeddingProgram.Run),
            ("Mnist", MnistProgram.Run),
            ("Plots", PlotsProgram.Run),
        };

        public static System.Collections.Generic.IEnumerable<object[]> SampleNames => Samples.Select(s => new object[] { s.Name });

        private static SampleEntry Entry(string name) => Samples.Single(s => s.Name == name).Run;

        [TestMethod]
        [DynamicData(nameof(SampleNames))]
        public void BadDevice_ExitsWithTwo_AndSaysWhyOnStderr(string sample)
        {
            SampleRun run = SampleRun.Of(Entry(sample), "--device", "gpu");
            Assert.AreEqual(2, run.ExitCode);
            StringAssert.Contains(run.Stderr, "'gpu'");
            StringAssert.Contains(run.Stderr, "cpu");
            Assert.AreEqual("", run.Stdout, "nothing on stdout");
        }

        [TestMethod]
        [DynamicData(nameof(SampleNames))]
        public void UnknownOptionOrBadNumber_ExitsWithTwo(string sample)
        {
            Assert.AreEqual(2, SampleRun.Of(Entry(sample), "--no-such-option").ExitCode);
            SampleRun run = SampleRun.Of(Entry(sample), "--threads", "0");
            Assert.AreEqual(2, run.ExitCode);
            StringAssert.Contains(run.Stderr, "--threads must be at least 1");
        }

        [TestMethod]
        [DynamicData(nameof(SampleNames))]
        public void Help_ListsTheCommonOptions_AndExitsWithZero(string sample)
        {
            SampleRun run = SampleRun.Of(Entry(sample), "--help");
            Assert.AreEqual(0, run.ExitCode, run.Stderr);
            foreach (string option in new[] { "--device", "--out", "--json", "--small" }) StringAssert.Contains(run.Stdout, option);
        }

        [TestMethod]
        public void DeviceCuda_WithoutAGpu_ExitsWithOne_AndTheCudaMessage_OtherwiseRunsOnCuda()
        {
            bool gpu;
            using (var probe = Engine.Create()) gpu = probe.Backend == BackendKind.Cuda;
            SampleRun run = SampleRun.Of(HostEmbeddingProgram.Run, "--device", "cuda", "--small", "--json");
            if (gpu)
            {
                Assert.AreEqual(0, run.ExitCode, run.Stderr);
                using JsonDocument doc = JsonDocument.Parse(run.Stdout);
                Assert.AreEqual("cuda", doc.RootElement.GetProperty("backend").GetProperty("kind").GetString());
                return;
            }
            Assert.AreEqual(1, run.ExitCode);
            StringAssert.Contains(run.Stderr, "CUDA is not usable");
            StringAssert.Contains(run.Stderr, "Load trace");
            Assert.AreEqual("", run.Stdout);
        }

        [TestMethod]
        public void DeviceAuto_WithoutAGpu_FallsBackToTheCpu_AndSaysWhy()
        {
            SampleRun run = SampleRun.Of(WhySqrt5Program.Run, "--device", "auto", "--small");
            Assert.AreEqual(0, run.ExitCode, run.Stderr);
            using var probe = Engine.Create();
            StringAssert.StartsWith(run.Stdout, probe.BackendReason, "the backend line comes first");
        }
    }
}
