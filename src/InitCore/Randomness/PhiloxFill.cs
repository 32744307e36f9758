using InitCore.Threading;

namespace InitCore.Randomness
{
    /// <summary>
    /// CPU twin of the Philox fill kernels. Element i of a fill that starts at Philox block B takes
    /// block B + ⌊i/4⌋, lane i mod 4 (see <see cref="Generator"/>), so the result does not depend on
    /// how the work is split: the fill runs in groups of 32 blocks (128 elements), chunks of groups go
    /// to threads, and each group computes its 32 blocks side by side (AVX-512 or AVX2 when present), applies the
    /// distribution with <see cref="Vector{T}"/> and stores the elements in index order.
    /// </summary>
    internal static unsafe class PhiloxFill
    {
        internal const int BlocksPerGroup = 32;
        internal const int ElementsPerGroup = BlocksPerGroup * 4;
        private const int GroupsPerChunk = 512;  // 64K elements, 256 KiB per task

        /// <summary>Fills <paramref name="destination"/> from the Philox stream described by <paramref name="counter"/>.</summary>
        internal static void Fill(Span<float> destination, in FillSpec spec, in PhiloxCounter counter, int threads)
            => Fill(destination, spec, counter.Seed, counter.Stream, counter.FirstBlock, threads);

        /// <summary>Fills <paramref name="destination"/> as one fill starting at block <paramref name="startBlock"/>.</summary>
        internal static void Fill(Span<float> destination, in FillSpec spec, ulong seed, ulong stream, ulong startBlock, int threads)
        {
            long n = destination.Length;
            if (n == 0) return;
            int groups = (int)((n + ElementsPerGroup - 1) / ElementsPerGroup);
            FillSpec s = spec;
            fixed (float* p = destination)
            {
                IntPtr address = (IntPtr)p;
                // Chunks of GroupsPerChunk groups; the element → Philox block map does not depend on them.
                CpuPartitioner.For(null, threads, groups, GroupsPerChunk,
                    (g0, g1) => FillGroups((float*)address, n, g0, g1, s, seed, stream, startBlock), workPerItem: ElementsPerGroup);
            }
        }

        private static void FillGroups(float* dst, long n, long g0, long g1, FillSpec spec, ulong seed, ulong stream, ulong startBlock)
        {
            uint* words = stackalloc uint[ElementsPerGroup];
            float* values = stackalloc float[ElementsPerGroup];
            var philox = new PhiloxStream(seed, stream);
            for (long g = g0; g < g1; g++)
            {
                ulong block0 = startBlock + (ulong)g * BlocksPerGroup;
                GenerateSoA(block0, philox.S0, philox.S1, philox.K0, philox.K1, words);
                Transform(spec, words, values);
                long first = g * ElementsPerGroup;
                long count = Math.Min(ElementsPerGroup, n - first);
                StoreInterleaved(values, dst + first, (int)count);
            }
        }

        /// <summary>Philox for blocks block0..block0+31; word l of block b lands at words[32l + b].</summary>
        internal static void GenerateSoA(ulong block0, uint s0, uint s1, uint k0, uint k1, uint* words)
        {
#if NET8_0_OR_GREATER
            if (Avx512F.IsSupported)
            {
                GenerateSoAAvx512(block0, s0, s1, k0, k1, words);
                return;
            }
            if (Avx2.IsSupported)
            {
                GenerateSoAAvx2(block0, s0, s1, k0, k1, words);
                GenerateSoAAvx2(block0 + 16, s0, s1, k0, k1, words + 16);
                return;
            }
#endif
            GenerateSoAScalar(block0, s0, s1, k0, k1, words);
        }

