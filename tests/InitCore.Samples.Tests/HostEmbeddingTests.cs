using System.Linq;
using System.Text.Json;
using InitCore.Samples.Tests.Support;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Samples.Tests
{
    [TestClass]
    public sealed class HostEmbeddingTests : TempFolder
    {
        [TestMethod]
        public void HostEmbedding_Small_RunsEveryFrame_ReinitializesOnTheTimer_LogsAndDisposes()
        {
            JsonElement doc = SampleRun.Json(HostEmbeddingProgram.Run, Folder);
            Assert.AreEqual("cpu", doc.GetProperty("backend").GetProperty("kind").GetString());

            Assert.AreEqual(120, doc.GetProperty("frames").GetInt32());
            Assert.AreEqual(2.0, doc.GetProperty("simulated_seconds").GetDouble(), 1e-9, "120 fixed steps of 1/60 s");
            foreach (string what in new[] { "frame_ms", "inference_ms" })
            {
                JsonElement p = doc.GetProperty(what);
                double p50 = p.GetProperty("p50").GetDouble(), p99 = p.GetProperty("p99").GetDouble();
                Assert.IsTrue(p50 > 0 && p50 <= p99 && p99 <= p.GetProperty("max").GetDouble(), $"{what}: p50 {p50}, p99 {p99}");
            }
            CollectionAssert.AreEqual(new[] { 30, 60, 90 }, doc.GetProperty("reinit_frames").EnumerateArray().Select(f => f.GetInt32()).ToArray(),
                "--small re-initializes every 0.5 simulated s");
            Assert.AreEqual(3, doc.GetProperty("reinitializations").GetInt32());
            Assert.IsTrue(doc.GetProperty("last_lsuv").GetProperty("all_converged").GetBoolean());

            string[] log = doc.GetProperty("log").EnumerateArray().Select(m => m.GetString()!).ToArray();
            Assert.IsTrue(log.Any(m => m.StartsWith("no GPU, carrying on with the CPU", System.StringComparison.Ordinal) || m.StartsWith("engine:", System.StringComparison.Ordinal)), "the engine's creation is logged");
            Assert.AreEqual(1, log.Count(m => m.StartsWith("initialized", System.StringComparison.Ordinal)));
            Assert.AreEqual(3, log.Count(m => m.StartsWith("re-initialized at frame", System.StringComparison.Ordinal)));
            Assert.AreEqual("disposed: tensors and engine released", log[^1], "the host logs its disposal last");

            SampleRun.AssertPngs(Folder, doc.GetProperty("files"), "frame-cost.png");
        }

        [TestMethod]
        public void HostEmbedding_WithoutJson_PrintsTheLogAndThePercentileTable()
        {
            SampleRun run = SampleRun.Of(HostEmbeddingProgram.Run, "--device", "cpu", "--small", "--frames", "40");
            Assert.AreEqual(0, run.ExitCode, run.Stderr);
            string[] lines = run.Stdout.Split('\n');
            StringAssert.StartsWith(lines[0], "CPU backend: requested — ", "the backend line first ...");
            Assert.AreEqual("host: engine: CPU backend: requested", lines[1].TrimEnd('\r'), "... then what the host logged while starting");
            StringAssert.Contains(run.Stdout, "re-initialized at frame 30");
            StringAssert.Contains(run.Stdout, "p99");
            Assert.AreEqual("", run.Stderr);
        }
    }
}
