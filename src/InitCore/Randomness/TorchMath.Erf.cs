namespace InitCore.Randomness
{
    // The error function and its inverse: fdlibm's erff (float) and erf (double, Python's math.erf), with
    // Sun's notice below, and ATen's calc_erfinv (float).
    internal static partial class TorchMath
    {
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
