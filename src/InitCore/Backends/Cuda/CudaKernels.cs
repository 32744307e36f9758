namespace InitCore.Backends.Cuda
{
    /// <summary>Mirrors <c>struct FillTask</c> in native/kernels/philox_fill.cu (72 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct FillTaskNative
    {
        internal ulong Dst;
        internal ulong N;
        internal ulong StartBlock;
        internal ulong Seed;
        internal ulong Stream;
        internal int Kind;
        internal int Reserved;
        internal fixed float P[6];
    }

    /// <summary>Mirrors <c>struct StatsPartial</c> in native/kernels/stats.cu (40 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct StatsPartialNative
    {
        internal ulong Count;
        internal ulong NearZero;
        internal double Mean;
        internal double M2;
        internal float Min;
        internal float Max;
    }

    /// <summary>Mirrors <c>struct StatsConfig</c> in native/kernels/stats.cu (24 bytes).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct StatsConfigNative
    {
        internal float NearZero;
        internal float Lo;
        internal float Hi;
        internal float InvWidth;
        internal int Bins;
        internal int Absolute;
    }

    /// <summary>The PTX modules embedded in the engine assembly and the entry points each must declare.</summary>
    internal static class KernelCatalog
    {
        internal static readonly IReadOnlyDictionary<string, string[]> Modules = new Dictionary<string, string[]>
        {
            ["philox_fill"] = new[] { "initcore_fill", "initcore_fill_batched", "initcore_fill_constant" },
            ["elementwise"] = new[]
            {
                "initcore_relu_forward", "initcore_relu_backward", "initcore_leaky_relu_forward", "initcore_leaky_relu_backward",
                "initcore_general_relu_forward", "initcore_general_relu_backward", "initcore_scale_shift",
                "initcore_add", "initcore_mul", "initcore_dropout_mask",
            },
            ["activations"] = new[] { "initcore_activation_forward", "initcore_activation_backward" },
            ["stats"] = new[] { "initcore_stats_partial", "initcore_stats_merge" },
            ["layers"] = new[]
            {
                "initcore_add_bias", "initcore_bias_grad", "initcore_maxpool_forward", "initcore_maxpool_backward",
                "initcore_avgpool_forward", "initcore_avgpool_backward", "initcore_batchnorm_stats", "initcore_batchnorm_apply",
                "initcore_batchnorm_backward_reduce", "initcore_batchnorm_backward_apply", "initcore_xent_forward",
                "initcore_xent_backward", "initcore_count_correct", "initcore_mse_partial", "initcore_mse_backward", "initcore_sgd_step",
            },
        };

        internal static string ResourceName(string module) => $"InitCore.Kernels.{module}.ptx";

        /// <summary>The module's PTX text, NUL-terminated for cuModuleLoadDataEx.</summary>
        internal static byte[] Image(string module)
        {
            using Stream? s = typeof(KernelCatalog).Assembly.GetManifestResourceStream(ResourceName(module));
            if (s is null)
                throw new InvalidOperationException($"The engine assembly has no embedded kernel image {ResourceName(module)}; rebuild InitCore (build.ps1 kernels regenerates native/ptx).");
            var bytes = new byte[s.Length + 1];
            int read = 0;
            while (read < s.Length)
            {
                int r = s.Read(bytes, read, (int)s.Length - read);
                if (r <= 0) break;
                read += r;
            }
            return bytes;
        }
    }
}
