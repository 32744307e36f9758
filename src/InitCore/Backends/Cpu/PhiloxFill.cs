using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
#endif

namespace InitCore.Backends.Cpu
{
    /// <summary>
    /// CPU twin of the Philox fill kernels. Element i of a fill that starts at Philox block B takes
    /// block B + ⌊i/4⌋, lane i mod 4 (see <see cref="Generator"/>), so the result does not depend on
    /// how the work is split: the fill runs in groups of 8 blocks (32 elements), chunks of groups go
    /// to threads, and each group computes its 8 blocks side by side (AVX2 when present), applies the
    /// distribution with <see cref="Vector{T}"/> and stores the elements in index order.
    /// </summary>
    internal static unsafe class PhiloxFill
    {
        internal const int BlocksPerGroup = 8;
        internal const int ElementsPerGroup = BlocksPerGroup * 4;
        private const int GroupsPerChunk = 2048;  // 64K elements, 256 KiB per task

        /// <summary>Fills <paramref name="destination"/> as one fill starting at block <paramref name="startBlock"/>.</summary>
        internal static void Fill(Span<float> destination, in FillSpec spec, ulong seed, ulong stream, ulong startBlock, int threads)
        {
            long n = destination.Length;
            if (n == 0) return;
            long groups = (n + ElementsPerGroup - 1) / ElementsPerGroup;
            long chunks = (groups + GroupsPerChunk - 1) / GroupsPerChunk;
            FillSpec s = spec;
            fixed (float* p = destination)
            {
                float* basePtr = p;
                if (chunks == 1 || threads <= 1)
                {
                    FillGroups(basePtr, n, 0, groups, s, seed, stream, startBlock);
                    return;
                }
                var options = new ParallelOptions { MaxDegreeOfParallelism = threads };
                IntPtr address = (IntPtr)basePtr;
                Parallel.For(0L, chunks, options, c =>
                {
                    long g0 = c * GroupsPerChunk;
                    long g1 = Math.Min(groups, g0 + GroupsPerChunk);
                    FillGroups((float*)address, n, g0, g1, s, seed, stream, startBlock);
                });
            }
        }

        private static void FillGroups(float* dst, long n, long g0, long g1, FillSpec spec, ulong seed, ulong stream, ulong startBlock)
        {
            uint* words = stackalloc uint[ElementsPerGroup];
            float* values = stackalloc float[ElementsPerGroup];
            uint k0 = (uint)seed, k1 = (uint)(seed >> 32);
            uint s0 = (uint)stream, s1 = (uint)(stream >> 32);
            for (long g = g0; g < g1; g++)
            {
                ulong block0 = startBlock + (ulong)g * BlocksPerGroup;
                GenerateSoA(block0, s0, s1, k0, k1, words);
                Transform(spec, words, values);
                long first = g * ElementsPerGroup;
                long count = Math.Min(ElementsPerGroup, n - first);
                StoreInterleaved(values, dst + first, (int)count);
            }
        }

        /// <summary>Philox for blocks block0..block0+7; word l of block b lands at words[8l + b].</summary>
        internal static void GenerateSoA(ulong block0, uint s0, uint s1, uint k0, uint k1, uint* words)
        {
#if NET8_0_OR_GREATER
            if (Avx2.IsSupported)
            {
                GenerateSoAAvx2(block0, s0, s1, k0, k1, words);
                return;
            }
#endif
            for (int b = 0; b < BlocksPerGroup; b++)
            {
                ulong block = block0 + (ulong)b;
                Philox4x32.Block((uint)block, (uint)(block >> 32), s0, s1, k0, k1,
                    out words[b], out words[8 + b], out words[16 + b], out words[24 + b]);
            }
        }

#if NET8_0_OR_GREATER
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void MulHiLo(Vector256<uint> a, Vector256<uint> m, out Vector256<uint> hi, out Vector256<uint> lo)
        {
            // vpmuludq multiplies the even 32-bit lanes into 64-bit products; shift the odd lanes down for a second pass.
            Vector256<ulong> even = Avx2.Multiply(a, m);
            Vector256<ulong> odd = Avx2.Multiply(Avx2.ShiftRightLogical(a.AsUInt64(), 32).AsUInt32(), m);
            lo = Avx2.Blend(even.AsUInt32(), Avx2.ShiftLeftLogical(odd, 32).AsUInt32(), 0b10101010);
            hi = Avx2.Blend(Avx2.ShiftRightLogical(even, 32).AsUInt32(), odd.AsUInt32(), 0b10101010);
        }

