namespace InitCore.Backends.Cuda
{
    /// <summary>Losses, the SGD step and device copies on CUDA (layers.cu kernels).</summary>
    internal sealed unsafe partial class CudaBackend
    {
        // ------------------------------------------------------------------ losses, optimizer, copies

        internal override double CrossEntropyForward(TensorStorage logits, TensorStorage labels, TensorStorage probs, int n, int classes)
        {
            CudaStorage sz = Device(logits), st = Device(labels), sp = Device(probs);
            if (n == 0) return 0.0;
            using (Enter())
            {
                CheckLabels(st, n, classes);
                return SumOfDoubles((ulong)n, losses => _k.CrossEntropyForward(Grid((ulong)n), sz.Pointer, st.Pointer, sp.Pointer, losses, n, classes), "losses") / n;
            }
        }

        /// <summary>
        /// Runs <paramref name="kernel"/> into a pooled device block of <paramref name="count"/> doubles, reads them
        /// back and returns their sum, added on the host in index order (inside <see cref="Enter"/>).
        /// </summary>
        private double SumOfDoubles(ulong count, Action<ulong> kernel, string what)
        {
            ulong block = BlockSize(count * 8), values = AllocateBlock(block);
            try
            {
                kernel(values);
                var host = new double[count];
                fixed (double* h = host) Check(_d.MemcpyDtoH(h, values, count * 8, Stream), $"cuMemcpyDtoHAsync_v2({what})");
                _ctx.Synchronize();
                double sum = 0;
                foreach (double v in host) sum += v;
                return sum;
            }
            finally
            {
                QueueRelease(values, block);
            }
        }

        internal override void CrossEntropyBackward(TensorStorage probs, TensorStorage labels, TensorStorage dlogits, int n, int classes)
        {
            CudaStorage sp = Device(probs), st = Device(labels), sd = Device(dlogits);
            if (n == 0 || classes == 0) return;
            using (Enter())
            {
                CheckLabels(st, n, classes);
                _k.CrossEntropyBackward(Grid((ulong)n * (ulong)classes), sp.Pointer, st.Pointer, sd.Pointer, n, classes);
            }
        }

        /// <summary>
        /// Reads the labels back and checks each is an integer class in 0..classes−1, throwing the CPU
        /// backend's ArgumentException (inside <see cref="Enter"/>): the kernels index by label, so an
        /// out-of-range one must never reach them.
        /// </summary>
        private void CheckLabels(CudaStorage labels, int n, int classes)
        {
            var host = new float[n];
            fixed (float* h = host) Check(_d.MemcpyDtoH(h, labels.Pointer, (ulong)n * 4, Stream), "cuMemcpyDtoHAsync_v2(labels)");
            _ctx.Synchronize();
            ClassLabels.Check(host, n, classes);
        }

        internal override int CountCorrect(TensorStorage logits, TensorStorage labels, int n, int classes)
        {
            CudaStorage sz = Device(logits), st = Device(labels);
            if (n == 0) return 0;
            using (Enter())
            {
                ulong block = BlockSize(4), counter = AllocateBlock(block);
                try
                {
                    Check(_d.MemsetD32(counter, 0, 1, Stream), "cuMemsetD32Async(counter)");
                    _k.CountCorrect(Grid((ulong)n), sz.Pointer, st.Pointer, n, classes, counter);
                    uint result;
                    Check(_d.MemcpyDtoH(&result, counter, 4, Stream), "cuMemcpyDtoHAsync_v2(count)");
                    _ctx.Synchronize();
                    return (int)result;
                }
                finally
                {
                    QueueRelease(counter, block);
                }
            }
        }

        internal override double MseForward(TensorStorage x, TensorStorage target)
        {
            CudaStorage sx = Device(x), st = Device(target);
            if (sx.Length == 0) return 0.0;
            using (Enter())
            {
                ulong n = (ulong)sx.Length;
                uint grid = Grid(n);
                return SumOfDoubles(grid, partial => _k.MsePartial(grid, sx.Pointer, st.Pointer, n, partial), "mse") / n;
            }
        }

        internal override void MseBackward(TensorStorage x, TensorStorage target, TensorStorage dx)
        {
            CudaStorage sx = Device(x), st = Device(target), sd = Device(dx);
            if (!Elements(sx, out uint grid, out ulong n)) return;
            using (Enter()) _k.MseBackward(grid, sx.Pointer, st.Pointer, sd.Pointer, n);
        }

        internal override void SgdStep(TensorStorage p, TensorStorage g, TensorStorage buf, float lr, float momentum, float weightDecay, bool first)
        {
            CudaStorage sp = Device(p), sg = Device(g), sb = Device(buf);
            if (!Elements(sp, out uint grid, out ulong n)) return;
            using (Enter()) _k.SgdStep(grid, sp.Pointer, sg.Pointer, sb.Pointer, n, lr, momentum, weightDecay, first ? 1 : 0);
        }

        internal override void Copy(TensorStorage source, TensorStorage destination)
        {
            CudaStorage s = Device(source), d = Device(destination);
            if (s.Length == 0) return;
            using (Enter()) Check(_d.MemcpyDtoD(d.Pointer, s.Pointer, (ulong)s.Length * 4, Stream), "cuMemcpyDtoDAsync_v2");
        }
    }
}
