using InitCore.Threading;

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
    internal static unsafe partial class CpuGemm
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
                            CpuPartitioner.Tasks(pr.Workers, workers, nPanels, ref block);
                            int tasks = workers * TasksPerWorker;
                            int mGroups = Math.Min(mPanels, tasks);
                            int nGroups = Math.Min(nPanels, (tasks + mGroups - 1) / mGroups);
                            block = new Block(pr, packedB, pc, kc, jc, nc, nr, beta, mPanels, nPanels, mGroups, nGroups);
                            CpuPartitioner.Tasks(pr.Workers, workers, mGroups * nGroups, ref block);
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
    }
}
