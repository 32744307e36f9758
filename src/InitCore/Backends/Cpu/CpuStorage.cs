namespace InitCore.Backends.Cpu
{
    internal sealed class CpuStorage : TensorStorage
    {
        private float[]? _data;

        internal CpuStorage(long length) : base(length) => _data = NewHostArray(length);

        /// <summary>
        /// A new zeroed float array of <paramref name="length"/> elements (at most <see cref="TensorStorage.MaxLength"/>); when the
        /// runtime cannot provide the memory, an <see cref="OutOfMemoryException"/> that says how many bytes were asked for.
        /// </summary>
        internal static float[] NewHostArray(long length)
        {
            if ((ulong)length > MaxLength)
                throw new ArgumentOutOfRangeException(nameof(length), length, $"A host array holds 0 to {MaxLength} floats.");
            try
            {
                return new float[length];
            }
            catch (OutOfMemoryException ex)
            {
                throw new OutOfMemoryException(
                    $"Out of host memory: allocating {length} float32 elements ({length * sizeof(float)} bytes) failed. Free tensors you no longer need, or use smaller shapes or batches.", ex);
            }
        }

        /// <summary>The elements, or null once disposed.</summary>
        internal float[]? Data => Volatile.Read(ref _data);

        internal override bool IsReleased => Data is null;

        internal override float[] HostData => Data ?? throw new ObjectDisposedException("Tensor", "The tensor has been disposed.");

        public override void Dispose() => Interlocked.Exchange(ref _data, null);
    }
}
