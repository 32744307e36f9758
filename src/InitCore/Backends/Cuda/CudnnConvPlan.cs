using InitCore.Interop.Cudnn;

namespace InitCore.Backends.Cuda
{
    /// <summary>
    /// A cuDNN convolution plan for one <see cref="ConvGeometry"/>: the x, y, filter and convolution descriptors and,
    /// per direction (forward, backward data, backward filter), the chosen algorithm, its workspace bytes and math type.
    /// Owns the four descriptors; <see cref="Dispose"/> destroys them once (idempotent, thread-safe). Built complete or not at all.
    /// </summary>
    internal sealed unsafe class CudnnConvPlan : IDisposable
    {
        private const int CUDNN_TENSOR_NCHW = 0, CUDNN_DATA_FLOAT = 0, CUDNN_CROSS_CORRELATION = 1;
        private const int CUDNN_DEFAULT_MATH = 0, CUDNN_FMA_MATH = 3;
        private const ulong ConvWorkspaceLimit = 512UL << 20;

        private readonly CudnnApi _api;
        internal IntPtr X, Y, W, Conv;

        /// <summary>The forward direction's algorithm, workspace bytes and math type.</summary>
        internal (int Algo, ulong Bytes, int MathType) ForwardChoice { get; private set; }

        /// <summary>The backward-data direction's algorithm, workspace bytes and math type.</summary>
        internal (int Algo, ulong Bytes, int MathType) BackwardDataChoice { get; private set; }

        /// <summary>The backward-filter direction's algorithm, workspace bytes and math type.</summary>
        internal (int Algo, ulong Bytes, int MathType) BackwardFilterChoice { get; private set; }

        private CudnnConvPlan(CudnnApi api) => _api = api;

        /// <summary>Destroys the descriptors this plan created; later calls do nothing.</summary>
        public void Dispose()
        {
            IntPtr x = Interlocked.Exchange(ref X, IntPtr.Zero), y = Interlocked.Exchange(ref Y, IntPtr.Zero);
            IntPtr w = Interlocked.Exchange(ref W, IntPtr.Zero), conv = Interlocked.Exchange(ref Conv, IntPtr.Zero);
            if (x != IntPtr.Zero) _api.cudnnDestroyTensorDescriptor(x);
            if (y != IntPtr.Zero) _api.cudnnDestroyTensorDescriptor(y);
            if (w != IntPtr.Zero) _api.cudnnDestroyFilterDescriptor(w);
            if (conv != IntPtr.Zero) _api.cudnnDestroyConvolutionDescriptor(conv);
        }

        /// <summary>
        /// Creates and sets the descriptors and chooses the three algorithms, each with its math type and
        /// workspace; on any failure destroys what it created and throws, so nothing half-built survives.
        /// </summary>
        internal static CudnnConvPlan Build(CudnnApi d, IntPtr handle, bool tf32, in ConvGeometry g)
        {
            var plan = new CudnnConvPlan(d);
            try
            {
                IntPtr x, y, w, conv;
                d.ThrowIfFailed(d.cudnnCreateTensorDescriptor(&x));
                plan.X = x;
                d.ThrowIfFailed(d.cudnnCreateTensorDescriptor(&y));
                plan.Y = y;
                d.ThrowIfFailed(d.cudnnCreateFilterDescriptor(&w));
                plan.W = w;
                d.ThrowIfFailed(d.cudnnCreateConvolutionDescriptor(&conv));
                plan.Conv = conv;
                d.ThrowIfFailed(d.cudnnSetTensor4dDescriptor(x, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, g.N, g.C, g.H, g.W), $"cudnnSetTensor4dDescriptor(x [{g.N}, {g.C}, {g.H}, {g.W}])");
                d.ThrowIfFailed(d.cudnnSetTensor4dDescriptor(y, CUDNN_TENSOR_NCHW, CUDNN_DATA_FLOAT, g.N, g.K, g.P, g.Q), $"cudnnSetTensor4dDescriptor(y [{g.N}, {g.K}, {g.P}, {g.Q}])");
                d.ThrowIfFailed(d.cudnnSetFilter4dDescriptor(w, CUDNN_DATA_FLOAT, CUDNN_TENSOR_NCHW, g.K, g.CPerGroup, g.R, g.S), $"cudnnSetFilter4dDescriptor(w [{g.K}, {g.CPerGroup}, {g.R}, {g.S}])");
                d.ThrowIfFailed(d.cudnnSetConvolution2dDescriptor(conv, g.PadH, g.PadW, g.StrideH, g.StrideW, g.DilH, g.DilW, CUDNN_CROSS_CORRELATION, CUDNN_DATA_FLOAT));
                d.ThrowIfFailed(d.cudnnSetConvolutionGroupCount(conv, g.Groups), $"cudnnSetConvolutionGroupCount({g.Groups})");
                IntPtr h = handle;
                plan.ForwardChoice = Choose(d, plan, tf32, "Forward", "forward",
                    (want, got, perf) => d.cudnnGetConvolutionForwardAlgorithm_v7(h, plan.X, plan.W, plan.Conv, plan.Y, want, got, perf),
                    (algo, bytes) => d.cudnnGetConvolutionForwardWorkspaceSize(h, plan.X, plan.W, plan.Conv, plan.Y, algo, bytes));
                plan.BackwardDataChoice = Choose(d, plan, tf32, "BackwardData", "backward data",
                    (want, got, perf) => d.cudnnGetConvolutionBackwardDataAlgorithm_v7(h, plan.W, plan.Y, plan.Conv, plan.X, want, got, perf),
                    (algo, bytes) => d.cudnnGetConvolutionBackwardDataWorkspaceSize(h, plan.W, plan.Y, plan.Conv, plan.X, algo, bytes));
                plan.BackwardFilterChoice = Choose(d, plan, tf32, "BackwardFilter", "backward filter",
                    (want, got, perf) => d.cudnnGetConvolutionBackwardFilterAlgorithm_v7(h, plan.X, plan.Y, plan.Conv, plan.W, want, got, perf),
                    (algo, bytes) => d.cudnnGetConvolutionBackwardFilterWorkspaceSize(h, plan.X, plan.Y, plan.Conv, plan.W, algo, bytes));
                return plan;
            }
            catch
            {
                plan.Dispose();
                throw;
            }
        }

