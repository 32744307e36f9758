using System;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;

namespace InitCore.Backends.Cpu
{
    /// <summary>
    /// CPU twin of native/kernels/stats.cu: one read of the data from memory; per chunk of 4096 elements, SIMD sums of the values
    /// and then of the squared deviations from the chunk mean (the chunk stays in L1), Chan's merge in double across chunks; min, max, near-zero count and a histogram
    /// with the kernel's bin formula, so counts and bins match the GPU exactly and the moments within
    /// the documented relative error.
    /// </summary>
    internal static class CpuStatistics
    {
        private const int Chunk = 4096;

        internal static StatsResult Compute(float[] data, in StatsConfig cfg, int threads) => Compute(data, cfg, threads, null);

        /// <summary>
        /// <see cref="Backend.AffineActivationStatistics"/> fused: each chunk of z is transformed into a scratch chunk
        /// (the same float operations as ScaleShift, AddBias and the activation, in that order) and measured there.
        /// </summary>
        internal static StatsResult ComputeTransformed(float[] z, float scale, float shift, float[]? perChannel, int channels, int inner,
            ActivationSpec? act, in StatsConfig cfg, int threads)
        {
            bool affine = scale != 1f || shift != 0f;
            return Compute(z, cfg, threads, [MethodImpl((MethodImplOptions)512)] (start, end, buffer) =>
            {
                int count = end - start;
                if (affine) Elementwise.ScaleShift(z, start, buffer, count, scale, shift);
                else System.Array.Copy(z, start, buffer, 0, count);
                if (perChannel is not null)
                    for (int i = 0; i < count;)
                    {
                        long position = start + i;
                        int plane = (int)(position / inner), to = Math.Min(count, (int)((long)(plane + 1) * inner - start));
                        float add = perChannel[plane % channels];
                        int w = System.Numerics.Vector<float>.Count;
                        if (System.Numerics.Vector.IsHardwareAccelerated)
                        {
                            var v = new System.Numerics.Vector<float>(add);
                            for (; i <= to - w; i += w) (new System.Numerics.Vector<float>(buffer, i) + v).CopyTo(buffer, i);
                        }
                        for (; i < to; i++) buffer[i] += add;
                    }
                if (act is ActivationSpec a) Elementwise.ForwardRange(a, buffer, buffer, 0, count);
            });
        }

        private static StatsResult Compute(float[] data, in StatsConfig cfg, int threads, Action<int, int, float[]>? transform)
        {
            var result = new StatsResult { Histogram = new long[Math.Max(0, cfg.Bins)] };
            int n = data.Length;
            if (n == 0) return result;
            int chunks = Elementwise.ChunkCount(n, Chunk);
            var partial = new (long Count, double Mean, double M2, float Min, float Max, long Near)[chunks];
            var hist = cfg.Bins > 0 ? new long[chunks][] : null;
            float[] copy = data;
            StatsConfig c = cfg;
            void Run(int k)
            {
                int start = k * Chunk, end = Elementwise.ChunkEnd(k, n, Chunk);
                float[] source = copy;
                float[]? scratch = null;
                if (transform is not null)
                {
                    scratch = System.Buffers.ArrayPool<float>.Shared.Rent(Chunk);
                    transform(start, end, scratch);
                    source = scratch;
                    end -= start;
                    start = 0;
                }
                partial[k] = Moments(source, start, end, c.NearZero);
                if (hist is not null) Histogram(source, start, end, c, hist[k] = new long[c.Bins]);
                if (scratch is not null) System.Buffers.ArrayPool<float>.Shared.Return(scratch);
            }

            [MethodImpl((MethodImplOptions)512)] 
            static void Histogram(float[] data, int start, int end, in StatsConfig c, long[] h)
            {
                for (int i = start; i < end; i++)
                {
                    float v = data[i];
                    float x = c.Absolute ? Math.Abs(v) : v;
                    if (x >= c.Lo && x <= c.Hi)
                    {
                        int bin = (int)((x - c.Lo) * c.InvWidth);
                        h[bin >= c.Bins ? c.Bins - 1 : bin]++;
                    }
                }
            }
            if (threads <= 1 || chunks < 16) for (int k = 0; k < chunks; k++) Run(k);
            else Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, Run);
            foreach (var p in partial) result.Merge(p.Count, p.Mean, p.M2, p.Min, p.Max, p.Near);
            if (hist is not null)
                foreach (long[] h in hist)
                    for (int b = 0; b < h.Length; b++) result.Histogram[b] += h[b];
            return result;
        }

        /// <summary>
        /// Count, mean, M2, min, max and near-zero count of data[start, end) (one chunk, which stays in L1): SIMD lanes sum
        /// the values (pass 1, with min, max and the near-zero count), then the squared deviations from the chunk mean
        /// (pass 2); lanes are added in double. Min and max skip NaN as the kernel's compare-and-select does.
        /// </summary>
        [MethodImpl((MethodImplOptions)512)] // AggressiveOptimization: called per chunk, so tier-0 code would dominate
        private static (long Count, double Mean, double M2, float Min, float Max, long Near) Moments(float[] data, int start, int end, float nearZero)
        {
            int i = start, w = System.Numerics.Vector<float>.Count;
            double sum = 0;
            float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
            long near = 0;
            if (System.Numerics.Vector.IsHardwareAccelerated && end - start >= w)
            {
                var vs = System.Numerics.Vector<float>.Zero;
                var vlo = new System.Numerics.Vector<float>(float.PositiveInfinity);
                var vhi = new System.Numerics.Vector<float>(float.NegativeInfinity);
                var vnz = new System.Numerics.Vector<float>(nearZero);
                var vnear = System.Numerics.Vector<int>.Zero;
                for (; i <= end - w; i += w)
                {
                    var v = new System.Numerics.Vector<float>(data, i);
                    vs += v;
                    vlo = System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.LessThan(v, vlo), v, vlo);
                    vhi = System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.GreaterThan(v, vhi), v, vhi);
                    vnear -= System.Numerics.Vector.LessThan(System.Numerics.Vector.Abs(v), vnz);
                }
                for (int l = 0; l < w; l++)
                {
                    sum += vs[l];
                    lo = vlo[l] < lo ? vlo[l] : lo;
                    hi = vhi[l] > hi ? vhi[l] : hi;
                    near += vnear[l];
                }
            }
            for (; i < end; i++)
            {
                float v = data[i];
                sum += v;
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
                if (Math.Abs(v) < nearZero) near++;
            }
            int count = end - start;
            double mean = count > 0 ? sum / count : 0;
            float mf = (float)mean;
            double m2 = 0;
            i = start;
            if (System.Numerics.Vector.IsHardwareAccelerated && end - start >= w)
            {
                var vm = new System.Numerics.Vector<float>(mf);
                var acc = System.Numerics.Vector<float>.Zero;
                for (; i <= end - w; i += w)
                {
                    var d = new System.Numerics.Vector<float>(data, i) - vm;
                    acc += d * d;
                }
                for (int l = 0; l < w; l++) m2 += acc[l];
            }
            for (; i < end; i++)
            {
                float d = data[i] - mf;
                m2 += d * d;
            }
            // The deviations were taken from the float mean; correct M2 to the exact chunk mean.
            double shift = mean - mf;
            m2 -= count * shift * shift;
            return (count, mean, Math.Max(0, m2), lo, hi, near);
        }
    }
}