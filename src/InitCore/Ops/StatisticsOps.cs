using InitCore.Backends;

namespace InitCore.Ops
{
    /// <summary>
    /// The tensor-level entry points the diagnostics (ActivationStats, LSUV, the doctor) use for their fused statistics
    /// passes and in-place corrections, so that nothing above this layer touches a backend or a storage directly.
    /// Each runs on the tensor's backend; see <see cref="Backend.AffineActivationStatistics"/> for the definition.
    /// </summary>
    internal static class StatisticsOps
    {
        /// <summary>Statistics of act(scale·z + shift + perChannel[c]) in one pass, nothing stored.</summary>
        internal static StatsResult AffineActivationStatistics(Tensor z, float scale, float shift, Tensor? perChannel,
            int channels, int inner, ActivationSpec? act, in StatsConfig config)
            => z.Engine.Main.AffineActivationStatistics(z.Storage, scale, shift, perChannel?.Storage, channels, inner, act, config);

        /// <summary>A ring of <paramref name="capacity"/> statistics slots on the engine's backend (device memory on CUDA).</summary>
        internal static StatsRing CreateStatsRing(Engine engine, in StatsConfig config, int capacity) => engine.Main.CreateStatsRing(config, capacity);

        /// <summary>Records the statistics of <paramref name="x"/> into slot <paramref name="slot"/> of <paramref name="ring"/>, without waiting for the device.</summary>
        internal static void Record(StatsRing ring, Tensor x, int slot) => ring.Record(x.Storage, slot);

        /// <summary>In place: y = y·scale + shift, in float32 (the fused pass's first step).</summary>
        internal static void ScaleShift(Tensor y, float scale, float shift) => y.Engine.Main.ScaleShift(y.Storage, scale, shift);

        /// <summary>In place: y[o, c, i] += bias[c] (the fused pass's second step).</summary>
        internal static void AddBias(Tensor y, Tensor bias, int outer, int channels, int inner) => y.Engine.Main.AddBias(y.Storage, bias.Storage, outer, channels, inner);
    }
}
