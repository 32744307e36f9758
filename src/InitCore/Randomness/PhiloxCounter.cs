namespace InitCore.Randomness
{
    /// <summary>
    /// Where a Philox4x32-10 fill starts: the key (<see cref="Seed"/>), the stream (the counter's high words) and
    /// the first 128-bit block (the counter's low words). Element i of the fill is word i % 4 of block
    /// <see cref="FirstBlock"/> + i / 4. This plain description is what a backend receives: backends never see a
    /// <see cref="Generator"/>, whose only job is to hand out non-overlapping block ranges.
    /// </summary>
    internal readonly struct PhiloxCounter(ulong seed, ulong stream, ulong firstBlock)
    {
        internal ulong Seed { get; } = seed;

        internal ulong Stream { get; } = stream;

        internal ulong FirstBlock { get; } = firstBlock;

        public override string ToString() => $"philox(seed={Seed}, stream={Stream}, block={FirstBlock})";
    }
}
