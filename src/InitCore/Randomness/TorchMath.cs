namespace InitCore.Randomness
{
    /// <summary>
    /// The scalar arithmetic that PyTorch's CPU random kernels run on x86-64, reimplemented operation
    /// by operation so that the float32 results are bit-identical: exact fused multiply-add, the
    /// AVX2 normal kernel's log and sincos (Cephes polynomials as in avx_mathfun.h, with the fused
    /// multiply-adds GCC emitted in the Debian 1.13 binary), glibc's logf, expf and erff, fdlibm's
    /// double erf (Python's math.erf), and ATen's calc_erfinv for float.
    /// </summary>
    /// <remarks>
    /// Every function here is deterministic IEEE-754 arithmetic (round to nearest, no contraction in
    /// .NET), so the netstandard2.1 build and the net8.0 build give the same bits. The only calls into
    /// the platform's libm are <see cref="Math.Log(double)"/>, <see cref="Math.Sin"/>,
    /// <see cref="Math.Cos"/> and <see cref="Math.Exp"/> in double precision (PyTorch calls glibc's for
    /// those too); their results are rounded to float32 afterwards, so a last-bit difference in another
    /// libm changes a float only when it straddles a float rounding boundary (about 2⁻²⁹ per value).
    /// <para>Where the constants come from: the Cephes coefficients of avx_mathfun.h (Julien Pommier's
    /// sse_mathfun, AVX port by Giovanni Garberoglio, zlib licence); the expf and logf tables and
    /// polynomials of Arm's optimized-routines (MIT licence), which glibc ships; fdlibm's erf and erff
    /// coefficients (Sun's notice in TorchMath.Erf.cs); ATen's calc_erfinv coefficients (PyTorch, BSD licence). Each was
    /// checked against the binaries PyTorch 1.13 and glibc 2.36 run.</para>
    /// </remarks>
    internal static partial class TorchMath
    {
        // ------------------------------------------------------------------ fused multiply-add

        /// <summary>a·b + c with one rounding (float).</summary>
        internal static float Fma(float a, float b, float c)
        {
#if NET8_0_OR_GREATER
            return MathF.FusedMultiplyAdd(a, b, c);
#else
            return FmaSoft(a, b, c);
#endif
        }

        /// <summary>a·b + c with one rounding (double).</summary>
        internal static double Fma(double a, double b, double c)
        {
#if NET8_0_OR_GREATER
            return Math.FusedMultiplyAdd(a, b, c);
#else
            return FmaSoft(a, b, c);
#endif
        }

        /// <summary>
        /// Software float FMA: the product of two floats is exact in double, the sum is rounded to odd
        /// in double, and rounding that to float is the correctly rounded a·b + c (53 ≥ 24 + 2 bits,
        /// Boldo and Melquiond 2008).
        /// </summary>
        internal static float FmaSoft(float a, float b, float c) => (float)AddRoundToOdd((double)a * b, c);

        /// <summary>
        /// Software double FMA (Boldo and Melquiond, "Emulation of FMA and correctly rounded sums:
        /// proved algorithms using rounding to odd", IEEE TC 2008): an exact product uh + ul, an exact
        /// sum th + tl = c + uh, then RN(th + RO(tl + ul)). Exact away from overflow and underflow;
        /// outside |a|, |b| in [2⁻⁴⁰⁰, 2⁴⁰⁰] it falls back to the unfused a·b + c.
        /// </summary>
        internal static double FmaSoft(double a, double b, double c)
        {
            double uh = a * b;
            if (a == 0 || b == 0 || !IsFinite(uh) || !IsFinite(c)) return uh + c;
            double absA = Math.Abs(a), absB = Math.Abs(b);
            if (absA > SplitMax || absB > SplitMax || absA < SplitMin || absB < SplitMin) return uh + c;
            Split(a, out double ah, out double al);
            Split(b, out double bh, out double bl);
            double ul = ((ah * bh - uh) + ah * bl + al * bh) + al * bl;
            double th = c + uh;
            double bv = th - c;
            double tl = (c - (th - bv)) + (uh - bv);
            return th + AddRoundToOdd(tl, ul);
        }

        private static readonly double SplitMax = BitConverter.Int64BitsToDouble((1023L + 400) << 52);   // 2⁴⁰⁰
        private static readonly double SplitMin = BitConverter.Int64BitsToDouble((1023L - 400) << 52);   // 2⁻⁴⁰⁰

        // Veltkamp splitting: a = hi + lo with hi and lo of at most 26 significant bits.
        private static void Split(double a, out double hi, out double lo)
        {
            double t = 134217729.0 * a;
            hi = t - (t - a);
            lo = a - hi;
        }

        /// <summary>a + b rounded to odd: the exact sum if representable, else the neighbour with an odd last bit.</summary>
        internal static double AddRoundToOdd(double a, double b)
        {
            double s = a + b;
            if (!IsFinite(s)) return s;
            double bv = s - a;
            double err = (a - (s - bv)) + (b - bv);
            if (err != 0)
            {
                long bits = BitConverter.DoubleToInt64Bits(s);
                if ((bits & 1) == 0)
                {
                    // The exact sum lies strictly between s and its neighbour towards err; that one is odd.
                    bits += (err > 0) == (s > 0) ? 1 : -1;
                    s = BitConverter.Int64BitsToDouble(bits);
                }
            }
            return s;
        }

        private static bool IsFinite(double x) => Math.Abs(x) <= double.MaxValue;

        // ------------------------------------------------------------------ bit helpers

        internal static int Bits(float x) => BitConverter.SingleToInt32Bits(x);

        internal static float FromBits(int bits) => BitConverter.Int32BitsToSingle(bits);

        private static double FromBits(long bits) => BitConverter.Int64BitsToDouble(bits);
    }
}