        /// <summary>
        /// The same group through one instruction set (0 scalar, 1 AVX2, 2 AVX-512), for tests that
        /// compare every path with the scalar one. Returns false when the machine or build lacks it.
        /// </summary>
        internal static bool GenerateSoAWith(int isa, ulong block0, uint s0, uint s1, uint k0, uint k1, uint* words)
        {
            switch (isa)
            {
                case 0:
                    GenerateSoAScalar(block0, s0, s1, k0, k1, words);
                    return true;
#if NET8_0_OR_GREATER
                case 1 when Avx2.IsSupported:
                    GenerateSoAAvx2(block0, s0, s1, k0, k1, words);
                    GenerateSoAAvx2(block0 + 16, s0, s1, k0, k1, words + 16);
                    return true;
                case 2 when Avx512F.IsSupported:
                    GenerateSoAAvx512(block0, s0, s1, k0, k1, words);
                    return true;
#endif
                default:
                    return false;
            }
        }

        private static void GenerateSoAScalar(ulong block0, uint s0, uint s1, uint k0, uint k1, uint* words)
        {
            PhiloxStream philox = PhiloxStream.FromWords(k0, k1, s0, s1);
            for (int b = 0; b < BlocksPerGroup; b++)
                philox.Block(block0 + (ulong)b, out words[b], out words[BlocksPerGroup + b], out words[2 * BlocksPerGroup + b], out words[3 * BlocksPerGroup + b]);
        }

#if NET8_0_OR_GREATER
        // Philox is a chain of dependent multiplies: one chain per vector leaves the multiplier idle
        // most of the time, so each kernel below runs two independent chains side by side.

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void MulHiLo(Vector256<uint> a, Vector256<uint> m, out Vector256<uint> hi, out Vector256<uint> lo)
        {
            // vpmuludq multiplies the even 32-bit lanes into 64-bit products; shift the odd lanes down for a second pass.
            Vector256<ulong> even = Avx2.Multiply(a, m);
            Vector256<ulong> odd = Avx2.Multiply(Avx2.ShiftRightLogical(a.AsUInt64(), 32).AsUInt32(), m);
            lo = Avx2.Blend(even.AsUInt32(), Avx2.ShiftLeftLogical(odd, 32).AsUInt32(), 0b10101010);
            hi = Avx2.Blend(Avx2.ShiftRightLogical(even, 32).AsUInt32(), odd.AsUInt32(), 0b10101010);
        }

        /// <summary>Blocks block0..block0+15 as two chains of 8; rows have stride 32 in <paramref name="words"/>.</summary>
        private static void GenerateSoAAvx2(ulong block0, uint s0, uint s1, uint k0, uint k1, uint* words)
        {
            Vector256<uint> a0 = default, a1 = default, b0 = default, b1 = default;
            CounterWords256(block0, ref a0, ref a1);
            CounterWords256(block0 + 8, ref b0, ref b1);
            Vector256<uint> a2 = Vector256.Create(s0), a3 = Vector256.Create(s1);
            Vector256<uint> b2 = a2, b3 = a3;
            Vector256<uint> m0 = Vector256.Create(Philox4x32.M0);
            Vector256<uint> m1 = Vector256.Create(Philox4x32.M1);
            uint key0 = k0, key1 = k1;
            for (int round = 0; round < Philox4x32.Rounds; round++)
            {
                if (round > 0) { key0 += Philox4x32.W0; key1 += Philox4x32.W1; }
                Vector256<uint> kv0 = Vector256.Create(key0), kv1 = Vector256.Create(key1);
                MulHiLo(a0, m0, out Vector256<uint> ahi0, out Vector256<uint> alo0);
                MulHiLo(b0, m0, out Vector256<uint> bhi0, out Vector256<uint> blo0);
                MulHiLo(a2, m1, out Vector256<uint> ahi1, out Vector256<uint> alo1);
                MulHiLo(b2, m1, out Vector256<uint> bhi1, out Vector256<uint> blo1);
                a0 = Avx2.Xor(Avx2.Xor(ahi1, a1), kv0);
                b0 = Avx2.Xor(Avx2.Xor(bhi1, b1), kv0);
                a2 = Avx2.Xor(Avx2.Xor(ahi0, a3), kv1);
                b2 = Avx2.Xor(Avx2.Xor(bhi0, b3), kv1);
                a1 = alo1; b1 = blo1; a3 = alo0; b3 = blo0;
            }
            Avx.Store(words, a0); Avx.Store(words + 8, b0);
            Avx.Store(words + 32, a1); Avx.Store(words + 40, b1);
            Avx.Store(words + 64, a2); Avx.Store(words + 72, b2);
            Avx.Store(words + 96, a3); Avx.Store(words + 104, b3);
        }

