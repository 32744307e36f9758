using System;
using System.Collections.Generic;
using InitCore.Cuda;
using InitCore.Interop.Cublas;
using InitCore.Interop.Cudnn;

namespace InitCore.Backends.Cuda
{
    /// <summary>Layer operations on CUDA: cuBLAS SGEMM, cuDNN convolutions, and the layers.cu kernels.</summary>
    internal sealed unsafe partial class CudaBackend
    {
        private const int CUDNN_TENSOR_NCHW = 0, CUDNN_DATA_FLOAT = 0, CUDNN_CROSS_CORRELATION = 1;
        private const int CUDNN_DEFAULT_MATH = 0, CUDNN_FMA_MATH = 3;
        private const int CUBLAS_DEFAULT_MATH = 0, CUBLAS_TF32_TENSOR_OP_MATH = 3;
        private const ulong ConvWorkspaceLimit = 512UL << 20;

        private readonly Dictionary<(int, int, int, int, int, int, int, int, int, int, int, int, int, int), ConvPlan> _convPlans =
            new Dictionary<(int, int, int, int, int, int, int, int, int, int, int, int, int, int), ConvPlan>();

        /// <summary>TF32 tensor cores for cuBLAS and cuDNN: off unless the user asks (EngineOptions.AllowTf32).</summary>
        internal bool AllowTf32 { get; private set; }

