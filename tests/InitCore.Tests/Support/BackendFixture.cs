using System;
using System.IO;

using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Support
{
    /// <summary>
    /// Base of the per-backend fixtures: each area has one abstract test class and one [TestClass] per
    /// backend. The CUDA fixture runs on a real GPU when one is usable, else on the emulated device
    /// (native/emulator), and writes which to the test's output ("CUDA device: ..."). Without either it
    /// reports Inconclusive with the reason; with INITCORE_REQUIRE_GPU=1 it fails unless a real GPU is used.
    /// When INITCORE_CUDA_RESULTS names a folder, each CUDA test appends "device outcome name" to a file per
    /// test process in it (.ci/run counts them).
    /// </summary>
    public abstract class BackendFixture
    {
        protected abstract BackendKind Kind { get; }

        /// <summary>Set by MSTest.</summary>
        public TestContext TestContext { get; set; } = null!;

        /// <summary>Where this test's CUDA engines run (None until one is created).</summary>
        protected CudaDeviceKind Device { get; set; }

        protected Engine NewEngine(ulong seed = 0)
        {
            if (Kind == BackendKind.Cuda)
            {
                try
                {
                    Engine e = CudaDevice.Create(seed, out CudaDeviceKind kind);
                    Device = kind;
                    TestContext?.WriteLine($"CUDA device: {(kind == CudaDeviceKind.Emulated ? "CudaEmulated" : "CudaHardware")}: {e.BackendReason}");
                    return e;
                }
                catch (CudaUnavailableException ex)
                {
                    if (CudaDevice.RequireGpu) Assert.Fail($"{CudaDevice.RequireGpuVariable}=1 but CUDA is unusable: {ex.Message}");
                    Assert.Inconclusive($"No usable CUDA device, so the CUDA backend was not exercised. {ex.Message}");
                    throw; // unreachable: Inconclusive throws
                }
            }
            return Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = seed });
        }

        /// <summary>An engine on the emulated device only (fault injection); Inconclusive when it is not built.</summary>
        protected Engine EmulatedEngine(ulong seed = 0)
        {
            Engine e = CudaDevice.CreateEmulated(seed);
            Device = CudaDeviceKind.Emulated;
            TestContext?.WriteLine($"CUDA device: CudaEmulated: {e.BackendReason}");
            return e;
        }

        /// <summary>The emulator's folder (the test then counts as run on the emulated device), or Inconclusive saying how to build it.</summary>
        protected string RequireEmulator()
        {
            string dir = CudaDevice.RequireEmulatorDirectory();
            Device = CudaDeviceKind.Emulated;
            return dir;
        }

        protected static Engine CpuEngine(ulong seed = 0) => Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = seed });

        [TestCleanup]
        public void RecordCudaOutcome()
        {
            if (Kind != BackendKind.Cuda || TestContext is null) return;
            string? dir = Environment.GetEnvironmentVariable("INITCORE_CUDA_RESULTS");
            if (string.IsNullOrEmpty(dir) || !Directory.Exists(dir)) return;
            string log = Path.Combine(dir, $"cuda-{Environment.ProcessId}.txt");
            string device = Device switch { CudaDeviceKind.Emulated => "emulated", CudaDeviceKind.Hardware => "hardware", _ => "none" };
            File.AppendAllText(log, $"{device} {TestContext.CurrentTestOutcome} {TestContext.FullyQualifiedTestClassName}.{TestContext.TestName}{Environment.NewLine}");
        }
    }
}
