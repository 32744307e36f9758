using InitCore.Threading;

namespace InitCore.Backends.Cpu
{
    // The direct path: products that packing does not pay for (tiny ones and matrix–vector shapes).
    internal static unsafe partial class CpuGemm
    {
        /// <summary>
        /// Products that packing does not pay for: tiny ones and matrix–vector shapes (m or n at most
        /// <see cref="DirectRows"/>), in one of three forms chosen from the transposes and the shape:
        /// rows of C as sums of rows of B (without op(B)ᵀ), columns of C as sums of rows of A (with op(A)ᵀ),
        /// each vectorized along the contiguous rows and up to 4 rows of C per pass, or dot products over p
        /// (A and B rows both run along p; or the other side of C is too short to vectorize). Each element's
        /// operations depend only on its position and the form, not on how the workers split C.
        /// </summary>
        private static void Direct(in Problem pr, int workers)
        {
            DirectForm form =
                !pr.TransA && pr.TransB ? DirectForm.Dots
                : !pr.TransB && pr.N > DirectRows ? DirectForm.RowsOfB
                : pr.TransA && pr.M > DirectRows ? DirectForm.ColumnsOfA
                : DirectForm.Dots;
            // Split the longer side of C; the row-building forms keep groups of 4 rows (columns) together.
            bool splitRows = pr.M >= pr.N;
            int unit = form == DirectForm.Dots ? 1 : (form == DirectForm.RowsOfB) == splitRows ? 4 : 64;
            int length = splitRows ? pr.M : pr.N;
            int units = (length + unit - 1) / unit;
            int tasks = Math.Min(units, workers == 1 ? 1 : workers * TasksPerWorker);
            if (tasks == 1)
            {
                DirectBlock(pr, form, 0, pr.M, 0, pr.N);
                return;
            }
            var body = new DirectTasks(pr, form, splitRows, unit, length, units, tasks);
            CpuPartitioner.Tasks(pr.Workers, workers, tasks, ref body);
        }

        /// <summary>Task t of a direct product: the rows (or columns) of C in its share of the units.</summary>
        private readonly struct DirectTasks : IParallelBody
        {
            private readonly Problem _p;
            private readonly DirectForm _form;
            private readonly bool _splitRows;
            private readonly int _unit, _length, _units, _tasks;

            internal DirectTasks(in Problem p, DirectForm form, bool splitRows, int unit, int length, int units, int tasks)
            {
                _p = p; _form = form; _splitRows = splitRows; _unit = unit; _length = length; _units = units; _tasks = tasks;
            }

            public void Invoke(int t, int worker)
            {
                int lo = Math.Min(Split(_units, _tasks, t) * _unit, _length);
                int hi = Math.Min(Split(_units, _tasks, t + 1) * _unit, _length);
                if (_splitRows) DirectBlock(_p, _form, lo, hi, 0, _p.N);
                else DirectBlock(_p, _form, 0, _p.M, lo, hi);
            }
        }

        private enum DirectForm { Dots, RowsOfB, ColumnsOfA }

        /// <summary>The block C[i0..i1, j0..j1) of a direct product.</summary>
        [MethodImpl(Jit.Hot)]
        private static void DirectBlock(in Problem pr, DirectForm form, int i0, int i1, int j0, int j1)
        {
            bool simd = pr.Isa != Isa.Scalar && Vector.IsHardwareAccelerated;
            if (form == DirectForm.RowsOfB)
            {
                // C[i, j] = Σₚ op(A)[i, p]·B[p·ldb + j]: lines i, vectors along j.
                long sAi = pr.TransA ? 1 : pr.Lda, sAp = pr.TransA ? pr.Lda : 1;
                SumsOfRows(pr.A, sAi, sAp, pr.B, pr.Ldb, pr.K, i0, i1, j0, j1, pr.C, pr.Ldc, 1, pr.Alpha, pr.Beta, simd);
            }
            else if (form == DirectForm.ColumnsOfA)
            {
                // C[i, j] = Σₚ op(B)[p, j]·A[p·lda + i]: lines j, vectors along i.
                long sBj = pr.TransB ? pr.Ldb : 1, sBp = pr.TransB ? 1 : pr.Ldb;
                SumsOfRows(pr.B, sBj, sBp, pr.A, pr.Lda, pr.K, j0, j1, i0, i1, pr.C, 1, pr.Ldc, pr.Alpha, pr.Beta, simd);
            }
            else
            {
                DirectDots(pr, i0, i1, j0, j1, simd);
            }
        }