        internal void SetTf32(bool allow)
        {
            AllowTf32 = allow;
            if (_libs.Cublas is CublasApi blas && _cublas != IntPtr.Zero)
                using (Enter()) CheckBlas(blas, blas.SetMathMode(_cublas, allow ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
        }

        private sealed class ConvPlan
        {
            internal IntPtr X, Y, W, Conv;
            internal int Fwd, BwdData, BwdFilter;
            internal ulong FwdBytes, BwdDataBytes, BwdFilterBytes;
        }

        private CublasApi Blas => _libs.Cublas is CublasApi b && _cublas != IntPtr.Zero ? b
            : throw new InvalidOperationException($"cuBLAS is not available, so matrix multiplies cannot run on CUDA. Load trace: {string.Join(" | ", Trace)}");

        private CudnnApi Dnn => _libs.Cudnn is CudnnApi d && _cudnn != IntPtr.Zero ? d
            : throw new InvalidOperationException($"cuDNN is not available, so convolutions cannot run on CUDA: {CudnnUnavailableReason}. Load trace: {string.Join(" | ", Trace)}");

        internal override void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, TensorStorage a, TensorStorage b, float beta, TensorStorage c)
        {
            CudaStorage sa = Device(a), sb = Device(b), sc = Device(c);
            if (m == 0 || n == 0) return;
            CublasApi blas = Blas;
            using (Enter())
            {
                // Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: swap the operands.
                CheckBlas(blas, blas.Sgemm(_cublas, transB, transA, n, m, k, alpha, sb.Pointer, transB ? k : n, sa.Pointer, transA ? m : k, beta, sc.Pointer, n),
                    $"cublasSgemm_v2(m={n}, n={m}, k={k})");
            }
        }


        internal override void AddBias(TensorStorage y, TensorStorage bias, int outer, int channels, int inner)
        {
            CudaStorage sy = Device(y), sb = Device(bias);
            if (sy.Length == 0) return;
            using (Enter())
            {
                ulong py = sy.Pointer, pb = sb.Pointer;
                void** a = stackalloc void*[5];
                a[0] = &py; a[1] = &pb; a[2] = &outer; a[3] = &channels; a[4] = &inner;
                Launch("initcore_add_bias", Grid((ulong)sy.Length), 1, 0, a);
            }
        }

        internal override void BiasGrad(TensorStorage dy, TensorStorage db, int outer, int channels, int inner, bool accumulate)
        {
            CudaStorage sdy = Device(dy), sdb = Device(db);
            using (Enter())
            {
                ulong pdy = sdy.Pointer, pdb = sdb.Pointer;
                int acc = accumulate ? 1 : 0;
                void** a = stackalloc void*[6];
                a[0] = &pdy; a[1] = &pdb; a[2] = &outer; a[3] = &channels; a[4] = &inner; a[5] = &acc;
                Launch("initcore_bias_grad", (uint)channels, 1, 0, a);
            }
        }

        // ------------------------------------------------------------------ convolution through cuDNN

        private ConvPlan Plan(in ConvGeometry g)
        {
            var key = (g.N, g.C, g.H, g.W, g.K, g.R, g.S, g.StrideH, g.StrideW, g.PadH, g.PadW, g.DilH, g.DilW, g.Groups);
            if (_convPlans.TryGetValue(key, out ConvPlan? plan)) return plan;
            CudnnApi d = Dnn;
            plan = new ConvPlan();
            IntPtr x, y, w, conv;
            CheckDnn(d, d.cudnnCreateTensorDescriptor(&x), "cudnnCreateTensorDescriptor");
            plan.X = x;
            CheckDnn(d, d.cudnnCreateTensorDescriptor(&y), "cudnnCreateTensorDescriptor");
            plan.Y = y;
            CheckDnn(d, d.cudnnCreateFilterDescriptor(&w), "cudnnCreateFilterDescriptor");
            plan.W = w;
            CheckDnn(d, d.cudnnCreateConvolutionDescriptor(&conv), "cudnnCreateConvolutionDescriptor");
            plan.Conv = conv;
            _convPlans[key] = plan; // registered before the calls below can throw, so Dispose destroys the descriptors
            CheckDnn(d, d.cudnnSetTensor4dDescriptor(x, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, g.N, g.C, g.H, g.W), $"cudnnSetTensor4dDescriptor(x [{g.N}, {g.C}, {g.H}, {g.W}])");
            CheckDnn(d, d.cudnnSetTensor4dDescriptor(y, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, g.N, g.K, g.P, g.Q), $"cudnnSetTensor4dDescriptor(y [{g.N}, {g.K}, {g.P}, {g.Q}])");
            CheckDnn(d, d.cudnnSetFilter4dDescriptor(w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, g.K, g.CPerGroup, g.R, g.S), $"cudnnSetFilter4dDescriptor(w [{g.K}, {g.CPerGroup}, {g.R}, {g.S}])");
            CheckDnn(d, d.cudnnSetConvolution2dDescriptor(conv, g.PadH, g.PadW, g.StrideH, g.StrideW, g.DilH, g.DilW, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT), "cudnnSetConvolution2dDescriptor");
            CheckDnn(d, d.cudnnSetConvolutionGroupCount(conv, g.Groups), $"cudnnSetConvolutionGroupCount({g.Groups})");
            CheckDnn(d, d.cudnnSetConvolutionMathType(conv, AllowTf32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH), "cudnnSetConvolutionMathType");
            const int want = 8;
            var perf = stackalloc cudnnConvolutionPerf_t[want];
            int got;
            CheckDnn(d, d.cudnnGetConvolutionForwardAlgorithm_v7(_cudnn, x, w, conv, y, want, &got, perf), "cudnnGetConvolutionForwardAlgorithm_v7");
            (plan.Fwd, plan.FwdBytes) = Pick(perf, got, "forward");
            CheckDnn(d, d.cudnnGetConvolutionBackwardDataAlgorithm_v7(_cudnn, w, y, conv, x, want, &got, perf), "cudnnGetConvolutionBackwardDataAlgorithm_v7");
            (plan.BwdData, plan.BwdDataBytes) = Pick(perf, got, "backward data");
            CheckDnn(d, d.cudnnGetConvolutionBackwardFilterAlgorithm_v7(_cudnn, x, y, conv, w, want, &got, perf), "cudnnGetConvolutionBackwardFilterAlgorithm_v7");
            (plan.BwdFilter, plan.BwdFilterBytes) = Pick(perf, got, "backward filter");
            return plan;
        }

        /// <summary>The first algorithm cuDNN's heuristics rank that succeeded and fits the workspace limit.</summary>
        private static (int Algo, ulong Bytes) Pick(cudnnConvolutionPerf_t* perf, int count, string what)
        {
            for (int i = 0; i < count; i++)
                if (perf[i].status == 0 && perf[i].memory <= ConvWorkspaceLimit) return (perf[i].algo, perf[i].memory);
            throw new CudnnException(3000, "CUDNN_STATUS_NOT_SUPPORTED", $"cudnnGetConvolution*Algorithm_v7({what})",
                $"cuDNN offered no {what} algorithm for this convolution within a {ConvWorkspaceLimit >> 20} MiB workspace ({count} candidates).");
        }

        /// <summary>Runs a cuDNN call with a pooled workspace of <paramref name="bytes"/> (none when 0), released after the call (stream order keeps it alive).</summary>
        private void WithWorkspace(ulong bytes, Func<ulong, int> call, string what)
        {
            ulong block = bytes > 0 ? BlockSize(bytes) : 0, ws = block > 0 ? AllocateBlock(block) : 0;
            try
            {
                CheckDnn(Dnn, call(ws), what);
            }
            finally
            {
                if (block > 0) QueueRelease(ws, block);
            }
        }

        internal override void Conv2dForward(in ConvGeometry g, TensorStorage x, TensorStorage w, TensorStorage? bias, TensorStorage y)
        {
            CudaStorage sx = Device(x), sw = Device(w), sy = Device(y);
            CudnnApi d = Dnn;
            using (Enter())
            {
                ConvPlan p = Plan(g);
                WithWorkspace(p.FwdBytes, ws =>
                {
                    float alpha = 1f, beta = 0f;
                    return d.cudnnConvolutionForward(_cudnn, &alpha, p.X, (void*)sx.Pointer, p.W, (void*)sw.Pointer, p.Conv, p.Fwd,
                        (void*)ws, (nuint)p.FwdBytes, &beta, p.Y, (void*)sy.Pointer);
                }, $"cudnnConvolutionForward(algo {p.Fwd})");
            }
            if (bias is not null) AddBias(y, bias, g.N, g.K, g.P * g.Q);
        }

        internal override void Conv2dBackwardData(in ConvGeometry g, TensorStorage dy, TensorStorage w, TensorStorage dx)
        {
            CudaStorage sdy = Device(dy), sw = Device(w), sdx = Device(dx);
            CudnnApi d = Dnn;
            using (Enter())
            {
                ConvPlan p = Plan(g);
                WithWorkspace(p.BwdDataBytes, ws =>
                {
                    float alpha = 1f, beta = 0f;
                    return d.cudnnConvolutionBackwardData(_cudnn, &alpha, p.W, (void*)sw.Pointer, p.Y, (void*)sdy.Pointer, p.Conv, p.BwdData,
                        (void*)ws, (nuint)p.BwdDataBytes, &beta, p.X, (void*)sdx.Pointer);
                }, $"cudnnConvolutionBackwardData(algo {p.BwdData})");
            }
        }

        internal override void Conv2dBackwardFilter(in ConvGeometry g, TensorStorage x, TensorStorage dy, TensorStorage dw, bool accumulate)
        {
            CudaStorage sx = Device(x), sdy = Device(dy), sdw = Device(dw);
            CudnnApi d = Dnn;
            using (Enter())
            {
                ConvPlan p = Plan(g);
                WithWorkspace(p.BwdFilterBytes, ws =>
                {
                    float alpha = 1f, beta = accumulate ? 1f : 0f;
                    return d.cudnnConvolutionBackwardFilter(_cudnn, &alpha, p.X, (void*)sx.Pointer, p.Y, (void*)sdy.Pointer, p.Conv, p.BwdFilter,
                        (void*)ws, (nuint)p.BwdFilterBytes, &beta, p.W, (void*)sdw.Pointer);
                }, $"cudnnConvolutionBackwardFilter(algo {p.BwdFilter})");
            }
        }

        private void DestroyConvPlans()
        {
            if (_libs.Cudnn is not CudnnApi d) return;
            foreach (ConvPlan p in _convPlans.Values)
            {
                if (p.X != IntPtr.Zero) d.cudnnDestroyTensorDescriptor(p.X);
                if (p.Y != IntPtr.Zero) d.cudnnDestroyTensorDescriptor(p.Y);
                if (p.W != IntPtr.Zero) d.cudnnDestroyFilterDescriptor(p.W);
                if (p.Conv != IntPtr.Zero) d.cudnnDestroyConvolutionDescriptor(p.Conv);
            }
            _convPlans.Clear();
        }

        // ------------------------------------------------------------------ pooling, batch norm

        internal override void MaxPool2dForward(in PoolGeometry g, TensorStorage x, TensorStorage y, TensorStorage argmax)
        {
            CudaStorage sx = Device(x), sy = Device(y), sa = Device(argmax);
            using (Enter())
            {
                ulong px = sx.Pointer, py = sy.Pointer, pa = sa.Pointer;
                int planes = g.Planes, h = g.H, w = g.W, p = g.P, q = g.Q, k = g.Kernel, s = g.Stride, pad = g.Padding;
                void** a = stackalloc void*[11];
                a[0] = &px; a[1] = &py; a[2] = &pa; a[3] = &planes; a[4] = &h; a[5] = &w; a[6] = &p; a[7] = &q; a[8] = &k; a[9] = &s; a[10] = &pad;
                Launch("initcore_maxpool_forward", Grid((ulong)planes * (ulong)(p * q)), 1, 0, a);
            }
        }

        internal override void MaxPool2dBackward(in PoolGeometry g, TensorStorage dy, TensorStorage argmax, TensorStorage dx)
        {
            CudaStorage sdy = Device(dy), sa = Device(argmax), sdx = Device(dx);
            using (Enter())
            {
                Check(_d.MemsetD32(sdx.Pointer, 0, (ulong)sdx.Length, _stream), "cuMemsetD32Async(dx)");
                ulong pdy = sdy.Pointer, pa = sa.Pointer, pdx = sdx.Pointer;
                int planes = g.Planes, h = g.H, w = g.W, p = g.P, q = g.Q;
                void** a = stackalloc void*[8];
                a[0] = &pdy; a[1] = &pa; a[2] = &pdx; a[3] = &planes; a[4] = &h; a[5] = &w; a[6] = &p; a[7] = &q;
                Launch("initcore_maxpool_backward", Grid((ulong)planes * (ulong)(p * q)), 1, 0, a);
            }
        }

        internal override void GlobalAvgPoolForward(TensorStorage x, TensorStorage y, int planes, int size)
        {
            CudaStorage sx = Device(x), sy = Device(y);
            using (Enter())
            {
                ulong px = sx.Pointer, py = sy.Pointer;
                void** a = stackalloc void*[4];
                a[0] = &px; a[1] = &py; a[2] = &planes; a[3] = &size;
                Launch("initcore_avgpool_forward", Grid((ulong)planes), 1, 0, a);
            }
        }

        internal override void GlobalAvgPoolBackward(TensorStorage dy, TensorStorage dx, int planes, int size)
        {
            CudaStorage sdy = Device(dy), sdx = Device(dx);
            using (Enter())
            {
                ulong pdy = sdy.Pointer, pdx = sdx.Pointer;
                void** a = stackalloc void*[4];
                a[0] = &pdy; a[1] = &pdx; a[2] = &planes; a[3] = &size;
                Launch("initcore_avgpool_backward", Grid((ulong)planes * (ulong)size), 1, 0, a);
            }
        }

        internal override void BatchNormForward(TensorStorage x, TensorStorage y, TensorStorage gamma, TensorStorage beta,
            TensorStorage runningMean, TensorStorage runningVar, TensorStorage mean, TensorStorage invstd,
            int n, int c, int inner, float eps, float momentum, bool training)
        {
            CudaStorage sx = Device(x), sy = Device(y), sg = Device(gamma), sb = Device(beta), srm = Device(runningMean), srv = Device(runningVar), sm = Device(mean), si = Device(invstd);
            using (Enter())
            {
                ulong px = sx.Pointer, py = sy.Pointer, pg = sg.Pointer, pb = sb.Pointer, prm = srm.Pointer, prv = srv.Pointer, pm = sm.Pointer, pi = si.Pointer;
                int train = training ? 1 : 0;
                void** a = stackalloc void*[11];
                a[0] = &px; a[1] = &pm; a[2] = &pi; a[3] = &prm; a[4] = &prv; a[5] = &n; a[6] = &c; a[7] = &inner; a[8] = &eps; a[9] = &momentum; a[10] = &train;
                Launch("initcore_batchnorm_stats", (uint)c, 1, 0, a);
                void** b = stackalloc void*[9];
                b[0] = &px; b[1] = &py; b[2] = &pm; b[3] = &pi; b[4] = &pg; b[5] = &pb; b[6] = &n; b[7] = &c; b[8] = &inner;
                Launch("initcore_batchnorm_apply", Grid((ulong)sx.Length), 1, 0, b);
            }
        }

        internal override void BatchNormBackward(TensorStorage x, TensorStorage dy, TensorStorage gamma, TensorStorage mean, TensorStorage invstd,
            TensorStorage dx, TensorStorage dgamma, TensorStorage dbeta, int n, int c, int inner)
        {
            CudaStorage sx = Device(x), sdy = Device(dy), sg = Device(gamma), sm = Device(mean), si = Device(invstd), sdx = Device(dx), sdg = Device(dgamma), sdb = Device(dbeta);
            using (Enter())
            {
                ulong kBlock = BlockSize((ulong)c * 8);
                ulong k = AllocateBlock(kBlock);
                try
                {
                    ulong px = sx.Pointer, pdy = sdy.Pointer, pg = sg.Pointer, pm = sm.Pointer, pi = si.Pointer, pdx = sdx.Pointer, pdg = sdg.Pointer, pdb = sdb.Pointer;
                    ulong k1 = k, k2 = k + (ulong)c * 4;
                    void** a = stackalloc void*[11];
                    a[0] = &px; a[1] = &pdy; a[2] = &pm; a[3] = &pi; a[4] = &pdg; a[5] = &pdb; a[6] = &k1; a[7] = &k2; a[8] = &n; a[9] = &c; a[10] = &inner;
                    Launch("initcore_batchnorm_backward_reduce", (uint)c, 1, 0, a);
                    void** b = stackalloc void*[11];
                    b[0] = &px; b[1] = &pdy; b[2] = &pm; b[3] = &pi; b[4] = &pg; b[5] = &k1; b[6] = &k2; b[7] = &pdx; b[8] = &n; b[9] = &c; b[10] = &inner;
                    Launch("initcore_batchnorm_backward_apply", Grid((ulong)sx.Length), 1, 0, b);
                }
                finally
                {
                    QueueRelease(k, kBlock);
                }
            }
        }

        // ------------------------------------------------------------------ losses, optimizer, copies

        internal override double CrossEntropyForward(TensorStorage logits, TensorStorage labels, TensorStorage probs, int n, int classes)
        {
            CudaStorage sz = Device(logits), st = Device(labels), sp = Device(probs);
            if (n == 0) return 0.0;
            using (Enter())
            {
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
            using (Enter())
            {
                ulong pp = sp.Pointer, pt = st.Pointer, pd = sd.Pointer;
                void** a = stackalloc void*[5];
                a[0] = &pp; a[1] = &pt; a[2] = &pd; a[3] = &n; a[4] = &classes;
                Launch("initcore_xent_backward", Grid((ulong)n * (ulong)classes), 1, 0, a);
            }
        }

        internal override int CountCorrect(TensorStorage logits, TensorStorage labels, int n, int classes)
        {
            CudaStorage sz = Device(logits), st = Device(labels);
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
