namespace InitCore.Backends.Cpu
{
    // The packed path: packing op(A) and op(B) into panels (with the AVX register transposes), the tiles of one
    // packed block, edge tiles and the beta-only product.
    internal static unsafe partial class CpuGemm
    {
        /// <summary>
        /// Packs B panels [panel0, panel1) of the block op(B)[pc..pc+kc, jc..jc+nc): panel q holds columns
        /// jc+q·nr.. as kc rows of nr floats (zero past the block's last column), at packed + q·nr·kc.
        /// </summary>
        [MethodImpl(Jit.Hot)]
        private static void PackB(in Problem pr, float* packed, int pc, int kc, int jc, int nc, int nr, int panel0, int panel1)
        {
            for (int q = panel0; q < panel1; q++)
            {
                float* dst = packed + (long)q * nr * kc;
                int j0 = jc + q * nr;
                int cols = Math.Min(nr, jc + nc - j0);
                if (!pr.TransB)
                    CopyRows(pr.B + (long)pc * pr.Ldb + j0, pr.Ldb, kc, cols, dst, nr);       // op(B)[p, j] = B[p·ldb + j]
                else
                    TransposeRows(pr.B + (long)j0 * pr.Ldb + pc, pr.Ldb, cols, kc, dst, nr);  // op(B)[p, j] = B[j·ldb + p]
            }
        }

        /// <summary>Packs op(A)[i0..i0+rows, pc..pc+kc) as kc columns of mr floats (zero past the last row).</summary>
        [MethodImpl(Jit.Hot)]
        private static void PackA(in Problem pr, float* dst, int i0, int rows, int pc, int kc, int mr)
        {
            if (!pr.TransA)
                TransposeRows(pr.A + (long)i0 * pr.Lda + pc, pr.Lda, rows, kc, dst, mr);      // op(A)[i, p] = A[i·lda + p]
            else
                CopyRows(pr.A + (long)pc * pr.Lda + i0, pr.Lda, kc, rows, dst, mr);         // op(A)[i, p] = A[p·lda + i]
        }

        /// <summary>dst[r·width + j] = src[r·ld + j] for r &lt; rows, j &lt; count; zero for count ≤ j &lt; width.</summary>
        [MethodImpl(Jit.Hot)]
        private static void CopyRows(float* src, long ld, int rows, int count, float* dst, int width)
        {
            int w = System.Numerics.Vector<float>.Count;
            for (int r = 0; r < rows; r++, src += ld, dst += width)
            {
                int j = 0;
                if (System.Numerics.Vector.IsHardwareAccelerated)
                {
                    for (; j + w <= count; j += w) *(System.Numerics.Vector<float>*)(dst + j) = *(System.Numerics.Vector<float>*)(src + j);
                }
                for (; j < count; j++) dst[j] = src[j];
                for (; j < width; j++) dst[j] = 0f;
            }
        }

        /// <summary>
        /// dst[p·width + r] = src[r·ld + p] for r &lt; rows, p &lt; count; zero for rows ≤ r &lt; width: reads each
        /// source row contiguously and, with AVX, transposes 8×8 (then 4×8) blocks in registers.
        /// </summary>
        [MethodImpl(Jit.Hot)]
        private static void TransposeRows(float* src, long ld, int rows, int count, float* dst, int width)
        {
            int r = 0;
#if NET8_0_OR_GREATER
            if (Avx.IsSupported)
            {
                for (; r + 8 <= rows; r += 8) Transpose8Rows(src + r * ld, ld, count, dst + r, width);
                for (; r + 4 <= rows; r += 4) Transpose4Rows(src + r * ld, ld, count, dst + r, width);
            }
#endif
            for (; r < rows; r++)
            {
                float* s = src + r * ld;
                float* d = dst + r;
                for (int p = 0; p < count; p++, d += width) *d = s[p];
            }
            for (; r < width; r++)
            {
                float* d = dst + r;
                for (int p = 0; p < count; p++, d += width) *d = 0f;
            }
        }

#if NET8_0_OR_GREATER
        /// <summary><see cref="TransposeRows"/> for exactly 8 rows.</summary>
        [MethodImpl(Jit.Hot)]
        private static void Transpose8Rows(float* src, long ld, int count, float* dst, int width)
        {
            int p = 0;
            for (; p + 8 <= count; p += 8)
            {
                float* s = src + p;
                Vector256<float> r0 = Avx.LoadVector256(s), r1 = Avx.LoadVector256(s + ld);
                Vector256<float> r2 = Avx.LoadVector256(s + 2 * ld), r3 = Avx.LoadVector256(s + 3 * ld);
                Vector256<float> r4 = Avx.LoadVector256(s + 4 * ld), r5 = Avx.LoadVector256(s + 5 * ld);
                Vector256<float> r6 = Avx.LoadVector256(s + 6 * ld), r7 = Avx.LoadVector256(s + 7 * ld);
                Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
                Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
                Vector256<float> t4 = Avx.UnpackLow(r4, r5), t5 = Avx.UnpackHigh(r4, r5);
                Vector256<float> t6 = Avx.UnpackLow(r6, r7), t7 = Avx.UnpackHigh(r6, r7);
                Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
                Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
                Vector256<float> u4 = Avx.Shuffle(t4, t6, 0x44), u5 = Avx.Shuffle(t4, t6, 0xEE);
                Vector256<float> u6 = Avx.Shuffle(t5, t7, 0x44), u7 = Avx.Shuffle(t5, t7, 0xEE);
                float* d = dst + (long)p * width;
                Avx.Store(d, Avx.Permute2x128(u0, u4, 0x20));
                Avx.Store(d + width, Avx.Permute2x128(u1, u5, 0x20));
                Avx.Store(d + 2 * width, Avx.Permute2x128(u2, u6, 0x20));
                Avx.Store(d + 3 * width, Avx.Permute2x128(u3, u7, 0x20));
                Avx.Store(d + 4 * width, Avx.Permute2x128(u0, u4, 0x31));
                Avx.Store(d + 5 * width, Avx.Permute2x128(u1, u5, 0x31));
                Avx.Store(d + 6 * width, Avx.Permute2x128(u2, u6, 0x31));
                Avx.Store(d + 7 * width, Avx.Permute2x128(u3, u7, 0x31));
            }
            for (; p < count; p++)
            {
                float* d = dst + (long)p * width;
                for (int r = 0; r < 8; r++) d[r] = src[r * ld + p];
            }
        }

