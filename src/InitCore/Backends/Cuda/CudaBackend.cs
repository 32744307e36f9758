using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using InitCore.Backends.Cpu;

using InitCore.Interop;
using InitCore.Interop.Cublas;
using InitCore.Interop.CudaDriver;
using InitCore.Interop.Cudnn;

namespace InitCore.Backends.Cuda
{
    /// <summary>
    /// The CUDA backend: one device's primary context, one stream, the engine's cuBLAS and cuDNN
    /// handles bound to that stream, the embedded PTX modules and a device-memory pool. Every entry
    /// takes the engine's lock and pushes the context (popping it on the way out), so any host thread
    /// may call. Nothing here runs CUDA on a finalizer: released blocks wait in a queue until the next
    /// call or Dispose.
    /// </summary>
    internal sealed unsafe partial class CudaBackend : Backend
    {
        private const int CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
        private const int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
        private const int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;
        private const ulong CublasWorkspaceBytes = 32UL << 20;
        private const int ThreadsPerBlock = 256;

        /// <summary>Bytes of one histogram counter on the device: 64-bit, as in stats.cu and the CPU twin's long[].</summary>
        internal const int HistogramCounterBytes = sizeof(ulong);

        private readonly object _gate = new object();
        private readonly CudaLibraries _libs;
        private readonly CudaDriverApi _d;
        private readonly int _device;
        private readonly IntPtr _context;
        private readonly IntPtr _stream;
        private readonly IntPtr _cublas;
        private readonly IntPtr _cudnn;
        private readonly List<IntPtr> _modules = new List<IntPtr>();
        private readonly Dictionary<string, IntPtr> _functions = new Dictionary<string, IntPtr>();
        private readonly CudaMemoryPool _pool;
        private ulong _cublasWorkspace;
        private int _disposed;
        private volatile CudaException? _broken;

        private CudaBackend(CudaLibraries libs, int device, IntPtr context, List<string> trace)
        {
            _libs = libs;
            Trace = trace;
            _d = libs.Driver;
            _device = device;
            _context = context;
            _pool = new CudaMemoryPool(_d, () => DeviceName, Check);
            Check(_d.CtxPush(_context), "cuCtxPushCurrent_v2(primary context)");
            try
            {
                Check(_d.DeviceGetName(device, out string name), "cuDeviceGetName");
                DeviceName = name;
                Check(_d.DeviceGetAttribute(device, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, out int sms), "cuDeviceGetAttribute(MULTIPROCESSOR_COUNT)");
                Check(_d.DeviceGetAttribute(device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, out int major), "cuDeviceGetAttribute(COMPUTE_CAPABILITY_MAJOR)");
                Check(_d.DeviceGetAttribute(device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, out int minor), "cuDeviceGetAttribute(COMPUTE_CAPABILITY_MINOR)");
                MultiprocessorCount = sms;
                ComputeCapability = $"{major}.{minor}";
                Check(_d.StreamCreate(out _stream), "cuStreamCreate(CU_STREAM_NON_BLOCKING)");
                foreach (var module in KernelCatalog.Modules)
                {
                    byte[] image = KernelCatalog.Image(module.Key);
                    CUresult r = _d.ModuleLoadData(image, out IntPtr handle, out string jitLog);
                    if (IsSticky(r)) Check(r, $"cuModuleLoadDataEx({KernelCatalog.ResourceName(module.Key)})"); // a poisoned context, not a JIT failure
                    if (r != CUresult.CUDA_SUCCESS)
                        throw Error(r, $"cuModuleLoadDataEx({KernelCatalog.ResourceName(module.Key)})",
                            $"The driver could not JIT-compile the embedded PTX for {DeviceName} (compute {ComputeCapability}). JIT log: {(jitLog.Length == 0 ? "(empty)" : jitLog)}");
                    _modules.Add(handle);
                    foreach (string entry in module.Value)
                    {
                        Check(_d.ModuleGetFunction(handle, entry, out IntPtr f), $"cuModuleGetFunction({entry})");
                        _functions[entry] = f;
                    }
                }
                if (libs.Cublas is CublasApi blas)
                {
                    blas.ThrowIfFailed(blas.Create(out _cublas), "cublasCreate_v2");
                    blas.ThrowIfFailed(blas.SetStream(_cublas, _stream), "cublasSetStream_v2");
                    _cublasWorkspace = AllocateBlock(CublasWorkspaceBytes);
                    blas.ThrowIfFailed(blas.SetWorkspace(_cublas, _cublasWorkspace, CublasWorkspaceBytes), "cublasSetWorkspace_v2(32 MiB)");
                    blas.ThrowIfFailed(blas.SetMathMode(_cublas, 0 /* CUBLAS_DEFAULT_MATH: no TF32 */), "cublasSetMathMode(CUBLAS_DEFAULT_MATH)");
                }
                if (libs.Cudnn is CudnnApi dnn)
                {
                    // cuDNN is optional: a failed setup (in cuDNN 9 typically 1008, a sub-library that would
                    // not load) costs convolutions only, and the reason is kept for them and in the trace.
                    int status = dnn.Create(out IntPtr handle);
                    string call = "cudnnCreate";
                    if (status == 0)
                    {
                        call = "cudnnSetStream";
                        status = dnn.SetStream(handle, _stream);
                        if (status != 0) dnn.Destroy(handle);
                    }
                    if (status == 0) _cudnn = handle;
                    else
                    {
                        CudnnUnavailableReason = $"{call} failed with {dnn.Explain(status)}{CudnnSetupAdvice(status)}";
                        trace.Add($"cuDNN ({dnn.Path}): {CudnnUnavailableReason}; convolutions on CUDA are unavailable, everything else runs");
                    }
                }
                else CudnnUnavailableReason = "no usable cuDNN library was found (see the load trace)";
            }
            catch
            {
                ReleaseAll();
                _d.CtxPop();
                _d.PrimaryCtxRelease(_device);
                throw;
            }
            _d.CtxPop();
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
            d.ThrowIfFailed(d.DeviceGet(deviceOrdinal, out int device), $"cuDeviceGet({deviceOrdinal})");
            d.ThrowIfFailed(d.PrimaryCtxRetain(device, out IntPtr context), $"cuDevicePrimaryCtxRetain(device {deviceOrdinal})");
            var backend = new CudaBackend(libs, device, context, trace) { Ordinal = deviceOrdinal };
            trace.Add($"device {deviceOrdinal}: {backend.DeviceName}, compute {backend.ComputeCapability}, {backend.MultiprocessorCount} SMs");
            return backend;
        }