        private static void CounterWords256(ulong block0, ref Vector256<uint> lo, ref Vector256<uint> hi)
        {
            uint* l = stackalloc uint[8];
            uint* h = stackalloc uint[8];
            for (int b = 0; b < 8; b++)
            {
                ulong block = block0 + (ulong)b;
                l[b] = (uint)block;
                h[b] = (uint)(block >> 32);
            }
            lo = Avx.LoadVector256(l);
            hi = Avx.LoadVector256(h);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void MulHiLo(Vector512<uint> a, Vector512<uint> m, out Vector512<uint> hi, out Vector512<uint> lo)
        {
            Vector512<ulong> even = Avx512F.Multiply(a, m);
            Vector512<ulong> odd = Avx512F.Multiply(Avx512F.ShiftRightLogical(a.AsUInt64(), 32).AsUInt32(), m);
            Vector512<ulong> lowHalf = Vector512.Create(0x00000000FFFFFFFFUL);
            lo = Vector512.ConditionalSelect(lowHalf, even, Avx512F.ShiftLeftLogical(odd, 32)).AsUInt32();
            hi = Vector512.ConditionalSelect(lowHalf, Avx512F.ShiftRightLogical(even, 32), odd).AsUInt32();
        }

        /// <summary>Blocks block0..block0+31 as two chains of 16.</summary>
        private static void GenerateSoAAvx512(ulong block0, uint s0, uint s1, uint k0, uint k1, uint* words)
        {
            uint* l = stackalloc uint[32];
            uint* h = stackalloc uint[32];
            for (int b = 0; b < 32; b++)
            {
                ulong block = block0 + (ulong)b;
                l[b] = (uint)block;
                h[b] = (uint)(block >> 32);
            }
            Vector512<uint> a0 = Avx512F.LoadVector512(l), b0 = Avx512F.LoadVector512(l + 16);
            Vector512<uint> a1 = Avx512F.LoadVector512(h), b1 = Avx512F.LoadVector512(h + 16);
            Vector512<uint> a2 = Vector512.Create(s0), a3 = Vector512.Create(s1);
            Vector512<uint> b2 = a2, b3 = a3;
            Vector512<uint> m0 = Vector512.Create(Philox4x32.M0);
            Vector512<uint> m1 = Vector512.Create(Philox4x32.M1);
            uint key0 = k0, key1 = k1;
            for (int round = 0; round < Philox4x32.Rounds; round++)
            {
                if (round > 0) { key0 += Philox4x32.W0; key1 += Philox4x32.W1; }
                Vector512<uint> kv0 = Vector512.Create(key0), kv1 = Vector512.Create(key1);
                MulHiLo(a0, m0, out Vector512<uint> ahi0, out Vector512<uint> alo0);
                MulHiLo(b0, m0, out Vector512<uint> bhi0, out Vector512<uint> blo0);
                MulHiLo(a2, m1, out Vector512<uint> ahi1, out Vector512<uint> alo1);
                MulHiLo(b2, m1, out Vector512<uint> bhi1, out Vector512<uint> blo1);
                a0 = ahi1 ^ a1 ^ kv0;
                b0 = bhi1 ^ b1 ^ kv0;
                a2 = ahi0 ^ a3 ^ kv1;
                b2 = bhi0 ^ b3 ^ kv1;
                a1 = alo1; b1 = blo1; a3 = alo0; b3 = blo0;
            }
            Avx512F.Store(words, a0); Avx512F.Store(words + 16, b0);
            Avx512F.Store(words + 32, a1); Avx512F.Store(words + 48, b1);
            Avx512F.Store(words + 64, a2); Avx512F.Store(words + 80, b2);
            Avx512F.Store(words + 96, a3); Avx512F.Store(words + 112, b3);
        }
#endif

        private static bool VectorPath => Vector.IsHardwareAccelerated && BlocksPerGroup % Vector<float>.Count == 0;

        /// <summary>Applies the distribution to SoA words; values[32l + b] is element 4b + l of the group.</summary>
        internal static void Transform(in FillSpec spec, uint* words, float* values)
        {
            if (VectorPath) TransformVector(spec, words, values);
            else TransformScalar(spec, words, values);
        }

        internal static void TransformScalar(in FillSpec spec, uint* words, float* values)
        {
            switch (spec.Kind)
            {
                case FillKind.Uniform:
                    for (int i = 0; i < ElementsPerGroup; i++) values[i] = UniformValue(spec, words[i]);
                    break;
                case FillKind.Normal:
                    for (int pair = 0; pair < 2; pair++)
                    {
                        for (int b = 0; b < BlocksPerGroup; b++)
                        {
                            int i0 = 2 * BlocksPerGroup * pair + b, i1 = i0 + BlocksPerGroup;
                            NormalPair(spec, words[i0], words[i1], out values[i0], out values[i1]);
                        }
                    }
                    break;
                default:
                    for (int i = 0; i < ElementsPerGroup; i++) values[i] = TruncatedValue(spec, words[i]);
                    break;
            }
        }

        // The per-element formulas: the specification that the vector path and the CUDA kernels match.

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static float UniformValue(in FillSpec spec, uint x)
        {
            float v = RandomMath.Uniform24(x) * spec.P1 + spec.P0;
            return v > spec.P2 ? spec.P2 : v;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static void NormalPair(in FillSpec spec, uint xr, uint xa, out float first, out float second)
        {
            float u1 = RandomMath.UniformOpen31(xr);
            float u2 = RandomMath.Uniform24(xa);
            float r = MathF.Sqrt(-2.0f * RandomMath.Log(u1));
            RandomMath.SinCos2Pi(u2, out float sin, out float cos);
            first = r * cos * spec.P1 + spec.P0;
            second = r * sin * spec.P1 + spec.P0;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static float TruncatedValue(in FillSpec spec, uint x)
        {
            float t = RandomMath.Uniform24(x) * spec.P1 + spec.P0;
            float v = RandomMath.ErfInv(t) * spec.P2 + spec.P3;
            v = v < spec.P4 ? spec.P4 : v;
            return v > spec.P5 ? spec.P5 : v;
        }

        private static void TransformVector(in FillSpec spec, uint* words, float* values)
        {
            int w = Vector<float>.Count;
            switch (spec.Kind)
            {
                case FillKind.Uniform:
                {
                    var lo = new Vector<float>(spec.P0);
                    var width = new Vector<float>(spec.P1);
                    var hi = new Vector<float>(spec.P2);
                    for (int i = 0; i < ElementsPerGroup; i += w)
                    {
                        Vector<float> u = RandomMath.Uniform24(*(Vector<uint>*)(words + i));
                        Vector<float> v = u * width + lo;
                        Store(values + i, Vector.ConditionalSelect(Vector.GreaterThan(v, hi), hi, v));
                    }
                    break;
                }
                case FillKind.Normal:
                {
                    var mean = new Vector<float>(spec.P0);
                    var std = new Vector<float>(spec.P1);
                    for (int pair = 0; pair < 2; pair++)
                    {
                        for (int b = 0; b < BlocksPerGroup; b += w)
                        {
                            int i0 = 2 * BlocksPerGroup * pair + b, i1 = i0 + BlocksPerGroup;
                            Vector<float> u1 = RandomMath.UniformOpen31(*(Vector<uint>*)(words + i0));
                            Vector<float> u2 = RandomMath.Uniform24(*(Vector<uint>*)(words + i1));
                            Vector<float> r = Vector.SquareRoot(new Vector<float>(-2.0f) * RandomMath.Log(u1));
                            RandomMath.SinCos2Pi(u2, out Vector<float> sin, out Vector<float> cos);
                            Store(values + i0, r * cos * std + mean);
                            Store(values + i1, r * sin * std + mean);
                        }
                    }
                    break;
                }
                default:
                {
                    var tLo = new Vector<float>(spec.P0);
                    var tWidth = new Vector<float>(spec.P1);
                    var scale = new Vector<float>(spec.P2);
                    var mean = new Vector<float>(spec.P3);
                    var a = new Vector<float>(spec.P4);
                    var b = new Vector<float>(spec.P5);
                    for (int i = 0; i < ElementsPerGroup; i += w)
                    {
                        Vector<float> t = RandomMath.Uniform24(*(Vector<uint>*)(words + i)) * tWidth + tLo;
                        Vector<float> v = RandomMath.ErfInv(t) * scale + mean;
                        v = Vector.ConditionalSelect(Vector.LessThan(v, a), a, v);
                        v = Vector.ConditionalSelect(Vector.GreaterThan(v, b), b, v);
                        Store(values + i, v);
                    }
                    break;
                }
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store(float* p, Vector<float> v) => *(Vector<float>*)p = v;

        /// <summary>Writes SoA values back in element order: element 4b + l comes from values[32l + b].</summary>
        private static void StoreInterleaved(float* values, float* dst, int count)
        {
            if (count == ElementsPerGroup)
            {
#if NET8_0_OR_GREATER
                if (Avx.IsSupported)
                {
                    for (int set = 0; set < BlocksPerGroup; set += 8) Transpose4x8(values + set, dst + 4 * set);
                    return;
                }
#endif
                for (int b = 0; b < BlocksPerGroup; b++)
                {
                    float* d = dst + 4 * b;
                    d[0] = values[b];
                    d[1] = values[BlocksPerGroup + b];
                    d[2] = values[2 * BlocksPerGroup + b];
                    d[3] = values[3 * BlocksPerGroup + b];
                }
                return;
            }
            for (int i = 0; i < count; i++) dst[i] = values[BlocksPerGroup * (i & 3) + (i >> 2)];
        }

#if NET8_0_OR_GREATER
        /// <summary>Rows l = 0..3 (stride 32) of 8 blocks → 8 blocks of 4 lanes, 32 contiguous floats.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Transpose4x8(float* rows, float* dst)
        {
            Vector256<float> r0 = Avx.LoadVector256(rows), r1 = Avx.LoadVector256(rows + BlocksPerGroup);
            Vector256<float> r2 = Avx.LoadVector256(rows + 2 * BlocksPerGroup), r3 = Avx.LoadVector256(rows + 3 * BlocksPerGroup);
            Vector256<float> t0 = Avx.UnpackLow(r0, r1);   // b0l0 b0l1 b1l0 b1l1 | b4l0 b4l1 b5l0 b5l1
            Vector256<float> t1 = Avx.UnpackHigh(r0, r1);  // b2l0 b2l1 b3l0 b3l1 | b6 .. b7 ..
            Vector256<float> t2 = Avx.UnpackLow(r2, r3);   // b0l2 b0l3 b1l2 b1l3 | b4 .. b5 ..
            Vector256<float> t3 = Avx.UnpackHigh(r2, r3);
            Vector256<float> u0 = Avx.Shuffle(t0, t2, 0b01_00_01_00); // b0 | b4
            Vector256<float> u1 = Avx.Shuffle(t0, t2, 0b11_10_11_10); // b1 | b5
            Vector256<float> u2 = Avx.Shuffle(t1, t3, 0b01_00_01_00); // b2 | b6
            Vector256<float> u3 = Avx.Shuffle(t1, t3, 0b11_10_11_10); // b3 | b7
            Avx.Store(dst, Avx.Permute2x128(u0, u1, 0x20));       // b0 b1
            Avx.Store(dst + 8, Avx.Permute2x128(u2, u3, 0x20));   // b2 b3
            Avx.Store(dst + 16, Avx.Permute2x128(u0, u1, 0x31));  // b4 b5
            Avx.Store(dst + 24, Avx.Permute2x128(u2, u3, 0x31));  // b6 b7
        }
#endif
    }
}
