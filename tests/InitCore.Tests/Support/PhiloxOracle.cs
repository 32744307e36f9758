namespace InitCore.Tests.Support
{
    /// <summary>
    /// Philox4x32-10 written from the Random123 paper (Salmon et al., "Parallel Random Numbers: As Easy as
    /// 1, 2, 3", SC'11, §3.3), independently of the engine's <c>Philox4x32</c>: each round takes the two
    /// 32×32→64 products hi/lo(M0·c0), hi/lo(M1·c2) and outputs (hi1 ⊕ c1 ⊕ k0, lo1, hi0 ⊕ c3 ⊕ k1, lo0);
    /// the key is bumped by the Weyl constants between rounds. Checked against the published known
    /// answers in <c>PhiloxTests</c>.
    /// </summary>
    internal static class PhiloxOracle
    {
        private const ulong M0 = 0xD2511F53, M1 = 0xCD9E8D57;
        private const uint W0 = 0x9E3779B9, W1 = 0xBB67AE85;

        internal static uint[] Block(uint[] counter, uint[] key)
        {
            uint c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3];
            uint k0 = key[0], k1 = key[1];
            for (int round = 0; round < 10; round++)
            {
                if (round > 0) { k0 += W0; k1 += W1; }
                ulong p0 = M0 * c0, p1 = M1 * c2;
                uint hi0 = (uint)(p0 >> 32), lo0 = (uint)p0, hi1 = (uint)(p1 >> 32), lo1 = (uint)p1;
                (c0, c1, c2, c3) = (hi1 ^ c1 ^ k0, lo1, hi0 ^ c3 ^ k1, lo0);
            }
            return new[] { c0, c1, c2, c3 };
        }

        /// <summary>The engine's documented counter layout: block in counter words 0–1, stream in 2–3, seed as the key.</summary>
        internal static uint[] Words(ulong seed, ulong stream, ulong block) =>
            Block(new[] { (uint)block, (uint)(block >> 32), (uint)stream, (uint)(stream >> 32) }, new[] { (uint)seed, (uint)(seed >> 32) });
    }
}
