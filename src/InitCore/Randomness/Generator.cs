namespace InitCore.Randomness
{
    /// <summary>
    /// A Philox4x32-10 random stream: a 64-bit seed, a 64-bit stream number and a position that
    /// advances with every fill. Thread-safe: concurrent fills reserve disjoint counter ranges.
    /// </summary>
    /// <remarks>
    /// <para><b>Element mapping.</b> A fill of n elements reserves the counter blocks
    /// [B, B + ⌈n/4⌉) where B is <see cref="Offset"/> before the fill, and advances
    /// <see cref="Offset"/> by ⌈n/4⌉. Element i (flat, row-major) uses the block
    /// Philox4x32-10(counter = (lo(B + ⌊i/4⌋), hi(B + ⌊i/4⌋), lo(stream), hi(stream)),
    /// key = (lo(seed), hi(seed))) and its lane i mod 4. The value therefore depends only on the
    /// seed, the stream, the position and i: never on the thread count, the chunking or the backend.
    /// Word j of the sequence is the j-th output of cuRAND's <c>curand()</c> after
    /// <c>curand_init(seed, stream, 0)</c> (cuRAND uses the same key and counter layout).</para>
    /// <para><b>Distributions</b> (float32, no fused multiply-add):
    /// uniform: u = (x_lane ≫ 8)·2⁻²⁴, value = u·(b − a) + a;
    /// normal: lanes 2k and 2k+1 share one Box–Muller pair from words 2k and 2k+1, with
    /// u₁ = float(x₂ₖ ∧ 0x7FFFFFFF)·2⁻³¹ + 2⁻³² ∈ (0, 1], u₂ = (x₂ₖ₊₁ ≫ 8)·2⁻²⁴,
    /// r = √(−2 ln u₁), lane 2k = r·cos 2πu₂, lane 2k+1 = r·sin 2πu₂, value = z·std + mean;
    /// truncated normal: t = u·(2Φ(β) − 2Φ(α)) + 2Φ(α) − 1, value = clamp(erfinv(t)·std·√2 + mean, a, b),
    /// the inverse-CDF method with no rejection loop (the same algorithm as torch.nn.init.trunc_normal_).
    /// docs/random.md gives the full derivation.</para>
    /// </remarks>
    public sealed class Generator : RandomSource
    {
        private long _offset;

        /// <summary>Creates a generator at position 0.</summary>
        /// <param name="seed">The 64-bit seed: Philox key words (lo, hi).</param>
        /// <param name="stream">An independent stream number: counter words 2 and 3 (cuRAND's subsequence).</param>
        public Generator(ulong seed, ulong stream = 0)
        {
            Seed = seed;
            Stream = stream;
        }

        /// <summary>The seed (Philox key).</summary>
        public ulong Seed { get; }

        /// <summary>The stream number (Philox counter words 2 and 3).</summary>
        public ulong Stream { get; }

        /// <summary>The position, in Philox blocks of four 32-bit words. Each fill of n elements advances it by ⌈n/4⌉.</summary>
        public ulong Offset
        {
            get => unchecked((ulong)Interlocked.Read(ref _offset));
            set => Interlocked.Exchange(ref _offset, unchecked((long)value));
        }

        /// <summary>Returns a new generator with the same seed, stream and position; the two then advance independently.</summary>
        public Generator Clone() => new Generator(Seed, Stream) { Offset = Offset };

        /// <summary>Returns a generator on another stream of the same seed, at position 0.</summary>
        public Generator WithStream(ulong stream) => new Generator(Seed, stream);

        /// <summary>Reserves the blocks for a fill of <paramref name="elements"/> values and returns the first block.</summary>
        internal ulong Reserve(long elements)
        {
            long blocks = (elements + 3) / 4;
            return unchecked((ulong)(Interlocked.Add(ref _offset, blocks) - blocks));
        }

        /// <summary>Reserves the blocks for a fill of <paramref name="elements"/> values and describes where it starts:
        /// what a backend's <c>Fill</c> receives.</summary>
        internal PhiloxCounter Take(long elements) => new PhiloxCounter(Seed, Stream, Reserve(elements));

        /// <summary>Draws <paramref name="spec"/> into a host span on up to <paramref name="threadCount"/> threads, advancing <see cref="Offset"/> by the blocks used.</summary>
        internal override void FillHost(Span<float> destination, in FillSpec spec, int threadCount)
            => PhiloxFill.Fill(destination, spec, Take(destination.Length), threadCount); // an empty fill takes no blocks and returns at once

        /// <inheritdoc />
        public override string ToString() => $"Philox4x32-10(seed={Seed}, stream={Stream}, offset={Offset})";
    }
}
