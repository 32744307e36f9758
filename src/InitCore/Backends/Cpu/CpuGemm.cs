using System;
using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Threading;
using InitCore.Threading;
#if NET8_0_OR_GREATER
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
#endif

namespace InitCore.Backends.Cpu
{
    /// <summary>
    /// Single-precision GEMM for the CPU backend, row-major: C[m×n] = alpha·op(A)[m×k]·op(B)[k×n] + beta·C,
    /// where op(X) is X or Xᵀ (a transposed operand is stored k×m or n×k). GotoBLAS/BLIS blocking:
    /// <list type="bullet">
    /// <item>op(B) is packed in blocks of <see cref="KC"/>×<see cref="NC"/> (1 MiB, a Zen 5 core's L2) into
    /// panels NR columns wide, row by row, shared by all workers;</item>
    /// <item>the tiles of C are cut into about <see cref="TasksPerWorker"/> tasks per worker (ranges of MR-row
    /// panels of op(A) and, when there are few, ranges of the B panels) that the workers claim one at a time;
    /// a task packs one MR×kc panel of op(A) at a time (it stays in L1) and runs the micro-kernel across
    /// the B panels, which stream from L2;</item>
    /// <item>the micro-kernel keeps an MR×NR tile of C in registers: AVX-512 12×32 (24 zmm accumulators),
    /// AVX2+FMA 6×16 (12 ymm), otherwise 6×(2·<see cref="Vector{T}"/>.Count) without FMA, or 4×4 in
    /// float locals where <see cref="Vector{T}"/> is not hardware-accelerated.</item>
    /// </list>
    /// Tiny products (at most <see cref="SmallWork"/> multiply-adds) and matrix–vector shapes (m or n at most
    /// <see cref="DirectRows"/>) skip the packing (see <see cref="Direct"/>).
    /// <para>
    /// Every element of C is the same sequence of operations whatever the thread count (k is cut into the
    /// same KC blocks, summed in order inside the kernel; threads only split the tiles; the path and kernel
    /// depend only on the shape and the machine), so the result is bit-identical for any <c>threads</c>.
    /// Edge tiles run the same kernel into a scratch tile and are written with the same formula,
    /// alpha·acc + beta·C. beta = 0 never reads C; alpha = 0 or k = 0 only scales C by beta (A and B are
    /// not read, as in BLAS).
    /// </para>
    /// </summary>
    internal static unsafe class CpuGemm
    {
        /// <summary>The micro-kernel variants, for tests that run each one the machine has.</summary>
        internal enum Isa
        {
            /// <summary>Plain float arithmetic, 4×4 tiles: where <see cref="Vector{T}"/> is not hardware-accelerated (its software fallback is far slower).</summary>
            Scalar = -1,
            /// <summary><see cref="Vector{T}"/>, multiply then add (the netstandard2.1 build, and machines without AVX2/FMA).</summary>
            Portable = 0,
            /// <summary>Vector256 with FMA.</summary>
            Avx2Fma = 1,
            /// <summary>Vector512 with FMA.</summary>
            Avx512 = 2,
        }

        /// <summary>
        /// Depth of a packed block: one MR×KC panel of A is 24 KiB (in the 48 KiB L1 beside the B panel streaming
        /// through), a KC×NC block of B 1 MiB (L2, backed by L3). Measured on Zen 5 against 256×512, 256×1024 and 512×256.
        /// </summary>
        internal const int KC = 512;

        /// <summary>Width of a packed block of op(B); a multiple of every NR.</summary>
        internal const int NC = 512;

        /// <summary>Up to this many multiply-adds (m·n·k) products run without packing (measured: packing wins from about 12³).</summary>
        internal const long SmallWork = 16 * 16 * 16;

        /// <summary>Products with m or n at most this run without packing: matrix–vector shapes, where a packed tile would be mostly padding.</summary>
        internal const int DirectRows = 2;

        /// <summary>Tasks per worker for each packed block: enough for the workers to even out when another process takes a core.</summary>
        private const int TasksPerWorker = 4;

