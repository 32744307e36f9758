using System.Threading;

namespace InitCore.Backends.Cpu
{
    internal sealed class CpuStorage : TensorStorage
    {
        private float[]? _data;

        internal CpuStorage(long length) : base(length) => _data = new float[length];

        /// <summary>The elements, or null once disposed.</summary>
        internal float[]? Data => Volatile.Read(ref _data);

        public override void Dispose() => Interlocked.Exchange(ref _data, null);
    }
}
