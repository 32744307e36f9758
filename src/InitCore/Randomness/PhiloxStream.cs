namespace InitCore.Randomness
{
    /// <summary>
    /// The Philox4x32-10 word stream of one (seed, stream): block b is
    /// Philox4x32-10(counter = (lo(b), hi(b), lo(stream), hi(stream)), key = (lo(seed), hi(seed))), and word j is
    /// lane j mod 4 of block ⌊j/4⌋: the j-th output of cuRAND's <c>curand()</c> after <c>curand_init(seed, stream, 0)</c>.
    /// </summary>
    /// <remarks>
    /// The one place where a seed, a stream and a block number become Philox key and counter words. The fills
    /// (<c>PhiloxFill</c>, whose SIMD paths take the key and stream words from here), the data sampler and, through
    /// <see cref="Generator"/>, <see cref="Initializers.Gain.Measure"/> all read this stream. A value type: copying it copies the
    /// position.
    /// </remarks>
    internal struct PhiloxStream
    {
        private ulong _block;
        private int _lane;
        private uint _r0, _r1, _r2, _r3;

        /// <summary>The stream of <paramref name="seed"/> and <paramref name="stream"/>, positioned at the first word of <paramref name="firstBlock"/>.</summary>
        internal PhiloxStream(ulong seed, ulong stream, ulong firstBlock = 0)
            : this((uint)seed, (uint)(seed >> 32), (uint)stream, (uint)(stream >> 32), firstBlock)
        {
        }

        private PhiloxStream(uint k0, uint k1, uint s0, uint s1, ulong firstBlock)
        {
            (K0, K1, S0, S1) = (k0, k1, s0, s1);
            _block = firstBlock;
            _lane = 4; // no block drawn yet
            _r0 = _r1 = _r2 = _r3 = 0;
        }

        /// <summary>The stream given by its key words and stream (counter) words, as the SIMD fill paths hold them.</summary>
        internal static PhiloxStream FromWords(uint k0, uint k1, uint s0, uint s1) => new PhiloxStream(k0, k1, s0, s1, 0);

        /// <summary>Key word 0: the low 32 bits of the seed.</summary>
        internal uint K0 { get; }

        /// <summary>Key word 1: the high 32 bits of the seed.</summary>
        internal uint K1 { get; }

        /// <summary>Counter word 2: the low 32 bits of the stream.</summary>
        internal uint S0 { get; }

        /// <summary>Counter word 3: the high 32 bits of the stream.</summary>
        internal uint S1 { get; }

        /// <summary>The four words of block <paramref name="block"/> (counter words 0 and 1 are its low and high halves).</summary>
        internal readonly void Block(ulong block, out uint r0, out uint r1, out uint r2, out uint r3)
            => Philox4x32.Block((uint)block, (uint)(block >> 32), S0, S1, K0, K1, out r0, out r1, out r2, out r3);

        /// <summary>The next word of the stream, in order: all four lanes of a block, then the next block.</summary>
        internal uint Next()
        {
            if (_lane == 4)
            {
                Block(_block, out _r0, out _r1, out _r2, out _r3);
                _block++;
                _lane = 0;
            }
            return _lane++ switch { 0 => _r0, 1 => _r1, 2 => _r2, _ => _r3 };
        }
    }
}
