using InitCore.Interop.Cublas;

namespace InitCore.Backends.Cuda
{
    /// <summary>Layer operations on CUDA: cuBLAS SGEMM and the layers.cu kernels for bias, pooling and batch norm (convolutions: CudaConvolution.cs).</summary>
    internal sealed unsafe partial class CudaBackend
    {
        private CublasHandle Blas => _blas
            ?? throw new InvalidOperationException($"cuBLAS is not available, so matrix multiplies cannot run on CUDA. Load trace: {string.Join(" | ", Trace)}");

        internal override void Gemm(bool transA, bool transB, int m, int n, int k, float alpha, TensorStorage a, TensorStorage b, float beta, TensorStorage c)
        {
            CudaStorage sa = Device(a), sb = Device(b), sc = Device(c);
            if (m == 0 || n == 0) return;
            CublasHandle h = Blas;
            CublasApi blas = h.Api;
            using (Enter())
            {
                // Row-major C = op(A)·op(B) is column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: swap the operands. cuBLAS wants
                // every leading dimension ≥ max(1, rows), also when k = 0 (then C = β·C).
                blas.ThrowIfFailed(blas.Sgemm(h.Handle, transB, transA, n, m, k, alpha, sb.Pointer, LeadingDimension(transB ? k : n), sa.Pointer, LeadingDimension(transA ? m : k), beta, sc.Pointer, LeadingDimension(n)),
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
                _k.AddBias(Grid((ulong)sy.Length), sy.Pointer, sb.Pointer, outer, channels, inner);
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
                    if (!accumulate) Check(_d.MemsetD32(sdb.Pointer, 0, (ulong)channels, Stream), "cuMemsetD32Async(db)");
                    return;
                }
                _k.BiasGrad((uint)channels, sdy.Pointer, sdb.Pointer, outer, channels, inner, accumulate ? 1 : 0);
            }
        }

        // ------------------------------------------------------------------ pooling, batch norm

        internal override void MaxPool2dForward(in PoolGeometry g, TensorStorage x, TensorStorage y, TensorStorage argmax)
        {
            CudaStorage sx = Device(x), sy = Device(y), sa = Device(argmax);
            if (sy.Length == 0) return;
            using (Enter())
            {
                _k.MaxPoolForward(Grid((ulong)g.Planes * (ulong)(g.P * g.Q)), sx.Pointer, sy.Pointer, sa.Pointer, g.Planes, g.H, g.W, g.P, g.Q, g.Kernel, g.Stride, g.Padding);
            }
        }

        internal override void MaxPool2dBackward(in PoolGeometry g, TensorStorage dy, TensorStorage argmax, TensorStorage dx)
        {
            CudaStorage sdy = Device(dy), sa = Device(argmax), sdx = Device(dx);
            if (sdx.Length == 0) return;
            using (Enter())
            {
                Check(_d.MemsetD32(sdx.Pointer, 0, (ulong)sdx.Length, Stream), "cuMemsetD32Async(dx)");
                if (sdy.Length == 0) return;
                _k.MaxPoolBackward(Grid((ulong)g.Planes * (ulong)(g.P * g.Q)), sdy.Pointer, sa.Pointer, sdx.Pointer, g.Planes, g.H, g.W, g.P, g.Q);
            }
        }

        internal override void GlobalAvgPoolForward(TensorStorage x, TensorStorage y, int planes, int size)
        {
            CudaStorage sx = Device(x), sy = Device(y);
            if (planes == 0) return;
            using (Enter())
            {
                _k.AvgPoolForward(Grid((ulong)planes), sx.Pointer, sy.Pointer, planes, size);
            }
        }

        internal override void GlobalAvgPoolBackward(TensorStorage dy, TensorStorage dx, int planes, int size)
        {
            CudaStorage sdy = Device(dy), sdx = Device(dx);
            if (sdx.Length == 0) return;
            using (Enter())
            {
                _k.AvgPoolBackward(Grid((ulong)planes * (ulong)size), sdy.Pointer, sdx.Pointer, planes, size);
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
                _k.BatchNormStats((uint)c, sx.Pointer, sm.Pointer, si.Pointer, srm.Pointer, srv.Pointer, n, c, inner, eps, momentum, training ? 1 : 0);
                _k.BatchNormApply(Grid((ulong)sx.Length), sx.Pointer, sy.Pointer, sm.Pointer, si.Pointer, sg.Pointer, sb.Pointer, n, c, inner);
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
                    ulong k1 = k, k2 = k + (ulong)c * 4;
                    _k.BatchNormBackwardReduce((uint)c, sx.Pointer, sdy.Pointer, sm.Pointer, si.Pointer, sdg.Pointer, sdb.Pointer, k1, k2, n, c, inner);
                    _k.BatchNormBackwardApply(Grid((ulong)sx.Length), sx.Pointer, sdy.Pointer, sm.Pointer, si.Pointer, sg.Pointer, k1, k2, sdx.Pointer, n, c, inner);
                }
                finally
                {
                    QueueRelease(k, kBlock);
                }
            }
        }
    }
}
