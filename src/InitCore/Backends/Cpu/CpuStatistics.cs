using InitCore.Threading;

namespace InitCore.Backends.Cpu
{
    /// <summary>
    /// CPU twin of native/kernels/stats.cu: one read of the data from memory; per chunk of 4096 elements, SIMD sums of the
    /// deviations from a pivot (the chunk's first value), scaled by a power of two from max |x|, and then of the squared
    /// deviations from the chunk mean (the chunk stays in L1), Chan's merge in double across chunks, so the variance neither
    /// overflows nor underflows anywhere in float's range and constant data has M2 = 0 exactly; min, max, near-zero count and a histogram
    /// with the kernel's bin formula, so counts and bins match the GPU exactly and the moments within
    /// the documented relative error.
    /// </summary>
    internal static class CpuStatistics
    {
        private const int Chunk = 4096;

        internal static StatsResult Compute(float[] data, in StatsConfig cfg, int threads, CpuWorkers workers) => Compute(data, cfg, threads, workers, null);

        /// <summary>
        /// <see cref="Backend.AffineActivationStatistics"/> fused: each chunk of z is transformed into a scratch chunk
        /// (the same float operations as ScaleShift, AddBias and the activation, in that order) and measured there.
        /// </summary>
        internal static StatsResult ComputeTransformed(float[] z, float scale, float shift, float[]? perChannel, int channels, int inner,
            ActivationSpec? act, in StatsConfig cfg, int threads, CpuWorkers workers)
        {
            bool affine = scale != 1f || shift != 0f;
            return Compute(z, cfg, threads, workers, [MethodImpl(Jit.Hot)] (start, end, buffer) =>
            {
                int count = end - start;
                if (affine) Elementwise.ScaleShift(z, start, buffer, count, scale, shift);
                else System.Array.Copy(z, start, buffer, 0, count);
                if (perChannel is not null)
                    for (int i = 0; i < count;)
                    {
                        long position = start + i;
                        int plane = (int)(position / inner), to = Math.Min(count, (int)((long)(plane + 1) * inner - start));
                        ElementwiseLoop.Map(new Elementwise.ShiftOp(perChannel[plane % channels]), buffer, i, buffer, i, to - i);
                        i = to;
                    }
                if (act is ActivationSpec a) Elementwise.ForwardRange(a, buffer, buffer, 0, count);
            });
        }

