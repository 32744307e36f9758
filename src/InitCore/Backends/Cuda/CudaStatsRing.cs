namespace InitCore.Backends.Cuda
{
    internal sealed unsafe partial class CudaBackend
    {
        internal override StatsRing CreateStatsRing(in StatsConfig config, int capacity) => new CudaStatsRing(this, config, capacity);

        /// <summary>Statistics slots on the device: results [capacity] and histograms [capacity × bins].</summary>
        private sealed class CudaStatsRing : StatsRing
        {
            private readonly CudaBackend _b;
            private readonly ulong _resultsBlock, _histBlock;
            private ulong _results, _hist;
            private int _disposed;

            internal CudaStatsRing(CudaBackend b, StatsConfig config, int capacity) : base(config, capacity)
            {
                _b = b;
                _resultsBlock = BlockSize((ulong)capacity * (ulong)sizeof(StatsPartialNative));
                _histBlock = BlockSize((ulong)capacity * (ulong)Math.Max(1, config.Bins) * HistogramCounterBytes);
                using (b.Enter())
                {
                    _results = b.AllocateBlock(_resultsBlock);
                    _hist = b.AllocateBlock(_histBlock);
                }
            }

            internal override void Record(TensorStorage x, int slot)
            {
                CudaStorage s = Device(x);
                int k = slot % Capacity;
                using (_b.Enter())
                {
                    ulong bins = (ulong)Math.Max(1, Config.Bins);
                    ulong hist = _hist + (ulong)k * bins * HistogramCounterBytes, result = _results + (ulong)k * (ulong)sizeof(StatsPartialNative);
                    _b.LaunchStatistics(s, Config, hist, result);
                }
            }

            internal override StatsResult[] Read(int[] slots)
            {
                var all = new StatsPartialNative[Capacity];
                int bins = Math.Max(1, Config.Bins);
                var hist = new ulong[Capacity * bins];
                using (_b.Enter())
                {
                    fixed (StatsPartialNative* p = all) _b.Check(_b._d.MemcpyDtoH(p, _results, (ulong)Capacity * (ulong)sizeof(StatsPartialNative), _b.Stream), "cuMemcpyDtoHAsync_v2(statistics ring)");
                    fixed (ulong* h = hist) _b.Check(_b._d.MemcpyDtoH(h, _hist, (ulong)hist.Length * HistogramCounterBytes, _b.Stream), "cuMemcpyDtoHAsync_v2(histogram ring)");
                    _b._ctx.Synchronize();
                }
                var r = new StatsResult[slots.Length];
                for (int i = 0; i < slots.Length; i++)
                {
                    int k = slots[i] % Capacity;
                    r[i] = StatsSlot(all[k], hist.AsSpan(k * bins, bins), Config.Bins);
                }
                return r;
            }

            public override void Dispose()
            {
                if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
                _b.QueueRelease(_results, _resultsBlock);
                _b.QueueRelease(_hist, _histBlock);
            }
        }

        /// <summary>A statistics slot read back from the device: the merged moments and the first <paramref name="bins"/> counters of <paramref name="histogram"/>.</summary>
        private static StatsResult StatsSlot(in StatsPartialNative p, ReadOnlySpan<ulong> histogram, int bins)
        {
            var result = new StatsResult { Histogram = new long[Math.Max(0, bins)] };
            result.Merge((long)p.Count, p.Mean, p.M2, p.Min, p.Max, (long)p.NearZero);
            for (int b = 0; b < bins; b++) result.Histogram[b] = checked((long)histogram[b]);
            return result;
        }

        /// <summary>
        /// Zeroes the histogram slot, then launches the partial and merge kernels of one statistics pass into the device
        /// slots (inside Enter; no synchronization).
        /// </summary>
        private void LaunchStatistics(CudaStorage s, in StatsConfig config, ulong hist, ulong merged)
        {
            ulong bins = (ulong)Math.Max(1, config.Bins);
            Check(_d.MemsetD32(hist, 0, bins * HistogramCounterBytes / 4, Stream), "cuMemsetD32Async(histogram)");
            ulong n = (ulong)s.Length;
            if (n == 0)
            {
                var empty = new StatsPartialNative { Min = float.PositiveInfinity, Max = float.NegativeInfinity };
                Check(_d.MemcpyHtoD(merged, &empty, (ulong)sizeof(StatsPartialNative), Stream), "cuMemcpyHtoDAsync_v2(empty statistics)");
                return;
            }
            uint grid = Grid(n);
            ulong partialBlock = BlockSize((ulong)(grid * sizeof(StatsPartialNative)));
            ulong partials = AllocateBlock(partialBlock);
            try
            {
                var cfg = new StatsConfigNative
                {
                    NearZero = config.NearZero, Lo = config.Lo, Hi = config.Hi, InvWidth = config.InvWidth,
                    Bins = config.Bins, Absolute = config.Absolute ? 1 : 0,
                };
                _k.StatsPartial(new KernelGrid(grid, 1, (uint)(Math.Max(0, config.Bins) * HistogramCounterBytes)), s.Pointer, n, cfg, partials, hist);
                _k.StatsMerge(1, partials, (int)grid, merged);
            }
            finally
            {
                QueueRelease(partials, partialBlock); // stream order keeps it alive for the kernels
            }
        }
    }
}
