using System;
using System.Collections.Generic;
using InitCore.Backends.Cpu;

using InitCore.Interop.Cublas;
using InitCore.Interop.Cudnn;

namespace InitCore.Backends.Cuda
{
    /// <summary>Layer operations on CUDA: cuBLAS SGEMM, cuDNN convolutions, and the layers.cu kernels.</summary>
    internal sealed unsafe partial class CudaBackend
    {
        private const int CUBLAS_DEFAULT_MATH = 0, CUBLAS_TF32_TENSOR_OP_MATH = 3;

        private readonly Dictionary<ConvGeometry, CudnnConvPlan> _convPlans = new Dictionary<ConvGeometry, CudnnConvPlan>();

        /// <summary>TF32 tensor cores for cuBLAS and cuDNN: off unless the user asks (EngineOptions.AllowTf32).</summary>
        internal bool AllowTf32 { get; private set; }

        internal void SetTf32(bool allow)
        {
            using (Enter())
            {
                if (allow != AllowTf32) DestroyConvPlans(); // their algorithms and math types were chosen under the other setting
                AllowTf32 = allow;
                if (_libs.Cublas is CublasApi blas && _cublas != IntPtr.Zero)
                    blas.ThrowIfFailed(blas.SetMathMode(_cublas, allow ? CUBLAS_TF32_TENSOR_OP_MATH : CUBLAS_DEFAULT_MATH), "cublasSetMathMode");
            }
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
                // Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: swap the operands. cuBLAS wants
                // every leading dimension ≥ max(1, rows), also when k = 0 (then C = β·C).
                blas.ThrowIfFailed(blas.Sgemm(_cublas, transB, transA, n, m, k, alpha, sb.Pointer, LeadingDimension(transB ? k : n), sa.Pointer, LeadingDimension(transA ? m : k), beta, sc.Pointer, LeadingDimension(n)),
                    $"cublasSgemm_v2(m={n}, n={m}, k={k})");
            }
        }

        /// <summary>A cuBLAS leading dimension: at least 1, as cuBLAS requires even for an empty operand.</summary>
        internal static int LeadingDimension(int rows) => Math.Max(1, rows);

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
            if (channels == 0) return;
            using (Enter())
            {
                if (sdy.Length == 0)
                {
                    if (!accumulate) Check(_d.MemsetD32(sdb.Pointer, 0, (ulong)channels, _stream), "cuMemsetD32Async(db)");
                    return;
                }
                ulong pdy = sdy.Pointer, pdb = sdb.Pointer;
                int acc = accumulate ? 1 : 0;
                void** a = stackalloc void*[6];
                a[0] = &pdy; a[1] = &pdb; a[2] = &outer; a[3] = &channels; a[4] = &inner; a[5] = &acc;
                Launch("initcore_bias_grad", (uint)channels, 1, 0, a);
            }
        }

        // ------------------------------------------------------------------ convolution through cuDNN

        /// <summary>The cached plan for a geometry, built on first use. Only a complete plan enters the cache.</summary>
        private CudnnConvPlan Plan(in ConvGeometry g)
        {
            if (_convPlans.TryGetValue(g, out CudnnConvPlan? plan)) return plan;
            plan = CudnnConvPlan.Build(Dnn, _cudnn, AllowTf32, g);
            _convPlans[g] = plan;
            return plan;
        }

        /// <summary>Number of cached convolution plans (each complete: descriptors set, three algorithms chosen).</summary>
        internal int ConvPlanCount => _convPlans.Count;

        /// <summary>The plan's choice per direction (forward, backward data, backward filter): algorithm, workspace bytes, math type; builds the plan if needed.</summary>
        internal (int Algo, ulong Bytes, int MathType)[] ConvPlanChoices(in ConvGeometry g)
        {
            using (Enter())
            {
                CudnnConvPlan p = Plan(g);
                return new[] { (p.Fwd, p.FwdBytes, p.FwdMath), (p.BwdData, p.BwdDataBytes, p.BwdDataMath), (p.BwdFilter, p.BwdFilterBytes, p.BwdFilterMath) };
            }
        }

        /// <summary>Runs a cuDNN call with a pooled workspace of <paramref name="bytes"/> (none when 0), released after the call (stream order keeps it alive).</summary>
        private void WithWorkspace(ulong bytes, Func<ulong, int> call, string what)
        {
            ulong block = bytes > 0 ? BlockSize(bytes) : 0, ws = block > 0 ? AllocateBlock(block) : 0;
            try
            {
                Dnn.ThrowIfFailed(call(ws), what);
            }
            finally
            {
                if (block > 0) QueueRelease(ws, block);
            }
        }

        internal override void Conv2dForward(in ConvGeometry g, TensorStorage x, TensorStorage w, TensorStorage? bias, TensorStorage y)
        {
            CudaStorage sx = Device(x), sw = Device(w), sy = Device(y);
            if (sy.Length == 0) return;
            if (sx.Length == 0 || sw.Length == 0)
            {
                // No input channels: y is the bias alone.
                using (Enter()) Check(_d.MemsetD32(sy.Pointer, 0, (ulong)sy.Length, _stream), "cuMemsetD32Async(y)");
                if (bias is not null) AddBias(y, bias, g.N, g.K, g.P * g.Q);
                return;
            }
            CudnnApi d = Dnn;
            using (Enter())
            {
                CudnnConvPlan p = Plan(g);
                CudnnConvPlan.SetMath(d, p, p.FwdMath);
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
            if (sdx.Length == 0) return;
            if (sdy.Length == 0 || sw.Length == 0)
            {
                using (Enter()) Check(_d.MemsetD32(sdx.Pointer, 0, (ulong)sdx.Length, _stream), "cuMemsetD32Async(dx)");
                return;
            }
            CudnnApi d = Dnn;
            using (Enter())
            {
                CudnnConvPlan p = Plan(g);
                CudnnConvPlan.SetMath(d, p, p.BwdDataMath);
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
            if (sdw.Length == 0) return;
            if (sx.Length == 0 || sdy.Length == 0)
            {
                if (!accumulate) using (Enter()) Check(_d.MemsetD32(sdw.Pointer, 0, (ulong)sdw.Length, _stream), "cuMemsetD32Async(dw)");
                return;
            }
            CudnnApi d = Dnn;
            using (Enter())
            {
                CudnnConvPlan p = Plan(g);
                CudnnConvPlan.SetMath(d, p, p.BwdFilterMath);
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
            foreach (CudnnConvPlan p in _convPlans.Values) p.Dispose();
            _convPlans.Clear();
        }

        // ------------------------------------------------------------------ pooling, batch norm

        internal override void MaxPool2dForward(in PoolGeometry g, TensorStorage x, TensorStorage y, TensorStorage argmax)
        {
            CudaStorage sx = Device(x), sy = Device(y), sa = Device(argmax);
            if (sy.Length == 0) return;
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
            if (sdx.Length == 0) return;
            using (Enter())
            {
                Check(_d.MemsetD32(sdx.Pointer, 0, (ulong)sdx.Length, _stream), "cuMemsetD32Async(dx)");
                if (sdy.Length == 0) return;
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
            if (planes == 0) return;
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
            if (sdx.Length == 0) return;
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
            if (c == 0 || sx.Length == 0) return;
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
            if (c == 0 || sx.Length == 0) return;
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
    }
}
