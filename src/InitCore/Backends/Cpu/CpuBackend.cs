using InitCore.Randomness;
using InitCore.Threading;

namespace InitCore.Backends.Cpu
{
    /// <summary>
    /// The CPU backend: multithreaded over <see cref="ThreadCount"/> workers, SIMD through
    /// <see cref="System.Numerics.Vector{T}"/> (and AVX2/AVX-512 for Philox on .NET 8+). It is the
    /// reference every other backend is checked against.
    /// </summary>
    internal sealed partial class CpuBackend : Backend
    {
        internal CpuBackend(int threadCount) => Workers = new CpuWorkers(threadCount);

        /// <summary>The fork–join workers of the allocation-free loops (inference's kernels).</summary>
        internal CpuWorkers Workers { get; }

        /// <summary>The most threads a kernel uses: the workers' count, kept in one place.</summary>
        internal int ThreadCount => Workers.ThreadCount;

        internal override BackendKind Kind => BackendKind.Cpu;

        internal override string Description =>
            $"cpu ({ThreadCount} thread{(ThreadCount == 1 ? "" : "s")}, {System.Numerics.Vector<float>.Count}-wide SIMD{(System.Numerics.Vector.IsHardwareAccelerated ? "" : ", not hardware-accelerated")})";

        internal unsafe void FillConstant(Span<float> destination, float value)
        {
            fixed (float* p = destination)
            {
                var body = new FillConstantBody(p, value);
                CpuPartitioner.For(Workers, ThreadCount, destination.Length, Math.Max(ElementwiseLoop.Grain, CpuPartitioner.EvenGrain(destination.Length, ThreadCount * 4)), ref body);
            }
        }

        private readonly unsafe struct FillConstantBody : IRangeBody
        {
            private readonly float* _p;
            private readonly float _value;

            internal FillConstantBody(float* p, float value)
            {
                _p = p;
                _value = value;
            }

            public void Run(int start, int end) => new Span<float>(_p + start, end - start).Fill(_value);
        }

        internal static float[] Array(TensorStorage storage) =>
            ((CpuStorage)storage).Data ?? throw new ObjectDisposedException("Tensor", "The tensor has been disposed.");

        internal override TensorStorage Allocate(long length) => new CpuStorage(length);

        internal override void Upload(TensorStorage destination, ReadOnlySpan<float> source) => source.CopyTo(Array(destination));

        internal override void Download(TensorStorage source, Span<float> destination) => Array(source).AsSpan().CopyTo(destination);

        internal override void Fill(TensorStorage destination, in FillSpec spec, in PhiloxCounter counter) => PhiloxFill.Fill(Array(destination), spec, counter, ThreadCount);

        internal override void FillBatched(TensorStorage[] destinations, FillSpec[] specs, PhiloxCounter[] counters)
        {
            for (int i = 0; i < destinations.Length; i++) Fill(destinations[i], specs[i], counters[i]);
        }

        internal override void FillConstant(TensorStorage destination, float value) => FillConstant(Array(destination), value);

        internal override void ScaleShift(TensorStorage x, float scale, float shift) => Elementwise.ScaleShift(Array(x), scale, shift, ThreadCount, Workers);

        internal override void ActivationForward(in ActivationSpec spec, TensorStorage x, TensorStorage y) => Elementwise.Forward(spec, Array(x), Array(y), ThreadCount, Workers);

        internal override void ActivationBackward(in ActivationSpec spec, TensorStorage x, TensorStorage dy, TensorStorage dx)
            => Elementwise.Backward(spec, Array(x), Array(dy), Array(dx), ThreadCount, Workers);

        internal override void Add(TensorStorage a, TensorStorage b, TensorStorage c) => Elementwise.Binary(false, Array(a), Array(b), Array(c), ThreadCount, Workers);

        internal override void Multiply(TensorStorage a, TensorStorage b, TensorStorage c) => Elementwise.Binary(true, Array(a), Array(b), Array(c), ThreadCount, Workers);

        internal override void DropoutMask(TensorStorage m, float p, float scale) => Elementwise.DropoutMask(Array(m), p, scale, ThreadCount, Workers);

        internal override StatsResult Statistics(TensorStorage x, in StatsConfig config) => CpuStatistics.Compute(Array(x), config, ThreadCount, Workers);

        internal override StatsResult AffineActivationStatistics(TensorStorage z, float scale, float shift, TensorStorage? perChannel,
            int channels, int inner, ActivationSpec? act, in StatsConfig config)
            => CpuStatistics.ComputeTransformed(Array(z), scale, shift, perChannel is null ? null : Array(perChannel), channels, inner, act, config, ThreadCount, Workers);

        internal override StatsRing CreateStatsRing(in StatsConfig config, int capacity) => new CpuStatsRing(this, config, capacity);

        private sealed class CpuStatsRing : StatsRing
        {
            private readonly CpuBackend _cpu;
            private readonly StatsResult?[] _slots;

            internal CpuStatsRing(CpuBackend cpu, StatsConfig config, int capacity) : base(config, capacity)
            {
                _cpu = cpu;
                _slots = new StatsResult?[capacity];
            }

            internal override void Record(TensorStorage x, int slot) => _slots[slot % Capacity] = _cpu.Statistics(x, Config);

            internal override StatsResult[] Read(int[] slots)
            {
                var r = new StatsResult[slots.Length];
                for (int i = 0; i < slots.Length; i++) r[i] = _slots[slots[i] % Capacity] ?? new StatsResult { Histogram = new long[Math.Max(0, Config.Bins)] };
                return r;
            }

            public override void Dispose() => System.Array.Clear(_slots, 0, _slots.Length);
        }

        public override void Dispose() => Workers.Dispose();
    }
}
