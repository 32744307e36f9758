using System;
using InitCore.Interop.Cudnn;

namespace InitCore.Backends.Cuda
{
    /// <summary>Convolutions on CUDA through cuDNN: the plan cache (<see cref="CudnnConvPlanCache"/>), pooled workspaces, the three directions, and the TF32 switch they share with cuBLAS.</summary>
    internal sealed unsafe partial class CudaBackend
    {
        /// <summary>TF32 tensor cores for cuBLAS and cuDNN: off unless the user asks (EngineOptions.AllowTf32).</summary>
        internal bool AllowTf32 { get; private set; }

        internal void SetTf32(bool allow)
        {
            using (Enter())
            {
                if (allow != AllowTf32) _convPlans.Clear(); // their algorithms and math types were chosen under the other setting
                AllowTf32 = allow;
                _blas?.SetTf32(allow);
            }
        }

        private CudnnHandle Dnn => _dnn
            ?? throw new InvalidOperationException($"cuDNN is not available, so convolutions cannot run on CUDA: {CudnnUnavailableReason}. Load trace: {string.Join(" | ", Trace)}");

        /// <summary>The cached plan for a geometry, built on first use. Only a complete plan enters the cache.</summary>
        private CudnnConvPlan Plan(in ConvGeometry g) => _convPlans.Get(Dnn, AllowTf32, g);

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
                Dnn.Api.ThrowIfFailed(call(ws), what);
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
                using (Enter()) Check(_d.MemsetD32(sy.Pointer, 0, (ulong)sy.Length, Stream), "cuMemsetD32Async(y)");
                if (bias is not null) AddBias(y, bias, g.N, g.K, g.P * g.Q);
                return;
            }
            CudnnHandle dnn = Dnn;
            CudnnApi d = dnn.Api;
            using (Enter())
            {
                CudnnConvPlan p = Plan(g);
                CudnnConvPlan.SetMath(d, p, p.FwdMath);
                WithWorkspace(p.FwdBytes, ws =>
                {
                    float alpha = 1f, beta = 0f;
                    return d.cudnnConvolutionForward(dnn.Handle, &alpha, p.X, (void*)sx.Pointer, p.W, (void*)sw.Pointer, p.Conv, p.Fwd,
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
                using (Enter()) Check(_d.MemsetD32(sdx.Pointer, 0, (ulong)sdx.Length, Stream), "cuMemsetD32Async(dx)");
                return;
            }
            CudnnHandle dnn = Dnn;
            CudnnApi d = dnn.Api;
            using (Enter())
            {
                CudnnConvPlan p = Plan(g);
                CudnnConvPlan.SetMath(d, p, p.BwdDataMath);
                WithWorkspace(p.BwdDataBytes, ws =>
                {
                    float alpha = 1f, beta = 0f;
                    return d.cudnnConvolutionBackwardData(dnn.Handle, &alpha, p.W, (void*)sw.Pointer, p.Y, (void*)sdy.Pointer, p.Conv, p.BwdData,
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
                if (!accumulate) using (Enter()) Check(_d.MemsetD32(sdw.Pointer, 0, (ulong)sdw.Length, Stream), "cuMemsetD32Async(dw)");
                return;
            }
            CudnnHandle dnn = Dnn;
            CudnnApi d = dnn.Api;
            using (Enter())
            {
                CudnnConvPlan p = Plan(g);
                CudnnConvPlan.SetMath(d, p, p.BwdFilterMath);
                WithWorkspace(p.BwdFilterBytes, ws =>
                {
                    float alpha = 1f, beta = accumulate ? 1f : 0f;
                    return d.cudnnConvolutionBackwardFilter(dnn.Handle, &alpha, p.X, (void*)sx.Pointer, p.Y, (void*)sdy.Pointer, p.Conv, p.BwdFilter,
                        (void*)ws, (nuint)p.BwdFilterBytes, &beta, p.W, (void*)sdw.Pointer);
                }, $"cudnnConvolutionBackwardFilter(algo {p.BwdFilter})");
            }
        }
    }
}
