using System;
using System.Diagnostics;
using System.IO;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Support
{
    /// <summary>
    /// Runs one test alone in a child process of the test application: for what must be first in a process
    /// (the first dlopen), for fault injection the emulator reads with getenv (.NET's
    /// Environment.SetEnvironmentVariable does not reach it on Unix), and for faults that poison the
    /// process (a sticky CUDA error).
    /// </summary>
    public static class ChildProcessTest
    {
        private const string ChildVariable = "INITCORE_TEST_CHILD";

        /// <summary>
        /// True in the child process started for <paramref name="test"/> of <paramref name="testClass"/>: run the
        /// body. In the parent, runs that test alone in a child process with <paramref name="environment"/> added,
        /// asserts that it passed, and returns false: the parent's test is then done.
        /// </summary>
        public static bool InChild(Type testClass, string test, params (string Name, string Value)[] environment)
        {
            string id = $"{testClass.FullName}.{test}";
            if (Environment.GetEnvironmentVariable(ChildVariable) == id) return true;
            string assembly = testClass.Assembly.Location;
            string? process = Environment.ProcessPath;
            string host = process is not null && Path.GetFileNameWithoutExtension(process) == "dotnet" ? process
                : Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } h ? h : "dotnet";
            var start = new ProcessStartInfo(host)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (string a in new[] { "exec", assembly, "--filter", $"FullyQualifiedName={id}" }) start.ArgumentList.Add(a);
            start.Environment[ChildVariable] = id;
            start.Environment.Remove("INITCORE_CUDA_RESULTS"); // the parent's outcome is the one counted
            foreach (var (name, value) in environment) start.Environment[name] = value;
            using var child = Process.Start(start)!;
            var stderr = child.StandardError.ReadToEndAsync();
            string stdout = child.StandardOutput.ReadToEnd();
            child.WaitForExit();
            string output = stdout + stderr.Result;
            Assert.AreEqual(0, child.ExitCode, $"{test} failed in its child process ({host} exec {assembly}):{Environment.NewLine}{output}");
            StringAssert.Contains(output, "Passed", $"the child ran no test: {output}");
            return false;
        }
    }
}
