using InitCore.Backends;

namespace InitCore
{
    /// <summary>Settings for <see cref="Engine.Create(EngineOptions)"/>.</summary>
    public sealed class EngineOptions
    {
        /// <summary>The backend to use. Default: <see cref="BackendKind.Auto"/>.</summary>
        public BackendKind Backend { get; set; } = BackendKind.Auto;

        /// <summary>Seed of the engine's <see cref="Engine.DefaultGenerator"/>. Default: 0.</summary>
        public ulong Seed { get; set; }

        /// <summary>
        /// The one directory to load libcuda, cuBLAS and cuDNN from, instead of the default search
        /// (the system loader's path, then the usual CUDA install directories). Overrides the
        /// <c>INITCORE_CUDA_LIBRARY_PATH</c> environment variable.
        /// </summary>
        public string? CudaLibraryDirectory { get; set; }

        /// <summary>
        /// Lets cuBLAS and cuDNN use TF32 tensor cores for float32 matmuls and convolutions (faster, about
        /// 10 mantissa bits). Off by default, so CUDA results match the CPU backend within float32 tolerances.
        /// On, cuBLAS runs with <c>CUBLAS_TF32_TENSOR_OP_MATH</c> and each convolution direction with the math
        /// type cuDNN's algorithm query returned for the chosen algorithm; off, <c>CUBLAS_DEFAULT_MATH</c> and
        /// <c>CUDNN_FMA_MATH</c>. PyTorch equivalent: <c>torch.backends.cuda.matmul.allow_tf32</c> and
        /// <c>torch.backends.cudnn.allow_tf32</c>.
        /// </summary>
        public bool AllowTf32 { get; set; }

        /// <summary>The CUDA device ordinal. Default: 0.</summary>
        public int DeviceOrdinal { get; set; }

        /// <summary>The largest <see cref="ThreadCount"/> accepted: 1024 CPU worker threads.</summary>
        public const int MaxThreadCount = 1024;

        /// <summary>CPU worker threads, 1 to <see cref="MaxThreadCount"/>; null (the default) means all logical processors
        /// (at most <see cref="MaxThreadCount"/>). <see cref="Engine.Create"/> throws <see cref="ArgumentOutOfRangeException"/> for other values.</summary>
        public int? ThreadCount { get; set; }

        internal int ResolveThreadCount()
        {
            if (ThreadCount is int n)
            {
                if (n < 1 || n > MaxThreadCount)
                    throw new ArgumentOutOfRangeException(nameof(ThreadCount), n,
                        $"ThreadCount must be in 1..{MaxThreadCount} (or null for all {Environment.ProcessorCount} logical processors); got {n}.");
                return n;
            }
            return Math.Min(Environment.ProcessorCount, MaxThreadCount);
        }
    }
}
