// Fill throughput: InitCore's uniform, normal and trunc_normal on N float32 values, on 1 thread and
// on all threads, side by side with PyTorch's CPU normal_/uniform_/trunc_normal_ run in the same
// session on the same machine (bench/torch_fill.py through Debian's /usr/bin/python3).
//
//   dotnet run -c Release --project bench/InitCore.Bench -- [fill] [--size 67108864] [--reps 7] [--no-torch] [--python /usr/bin/python3]
//
// GB/s counts the bytes written (4 per element). Each figure is the best of --reps runs after one warm-up;
// the median is printed beside it.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;

namespace InitCore.Bench
{
    internal static class FillBenchmark
    {
        internal static int Run(string[] args)
        {
            int size = 64 * 1024 * 1024;
            int reps = 7;
            if (!Common.ParseArgs(args, "--size", ref size, ref reps, out bool runTorch, out string python)) return 2;

            Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {RuntimeInformation.ProcessArchitecture}, {RuntimeInformation.OSDescription}, {Common.CpuModel()}");
            Console.WriteLine($"runtime: {RuntimeInformation.FrameworkDescription}; fill size {size:N0} float32 ({size * 4.0 / (1 << 20):N0} MiB), best of {reps}");

            var data = new float[size];
            var rows = new List<(string Name, int Threads, double Best, double Median)>();
            foreach (int threads in new[] { 1, Environment.ProcessorCount }.Distinct())
            {
                using var engine = Engine.Create(new EngineOptions { ThreadCount = threads, Seed = 1 });
                Console.WriteLine($"backend: {engine.BackendDescription}");
                var fills = new (string, Action)[]
                {
                    ("uniform", () => Init.Uniform(engine, data, -1, 1)),
                    ("normal", () => Init.Normal(engine, data, 0, 1)),
                    ("trunc_normal", () => Init.TruncatedNormal(engine, data, 0, 1, -2, 2)),
                };
                foreach (var (name, fill) in fills)
                {
                    var (best, median) = Common.Time(fill, reps);
                    rows.Add((name, threads, best, median));
                    Console.WriteLine($"  InitCore {name,-13} {threads,2} thread(s): {Gbps(size, best),6:F2} GB/s (median {Gbps(size, median):F2})");
                }
            }

            Dictionary<string, double>? torch = null;
            string torchVersion = "";
            if (runTorch)
            {
                using var doc = Common.RunPython(python, "torch_fill.py", $"{size} {reps}");
                if (doc is not null)
                {
                    torchVersion = doc.RootElement.GetProperty("torch").GetString() ?? "";
                    int torchThreads = doc.RootElement.GetProperty("threads").GetInt32();
                    torch = new Dictionary<string, double>();
                    foreach (var r in doc.RootElement.GetProperty("results").EnumerateObject())
                    {
                        torch[r.Name] = r.Value.GetProperty("best_s").GetDouble();
                        Console.WriteLine($"  PyTorch  {r.Name,-13} ({torchThreads} intra-op thread(s)): {Gbps(size, torch[r.Name]),6:F2} GB/s (median {Gbps(size, r.Value.GetProperty("median_s").GetDouble()):F2})");
                    }
                }
            }

            Console.WriteLine();
            Console.WriteLine($"| fill | threads | InitCore GB/s | PyTorch {torchVersion} GB/s | InitCore / PyTorch |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
            foreach (var r in rows)
            {
                string t = torch is not null && torch.TryGetValue(r.Name, out double ts) ? $"{Gbps(size, ts):F2}" : "n/a";
                string ratio = torch is not null && torch.TryGetValue(r.Name, out double ts2) ? $"{ts2 / r.Best:F2}×" : "n/a";
                Console.WriteLine($"| {r.Name} | {r.Threads} | {Gbps(size, r.Best):F2} | {t} | {ratio} |");
            }
            return 0;
        }

        private static double Gbps(int n, double seconds) => n * 4.0 / seconds / 1e9;
    }
}
