using System;
using System.Diagnostics;
using System.IO;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Serialization
{
    /// <summary>Finds a Python with torch (Debian's /usr/bin/python3 first) and runs the repository's check scripts.</summary>
    internal static class PyTorch
    {
        internal static string? FindPython(out string why)
        {
            why = "";
            foreach (string candidate in new[] { "/usr/bin/python3", "python3", "python" })
            {
                try
                {
                    var (code, output) = Execute(candidate, "-c \"import torch\"", 60_000);
                    if (code == 0) return candidate;
                    why += $"{candidate}: import torch failed ({output.Trim().Split('\n')[^1]}); ";
                }
                catch (System.ComponentModel.Win32Exception ex)
                {
                    why += $"{candidate}: {ex.Message}; ";
                }
            }
            why += "install Debian's python3-torch to run it.";
            return null;
        }

        internal static string RepositoryFile(string relative)
        {
            for (string? dir = AppContext.BaseDirectory; !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
            {
                string candidate = Path.Combine(dir, relative);
                if (File.Exists(candidate)) return candidate;
            }
            Assert.Inconclusive($"{relative} was not found above {AppContext.BaseDirectory}; run the tests from the repository.");
            throw new InvalidOperationException(); // unreachable: Inconclusive throws
        }

        internal static string Run(string python, string arguments)
        {
            var (code, output) = Execute(python, arguments, 120_000);
            Assert.AreEqual(0, code, $"{python} {arguments} failed:\n{output}");
            return output;
        }

        private static (int Code, string Output) Execute(string file, string arguments, int timeoutMs)
        {
            var psi = new ProcessStartInfo(file, arguments)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            using var p = Process.Start(psi)!;
            var stderr = p.StandardError.ReadToEndAsync();
            string stdout = p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(timeoutMs))
            {
                p.Kill();
                return (-1, $"timed out after {timeoutMs} ms\n{stdout}");
            }
            return (p.ExitCode, stdout + stderr.Result);
        }
    }
}
