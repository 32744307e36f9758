using InitCore.Interop;
using InitCore.Interop.Cublas;
using InitCore.Interop.CudaDriver;
using InitCore.Interop.Cudnn;

namespace InitCore.Backends.Cuda
{
    /// <summary>
    /// The CUDA backend, composed of owning pieces: the device context and stream (<see cref="CudaDeviceContext"/>), the
    /// device-memory pool (<see cref="CudaMemoryPool"/>), the loaded PTX modules (<see cref="CudaModules"/>) with their typed
    /// launchers (<see cref="CudaLaunchers"/>), the cuBLAS and cuDNN handles bound to the stream (<see cref="CublasHandle"/>,
    /// <see cref="CudnnHandle"/>) and the convolution plans (<see cref="CudnnConvPlanCache"/>). This file holds the lock,
    /// entry, memory transfers and lifetime. Every entry takes the engine's lock and pushes the context (popping it on the
    /// way out), so any host thread may call. Nothing here runs CUDA on a finalizer: released blocks wait in a queue until
    /// the next call or Dispose.
    /// </summary>
    internal sealed unsafe partial class CudaBackend : Backend
    {
        private const int ThreadsPerBlock = 256;

        /// <summary>Bytes of one histogram counter on the device: 64-bit, as in stats.cu and the CPU twin's long[].</summary>
        internal const int HistogramCounterBytes = sizeof(ulong);

        private readonly object _gate = new object();
        private readonly CudaLibraries _libs;
        private readonly CudaDriverApi _d;
        private readonly CudaDeviceContext _ctx;
        private readonly CudaMemoryPool _pool;
        private readonly CudaModules _modules;
        private readonly CudaLaunchers _k;
        private readonly CublasHandle? _blas;
        private readonly CudnnHandle? _dnn;
        private readonly CudnnConvPlanCache _convPlans = new CudnnConvPlanCache();
        private int _disposed;

        /// <summary>Takes ownership of <paramref name="context"/>: on failure disposes it with everything built on it.</summary>
        private CudaBackend(CudaLibraries libs, CudaDeviceContext context, List<string> trace)
        {
            _libs = libs;
            Trace = trace;
            _d = libs.Driver;
            _ctx = context;
            _pool = new CudaMemoryPool(_ctx);
            _k = new CudaLaunchers(Launch);
            bool pushed = false;
            try
            {
                _ctx.Push();
                pushed = true;
                _modules = new CudaModules(_ctx);
                if (libs.Cublas is CublasApi blas) _blas = CublasHandle.Create(blas, Stream, _pool);
                if (libs.Cudnn is CudnnApi dnn)
                {
                    // cuDNN is optional: a failed setup costs convolutions only, and the reason is kept for them and in the trace.
                    _dnn = CudnnHandle.TryCreate(dnn, Stream, out string? reason);
                    if (_dnn is null)
                    {
                        CudnnUnavailableReason = reason;
                        trace.Add($"cuDNN ({dnn.Path}): {CudnnUnavailableReason}; convolutions on CUDA are unavailable, everything else runs");
                    }
                }
                else CudnnUnavailableReason = "no usable cuDNN library was found (see the load trace)";
            }
            catch
            {
                ReleaseAll();
                if (pushed) _ctx.Pop();
                _ctx.Dispose();
                throw;
            }
            _ctx.Pop();
        }

        /// <summary>Loads the libraries, initializes the driver and opens the device, or throws <see cref="CudaUnavailableException"/>.</summary>
        internal static CudaBackend Create(string? libraryDirectory, int deviceOrdinal)
        {
            CudaLibraries libs = CudaLibraries.Load(libraryDirectory);
            var trace = new List<string>(libs.Trace);
            CudaDriverApi d = libs.Driver;
            CUresult r = d.DeviceGetCount(out int count);
            if (r != CUresult.CUDA_SUCCESS || count == 0)
            {
                string reason = r != CUresult.CUDA_SUCCESS ? $"cuDeviceGetCount returned {CUresultInfo.Name((int)r)} ({(int)r})" : "the driver reports 0 CUDA devices";
                trace.Add(reason);
                throw new CudaUnavailableException(reason, trace);
            }
            if (deviceOrdinal < 0 || deviceOrdinal >= count)
            {
                string reason = $"device ordinal {deviceOrdinal} is out of range: this machine has {count} CUDA device(s), ordinals 0..{count - 1}";
                trace.Add(reason);
                throw new CudaUnavailableException(reason, trace);
            }
            var backend = new CudaBackend(libs, CudaDeviceContext.Open(d, deviceOrdinal), trace);
            trace.Add($"device {deviceOrdinal}: {backend.DeviceName}, compute {backend.ComputeCapability}, {backend.MultiprocessorCount} SMs");
            return backend;
        }

