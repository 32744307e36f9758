using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using InitCore.Backends;
using InitCore.Samples.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Samples.Tests
{
    /// <summary>The contract every sample shares: exit codes 0 / 1 / 2, messages on stderr, help, the backend choice.</summary>
    [TestClass]
    public sealed class CommandLineTests
    {
        public static readonly (string Name, SampleEntry Run, Func<RootCommand> Command)[] Samples =
        {
            ("Tour", TourProgram.Run, () => TourProgram.Command),
            ("VarianceExperiments", VarianceExperimentsProgram.Run, () => VarianceExperimentsProgram.Command),
            ("WhySqrt5", WhySqrt5Program.Run, () => WhySqrt5Program.Command),
            ("Lsuv", LsuvProgram.Run, () => LsuvProgram.Command),
            ("HostEmbedding", HostEmbeddingProgram.Run, () => HostEmbeddingProgram.Command),
            ("Mnist", MnistProgram.Run, () => MnistProgram.Command),
            ("Plots", PlotsProgram.Run, () => PlotsProgram.Command),
        };

        public static IEnumerable<object[]> SampleNames => Samples.Select(s => new object[] { s.Name });

        internal static SampleEntry Entry(string name) => Samples.Single(s => s.Name == name).Run;

        private static readonly Type[] WholeNumbers = { typeof(int), typeof(long), typeof(uint), typeof(ulong), typeof(short), typeof(ushort), typeof(byte) };
        private static readonly Type[] Fractions = { typeof(double), typeof(float), typeof(decimal) };

        private static Type Underlying(Type type) => Nullable.GetUnderlyingType(type) ?? type;

        /// <summary>A bad-arguments run: exit code 2, exactly one line on stderr and no stack trace, nothing on stdout.</summary>
        private static void AssertBadArguments(SampleRun run, string because)
        {
            Assert.AreEqual(2, run.ExitCode, $"{because}; stderr: {run.Stderr}");
            string[] lines = run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            Assert.HasCount(1, lines, $"{because}: one line on stderr, got:\n{run.Stderr}");
            Assert.IsFalse(Regex.IsMatch(run.Stderr, @"\bat \S+\(|Exception"), $"{because}: no stack trace or exception name: {run.Stderr}");
            Assert.AreEqual("", run.Stdout, $"{because}: nothing on stdout (no work started)");
        }

        [TestMethod]
        [DynamicData(nameof(SampleNames))]
        public void EveryNumericOption_GivenANonNumber_ExitsWithTwo_AndOneLineNamingIt(string sample)
        {
            // The options come from the sample's own SampleCli definition, so a new option is covered as soon as it exists.
            var (_, run, command) = Samples.Single(s => s.Name == sample);
            Option[] numeric = command().Options
                .Where(o => WholeNumbers.Contains(Underlying(o.ValueType)) || Fractions.Contains(Underlying(o.ValueType)))
                .ToArray();
            string[] names = numeric.Select(o => o.Name).ToArray();
            CollectionAssert.IsSubsetOf(new[] { "--seed", "--threads" }, names, "the common numeric options are found");
            foreach (Option option in numeric)
            {
                Type type = Underlying(option.ValueType);
                var bad = new List<string> { "abc", "", "1e999x", "--" };
                if (WholeNumbers.Contains(type)) bad.AddRange(new[] { "1.5", "99999999999999999999999" });
                foreach (string value in bad)
                {
                    SampleRun result = SampleRun.Of(run, option.Name, value);
                    AssertBadArguments(result, $"{sample} {option.Name} '{value}'");
                    StringAssert.Contains(result.Stderr, option.Name, "the message names the option");
                }
            }
        }

        [TestMethod]
        [DynamicData(nameof(SampleNames))]
        public void OutIsAFile_ExitsWithTwo_BeforeAnyWork(string sample)
        {
            string file = Path.GetTempFileName();
            try
            {
                SampleRun run = SampleRun.Of(Entry(sample), "--device", "cpu", "--small", "--out", file);
                AssertBadArguments(run, $"{sample} --out FILE");
                StringAssert.Contains(run.Stderr, $"--out must be a folder, but '{file}' is a file");
                SampleRun under = SampleRun.Of(Entry(sample), "--device", "cpu", "--small", "--out", Path.Combine(file, "plots"));
                AssertBadArguments(under, $"{sample} --out FILE/plots");
                StringAssert.Contains(under.Stderr, "cannot be written");
            }
            finally
            {
                File.Delete(file);
            }
        }

        [TestMethod]
        [DynamicData(nameof(SampleNames))]
        public void Version_PrintsThePackageVersion(string sample)
        {
            string props = File.ReadAllText(Path.Combine(Repository.Root, "Directory.Build.props"));
            string version = Regex.Match(props, "<Version>([^<]+)</Version>").Groups[1].Value;
            Assert.AreNotEqual("", version, "Directory.Build.props states the package version");
            SampleRun run = SampleRun.Of(Entry(sample), "--version");
            Assert.AreEqual(0, run.ExitCode, run.Stderr);
            Assert.AreEqual($"{sample} {version}", run.Stdout.TrimEnd());
        }

        [TestMethod]
        [DynamicData(nameof(SampleNames))]
        public void BadDevice_ExitsWithTwo_AndSaysWhyOnStderr(string sample)
        {
            SampleRun run = SampleRun.Of(Entry(sample), "--device", "gpu");
            AssertBadArguments(run, "--device gpu");
            StringAssert.Contains(run.Stderr, "'gpu'");
            StringAssert.Contains(run.Stderr, "cpu");
        }

        [TestMethod]
        [DynamicData(nameof(SampleNames))]
        public void UnknownOptionOrBadNumber_ExitsWithTwo(string sample)
        {
            AssertBadArguments(SampleRun.Of(Entry(sample), "--no-such-option"), "an unknown option");
            SampleRun run = SampleRun.Of(Entry(sample), "--threads", "0");
            AssertBadArguments(run, "--threads 0");
            StringAssert.Contains(run.Stderr, "--threads must be a whole number of at least 1, got '0'.");
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
        public void DeviceAuto_PrintsTheBackendLineFirst_Whole()
        {
            // Whatever this machine's reason (a GPU, no device, no driver): the first line is the whole backend line.
            SampleRun run = SampleRun.Of(WhySqrt5Program.Run, "--device", "auto", "--small");
            Assert.AreEqual(0, run.ExitCode, run.Stderr);
            using var probe = Engine.Create();
            Assert.AreEqual($"{probe.BackendReason} — {probe.BackendDescription}", run.Stdout.Split('\n')[0].TrimEnd('\r'), "the backend line comes first, unwrapped");
        }

        [TestMethod]
        public void WithoutTheDriverLibrary_TheLongBackendLineIsNotWrapped_InARedirectedProcess()
        {
            // The no-driver reason is the longest one. INITCORE_CUDA_LIBRARY_PATH at an empty folder gives it on any
            // machine; the sample runs as its own process with stdout redirected, as a user's `> file` does.
            string empty = Directory.CreateTempSubdirectory("initcore-no-driver-").FullName;
            try
            {
                string expected;
                using (var probe = Engine.Create(new EngineOptions { CudaLibraryDirectory = empty }))
                    expected = $"{probe.BackendReason} — {probe.BackendDescription}";
                StringAssert.Contains(expected, "the NVIDIA driver library");
                Assert.IsGreaterThan(120, expected.Length, "longer than the width a console would wrap at");

                var start = new ProcessStartInfo("dotnet")
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                    UseShellExecute = false,
                };
                // The Mnist sample prints the backend line, then fails fast on the empty --folder (exit code 1).
                foreach (string arg in new[] { Path.Combine(AppContext.BaseDirectory, "Mnist.dll"), "--device", "auto", "--folder", empty }) start.ArgumentList.Add(arg);
                start.Environment["INITCORE_CUDA_LIBRARY_PATH"] = empty;
                start.Environment["COLUMNS"] = "40";
                using Process process = Process.Start(start)!;
                var stderr = process.StandardError.ReadToEndAsync();
                string stdout = process.StandardOutput.ReadToEnd();
                Assert.IsTrue(process.WaitForExit(120_000), "the sample finished");
                Assert.AreEqual(1, process.ExitCode, stderr.Result);
                Assert.AreEqual(expected, stdout.Split('\n')[0].TrimEnd('\r'));
            }
            finally
            {
                Directory.Delete(empty, recursive: true);
            }
        }
    }
}
