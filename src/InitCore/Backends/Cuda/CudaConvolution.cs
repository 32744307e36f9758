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
                return new[] { p.ForwardChoice, p.BackwardDataChoice, p.BackwardFilterChoice };
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

        /// <summary>One cuDNN convolution call: cuDNN's exports, the handle, the plan, the direction's algorithm, the workspace and its bytes, alpha and beta.</summary>
        private delegate int ConvCall(CudnnApi d, IntPtr handle, CudnnConvPlan p, int algo, void* workspace, nuint bytes, float* alpha, float* beta);

        /// <summary>
        /// Runs one convolution direction into <paramref name="output"/>: nothing when it is empty; when an input is
        /// empty, zeroes it (keeps it when <paramref name="accumulate"/>); otherwise runs <paramref name="call"/> under the
        /// plan's algorithm, math type and workspace for the direction, with alpha 1 and beta 1 when accumulating, else 0.
        /// </summary>
        private void Convolve(in ConvGeometry g, CudaStorage output, string outputName, bool inputEmpty, bool accumulate,
            Func<CudnnConvPlan, (int Algo, ulong Bytes, int MathType)> direction, string api, ConvCall call)
        {
            if (output.Length == 0) return;
            if (inputEmpty)
            {
                if (!accumulate) using (Enter()) Check(_d.MemsetD32(output.Pointer, 0, (ulong)output.Length, Stream), $"cuMemsetD32Async({outputName})");
                return;
            }
            CudnnHandle dnn = Dnn;
            using (Enter())
            {
                CudnnConvPlan p = Plan(g);
                (int algo, ulong bytes, int math) = direction(p);
                CudnnConvPlan.SetMath(dnn.Api, p, math);
                WithWorkspace(bytes, ws =>
                {
                    float alpha = 1f, beta = accumulate ? 1f : 0f;
                    return call(dnn.Api, dnn.Handle, p, algo, (void*)ws, (nuint)bytes, &alpha, &beta);
                }, $"{api}(algo {algo})");
            }
        }

        internal override void Conv2dForward(in ConvGeometry g, TensorStorage x, TensorStorage w, TensorStorage? bias, TensorStorage y)
        {
            CudaStorage sx = Device(x), sw = Device(w), sy = Device(y);
            // No input channels: y is the bias alone.
            Convolve(g, sy, "y", sx.Length == 0 || sw.Length == 0, accumulate: false, p => p.ForwardChoice, "cudnnConvolutionForward",
                (d, h, p, algo, ws, bytes, alpha, beta) => d.cudnnConvolutionForward(h, alpha, p.X, (void*)sx.Pointer, p.W, (void*)sw.Pointer, p.Conv, algo,
                    ws, bytes, beta, p.Y, (void*)sy.Pointer));
            if (bias is not null && sy.Length != 0) AddBias(y, bias, g.N, g.K, g.P * g.Q);
        }

        internal override void Conv2dBackwardData(in ConvGeometry g, TensorStorage dy, TensorStorage w, TensorStorage dx)
        {
            CudaStorage sdy = Device(dy), sw = Device(w), sdx = Device(dx);
            Convolve(g, sdx, "dx", sdy.Length == 0 || sw.Length == 0, accumulate: false, p => p.BackwardDataChoice, "cudnnConvolutionBackwardData",
                (d, h, p, algo, ws, bytes, alpha, beta) => d.cudnnConvolutionBackwardData(h, alpha, p.W, (void*)sw.Pointer, p.Y, (void*)sdy.Pointer, p.Conv, algo,
                    ws, bytes, beta, p.X, (void*)sdx.Pointer));
        }

        internal override void Conv2dBackwardFilter(in ConvGeometry g, TensorStorage x, TensorStorage dy, TensorStorage dw, bool accumulate)
        {
            CudaStorage sx = Device(x), sdy = Device(dy), sdw = Device(dw);
            Convolve(g, sdw, "dw", sx.Length == 0 || sdy.Length == 0, accumulate, p => p.BackwardFilterChoice, "cudnnConvolutionBackwardFilter",
                (d, h, p, algo, ws, bytes, alpha, beta) => d.cudnnConvolutionBackwardFilter(h, alpha, p.X, (void*)sx.Pointer, p.Y, (void*)sdy.Pointer, p.Conv, algo,
                    ws, bytes, beta, p.W, (void*)sdw.Pointer));
        }
    }
}
