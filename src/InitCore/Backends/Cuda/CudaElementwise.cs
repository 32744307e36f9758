using InitCore.Randomness;

namespace InitCore.Backends.Cuda
{
    /// <summary>Element-wise device code on CUDA: Philox fills, constants, scale-shift, activations, add/multiply, dropout masks and statistics (the kernels of philox_fill.cu, elementwise.cu, activations.cu and stats.cu).</summary>
    internal sealed unsafe partial class CudaBackend
    {
        private static FillTaskNative Task(CudaStorage d, in FillSpec spec, in PhiloxCounter counter)
        {
            var t = new FillTaskNative
            {
                Dst = d.Pointer,
                N = (ulong)d.Length,
                StartBlock = counter.FirstBlock,
                Seed = counter.Seed,
                Stream = counter.Stream,
                Kind = (int)spec.Kind,
            };
            t.P[0] = spec.P0; t.P[1] = spec.P1; t.P[2] = spec.P2; t.P[3] = spec.P3; t.P[4] = spec.P4; t.P[5] = spec.P5;
            return t;
        }

        internal override void Fill(TensorStorage destination, in FillSpec spec, in PhiloxCounter counter)
        {
            CudaStorage d = Device(destination);
            if (d.Length == 0) return;
            using (Enter())
            {
                _k.Fill(Grid(((ulong)d.Length + 3) / 4), Task(d, spec, counter));
            }
        }

        internal override void FillBatched(TensorStorage[] destinations, FillSpec[] specs, PhiloxCounter[] counters)
        {
            if (destinations.Length > 65535)
                throw new ArgumentException($"A batched fill takes at most 65535 tensors (grid y); got {destinations.Length}. Split the batch.", nameof(destinations));
            var tasks = new FillTaskNative[destinations.Length];
            int count = 0;
            ulong maxBlocks = 0;
            using (Enter())
            {
                for (int i = 0; i < destinations.Length; i++)
                {
                    CudaStorage d = Device(destinations[i]);
                    if (d.Length == 0) continue;
                    tasks[count++] = Task(d, specs[i], counters[i]);
                    maxBlocks = Math.Max(maxBlocks, ((ulong)d.Length + 3) / 4);
                }
                if (count == 0) return;
                ulong bytes = (ulong)(count * sizeof(FillTaskNative));
                ulong block = BlockSize(bytes);
                ulong table = AllocateBlock(block);
                fixed (FillTaskNative* p = tasks) Check(_d.MemcpyHtoD(table, p, bytes, Stream), "cuMemcpyHtoDAsync_v2(fill table)");
                _k.FillBatched(new KernelGrid(Grid(maxBlocks), (uint)count), table, count);
                QueueRelease(table, block); // stream order protects it until the kernel has read it
            }
        }

        /// <summary>
        /// The launch shape of an element-wise kernel over <paramref name="storage"/>'s elements, one thread per element:
        /// false (launch nothing) when it is empty. The caller launches inside <see cref="Enter"/>; no delegate, so an
        /// element-wise call allocates nothing.
        /// </summary>
        private bool Elements(CudaStorage storage, out uint grid, out ulong n)
        {
            n = (ulong)storage.Length;
            grid = n == 0 ? 0 : Grid(n);
            return n != 0;
        }

        internal override void FillConstant(TensorStorage destination, float value)
        {
            CudaStorage d = Device(destination);
            if (!Elements(d, out uint grid, out ulong n)) return;
            using (Enter()) _k.FillConstant(grid, d.Pointer, n, value);
        }

        internal override void ScaleShift(TensorStorage x, float scale, float shift)
        {
            CudaStorage d = Device(x);
            if (!Elements(d, out uint grid, out ulong n)) return;
            using (Enter()) _k.ScaleShift(grid, d.Pointer, n, scale, shift);
        }

        internal override void ActivationForward(in ActivationSpec spec, TensorStorage x, TensorStorage y)
        {
            if (!spec.IsRectifier)
            {
                SmoothActivationForward(spec, x, y);
                return;
            }
            ref readonly ActivationSpec a = ref spec;
            CudaStorage sx = Device(x), sy = Device(y);
            if (!Elements(sx, out uint grid, out ulong n)) return;
            using (Enter())
            {
                if (a.IsRelu) _k.ReluForward(grid, sx.Pointer, sy.Pointer, n);
                else if (a.IsLeaky) _k.LeakyReluForward(grid, sx.Pointer, sy.Pointer, n, a.Leak);
                else _k.GeneralReluForward(grid, sx.Pointer, sy.Pointer, n, a.Leak, a.Sub, a.MaxV ?? 0f, a.MaxV.HasValue ? 1 : 0);
            }
        }

