using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using InitCore.Bench;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests
{
    /// <summary>
    /// The benchmark harness's parts that can be checked without timing anything (bench/InitCore.Bench/Harness.cs is
    /// compiled in): the command line, the peer's environment, the median/spread, and the PyTorch peer's protocol.
    /// </summary>
    [TestClass]
    public sealed class BenchHarnessTests
    {
        [TestMethod]
        public void ParseExpandsAllAndReadsOptions()
        {
            BenchOptions o = BenchOptions.Parse(new[] { "all", "--pairs", "9", "--threads", "1", "--warmups", "0", "--no-torch", "--python", "/opt/py" });
            CollectionAssert.AreEqual(BenchOptions.All, o.Benchmarks);
            Assert.AreEqual(9, o.Pairs);
            Assert.AreEqual(1, o.Threads);
            Assert.AreEqual(0, o.Warmups);
            Assert.IsFalse(o.RunTorch);
            Assert.AreEqual("/opt/py", o.Python);

            BenchOptions d = BenchOptions.Parse(new[] { "stats", "infer" });
            CollectionAssert.AreEqual(new[] { "stats", "infer" }, d.Benchmarks);
            Assert.AreEqual(7, d.Pairs);
            Assert.AreEqual(2, d.Threads);
            Assert.IsNull(d.Warmups);
            Assert.IsTrue(d.RunTorch);
            Assert.AreEqual("/usr/bin/python3", d.Python);
        }

        [TestMethod]
        public void ParseRejectsBadArgumentsNamingThem()
        {
            var unknown = Assert.ThrowsExactly<ArgumentException>(() => BenchOptions.Parse(new[] { "fil" }));
            StringAssert.Contains(unknown.Message, "unknown argument 'fil'");
            StringAssert.Contains(unknown.Message, "lsuv20");
            var zero = Assert.ThrowsExactly<ArgumentException>(() => BenchOptions.Parse(new[] { "fill", "--pairs", "0" }));
            StringAssert.Contains(zero.Message, "--pairs needs a whole number >= 1, got '0'");
            var missing = Assert.ThrowsExactly<ArgumentException>(() => BenchOptions.Parse(new[] { "fill", "--threads" }));
            StringAssert.Contains(missing.Message, "--threads needs a whole number >= 1, got 'nothing'");
            var none = Assert.ThrowsExactly<ArgumentException>(() => BenchOptions.Parse(new[] { "--no-torch" }));
            StringAssert.Contains(none.Message, "name a benchmark or all");
        }

        [TestMethod]
        public void PeerEnvironmentDropsOpenBlasOverridesAndSetsThreads()
        {
            var env = new Dictionary<string, string?>
            {
                ["OPENBLAS_CORETYPE"] = "Haswell", ["OPENBLAS_L2_SIZE"] = "1048576", ["PATH"] = "/usr/bin", ["LD_LIBRARY_PATH"] = "/x",
            };
            TorchPeer.ApplyPeerEnvironment(env, 2, openBlasInstalled: true);
            Assert.IsFalse(env.ContainsKey("OPENBLAS_CORETYPE"));
            Assert.IsFalse(env.ContainsKey("OPENBLAS_L2_SIZE"));
            Assert.AreEqual("/usr/bin", env["PATH"]);
            Assert.AreEqual("2", env["OPENBLAS_VERBOSE"]);
            Assert.AreEqual("2", env["OMP_NUM_THREADS"]);
            Assert.AreEqual("2", env["OPENBLAS_NUM_THREADS"]);
            Assert.AreEqual("2", env["INITCORE_BENCH_THREADS"]);
            Assert.AreEqual(TorchPeer.OpenBlasDirectory + ":/x", env["LD_LIBRARY_PATH"]);

            var plain = new Dictionary<string, string?>();
            TorchPeer.ApplyPeerEnvironment(plain, 1, openBlasInstalled: false);
            Assert.IsFalse(plain.ContainsKey("LD_LIBRARY_PATH"));
            Assert.AreEqual("1", plain["MKL_NUM_THREADS"]);
        }

        [TestMethod]
        public void SpreadIsMedianMinMax()
        {
            var odd = new Spread(new[] { 3.0, 1.0, 2.0 });
            Assert.AreEqual(2.0, odd.Median);
            Assert.AreEqual(1.0, odd.Min);
            Assert.AreEqual(3.0, odd.Max);
            Assert.AreEqual(2.5, new Spread(new[] { 4.0, 1.0, 2.0, 3.0 }).Median);
            Assert.AreEqual("2.00× [1.00–3.00]", odd.Format("F2", 1, "×"));
            Assert.AreEqual(99.0, Benchmarks.Percentile(Enumerable.Range(1, 100).Select(i => (double)i).ToArray(), 0.99));
        }

        [TestMethod]
        public void ResNet50ParameterSetHasTorchvisionsCounts()
        {
            var p = Benchmarks.ResNet50Parameters();
            Assert.AreEqual(161, p.Count);
            Assert.AreEqual(25_557_032L, p.Sum(x => x.Shape.Aggregate(1L, (a, b) => a * b)));
        }

        [TestMethod]
        public void PeerAnswersOverStdinAndStaysUsableAfterAnError()
        {
            string? script = FindUp(Path.Combine("bench", "torch_peer.py"));
            if (script is null) Assert.Inconclusive("bench/torch_peer.py was not found above " + AppContext.BaseDirectory + "; the peer protocol was not exercised.");
            if (!File.Exists("/usr/bin/python3")) Assert.Inconclusive("/usr/bin/python3 is not installed (Debian's python3-torch is the peer); the peer protocol was not exercised.");
            using TorchPeer? peer = TorchPeer.TryStart("/usr/bin/python3", 1, script);
            if (peer is null) Assert.Inconclusive("/usr/bin/python3 could not import torch (install python3-torch); the peer protocol was not exercised.");

            Assert.AreEqual(42, peer.Request(new JsonObject { ["op"] = "echo", ["value"] = 42 }).GetProperty("value").GetInt32());
            var info = peer.Request(new JsonObject { ["op"] = "info" });
            Assert.AreEqual(1, info.GetProperty("threads").GetInt32());
            Assert.AreEqual(System.Text.Json.JsonValueKind.Null, info.GetProperty("env").GetProperty("OPENBLAS_CORETYPE").ValueKind);
            var setup = peer.Setup("gemm", new JsonObject { ["n"] = 8 });
            Assert.AreEqual("mm", setup.GetProperty("cases")[0].GetString());
            double[] times = peer.Run("mm", 3, out _);
            Assert.AreEqual(3, times.Length);
            Assert.IsTrue(times.All(t => t > 0 && t < 60), string.Join(", ", times));

            var bad = Assert.ThrowsExactly<InvalidOperationException>(() => peer.Run("nope", 1, out _));
            StringAssert.Contains(bad.Message, "KeyError");
            StringAssert.Contains(bad.Message, "nope");
            var unknownOp = Assert.ThrowsExactly<InvalidOperationException>(() => peer.Request(new JsonObject { ["op"] = "bogus" }));
            StringAssert.Contains(unknownOp.Message, "unknown op 'bogus'");
            Assert.AreEqual(7, peer.Request(new JsonObject { ["op"] = "echo", ["value"] = 7 }).GetProperty("value").GetInt32());
        }

        private static string? FindUp(string relative)
        {
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                string candidate = Path.Combine(dir.FullName, relative);
                if (File.Exists(candidate)) return candidate;
            }
            return null;
        }
    }
}
