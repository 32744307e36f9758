using System;
using System.Threading.Tasks;

namespace InitCore.Backends.Cpu
{
    /// <summary>
    /// CPU twin of native/kernels/stats.cu: one read of the data; Welford in float32 per chunk of
    /// 4096 elements, Chan's merge in double across chunks; min, max, near-zero count and a histogram
    /// with the kernel's bin formula, so counts and bins match the GPU exactly and the moments within
    /// the documented relative error.
    /// </summary>
    internal static class CpuStatistics
    {
        private const int Chunk = 4096;

        internal static StatsResult Compute(float[] data, in StatsConfig cfg, int threads)
        {
            var result = new StatsResult { Histogram = new long[Math.Max(0, cfg.Bins)] };
            int n = data.Length;
            if (n == 0) return result;
            int chunks = (n + Chunk - 1) / Chunk;
            var partial = new (long Count, double Mean, double M2, float Min, float Max, long Near)[chunks];
            var hist = cfg.Bins > 0 ? new long[chunks][] : null;
            float[] copy = data;
            StatsConfig c = cfg;
            void Run(int k)
            {
                int start = k * Chunk, end = Math.Min(n, start + Chunk);
                int count = 0, near = 0;
                float mean = 0f, m2 = 0f, lo = float.PositiveInfinity, hi = float.NegativeInfinity;
                long[]? h = hist is null ? null : (hist[k] = new long[c.Bins]);
                for (int i = start; i < end; i++)
                {
                    float v = copy[i];
                    count++;
                    float d = v - mean;
                    mean = mean + d / count;
                    m2 = m2 + d * (v - mean);
                    lo = v < lo ? v : lo;
                    hi = v > hi ? v : hi;
                    float a = Math.Abs(v);
                    if (a < c.NearZero) near++;
                    if (h is not null)
                    {
                        float x = c.Absolute ? a : v;
                        if (x >= c.Lo && x <= c.Hi)
                        {
                            int bin = (int)((x - c.Lo) * c.InvWidth);
                            h[bin >= c.Bins ? c.Bins - 1 : bin]++;
                        }
                    }
                }
                partial[k] = (count, mean, m2, lo, hi, near);
            }
            if (threads <= 1 || chunks < 16) for (int k = 0; k < chunks; k++) Run(k);
            else Parallel.For(0, chunks, new ParallelOptions { MaxDegreeOfParallelism = threads }, Run);
            foreach (var p in partial) result.Merge(p.Count, p.Mean, p.M2, p.Min, p.Max, p.Near);
            if (hist is not null)
                foreach (long[] h in hist)
                    for (int b = 0; b < h.Length; b++) result.Histogram[b] += h[b];
            return result;
        }
    }
}