        /// <summary>
        /// out[l, v] = alpha·Σₚ x[l·xl + p·xp]·y[p·ldy + v] + beta·out for lines l in [l0, l1) and v in [v0, v1),
        /// where out[l, v] is o[l·ol + v·ov]: up to 4 lines per pass over y, summed on the stack in order of p
        /// (vector lanes and the scalar tail do the same multiply, then add).
        /// </summary>
        [MethodImpl(Jit.Hot)]
        private static void SumsOfRows(float* x, long xl, long xp, float* y, long ldy, int k,
            int l0, int l1, int v0, int v1, float* o, long ol, long ov, float alpha, float beta, bool simd)
        {
            int chunk = Math.Min(256, v1 - v0);
            float* t = stackalloc float[4 * chunk];
            int w = Vector<float>.Count;
            for (int vb = v0; vb < v1; vb += chunk)
            {
                int count = Math.Min(chunk, v1 - vb);
                for (int l = l0; l < l1; l += 4)
                {
                    int lines = Math.Min(4, l1 - l);
                    new Span<float>(t, lines * chunk).Clear();
                    float* yRow = y + vb;
                    float* xCol = x + l * xl;
                    for (int p = 0; p < k; p++, yRow += ldy, xCol += xp)
                    {
                        if (lines == 4)
                        {
                            float x0 = xCol[0], x1 = xCol[xl], x2 = xCol[2 * xl], x3 = xCol[3 * xl];
                            float* t0 = t, t1 = t + chunk, t2 = t + 2 * chunk, t3 = t + 3 * chunk;
                            int v = 0;
                            if (simd)
                            {
                                Vector<float> a0 = new Vector<float>(x0), a1 = new Vector<float>(x1);
                                Vector<float> a2 = new Vector<float>(x2), a3 = new Vector<float>(x3);
                                for (; v + w <= count; v += w)
                                {
                                    Vector<float> yv = *(Vector<float>*)(yRow + v);
                                    *(Vector<float>*)(t0 + v) += a0 * yv;
                                    *(Vector<float>*)(t1 + v) += a1 * yv;
                                    *(Vector<float>*)(t2 + v) += a2 * yv;
                                    *(Vector<float>*)(t3 + v) += a3 * yv;
                                }
                            }
                            for (; v < count; v++)
                            {
                                float yv = yRow[v];
                                t0[v] += x0 * yv;
                                t1[v] += x1 * yv;
                                t2[v] += x2 * yv;
                                t3[v] += x3 * yv;
                            }
                        }
                        else
                        {
                            for (int r = 0; r < lines; r++)
                            {
                                float xr = xCol[r * xl];
                                float* tr = t + r * chunk;
                                int v = 0;
                                if (simd)
                                {
                                    var a = new Vector<float>(xr);
                                    for (; v + w <= count; v += w) *(Vector<float>*)(tr + v) += a * *(Vector<float>*)(yRow + v);
                                }
                                for (; v < count; v++) tr[v] += xr * yRow[v];
                            }
                        }
                    }
                    for (int r = 0; r < lines; r++)
                    {
                        float* tr = t + r * chunk;
                        float* out0 = o + (l + r) * ol + vb * ov;
                        if (ov == 1)
                        {
                            StoreEdge(tr, chunk, out0, 0, 1, count, alpha, beta);
                        }
                        else
                        {
                            for (int v = 0; v < count; v++) StoreOne(out0 + v * ov, tr[v], alpha, beta);
                        }
                    }
                }
            }
        }

        /// <summary>C[i, j] = alpha·(op(A) row i · op(B) column j) + beta·C over [i0, i1) × [j0, j1); strided operands are gathered first.</summary>
        [MethodImpl(Jit.Hot)]
        private static void DirectDots(in Problem pr, int i0, int i1, int j0, int j1, bool simd)
        {
            int k = pr.K;
            float[]? rented = pr.TransA || !pr.TransB ? ArrayPool<float>.Shared.Rent(2 * k) : null;
            try
            {
                fixed (float* buffer = rented)
                {
                    float* rowBuffer = buffer, colBuffer = buffer + k;
                    // Rows of A are used in place without op(A)ᵀ (j outer: a gathered column of B serves all i);
                    // with it, row i is gathered once per i (i outer). Columns of op(B) are rows of B with op(B)ᵀ.
                    if (!pr.TransA)
                    {
                        for (int j = j0; j < j1; j++)
                        {
                            float* col = pr.TransB ? pr.B + j * pr.Ldb : Gather(pr.B + j, pr.Ldb, k, colBuffer);
                            for (int i = i0; i < i1; i++)
                                StoreOne(pr.C + i * pr.Ldc + j, Dot(pr.A + i * pr.Lda, col, k, simd), pr.Alpha, pr.Beta);
                        }
                    }
                    else
                    {
                        for (int i = i0; i < i1; i++)
                        {
                            float* row = Gather(pr.A + i, pr.Lda, k, rowBuffer);
                            for (int j = j0; j < j1; j++)
                            {
                                float* col = pr.TransB ? pr.B + j * pr.Ldb : Gather(pr.B + j, pr.Ldb, k, colBuffer);
                                StoreOne(pr.C + i * pr.Ldc + j, Dot(row, col, k, simd), pr.Alpha, pr.Beta);
                            }
                        }
                    }
                }
            }
            finally
            {
                if (rented is not null) ArrayPool<float>.Shared.Return(rented);
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float* Gather(float* src, long stride, int count, float* dst)
        {
            for (int p = 0; p < count; p++, src += stride) dst[p] = *src;
            return dst;
        }

        /// <summary>Σ x[p]·y[p] in float: two vector partial sums (lanes added by <see cref="Vector.Dot{T}"/>), then the scalar tail.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float Dot(float* x, float* y, int count, bool simd)
        {
            int p = 0;
            float sum = 0f;
            if (simd)
            {
                int w = Vector<float>.Count;
                Vector<float> s0 = Vector<float>.Zero, s1 = Vector<float>.Zero;
                for (; p + 2 * w <= count; p += 2 * w)
                {
                    s0 += *(Vector<float>*)(x + p) * *(Vector<float>*)(y + p);
                    s1 += *(Vector<float>*)(x + p + w) * *(Vector<float>*)(y + p + w);
                }
                for (; p + w <= count; p += w) s0 += *(Vector<float>*)(x + p) * *(Vector<float>*)(y + p);
                sum = Vector.Dot(s0 + s1, Vector<float>.One);
            }
            for (; p < count; p++) sum += x[p] * y[p];
            return sum;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void StoreOne(float* c, float sum, float alpha, float beta)
            => *c = beta == 0f ? sum * alpha : sum * alpha + beta * *c;
    }
}
