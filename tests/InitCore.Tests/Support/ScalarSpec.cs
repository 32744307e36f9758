using System;

namespace InitCore.Tests.Support
{
    /// <summary>
    /// The documented element mapping, one element at a time: Philox block (the tests' own
    /// <see cref="PhiloxOracle"/>), lane, then the scalar formula written out here from the docs rather than
    /// taken from <c>PhiloxFill</c>. Only the float elementary functions (log, sincos 2π, erf⁻¹) come from
    /// <c>RandomMath</c>: the CPU/CUDA bit-identity contract fixes them, and <c>RandomMathTests</c> checks
    /// each against double-precision references.
    /// </summary>
    internal static class ScalarSpec
    {
        private const float TwoPow24Inv = 1.0f / 16777216.0f;
        private const float TwoPow31Inv = 1.0f / 2147483648.0f;
        private const float TwoPow32Inv = 1.0f / 4294967296.0f;

        internal static float Element(FillSpec spec, ulong seed, ulong stream, ulong start, long i)
        {
            uint[] w = PhiloxOracle.Words(seed, stream, start + (ulong)(i / 4));
            int lane = (int)(i % 4);
            switch (spec.Kind)
            {
                case FillKind.Uniform:
                {
                    // lo + width·u24, clamped to hi.
                    float v = (w[lane] >> 8) * TwoPow24Inv * spec.P1 + spec.P0;
                    return v > spec.P2 ? spec.P2 : v;
                }
                case FillKind.Normal:
                {
                    // Box–Muller on the lane pair (0,1) or (2,3): radius from the first word's 31 bits in (0, 1],
                    // angle from the second word's 24 bits; the even lane takes cos, the odd lane sin.
                    int pair = lane / 2 * 2;
                    float u1 = (int)(w[pair] & 0x7FFFFFFFu) * TwoPow31Inv + TwoPow32Inv;
                    float u2 = (w[pair + 1] >> 8) * TwoPow24Inv;
                    float r = MathF.Sqrt(-2.0f * RandomMath.Log(u1));
                    RandomMath.SinCos2Pi(u2, out float sin, out float cos);
                    return (lane % 2 == 0 ? r * cos : r * sin) * spec.P1 + spec.P0;
                }
                default:
                {
                    // Inverse CDF: t = tLo + tWidth·u24, x = mean + scale·erf⁻¹(t), clamped to [a, b].
                    float t = (w[lane] >> 8) * TwoPow24Inv * spec.P1 + spec.P0;
                    float v = RandomMath.ErfInv(t) * spec.P2 + spec.P3;
                    v = v < spec.P4 ? spec.P4 : v;
                    return v > spec.P5 ? spec.P5 : v;
                }
            }
        }

        internal static int UlpDistance(float a, float b)
        {
            int ia = BitConverter.SingleToInt32Bits(a), ib = BitConverter.SingleToInt32Bits(b);
            if (ia < 0) ia = int.MinValue - ia;
            if (ib < 0) ib = int.MinValue - ib;
            return Math.Abs(ia - ib);
        }
    }
}
