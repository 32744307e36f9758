using System;
using System.IO;
using System.Runtime.InteropServices;

using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Support
{
    /// <summary>Where a CUDA fixture runs.</summary>
    public enum CudaDeviceKind
    {
        /// <summary>Neither a GPU nor the emulator: the test reports Inconclusive (or fails under INITCORE_REQUIRE_GPU=1).</summary>
        None,

        /// <summary>A real GPU through the NVIDIA libraries.</summary>
        Hardware,

        /// <summary>The InitCore emulated device (native/emulator), built from our own kernel sources.</summary>
        Emulated,
    }

    /// <summary>
    /// Chooses the device for CUDA fixtures: a real GPU when one is usable, else the emulated device
    /// (native/emulator; found through INITCORE_EMULATOR_DIR, else the repository's artifacts/emulator).
    /// With INITCORE_REQUIRE_GPU=1 only a real GPU will do: anything else fails the test.
    /// </summary>
    public static class CudaDevice
    {
        public const string EmulatorDirectoryVariable = "INITCORE_EMULATOR_DIR";
        public const string RequireGpuVariable = "INITCORE_REQUIRE_GPU";
        public const string EmulatedDeviceName = "InitCore emulated device";
        public const string BuildAdvice = "build it with 'dotnet pwsh ./build.ps1 emulator' (or: bash native/emulator/build.sh; needs cmake and g++), or point INITCORE_EMULATOR_DIR at a build";

        public static bool RequireGpu => Environment.GetEnvironmentVariable(RequireGpuVariable) == "1";

        private static readonly Lazy<(bool Usable, string Reason)> HardwareProbe = new Lazy<(bool, string)>(() =>
        {
            try
            {
                using Engine e = Engine.Create(new EngineOptions { Backend = BackendKind.Cuda });
                return e.Cuda!.IsEmulated
                    ? (false, $"the CUDA libraries found are the emulator's ({e.BackendReason}), not a GPU's")
                    : (true, e.BackendReason);
            }
            catch (CudaUnavailableException ex)
            {
                return (false, ex.Reason);
            }
            catch (Exception ex) when (ex is NativeCallException or DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
            {
                return (false, $"{ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
            }
        });

        /// <summary>Whether a real GPU is usable, and the engine's line (or why not).</summary>
        public static (bool Usable, string Reason) Hardware => HardwareProbe.Value;

        /// <summary>The emulator's build folder (holding libcuda.so.1), or null with the places looked at.</summary>
        public static string? EmulatorDirectory(out string lookedAt)
        {
            string? env = Environment.GetEnvironmentVariable(EmulatorDirectoryVariable);
            if (!string.IsNullOrEmpty(env))
            {
                lookedAt = $"{EmulatorDirectoryVariable}={env}";
                return File.Exists(Path.Combine(env, "libcuda.so.1")) ? env : null;
            }
            lookedAt = "artifacts/emulator above " + AppContext.BaseDirectory;
            for (DirectoryInfo? d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            {
                if (!File.Exists(Path.Combine(d.FullName, "InitCore.sln"))) continue;
                string dir = Path.Combine(d.FullName, "artifacts", "emulator");
                lookedAt = dir;
                return File.Exists(Path.Combine(dir, "libcuda.so.1")) ? dir : null;
            }
            return null;
        }

        /// <summary>The emulator's build folder, or Inconclusive saying where it looked and how to build it (Linux only).</summary>
        public static string RequireEmulatorDirectory()
        {
            if (!RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
                Assert.Inconclusive("The emulated CUDA device is built for Linux only.");
            string? dir = EmulatorDirectory(out string lookedAt);
            if (dir is null)
                Assert.Inconclusive($"The emulated CUDA device was not found ({lookedAt}): {BuildAdvice}.");
            return dir!;
        }

        /// <summary>An engine on the emulated device, or Inconclusive saying how to build it.</summary>
        public static Engine CreateEmulated(ulong seed = 0)
        {
            string dir = RequireEmulatorDirectory();
            try
            {
                return Engine.Create(new EngineOptions { Backend = BackendKind.Cuda, Seed = seed, CudaLibraryDirectory = dir });
            }
            catch (CudaUnavailableException ex)
            {
                // A built emulator that does not load is a broken build, not a missing device.
                Assert.Fail($"The emulated CUDA device in {dir} did not load; rebuild it ({BuildAdvice}). {ex.Message}");
                throw; // unreachable: Fail throws
            }
        }

        /// <summary>An engine on a real GPU when usable, else on the emulator; says which in <paramref name="kind"/>.</summary>
        public static Engine Create(ulong seed, out CudaDeviceKind kind)
        {
            var (usable, reason) = Hardware;
            if (usable)
            {
                kind = CudaDeviceKind.Hardware;
                return Engine.Create(new EngineOptions { Backend = BackendKind.Cuda, Seed = seed });
            }
            kind = CudaDeviceKind.None;
            if (RequireGpu)
                Assert.Fail($"{RequireGpuVariable}=1 but no real CUDA device is usable, so this CUDA test cannot run on hardware: {reason}");
            Engine e = CreateEmulated(seed);
            kind = CudaDeviceKind.Emulated;
            return e;
        }

        [DllImport("libc", EntryPoint = "setenv")]
        private static extern int setenv(string name, string value, int overwrite);

        [DllImport("libc", EntryPoint = "unsetenv")]
        private static extern int unsetenv(string name);

        /// <summary>
        /// Sets (or, with null, removes) a variable in the native environment, where the emulator's fault
        /// injection reads it (.NET's Environment.SetEnvironmentVariable does not reach getenv on Unix).
        /// </summary>
        public static void SetNativeEnvironment(string name, string? value)
        {
            Environment.SetEnvironmentVariable(name, value);
            if (value is null) unsetenv(name);
            else setenv(name, value, 1);
        }
    }
}
