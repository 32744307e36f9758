using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;

namespace InitCore.Bench
{
    /// <summary>The command line: benchmark names (or <c>all</c>), then options shared by every benchmark.</summary>
    internal sealed class BenchOptions
    {
        /// <summary>Every benchmark, in the order <c>all</c> runs them.</summary>
        internal static readonly string[] All = { "fill", "stats", "init", "gemm", "conv", "cnn", "lsuv20", "infer" };

        internal List<string> Benchmarks { get; } = new List<string>();
        /// <summary>Measured pairs (A B) per case after the warm-ups; at least 7 unless --pairs says otherwise.</summary>
        internal int Pairs { get; private set; } = 7;
        /// <summary>Warm-up runs per side before the pairs (JIT tiering, page faults, PyTorch's lazy set-up); null: each benchmark's own.</summary>
        internal int? Warmups { get; private set; }
        internal int Threads { get; private set; } = 2;
        internal bool RunTorch { get; private set; } = true;
        internal string Python { get; private set; } = "/usr/bin/python3";

        internal const string Usage = "usage: InitCore.Bench <all|fill|stats|init|gemm|conv|cnn|lsuv20|infer>... [--pairs N (>= 1, default 7)] "
            + "[--warmups N] [--threads N (default 2)] [--no-torch] [--python PATH (default /usr/bin/python3)]";

        /// <summary>Parses the arguments; throws <see cref="ArgumentException"/> naming the bad argument and the expected form.</summary>
        internal static BenchOptions Parse(IReadOnlyList<string> args)
        {
            var o = new BenchOptions();
            for (int i = 0; i < args.Count; i++)
            {
                string a = args[i];
                switch (a)
                {
                    case "--pairs": o.Pairs = PositiveInt(args, ref i, a); break;
                    case "--warmups": o.Warmups = PositiveInt(args, ref i, a, allowZero: true); break;
                    case "--threads": o.Threads = PositiveInt(args, ref i, a); break;
                    case "--no-torch": o.RunTorch = false; break;
                    case "--python":
                        if (i + 1 >= args.Count) throw new ArgumentException($"--python needs a path. {Usage}", nameof(args));
                        o.Python = args[++i];
                        break;
                    case "all": o.Benchmarks.AddRange(All); break;
                    default:
                        if (!All.Contains(a)) throw new ArgumentException($"unknown argument '{a}'. {Usage}", nameof(args));
                        o.Benchmarks.Add(a);
                        break;
                }
            }
            if (o.Benchmarks.Count == 0) throw new ArgumentException($"name a benchmark or all. {Usage}", nameof(args));
            return o;
        }