        private static void GenerateSoAAvx2(ulong block0, uint s0, uint s1, uint k0, uint k1, uint* words)
        {
            uint* lo = stackalloc uint[8];
            uint* hi = stackalloc uint[8];
            for (int b = 0; b < 8; b++)
            {
                ulong block = block0 + (ulong)b;
                lo[b] = (uint)block;
                hi[b] = (uint)(block >> 32);
            }
            Vector256<uint> c0 = Avx.LoadVector256(lo);
            Vector256<uint> c1 = Avx.LoadVector256(hi);
            Vector256<uint> c2 = Vector256.Create(s0);
            Vector256<uint> c3 = Vector256.Create(s1);
            Vector256<uint> m0 = Vector256.Create(Philox4x32.M0);
            Vector256<uint> m1 = Vector256.Create(Philox4x32.M1);
            uint key0 = k0, key1 = k1;
            for (int round = 0; round < Philox4x32.Rounds; round++)
            {
                if (round > 0) { key0 += Philox4x32.W0; key1 += Philox4x32.W1; }
                MulHiLo(c0, m0, out Vector256<uint> hi0, out Vector256<uint> lo0);
                MulHiLo(c2, m1, out Vector256<uint> hi1, out Vector256<uint> lo1);
                Vector256<uint> n0 = Avx2.Xor(Avx2.Xor(hi1, c1), Vector256.Create(key0));
                Vector256<uint> n2 = Avx2.Xor(Avx2.Xor(hi0, c3), Vector256.Create(key1));
                c0 = n0; c1 = lo1; c2 = n2; c3 = lo0;
            }
            Avx.Store(words, c0);
            Avx.Store(words + 8, c1);
            Avx.Store(words + 16, c2);
            Avx.Store(words + 24, c3);
        }
#endif

        private static bool VectorPath => Vector.IsHardwareAccelerated && (Vector<float>.Count == 4 || Vector<float>.Count == 8);

        /// <summary>Applies the distribution to SoA words; values[8l + b] is element 4b + l of the group.</summary>
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
                            int i0 = 16 * pair + b, i1 = i0 + 8;
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
        internal static float UniformValue(in FillSpec spec, uint x) => RandomMath.Uniform24(x) * spec.P1 + spec.P0;

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
                    for (int i = 0; i < ElementsPerGroup; i += w)
                    {
                        Vector<float> u = RandomMath.Uniform24(*(Vector<uint>*)(words + i));
                        Store(values + i, u * width + lo);
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
                            int i0 = 16 * pair + b, i1 = i0 + 8;
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

        /// <summary>Writes SoA values back in element order: element 4b + l comes from values[8l + b].</summary>
        private static void StoreInterleaved(float* values, float* dst, int count)
        {
            if (count == ElementsPerGroup)
            {
#if NET8_0_OR_GREATER
                if (Avx.IsSupported)
                {
                    // 4×8 transpose: rows l = 0..3 of 8 blocks → 8 blocks of 4 lanes.
                    Vector256<float> r0 = Avx.LoadVector256(values), r1 = Avx.LoadVector256(values + 8);
                    Vector256<float> r2 = Avx.LoadVector256(values + 16), r3 = Avx.LoadVector256(values + 24);
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
                    return;
                }
#endif
                for (int b = 0; b < BlocksPerGroup; b++)
                {
                    float* d = dst + 4 * b;
                    d[0] = values[b]; d[1] = values[8 + b]; d[2] = values[16 + b]; d[3] = values[24 + b];
                }
                return;
            }
            for (int i = 0; i < count; i++) dst[i] = values[8 * (i & 3) + (i >> 2)];
        }
    }
}
