using System;
using System.Threading.Tasks;

namespace InitCore.Backends.Cpu
{
    /// <summary>
    /// The CPU backend: multithreaded over <see cref="ThreadCount"/> workers, SIMD through
    /// <see cref="System.Numerics.Vector{T}"/> (and AVX2 for Philox on .NET 8+). It is the
    /// reference every other backend is checked against.
    /// </summary>
    internal sealed class CpuBackend
    {
        private const int ParallelThreshold = 1 << 16;

        internal CpuBackend(int threadCount)
        {
            ThreadCount = threadCount;
        }

        internal int ThreadCount { get; }

        internal string Description =>
            $"cpu ({ThreadCount} thread{(ThreadCount == 1 ? "" : "s")}, {System.Numerics.Vector<float>.Count}-wide SIMD{(System.Numerics.Vector.IsHardwareAccelerated ? "" : ", not hardware-accelerated")})";

        /// <summary>Draws <paramref name="spec"/> into <paramref name="destination"/>, advancing <paramref name="source"/>.</summary>
        internal void Fill(Span<float> destination, in FillSpec spec, RandomSource source) => source.FillHost(this, destination, spec);

        internal unsafe void FillConstant(Span<float> destination, float value)
        {
            if (destination.Length < ParallelThreshold || ThreadCount == 1)
            {
                destination.Fill(value);
                return;
            }
            int n = destination.Length;
            int chunks = Math.Min(ThreadCount * 4, (n + ParallelThreshold - 1) / ParallelThreshold);
            fixed (float* p = destination)
            {
                IntPtr address = (IntPtr)p;
                Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = ThreadCount }, c =>
                {
                    long start = (long)n * c / chunks;
                    long end = (long)n * (c + 1) / chunks;
                    new Span<float>((float*)address + start, (int)(end - start)).Fill(value);
                });
            }
        }
    }
}
