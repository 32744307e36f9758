namespace InitCore.Backends.Cpu
{
    // The micro-kernels, one per instruction set (scalar 4×4, portable Vector<float> 6×2W, AVX2+FMA 6×16, AVX-512 12×32).
    // This file is long on purpose: each kernel unrolls its register tile by hand for its ISA, so the kernels repeat
    // one another's shape; folding them into one generic kernel would cost the register allocation they exist for.
    internal static unsafe partial class CpuGemm
    {
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Kernel(Isa isa, int kc, float* a, float* b, long ldb, float* c, long ldc, float alpha, float beta)
        {
#if NET8_0_OR_GREATER
            if (isa == Isa.Avx512)
            {
                Kernel12x32Avx512(kc, a, b, ldb, c, ldc, alpha, beta);
                return;
            }
            if (isa == Isa.Avx2Fma)
            {
                Kernel6x16Fma(kc, a, b, ldb, c, ldc, alpha, beta);
                return;
            }
#endif
            if (isa == Isa.Portable)
            {
                Kernel6xPortable(kc, a, b, ldb, c, ldc, alpha, beta);
                return;
            }
            Kernel4x4Scalar(kc, a, b, ldb, c, ldc, alpha, beta);
        }

        /// <summary>4×4 tile in 16 float locals, for runtimes without SIMD.</summary>
        [MethodImpl(Jit.Hot)]
        private static void Kernel4x4Scalar(int kc, float* a, float* b, long ldb, float* c, long ldc, float alpha, float beta)
        {
            float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
            float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
            for (int p = 0; p < kc; p++, a += 4, b += ldb)
            {
                float b0 = b[0], b1 = b[1], b2 = b[2], b3 = b[3];
                float x = a[0];
                c00 += x * b0; c01 += x * b1; c02 += x * b2; c03 += x * b3;
                x = a[1];
                c10 += x * b0; c11 += x * b1; c12 += x * b2; c13 += x * b3;
                x = a[2];
                c20 += x * b0; c21 += x * b1; c22 += x * b2; c23 += x * b3;
                x = a[3];
                c30 += x * b0; c31 += x * b1; c32 += x * b2; c33 += x * b3;
            }
            StoreScalar(c, c00, c01, c02, c03, alpha, beta);
            StoreScalar(c + ldc, c10, c11, c12, c13, alpha, beta);
            StoreScalar(c + 2 * ldc, c20, c21, c22, c23, alpha, beta);
            StoreScalar(c + 3 * ldc, c30, c31, c32, c33, alpha, beta);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreScalar(float* c, float x0, float x1, float x2, float x3, float alpha, float beta)
        {
            if (beta == 0f)
            {
                c[0] = x0 * alpha; c[1] = x1 * alpha; c[2] = x2 * alpha; c[3] = x3 * alpha;
            }
            else
            {
                c[0] = x0 * alpha + beta * c[0]; c[1] = x1 * alpha + beta * c[1];
                c[2] = x2 * alpha + beta * c[2]; c[3] = x3 * alpha + beta * c[3];
            }
        }

        /// <summary>6×2·W tile: C = alpha·Σ a·b + beta·C over <paramref name="kc"/> packed steps (beta 0 never reads C).</summary>
        [MethodImpl(Jit.Hot)]
        private static void Kernel6xPortable(int kc, float* a, float* b, long ldb, float* c, long ldc, float alpha, float beta)
        {
            Vector<float> c0_0 = default; Vector<float> c0_1 = default;
            Vector<float> c1_0 = default; Vector<float> c1_1 = default;
            Vector<float> c2_0 = default; Vector<float> c2_1 = default;
            Vector<float> c3_0 = default; Vector<float> c3_1 = default;
            Vector<float> c4_0 = default; Vector<float> c4_1 = default;
            Vector<float> c5_0 = default; Vector<float> c5_1 = default;
            int W = Vector<float>.Count;
            for (int p = 0; p < kc; p++)
            {
                Vector<float> b0 = *(Vector<float>*)(b);
                Vector<float> b1 = *(Vector<float>*)(b + 1 * W);
                Vector<float> x;
                x = new Vector<float>(a[0]); c0_0 = c0_0 + x * b0; c0_1 = c0_1 + x * b1;
                x = new Vector<float>(a[1]); c1_0 = c1_0 + x * b0; c1_1 = c1_1 + x * b1;
                x = new Vector<float>(a[2]); c2_0 = c2_0 + x * b0; c2_1 = c2_1 + x * b1;
                x = new Vector<float>(a[3]); c3_0 = c3_0 + x * b0; c3_1 = c3_1 + x * b1;
                x = new Vector<float>(a[4]); c4_0 = c4_0 + x * b0; c4_1 = c4_1 + x * b1;
                x = new Vector<float>(a[5]); c5_0 = c5_0 + x * b0; c5_1 = c5_1 + x * b1;
                a += 6;
                b += ldb;
            }
            Store(c + 0 * ldc, c0_0, c0_1, alpha, beta);
            Store(c + 1 * ldc, c1_0, c1_1, alpha, beta);
            Store(c + 2 * ldc, c2_0, c2_1, alpha, beta);
            Store(c + 3 * ldc, c3_0, c3_1, alpha, beta);
            Store(c + 4 * ldc, c4_0, c4_1, alpha, beta);
            Store(c + 5 * ldc, c5_0, c5_1, alpha, beta);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store(float* c, Vector<float> x0, Vector<float> x1, float alpha, float beta)
        {
            int w = Vector<float>.Count;
            var va = new Vector<float>(alpha);
            if (beta == 0f)
            {
                *(Vector<float>*)c = x0 * va;
                *(Vector<float>*)(c + w) = x1 * va;
            }
            else if (beta == 1f)
            {
                *(Vector<float>*)c = x0 * va + *(Vector<float>*)c;
                *(Vector<float>*)(c + w) = x1 * va + *(Vector<float>*)(c + w);
            }
            else
            {
                var vb = new Vector<float>(beta);
                *(Vector<float>*)c = x0 * va + vb * *(Vector<float>*)c;
                *(Vector<float>*)(c + w) = x1 * va + vb * *(Vector<float>*)(c + w);
            }
        }

#if NET8_0_OR_GREATER
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store(float* c, Vector256<float> x0, Vector256<float> x1, float alpha, float beta)
        {
            Vector256<float> va = Vector256.Create(alpha);
            if (beta == 0f)
            {
                Avx.Store(c, Avx.Multiply(x0, va));
                Avx.Store(c + 8, Avx.Multiply(x1, va));
            }
            else if (beta == 1f)
            {
                Avx.Store(c, Avx.Add(Avx.Multiply(x0, va), Avx.LoadVector256(c)));
                Avx.Store(c + 8, Avx.Add(Avx.Multiply(x1, va), Avx.LoadVector256(c + 8)));
            }
            else
            {
                Vector256<float> vb = Vector256.Create(beta);
                Avx.Store(c, Avx.Add(Avx.Multiply(x0, va), Avx.Multiply(vb, Avx.LoadVector256(c))));
                Avx.Store(c + 8, Avx.Add(Avx.Multiply(x1, va), Avx.Multiply(vb, Avx.LoadVector256(c + 8))));
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store(float* c, Vector512<float> x0, Vector512<float> x1, float alpha, float beta)
        {
            Vector512<float> va = Vector512.Create(alpha);
            if (beta == 0f)
            {
                Avx512F.Store(c, Avx512F.Multiply(x0, va));
                Avx512F.Store(c + 16, Avx512F.Multiply(x1, va));
            }
            else if (beta == 1f)
            {
                Avx512F.Store(c, Avx512F.Add(Avx512F.Multiply(x0, va), Avx512F.LoadVector512(c)));
                Avx512F.Store(c + 16, Avx512F.Add(Avx512F.Multiply(x1, va), Avx512F.LoadVector512(c + 16)));
            }
            else
            {
                Vector512<float> vb = Vector512.Create(beta);
                Avx512F.Store(c, Avx512F.Add(Avx512F.Multiply(x0, va), Avx512F.Multiply(vb, Avx512F.LoadVector512(c))));
                Avx512F.Store(c + 16, Avx512F.Add(Avx512F.Multiply(x1, va), Avx512F.Multiply(vb, Avx512F.LoadVector512(c + 16))));
            }
        }

        /// <summary>12×32 tile: C = alpha·Σ a·b + beta·C over <paramref name="kc"/> packed steps (beta 0 never reads C).</summary>
        [MethodImpl(Jit.Hot)]
        private static void Kernel12x32Avx512(int kc, float* a, float* b, long ldb, float* c, long ldc, float alpha, float beta)
        {
            Vector512<float> c0_0 = default; Vector512<float> c0_1 = default;
            Vector512<float> c1_0 = default; Vector512<float> c1_1 = default;
            Vector512<float> c2_0 = default; Vector512<float> c2_1 = default;
            Vector512<float> c3_0 = default; Vector512<float> c3_1 = default;
            Vector512<float> c4_0 = default; Vector512<float> c4_1 = default;
            Vector512<float> c5_0 = default; Vector512<float> c5_1 = default;
            Vector512<float> c6_0 = default; Vector512<float> c6_1 = default;
            Vector512<float> c7_0 = default; Vector512<float> c7_1 = default;
            Vector512<float> c8_0 = default; Vector512<float> c8_1 = default;
            Vector512<float> c9_0 = default; Vector512<float> c9_1 = default;
            Vector512<float> c10_0 = default; Vector512<float> c10_1 = default;
            Vector512<float> c11_0 = default; Vector512<float> c11_1 = default;
            const int W = 16;
            Sse.Prefetch0(c + 0 * ldc + 0); Sse.Prefetch0(c + 0 * ldc + 16); Sse.Prefetch0(c + 0 * ldc + 31);
            Sse.Prefetch0(c + 1 * ldc + 0); Sse.Prefetch0(c + 1 * ldc + 16); Sse.Prefetch0(c + 1 * ldc + 31);
            Sse.Prefetch0(c + 2 * ldc + 0); Sse.Prefetch0(c + 2 * ldc + 16); Sse.Prefetch0(c + 2 * ldc + 31);
            Sse.Prefetch0(c + 3 * ldc + 0); Sse.Prefetch0(c + 3 * ldc + 16); Sse.Prefetch0(c + 3 * ldc + 31);
            Sse.Prefetch0(c + 4 * ldc + 0); Sse.Prefetch0(c + 4 * ldc + 16); Sse.Prefetch0(c + 4 * ldc + 31);
            Sse.Prefetch0(c + 5 * ldc + 0); Sse.Prefetch0(c + 5 * ldc + 16); Sse.Prefetch0(c + 5 * ldc + 31);
            Sse.Prefetch0(c + 6 * ldc + 0); Sse.Prefetch0(c + 6 * ldc + 16); Sse.Prefetch0(c + 6 * ldc + 31);
            Sse.Prefetch0(c + 7 * ldc + 0); Sse.Prefetch0(c + 7 * ldc + 16); Sse.Prefetch0(c + 7 * ldc + 31);
            Sse.Prefetch0(c + 8 * ldc + 0); Sse.Prefetch0(c + 8 * ldc + 16); Sse.Prefetch0(c + 8 * ldc + 31);
            Sse.Prefetch0(c + 9 * ldc + 0); Sse.Prefetch0(c + 9 * ldc + 16); Sse.Prefetch0(c + 9 * ldc + 31);
            Sse.Prefetch0(c + 10 * ldc + 0); Sse.Prefetch0(c + 10 * ldc + 16); Sse.Prefetch0(c + 10 * ldc + 31);
            Sse.Prefetch0(c + 11 * ldc + 0); Sse.Prefetch0(c + 11 * ldc + 16); Sse.Prefetch0(c + 11 * ldc + 31);
            for (int p = 0; p < kc; p++)
            {
                Vector512<float> b0 = Avx512F.LoadAlignedVector512(b);
                Vector512<float> b1 = Avx512F.LoadAlignedVector512(b + 1 * W);
                Vector512<float> x;
                x = Vector512.Create(a[0]); c0_0 = Avx512F.FusedMultiplyAdd(x, b0, c0_0); c0_1 = Avx512F.FusedMultiplyAdd(x, b1, c0_1);
                x = Vector512.Create(a[1]); c1_0 = Avx512F.FusedMultiplyAdd(x, b0, c1_0); c1_1 = Avx512F.FusedMultiplyAdd(x, b1, c1_1);
                x = Vector512.Create(a[2]); c2_0 = Avx512F.FusedMultiplyAdd(x, b0, c2_0); c2_1 = Avx512F.FusedMultiplyAdd(x, b1, c2_1);
                x = Vector512.Create(a[3]); c3_0 = Avx512F.FusedMultiplyAdd(x, b0, c3_0); c3_1 = Avx512F.FusedMultiplyAdd(x, b1, c3_1);
                x = Vector512.Create(a[4]); c4_0 = Avx512F.FusedMultiplyAdd(x, b0, c4_0); c4_1 = Avx512F.FusedMultiplyAdd(x, b1, c4_1);
                x = Vector512.Create(a[5]); c5_0 = Avx512F.FusedMultiplyAdd(x, b0, c5_0); c5_1 = Avx512F.FusedMultiplyAdd(x, b1, c5_1);
                x = Vector512.Create(a[6]); c6_0 = Avx512F.FusedMultiplyAdd(x, b0, c6_0); c6_1 = Avx512F.FusedMultiplyAdd(x, b1, c6_1);
                x = Vector512.Create(a[7]); c7_0 = Avx512F.FusedMultiplyAdd(x, b0, c7_0); c7_1 = Avx512F.FusedMultiplyAdd(x, b1, c7_1);
                x = Vector512.Create(a[8]); c8_0 = Avx512F.FusedMultiplyAdd(x, b0, c8_0); c8_1 = Avx512F.FusedMultiplyAdd(x, b1, c8_1);
                x = Vector512.Create(a[9]); c9_0 = Avx512F.FusedMultiplyAdd(x, b0, c9_0); c9_1 = Avx512F.FusedMultiplyAdd(x, b1, c9_1);
                x = Vector512.Create(a[10]); c10_0 = Avx512F.FusedMultiplyAdd(x, b0, c10_0); c10_1 = Avx512F.FusedMultiplyAdd(x, b1, c10_1);
                x = Vector512.Create(a[11]); c11_0 = Avx512F.FusedMultiplyAdd(x, b0, c11_0); c11_1 = Avx512F.FusedMultiplyAdd(x, b1, c11_1);
                a += 12;
                b += ldb;
            }
            Store(c + 0 * ldc, c0_0, c0_1, alpha, beta);
            Store(c + 1 * ldc, c1_0, c1_1, alpha, beta);
            Store(c + 2 * ldc, c2_0, c2_1, alpha, beta);
            Store(c + 3 * ldc, c3_0, c3_1, alpha, beta);
            Store(c + 4 * ldc, c4_0, c4_1, alpha, beta);
            Store(c + 5 * ldc, c5_0, c5_1, alpha, beta);
            Store(c + 6 * ldc, c6_0, c6_1, alpha, beta);
            Store(c + 7 * ldc, c7_0, c7_1, alpha, beta);
            Store(c + 8 * ldc, c8_0, c8_1, alpha, beta);
            Store(c + 9 * ldc, c9_0, c9_1, alpha, beta);
            Store(c + 10 * ldc, c10_0, c10_1, alpha, beta);
            Store(c + 11 * ldc, c11_0, c11_1, alpha, beta);
        }

        /// <summary>6×16 tile: C = alpha·Σ a·b + beta·C over <paramref name="kc"/> packed steps (beta 0 never reads C).</summary>
        [MethodImpl(Jit.Hot)]
        private static void Kernel6x16Fma(int kc, float* a, float* b, long ldb, float* c, long ldc, float alpha, float beta)
        {
            Vector256<float> c0_0 = default; Vector256<float> c0_1 = default;
            Vector256<float> c1_0 = default; Vector256<float> c1_1 = default;
            Vector256<float> c2_0 = default; Vector256<float> c2_1 = default;
            Vector256<float> c3_0 = default; Vector256<float> c3_1 = default;
            Vector256<float> c4_0 = default; Vector256<float> c4_1 = default;
            Vector256<float> c5_0 = default; Vector256<float> c5_1 = default;
            const int W = 8;
            Sse.Prefetch0(c + 0 * ldc + 0); Sse.Prefetch0(c + 0 * ldc + 15);
            Sse.Prefetch0(c + 1 * ldc + 0); Sse.Prefetch0(c + 1 * ldc + 15);
            Sse.Prefetch0(c + 2 * ldc + 0); Sse.Prefetch0(c + 2 * ldc + 15);
            Sse.Prefetch0(c + 3 * ldc + 0); Sse.Prefetch0(c + 3 * ldc + 15);
            Sse.Prefetch0(c + 4 * ldc + 0); Sse.Prefetch0(c + 4 * ldc + 15);
            Sse.Prefetch0(c + 5 * ldc + 0); Sse.Prefetch0(c + 5 * ldc + 15);
            for (int p = 0; p < kc; p++)
            {
                Vector256<float> b0 = Avx.LoadAlignedVector256(b);
                Vector256<float> b1 = Avx.LoadAlignedVector256(b + 1 * W);
                Vector256<float> x;
                x = Vector256.Create(a[0]); c0_0 = Fma.MultiplyAdd(x, b0, c0_0); c0_1 = Fma.MultiplyAdd(x, b1, c0_1);
                x = Vector256.Create(a[1]); c1_0 = Fma.MultiplyAdd(x, b0, c1_0); c1_1 = Fma.MultiplyAdd(x, b1, c1_1);
                x = Vector256.Create(a[2]); c2_0 = Fma.MultiplyAdd(x, b0, c2_0); c2_1 = Fma.MultiplyAdd(x, b1, c2_1);
                x = Vector256.Create(a[3]); c3_0 = Fma.MultiplyAdd(x, b0, c3_0); c3_1 = Fma.MultiplyAdd(x, b1, c3_1);
                x = Vector256.Create(a[4]); c4_0 = Fma.MultiplyAdd(x, b0, c4_0); c4_1 = Fma.MultiplyAdd(x, b1, c4_1);
                x = Vector256.Create(a[5]); c5_0 = Fma.MultiplyAdd(x, b0, c5_0); c5_1 = Fma.MultiplyAdd(x, b1, c5_1);
                a += 6;
                b += ldb;
            }
            Store(c + 0 * ldc, c0_0, c0_1, alpha, beta);
            Store(c + 1 * ldc, c1_0, c1_1, alpha, beta);
            Store(c + 2 * ldc, c2_0, c2_1, alpha, beta);
            Store(c + 3 * ldc, c3_0, c3_1, alpha, beta);
            Store(c + 4 * ldc, c4_0, c4_1, alpha, beta);
            Store(c + 5 * ldc, c5_0, c5_1, alpha, beta);
        }
#endif
    }
}
