using InitCore.Backends;
using InitCore.Backends.Cpu;
using InitCore.Backends.Cuda;
using InitCore.Interop;
using InitCore.Interop.Native;

namespace InitCore
{
    /// <summary>
    /// Chooses and creates an engine's main backend from <see cref="EngineOptions.Backend"/>: the one place that knows
    /// the concrete backends (the engine and everything above it see only <see cref="Backend"/>).
    /// </summary>
    internal static class BackendFactory
    {
        /// <summary>The main backend for <paramref name="options"/> (<paramref name="cpu"/> itself when the CPU is chosen),
        /// the one-line reason for the choice and the library load trace.</summary>
        /// <exception cref="CudaUnavailableException">CUDA was requested and is not usable.</exception>
        internal static (Backend Main, string Reason, IReadOnlyList<string> Trace) Create(EngineOptions options, CpuBackend cpu)
        {
            var choice = Choose(options, cpu);
            if (options.AllowTf32) (choice.Main as CudaBackend)?.SetTf32(true);
            return choice;
        }

        private static (Backend Main, string Reason, IReadOnlyList<string> Trace) Choose(EngineOptions options, CpuBackend cpu)
        {
            switch (options.Backend)
            {
                case BackendKind.Auto:
                    try
                    {
                        return Cuda(options, requested: false);
                    }
                    catch (CudaUnavailableException ex)
                    {
                        return (cpu, $"CPU backend (auto): CUDA unavailable: {ex.Reason}", ex.LoadTrace);
                    }
                    catch (Exception ex) when (ex is NativeCallException or DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
                    {
                        // A GPU was found but setting it up failed (for example the driver could not JIT the PTX):
                        // automatic choice means "CUDA when usable", so fall back and say why.
                        return (cpu, $"CPU backend (auto): CUDA setup failed: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}", new[] { ex.Message });
                    }
                case BackendKind.Cpu:
                    return (cpu, "CPU backend: requested", Array.Empty<string>());
                case BackendKind.Cuda:
                    return Cuda(options, requested: true);
                default:
                    throw new ArgumentOutOfRangeException(nameof(options), options.Backend,
                        $"Unknown backend {options.Backend}; use one of {string.Join(", ", Enum.GetNames(typeof(BackendKind)))}.");
            }
        }

        private static (Backend Main, string Reason, IReadOnlyList<string> Trace) Cuda(EngineOptions options, bool requested)
        {
            var cuda = CudaBackend.Create(options.CudaLibraryDirectory, options.DeviceOrdinal);
            string device = cuda.IsEmulated ? cuda.DeviceLabel : cuda.DeviceName;
            string reason = (requested, cuda.IsEmulated) switch
            {
                (true, true) => $"CUDA backend ({device}): requested",
                (true, false) => $"CUDA backend: requested: {device}",
                (false, true) => $"CUDA backend (auto, {device})",
                (false, false) => $"CUDA backend (auto): {device}",
            };
            return (cuda, reason, cuda.Trace);
        }
    }
}
