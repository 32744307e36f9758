using System;

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
    /// coefficients (notice below); ATen's calc_erfinv coefficients (PyTorch, BSD licence). Each was
    /// checked against the binaries PyTorch 1.13 and glibc 2.36 run.</para>
    /// </remarks>
    internal static class TorchMath
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

        // ------------------------------------------------------------------ AVX2 normal kernel (avx_mathfun)

        // avx_mathfun.h stores its constants as float arrays initialised from double literals:
        // each is the double rounded to float, which is what (float)literal gives here.
        internal static readonly float MinNormPos = FromBits(0x00800000);
        internal static readonly float SqrtHalf = (float)0.707106781186547524;
        internal static readonly float LogP0 = (float)7.0376836292E-2;
        internal static readonly float LogP1 = (float)-1.1514610310E-1;
        internal static readonly float LogP2 = (float)1.1676998740E-1;
        internal static readonly float LogP3 = (float)-1.2420140846E-1;
        internal static readonly float LogP4 = (float)1.4249322787E-1;
        internal static readonly float LogP5 = (float)-1.6668057665E-1;
        internal static readonly float LogP6 = (float)2.0000714765E-1;
        internal static readonly float LogP7 = (float)-2.4999993993E-1;
        internal static readonly float LogP8 = (float)3.3333331174E-1;
        internal static readonly float LogQ1 = (float)-2.12194440e-4;
        internal static readonly float LogQ2 = (float)0.693359375;
        internal static readonly float MinusDp1 = (float)-0.78515625;
        internal static readonly float MinusDp2 = (float)-2.4187564849853515625e-4;
        internal static readonly float MinusDp3 = (float)-3.77489497744594108e-8;
        internal static readonly float SinP0 = (float)-1.9515295891E-4;
        internal static readonly float SinP1 = (float)8.3321608736E-3;
        internal static readonly float SinP2 = (float)-1.6666654611E-1;
        internal static readonly float CosP0 = (float)2.443315711809948E-005;
        internal static readonly float CosP1 = (float)-1.388731625493765E-003;
        internal static readonly float CosP2 = (float)4.166664568298827E-002;
        internal static readonly float FourOverPi = (float)1.27323954473516;

        /// <summary>2π as the AVX2 kernel holds it: the double 2π rounded to float.</summary>
        internal static readonly float TwoPi = (float)(2.0 * Math.PI);

        /// <summary>
        /// One lane of the AVX2 kernel's natural log (Cephes logf as in avx_mathfun.h's log256_ps):
        /// x = 2ᵉ·m with m in [√½, √2), log = p(m − 1) + e·q. The polynomial's multiply-adds are fused
        /// exactly where GCC fused them in PyTorch's binary; e·q₁ is rounded before it joins y·z.
        /// </summary>
        internal static float AvxLog(float v)
        {
            bool invalid = v <= 0f;
            float x = v > MinNormPos ? v : MinNormPos;
            int bits = Bits(x);
            int exponent = (int)((uint)bits >> 23) - 0x7f;
            x = FromBits((bits & ~0x7f800000) | 0x3f000000);
            float e = (float)exponent + 1f;
            bool below = x < SqrtHalf;
            float tmp = below ? x : 0f;
            x -= 1f;
            e -= below ? 1f : 0f;
            x += tmp;
            float z = x * x;
            float y = Fma(LogP0, x, LogP1);
            y = Fma(y, x, LogP2);
            y = Fma(y, x, LogP3);
            y = Fma(y, x, LogP4);
            y = Fma(y, x, LogP5);
            y = Fma(y, x, LogP6);
            y = Fma(y, x, LogP7);
            y = Fma(y, x, LogP8);
            y *= x;
            float eq1 = e * LogQ1;
            y = Fma(y, z, eq1);
            y = Fma(-z, 0.5f, y);
            x += y;
            x = Fma(e, LogQ2, x);
            return invalid ? FromBits(-1) : x;
        }

        /// <summary>
        /// One lane of the AVX2 kernel's sincos (Cephes sinf/cosf as in avx_mathfun.h's sincos256_ps):
        /// reduce |x| by j·π/4 with a three-part π/4 (fused), evaluate both polynomials, select by j,
        /// and set the signs from j and the sign of x.
        /// </summary>
        internal static void AvxSinCos(float v, out float sin, out float cos)
        {
            int vb = Bits(v);
            int signSin = vb & unchecked((int)0x80000000);
            float x = FromBits(vb & 0x7fffffff);
            int j = (int)(x * FourOverPi);
            j = (j + 1) & ~1;
            float y = j;
            int swapSin = (j & 4) << 29;
            bool firstPoly = (j & 2) == 0;
            x = Fma(y, MinusDp1, x);
            x = Fma(y, MinusDp2, x);
            x = Fma(y, MinusDp3, x);
            int signCos = (~(j - 2) & 4) << 29;
            signSin ^= swapSin;
            float z = x * x;

            float yc = Fma(CosP0, z, CosP1);
            yc = Fma(yc, z, CosP2);
            float halfZ = z * 0.5f;
            yc *= z;
            yc = Fma(yc, z, -halfZ);
            yc += 1f;

            float ys = Fma(SinP0, z, SinP1);
            ys = Fma(ys, z, SinP2);
            ys *= z;
            ys = Fma(ys, x, x);

            // The kernel selects with and/andnot and recombines with subtractions and additions.
            float sin2 = firstPoly ? ys : 0f;
            float sin1 = firstPoly ? 0f : yc;
            float restS = ys - sin2;
            float restC = yc - sin1;
            sin = FromBits(Bits(sin1 + sin2) ^ signSin);
            cos = FromBits(Bits(restS + restC) ^ signCos);
        }

        /// <summary>
        /// The AVX2 kernel's Box–Muller on one 16-value chunk of uniforms in [0, 1): element j (j &lt; 8)
        /// and j + 8 become r·cos θ·std + mean and r·sin θ·std + mean, with r = √(−2 log(1 − u_j)) and
        /// θ = 2π·u_{j+8}.
        /// </summary>
        internal static void BoxMuller16(Span<float> chunk, float mean, float std)
        {
            for (int j = 0; j < 8; j++)
            {
                float u1 = 1f - chunk[j];
                float u2 = chunk[j + 8];
                float radius = MathF.Sqrt(-2f * AvxLog(u1));
                AvxSinCos(TwoPi * u2, out float s, out float c);
                chunk[j] = Fma(radius * c, std, mean);
                chunk[j + 8] = Fma(radius * s, std, mean);
            }
        }

        // ------------------------------------------------------------------ glibc expf (FMA variant)

        private static readonly long[] Exp2Table =
        {
            0x3FF0000000000000, 0x3FEFD9B0D3158574, 0x3FEFB5586CF9890F, 0x3FEF9301D0125B51,
            0x3FEF72B83C7D517B, 0x3FEF54873168B9AA, 0x3FEF387A6E756238, 0x3FEF1E9DF51FDEE1,
            0x3FEF06FE0A31B715, 0x3FEEF1A7373AA9CB, 0x3FEEDEA64C123422, 0x3FEECE086061892D,
            0x3FEEBFDAD5362A27, 0x3FEEB42B569D4F82, 0x3FEEAB07DD485429, 0x3FEEA47EB03A5585,
            0x3FEEA09E667F3BCD, 0x3FEE9F75E8EC5F74, 0x3FEEA11473EB0187, 0x3FEEA589994CCE13,
            0x3FEEACE5422AA0DB, 0x3FEEB737B0CDC5E5, 0x3FEEC49182A3F090, 0x3FEED503B23E255D,
            0x3FEEE89F995AD3AD, 0x3FEEFF76F2FB5E47, 0x3FEF199BDD85529C, 0x3FEF3720DCEF9069,
            0x3FEF5818DCFBA487, 0x3FEF7C97337B9B5F, 0x3FEFA4AFA2A490DA, 0x3FEFD0765B6E4540,
        };

        private static readonly double ExpInvLn2N = FromBits(0x40471547652B82FE);   // 32/ln 2
        private static readonly double ExpShift = FromBits(0x4338000000000000);      // 1.5·2⁵²
        private static readonly double ExpC0 = FromBits(0x3EBC6AF84B912394);
        private static readonly double ExpC1 = FromBits(0x3F2EBFCE50FAC4F3);
        private static readonly double ExpC2 = FromBits(0x3F962E42FF0C52D6);
        private static readonly float ExpOverflow = FromBits(0x42b17217);                // ≈ 88.72
        private static readonly float ExpUnderflow = FromBits(unchecked((int)0xc2cff1b4));   // ≈ −103.97
        private static readonly float ExpMayUnderflow = FromBits(unchecked((int)0xc2ce8ecf)); // ≈ −103.28

        /// <summary>
        /// e^x for float as glibc computes it (Szabolcs Nagy's expf, the FMA build glibc selects on
        /// x86-64 with FMA): x·32/ln2 = k + r, 2^(k/32) from a 32-entry table, a cubic in r, all in
        /// double, rounded to float once.
        /// </summary>
        internal static float ExpF(float x)
        {
            uint ux = unchecked((uint)Bits(x));
            uint abstop = (ux >> 20) & 0x7ff;
            if (abstop >= 0x42b)
            {
                if (ux == 0xff800000u) return 0f;
                if (abstop >= 0x7f8) return x + x;
                if (x > ExpOverflow) return float.PositiveInfinity;
                if (x < ExpUnderflow) return 0f;
                if (x < ExpMayUnderflow) return FromBits(1);
            }
            double xd = x;
            double shifted = Fma(ExpInvLn2N, xd, ExpShift);
            ulong ki = unchecked((ulong)BitConverter.DoubleToInt64Bits(shifted));
            double kd = shifted - ExpShift;
            double r = Fma(ExpInvLn2N, xd, -kd);
            ulong t = unchecked((ulong)Exp2Table[ki % 32] + (ki << 47));
            double s = FromBits(unchecked((long)t));
            double z = Fma(r, ExpC0, ExpC1);
            double r2 = r * r;
            double y = Fma(r, ExpC2, 1.0);
            y = Fma(z, r2, y);
            return (float)(y * s);
        }

        // ------------------------------------------------------------------ glibc logf (FMA variant)

        private static readonly long[] LogInvC =
        {
            0x3FF661EC79F8F3BE, 0x3FF571ED4AAF883D, 0x3FF49539F0F010B0, 0x3FF3C995B0B80385,
            0x3FF30D190C8864A5, 0x3FF25E227B0B8EA0, 0x3FF1BB4A4A1A343F, 0x3FF12358F08AE5BA,
            0x3FF0953F419900A7, 0x3FF0000000000000, 0x3FEE608CFD9A47AC, 0x3FECA4B31F026AA0,
            0x3FEB2036576AFCE6, 0x3FE9C2D163A1AA2D, 0x3FE886E6037841ED, 0x3FE767DCF5534862,
        };

        private static readonly long[] LogLogC =
        {
            unchecked((long)0xBFD57BF7808CAADE), unchecked((long)0xBFD2BEF0A7C06DDB), unchecked((long)0xBFD01EAE7F513A67), unchecked((long)0xBFCB31D8A68224E9),
            unchecked((long)0xBFC6574F0AC07758), unchecked((long)0xBFC1AA2BC79C8100), unchecked((long)0xBFBA4E76CE8C0E5E), unchecked((long)0xBFB1973C5A611CCC),
            unchecked((long)0xBFA252F438E10C1E), 0x0000000000000000, 0x3FAAA5AA5DF25984, 0x3FBC5E53AA362EB4,
            0x3FC526E57720DB08, 0x3FCBC2860D224770, 0x3FD1058BC8A07EE1, 0x3FD4043057B6EE09,
        };

        private static readonly double LogLn2 = FromBits(0x3FE62E42FEFA39EF);
        private static readonly double LogA0 = FromBits(unchecked((long)0xBFD00EA348B88334));
        private static readonly double LogA1 = FromBits(0x3FD5575B0BE00B6A);
        private static readonly double LogA2 = FromBits(unchecked((long)0xBFDFFFFEF20A4123));

        /// <summary>
        /// log(x) for float as glibc computes it (Szabolcs Nagy's logf, FMA build): x = 2ᵏ·z,
        /// log x = k·ln2 + log c + log1p(z/c − 1) with c from a 16-entry table and a cubic for log1p,
        /// in double, rounded to float once.
        /// </summary>
        internal static float LogF(float x)
        {
            uint ix = unchecked((uint)Bits(x));
            if (ix == 0x3f800000u) return 0f;
            if (ix - 0x00800000u >= 0x7f800000u - 0x00800000u)
            {
                if (ix * 2 == 0) return float.NegativeInfinity;
                if (ix == 0x7f800000u) return x;
                if ((ix & 0x80000000u) != 0 || ix * 2 >= 0xff000000u) return float.NaN;
                ix = unchecked((uint)Bits(x * 8388608f) - (23u << 23));
            }
            uint tmp = ix - 0x3f330000u;
            int i = (int)((tmp >> 19) % 16);
            int k = unchecked((int)tmp) >> 23;
            uint iz = ix - (tmp & 0xff800000u);
            double invc = FromBits(LogInvC[i]);
            double logc = FromBits(LogLogC[i]);
            double z = FromBits(unchecked((int)iz));
            double r = Fma(z, invc, -1.0);
            double y0 = Fma((double)k, LogLn2, logc);
            double r2 = r * r;
            double y = Fma(r, LogA1, LogA2);
            y = Fma(r2, LogA0, y);
            y = Fma(r2, y, y0 + r);
            return (float)y;
        }

        // ------------------------------------------------------------------ glibc erff (fdlibm, float)

        // The erf and erff coefficients below are fdlibm's:
        //   Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
        //   Developed at SunPro, a Sun Microsystems, Inc. business.
        //   Permission to use, copy, modify, and distribute this
        //   software is freely granted, provided that this notice
        //   is preserved.

        private static readonly float Erx = (float)8.4506291151e-01;
        private static readonly float Efx = (float)1.2837916613e-01;
        private static readonly float Pp0 = (float)1.2837916613e-01, Pp1 = (float)-3.2504209876e-01, Pp2 = (float)-2.8481749818e-02, Pp3 = (float)-5.7702702470e-03, Pp4 = (float)-2.3763017452e-05;
        private static readonly float Qq1 = (float)3.9791721106e-01, Qq2 = (float)6.5022252500e-02, Qq3 = (float)5.0813062117e-03, Qq4 = (float)1.3249473704e-04, Qq5 = (float)-3.9602282413e-06;
        private static readonly float Pa0 = (float)-2.3621185683e-03, Pa1 = (float)4.1485610604e-01, Pa2 = (float)-3.7220788002e-01, Pa3 = (float)3.1834661961e-01, Pa4 = (float)-1.1089469492e-01, Pa5 = (float)3.5478305072e-02, Pa6 = (float)-2.1663755178e-03;
        private static readonly float Qa1 = (float)1.0642088205e-01, Qa2 = (float)5.4039794207e-01, Qa3 = (float)7.1828655899e-02, Qa4 = (float)1.2617121637e-01, Qa5 = (float)1.3637083583e-02, Qa6 = (float)1.1984500103e-02;
        private static readonly float Ra0 = (float)-9.8649440333e-03, Ra1 = (float)-6.9385856390e-01, Ra2 = (float)-1.0558626175e+01, Ra3 = (float)-6.2375331879e+01, Ra4 = (float)-1.6239666748e+02, Ra5 = (float)-1.8460508728e+02, Ra6 = (float)-8.1287437439e+01, Ra7 = (float)-9.8143291473e+00;
        private static readonly float Sa1 = (float)1.9651271820e+01, Sa2 = (float)1.3765776062e+02, Sa3 = (float)4.3456588745e+02, Sa4 = (float)6.4538726807e+02, Sa5 = (float)4.2900814819e+02, Sa6 = (float)1.0863500214e+02, Sa7 = (float)6.5702495575e+00, Sa8 = (float)-6.0424413532e-02;
        private static readonly float Rb0 = (float)-9.8649431020e-03, Rb1 = (float)-7.9928326607e-01, Rb2 = (float)-1.7757955551e+01, Rb3 = (float)-1.6063638306e+02, Rb4 = (float)-6.3756646729e+02, Rb5 = (float)-1.0250950928e+03, Rb6 = (float)-4.8351919556e+02;
        private static readonly float Sb1 = (float)3.0338060379e+01, Sb2 = (float)3.2579251099e+02, Sb3 = (float)1.5367296143e+03, Sb4 = (float)3.1998581543e+03, Sb5 = (float)2.5530502930e+03, Sb6 = (float)4.7452853394e+02, Sb7 = (float)-2.2440952301e+01;

        /// <summary>
        /// erf(x) for float as glibc 2.36 computes it (the fdlibm float erff, plain float arithmetic):
        /// x + x·P/Q near 0, erx + P/Q around 1, and 1 − exp(−z² − 0.5625)·exp((z − x)(z + x) + R/S)/x
        /// beyond 1.25, with z = x truncated to 12 bits.
        /// </summary>
        internal static float ErfF(float x)
        {
            int hx = Bits(x);
            int ix = hx & 0x7fffffff;
            if (ix >= 0x7f800000)
            {
                int i = (int)((uint)hx >> 31) << 1;
                return (1 - i) + 1f / x;
            }
            if (ix < 0x3f580000)
            {
                if (ix < 0x31800000)
                {
                    if (ix < 0x04000000) return 0.0625f * (16f * x + (16f * Efx) * x);
                    return x + Efx * x;
                }
                float z = x * x;
                float r = Pp0 + z * (Pp1 + z * (Pp2 + z * (Pp3 + z * Pp4)));
                float s = 1f + z * (Qq1 + z * (Qq2 + z * (Qq3 + z * (Qq4 + z * Qq5))));
                float y = r / s;
                return x + x * y;
            }
            if (ix < 0x3fa00000)
            {
                float s = Math.Abs(x) - 1f;
                float p = Pa0 + s * (Pa1 + s * (Pa2 + s * (Pa3 + s * (Pa4 + s * (Pa5 + s * Pa6)))));
                float q = 1f + s * (Qa1 + s * (Qa2 + s * (Qa3 + s * (Qa4 + s * (Qa5 + s * Qa6)))));
                return hx >= 0 ? Erx + p / q : -Erx - p / q;
            }
            if (ix >= 0x40c00000) return hx >= 0 ? 1f - 1e-30f : 1e-30f - 1f;
            x = Math.Abs(x);
            float w = 1f / (x * x);
            float rr, ss;
            if (ix < 0x4036DB6E)
            {
                rr = Ra0 + w * (Ra1 + w * (Ra2 + w * (Ra3 + w * (Ra4 + w * (Ra5 + w * (Ra6 + w * Ra7))))));
                ss = 1f + w * (Sa1 + w * (Sa2 + w * (Sa3 + w * (Sa4 + w * (Sa5 + w * (Sa6 + w * (Sa7 + w * Sa8)))))));
            }
            else
            {
                rr = Rb0 + w * (Rb1 + w * (Rb2 + w * (Rb3 + w * (Rb4 + w * (Rb5 + w * Rb6)))));
                ss = 1f + w * (Sb1 + w * (Sb2 + w * (Sb3 + w * (Sb4 + w * (Sb5 + w * (Sb6 + w * Sb7))))));
            }
            float zt = FromBits(Bits(x) & unchecked((int)0xfffff000));
            float rt = ExpF(-zt * zt - 0.5625f) * ExpF((zt - x) * (zt + x) + rr / ss);
            return hx >= 0 ? 1f - rt / x : rt / x - 1f;
        }

        // ------------------------------------------------------------------ fdlibm erf (double): Python's math.erf

        private static readonly double DErx = 8.45062911510467529297e-01, DEfx = 1.28379167095512586316e-01;
        private static readonly double[] DPp = { 1.28379167095512558561e-01, -3.25042107247001499370e-01, -2.84817495755985104766e-02, -5.77027029648944159157e-03, -2.37630166566501626084e-05 };
        private static readonly double[] DQq = { 0.0, 3.97917223959155352819e-01, 6.50222499887672944485e-02, 5.08130628187576562776e-03, 1.32494738004321644526e-04, -3.96022827877536812320e-06 };
        private static readonly double[] DPa = { -2.36211856075265944077e-03, 4.14856118683748331666e-01, -3.72207876035701323847e-01, 3.18346619901161753674e-01, -1.10894694282396677476e-01, 3.54783043256182359371e-02, -2.16637559486879084300e-03 };
        private static readonly double[] DQa = { 0.0, 1.06420880400844228286e-01, 5.40397917702171048937e-01, 7.18286544141962662868e-02, 1.26171219808761642112e-01, 1.36370839120290507362e-02, 1.19844998467991074170e-02 };
        private static readonly double[] DRa = { -9.86494403484714822705e-03, -6.93858572707181764372e-01, -1.05586262253232909814e+01, -6.23753324503260060396e+01, -1.62396669462573470355e+02, -1.84605092906711035994e+02, -8.12874355063065934246e+01, -9.81432934416914548592e+00 };
        private static readonly double[] DSa = { 0.0, 1.96512716674392571292e+01, 1.37657754143519042600e+02, 4.34565877475229228821e+02, 6.45387271733267880336e+02, 4.29008140027567833386e+02, 1.08635005541779435134e+02, 6.57024977031928170135e+00, -6.04244152148580987438e-02 };
        private static readonly double[] DRb = { -9.86494292470009928597e-03, -7.99283237680523006574e-01, -1.77579549177547519889e+01, -1.60636384855821916062e+02, -6.37566443368389627722e+02, -1.02509513161107724954e+03, -4.83519191608651397019e+02 };
        private static readonly double[] DSb = { 0.0, 3.03380607434824582924e+01, 3.25792512996573918826e+02, 1.53672958608443695994e+03, 3.19985821950859553908e+03, 2.55305040643316442583e+03, 4.74528541206955367215e+02, -2.24409524465858183362e+01 };

        /// <summary>
        /// erf(x) in double as glibc 2.36 computes it (fdlibm's s_erf.c with its pipelined polynomial
        /// evaluation), which is what CPython's math.erf returns on Linux. exp comes from
        /// <see cref="Math.Exp"/>.
        /// </summary>
        internal static double Erf(double x)
        {
            long bits = BitConverter.DoubleToInt64Bits(x);
            int hx = (int)(bits >> 32);
            int ix = hx & 0x7fffffff;
            if (ix >= 0x7ff00000)
            {
                int i = (int)((uint)hx >> 31) << 1;
                return (1 - i) + 1.0 / x;
            }
            if (ix < 0x3feb0000)
            {
                if (ix < 0x3e300000)
                {
                    if (ix < 0x00800000) return 0.0625 * (16.0 * x + (16.0 * DEfx) * x);
                    return x + DEfx * x;
                }
                double z = x * x;
                double r1 = DPp[0] + z * DPp[1], z2 = z * z;
                double r2 = DPp[2] + z * DPp[3], z4 = z2 * z2;
                double s1 = 1.0 + z * DQq[1];
                double s2 = DQq[2] + z * DQq[3];
                double s3 = DQq[4] + z * DQq[5];
                double r = r1 + z2 * r2 + z4 * DPp[4];
                double s = s1 + z2 * s2 + z4 * s3;
                double y = r / s;
                return x + x * y;
            }
            if (ix < 0x3ff40000)
            {
                double s = Math.Abs(x) - 1.0;
                double p1 = DPa[0] + s * DPa[1], s2 = s * s;
                double q1 = 1.0 + s * DQa[1], s4 = s2 * s2;
                double p2 = DPa[2] + s * DPa[3], s6 = s4 * s2;
                double q2 = DQa[2] + s * DQa[3];
                double p3 = DPa[4] + s * DPa[5];
                double q3 = DQa[4] + s * DQa[5];
                double p = p1 + s2 * p2 + s4 * p3 + s6 * DPa[6];
                double q = q1 + s2 * q2 + s4 * q3 + s6 * DQa[6];
                return hx >= 0 ? DErx + p / q : -DErx - p / q;
            }
            if (ix >= 0x40180000) return hx >= 0 ? 1.0 - 1e-300 : 1e-300 - 1.0;
            x = Math.Abs(x);
            double w = 1.0 / (x * x);
            double rr, ss;
            if (ix < 0x4006DB6E)
            {
                double r1 = DRa[0] + w * DRa[1], w2 = w * w;
                double s1 = 1.0 + w * DSa[1], w4 = w2 * w2;
                double r2 = DRa[2] + w * DRa[3], w6 = w4 * w2;
                double s2 = DSa[2] + w * DSa[3], w8 = w4 * w4;
                double r3 = DRa[4] + w * DRa[5];
                double s3 = DSa[4] + w * DSa[5];
                double r4 = DRa[6] + w * DRa[7];
                double s4 = DSa[6] + w * DSa[7];
                rr = r1 + w2 * r2 + w4 * r3 + w6 * r4;
                ss = s1 + w2 * s2 + w4 * s3 + w6 * s4 + w8 * DSa[8];
            }
            else
            {
                double r1 = DRb[0] + w * DRb[1], w2 = w * w;
                double s1 = 1.0 + w * DSb[1], w4 = w2 * w2;
                double r2 = DRb[2] + w * DRb[3], w6 = w4 * w2;
                double s2 = DSb[2] + w * DSb[3];
                double r3 = DRb[4] + w * DRb[5];
                double s3 = DSb[4] + w * DSb[5];
                double s4 = DSb[6] + w * DSb[7];
                rr = r1 + w2 * r2 + w4 * r3 + w6 * DRb[6];
                ss = s1 + w2 * s2 + w4 * s3 + w6 * s4;
            }
            double zt = FromBits(BitConverter.DoubleToInt64Bits(x) & unchecked((long)0xFFFFFFFF00000000));
            double rt = Math.Exp(-zt * zt - 0.5625) * Math.Exp((zt - x) * (zt + x) + rr / ss);
            return hx >= 0 ? 1.0 - rt / x : rt / x - 1.0;
        }

        // ------------------------------------------------------------------ ATen calc_erfinv (float)

        private static readonly float ErfinvA0 = (float)0.886226899, ErfinvA1 = (float)-1.645349621, ErfinvA2 = (float)0.914624893, ErfinvA3 = (float)-0.140543331;
        private static readonly float ErfinvB0 = (float)-2.118377725, ErfinvB1 = (float)1.442710462, ErfinvB2 = (float)-0.329097515, ErfinvB3 = (float)0.012229801;
        private static readonly float ErfinvC0 = (float)-1.970840454, ErfinvC1 = (float)-1.624906493, ErfinvC2 = (float)3.429567803, ErfinvC3 = (float)1.641345311;
        private static readonly float ErfinvD0 = (float)3.543889200, ErfinvD1 = (float)1.637067800;
        private static readonly float ErfinvCentral = (float)0.7;
        private static readonly float TwoOverSqrtPi = 2f / (float)Math.Sqrt(Math.PI);

        /// <summary>
        /// erfinv(y) for float as PyTorch 1.13's CPU kernel computes it (ATen calc_erfinv: Pavlis's
        /// rational approximation plus two Newton steps on glibc's erff and expf). The rational
        /// parts use the fused multiply-adds of PyTorch's AVX2 build.
        /// </summary>
        internal static float ErfInvF(float y)
        {
            float yAbs = Math.Abs(y);
            if (yAbs > 1f) return float.NaN;
            if (yAbs == 1f) return y > 0 ? float.PositiveInfinity : float.NegativeInfinity;
            float x;
            if (yAbs <= ErfinvCentral)
            {
                float z = y * y;
                float num = Fma(Fma(Fma(ErfinvA3, z, ErfinvA2), z, ErfinvA1), z, ErfinvA0);
                float dem = Fma(Fma(Fma(Fma(ErfinvB3, z, ErfinvB2), z, ErfinvB1), z, ErfinvB0), z, 1f);
                x = y * num / dem;
            }
            else
            {
                float z = MathF.Sqrt(-LogF((1f - yAbs) * 0.5f));
                float num = Fma(Fma(Fma(ErfinvC3, z, ErfinvC2), z, ErfinvC1), z, ErfinvC0);
                float dem = Fma(Fma(ErfinvD1, z, ErfinvD0), z, 1f);
                x = FromBits((Bits(num) & 0x7fffffff) | (Bits(y) & unchecked((int)0x80000000))) / dem;
            }
            x -= (ErfF(x) - y) / (TwoOverSqrtPi * ExpF(-x * x));
            x -= (ErfF(x) - y) / (TwoOverSqrtPi * ExpF(-x * x));
            return x;
        }
    }
}