        internal IReadOnlyList<string> Trace { get; }

        /// <summary>The device ordinal, as in torch's <c>cuda:N</c>.</summary>
        internal int Ordinal => _ctx.Ordinal;

        internal override string TorchDevice => "cuda:" + Ordinal.ToString(CultureInfo.InvariantCulture);

        /// <summary>Why convolutions cannot run on this engine (no cuDNN, or its setup failed), or null when they can.</summary>
        internal string? CudnnUnavailableReason { get; private set; }

        /// <summary>The sticky error that made this engine unusable, or null. Once set, every call rethrows it.</summary>
        internal CudaException? BrokenBy => _ctx.BrokenBy;

        internal string DeviceName => _ctx.Name;

        /// <summary>The name the InitCore emulated device (native/emulator) gives itself; no GPU uses it.</summary>
        internal const string EmulatedDeviceName = "InitCore emulated device";

        /// <summary>True on the InitCore emulated device: the CPU runs our kernels behind stand-in NVIDIA libraries (tests and CI only).</summary>
        internal bool IsEmulated => DeviceName == EmulatedDeviceName;

        /// <summary>The device as the engine's backend line names it: the GPU's name, or an unmistakable emulated-device label.</summary>
        internal string DeviceLabel => IsEmulated ? $"emulated device: {DeviceName}, not a GPU" : DeviceName;
        internal string ComputeCapability => _ctx.ComputeCapability;

        internal int MultiprocessorCount => _ctx.MultiprocessorCount;
        internal int DriverVersion => _libs.DriverVersion;
        internal bool HasCublas => _blas is not null;

        internal bool HasCudnn => _dnn is not null;

        /// <summary>Number of cuMemAlloc_v2 calls so far: steady-state work should not raise it.</summary>
        internal long DeviceAllocations => _pool.DeviceAllocations;

        /// <summary>Number of tensor storages created so far (each takes a pool block): inference's steady state should not raise it.</summary>
        internal long StorageAllocations => Interlocked.Read(ref _storageAllocations);

        private long _storageAllocations;

        /// <summary>Bytes held in the pool, ready for reuse.</summary>
        internal ulong PooledBytes => _pool.PooledBytes;

        internal override BackendKind Kind => BackendKind.Cuda;

        internal override string Description =>
            $"cuda ({(IsEmulated ? "EMULATED " : "")}device {DeviceName}, compute {ComputeCapability}, {MultiprocessorCount} SMs, driver CUDA {DriverVersion / 1000}.{DriverVersion % 1000 / 10}" +
            $"{(HasCublas ? ", cuBLAS" : ", no cuBLAS")}{(HasCudnn ? ", cuDNN" : ", no cuDNN")})";

        // ------------------------------------------------------------------ entry: the lock and the current context

        /// <summary>Takes the engine's lock and makes the context current on this thread until disposed.</summary>
        internal Scope Enter()
        {
            Monitor.Enter(_gate);
            try
            {
                if (Volatile.Read(ref _disposed) != 0) throw new ObjectDisposedException(nameof(Engine), "This engine has been disposed; create a new one with Engine.Create().");
                if (_ctx.BrokenBy is CudaException broken) throw CudaDeviceContext.Unusable(broken);
                _ctx.Push();
            }
            catch
            {
                Monitor.Exit(_gate);
                throw;
            }
            _pool.DrainReleased();
            return new Scope(this);
        }

        internal readonly ref struct Scope
        {
            private readonly CudaBackend _owner;

            internal Scope(CudaBackend owner) => _owner = owner;

            public void Dispose()
            {
                _owner._ctx.Pop();
                Monitor.Exit(_owner._gate);
            }
        }

