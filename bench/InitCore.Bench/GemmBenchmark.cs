// SGEMM throughput: InitCore's CPU GEMM (CpuGemm.Sgemm) on a square row-major C = A·B, on 1 thread and
// on all threads, side by side with torch.mm on the same sizes and thread counts, run in the same
// session on the same machine (bench/torch_gemm.py through Debian's /usr/bin/python3).
//
//   dotnet run -c Release --project bench/InitCore.Bench -- gemm [--size 1024] [--reps 20] [--no-torch] [--python /usr/bin/python3]
//
// GFLOP/s counts 2·m·n·k floating-point operations. Each figure is the best of --reps runs after one
// warm-up; the median is printed beside it. PyTorch runs once per thread count with
// torch.set_num_threads(t) and OPENBLAS_NUM_THREADS = OMP_NUM_THREADS = MKL_NUM_THREADS = t, because
// a PyTorch built on the system BLAS (Debian's) hands torch.mm to that BLAS, which takes its thread
// count from the environment and not from torch.set_num_threads.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using InitCore.Backends.Cpu;

namespace InitCore.Bench
{
    internal static class GemmBenchmark
    {
        internal static int Run(string[] args)
        {
            int size = 1024;
            int reps = 20;
            if (!Common.ParseArgs(args, "--size", ref size, ref reps, out bool runTorch, out string python)) return 2;

            int m = size, n = size, k = size;
            Console.WriteLine($"machine: {Environment.ProcessorCount} logical cores, {RuntimeInformation.ProcessArchitecture}, {RuntimeInformation.OSDescription}, {Common.CpuModel()}");
            Console.WriteLine($"runtime: {RuntimeInformation.FrameworkDescription}; SGEMM {m}×{n}×{k}, row-major C = A·B, kernel {CpuGemm.Best}, best of {reps}");

            var rng = new Random(1);
            float[] a = Enumerable.Range(0, m * k).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            float[] b = Enumerable.Range(0, k * n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            float[] c = new float[m * n];
            int[] threadCounts = new[] { 1, Environment.ProcessorCount }.Distinct().ToArray();
            var rows = new List<(int Threads, double Best, double Median)>();
            foreach (int threads in threadCounts)
            {
                var (best, median) = Common.Time(() => CpuGemm.Sgemm(false, false, m, n, k, 1f, a, k, b, n, 0f, c, n, threads), reps);
                rows.Add((threads, best, median));
                Console.WriteLine($"  InitCore {threads,2} thread(s): {Gflops(m, n, k, best),7:F1} GFLOP/s (median {Gflops(m, n, k, median):F1})");
            }
            Console.WriteLine($"  check: max relative error of 64 sampled entries against a double-precision dot product: {SampledError(a, b, c, m, n, k):E1}");

            var torch = new Dictionary<int, double>();
            string torchVersion = "", blas = "";
            if (runTorch)
            {
                foreach (int threads in threadCounts)
                {
                    string t = threads.ToString(CultureInfo.InvariantCulture);
                    using var doc = Common.RunPython(python, "torch_gemm.py", $"{size} {reps} {threads}",
                        ("OPENBLAS_NUM_THREADS", t), ("OMP_NUM_THREADS", t), ("MKL_NUM_THREADS", t));
                    if (doc is null) break;
                    torchVersion = doc.RootElement.GetProperty("torch").GetString() ?? "";
                    blas = doc.RootElement.GetProperty("blas").GetString() ?? "";
                    double best = doc.RootElement.GetProperty("best_s").GetDouble();
                    double median = doc.RootElement.GetProperty("median_s").GetDouble();
                    torch[threads] = best;
                    Console.WriteLine($"  PyTorch  {threads,2} thread(s): {Gflops(m, n, k, best),7:F1} GFLOP/s (median {Gflops(m, n, k, median):F1})");
                }
                if (blas.Length > 0) Console.WriteLine($"  PyTorch BLAS: {blas}");
            }

            Console.WriteLine();
            Console.WriteLine($"| SGEMM {m}×{n}×{k} | threads | InitCore GFLOP/s | PyTorch {torchVersion} GFLOP/s | InitCore / PyTorch |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: |");
            foreach (var r in rows)
            {
                string t = torch.TryGetValue(r.Threads, out double ts) ? $"{Gflops(m, n, k, ts):F1}" : "n/a";
                string ratio = torch.TryGetValue(r.Threads, out double ts2) ? $"{ts2 / r.Best:F2}×" : "n/a";
                Console.WriteLine($"| C = A·B | {r.Threads} | {Gflops(m, n, k, r.Best):F1} | {t} | {ratio} |");
            }
            return 0;
        }

        private static double Gflops(int m, int n, int k, double seconds) => 2.0 * m * n * k / seconds / 1e9;

        private static double SampledError(float[] a, float[] b, float[] c, int m, int n, int k)
        {
            var rng = new Random(2);
            double worst = 0;
            for (int s = 0; s < 64; s++)
            {
                int i = rng.Next(m), j = rng.Next(n);
                double sum = 0, abs = 0;
                for (int p = 0; p < k; p++)
                {
                    sum += (double)a[i * k + p] * b[p * n + j];
                    abs += Math.Abs((double)a[i * k + p] * b[p * n + j]);
                }
                worst = Math.Max(worst, Math.Abs(c[i * n + j] - sum) / abs);
            }
            return worst;
        }
    }
}
