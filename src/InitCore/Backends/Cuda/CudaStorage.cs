namespace InitCore.Backends.Cuda
{
    /// <summary>
    /// A tensor's device memory: one pooled block owned by this object. Dispose (or the finalizer)
    /// hands the block back to the backend's queue without any CUDA call; the engine recycles it at its
    /// next call under its context, or frees it at Dispose.
    /// </summary>
    internal sealed class CudaStorage(CudaBackend owner, long length, ulong pointer, ulong blockBytes) : TensorStorage(length)
    {
        private readonly CudaBackend _owner = owner;
        private int _released;

        internal ulong Pointer { get; } = pointer;

        internal ulong BlockBytes { get; } = blockBytes;

        internal override bool IsReleased => Volatile.Read(ref _released) != 0;

        public override void Dispose()
        {
            Release();
            GC.SuppressFinalize(this);
        }

        ~CudaStorage() => Release();

        private void Release()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0 && BlockBytes != 0) _owner.QueueRelease(Pointer, BlockBytes);
        }
    }
}
