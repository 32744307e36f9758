using System;

namespace InitCore
{
    /// <summary>Which compute backend an <see cref="Engine"/> uses.</summary>
    public enum BackendKind
    {
        /// <summary>The best available backend. Today that is always the CPU; the CUDA backend joins it in a later release.</summary>
        Auto,
        /// <summary>The multithreaded, SIMD-vectorized CPU backend: the reference implementation.</summary>
        Cpu,
    }

    /// <summary>Settings for <see cref="Engine.Create(EngineOptions)"/>.</summary>
    public sealed class EngineOptions
    {
        /// <summary>The backend to use. Default: <see cref="BackendKind.Auto"/>.</summary>
        public BackendKind Backend { get; set; } = BackendKind.Auto;

        /// <summary>Seed of the engine's <see cref="Engine.DefaultGenerator"/>. Default: 0.</summary>
        public ulong Seed { get; set; }

        /// <summary>CPU worker threads; null (the default) means all logical processors.</summary>
        public int? ThreadCount { get; set; }

        internal int ResolveThreadCount()
        {
            if (ThreadCount is int n)
            {
                if (n < 1)
                    throw new ArgumentOutOfRangeException(nameof(ThreadCount), n, $"ThreadCount must be at least 1 (or null for all {Environment.ProcessorCount} logical processors); got {n}.");
                return n;
            }
            return Environment.ProcessorCount;
        }
    }
}
