using System;
using InitCore.Backends.Cpu;

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
                ulong block = BlockSize((ulong)n * 8), losses = AllocateBlock(block);
                try
                {
                    ulong pz = sz.Pointer, pt = st.Pointer, pp = sp.Pointer;
                    void** a = stackalloc void*[6];
                    a[0] = &pz; a[1] = &pt; a[2] = &pp; a[3] = &losses; a[4] = &n; a[5] = &classes;
                    Launch("initcore_xent_forward", Grid((ulong)n), 1, 0, a);
                    var host = new double[n];
                    fixed (double* h = host) Check(_d.MemcpyDtoH(h, losses, (ulong)n * 8, _stream), "cuMemcpyDtoHAsync_v2(losses)");
                    Check(_d.StreamSynchronize(_stream), "cuStreamSynchronize");
                    double sum = 0;
                    foreach (double l in host) sum += l;
                    return sum / n;
                }
                finally
                {
                    QueueRelease(losses, block);
                }
            }
        }

        internal override void CrossEntropyBackward(TensorStorage probs, TensorStorage labels, TensorStorage dlogits, int n, int classes)
        {
            CudaStorage sp = Device(probs), st = Device(labels), sd = Device(dlogits);
            if (n == 0 || classes == 0) return;
            using (Enter())
            {
                CheckLabels(st, n, classes);
                ulong pp = sp.Pointer, pt = st.Pointer, pd = sd.Pointer;
                void** a = stackalloc void*[5];
                a[0] = &pp; a[1] = &pt; a[2] = &pd; a[3] = &n; a[4] = &classes;
                Launch("initcore_xent_backward", Grid((ulong)n * (ulong)classes), 1, 0, a);
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
            fixed (float* h = host) Check(_d.MemcpyDtoH(h, labels.Pointer, (ulong)n * 4, _stream), "cuMemcpyDtoHAsync_v2(labels)");
            Check(_d.StreamSynchronize(_stream), "cuStreamSynchronize");
            CpuBackend.CheckLabels(host, n, classes);
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
                    Check(_d.MemsetD32(counter, 0, 1, _stream), "cuMemsetD32Async(counter)");
                    ulong pz = sz.Pointer, pt = st.Pointer;
                    void** a = stackalloc void*[5];
                    a[0] = &pz; a[1] = &pt; a[2] = &n; a[3] = &classes; a[4] = &counter;
                    Launch("initcore_count_correct", Grid((ulong)n), 1, 0, a);
                    uint result;
                    Check(_d.MemcpyDtoH(&result, counter, 4, _stream), "cuMemcpyDtoHAsync_v2(count)");
                    Check(_d.StreamSynchronize(_stream), "cuStreamSynchronize");
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
                ulong block = BlockSize((ulong)grid * 8), partial = AllocateBlock(block);
                try
                {
                    ulong px = sx.Pointer, pt = st.Pointer;
                    void** a = stackalloc void*[4];
                    a[0] = &px; a[1] = &pt; a[2] = &n; a[3] = &partial;
                    Launch("initcore_mse_partial", grid, 1, 0, a);
                    var host = new double[grid];
                    fixed (double* h = host) Check(_d.MemcpyDtoH(h, partial, (ulong)grid * 8, _stream), "cuMemcpyDtoHAsync_v2(mse)");
                    Check(_d.StreamSynchronize(_stream), "cuStreamSynchronize");
                    double sum = 0;
                    foreach (double v in host) sum += v;
                    return sum / n;
                }
                finally
                {
                    QueueRelease(partial, block);
                }
            }
        }

        internal override void MseBackward(TensorStorage x, TensorStorage target, TensorStorage dx)
        {
            CudaStorage sx = Device(x), st = Device(target), sd = Device(dx);
            if (sx.Length == 0) return;
            using (Enter())
            {
                ulong px = sx.Pointer, pt = st.Pointer, pd = sd.Pointer, n = (ulong)sx.Length;
                void** a = stackalloc void*[4];
                a[0] = &px; a[1] = &pt; a[2] = &pd; a[3] = &n;
                Launch("initcore_mse_backward", Grid(n), 1, 0, a);
            }
        }

        internal override void SgdStep(TensorStorage p, TensorStorage g, TensorStorage buf, float lr, float momentum, float weightDecay, bool first)
        {
            CudaStorage sp = Device(p), sg = Device(g), sb = Device(buf);
            if (sp.Length == 0) return;
            using (Enter())
            {
                ulong pp = sp.Pointer, pg = sg.Pointer, pb = sb.Pointer, n = (ulong)sp.Length;
                int f = first ? 1 : 0;
                void** a = stackalloc void*[8];
                a[0] = &pp; a[1] = &pg; a[2] = &pb; a[3] = &n; a[4] = &lr; a[5] = &momentum; a[6] = &weightDecay; a[7] = &f;
                Launch("initcore_sgd_step", Grid(n), 1, 0, a);
            }
        }

        internal override void Copy(TensorStorage source, TensorStorage destination)
        {
            CudaStorage s = Device(source), d = Device(destination);
            if (s.Length == 0) return;
            using (Enter()) Check(_d.MemcpyDtoD(d.Pointer, s.Pointer, (ulong)s.Length * 4, _stream), "cuMemcpyDtoDAsync_v2");
        }
    }
}
