namespace InitCore.Randomness
{
    // PyTorch's AVX2 normal kernel: avx_mathfun's log and sincos with the fused multiply-adds GCC emitted, and
    // the Box–Muller step over 16 floats.
    internal static partial class TorchMath
    {
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
    }
}