        // ------------------------------------------------------------------ memory

        internal static ulong BlockSize(ulong bytes) => CudaMemoryPool.BlockSize(bytes);

        /// <summary>Queues a block for reuse; safe on any thread, including the finalizer (no CUDA call).</summary>
        internal void QueueRelease(ulong pointer, ulong bytes) => _pool.QueueRelease(pointer, bytes);

        /// <summary>A block of <paramref name="blockBytes"/> (a <see cref="BlockSize"/> class; call inside <see cref="Enter"/>).</summary>
        private ulong AllocateBlock(ulong blockBytes) => _pool.Allocate(blockBytes);

        internal override TensorStorage Allocate(long length)
        {
            Interlocked.Increment(ref _storageAllocations);
            if (length == 0) return new CudaStorage(this, 0, 0, 0);
            ulong block = BlockSize((ulong)length * 4);
            using (Enter())
            {
                ulong p = AllocateBlock(block);
                Check(_d.MemsetD32(p, 0, (ulong)length, Stream), "cuMemsetD32Async(zero)");
                return new CudaStorage(this, length, p, block);
            }
        }

        private static CudaStorage Device(TensorStorage storage)
        {
            var s = (CudaStorage)storage;
            if (s.IsReleased) throw new ObjectDisposedException("Tensor", "The tensor has been disposed.");
            return s;
        }

        internal override void Upload(TensorStorage destination, ReadOnlySpan<float> source)
        {
            CudaStorage d = Device(destination);
            if (source.Length == 0) return;
            using (Enter())
            {
                // From pageable memory the copy is staged before the call returns, so the span may go.
                fixed (float* p = source) Check(_d.MemcpyHtoD(d.Pointer, p, (ulong)source.Length * 4, Stream), "cuMemcpyHtoDAsync_v2");
            }
        }

        internal override void Download(TensorStorage source, Span<float> destination)
        {
            CudaStorage s = Device(source);
            if (s.Length == 0) return;
            using (Enter())
            {
                fixed (float* p = destination) Check(_d.MemcpyDtoH(p, s.Pointer, (ulong)s.Length * 4, Stream), "cuMemcpyDtoHAsync_v2");
                _ctx.Synchronize();
            }
        }

        internal void Synchronize()
        {
            using (Enter()) _ctx.Synchronize();
        }

        // ------------------------------------------------------------------ launches

        private uint Grid(ulong work)
        {
            ulong blocks = (work + ThreadsPerBlock - 1) / ThreadsPerBlock;
            ulong cap = (ulong)Math.Max(1, MultiprocessorCount) * 16;
            return (uint)Math.Max(1UL, Math.Min(blocks, cap));
        }

        /// <summary>The backend's <see cref="KernelLaunch"/>: the entry's function, the grid, <see cref="ThreadsPerBlock"/> threads, the stream.</summary>
        private void Launch(string entry, KernelGrid grid, void** args)
            => Check(_d.LaunchKernel(_modules.Function(entry), grid.X, grid.Y, ThreadsPerBlock, grid.SharedBytes, Stream, args), $"cuLaunchKernel({entry}, grid {grid.X}×{grid.Y}, block {ThreadsPerBlock})");

        /// <summary>The engine's stream (the context's).</summary>
        private IntPtr Stream => _ctx.Stream;

        /// <summary>The context's status check: throws, and marks the engine unusable on a sticky error.</summary>
        private void Check(CUresult status, string call) => _ctx.Check(status, call);

        // ------------------------------------------------------------------ lifetime

        /// <summary>Releases everything built on the context, newest first (with the context current); each piece once.</summary>
        private void ReleaseAll()
        {
            _convPlans.Dispose();
            _dnn?.Dispose();
            _blas?.Dispose();
            _modules?.Dispose();
            _pool.FreeAll();
        }

        /// <summary>Synchronizes, destroys the handles, frees every block (pooled or still owned by tensors), then closes the context (stream and primary context). Idempotent.</summary>
        public override void Dispose()
        {
            lock (_gate)
            {
                if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
                if (_ctx.TryPush())
                {
                    _d.StreamSynchronize(Stream);
                    ReleaseAll();
                    _ctx.Pop();
                }
                _ctx.Dispose();
            }
        }
    }
}
