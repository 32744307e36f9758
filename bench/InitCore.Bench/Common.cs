using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace InitCore.Bench
{
    /// <summary>What both benchmarks share: timing, the CPU's name, running a PyTorch script.</summary>
    internal static class Common
    {
        /// <summary>
        /// Parses the options every benchmark takes — <paramref name="sizeOption"/> N, --reps N, --no-torch,
        /// --python PATH (no size option when it is null) — into the given defaults; false (after a message on stderr) on anything else.
        /// </summary>
        internal static bool ParseArgs(string[] args, string? sizeOption, ref int size, ref int reps, out bool runTorch, out string python)
        {
            runTorch = true;
            python = "/usr/bin/python3";
            for (int i = 0; i < args.Length; i++)
            {
                string a = args[i];
                if (sizeOption is not null && a == sizeOption && i + 1 < args.Length) size = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
                else if (a == "--reps" && i + 1 < args.Length) reps = int.Parse(args[++i], System.Globalization.CultureInfo.InvariantCulture);
                else if (a == "--no-torch") runTorch = false;
                else if (a == "--python" && i + 1 < args.Length) python = args[++i];
                else
                {
                    Console.Error.WriteLine($"unknown argument {a}; use {(sizeOption is null ? "" : sizeOption + " N, ")}--reps N, --no-torch, --python PATH");
                    return false;
                }
            }
            return true;
        }

        /// <summary>Best and median seconds of <paramref name="reps"/> runs after <paramref name="warmups"/> warm-up runs.</summary>
        internal static (double Best, double Median) Time(Action run, int reps, int warmups = 1)
        {
            for (int i = 0; i < warmups; i++) run(); // warm-up: JIT tiering, page faults
            var times = new double[reps];
            for (int i = 0; i < reps; i++)
            {
                long t0 = Stopwatch.GetTimestamp();
                run();
                times[i] = (Stopwatch.GetTimestamp() - t0) / (double)Stopwatch.Frequency;
            }
            Array.Sort(times);
            return (times[0], times[reps / 2]);
        }

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

        /// <summary>
        /// Runs <paramref name="script"/> (copied next to the program) with <paramref name="arguments"/> and parses
        /// the JSON object it prints; null, with a note on stderr, when Python or PyTorch is missing.
        /// </summary>
        internal static JsonDocument? RunPython(string python, string script, string arguments, params (string Name, string Value)[] environment)
        {
            string path = Path.Combine(AppContext.BaseDirectory, script);
            var psi = new ProcessStartInfo(python, $"\"{path}\" {arguments}") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var (name, value) in environment) psi.Environment[name] = value;
            try
            {
                using var p = Process.Start(psi)!;
                var stderrTask = p.StandardError.ReadToEndAsync();
                string stdout = p.StandardOutput.ReadToEnd();
                string stderr = stderrTask.Result;
                p.WaitForExit();
                if (p.ExitCode != 0) throw new InvalidOperationException($"exit {p.ExitCode}: {stderr.Trim()}");
                return JsonDocument.Parse(stdout);
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or InvalidOperationException or JsonException)
            {
                Console.Error.WriteLine($"PyTorch side skipped: could not run {python} {path}: {ex.Message}. Install Debian's python3-torch (apt-get install python3-torch) or pass --python.");
                return null;
            }
        }
    }
}