        /// <summary>Multiply-adds per worker below which fewer workers are used (spawning costs microseconds).</summary>
        private const long MinWorkPerThread = 1L << 20;

        /// <summary>The fastest kernel this machine and build support.</summary>
        internal static Isa Best
        {
            get
            {
#if NET8_0_OR_GREATER
                if (Avx512F.IsSupported) return Isa.Avx512;
                if (Fma.IsSupported) return Isa.Avx2Fma;
#endif
                return Vector.IsHardwareAccelerated ? Isa.Portable : Isa.Scalar;
            }
        }

        /// <summary>Whether this machine and build can run <paramref name="isa"/>.</summary>
        internal static bool IsSupported(Isa isa)
        {
            switch (isa)
            {
                case Isa.Scalar:
                case Isa.Portable: return true;
#if NET8_0_OR_GREATER
                case Isa.Avx2Fma: return Fma.IsSupported;
                case Isa.Avx512: return Avx512F.IsSupported;
#endif
                default: return false;
            }
        }

        /// <summary>
        /// C = alpha·op(A)·op(B) + beta·C, row-major, on up to <paramref name="threads"/> workers.
        /// op(A) is m×k: A itself (m rows of stride <paramref name="lda"/>) or, with <paramref name="transA"/>,
        /// Aᵀ of an A stored k×m; likewise op(B) is k×n, stored k×n or n×k. C is m×n with row stride
        /// <paramref name="ldc"/>. C must not overlap A or B.
        /// </summary>
        internal static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
            ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc, int threads)
            => SgemmWith(Best, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, threads);