        /// <summary><see cref="TransposeRows"/> for exactly 4 rows.</summary>
        [MethodImpl(Jit.Hot)]
        private static void Transpose4Rows(float* src, long ld, int count, float* dst, int width)
        {
            int p = 0;
            for (; p + 8 <= count; p += 8)
            {
                float* s = src + p;
                Vector256<float> r0 = Avx.LoadVector256(s), r1 = Avx.LoadVector256(s + ld);
                Vector256<float> r2 = Avx.LoadVector256(s + 2 * ld), r3 = Avx.LoadVector256(s + 3 * ld);
                Vector256<float> t0 = Avx.UnpackLow(r0, r1), t1 = Avx.UnpackHigh(r0, r1);
                Vector256<float> t2 = Avx.UnpackLow(r2, r3), t3 = Avx.UnpackHigh(r2, r3);
                // u0 holds columns p and p+4 (low and high halves), u1 p+1 and p+5, u2 p+2 and p+6, u3 p+3 and p+7.
                Vector256<float> u0 = Avx.Shuffle(t0, t2, 0x44), u1 = Avx.Shuffle(t0, t2, 0xEE);
                Vector256<float> u2 = Avx.Shuffle(t1, t3, 0x44), u3 = Avx.Shuffle(t1, t3, 0xEE);
                float* d = dst + (long)p * width;
                Sse.Store(d, u0.GetLower());
                Sse.Store(d + width, u1.GetLower());
                Sse.Store(d + 2 * width, u2.GetLower());
                Sse.Store(d + 3 * width, u3.GetLower());
                Sse.Store(d + 4 * width, u0.GetUpper());
                Sse.Store(d + 5 * width, u1.GetUpper());
                Sse.Store(d + 6 * width, u2.GetUpper());
                Sse.Store(d + 7 * width, u3.GetUpper());
            }
            for (; p < count; p++)
            {
                float* d = dst + (long)p * width;
                for (int r = 0; r < 4; r++) d[r] = src[r * ld + p];
            }
        }
#endif

        /// <summary>
        /// The tiles of panels [m0, m1) × [n0, n1) for one packed block: packs each MR-row panel of op(A)
        /// once and sweeps it across the packed B panels.
        /// </summary>
        [MethodImpl(Jit.Hot)]
        private static void Compute(in Problem pr, float* packedB, int pc, int kc, int jc, int nc, float beta, int m0, int m1, int n0, int n1)
        {
            Shape(pr.Isa, out int mr, out int nr);
            float* packedA = stackalloc float[mr * kc];
            float* tile = stackalloc float[mr * nr];
            float alpha = pr.Alpha;
            long ldc = pr.Ldc;
            for (int ip = m0; ip < m1; ip++)
            {
                int i0 = ip * mr;
                int rows = Math.Min(mr, pr.M - i0);
                PackA(pr, packedA, i0, rows, pc, kc, mr);
                float* cRow = pr.C + i0 * ldc + jc;
                for (int jp = n0; jp < n1; jp++)
                {
                    int j0 = jp * nr;
                    int cols = Math.Min(nr, nc - j0);
                    float* bPanel = packedB + (long)jp * nr * kc;
                    if (rows == mr && cols == nr)
                    {
                        Kernel(pr.Isa, kc, packedA, bPanel, nr, cRow + j0, ldc, alpha, beta);
                    }
                    else
                    {
                        Kernel(pr.Isa, kc, packedA, bPanel, nr, tile, nr, 1f, 0f);
                        StoreEdge(tile, nr, cRow + j0, ldc, rows, cols, alpha, beta);
                    }
                }
            }
        }

        /// <summary>C = alpha·t + beta·C for the valid part of a scratch tile, with the kernels' formula (beta 0 never reads C).</summary>
        [MethodImpl(Jit.Hot)]
        private static void StoreEdge(float* tile, int nr, float* c, long ldc, int rows, int cols, float alpha, float beta)
        {
            for (int r = 0; r < rows; r++, tile += nr, c += ldc)
            {
                if (beta == 0f)
                    for (int j = 0; j < cols; j++) c[j] = tile[j] * alpha;
                else if (beta == 1f)
                    for (int j = 0; j < cols; j++) c[j] = tile[j] * alpha + c[j];
                else
                    for (int j = 0; j < cols; j++) c[j] = tile[j] * alpha + beta * c[j];
            }
        }

        /// <summary>C = beta·C (the whole product when k = 0 or alpha = 0); beta = 0 writes zeros without reading C.</summary>
        [MethodImpl(Jit.Hot)]
        private static void ScaleC(in Problem pr)
        {
            if (pr.Beta == 1f) return;
            for (int i = 0; i < pr.M; i++)
            {
                var row = new Span<float>(pr.C + i * pr.Ldc, pr.N);
                if (pr.Beta == 0f)
                {
                    row.Clear();
                }
                else
                {
                    for (int j = 0; j < row.Length; j++) row[j] *= pr.Beta;
                }
            }
        }
    }
}
