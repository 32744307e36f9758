using System;
using System.Numerics;
using System.Threading.Tasks;

namespace InitCore.Backends.Cpu
{
    /// <summary>Row-major SGEMM on the CPU (placeholder: row-parallel, Vector&lt;T&gt; over columns).</summary>
    internal static class CpuGemm
    {
        internal static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha, ReadOnlySpan<float> a, int lda,
                                   ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc, int threads)
        {
            float[] ad = transA ? Transpose(a, k, m, lda) : a.ToArray();
            int ald = transA ? k : lda;
            float[] bd = transB ? Transpose(b, n, k, ldb) : b.ToArray();
            int bld = transB ? n : ldb;
            float[] cd = c.ToArray();
            void Row(int i)
            {
                var acc = new float[n];
                for (int p = 0; p < k; p++)
                {
                    float av = ad[i * ald + p];
                    if (av == 0f) continue;
                    int j = 0, off = p * bld;
                    var va = new Vector<float>(av);
                    for (; j <= n - Vector<float>.Count; j += Vector<float>.Count)
                        (new Vector<float>(acc, j) + va * new Vector<float>(bd, off + j)).CopyTo(acc, j);
                    for (; j < n; j++) acc[j] += av * bd[off + j];
                }
                for (int j = 0; j < n; j++)
                    cd[i * ldc + j] = beta == 0f ? alpha * acc[j] : alpha * acc[j] + beta * cd[i * ldc + j];
            }
            if (threads <= 1 || (long)m * n * k < 1 << 18) for (int i = 0; i < m; i++) Row(i);
            else Parallel.For(0, m, new ParallelOptions { MaxDegreeOfParallelism = threads }, Row);
            cd.AsSpan(0, Math.Min(cd.Length, c.Length)).CopyTo(c);
        }

        private static float[] Transpose(ReadOnlySpan<float> x, int rows, int cols, int ld)
        {
            // x is rows×cols with row stride ld; result is cols×rows, dense.
            var t = new float[(long)rows * cols];
            for (int r = 0; r < rows; r++)
                for (int q = 0; q < cols; q++)
                    t[(long)q * rows + r] = x[r * ld + q];
            return t;
        }
    }
}