        /// <summary>The same product on <paramref name="workers"/>' threads: no allocation per call (inference's path).</summary>
        internal static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
            ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc, CpuWorkers workers)
            => SgemmWith(Best, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, workers.ThreadCount, workers);

        /// <summary><see cref="Sgemm(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int, int)"/> on arrays, each matrix starting at an offset.</summary>
        internal static void Sgemm(bool transA, bool transB, int m, int n, int k, float alpha,
            float[] a, int aOffset, int lda, float[] b, int bOffset, int ldb, float beta, float[] c, int cOffset, int ldc, int threads)
        {
            if (a is null) throw new ArgumentNullException(nameof(a));
            if (b is null) throw new ArgumentNullException(nameof(b));
            if (c is null) throw new ArgumentNullException(nameof(c));
            CheckOffset(nameof(aOffset), aOffset, a.Length);
            CheckOffset(nameof(bOffset), bOffset, b.Length);
            CheckOffset(nameof(cOffset), cOffset, c.Length);
            Sgemm(transA, transB, m, n, k, alpha, new ReadOnlySpan<float>(a, aOffset, a.Length - aOffset), lda,
                new ReadOnlySpan<float>(b, bOffset, b.Length - bOffset), ldb, beta, new Span<float>(c, cOffset, c.Length - cOffset), ldc, threads);
        }

        /// <summary>The same product through one kernel variant; throws <see cref="PlatformNotSupportedException"/> when <see cref="IsSupported"/> says no.</summary>
        internal static void SgemmWith(Isa isa, bool transA, bool transB, int m, int n, int k, float alpha,
            ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc, int threads, CpuWorkers? workers = null)
        {
            if (!IsSupported(isa)) throw new PlatformNotSupportedException($"The {isa} GEMM kernel is not supported on this machine or build.");
            if (m < 0) throw new ArgumentOutOfRangeException(nameof(m), m, "m (rows of op(A) and C) must not be negative.");
            if (n < 0) throw new ArgumentOutOfRangeException(nameof(n), n, "n (columns of op(B) and C) must not be negative.");
            if (k < 0) throw new ArgumentOutOfRangeException(nameof(k), k, "k (columns of op(A), rows of op(B)) must not be negative.");
            if (threads < 1) throw new ArgumentOutOfRangeException(nameof(threads), threads, "threads must be at least 1.");
            CheckMatrix(nameof(a), nameof(lda), a.Length, lda, transA ? k : m, transA ? m : k, transA);
            CheckMatrix(nameof(b), nameof(ldb), b.Length, ldb, transB ? n : k, transB ? k : n, transB);
            CheckMatrix(nameof(c), nameof(ldc), c.Length, ldc, m, n, false);
            if (m == 0 || n == 0) return;

            fixed (float* pa = a)
            fixed (float* pb = b)
            fixed (float* pc = c)
            {
                var problem = new Problem
                {
                    A = pa, B = pb, C = pc, Lda = lda, Ldb = ldb, Ldc = ldc,
                    TransA = transA, TransB = transB, M = m, N = n, K = k, Alpha = alpha, Beta = beta, Isa = isa, Workers = workers,
                };
                Run(problem, threads);
            }
        }

        private static void CheckOffset(string name, int offset, int length)
        {
            if ((uint)offset > (uint)length)
                throw new ArgumentOutOfRangeException(name, offset, $"{name} must be between 0 and the array length ({length}).");
        }

        private static void CheckMatrix(string name, string ldName, int length, int ld, int rows, int cols, bool transposed)
        {
            string stored = transposed ? " (stored transposed)" : "";
            if (ld < cols || ld < 0)
                throw new ArgumentOutOfRangeException(ldName, ld,
                    $"{ldName} must be at least {cols}, the row length of {name}{stored}, a {rows}×{cols} row-major matrix.");
            long needed = rows == 0 || cols == 0 ? 0 : (long)(rows - 1) * ld + cols;
            if (length < needed)
                throw new ArgumentException(
                    $"{name}{stored} is a {rows}×{cols} row-major matrix with row stride {ld}, which needs at least {needed} elements; it has {length}.", name);
        }

        /// <summary>One product, as the workers see it (pointers stay valid: the caller holds them fixed until <see cref="Run"/> returns).</summary>
        private struct Problem
        {
            public float* A, B, C;
            public long Lda, Ldb, Ldc;
            public bool TransA, TransB;
            public int M, N, K;
            public float Alpha, Beta;
            public Isa Isa;
            public CpuWorkers? Workers;
        }

        /// <summary>MR × NR of the fastest micro-kernel (<see cref="Best"/>), for callers that pack their own panels.</summary>
        internal static void TileShape(out int mr, out int nr) => Shape(Best, out mr, out nr);

        /// <summary>
        /// The fastest micro-kernel on packed panels: c[i·ldc + j] = alpha·Σₚ a[p·MR + i]·b[p·ldb + j] + beta·c[i·ldc + j]
        /// for the full MR × NR tile (<see cref="TileShape"/>), where row p of B is NR floats at b + p·ldb (64-byte aligned); beta = 0 never reads c.
        /// </summary>
        internal static void MicroKernel(int kc, float* a, float* b, long ldb, float* c, long ldc, float alpha, float beta) => Kernel(Best, kc, a, b, ldb, c, ldc, alpha, beta);

        private static void Shape(Isa isa, out int mr, out int nr)
        {
            switch (isa)
            {
                case Isa.Avx512: mr = 12; nr = 32; break;
                case Isa.Avx2Fma: mr = 6; nr = 16; break;
                case Isa.Portable: mr = 6; nr = 2 * Vector<float>.Count; break;
                default: mr = 4; nr = 4; break;
            }
        }

        private static void Run(Problem pr, int threads)
        {
            if (pr.K == 0 || pr.Alpha == 0f)
            {
                ScaleC(pr);
                return;
            }
            long work = (long)pr.M * pr.N * pr.K;
            int workers = (int)Math.Min(threads, Math.Max(1, work / MinWorkPerThread));
            if (work <= SmallWork || pr.M <= DirectRows || pr.N <= DirectRows)
            {
                Direct(pr, workers);
                return;
            }
            Shape(pr.Isa, out int mr, out int nr);
            int ncMax = Math.Min(RoundUp(NC, nr), RoundUp(pr.N, nr));
            int kcMax = Math.Min(KC, pr.K);
            int mPanels = (pr.M + mr - 1) / mr;
            float[] buffer = ArrayPool<float>.Shared.Rent(kcMax * ncMax + 16);
            try
            {
                fixed (float* raw = buffer)
                {
                    float* packedB = (float*)(((nint)raw + 63) & ~(nint)63);
                    for (int jc = 0; jc < pr.N; jc += ncMax)
                    {
                        int nc = Math.Min(ncMax, pr.N - jc);
                        int nPanels = (nc + nr - 1) / nr;
                        for (int pc = 0; pc < pr.K; pc += KC)
                        {
                            int kc = Math.Min(KC, pr.K - pc);
                            float beta = pc == 0 ? pr.Beta : 1f;
                            if (workers == 1)
                            {
                                PackB(pr, packedB, pc, kc, jc, nc, nr, 0, nPanels);
                                Compute(pr, packedB, pc, kc, jc, nc, beta, 0, mPanels, 0, nPanels);
                                continue;
                            }
                            var block = new Block(pr, packedB, pc, kc, jc, nc, nr, beta, mPanels, nPanels, 0, 0);
                            Partitioner.Tasks(pr.Workers, workers, nPanels, ref block);
                            int tasks = workers * TasksPerWorker;
                            int mGroups = Math.Min(mPanels, tasks);
                            int nGroups = Math.Min(nPanels, (tasks + mGroups - 1) / mGroups);
                            block = new Block(pr, packedB, pc, kc, jc, nc, nr, beta, mPanels, nPanels, mGroups, nGroups);
                            Partitioner.Tasks(pr.Workers, workers, mGroups * nGroups, ref block);
                        }
                    }
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(buffer);
            }
        }

        /// <summary>
        /// One kc × nc block of the packed path: with no groups (0, 0), task q packs B panel q; otherwise task t
        /// computes the C tiles of M group t / nGroups and N group t % nGroups.
        /// </summary>
        private readonly struct Block : IParallelBody
        {
            private readonly Problem _p;
            private readonly float* _packed;
            private readonly int _pc, _kc, _jc, _nc, _nr, _mPanels, _nPanels, _mGroups, _nGroups;
            private readonly float _beta;

            internal Block(in Problem p, float* packed, int pc, int kc, int jc, int nc, int nr, float beta, int mPanels, int nPanels, int mGroups, int nGroups)
            {
                _p = p; _packed = packed; _pc = pc; _kc = kc; _jc = jc; _nc = nc; _nr = nr; _beta = beta;
                _mPanels = mPanels; _nPanels = nPanels; _mGroups = mGroups; _nGroups = nGroups;
            }

            public void Invoke(int t, int worker)
            {
                if (_nGroups == 0)
                {
                    PackB(_p, _packed, _pc, _kc, _jc, _nc, _nr, t, t + 1);
                    return;
                }
                int mg = t / _nGroups, ng = t % _nGroups;
                Compute(_p, _packed, _pc, _kc, _jc, _nc, _beta,
                    Split(_mPanels, _mGroups, mg), Split(_mPanels, _mGroups, mg + 1),
                    Split(_nPanels, _nGroups, ng), Split(_nPanels, _nGroups, ng + 1));
            }
        }

        private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

        /// <summary>Start of part <paramref name="i"/> of <paramref name="count"/> items cut into <paramref name="parts"/> near-equal parts.</summary>
        private static int Split(int count, int parts, int i) => (int)((long)count * i / parts);

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
            int w = Vector<float>.Count;
            for (int r = 0; r < rows; r++, src += ld, dst += width)
            {
                int j = 0;
                if (Vector.IsHardwareAccelerated)
                {
                    for (; j + w <= count; j += w) *(Vector<float>*)(dst + j) = *(Vector<float>*)(src + j);
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
            Partitioner.Tasks(pr.Workers, workers, tasks, ref body);
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
