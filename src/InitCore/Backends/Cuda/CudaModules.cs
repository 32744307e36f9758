using InitCore.Interop.CudaDriver;

namespace InitCore.Backends.Cuda
{
    /// <summary>
    /// The embedded PTX modules (<see cref="KernelCatalog"/>) loaded into one <see cref="CudaDeviceContext"/>, and each
    /// declared entry's function handle. Owns the modules; <see cref="Dispose"/> unloads them once (idempotent,
    /// thread-safe). Create and dispose with the context current, under the owner's lock.
    /// </summary>
    internal sealed class CudaModules : IDisposable
    {
        private readonly CudaDeviceContext _context;
        private readonly List<IntPtr> _modules = new List<IntPtr>();
        private readonly Dictionary<string, IntPtr> _functions = new Dictionary<string, IntPtr>();
        private int _disposed;

        /// <summary>JIT-compiles every module for the device and looks up every entry; on failure unloads what it loaded and throws.</summary>
        internal CudaModules(CudaDeviceContext context)
        {
            _context = context;
            CudaDriverApi d = context.Driver;
            try
            {
                foreach (var module in KernelCatalog.Modules)
                {
                    string call = $"cuModuleLoadDataEx({KernelCatalog.ResourceName(module.Key)})";
                    CUresult r = d.ModuleLoadData(KernelCatalog.Image(module.Key), out IntPtr handle, out string jitLog);
                    if (CudaDeviceContext.IsSticky(r)) context.Check(r, call); // a poisoned context, not a JIT failure
                    if (r != CUresult.CUDA_SUCCESS)
                        throw context.Error(r, call,
                            $"The driver could not JIT-compile the embedded PTX for {context.Name} (compute {context.ComputeCapability}). JIT log: {(jitLog.Length == 0 ? "(empty)" : jitLog)}");
                    _modules.Add(handle);
                    foreach (string entry in module.Value)
                    {
                        context.Check(d.ModuleGetFunction(handle, entry, out IntPtr f), $"cuModuleGetFunction({entry})");
                        _functions[entry] = f;
                    }
                }
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        /// <summary>The function handle of a catalogued entry.</summary>
        internal IntPtr Function(string entry) => _functions[entry];

        /// <summary>Unloads the modules; later calls do nothing.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            foreach (IntPtr m in _modules) _context.Driver.ModuleUnload(m);
            _modules.Clear();
            _functions.Clear();
        }
    }
}
