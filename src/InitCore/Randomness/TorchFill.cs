namespace InitCore.Randomness
{
    /// <summary>
    /// PyTorch 1.13's CPU fills for float32 tensors, drawn from a <see cref="TorchGenerator"/>:
    /// uniform_, normal_ (both paths) and torch.nn.init.trunc_normal_. The caller holds the
    /// generator's lock.
    /// </summary>
    internal static class TorchFill
    {
        private const float TwoPow24Inverse = 1f / 16777216f;
        private const int WordBatch = 512;

        internal static void Fill(TorchGenerator generator, Span<float> destination, in FillSpec spec)
        {
            switch (spec.Kind)
            {
                case FillKind.Uniform:
                    Uniform(generator, destination, spec.D0, spec.D1);
                    break;
                case FillKind.Normal:
                    Normal(generator, destination, spec.D0, spec.D1);
                    break;
                case FillKind.TruncatedNormal:
                    TruncatedNormal(generator, destination, spec.D0, spec.D1, spec.D2, spec.D3);
                    break;
                default:
                    throw new ArgumentOutOfRangeException(nameof(spec), spec.Kind, "Unknown fill kind.");
            }
        }

        /// <summary>
        /// tensor.uniform_(a, b): from = (float)a, to = (float)b, and per element, in order,
        /// u = (x ∧ 0xFFFFFF)·2⁻²⁴ from one 32-bit draw x, value = fma(u, to − from, from).
        /// </summary>
        internal static void Uniform(TorchGenerator generator, Span<float> destination, double a, double b)
        {
            float from = (float)a, to = (float)b;
            float width = to - from;
            Span<uint> words = stackalloc uint[WordBatch];
            for (int start = 0; start < destination.Length; start += WordBatch)
            {
                Span<float> part = destination.Slice(start, Math.Min(WordBatch, destination.Length - start));
                Span<uint> w = words.Slice(0, part.Length);
                generator.NextUInt32s(w);
                for (int i = 0; i < part.Length; i++) part[i] = TorchMath.Fma((w[i] & 0xFFFFFF) * TwoPow24Inverse, width, from);
            }
        }

        /// <summary>
        /// tensor.normal_(mean, std). With 16 or more elements: the AVX2 kernel (uniforms for all
        /// elements, Box–Muller on each full 16-element chunk, then 16 fresh uniforms and Box–Muller
        /// again for the last 16 elements when the size is not a multiple of 16). With fewer: the
        /// double-precision Box–Muller one element at a time, whose sine half is cached in the generator.
        /// </summary>
        internal static void Normal(TorchGenerator generator, Span<float> destination, double mean, double std)
        {
            int n = destination.Length;
            if (n >= 16)
            {
                float m = (float)mean, s = (float)std;
                FillUnit(generator, destination);
                BoxMullerChunks(destination.Slice(0, n - n % 16), m, s);
                if (n % 16 != 0)
                {
                    Span<float> tail = destination.Slice(n - 16);
                    FillUnit(generator, tail);
                    BoxMullerChunks(tail, m, s);
                }
            }
            else
            {
                for (int i = 0; i < n; i++) destination[i] = (float)generator.NextNormal(mean, std);
            }
        }

        /// <summary>
        /// torch.nn.init.trunc_normal_(tensor, mean, std, a, b): l = Φ((a − mean)/std) and
        /// u = Φ((b − mean)/std) with Φ(x) = (1 + erf(x/√2))/2 in double; uniform_(2l − 1, 2u − 1);
        /// erfinv_; mul_(std·√2); add_(mean); clamp_(a, b), each on float32.
        /// </summary>
        internal static void TruncatedNormal(TorchGenerator generator, Span<float> destination, double mean, double std, double a, double b)
        {
            double l = NormCdf((a - mean) / std);
            double u = NormCdf((b - mean) / std);
            Uniform(generator, destination, 2 * l - 1, 2 * u - 1);
            float scale = (float)(std * 1.4142135623730951);
            float shift = (float)mean;
            float lo = (float)a, hi = (float)b;
            for (int i = 0; i < destination.Length; i++)
            {
                float v = TorchMath.ErfInvF(destination[i]) * scale + shift;
                v = lo > v ? lo : v;
                destination[i] = hi < v ? hi : v;
            }
        }

        /// <summary>torch.nn.init's norm_cdf: (1 + math.erf(x / math.sqrt(2))) / 2.</summary>
        internal static double NormCdf(double x) => (1.0 + TorchMath.Erf(x / 1.4142135623730951)) / 2.0;

        /// <summary>uniform_(0, 1) as normal_ draws it: (x ∧ 0xFFFFFF)·2⁻²⁴ per element.</summary>
        private static void FillUnit(TorchGenerator generator, Span<float> destination)
        {
            Span<uint> words = stackalloc uint[WordBatch];
            for (int start = 0; start < destination.Length; start += WordBatch)
            {
                Span<float> part = destination.Slice(start, Math.Min(WordBatch, destination.Length - start));
                Span<uint> w = words.Slice(0, part.Length);
                generator.NextUInt32s(w);
                for (int i = 0; i < part.Length; i++) part[i] = (w[i] & 0xFFFFFF) * TwoPow24Inverse;
            }
        }

        /// <summary>Box–Muller on consecutive 16-element chunks (the length is a multiple of 16).</summary>
        internal static void BoxMullerChunks(Span<float> data, float mean, float std)
        {
#if NET8_0_OR_GREATER
            if (Avx2.IsSupported && Fma.IsSupported)
            {
                BoxMullerChunksAvx2(data, mean, std);
                return;
            }
#endif
            for (int i = 0; i + 16 <= data.Length; i += 16) TorchMath.BoxMuller16(data.Slice(i, 16), mean, std);
        }

#if NET8_0_OR_GREATER
        // The same operations as TorchMath.BoxMuller16, eight lanes at a time, in the order of
        // PyTorch's normal_fill_16_AVX2 (the scalar path gives identical bits).
        private static unsafe void BoxMullerChunksAvx2(Span<float> data, float mean, float std)
        {
            Vector256<float> meanV = Vector256.Create(mean), stdV = Vector256.Create(std);
            Vector256<float> one = Vector256.Create(1f), minusTwo = Vector256.Create(-2f), twoPi = Vector256.Create(TorchMath.TwoPi);
            fixed (float* p = data)
            {
                for (int i = 0; i + 16 <= data.Length; i += 16)
                {
                    float* d = p + i;
                    Vector256<float> u1 = Avx.Subtract(one, Avx.LoadVector256(d));
                    Vector256<float> u2 = Avx.LoadVector256(d + 8);
                    Vector256<float> radius = Avx.Sqrt(Avx.Multiply(minusTwo, Log(u1)));
                    SinCos(Avx.Multiply(twoPi, u2), out Vector256<float> sin, out Vector256<float> cos);
                    Avx.Store(d, Fma.MultiplyAdd(Avx.Multiply(radius, cos), stdV, meanV));
                    Avx.Store(d + 8, Fma.MultiplyAdd(Avx.Multiply(radius, sin), stdV, meanV));
                }
            }
        }

        private static Vector256<float> Log(Vector256<float> x)
        {
            Vector256<float> one = Vector256.Create(1f);
            Vector256<float> invalid = Avx.Compare(x, Vector256<float>.Zero, FloatComparisonMode.OrderedLessThanOrEqualSignaling);
            x = Avx.Max(x, Vector256.Create(TorchMath.MinNormPos));
            Vector256<int> exponent = Avx2.ShiftRightLogical(x.AsInt32(), 23);
            x = Avx.And(x, Vector256.Create(~0x7f800000).AsSingle());
            x = Avx.Or(x, Vector256.Create(0.5f));
            exponent = Avx2.Subtract(exponent, Vector256.Create(0x7f));
            Vector256<float> e = Avx.Add(Avx.ConvertToVector256Single(exponent), one);
            Vector256<float> below = Avx.Compare(x, Vector256.Create(TorchMath.SqrtHalf), FloatComparisonMode.OrderedLessThanSignaling);
            Vector256<float> tmp = Avx.And(x, below);
            x = Avx.Subtract(x, one);
            e = Avx.Subtract(e, Avx.And(one, below));
            x = Avx.Add(x, tmp);
            Vector256<float> z = Avx.Multiply(x, x);
            Vector256<float> y = Fma.MultiplyAdd(Vector256.Create(TorchMath.LogP0), x, Vector256.Create(TorchMath.LogP1));
            y = Fma.MultiplyAdd(y, x, Vector256.Create(TorchMath.LogP2));
            y = Fma.MultiplyAdd(y, x, Vector256.Create(TorchMath.LogP3));
            y = Fma.MultiplyAdd(y, x, Vector256.Create(TorchMath.LogP4));
            y = Fma.MultiplyAdd(y, x, Vector256.Create(TorchMath.LogP5));
            y = Fma.MultiplyAdd(y, x, Vector256.Create(TorchMath.LogP6));
            y = Fma.MultiplyAdd(y, x, Vector256.Create(TorchMath.LogP7));
            y = Fma.MultiplyAdd(y, x, Vector256.Create(TorchMath.LogP8));
            y = Avx.Multiply(y, x);
            y = Fma.MultiplyAdd(y, z, Avx.Multiply(e, Vector256.Create(TorchMath.LogQ1)));
            y = Fma.MultiplyAddNegated(z, Vector256.Create(0.5f), y);
            x = Avx.Add(x, y);
            x = Fma.MultiplyAdd(e, Vector256.Create(TorchMath.LogQ2), x);
            return Avx.Or(x, invalid);
        }

        private static void SinCos(Vector256<float> x, out Vector256<float> sin, out Vector256<float> cos)
        {
            Vector256<float> signMask = Vector256.Create(unchecked((int)0x80000000)).AsSingle();
            Vector256<float> signSin = Avx.And(x, signMask);
            x = Avx.AndNot(signMask, x);
            Vector256<int> j = Avx.ConvertToVector256Int32WithTruncation(Avx.Multiply(x, Vector256.Create(TorchMath.FourOverPi)));
            j = Avx2.And(Avx2.Add(j, Vector256.Create(1)), Vector256.Create(~1));
            Vector256<float> y = Avx.ConvertToVector256Single(j);
            Vector256<int> swapSin = Avx2.ShiftLeftLogical(Avx2.And(j, Vector256.Create(4)), 29);
            Vector256<float> firstPoly = Avx2.CompareEqual(Avx2.And(j, Vector256.Create(2)), Vector256<int>.Zero).AsSingle();
            x = Fma.MultiplyAdd(y, Vector256.Create(TorchMath.MinusDp1), x);
            x = Fma.MultiplyAdd(y, Vector256.Create(TorchMath.MinusDp2), x);
            x = Fma.MultiplyAdd(y, Vector256.Create(TorchMath.MinusDp3), x);
            Vector256<int> signCos = Avx2.ShiftLeftLogical(Avx2.AndNot(Avx2.Subtract(j, Vector256.Create(2)), Vector256.Create(4)), 29);
            signSin = Avx.Xor(signSin, swapSin.AsSingle());
            Vector256<float> z = Avx.Multiply(x, x);

            Vector256<float> yc = Fma.MultiplyAdd(Vector256.Create(TorchMath.CosP0), z, Vector256.Create(TorchMath.CosP1));
            yc = Fma.MultiplyAdd(yc, z, Vector256.Create(TorchMath.CosP2));
            Vector256<float> halfZ = Avx.Multiply(z, Vector256.Create(0.5f));
            yc = Avx.Multiply(yc, z);
            yc = Fma.MultiplySubtract(yc, z, halfZ);
            yc = Avx.Add(yc, Vector256.Create(1f));

            Vector256<float> ys = Fma.MultiplyAdd(Vector256.Create(TorchMath.SinP0), z, Vector256.Create(TorchMath.SinP1));
            ys = Fma.MultiplyAdd(ys, z, Vector256.Create(TorchMath.SinP2));
            ys = Avx.Multiply(ys, z);
            ys = Fma.MultiplyAdd(ys, x, x);

            Vector256<float> sin2 = Avx.And(firstPoly, ys);
            Vector256<float> sin1 = Avx.AndNot(firstPoly, yc);
            Vector256<float> restS = Avx.Subtract(ys, sin2);
            Vector256<float> restC = Avx.Subtract(yc, sin1);
            sin = Avx.Xor(Avx.Add(sin1, sin2), signSin);
            cos = Avx.Xor(Avx.Add(restS, restC), signCos.AsSingle());
        }
#endif
    }
}
