using System;
using InitCore.Backends.Cpu;
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
                FillTaskNative task = Task(d, spec, counter);
                void** args = stackalloc void*[1];
                args[0] = &task;
                Launch("initcore_fill", Grid(((ulong)d.Length + 3) / 4), 1, 0, args);
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
                fixed (FillTaskNative* p = tasks) Check(_d.MemcpyHtoD(table, p, bytes, _stream), "cuMemcpyHtoDAsync_v2(fill table)");
                int n = count;
                void** args = stackalloc void*[2];
                args[0] = &table;
                args[1] = &n;
                Launch("initcore_fill_batched", Grid(maxBlocks), (uint)count, 0, args);
                QueueRelease(table, block); // stream order protects it until the kernel has read it
            }
        }

        internal override void FillConstant(TensorStorage destination, float value)
        {
            CudaStorage d = Device(destination);
            if (d.Length == 0) return;
            using (Enter())
            {
                ulong p = d.Pointer, n = (ulong)d.Length;
                void** args = stackalloc void*[3];
                args[0] = &p; args[1] = &n; args[2] = &value;
                Launch("initcore_fill_constant", Grid(n), 1, 0, args);
            }
        }

        internal override void ScaleShift(TensorStorage x, float scale, float shift)
        {
            CudaStorage d = Device(x);
            if (d.Length == 0) return;
            using (Enter())
            {
                ulong p = d.Pointer, n = (ulong)d.Length;
                void** args = stackalloc void*[4];
                args[0] = &p; args[1] = &n; args[2] = &scale; args[3] = &shift;
                Launch("initcore_scale_shift", Grid(n), 1, 0, args);
            }
        }

        internal override void ActivationForward(in ActivationSpec spec, TensorStorage x, TensorStorage y)
        {
            if (!spec.IsRectifier)
            {
                SmoothActivationForward(spec, x, y);
                return;
            }
            CudaStorage sx = Device(x), sy = Device(y);
            if (sx.Length == 0) return;
            using (Enter())
            {
                ulong px = sx.Pointer, py = sy.Pointer, n = (ulong)sx.Length;
                float leak = spec.Leak, sub = spec.Sub, maxv = spec.MaxV ?? 0f;
                int hasMax = spec.MaxV.HasValue ? 1 : 0;
                void** args = stackalloc void*[7];
                args[0] = &px; args[1] = &py; args[2] = &n;
                if (spec.IsRelu) Launch("initcore_relu_forward", Grid(n), 1, 0, args);
                else if (spec.IsLeaky)
                {
                    args[3] = &leak;
                    Launch("initcore_leaky_relu_forward", Grid(n), 1, 0, args);
                }
                else
                {
                    args[3] = &leak; args[4] = &sub; args[5] = &maxv; args[6] = &hasMax;
                    Launch("initcore_general_relu_forward", Grid(n), 1, 0, args);
                }
            }
        }

        internal override void ActivationBackward(in ActivationSpec spec, TensorStorage x, TensorStorage dy, TensorStorage dx)
        {
            if (!spec.IsRectifier)
            {
                SmoothActivationBackward(spec, x, dy, dx);
                return;
            }
            CudaStorage sx = Device(x), sdy = Device(dy), sdx = Device(dx);
            if (sx.Length == 0) return;
            using (Enter())
            {
                ulong px = sx.Pointer, pdy = sdy.Pointer, pdx = sdx.Pointer, n = (ulong)sx.Length;
                float leak = spec.Leak, sub = spec.Sub, maxv = spec.MaxV ?? 0f;
                int hasMax = spec.MaxV.HasValue ? 1 : 0;
                void** args = stackalloc void*[8];
                args[0] = &px; args[1] = &pdy; args[2] = &pdx; args[3] = &n;
                if (spec.IsRelu) Launch("initcore_relu_backward", Grid(n), 1, 0, args);
                else if (spec.IsLeaky)
                {
                    args[4] = &leak;
                    Launch("initcore_leaky_relu_backward", Grid(n), 1, 0, args);
                }
                else
                {
                    args[4] = &leak; args[5] = &sub; args[6] = &maxv; args[7] = &hasMax;
                    Launch("initcore_general_relu_backward", Grid(n), 1, 0, args);
                }
            }
        }

        /// <summary>Tanh, sigmoid, GELU, SiLU, ELU/SELU, Softplus: initcore_activation_forward with the spec's kind and parameters.</summary>
        private void SmoothActivationForward(in ActivationSpec spec, TensorStorage x, TensorStorage y)
        {
            CudaStorage sx = Device(x), sy = Device(y);
            if (sx.Length == 0) return;
            using (Enter())
            {
                ulong px = sx.Pointer, py = sy.Pointer, n = (ulong)sx.Length;
                int kind = (int)spec.Kind;
                float p0 = spec.P0, p1 = spec.P1;
                void** args = stackalloc void*[6];
                args[0] = &px; args[1] = &py; args[2] = &n; args[3] = &kind; args[4] = &p0; args[5] = &p1;
                Launch("initcore_activation_forward", Grid(n), 1, 0, args);
            }
        }

        private void SmoothActivationBackward(in ActivationSpec spec, TensorStorage x, TensorStorage dy, TensorStorage dx)
        {
            CudaStorage sx = Device(x), sdy = Device(dy), sdx = Device(dx);
            if (sx.Length == 0) return;
            using (Enter())
            {
                ulong px = sx.Pointer, pdy = sdy.Pointer, pdx = sdx.Pointer, n = (ulong)sx.Length;
                int kind = (int)spec.Kind;
                float p0 = spec.P0, p1 = spec.P1;
                void** args = stackalloc void*[7];
                args[0] = &px; args[1] = &pdy; args[2] = &pdx; args[3] = &n; args[4] = &kind; args[5] = &p0; args[6] = &p1;
                Launch("initcore_activation_backward", Grid(n), 1, 0, args);
            }
        }

        // Each launch names its kernel literally, so the emulator's test can match its arguments with the PTX's .param list.
        internal override void Add(TensorStorage a, TensorStorage b, TensorStorage c) => Binary(a, b, c, multiply: false);

        internal override void Multiply(TensorStorage a, TensorStorage b, TensorStorage c) => Binary(a, b, c, multiply: true);

        /// <summary>c = a + b or c = a · b, element by element: one argument block, one literal launch per kernel.</summary>
        private void Binary(TensorStorage a, TensorStorage b, TensorStorage c, bool multiply)
        {
            CudaStorage sa = Device(a), sb = Device(b), sc = Device(c);
            if (sc.Length == 0) return;
            using (Enter())
            {
                ulong pa = sa.Pointer, pb = sb.Pointer, pc = sc.Pointer, n = (ulong)sc.Length;
                void** args = stackalloc void*[4];
                args[0] = &pa; args[1] = &pb; args[2] = &pc; args[3] = &n;
                if (multiply) Launch("initcore_mul", Grid(n), 1, 0, args);
                else Launch("initcore_add", Grid(n), 1, 0, args);
            }
        }

        internal override void DropoutMask(TensorStorage m, float p, float scale)
        {
            CudaStorage d = Device(m);
            if (d.Length == 0) return;
            using (Enter())
            {
                ulong pm = d.Pointer, n = (ulong)d.Length;
                void** args = stackalloc void*[4];
                args[0] = &pm; args[1] = &n; args[2] = &p; args[3] = &scale;
                Launch("initcore_dropout_mask", Grid(n), 1, 0, args);
            }
        }

        internal override StatsResult Statistics(TensorStorage x, in StatsConfig config)
        {
            CudaStorage s = Device(x);
            var result = new StatsResult { Histogram = new long[Math.Max(0, config.Bins)] };
            if (s.Length == 0) return result;
            using (Enter())
            {
                ulong histBytes = (ulong)Math.Max(1, config.Bins) * HistogramCounterBytes;
                ulong histBlock = BlockSize(histBytes), resultBlock = BlockSize((ulong)sizeof(StatsPartialNative));
                ulong hist = AllocateBlock(histBlock), merged = AllocateBlock(resultBlock);
                try
                {
                    Check(_d.MemsetD32(hist, 0, histBytes / 4, _stream), "cuMemsetD32Async(histogram)");
                    LaunchStatistics(s, config, hist, merged);
                    StatsPartialNative r;
                    Check(_d.MemcpyDtoH(&r, merged, (ulong)sizeof(StatsPartialNative), _stream), "cuMemcpyDtoHAsync_v2(statistics)");
                    var bins = new ulong[Math.Max(1, config.Bins)];
                    fixed (ulong* pb = bins) Check(_d.MemcpyDtoH(pb, hist, histBytes, _stream), "cuMemcpyDtoHAsync_v2(histogram)");
                    Check(_d.StreamSynchronize(_stream), "cuStreamSynchronize");
                    result.Merge((long)r.Count, r.Mean, r.M2, r.Min, r.Max, (long)r.NearZero);
                    for (int b = 0; b < config.Bins; b++) result.Histogram[b] = checked((long)bins[b]);
                }
                finally
                {
                    QueueRelease(hist, histBlock);
                    QueueRelease(merged, resultBlock);
                }
            }
            return result;
        }
    }
}