        internal override void ActivationBackward(in ActivationSpec spec, TensorStorage x, TensorStorage dy, TensorStorage dx)
        {
            if (!spec.IsRectifier)
            {
                SmoothActivationBackward(spec, x, dy, dx);
                return;
            }
            ref readonly ActivationSpec a = ref spec;
            CudaStorage sx = Device(x), sdy = Device(dy), sdx = Device(dx);
            if (!Elements(sx, out uint grid, out ulong n)) return;
            using (Enter())
            {
                if (a.IsRelu) _k.ReluBackward(grid, sx.Pointer, sdy.Pointer, sdx.Pointer, n);
                else if (a.IsLeaky) _k.LeakyReluBackward(grid, sx.Pointer, sdy.Pointer, sdx.Pointer, n, a.Leak);
                else _k.GeneralReluBackward(grid, sx.Pointer, sdy.Pointer, sdx.Pointer, n, a.Leak, a.Sub, a.MaxV ?? 0f, a.MaxV.HasValue ? 1 : 0);
            }
        }

        /// <summary>Tanh, sigmoid, GELU, SiLU, ELU/SELU, Softplus: initcore_activation_forward with the spec's kind and parameters.</summary>
        private void SmoothActivationForward(in ActivationSpec spec, TensorStorage x, TensorStorage y)
        {
            ref readonly ActivationSpec a = ref spec;
            CudaStorage sx = Device(x), sy = Device(y);
            if (!Elements(sx, out uint grid, out ulong n)) return;
            using (Enter()) _k.ActivationForward(grid, sx.Pointer, sy.Pointer, n, (int)a.Kind, a.P0, a.P1);
        }

        private void SmoothActivationBackward(in ActivationSpec spec, TensorStorage x, TensorStorage dy, TensorStorage dx)
        {
            ref readonly ActivationSpec a = ref spec;
            CudaStorage sx = Device(x), sdy = Device(dy), sdx = Device(dx);
            if (!Elements(sx, out uint grid, out ulong n)) return;
            using (Enter()) _k.ActivationBackward(grid, sx.Pointer, sdy.Pointer, sdx.Pointer, n, (int)a.Kind, a.P0, a.P1);
        }

        internal override void Add(TensorStorage a, TensorStorage b, TensorStorage c) => Binary(a, b, c, multiply: false);

        internal override void Multiply(TensorStorage a, TensorStorage b, TensorStorage c) => Binary(a, b, c, multiply: true);

        /// <summary>c = a + b or c = a · b, element by element.</summary>
        private void Binary(TensorStorage a, TensorStorage b, TensorStorage c, bool multiply)
        {
            CudaStorage sa = Device(a), sb = Device(b), sc = Device(c);
            if (!Elements(sc, out uint grid, out ulong n)) return;
            using (Enter())
            {
                if (multiply) _k.Multiply(grid, sa.Pointer, sb.Pointer, sc.Pointer, n);
                else _k.Add(grid, sa.Pointer, sb.Pointer, sc.Pointer, n);
            }
        }

        internal override void DropoutMask(TensorStorage m, float p, float scale)
        {
            CudaStorage d = Device(m);
            if (!Elements(d, out uint grid, out ulong n)) return;
            using (Enter()) _k.DropoutMask(grid, d.Pointer, n, p, scale);
        }

        internal override StatsResult Statistics(TensorStorage x, in StatsConfig config)
        {
            CudaStorage s = Device(x);
            if (s.Length == 0) return new StatsResult { Histogram = new long[Math.Max(0, config.Bins)] };
            using (Enter())
            {
                ulong histBytes = (ulong)Math.Max(1, config.Bins) * HistogramCounterBytes;
                ulong histBlock = BlockSize(histBytes), resultBlock = BlockSize((ulong)sizeof(StatsPartialNative));
                ulong hist = AllocateBlock(histBlock), merged = AllocateBlock(resultBlock);
                try
                {
                    LaunchStatistics(s, config, hist, merged);
                    StatsPartialNative r;
                    Check(_d.MemcpyDtoH(&r, merged, (ulong)sizeof(StatsPartialNative), Stream), "cuMemcpyDtoHAsync_v2(statistics)");
                    var bins = new ulong[Math.Max(1, config.Bins)];
                    fixed (ulong* pb = bins) Check(_d.MemcpyDtoH(pb, hist, histBytes, Stream), "cuMemcpyDtoHAsync_v2(histogram)");
                    _ctx.Synchronize();
                    return StatsSlot(r, bins, config.Bins);
                }
                finally
                {
                    QueueRelease(hist, histBlock);
                    QueueRelease(merged, resultBlock);
                }
            }
        }
    }
}
