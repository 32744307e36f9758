namespace InitCore.Randomness
{
    /// <summary>
    /// The float32 math behind the random distributions, written twice: a scalar form and a
    /// <see cref="Vector{T}"/> form that perform the same IEEE operations in the same order, with
    /// no fused multiply-add, so both give the same bits. The CUDA kernels (native/kernels/common.cuh)
    /// write the same sequences with plain operators and are compiled with <c>nvcc -fmad=false</c> and
    /// IEEE division and square root, so no contraction can change a bit (they do not use
    /// <c>__fmul_rn</c>/<c>__fadd_rn</c>; a test checks the embedded PTX has no <c>fma.rn.f32</c>).
    /// </summary>
    /// <remarks>
    /// Log is Cephes <c>logf</c> (polynomial on the mantissa in [√½, √2)); sine and cosine of 2πu
    /// reduce u exactly by quarter turns, then use Cephes' minimax polynomials on [−π/4, π/4];
    /// erfinv is Giles' single-precision approximation ("Approximating the erfinv function",
    /// GPU Computing Gems, 2011).
    /// </remarks>
    internal static class RandomMath
    {
        internal const float TwoPow24Inv = 1.0f / 16777216.0f;    // 2^-24
        internal const float TwoPow32Inv = 1.0f / 4294967296.0f;  // 2^-32
        internal const float TwoPow31Inv = 1.0f / 2147483648.0f;  // 2^-31
        internal const float TwoPi = 6.28318530717958647692f;
        private const float SqrtHalf = 0.707106781186547524f;
        private const float Ln2Hi = 0.693359375f;
        private const float Ln2Lo = -2.12194440e-4f;

        // ---------------------------------------------------------------- bits → uniform

        /// <summary>u = (x &gt;&gt; 8)·2⁻²⁴ ∈ [0, 1 − 2⁻²⁴]: the top 24 bits, exactly representable.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static float Uniform24(uint x) => (x >> 8) * TwoPow24Inv;

        /// <summary>u = float(x &amp; 0x7FFFFFFF)·2⁻³¹ + 2⁻³² ∈ (0, 1]: 31 bits, so the Box–Muller tail reaches 6.66σ.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static float UniformOpen31(uint x) => (float)(int)(x & 0x7FFFFFFFu) * TwoPow31Inv + TwoPow32Inv;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector<float> Uniform24(Vector<uint> x)
        {
#if NET8_0_OR_GREATER
            return Vector.ConvertToSingle(Vector.AsVectorInt32(Vector.ShiftRightLogical(x, 8))) * new Vector<float>(TwoPow24Inv);
#else
            // No vector shifts in netstandard2.1: the masked value has 24 significant bits, so
            // the unsigned conversion is exact and (x & ~0xFF)·2⁻³² equals (x >> 8)·2⁻²⁴ bit for bit.
            return Vector.ConvertToSingle(x & new Vector<uint>(0xFFFFFF00u)) * new Vector<float>(TwoPow32Inv);
#endif
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector<float> UniformOpen31(Vector<uint> x)
            => Vector.ConvertToSingle(Vector.AsVectorInt32(x & new Vector<uint>(0x7FFFFFFFu))) * new Vector<float>(TwoPow31Inv)
               + new Vector<float>(TwoPow32Inv);

        // ---------------------------------------------------------------- natural logarithm

        /// <summary>ln x for positive normal x (Cephes logf, about 1 ulp). Not defined for 0, negatives or NaN.</summary>
        internal static float Log(float x)
        {
            int bits = BitConverter.SingleToInt32Bits(x);
            float e = (float)(bits & 0x7F800000) * (1.0f / 8388608.0f) - 126.0f;
            float m = BitConverter.Int32BitsToSingle((bits & 0x007FFFFF) | 0x3F000000); // [0.5, 1)
            if (m < SqrtHalf) { e = e - 1.0f; m = m + m; }
            m = m - 1.0f;
            float z = m * m;
            float p = 7.0376836292E-2f;
            p = p * m + -1.1514610310E-1f;
            p = p * m + 1.1676998740E-1f;
            p = p * m + -1.2420140846E-1f;
            p = p * m + 1.4249322787E-1f;
            p = p * m + -1.6668057665E-1f;
            p = p * m + 2.0000714765E-1f;
            p = p * m + -2.4999993993E-1f;
            p = p * m + 3.3333331174E-1f;
            float y = p * m * z;
            y = y + Ln2Lo * e;
            y = y + -0.5f * z;
            float r = m + y;
            return r + Ln2Hi * e;
        }

        internal static Vector<float> Log(Vector<float> x)
        {
            Vector<int> bits = Vector.AsVectorInt32(x);
            Vector<float> e = Vector.ConvertToSingle(bits & new Vector<int>(0x7F800000)) * new Vector<float>(1.0f / 8388608.0f) - new Vector<float>(126.0f);
            Vector<float> m = Vector.AsVectorSingle((bits & new Vector<int>(0x007FFFFF)) | new Vector<int>(0x3F000000));
            Vector<int> small = Vector.LessThan(m, new Vector<float>(SqrtHalf));
            e = Vector.ConditionalSelect(small, e - Vector<float>.One, e);
            m = Vector.ConditionalSelect(small, m + m, m);
            m = m - Vector<float>.One;
            Vector<float> z = m * m;
            Vector<float> p = new Vector<float>(7.0376836292E-2f);
            p = p * m + new Vector<float>(-1.1514610310E-1f);
            p = p * m + new Vector<float>(1.1676998740E-1f);
            p = p * m + new Vector<float>(-1.2420140846E-1f);
            p = p * m + new Vector<float>(1.4249322787E-1f);
            p = p * m + new Vector<float>(-1.6668057665E-1f);
            p = p * m + new Vector<float>(2.0000714765E-1f);
            p = p * m + new Vector<float>(-2.4999993993E-1f);
            p = p * m + new Vector<float>(3.3333331174E-1f);
            Vector<float> y = p * m * z;
            y = y + new Vector<float>(Ln2Lo) * e;
            y = y + new Vector<float>(-0.5f) * z;
            Vector<float> r = m + y;
            return r + new Vector<float>(Ln2Hi) * e;
        }

        // ---------------------------------------------------------------- sin and cos of 2πu

        /// <summary>cos(2πu) and sin(2πu) for u ∈ [0, 1]. The quarter-turn reduction of u is exact.</summary>
        internal static void SinCos2Pi(float u, out float sin, out float cos)
        {
            int q = (int)(u * 4.0f + 0.5f);
            float r = u - (float)q * 0.25f;           // exact, |r| ≤ 1/8
            float t = r * TwoPi;                       // |t| ≤ π/4
            float z = t * t;
            float s = -1.9515295891E-4f * z + 8.3321608736E-3f;
            s = s * z + -1.6666654611E-1f;
            s = s * z * t + t;
            float c = 2.443315711809948E-5f * z + -1.388731625493765E-3f;
            c = c * z + 4.166664568298827E-2f;
            c = c * z * z + -0.5f * z;
            c = c + 1.0f;
            bool swap = (q & 1) != 0;
            float cs = swap ? s : c;
            float sn = swap ? c : s;
            cos = ((q + 1) & 2) != 0 ? -cs : cs;
            sin = (q & 2) != 0 ? -sn : sn;
        }

        internal static void SinCos2Pi(Vector<float> u, out Vector<float> sin, out Vector<float> cos)
        {
            Vector<int> q = Vector.ConvertToInt32(u * new Vector<float>(4.0f) + new Vector<float>(0.5f));
            Vector<float> r = u - Vector.ConvertToSingle(q) * new Vector<float>(0.25f);
            Vector<float> t = r * new Vector<float>(TwoPi);
            Vector<float> z = t * t;
            Vector<float> s = new Vector<float>(-1.9515295891E-4f) * z + new Vector<float>(8.3321608736E-3f);
            s = s * z + new Vector<float>(-1.6666654611E-1f);
            s = s * z * t + t;
            Vector<float> c = new Vector<float>(2.443315711809948E-5f) * z + new Vector<float>(-1.388731625493765E-3f);
            c = c * z + new Vector<float>(4.166664568298827E-2f);
            c = c * z * z + new Vector<float>(-0.5f) * z;
            c = c + Vector<float>.One;
            Vector<int> swap = Vector.Equals(q & Vector<int>.One, Vector<int>.One);
            Vector<float> cs = Vector.ConditionalSelect(swap, s, c);
            Vector<float> sn = Vector.ConditionalSelect(swap, c, s);
            Vector<int> two = new Vector<int>(2);
            cos = Vector.ConditionalSelect(Vector.Equals((q + Vector<int>.One) & two, two), -cs, cs);
            sin = Vector.ConditionalSelect(Vector.Equals(q & two, two), -sn, sn);
        }

        // ---------------------------------------------------------------- inverse error function

        /// <summary>erf⁻¹(t) for t ∈ [−1, 1]; ±∞ at ±1 (Giles' single-precision approximation, a few ulp).</summary>
        internal static float ErfInv(float t)
        {
            if (!(t > -1.0f && t < 1.0f)) return t >= 1.0f ? float.PositiveInfinity : float.NegativeInfinity;
            float w = -Log((1.0f - t) * (1.0f + t));
            float p;
            if (w < 5.0f)
            {
                float v = w - 2.5f;
                p = 2.81022636e-08f;
                p = 3.43273939e-07f + p * v;
                p = -3.5233877e-06f + p * v;
                p = -4.39150654e-06f + p * v;
                p = 0.00021858087f + p * v;
                p = -0.00125372503f + p * v;
                p = -0.00417768164f + p * v;
                p = 0.246640727f + p * v;
                p = 1.50140941f + p * v;
            }
            else
            {
                float v = MathF.Sqrt(w) - 3.0f;
                p = -0.000200214257f;
                p = 0.000100950558f + p * v;
                p = 0.00134934322f + p * v;
                p = -0.00367342844f + p * v;
                p = 0.00573950773f + p * v;
                p = -0.0076224613f + p * v;
                p = 0.00943887047f + p * v;
                p = 1.00167406f + p * v;
                p = 2.83297682f + p * v;
            }
            return p * t;
        }

        internal static Vector<float> ErfInv(Vector<float> t)
        {
            Vector<float> one = Vector<float>.One;
            Vector<int> inside = Vector.BitwiseAnd(Vector.GreaterThan(t, -one), Vector.LessThan(t, one));
            // Keep the log's argument positive on lanes that are replaced below.
            Vector<float> a = Vector.ConditionalSelect(inside, (one - t) * (one + t), one);
            Vector<float> w = -Log(a);
            Vector<float> v1 = w - new Vector<float>(2.5f);
            Vector<float> p1 = new Vector<float>(2.81022636e-08f);
            p1 = new Vector<float>(3.43273939e-07f) + p1 * v1;
            p1 = new Vector<float>(-3.5233877e-06f) + p1 * v1;
            p1 = new Vector<float>(-4.39150654e-06f) + p1 * v1;
            p1 = new Vector<float>(0.00021858087f) + p1 * v1;
            p1 = new Vector<float>(-0.00125372503f) + p1 * v1;
            p1 = new Vector<float>(-0.00417768164f) + p1 * v1;
            p1 = new Vector<float>(0.246640727f) + p1 * v1;
            p1 = new Vector<float>(1.50140941f) + p1 * v1;
            Vector<float> v2 = Vector.SquareRoot(w) - new Vector<float>(3.0f);
            Vector<float> p2 = new Vector<float>(-0.000200214257f);
            p2 = new Vector<float>(0.000100950558f) + p2 * v2;
            p2 = new Vector<float>(0.00134934322f) + p2 * v2;
            p2 = new Vector<float>(-0.00367342844f) + p2 * v2;
            p2 = new Vector<float>(0.00573950773f) + p2 * v2;
            p2 = new Vector<float>(-0.0076224613f) + p2 * v2;
            p2 = new Vector<float>(0.00943887047f) + p2 * v2;
            p2 = new Vector<float>(1.00167406f) + p2 * v2;
            p2 = new Vector<float>(2.83297682f) + p2 * v2;
            Vector<float> p = Vector.ConditionalSelect(Vector.LessThan(w, new Vector<float>(5.0f)), p1, p2);
            Vector<float> inf = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(t, one),
                new Vector<float>(float.PositiveInfinity), new Vector<float>(float.NegativeInfinity));
            return Vector.ConditionalSelect(inside, p * t, inf);
        }
    }
}