        private static int PositiveInt(IReadOnlyList<string> args, ref int i, string name, bool allowZero = false)
        {
            if (i + 1 >= args.Count || !int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int v) || (v == 0 && !allowZero))
                throw new ArgumentException($"{name} needs a whole number {(allowZero ? ">= 0" : ">= 1")}, got '{(i + 1 < args.Count ? args[i + 1] : "nothing")}'. {Usage}", nameof(args));
            i++;
            return v;
        }
    }

    /// <summary>
    /// PyTorch as one long-lived child process (bench/torch_peer.py) driven over stdin/stdout, one JSON object per line.
    /// Its environment, and no other: OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed (so OpenBLAS picks its own kernels),
    /// OPENBLAS_VERBOSE=2 (it prints its core), the thread counts, and OpenBLAS's libblas.so.3 first on LD_LIBRARY_PATH when
    /// Debian's OpenBLAS is installed (the system alternative may be the reference BLAS).
    /// </summary>
    internal sealed class TorchPeer : IDisposable
    {
        internal const string OpenBlasDirectory = "/usr/lib/x86_64-linux-gnu/openblas-pthread";
        private readonly Process _process;
        private readonly ConcurrentQueue<string> _stderr = new ConcurrentQueue<string>();

        private TorchPeer(Process process) => _process = process;

        /// <summary>The child's environment as set up here (exposed for the smoke test).</summary>
        internal static ProcessStartInfo StartInfo(string python, string script, int threads)
        {
            var psi = new ProcessStartInfo(python)
            {
                RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            };
            psi.ArgumentList.Add(script);
            ApplyPeerEnvironment(psi.Environment, threads, Directory.Exists(OpenBlasDirectory));
            return psi;
        }

        /// <summary>
        /// The peer's environment changes, applied to its own start info only: OpenBLAS's core and L2 overrides removed,
        /// OPENBLAS_VERBOSE=2, every thread count, and OpenBLAS first on LD_LIBRARY_PATH when <paramref name="openBlasInstalled"/>.
        /// </summary>
        internal static void ApplyPeerEnvironment(IDictionary<string, string?> environment, int threads, bool openBlasInstalled)
        {
            environment.Remove("OPENBLAS_CORETYPE");
            environment.Remove("OPENBLAS_L2_SIZE");
            environment["OPENBLAS_VERBOSE"] = "2";
            string t = threads.ToString(CultureInfo.InvariantCulture);
            foreach (string name in new[] { "INITCORE_BENCH_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS" }) environment[name] = t;
            if (openBlasInstalled)
            {
                environment.TryGetValue("LD_LIBRARY_PATH", out string? old);
                environment["LD_LIBRARY_PATH"] = string.IsNullOrEmpty(old) ? OpenBlasDirectory : OpenBlasDirectory + ":" + old;
            }
        }

        /// <summary>Starts the peer; null (with the reason on stderr) when Python or PyTorch cannot run.</summary>
        internal static TorchPeer? TryStart(string python, int threads, string? script = null)
        {
            script ??= Path.Combine(AppContext.BaseDirectory, "torch_peer.py");
            try
            {
                var p = Process.Start(StartInfo(python, script, threads))!;
                var peer = new TorchPeer(p);
                p.ErrorDataReceived += (_, e) => { if (e.Data is not null) peer._stderr.Enqueue(e.Data); };
                p.BeginErrorReadLine();
                peer.Request(new JsonObject { ["op"] = "echo", ["value"] = 1 });
                return peer;
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or IOException)
            {
                Console.Error.WriteLine($"PyTorch side skipped: could not run {python} {script}: {ex.Message}. Install Debian's python3-torch (apt-get install python3-torch) or pass --python PATH.");
                return null;
            }
        }

        /// <summary>What the child wrote on stderr so far (OpenBLAS's "Core: ..." line among it).</summary>
        internal IReadOnlyList<string> StandardErrorLines => _stderr.ToArray();

        /// <summary>Sends one request and returns the reply; throws <see cref="InvalidOperationException"/> with the peer's error or its stderr.</summary>
        internal JsonElement Request(JsonObject request)
        {
            _process.StandardInput.WriteLine(request.ToJsonString());
            _process.StandardInput.Flush();
            string? line = _process.StandardOutput.ReadLine();
            if (line is null)
            {
                _process.WaitForExit(5000);
                throw new InvalidOperationException($"the PyTorch peer ended without answering {request.ToJsonString()}; its stderr: {string.Join(" | ", _stderr.TakeLast(10))}");
            }
            JsonElement reply = JsonDocument.Parse(line).RootElement.Clone();
            if (reply.TryGetProperty("error", out JsonElement error))
                throw new InvalidOperationException($"the PyTorch peer failed {request.ToJsonString()}: {error.GetString()}");
            return reply;
        }

        internal JsonElement Setup(string bench, JsonObject args) => Request(new JsonObject { ["op"] = "setup", ["bench"] = bench, ["args"] = args });

        /// <summary>Runs a case <paramref name="calls"/> times back to back; per-call seconds.</summary>
        internal double[] Run(string @case, int calls, out int forwards)
        {
            JsonElement r = Request(new JsonObject { ["op"] = "run", ["case"] = @case, ["calls"] = calls });
            forwards = r.TryGetProperty("forwards", out JsonElement f) ? f.GetInt32() : 0;
            return r.GetProperty("s").EnumerateArray().Select(e => e.GetDouble()).ToArray();
        }

        public void Dispose()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.StandardInput.WriteLine("{\"op\": \"quit\"}");
                    _process.StandardInput.Flush();
                    if (!_process.WaitForExit(5000)) _process.Kill();
                }
            }
            catch (Exception ex) when (ex is IOException or InvalidOperationException) { }
            _process.Dispose();
        }
    }

    /// <summary>Median with its minimum and maximum.</summary>
    internal readonly struct Spread
    {
        internal Spread(IEnumerable<double> values)
        {
            double[] v = values.OrderBy(x => x).ToArray();
            Count = v.Length;
            Median = v.Length == 0 ? double.NaN : v.Length % 2 == 1 ? v[v.Length / 2] : (v[v.Length / 2 - 1] + v[v.Length / 2]) / 2;
            Min = v.Length == 0 ? double.NaN : v[0];
            Max = v.Length == 0 ? double.NaN : v[^1];
        }

        internal int Count { get; }
        internal double Median { get; }
        internal double Min { get; }
        internal double Max { get; }

        internal string Format(string format, double scale = 1, string suffix = "") => double.IsNaN(Median) ? "n/a" : string.Format(CultureInfo.InvariantCulture,
            "{0}{3} [{1}–{2}]", (Median * scale).ToString(format, CultureInfo.InvariantCulture), (Min * scale).ToString(format, CultureInfo.InvariantCulture),
            (Max * scale).ToString(format, CultureInfo.InvariantCulture), suffix);
    }

    /// <summary>One case measured in pairs: InitCore then the peer, back to back, each pair's figures side by side.</summary>
    internal sealed class PairResult
    {
        internal PairResult(string name, double[] ours, double[]? theirs, double[] oursCalls, double[]? theirsCalls, double bytesPerCall, int peerForwards)
        {
            Name = name;
            Ours = new Spread(ours);
            Theirs = theirs is null ? (Spread?)null : new Spread(theirs);
            Speedup = theirs is null ? (Spread?)null : new Spread(theirs.Zip(ours, (t, o) => t / o));
            OursCalls = oursCalls;
            TheirsCalls = theirsCalls;
            BytesPerCall = bytesPerCall;
            PeerForwards = peerForwards;
            Pairs = ours.Length;
        }

        internal string Name { get; }
        internal int Pairs { get; }
        /// <summary>InitCore's seconds per pair (per call: the block's median when a pair is a block of calls).</summary>
        internal Spread Ours { get; }
        internal Spread? Theirs { get; }
        /// <summary>Per pair: PyTorch's time / InitCore's time (above 1: InitCore is faster).</summary>
        internal Spread? Speedup { get; }
        internal double[] OursCalls { get; }
        internal double[]? TheirsCalls { get; }
        /// <summary>Managed bytes InitCore allocated per call (all threads), over the measured pairs.</summary>
        internal double BytesPerCall { get; }
        internal int PeerForwards { get; }
    }

    /// <summary>What every benchmark of one run shares: options, the engine, the peer, the machine's bandwidth, and the report.</summary>
    internal sealed class Session : IDisposable
    {
        private readonly string _command;

        internal Session(BenchOptions options, string command)
        {
            Options = options;
            _command = command;
            Engine = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, ThreadCount = options.Threads, Seed = 1 });
            Console.WriteLine($"# InitCore benchmarks, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
            Console.WriteLine();
            Console.WriteLine($"- command: `{command}`");
            Console.WriteLine($"- machine: {Common.CpuModel()}, {Environment.ProcessorCount} logical cores, {RuntimeInformation.OSDescription}; {RuntimeInformation.FrameworkDescription}; engine: {Engine.BackendDescription}, {options.Threads} thread(s)");
            (WriteGBps, ReadGBps) = Bandwidth.Measure(options.Threads);
            Console.WriteLine($"- memory bandwidth on {options.Threads} thread(s), this run (median of 7 [min–max]): write (256 MiB fill) {WriteGBps.Format("F1", 1, " GB/s")}, read (256 MiB sum) {ReadGBps.Format("F1", 1, " GB/s")}");
            if (options.RunTorch)
            {
                Peer = TorchPeer.TryStart(options.Python, options.Threads);
                if (Peer is not null)
                {
                    JsonElement info = Peer.Request(new JsonObject { ["op"] = "info" });
                    string core = string.Join("; ", Peer.StandardErrorLines.Where(l => l.Contains("Core", StringComparison.Ordinal)));
                    PeerDescription = string.Format(CultureInfo.InvariantCulture,
                        "PyTorch {0} ({1}), {2} intra-op / {3} inter-op thread(s), oneDNN (mkldnn) available {4} and enabled {5}, ATen CPU capability {6}; BLAS {7}; OPENBLAS_VERBOSE: {8}; OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset for the peer only",
                        info.GetProperty("torch").GetString(), options.Python, info.GetProperty("threads").GetInt32(), info.GetProperty("interop_threads").GetInt32(),
                        info.GetProperty("mkldnn_available").GetBoolean(), info.GetProperty("mkldnn_enabled").GetBoolean(), info.GetProperty("cpu_capability").GetString(),
                        info.GetProperty("blas").GetString(), core.Length > 0 ? core : "no core line (not OpenBLAS?)");
                    Console.WriteLine($"- peer: {PeerDescription}");
                }
            }
            if (Peer is null) Console.WriteLine("- peer: none (--no-torch or PyTorch unavailable): InitCore's times only");
            Console.WriteLine();
        }

        internal BenchOptions Options { get; }
        internal Engine Engine { get; }
        internal TorchPeer? Peer { get; }
        internal string PeerDescription { get; } = "none";
        internal Spread WriteGBps { get; }
        internal Spread ReadGBps { get; }

        /// <summary>Sets up the peer's side of a benchmark; its notes (layout choices) are printed. False without a peer.</summary>
        internal bool SetupPeer(string bench, JsonObject args)
        {
            if (Peer is null) return false;
            JsonElement r = Peer.Setup(bench, args);
            bool any = false;
            foreach (JsonElement n in r.GetProperty("notes").EnumerateArray())
            {
                Console.WriteLine($"- peer: {n.GetString()}");
                any = true;
            }
            if (any) Console.WriteLine();
            return true;
        }

        /// <summary>
        /// Warm-ups on each side, then <see cref="BenchOptions.Pairs"/> pairs: InitCore's block of <paramref name="calls"/> calls,
        /// then the peer's block of the same case. A pair's figure is the block's median call.
        /// </summary>
        internal PairResult Pair(string name, Action ours, string? peerCase, int warmups, int calls = 1)
        {
            warmups = Options.Warmups ?? warmups;
            bool peer = Peer is not null && peerCase is not null;
            for (int i = 0; i < warmups; i++)
            {
                for (int c = 0; c < calls; c++) ours();
                if (peer) Peer!.Run(peerCase!, calls, out _);
            }
            int pairs = Options.Pairs;
            var oursPair = new double[pairs];
            var theirsPair = peer ? new double[pairs] : null;
            var oursCalls = new double[pairs * calls];
            var theirsCalls = peer ? new double[pairs * calls] : null;
            var block = new double[calls];
            long bytes = 0;
            int forwards = 0;
            for (int p = 0; p < pairs; p++)
            {
                long before = GC.GetTotalAllocatedBytes(true);
                for (int c = 0; c < calls; c++)
                {
                    long t0 = Stopwatch.GetTimestamp();
                    ours();
                    block[c] = (Stopwatch.GetTimestamp() - t0) / (double)Stopwatch.Frequency;
                }
                bytes += GC.GetTotalAllocatedBytes(true) - before;
                Array.Copy(block, 0, oursCalls, p * calls, calls);
                oursPair[p] = new Spread(block).Median;
                if (peer)
                {
                    double[] t = Peer!.Run(peerCase!, calls, out forwards);
                    Array.Copy(t, 0, theirsCalls!, p * calls, calls);
                    theirsPair![p] = new Spread(t).Median;
                }
            }
            return new PairResult(name, oursPair, theirsPair, oursCalls, theirsCalls, (double)bytes / (pairs * calls), forwards);
        }

        /// <summary>Prints a benchmark's heading: the command for it alone, the date, the machine, the peer, the pair count.</summary>
        internal void Heading(string bench, string what)
        {
            Console.WriteLine($"## {bench}: {what}");
            Console.WriteLine();
            Console.WriteLine($"`dotnet run -c Release --project bench/InitCore.Bench -- {bench}{(Options.Threads != 2 ? $" --threads {Options.Threads}" : "")}{(Options.Pairs != 7 ? $" --pairs {Options.Pairs}" : "")}{(Options.RunTorch ? "" : " --no-torch")}`, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC (part of `{_command}`); "
                + (Peer is null ? $"{Options.Pairs} measurement(s) of InitCore alone (no peer)" : $"{Options.Pairs} pair(s) (InitCore, PyTorch)")
                + $" after warm-ups; {Options.Threads} threads each; figures are medians [min–max] over the pairs.");
            Console.WriteLine();
        }

        /// <summary>The standard table: per case, each side's median time, the median per-pair ratio with its spread, the target and whether it is met.</summary>
        internal void Table(IEnumerable<(PairResult R, string Unit, double Scale, double? TargetSpeedup, string Target)> rows)
        {
            Console.WriteLine("| case | InitCore | PyTorch | PyTorch time / InitCore time | target | met |");
            Console.WriteLine("| --- | ---: | ---: | ---: | --- | --- |");
            foreach (var (r, unit, scale, target, text) in rows)
            {
                string met = r.Speedup is Spread s && target is double t ? (s.Median >= t ? "yes" : "**no**") : "n/a";
                Console.WriteLine($"| {r.Name} | {r.Ours.Format("F2", scale, " " + unit)} | {(r.Theirs is Spread th ? th.Format("F2", scale, " " + unit) : "n/a")} | {(r.Speedup is Spread sp ? sp.Format("F2", 1, "×") : "n/a")} | {text} | {met} |");
            }
            Console.WriteLine();
        }

        public void Dispose()
        {
            Peer?.Dispose();
            Engine.Dispose();
        }
    }

    /// <summary>The machine's memory bandwidth on the benchmark's threads: a 256 MiB fill (write) and a 256 MiB sum (read).</summary>
    internal static class Bandwidth
    {
        internal static (Spread Write, Spread Read) Measure(int threads)
        {
            const int n = 64 * 1024 * 1024; // 256 MiB of float32
            float[] data = new float[n];
            int chunk = (n + threads - 1) / threads;
            var sums = new float[threads];
            void Fill(float value) => Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                data.AsSpan(t * chunk, Math.Min(chunk, n - t * chunk)).Fill(value));
            void Sum() => Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, t =>
                sums[t] = VectorSum(data.AsSpan(t * chunk, Math.Min(chunk, n - t * chunk))));
            var write = new double[7];
            var read = new double[7];
            Fill(1f);
            Sum();
            for (int i = 0; i < 7; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                Fill(i);
                write[i] = n * 4.0 / ((Stopwatch.GetTimestamp() - t0) / (double)Stopwatch.Frequency) / 1e9;
                t0 = Stopwatch.GetTimestamp();
                Sum();
                read[i] = n * 4.0 / ((Stopwatch.GetTimestamp() - t0) / (double)Stopwatch.Frequency) / 1e9;
            }
            return (new Spread(write), new Spread(read));
        }

        /// <summary>Sum with four independent vector accumulators (enough loads in flight to reach the memory's limit).</summary>
        private static float VectorSum(ReadOnlySpan<float> x)
        {
            var v = MemoryMarshal.Cast<float, System.Numerics.Vector<float>>(x);
            System.Numerics.Vector<float> a = default, b = default, c = default, d = default;
            int i = 0;
            for (; i + 4 <= v.Length; i += 4)
            {
                a += v[i];
                b += v[i + 1];
                c += v[i + 2];
                d += v[i + 3];
            }
            for (; i < v.Length; i++) a += v[i];
            float s = System.Numerics.Vector.Sum(a + b + c + d);
            for (int j = v.Length * System.Numerics.Vector<float>.Count; j < x.Length; j++) s += x[j];
            return s;
        }
    }

    internal static class Common
    {
        internal static string CpuModel()
        {
            try
            {
                string? line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
                return line is null ? "cpu model unknown" : line.Split(':', 2)[1].Trim();
            }
            catch (IOException) { return "cpu model unknown"; }
            catch (UnauthorizedAccessException) { return "cpu model unknown"; }
        }

        /// <summary>Writes float32 values to a temporary little-endian file for the peer (the same images on both sides); the caller deletes it.</summary>
        internal static string WriteTemp(float[] values)
        {
            string path = Path.Combine(Path.GetTempPath(), $"initcore-bench-{Guid.NewGuid():N}.f32");
            File.WriteAllBytes(path, MemoryMarshal.AsBytes(values.AsSpan()).ToArray());
            return path;
        }
    }
}
