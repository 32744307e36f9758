using InitCore.Threading;

namespace InitCore.Backends.Cpu
{
    /// <summary>
    /// CPU convolution as an implicit GEMM over tiles of whole images, with everything a tile touches in cache.
    /// <para>
    /// For each group, the convolution is the product W[K_g × Kred] · cols[Kred × N·PQ], where Kred = C_g·R·S and
    /// column n·PQ + p·Q + q holds the input under output position (p, q) of image n. Materializing cols for the
    /// whole batch (classic im2col) writes, packs and reads back several megabytes per layer; on the lessons'
    /// CNN that memory traffic, not the arithmetic, set the speed. Here the columns of a tile of whole images
    /// (about 32K floats, chosen from the geometry only) are gathered into a per-worker buffer that the
    /// GEMM micro-kernel reads in place (row stride ldb), multiplied with <see cref="CpuGemm"/>'s micro-kernel, and
    /// the tile's result goes straight to its final place: NCHW output plus bias (forward), a col2im
    /// scatter-add into the tile's own images (backward data), or a per-chunk accumulator of dW
    /// (backward filter).
    /// </para>
    /// <para>
    /// Results do not depend on the thread count: tiles are cut from the geometry alone, every output element
    /// of the forward and backward-data passes is computed by one worker in a fixed order, and the filter
    /// gradient sums a fixed number of chunk accumulators in chunk order.
    /// </para>
    /// </summary>
    internal static unsafe partial class CpuConv
    {
        /// <summary>Target size, in floats, of a tile's gathered columns (128 KiB: the L2 of one core holds it and the packed weights).</summary>
        private const int TileFloats = 32 * 1024;

        /// <summary>Most columns a tile takes, however few rows the columns have.</summary>
        private const int MaxTileColumns = 1024;

        /// <summary>Partial sums of the filter gradient (fixed, so the summation order does not depend on threads).</summary>
        private const int FilterChunks = 8;

        /// <summary>
        /// How a convolution is cut into tiles, from its geometry alone. Small images (at most the target number of
        /// columns each): a tile is a run of whole images, gathered through a cached offset table. Large images: a
        /// tile is a band of output rows of one image, gathered by loops, so a tile's buffers stay bounded whatever
        /// the image size.
        /// </summary>
        internal readonly struct Plan
        {
            internal Plan(in ConvGeometry g)
            {
                G = g;
                CpuGemm.TileShape(out Mr, out Nr);
                Rows = g.CPerGroup * g.R * g.S;
                int positions = g.P * g.Q;
                // At least one micro-kernel width of columns, however many rows (deep layers with tiny outputs).
                int target = Math.Max(Nr, Math.Min(MaxTileColumns, TileFloats / Math.Max(1, Rows)));
                Banded = positions > target;
                if (Banded)
                {
                    Images = 1;
                    BandRows = Math.Max(1, Math.Min(g.P, target / g.Q));
                    Bands = (g.P + BandRows - 1) / BandRows;
                    Tiles = g.N * Bands;
                }
                else
                {
                    Images = Math.Max(1, Math.Min(g.N, target / positions));
                    BandRows = g.P;
                    Bands = 1;
                    Tiles = (g.N + Images - 1) / Images;
                }
                Columns = Images * BandRows * g.Q;
                ColumnsPad = RoundUp(Columns, Nr);
                KPad = RoundUp(g.KPerGroup, Mr);
            }

            internal readonly ConvGeometry G;
            internal readonly bool Banded;
            internal readonly int Mr, Nr, Rows, Images, BandRows, Bands, Tiles, Columns, ColumnsPad, KPad;

            /// <summary>Tile <paramref name="index"/>: its first image, image count, first output row and output rows per image.</summary>
            internal Tile this[int index] => Banded
                ? new Tile(index / Bands, 1, index % Bands * BandRows, Math.Min(BandRows, G.P - index % Bands * BandRows), G.Q)
                : new Tile(index * Images, Math.Min(Images, G.N - index * Images), 0, G.P, G.Q);
        }

        /// <summary>Images [N0, N0 + Images), output rows [P0, P0 + Rows) of each: Columns = Images·Rows·Q columns.</summary>
        internal readonly struct Tile
        {
            internal Tile(int n0, int images, int p0, int rows, int q)
            {
                N0 = n0; Images = images; P0 = p0; Rows = rows; Columns = images * rows * q;
            }

            internal readonly int N0, Images, P0, Rows, Columns;
        }

