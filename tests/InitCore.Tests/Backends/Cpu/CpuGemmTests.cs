using System;
using System.Collections.Generic;
using System.Linq;
using InitCore.Backends.Cpu;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Backends
{
    /// <summary>
    /// CpuGemm.Sgemm against a double-precision reference, on every kernel the machine and build have
    /// (AVX-512, AVX2+FMA, the portable Vector&lt;T&gt; one and the scalar one under net8.0; the last two under
    /// netstandard2.1).
    /// Tolerance, per element: |C − ref| ≤ (k + 4)·2⁻²³·(|alpha|·Σₚ|a_ip·b_pj| + |beta·c_ij|), the worst-case
    /// rounding bound of a float32 sum of k products (any order, with or without FMA) with room for the
    /// alpha/beta update and the per-block accumulation into C. A wrong index or a missed block is off by
    /// a whole term and fails it.
    /// </summary>
    [TestClass]
    public sealed class CpuGemmTests
    {
        private static readonly (bool TransA, bool TransB)[] Transposes = { (false, false), (false, true), (true, false), (true, true) };

        private static IEnumerable<CpuGemm.Isa> Kernels =>
            new[] { CpuGemm.Isa.Scalar, CpuGemm.Isa.Portable, CpuGemm.Isa.Avx2Fma, CpuGemm.Isa.Avx512 }.Where(CpuGemm.IsSupported);

        /// <summary>m, n, k: tiny and matrix–vector (no packing), odd, around MR/NR, past KC = 512 and NC = 512.</summary>
        public static IEnumerable<object[]> Sizes => new[]
        {
            new object[] { 1, 1, 1 },
            new object[] { 2, 5, 7 },
            new object[] { 13, 31, 33 },
            new object[] { 65, 127, 129 },
            new object[] { 129, 65, 257 },
            new object[] { 31, 257, 13 },
            new object[] { 127, 33, 65 },
            new object[] { 7, 33, 520 },
            new object[] { 1, 600, 70 },
            new object[] { 600, 1, 70 },
            new object[] { 2, 300, 40 },
            new object[] { 300, 2, 40 },
            new object[] { 16, 16, 16 },
            new object[] { 4, 3, 300 },
            new object[] { 257, 129, 5 },
            new object[] { 37, 1030, 300 },
            new object[] { 65, 127, 1100 },
        };

        [TestMethod]
        [DynamicData(nameof(Sizes))]
        public void EveryTransposeCombination_MatchesDoubleReference(int m, int n, int k)
        {
            var rng = new Random(m * 1_000_003 + n * 1009 + k);
            foreach (var (transA, transB) in Transposes)
            {
                var p = Problem.Create(rng, transA, transB, m, n, k, 0, 0, 0);
                foreach (CpuGemm.Isa isa in Kernels)
                {
                    float[] c = p.RunWith(isa, 1f, 0f, threads: 3);
                    p.AssertMatchesReference(c, 1f, 0f, $"{isa} transA={transA} transB={transB} {m}×{n}×{k}");
                }
            }
        }

        [TestMethod]
        [DataRow(5, 7, 3, false, false)]
        [DataRow(33, 65, 129, false, false)]
        [DataRow(33, 65, 129, true, true)]
        [DataRow(100, 70, 530, false, true)]
        [DataRow(70, 100, 40, true, false)]
        public void StridesLargerThanTheRows_AreHonouredAndPaddingIsLeftAlone(int m, int n, int k, bool transA, bool transB)
        {
            var rng = new Random(11);
            var p = Problem.Create(rng, transA, transB, m, n, k, 3, 17, 5);
            foreach (CpuGemm.Isa isa in Kernels)
            {
                float[] c = p.RunWith(isa, 1.5f, 0.5f, threads: 2);
                p.AssertMatchesReference(c, 1.5f, 0.5f, $"{isa}");
                for (int i = 0; i < m; i++)
                {
                    for (int j = n; j < p.Ldc && i * p.Ldc + j < c.Length; j++)
                        Assert.AreEqual(p.C0[i * p.Ldc + j], c[i * p.Ldc + j], $"{isa}: padding C[{i}, {j}] was written");
                }
            }
        }

        [TestMethod]
        [DataRow(1f, 0f)]
        [DataRow(1f, 1f)]
        [DataRow(1f, 0.5f)]
        [DataRow(-0.75f, 0f)]
        [DataRow(-0.75f, 1f)]
        [DataRow(2.5f, 0.5f)]
        [DataRow(0.5f, -2f)]
        public void AlphaAndBeta_ScaleTheProductAndTheOldC(float alpha, float beta)
        {
            var rng = new Random(12);
            foreach (var (m, n, k) in new[] { (9, 10, 11), (70, 90, 600), (13, 530, 20) })
            {
                foreach (var (transA, transB) in Transposes)
                {
                    var p = Problem.Create(rng, transA, transB, m, n, k, 0, 0, 2);
                    foreach (CpuGemm.Isa isa in Kernels)
                        p.AssertMatchesReference(p.RunWith(isa, alpha, beta, threads: 2), alpha, beta, $"{isa} {m}×{n}×{k} transA={transA} transB={transB}");
                }
            }
        }

        [TestMethod]
        [DataRow(3, 4, 5)]
        [DataRow(67, 45, 290)]
        public void BetaZero_OverwritesNaNInC(int m, int n, int k)
        {
            var p = Problem.Create(new Random(13), false, false, m, n, k, 0, 0, 0);
            Array.Fill(p.C0, float.NaN);
            foreach (CpuGemm.Isa isa in Kernels)
            {
                float[] c = p.RunWith(isa, 0.5f, 0f, threads: 2);
                Assert.IsTrue(c.All(float.IsFinite), $"{isa}: NaN survived beta = 0");
                p.AssertMatchesReference(c, 0.5f, 0f, $"{isa}");
            }
        }

        [TestMethod]
        [DataRow(200, 300, 600, false, false)]
        [DataRow(131, 97, 513, true, true)]
        [DataRow(5, 2000, 300, false, true)]
        [DataRow(2000, 7, 300, true, false)]
        [DataRow(1, 3000, 700, false, false)]
        [DataRow(2, 3000, 700, true, true)]
        [DataRow(3000, 1, 700, true, false)]
        [DataRow(3000, 2, 700, false, false)]
        [DataRow(2, 1500, 700, false, true)]
        [DataRow(1500, 2, 700, true, true)]
        public void AnyThreadCount_GivesBitIdenticalResults(int m, int n, int k, bool transA, bool transB)
        {
            // Threads only split the tiles; every element is the same sequence of operations.
            var p = Problem.Create(new Random(14), transA, transB, m, n, k, 1, 2, 3);
            foreach (CpuGemm.Isa isa in Kernels)
            {
                float[] one = p.RunWith(isa, 0.75f, 0.5f, threads: 1);
                p.AssertMatchesReference(one, 0.75f, 0.5f, $"{isa}");
                foreach (int threads in new[] { 2, 3, 8, 64 })
                {
                    float[] many = p.RunWith(isa, 0.75f, 0.5f, threads);
                    for (int i = 0; i < one.Length; i++)
                    {
                        if (BitConverter.SingleToInt32Bits(one[i]) != BitConverter.SingleToInt32Bits(many[i]))
                            Assert.Fail($"{isa}: element {i} is {many[i]:R} on {threads} threads and {one[i]:R} on 1");
                    }
                }
            }
        }

        [TestMethod]
        public void ArrayOverloadWithOffsets_MatchesSpanOverload()
        {
            var p = Problem.Create(new Random(15), false, true, 20, 30, 40, 0, 0, 0);
            float[] a = new float[7].Concat(p.A).ToArray();
            float[] b = new float[3].Concat(p.B).ToArray();
            float[] c = new float[5].Concat(p.C0).ToArray();
            CpuGemm.Sgemm(false, true, 20, 30, 40, 1f, a, 7, p.Lda, b, 3, p.Ldb, 0f, c, 5, p.Ldc, 2);
            float[] expected = (float[])p.C0.Clone();
            CpuGemm.Sgemm(false, true, 20, 30, 40, 1f, p.A, p.Lda, p.B, p.Ldb, 0f, expected, p.Ldc, 2);
            CollectionAssert.AreEqual(expected, c.Skip(5).ToArray());
            Assert.IsTrue(c.Take(5).All(x => x == 0f), "elements before cOffset were written");
        }

        [TestMethod]
        public void EmptyDimensions_LeaveCAloneOrScaleIt()
        {
            // m = 0 or n = 0: nothing to do, even with empty spans.
            CpuGemm.Sgemm(false, false, 0, 5, 3, 1f, Array.Empty<float>(), 3, new float[15], 5, 0f, Array.Empty<float>(), 5, 2);
            float[] c = { 1f, 2f, 3f };
            CpuGemm.Sgemm(false, false, 3, 0, 4, 1f, new float[12], 4, Array.Empty<float>(), 0, 0f, c, 0, 2);
            CollectionAssert.AreEqual(new[] { 1f, 2f, 3f }, c);

            // k = 0: C = beta·C (and beta = 0 clears NaN); A and B may be empty.
            float[] half = { 2f, float.NaN, -4f, 8f, 1f, 0f };
            CpuGemm.Sgemm(true, true, 2, 3, 0, 1f, Array.Empty<float>(), 2, Array.Empty<float>(), 0, 0.5f, half, 3, 1);
            CollectionAssert.AreEqual(new[] { 1f, float.NaN, -2f, 4f, 0.5f, 0f }, half);
            float[] zero = { float.NaN, 1f, float.PositiveInfinity, 2f, 3f, 4f };
            CpuGemm.Sgemm(false, false, 2, 3, 0, 1f, Array.Empty<float>(), 0, Array.Empty<float>(), 3, 0f, zero, 3, 1);
            CollectionAssert.AreEqual(new float[6], zero);

            // alpha = 0: C = beta·C without reading A or B (NaN there does not reach C).
            float[] nan = Enumerable.Repeat(float.NaN, 40 * 40).ToArray();
            float[] kept = Enumerable.Range(0, 40 * 40).Select(i => (float)i).ToArray();
            CpuGemm.Sgemm(false, false, 40, 40, 40, 0f, nan, 40, nan, 40, 1f, kept, 40, 2);
            CollectionAssert.AreEqual(Enumerable.Range(0, 40 * 40).Select(i => (float)i).ToArray(), kept);
        }

        [TestMethod]
        public void NegativeDimensionsAndThreads_AreRejected()
        {
            float[] x = new float[100];
            Assert.AreEqual("m", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CpuGemm.Sgemm(false, false, -1, 2, 2, 1f, x, 2, x, 2, 0f, x, 2, 1)).ParamName);
            Assert.AreEqual("n", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CpuGemm.Sgemm(false, false, 2, -1, 2, 1f, x, 2, x, 2, 0f, x, 2, 1)).ParamName);
            Assert.AreEqual("k", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CpuGemm.Sgemm(false, false, 2, 2, -1, 1f, x, 2, x, 2, 0f, x, 2, 1)).ParamName);
            Assert.AreEqual("threads", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CpuGemm.Sgemm(false, false, 2, 2, 2, 1f, x, 2, x, 2, 0f, x, 2, 0)).ParamName);
        }

        [TestMethod]
        public void StridesShorterThanTheRows_AreRejectedWithTheMinimum()
        {
            float[] x = new float[1000];
            var lda = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CpuGemm.Sgemm(false, false, 4, 6, 5, 1f, x, 4, x, 6, 0f, x, 6, 1));
            Assert.AreEqual("lda", lda.ParamName);
            Assert.Contains("at least 5", lda.Message);
            var ldaT = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CpuGemm.Sgemm(true, false, 4, 6, 5, 1f, x, 3, x, 6, 0f, x, 6, 1));
            Assert.AreEqual("lda", ldaT.ParamName);
            Assert.Contains("at least 4", ldaT.Message);
            var ldb = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CpuGemm.Sgemm(false, true, 4, 6, 5, 1f, x, 5, x, 4, 0f, x, 6, 1));
            Assert.AreEqual("ldb", ldb.ParamName);
            Assert.Contains("at least 5", ldb.Message);
            var ldc = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CpuGemm.Sgemm(false, false, 4, 6, 5, 1f, x, 5, x, 6, 0f, x, 5, 1));
            Assert.AreEqual("ldc", ldc.ParamName);
            Assert.Contains("at least 6", ldc.Message);
        }

        [TestMethod]
        public void SpansShorterThanTheMatrices_AreRejectedWithTheNeededLength()
        {
            // A 4×5 with lda 7 needs 3·7 + 5 = 26; Aᵀ stored 5×4 with lda 4 needs 4·4 + 4 = 20;
            // B 5×6 with ldb 6 needs 30; Bᵀ stored 6×5 with ldb 5 needs 30; C 4×6 with ldc 8 needs 30.
            float[] big = new float[100];
            var a = Assert.ThrowsExactly<ArgumentException>(() => CpuGemm.Sgemm(false, false, 4, 6, 5, 1f, new float[25], 7, big, 6, 0f, big, 8, 1));
            Assert.AreEqual("a", a.ParamName);
            Assert.Contains("at least 26 elements; it has 25", a.Message);
            var aT = Assert.ThrowsExactly<ArgumentException>(() => CpuGemm.Sgemm(true, false, 4, 6, 5, 1f, new float[19], 4, big, 6, 0f, big, 8, 1));
            Assert.AreEqual("a", aT.ParamName);
            Assert.Contains("5×4", aT.Message);
            Assert.Contains("at least 20 elements", aT.Message);
            var b = Assert.ThrowsExactly<ArgumentException>(() => CpuGemm.Sgemm(false, false, 4, 6, 5, 1f, big, 5, new float[29], 6, 0f, big, 8, 1));
            Assert.AreEqual("b", b.ParamName);
            Assert.Contains("at least 30 elements", b.Message);
            var bT = Assert.ThrowsExactly<ArgumentException>(() => CpuGemm.Sgemm(false, true, 4, 6, 5, 1f, big, 5, new float[29], 5, 0f, big, 8, 1));
            Assert.AreEqual("b", bT.ParamName);
            var c = Assert.ThrowsExactly<ArgumentException>(() => CpuGemm.Sgemm(false, false, 4, 6, 5, 1f, big, 5, big, 6, 0f, new float[29], 8, 1));
            Assert.AreEqual("c", c.ParamName);
            Assert.Contains("at least 30 elements; it has 29", c.Message);
        }

        [TestMethod]
        public void ArrayOverload_RejectsNullArraysAndOffsetsPastTheEnd()
        {
            float[] x = new float[100];
            Assert.AreEqual("a", Assert.ThrowsExactly<ArgumentNullException>(() => CpuGemm.Sgemm(false, false, 2, 2, 2, 1f, null!, 0, 2, x, 0, 2, 0f, x, 0, 2, 1)).ParamName);
            Assert.AreEqual("c", Assert.ThrowsExactly<ArgumentNullException>(() => CpuGemm.Sgemm(false, false, 2, 2, 2, 1f, x, 0, 2, x, 0, 2, 0f, null!, 0, 2, 1)).ParamName);
            Assert.AreEqual("bOffset", Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => CpuGemm.Sgemm(false, false, 2, 2, 2, 1f, x, 0, 2, x, 101, 2, 0f, x, 0, 2, 1)).ParamName);
            // An offset that leaves too little room is a length error on the matrix.
            Assert.AreEqual("c", Assert.ThrowsExactly<ArgumentException>(() => CpuGemm.Sgemm(false, false, 2, 2, 2, 1f, x, 0, 2, x, 0, 2, 0f, x, 97, 2, 1)).ParamName);
        }

        /// <summary>Random operands with padded strides, and the double-precision reference.</summary>
        private sealed class Problem
        {
            public bool TransA, TransB;
            public int M, N, K, Lda, Ldb, Ldc;
            public float[] A = Array.Empty<float>(), B = Array.Empty<float>(), C0 = Array.Empty<float>();

            public static Problem Create(Random rng, bool transA, bool transB, int m, int n, int k, int padA, int padB, int padC)
            {
                var p = new Problem { TransA = transA, TransB = transB, M = m, N = n, K = k };
                int aRows = transA ? k : m, aCols = transA ? m : k;
                int bRows = transB ? n : k, bCols = transB ? k : n;
                p.Lda = aCols + padA;
                p.Ldb = bCols + padB;
                p.Ldc = n + padC;
                // The last row is only as long as the matrix needs, so the minimum lengths are exercised too.
                p.A = Fill(rng, Math.Max(0, (aRows - 1) * p.Lda + aCols));
                p.B = Fill(rng, Math.Max(0, (bRows - 1) * p.Ldb + bCols));
                p.C0 = Fill(rng, Math.Max(0, (m - 1) * p.Ldc + n));
                return p;
            }

            private static float[] Fill(Random rng, int length) => Enumerable.Range(0, length).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();

            public float[] RunWith(CpuGemm.Isa isa, float alpha, float beta, int threads)
            {
                float[] c = (float[])C0.Clone();
                CpuGemm.SgemmWith(isa, TransA, TransB, M, N, K, alpha, A, Lda, B, Ldb, beta, c, Ldc, threads);
                return c;
            }

            private float OpA(int i, int p) => TransA ? A[p * Lda + i] : A[i * Lda + p];

            private float OpB(int p, int j) => TransB ? B[j * Ldb + p] : B[p * Ldb + j];

            public void AssertMatchesReference(float[] c, float alpha, float beta, string what)
            {
                double unit = Math.Pow(2, -23) * (K + 4);
                for (int i = 0; i < M; i++)
                {
                    for (int j = 0; j < N; j++)
                    {
                        double sum = 0, magnitude = 0;
                        for (int p = 0; p < K; p++)
                        {
                            double t = (double)OpA(i, p) * OpB(p, j);
                            sum += t;
                            magnitude += Math.Abs(t);
                        }
                        double old = beta == 0f ? 0 : C0[i * Ldc + j];
                        double expected = alpha * sum + beta * old;
                        double bound = unit * (Math.Abs(alpha) * magnitude + Math.Abs(beta * old));
                        double actual = c[i * Ldc + j];
                        if (!(Math.Abs(actual - expected) <= bound))
                            Assert.Fail($"{what}: C[{i}, {j}] = {actual:R}, reference {expected:R}, tolerance {bound:E2}");
                    }
                }
            }
        }
    }
}
