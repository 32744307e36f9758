namespace InitCore.Randomness
{
    /// <summary>
    /// The Philox4x32-10 counter-based block function of Salmon, Moraes, Dror and Shaw,
    /// "Parallel random numbers: as easy as 1, 2, 3" (SC 2011), with the Random123 constants.
    /// </summary>
    /// <remarks>
    /// One call maps a 128-bit counter and a 64-bit key to 128 random bits. It is the generator
    /// behind cuRAND's <c>curandStatePhilox4_32_10_t</c> and Random123's <c>philox4x32</c>; the
    /// known-answer tests check it against Random123's published vectors. InitCore's element
    /// mapping on top of it is documented on <see cref="Generator"/>.
    /// </remarks>
    public static class Philox4x32
    {
        /// <summary>Multiplier applied to counter word 0 (Random123 <c>PHILOX_M4x32_0</c>).</summary>
        public const uint M0 = 0xD2511F53u;
        /// <summary>Multiplier applied to counter word 2 (Random123 <c>PHILOX_M4x32_1</c>).</summary>
        public const uint M1 = 0xCD9E8D57u;
        /// <summary>Weyl increment of key word 0 between rounds (the golden ratio, <c>PHILOX_W32_0</c>).</summary>
        public const uint W0 = 0x9E3779B9u;
        /// <summary>Weyl increment of key word 1 between rounds (√3 − 1, <c>PHILOX_W32_1</c>).</summary>
        public const uint W1 = 0xBB67AE85u;
        /// <summary>Number of rounds: 10, the variant Random123 and cuRAND recommend.</summary>
        public const int Rounds = 10;

        /// <summary>
        /// Computes one Philox4x32-10 block.
        /// </summary>
        /// <param name="counter">The four 32-bit counter words c0..c3.</param>
        /// <param name="key">The two 32-bit key words k0, k1.</param>
        /// <param name="output">Receives the four 32-bit output words.</param>
        /// <exception cref="ArgumentException">A span has the wrong length.</exception>
        public static void Compute(ReadOnlySpan<uint> counter, ReadOnlySpan<uint> key, Span<uint> output)
        {
            if (counter.Length != 4) throw new ArgumentException($"Expected 4 counter words, got {counter.Length}.", nameof(counter));
            if (key.Length != 2) throw new ArgumentException($"Expected 2 key words, got {key.Length}.", nameof(key));
            if (output.Length < 4) throw new ArgumentException($"Expected room for 4 output words, got {output.Length}.", nameof(output));
            Block(counter[0], counter[1], counter[2], counter[3], key[0], key[1],
                  out output[0], out output[1], out output[2], out output[3]);
        }

        /// <summary>Computes one Philox4x32-10 block from scalar words.</summary>
        /// <remarks>Round: (hi0, lo0) = M0·c0, (hi1, lo1) = M1·c2;
        /// c ← (hi1 ⊕ c1 ⊕ k0, lo1, hi0 ⊕ c3 ⊕ k1, lo0); then k ← k + (W0, W1).</remarks>
        public static void Block(uint c0, uint c1, uint c2, uint c3, uint k0, uint k1,
                                 out uint r0, out uint r1, out uint r2, out uint r3)
        {
            for (int round = 0; round < Rounds; round++)
            {
                if (round > 0) { k0 += W0; k1 += W1; }
                ulong p0 = (ulong)M0 * c0;
                ulong p1 = (ulong)M1 * c2;
                uint n0 = (uint)(p1 >> 32) ^ c1 ^ k0;
                uint n2 = (uint)(p0 >> 32) ^ c3 ^ k1;
                c1 = (uint)p1;
                c3 = (uint)p0;
                c0 = n0;
                c2 = n2;
            }
            r0 = c0; r1 = c1; r2 = c2; r3 = c3;
        }
    }
}
