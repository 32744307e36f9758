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
            Backend main;
            string reason;
            IReadOnlyList<string> trace;
            switch (options.Backend)
            {
                case BackendKind.Auto:
                    try
                    {
                        var cuda = CudaBackend.Create(options.CudaLibraryDirectory, options.DeviceOrdinal);
                        main = cuda;
                        trace = cuda.Trace;
                        reason = cuda.IsEmulated ? $"CUDA backend (auto, {cuda.DeviceLabel})" : $"CUDA backend (auto): {cuda.DeviceName}";
                    }
                    catch (CudaUnavailableException ex)
                    {
                        main = cpu;
                        trace = ex.LoadTrace;
                        reason = $"CPU backend (auto): CUDA unavailable: {ex.Reason}";
                    }
                    catch (Exception ex) when (ex is NativeCallException or DllNotFoundException or EntryPointNotFoundException or InvalidOperationException)
                    {
                        // A GPU was found but setting it up failed (for example the driver could not JIT the PTX):
                        // automatic choice means "CUDA when usable", so fall back and say why.
                        main = cpu;
                        trace = new[] { ex.Message };
                        reason = $"CPU backend (auto): CUDA setup failed: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}";
                    }
                    break;
                case BackendKind.Cpu:
                    main = cpu;
                    trace = Array.Empty<string>();
                    reason = "CPU backend: requested";
                    break;
                case BackendKind.Cuda:
                {
                    var cuda = CudaBackend.Create(options.CudaLibraryDirectory, options.DeviceOrdinal);
                    main = cuda;
                    trace = cuda.Trace;
                    reason = cuda.IsEmulated ? $"CUDA backend ({cuda.DeviceLabel}): requested" : $"CUDA backend: requested: {cuda.DeviceName}";
                    break;
                }
                default:
                    throw new ArgumentOutOfRangeException(nameof(options), options.Backend,
                        $"Unknown backend {options.Backend}; use one of {string.Join(", ", Enum.GetNames(typeof(BackendKind)))}.");
            }
            if (options.AllowTf32) (main as CudaBackend)?.SetTf32(true);
            return (main, reason, trace);
        }
    }
}
