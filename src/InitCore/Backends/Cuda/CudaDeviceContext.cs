using InitCore.Interop.CudaDriver;

namespace InitCore.Backends.Cuda
{
    /// <summary>
    /// One device's primary context and the engine's stream on it, with the device's name, compute capability and SM
    /// count. Owns one primary-context reference (cuDevicePrimaryCtxRetain … cuDevicePrimaryCtxRelease_v2) and the
    /// stream (cuStreamCreate … cuStreamDestroy_v2). <see cref="Dispose"/> releases both once (idempotent, thread-safe);
    /// there is no finalizer, so no CUDA call ever runs on the finalizer thread. Not locked itself: its owner
    /// (<see cref="CudaBackend"/>) serializes <see cref="Push"/>/<see cref="Pop"/> and the work between them.
    /// A sticky error seen by <see cref="Check"/> marks this context unusable (<see cref="BrokenBy"/>).
    /// </summary>
    internal sealed partial class CudaDeviceContext : IDisposable
    {
        private const int CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT = 16;
        private const int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR = 75;
        private const int CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR = 76;

        private readonly int _device;
        private readonly IntPtr _context;
        private int _disposed;

        private CudaDeviceContext(CudaDriverApi driver, int ordinal, int device, IntPtr context)
        {
            Driver = driver;
            Ordinal = ordinal;
            _device = device;
            _context = context;
        }

        /// <summary>
        /// Retains device <paramref name="ordinal"/>'s primary context, reads the device's properties and creates the
        /// stream; on any failure releases what it took and throws, so nothing half-open survives.
        /// </summary>
        internal static CudaDeviceContext Open(CudaDriverApi d, int ordinal)
        {
            d.ThrowIfFailed(d.DeviceGet(ordinal, out int device), $"cuDeviceGet({ordinal})");
            d.ThrowIfFailed(d.PrimaryCtxRetain(device, out IntPtr context), $"cuDevicePrimaryCtxRetain(device {ordinal})");
            var c = new CudaDeviceContext(d, ordinal, device, context);
            bool pushed = false;
            try
            {
                c.Push();
                pushed = true;
                c.Check(d.DeviceGetName(device, out string name), "cuDeviceGetName");
                c.Name = name;
                c.Check(d.DeviceGetAttribute(device, CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT, out int sms), "cuDeviceGetAttribute(MULTIPROCESSOR_COUNT)");
                c.Check(d.DeviceGetAttribute(device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR, out int major), "cuDeviceGetAttribute(COMPUTE_CAPABILITY_MAJOR)");
                c.Check(d.DeviceGetAttribute(device, CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR, out int minor), "cuDeviceGetAttribute(COMPUTE_CAPABILITY_MINOR)");
                c.MultiprocessorCount = sms;
                c.ComputeCapability = $"{major}.{minor}";
                c.Check(d.StreamCreate(out IntPtr stream), "cuStreamCreate(CU_STREAM_NON_BLOCKING)");
                c.Stream = stream;
                c.Pop();
                return c;
            }
            catch
            {
                if (pushed) d.CtxPop();
                c.Dispose();
                throw;
            }
        }

        internal CudaDriverApi Driver { get; }

        /// <summary>The device ordinal, as in torch's <c>cuda:N</c>.</summary>
        internal int Ordinal { get; }

        /// <summary>The engine's stream (non-blocking); every copy, memset and launch of the engine goes on it.</summary>
        internal IntPtr Stream { get; private set; }

        internal string Name { get; private set; } = "";

        internal string ComputeCapability { get; private set; } = "";

        internal int MultiprocessorCount { get; private set; }

        internal bool IsDisposed => Volatile.Read(ref _disposed) != 0;

        /// <summary>Makes the context current on this thread (cuCtxPushCurrent_v2); pair with <see cref="Pop"/>.</summary>
        internal void Push() => Check(Driver.CtxPush(_context), "cuCtxPushCurrent_v2(primary context)");

        /// <summary>Makes the context current unless this object is disposed or the push fails (for teardown, which must not throw).</summary>
        internal bool TryPush() => !IsDisposed && Driver.CtxPush(_context) == CUresult.CUDA_SUCCESS;

        /// <summary>Restores the thread's previous context. Its status is not checked: a pop after a failure must not hide that failure.</summary>
        internal void Pop() => Driver.CtxPop();

        /// <summary>Waits for the stream (inside <see cref="Push"/>).</summary>
        internal void Synchronize() => Check(Driver.StreamSynchronize(Stream), "cuStreamSynchronize");

        /// <summary>
        /// Destroys the stream (waiting for it first) when the context can still be made current, then releases the
        /// primary-context reference. Later calls do nothing. Runs CUDA calls: call it from a normal thread, never a finalizer.
        /// </summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
            if (Stream != IntPtr.Zero && Driver.CtxPush(_context) == CUresult.CUDA_SUCCESS)
            {
                Driver.StreamSynchronize(Stream);
                Driver.StreamDestroy(Stream);
                Driver.CtxPop();
            }
            Stream = IntPtr.Zero;
            Driver.PrimaryCtxRelease(_device);
        }
    }
}