        private static StatsResult Compute(float[] data, in StatsConfig cfg, int threads, CpuWorkers workers, Action<int, int, float[]>? transform)
        {
            var result = new StatsResult { Histogram = new long[Math.Max(0, cfg.Bins)] };
            int n = data.Length;
            if (n == 0) return result;
            int chunks = CpuPartitioner.ChunkCount(n, Chunk);
            var partial = new (long Count, double Mean, double M2, float Min, float Max, long Near)[chunks];
            var hist = cfg.Bins > 0 ? new long[chunks][] : null;
            float[] copy = data;
            StatsConfig c = cfg;
            void Run(int k)
            {
                int start = k * Chunk, end = CpuPartitioner.ChunkEnd(k, n, Chunk);
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

            [MethodImpl(Jit.Hot)] 
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
            // One item per chunk of the data: the chunks, not the threads, fix the merge order below, so the bits do not depend on the thread count.
            CpuPartitioner.For(workers, threads, chunks, 1, (k0, k1) => { for (int k = k0; k < k1; k++) Run(k); }, workPerItem: Chunk);
            foreach (var p in partial) result.Merge(p.Count, p.Mean, p.M2, p.Min, p.Max, p.Near);
            if (hist is not null)
                foreach (long[] h in hist)
                    for (int b = 0; b < h.Length; b++) result.Histogram[b] += h[b];
            return result;
        }

        /// <summary>
        /// Count, mean, M2, min, max and near-zero count of data[start, end) (one chunk, which stays in L1).
        /// Pass 1: min, max and the near-zero count (SIMD). The chunk is then measured relative to a pivot p (its
        /// first element; 0 when that is not finite) and scaled by s = 2^−e, e the binary exponent of max |x| (kept
        /// within float's normal range), so every scaled deviation d = x·s − p·s has |d| &lt; 4: squares and sums of a
        /// chunk can neither overflow nor underflow in float, and constant data gives d = 0 exactly (M2 = 0,
        /// mean = p). Pass 2: Σd in SIMD float lanes, lanes added in double. Pass 3: Σ(d − d̄)² likewise, corrected
        /// to the exact chunk mean. Unscaled in double: mean = p + d̄/s, M2 = M2_d/s². Min and max skip NaN as the
        /// kernel's compare-and-select does; a NaN value makes the mean and M2 NaN.
        /// </summary>
        [MethodImpl(Jit.Hot)] // called per chunk, so tier-0 code would dominate
        private static (long Count, double Mean, double M2, float Min, float Max, long Near) Moments(float[] data, int start, int end, float nearZero)
        {
            int i = start, w = System.Numerics.Vector<float>.Count;
            float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
            long near = 0;
            if (System.Numerics.Vector.IsHardwareAccelerated && end - start >= w)
            {
                var vlo = new System.Numerics.Vector<float>(float.PositiveInfinity);
                var vhi = new System.Numerics.Vector<float>(float.NegativeInfinity);
                var vnz = new System.Numerics.Vector<float>(nearZero);
                var vnear = System.Numerics.Vector<int>.Zero;
                for (; i <= end - w; i += w)
                {
                    var v = new System.Numerics.Vector<float>(data, i);
                    vlo = System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.LessThan(v, vlo), v, vlo);
                    vhi = System.Numerics.Vector.ConditionalSelect(System.Numerics.Vector.GreaterThan(v, vhi), v, vhi);
                    vnear -= System.Numerics.Vector.LessThan(System.Numerics.Vector.Abs(v), vnz);
                }
                for (int l = 0; l < w; l++)
                {
                    lo = vlo[l] < lo ? vlo[l] : lo;
                    hi = vhi[l] > hi ? vhi[l] : hi;
                    near += vnear[l];
                }
            }
            for (; i < end; i++)
            {
                float v = data[i];
                lo = v < lo ? v : lo;
                hi = v > hi ? v : hi;
                if (Math.Abs(v) < nearZero) near++;
            }
            int count = end - start;
            if (count == 0) return (0, 0, 0, lo, hi, near);
            float pivot = StatsScaling.Pivot(data[start]);
            float scale = StatsScaling.Scale(Math.Max(Math.Abs(lo), Math.Abs(hi)));
            float ps = pivot * scale;

            double sum = 0;
            i = start;
            if (System.Numerics.Vector.IsHardwareAccelerated && end - start >= w)
            {
                var vscale = new System.Numerics.Vector<float>(scale);
                var vps = new System.Numerics.Vector<float>(ps);
                var acc = System.Numerics.Vector<float>.Zero;
                for (; i <= end - w; i += w) acc += new System.Numerics.Vector<float>(data, i) * vscale - vps;
                for (int l = 0; l < w; l++) sum += acc[l];
            }
            for (; i < end; i++) sum += data[i] * scale - ps;
            double mean = sum / count;
            float mf = (float)mean;
            double m2 = 0;
            i = start;
            if (System.Numerics.Vector.IsHardwareAccelerated && end - start >= w)
            {
                var vscale = new System.Numerics.Vector<float>(scale);
                var vps = new System.Numerics.Vector<float>(ps);
                var vm = new System.Numerics.Vector<float>(mf);
                var acc = System.Numerics.Vector<float>.Zero;
                for (; i <= end - w; i += w)
                {
                    var d = new System.Numerics.Vector<float>(data, i) * vscale - vps - vm;
                    acc += d * d;
                }
                for (int l = 0; l < w; l++) m2 += acc[l];
            }
            for (; i < end; i++)
            {
                float d = data[i] * scale - ps - mf;
                m2 += d * d;
            }
            // The deviations were taken from the float mean; correct M2 to the exact chunk mean.
            double shift = mean - mf;
            m2 -= count * shift * shift;
            double inverse = 1.0 / scale;
            return (count, pivot + mean * inverse, Math.Max(0, m2) * inverse * inverse, lo, hi, near);
        }
    }

    /// <summary>
    /// The pivot and power-of-two scale of one block of statistics (a CPU chunk; shared with the CUDA kernel's
    /// description in native/kernels/stats.cu): the pivot is the block's first value when finite, else 0.
    /// </summary>
    internal static class StatsScaling
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static float Pivot(float first) => first - first == 0f ? first : 0f;

        /// <summary>
        /// 2^−e with e the binary exponent of <paramref name="maxAbs"/> (so maxAbs·s ∈ [1, 2)), e clamped to
        /// [−126, 127] so s is an exact float; 1 when maxAbs is 0, not finite or NaN.
        /// </summary>
        internal static float Scale(float maxAbs)
        {
            if (!(maxAbs > 0f) || float.IsInfinity(maxAbs)) return 1f;
            int e = Exponent(maxAbs);
            if (e < -126) e = -126;
            // 2^−e as float bits; 2^−127 is the subnormal 0x00400000.
            return e == 127 ? BitConverter.Int32BitsToSingle(0x00400000) : BitConverter.Int32BitsToSingle((127 - e) << 23);
        }

        /// <summary>The unbiased binary exponent of a positive finite float (subnormals: below −126).</summary>
        private static int Exponent(float x)
        {
            int bits = BitConverter.SingleToInt32Bits(x);
            int biased = (bits >> 23) & 0xFF;
            if (biased != 0) return biased - 127;
            int mantissa = bits & 0x7FFFFF;
            int e = -127;
            while ((mantissa & 0x400000) == 0) { mantissa <<= 1; e--; }
            return e;
        }
    }
}