        internal IReadOnlyList<string> Trace { get; }

        /// <summary>The device ordinal, as in torch's <c>cuda:N</c>.</summary>
        internal int Ordinal { get; private set; }

        internal override string TorchDevice => "cuda:" + Ordinal.ToString(System.Globalization.CultureInfo.InvariantCulture);

        /// <summary>Why convolutions cannot run on this engine (no cuDNN, or its setup failed), or null when they can.</summary>
        internal string? CudnnUnavailableReason { get; private set; }

        /// <summary>The sticky error that made this engine unusable, or null. Once set, every call rethrows it.</summary>
        internal CudaException? BrokenBy => _broken;
        internal string DeviceName { get; } = "";

        /// <summary>The name the InitCore emulated device (native/emulator) gives itself; no GPU uses it.</summary>
        internal const string EmulatedDeviceName = "InitCore emulated device";

        /// <summary>True on the InitCore emulated device: the CPU runs our kernels behind stand-in NVIDIA libraries (tests and CI only).</summary>
        internal bool IsEmulated => DeviceName == EmulatedDeviceName;

        /// <summary>The device as the engine's backend line names it: the GPU's name, or an unmistakable emulated-device label.</summary>
        internal string DeviceLabel => IsEmulated ? $"emulated device: {DeviceName}, not a GPU" : DeviceName;
        internal string ComputeCapability { get; } = "";
        internal int MultiprocessorCount { get; }
        internal int DriverVersion => _libs.DriverVersion;
        internal bool HasCublas => _cublas != IntPtr.Zero;
        internal bool HasCudnn => _cudnn != IntPtr.Zero;

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
                if (_broken is CudaException broken) throw Unusable(broken);
                Check(_d.CtxPush(_context), "cuCtxPushCurrent_v2(primary context)");
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
                _owner._d.CtxPop();
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
                Check(_d.MemsetD32(p, 0, (ulong)length, _stream), "cuMemsetD32Async(zero)");
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
                fixed (float* p = source) Check(_d.MemcpyHtoD(d.Pointer, p, (ulong)source.Length * 4, _stream), "cuMemcpyHtoDAsync_v2");
            }
        }

        internal override void Download(TensorStorage source, Span<float> destination)
        {
            CudaStorage s = Device(source);
            if (s.Length == 0) return;
            using (Enter())
            {
                fixed (float* p = destination) Check(_d.MemcpyDtoH(p, s.Pointer, (ulong)s.Length * 4, _stream), "cuMemcpyDtoHAsync_v2");
                Check(_d.StreamSynchronize(_stream), "cuStreamSynchronize");
            }
        }

        internal void Synchronize()
        {
            using (Enter()) Check(_d.StreamSynchronize(_stream), "cuStreamSynchronize");
        }

        // ------------------------------------------------------------------ launches

        private uint Grid(ulong work)
        {
            ulong blocks = (work + ThreadsPerBlock - 1) / ThreadsPerBlock;
            ulong cap = (ulong)Math.Max(1, MultiprocessorCount) * 16;
            return (uint)Math.Max(1UL, Math.Min(blocks, cap));
        }

        private void Launch(string entry, uint gridX, uint gridY, uint sharedBytes, void** args)
            => Check(_d.LaunchKernel(_functions[entry], gridX, gridY, ThreadsPerBlock, sharedBytes, _stream, args), $"cuLaunchKernel({entry}, grid {gridX}×{gridY}, block {ThreadsPerBlock})");

        // ------------------------------------------------------------------ lifetime

        private void ReleaseAll()
        {
            DestroyConvPlans();
            if (_cudnn != IntPtr.Zero && _libs.Cudnn is CudnnApi dnn) dnn.Destroy(_cudnn);
            if (_cublas != IntPtr.Zero && _libs.Cublas is CublasApi blas) blas.Destroy(_cublas);
            foreach (IntPtr m in _modules) _d.ModuleUnload(m);
            _modules.Clear();
            _pool.FreeAll();
            if (_stream != IntPtr.Zero) _d.StreamDestroy(_stream);
        }

        /// <summary>Synchronizes, destroys the handles, frees every block (pooled or still owned by tensors) and releases the primary context. Idempotent.</summary>
        public override void Dispose()
        {
            lock (_gate)
            {
                if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
                if (_d.CtxPush(_context) == CUresult.CUDA_SUCCESS)
                {
                    _d.StreamSynchronize(_stream);
                    ReleaseAll();
                    _d.CtxPop();
                }
                _d.PrimaryCtxRelease(_device);
            }
        }
    }
}