        private delegate int AlgorithmQuery(int want, int* got, cudnnConvolutionPerf_t* perf);

        private delegate int WorkspaceQuery(int algo, nuint* bytes);

        /// <summary>
        /// One direction's algorithm: queried under <see cref="SetQueryMath"/>, picked by <see cref="Pick"/>, then
        /// its workspace asked for under its own math type; the workspace is the larger of the two figures.
        /// </summary>
        private static (int Algo, ulong Bytes, int MathType) Choose(CudnnApi d, CudnnConvPlan plan, bool tf32, string call, string what, AlgorithmQuery query, WorkspaceQuery workspace)
        {
            const int want = 8;
            var perf = stackalloc cudnnConvolutionPerf_t[want];
            int got;
            SetQueryMath(d, plan, tf32);
            d.ThrowIfFailed(query(want, &got, perf), $"cudnnGetConvolution{call}Algorithm_v7");
            var (algo, bytes, math) = Pick(perf, got, what, tf32);
            SetMath(d, plan, math);
            nuint need;
            d.ThrowIfFailed(workspace(algo, &need), $"cudnnGetConvolution{call}WorkspaceSize(algo {algo})");
            return (algo, Math.Max(bytes, (ulong)need), math);
        }

        /// <summary>The math type the algorithm queries run under: with TF32 allowed cuDNN may offer tensor-op algorithms (CUDNN_DEFAULT_MATH); without, FMA only.</summary>
        private static void SetQueryMath(CudnnApi d, CudnnConvPlan plan, bool tf32) => SetMath(d, plan, tf32 ? CUDNN_DEFAULT_MATH : CUDNN_FMA_MATH);

        internal static void SetMath(CudnnApi d, CudnnConvPlan plan, int mathType) =>
            d.ThrowIfFailed(d.cudnnSetConvolutionMathType(plan.Conv, mathType), $"cudnnSetConvolutionMathType({mathType})");

        /// <summary>
        /// The first algorithm cuDNN's heuristics rank that succeeded and fits the workspace limit, with its
        /// workspace figure and math type: the one the query returned when TF32 is allowed, FMA otherwise.
        /// </summary>
        internal static (int Algo, ulong Bytes, int MathType) Pick(cudnnConvolutionPerf_t* perf, int count, string what, bool allowTf32)
        {
            for (int i = 0; i < count; i++)
                if (perf[i].status == 0 && perf[i].memory <= ConvWorkspaceLimit) return (perf[i].algo, perf[i].memory, allowTf32 ? perf[i].mathType : CUDNN_FMA_MATH);
            throw new CudnnException(3000, "CUDNN_STATUS_NOT_SUPPORTED", $"cudnnGetConvolution*Algorithm_v7({what})",
                $"cuDNN offered no {what} algorithm for this convolution within a {ConvWorkspaceLimit >> 20} MiB workspace ({count} candidates).");
        }
    }
}
