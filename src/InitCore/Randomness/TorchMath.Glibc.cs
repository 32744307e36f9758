namespace InitCore.Randomness
{
    // glibc's expf and logf (the FMA variants, Arm optimized-routines tables and polynomials).
    internal static partial class TorchMath
    {
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
    }
}