        private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

        /// <summary>A 64-byte aligned view of a rented array (the micro-kernels load packed B with aligned loads).</summary>
        private static float* Align(float* p) => (float*)(((nint)p + 63) & ~(nint)63);

        /// <summary>
        /// Runs <paramref name="body"/>(worker scratch, task) for tasks 0 … count − 1 on up to <paramref name="threads"/>
        /// workers that claim tasks one at a time; each worker gets its own 64-byte aligned scratch of <paramref name="scratchFloats"/> floats (not zeroed).
        /// </summary>
        private static void Run(int count, int threads, int scratchFloats, Action<IntPtr, int> body)
        {
            var tasks = new ActionBody(body);
            Run(count, threads, scratchFloats, ref tasks, null);
        }

        /// <summary>
        /// <see cref="Run(int, int, int, Action{IntPtr, int})"/> with a struct body on <paramref name="pool"/>'s threads (the
        /// thread pool when null): the workers' scratch is one rented array, so a call allocates nothing in the steady state.
        /// </summary>
        private static void Run<T>(int count, int threads, int scratchFloats, ref T body, CpuWorkers? pool) where T : struct, IScratchBody
        {
            int workers = Math.Max(1, Math.Min(threads, count));
            int stride = RoundUp(scratchFloats + 16, 16); // whole 64-byte lines, so every worker's scratch stays aligned
            float[] scratch = ArrayPool<float>.Shared.Rent(workers * stride + 16);
            try
            {
                fixed (float* raw = scratch)
                {
                    var tasks = new ScratchTasks<T>(body, Align(raw), stride);
                    CpuPartitioner.Tasks(pool, workers, count, ref tasks);
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(scratch);
            }
        }

        /// <summary>Task <c>index</c> of a tiled pass, with its worker's 64-byte aligned scratch.</summary>
        private interface IScratchBody
        {
            void Invoke(float* scratch, int index);
        }

        private readonly struct ScratchTasks<T> : IParallelBody where T : struct, IScratchBody
        {
            private readonly T _body;
            private readonly float* _scratch;
            private readonly int _stride;

            internal ScratchTasks(T body, float* scratch, int stride)
            {
                _body = body;
                _scratch = scratch;
                _stride = stride;
            }

            public void Invoke(int index, int worker)
            {
                T body = _body;
                body.Invoke(_scratch + (long)worker * _stride, index);
            }
        }

        private readonly struct ActionBody : IScratchBody
        {
            private readonly Action<IntPtr, int> _body;

            internal ActionBody(Action<IntPtr, int> body) => _body = body;

            public void Invoke(float* scratch, int index) => _body((IntPtr)scratch, index);
        }

        /// <summary>
        /// The pointer loops below trust the geometry, so every entry point first checks that each array holds at least
        /// what the geometry addresses: image [N, C, H, W], filter [K, C/groups, R, S], output [N, K, P, Q]. Public callers
        /// (<c>Conv2d</c>) check shapes at the boundary; this turns any internal mismatch into an exception, never a wild read.
        /// </summary>
        private static void CheckBuffers(in ConvGeometry g, float[] image, float[] filter, float[] output, string outputName)
        {
            if (g.N < 0 || g.C < 1 || g.H < 1 || g.W < 1 || g.K < 1 || g.R < 1 || g.S < 1 || g.Groups < 1 || g.P < 1 || g.Q < 1
                || g.C % g.Groups != 0 || g.K % g.Groups != 0)
                throw new InvalidOperationException($"Invalid convolution geometry N={g.N} C={g.C} H={g.H} W={g.W} K={g.K} R={g.R} S={g.S} groups={g.Groups} P={g.P} Q={g.Q}.");
            CheckLength("image", image.Length, (long)g.N * g.C * g.H * g.W);
            CheckLength("filter", filter.Length, (long)g.K * g.CPerGroup * g.R * g.S);
            CheckLength(outputName, output.Length, (long)g.N * g.K * g.P * g.Q);
        }

        private static void CheckLength(string name, long length, long needed)
        {
            if (length < needed)
                throw new InvalidOperationException($"Convolution buffer {name} holds {length} floats but the geometry addresses {needed}; the caller must check shapes first.");
        }
    }
}
