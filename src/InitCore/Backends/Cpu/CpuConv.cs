using System;
using System.Buffers;
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
    internal static unsafe class CpuConv
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
                    Partitioner.Tasks(pool, workers, count, ref tasks);
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

        // ------------------------------------------------------------------ forward

        /// <summary>y = conv(x, w) (+ bias per output channel), NCHW, overwriting y.</summary>
        internal static void Forward(in ConvGeometry geometry, float[] x, float[] w, float[]? bias, float[] y, int threads, TableCache tables, CpuWorkers? pool = null)
        {
            CheckBuffers(geometry, x, w, y, nameof(y));
            if (bias is not null) CheckLength(nameof(bias), bias.Length, geometry.K);
            var plan = new Plan(geometry);
            ConvGeometry g = geometry;
            int kpg = g.KPerGroup;
            int aFloats = plan.KPad * plan.Rows;
            float[] packedW = ArrayPool<float>.Shared.Rent(g.Groups * aFloats);
            int[]? offsets = plan.Banded ? null : tables.Get(plan);
            try
            {
                // W_g in MR-row panels: panel i holds rows i·MR.. as Kred steps of MR floats (zero past K_g).
                for (int grp = 0; grp < g.Groups; grp++)
                    PackRowPanels(w, grp * kpg * plan.Rows, plan.Rows, 1, kpg, plan.Rows, plan.Mr, packedW, grp * aFloats);
                int bFloats = plan.Rows * plan.ColumnsPad, cFloats = plan.KPad * plan.ColumnsPad;
                fixed (float* xp = x, wp = packedW, yp = y)
                fixed (float* bp = bias)
                fixed (int* op = offsets)
                {
                    var body = new ForwardTiles(plan, xp, wp, yp, bp, op, aFloats, bFloats);
                    Run(plan.Tiles, threads, bFloats + cFloats + 16, ref body, pool);
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(packedW);
            }
        }

        /// <summary>One forward tile: gather its columns, multiply with each group's packed weights, write NCHW plus bias.</summary>
        private readonly struct ForwardTiles : IScratchBody
        {
            private readonly Plan _plan;
            private readonly float* _x, _w, _y, _bias;
            private readonly int* _offsets;
            private readonly int _aFloats, _bFloats;

            internal ForwardTiles(in Plan plan, float* x, float* w, float* y, float* bias, int* offsets, int aFloats, int bFloats)
            {
                _plan = plan; _x = x; _w = w; _y = y; _bias = bias; _offsets = offsets; _aFloats = aFloats; _bFloats = bFloats;
            }

            [MethodImpl(Jit.Hot)]
            public void Invoke(float* scratch, int index)
            {
                Plan plan = _plan;
                ConvGeometry g = plan.G;
                int kpg = g.KPerGroup;
                float* cols = scratch, c = Align(cols + _bFloats);
                Tile tile = plan[index];
                int panels = (tile.Columns + plan.Nr - 1) / plan.Nr, ld = plan.ColumnsPad;
                for (int grp = 0; grp < g.Groups; grp++)
                {
                    Gather(plan, tile, grp, _offsets, _x, cols);
                    float* a0 = _w + (long)grp * _aFloats;
                    for (int jp = 0; jp < panels; jp++)
                        for (int i0 = 0; i0 < kpg; i0 += plan.Mr)
                            CpuGemm.MicroKernel(plan.Rows, a0 + (long)i0 * plan.Rows, cols + jp * plan.Nr, ld, c + (long)i0 * ld + jp * plan.Nr, ld, 1f, 0f);
                    // The tile's rows to NCHW, adding the bias.
                    int run = tile.Rows * g.Q;
                    for (int k = 0; k < kpg; k++)
                    {
                        int channel = grp * kpg + k;
                        float add = _bias != null ? _bias[channel] : 0f;
                        float* src = c + (long)k * ld;
                        for (int i = 0; i < tile.Images; i++, src += run)
                        {
                            float* dst = _y + (((long)(tile.N0 + i) * g.K + channel) * g.P + tile.P0) * g.Q;
                            for (int t = 0; t < run; t++) dst[t] = src[t] + add;
                        }
                    }
                }
            }
        }

        /// <summary>im2col of one tile of group <paramref name="grp"/> into rows of ColumnsPad floats (zero past the tile's columns).</summary>
        private static void Gather(in Plan plan, in Tile tile, int grp, int* offsets, float* x, float* cols)
        {
            ConvGeometry g = plan.G;
            float* image = x + ((long)tile.N0 * g.C + grp * g.CPerGroup) * g.H * g.W;
            if (plan.Banded) GatherBand(plan, tile, image, cols);
            else GatherColumns(plan.Rows, plan.ColumnsPad, tile.Columns, offsets, image, cols);
        }

        /// <summary>col2im of one tile of group <paramref name="grp"/>: adds the column gradients into dx.</summary>
        private static void Scatter(in Plan plan, in Tile tile, int grp, int* offsets, float* c, float* dx)
        {
            ConvGeometry g = plan.G;
            float* image = dx + ((long)tile.N0 * g.C + grp * g.CPerGroup) * g.H * g.W;
            if (plan.Banded) ScatterBand(plan, tile, c, image);
            else ScatterColumns(plan.Rows, plan.ColumnsPad, tile.Columns, offsets, c, image);
        }

        /// <summary>im2col of a band of output rows of one image (from its group's first channel), by loops.</summary>
        [MethodImpl(Jit.Hot)]
        private static void GatherBand(in Plan plan, in Tile tile, float* x, float* cols)
        {
            ConvGeometry g = plan.G;
            int ld = plan.ColumnsPad, width = g.W, height = g.H, outQ = g.Q, sw = g.StrideW;
            long planeSize = (long)g.H * g.W;
            int kk = 0;
            for (int c = 0; c < g.CPerGroup; c++)
                for (int r = 0; r < g.R; r++)
                    for (int s = 0; s < g.S; s++, kk++)
                    {
                        int wOff = s * g.DilW - g.PadW;
                        ValidRange(outQ, sw, wOff, width, out int qlo, out int qhi);
                        float* d = cols + (long)kk * ld;
                        for (int p = tile.P0; p < tile.P0 + tile.Rows; p++, d += outQ)
                        {
                            int h = p * g.StrideH - g.PadH + r * g.DilH;
                            if (h < 0 || h >= height)
                            {
                                new Span<float>(d, outQ).Clear();
                                continue;
                            }
                            float* src = x + c * planeSize + (long)h * width + wOff;
                            for (int q = 0; q < qlo; q++) d[q] = 0f;
                            for (int q = qlo; q < qhi; q++) d[q] = src[q * sw];
                            for (int q = qhi; q < outQ; q++) d[q] = 0f;
                        }
                        for (int t = tile.Columns; t < ld; t++) d[t - tile.Columns] = 0f;
                    }
        }

        /// <summary>col2im of a band of output rows of one image (into its group's first channel), by loops.</summary>
        [MethodImpl(Jit.Hot)]
        private static void ScatterBand(in Plan plan, in Tile tile, float* c, float* dx)
        {
            ConvGeometry g = plan.G;
            int ld = plan.ColumnsPad, width = g.W, height = g.H, outQ = g.Q, sw = g.StrideW;
            long planeSize = (long)g.H * g.W;
            int kk = 0;
            for (int ch = 0; ch < g.CPerGroup; ch++)
                for (int r = 0; r < g.R; r++)
                    for (int s = 0; s < g.S; s++, kk++)
                    {
                        int wOff = s * g.DilW - g.PadW;
                        ValidRange(outQ, sw, wOff, width, out int qlo, out int qhi);
                        float* v = c + (long)kk * ld;
                        for (int p = tile.P0; p < tile.P0 + tile.Rows; p++, v += outQ)
                        {
                            int h = p * g.StrideH - g.PadH + r * g.DilH;
                            if (h < 0 || h >= height) continue;
                            float* dst = dx + ch * planeSize + (long)h * width + wOff;
                            for (int q = qlo; q < qhi; q++) dst[q * sw] += v[q];
                        }
                    }
        }

        /// <summary>
        /// The im2col pattern of one full tile: entry kk·ColumnsPad + t is the offset, from the first channel of the
        /// tile's first image in the group, of the input under column t (image i, position p·Q + q) for row
        /// kk = (c·R + r)·S + s, or −1 where that tap falls in the padding (or t is past the tile's columns).
        /// The same for every tile and group, so it is built once per call.
        /// </summary>
        private static int[] BuildOffsets(in Plan plan)
        {
            ConvGeometry g = plan.G;
            int ld = plan.ColumnsPad;
            int plane = g.H * g.W, image = g.C * plane;
            var table = new int[plan.Rows * ld];
            int kk = 0;
            for (int c = 0; c < g.CPerGroup; c++)
                for (int r = 0; r < g.R; r++)
                    for (int s = 0; s < g.S; s++, kk++)
                    {
                        int t = kk * ld;
                        for (int i = 0; i < plan.Images; i++)
                            for (int p = 0; p < g.P; p++)
                            {
                                int h = p * g.StrideH - g.PadH + r * g.DilH;
                                bool rowValid = h >= 0 && h < g.H;
                                int rowBase = i * image + c * plane + h * g.W;
                                for (int q = 0; q < g.Q; q++, t++)
                                {
                                    int w = q * g.StrideW - g.PadW + s * g.DilW;
                                    table[t] = rowValid && w >= 0 && w < g.W ? rowBase + w : -1;
                                }
                            }
                        for (int e = plan.Columns; e < ld; e++) table[t++] = -1;
                    }
            return table;
        }

        /// <summary>
        /// The offset tables of the geometries an engine has run, so training does not rebuild them every batch.
        /// Owned by one CPU backend (no global state); at most <see cref="Capacity"/> entries, then it starts over.
        /// </summary>
        internal sealed class TableCache
        {
            private const int Capacity = 64;
            private readonly System.Collections.Generic.Dictionary<ConvGeometry, int[]> _tables = new System.Collections.Generic.Dictionary<ConvGeometry, int[]>();

            internal int[] Get(in Plan plan)
            {
                lock (_tables)
                {
                    if (_tables.TryGetValue(plan.G, out int[]? table)) return table;
                }
                int[] built = BuildOffsets(plan);
                lock (_tables)
                {
                    if (_tables.Count >= Capacity) _tables.Clear();
                    _tables[plan.G] = built;
                }
                return built;
            }
        }

        /// <summary>
        /// im2col of one tile: packed[kk·ColumnsPad + t] = the input at <paramref name="offsets"/>[kk·ColumnsPad + t]
        /// from <paramref name="x"/> (the tile's first image, the group's first channel), zero for −1 and for t ≥ cols.
        /// </summary>
        [MethodImpl(Jit.Hot)]
        private static void GatherColumns(int rows, int ld, int cols, int* offsets, float* x, float* packed)
        {
            for (int kk = 0; kk < rows; kk++)
            {
                int* o = offsets + (long)kk * ld;
                float* d = packed + (long)kk * ld;
                int t = 0;
#if NET8_0_OR_GREATER
                if (Avx2.IsSupported)
                {
                    // Eight lanes per masked hardware gather; the −1 entries (padding) keep the zero source.
                    var none = Vector256.Create(-1);
                    var zero = Vector256<float>.Zero;
                    for (; t <= cols - 8; t += 8)
                    {
                        var index = Avx.LoadVector256(o + t);
                        var mask = Avx2.CompareGreaterThan(index, none).AsSingle();
                        Avx.Store(d + t, Avx2.GatherMaskVector256(zero, x, index, mask, 4));
                    }
                }
#endif
                for (; t < cols; t++)
                {
                    int at = o[t];
                    d[t] = at >= 0 ? x[at] : 0f;
                }
                for (; t < ld; t++) d[t] = 0f;
            }
        }

        /// <summary>col2im of one tile: dx[offsets[kk·ColumnsPad + t]] += c[kk·ColumnsPad + t] for t &lt; cols, skipping −1.</summary>
        [MethodImpl(Jit.Hot)]
        private static void ScatterColumns(int rows, int ld, int cols, int* offsets, float* c, float* dx)
        {
            for (int kk = 0; kk < rows; kk++)
            {
                int* o = offsets + (long)kk * ld;
                float* v = c + (long)kk * ld;
                for (int t = 0; t < cols; t++)
                {
                    int at = o[t];
                    if (at >= 0) dx[at] += v[t];
                }
            }
        }

        /// <summary>The output positions q in [lo, hi) whose input column q·stride + offset lies inside [0, width).</summary>
        private static void ValidRange(int q, int stride, int offset, int width, out int lo, out int hi)
        {
            lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
            hi = width - offset <= 0 ? 0 : Math.Min(q, (width - offset - 1) / stride + 1);
            if (hi < lo) hi = lo;
        }

        /// <summary>
        /// Packs rows [0, count) of a matrix (element (i, k) at src[offset + i·rowStride + k·colStride], k in [0, depth))
        /// into MR-row panels: panel p holds rows p·MR.. as depth steps of MR floats, zero past the last row.
        /// </summary>
        [MethodImpl(Jit.Hot)]
        private static void PackRowPanels(float[] src, int offset, int rowStride, int colStride, int count, int depth, int mr, float[] dst, int dstOffset)
        {
            int panels = (count + mr - 1) / mr;
            for (int p = 0; p < panels; p++)
                for (int k = 0; k < depth; k++)
                    for (int i = 0; i < mr; i++)
                    {
                        int row = p * mr + i;
                        dst[dstOffset + ((long)p * depth + k) * mr + i] = row < count ? src[offset + row * rowStride + k * colStride] : 0f;
                    }
        }

        // ------------------------------------------------------------------ backward data

        /// <summary>dx = conv_transpose(dy, w), overwriting dx. A task owns whole images of dx (all bands of a banded image).</summary>
        internal static void BackwardData(in ConvGeometry geometry, float[] dy, float[] w, float[] dx, int threads, TableCache tables)
        {
            CheckBuffers(geometry, dx, w, dy, nameof(dy));
            var plan = new Plan(geometry);
            ConvGeometry g = geometry;
            int kpg = g.KPerGroup;
            // Wᵀ_g [Kred × K_g] in MR-row panels over Kred, depth K_g.
            int rowsPadA = RoundUp(plan.Rows, plan.Mr);
            int aFloats = rowsPadA * kpg;
            float[] packedW = ArrayPool<float>.Shared.Rent(g.Groups * aFloats);
            int[]? offsets = plan.Banded ? null : tables.Get(plan);
            try
            {
                for (int grp = 0; grp < g.Groups; grp++)
                    PackRowPanels(w, grp * kpg * plan.Rows, 1, plan.Rows, plan.Rows, kpg, plan.Mr, packedW, grp * aFloats);
                int bFloats = kpg * plan.ColumnsPad, cFloats = rowsPadA * plan.ColumnsPad;
                long imageFloats = (long)g.C * g.H * g.W;
                fixed (float* dyp = dy, wp = packedW, dxp = dx)
                fixed (int* op = offsets)
                {
                    float* dys = dyp, ws = wp, dxs = dxp;
                    int* os = op;
                    int tasks = plan.Banded ? g.N : plan.Tiles, tilesPerTask = plan.Banded ? plan.Bands : 1;
                    Run(tasks, threads, bFloats + cFloats + 16, [MethodImpl(Jit.Hot)] (scratch, task) =>
                    {
                        float* dyRows = (float*)scratch, c = Align(dyRows + bFloats);
                        int ld = plan.ColumnsPad;
                        for (int index = task * tilesPerTask; index < (task + 1) * tilesPerTask; index++)
                        {
                            Tile tile = plan[index];
                            if (tile.P0 == 0) new Span<float>(dxs + tile.N0 * imageFloats, checked((int)(tile.Images * imageFloats))).Clear();
                            int panels = (tile.Columns + plan.Nr - 1) / plan.Nr;
                            for (int grp = 0; grp < g.Groups; grp++)
                            {
                                GatherOutputRows(plan, tile, grp, dys, dyRows);
                                float* a0 = ws + (long)grp * aFloats;
                                for (int jp = 0; jp < panels; jp++)
                                    for (int i0 = 0; i0 < plan.Rows; i0 += plan.Mr)
                                        CpuGemm.MicroKernel(kpg, a0 + (long)i0 * kpg, dyRows + jp * plan.Nr, ld, c + (long)i0 * ld + jp * plan.Nr, ld, 1f, 0f);
                                Scatter(plan, tile, grp, os, c, dxs);
                            }
                        }
                    });
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(packedW);
            }
        }

        /// <summary>dy of one tile, the group's channels, as K_g rows of ColumnsPad floats (zero past the tile's columns).</summary>
        [MethodImpl(Jit.Hot)]
        private static void GatherOutputRows(in Plan plan, in Tile tile, int grp, float* dy, float* rows)
        {
            ConvGeometry g = plan.G;
            int kpg = g.KPerGroup, ld = plan.ColumnsPad, run = tile.Rows * g.Q;
            long bytes = (long)run * sizeof(float);
            for (int k = 0; k < kpg; k++)
            {
                float* d = rows + (long)k * ld;
                for (int i = 0; i < tile.Images; i++, d += run)
                {
                    float* src = dy + (((long)(tile.N0 + i) * g.K + grp * kpg + k) * g.P + tile.P0) * g.Q;
                    if (run >= 64) Buffer.MemoryCopy(src, d, bytes, bytes);
                    else for (int t = 0; t < run; t++) d[t] = src[t];
                }
                for (int t = tile.Columns; t < ld; t++) d[t - tile.Columns] = 0f;
            }
        }

        // ------------------------------------------------------------------ backward filter

        /// <summary>
        /// dw (+)= Σ over images of dy · colsᵀ, per group. Each tile is gathered like the forward pass (im2col rows and
        /// the matching dy rows, both with the tile's columns contiguous) and multiplied, as dot products along the
        /// columns for long tiles or with <see cref="CpuGemm"/> on one thread (its packing transposes with SIMD) for
        /// short ones, into one of a fixed number of chunk accumulators.
        /// </summary>
        /// <summary>
        /// Tiles at least this many columns long take the filter gradient as dot products (<see cref="Dots"/>); shorter
        /// ones through CpuGemm, whose packing costs less than the dot products' horizontal sums there. Measured on the
        /// lessons' CNN (Zen 5): dots won at 980 and 441 columns, lost at 224, 112 and 56.
        /// </summary>
        private const int DotColumns = 320;

        /// <summary>Lanes of the dot-product kernel; ColumnsPad (a multiple of every NR) is a multiple of it.</summary>
        private static int DotWidth =>
#if NET8_0_OR_GREATER
            Avx512F.IsSupported ? 16 :
#endif
            System.Numerics.Vector<float>.Count;

        /// <summary>
        /// c[i·ldc + j] = Σₜ a[i·ld + t]·b[j·ld + t] (+ beta·c) for i &lt; m, j &lt; n, t &lt; length (a multiple of
        /// <see cref="DotWidth"/>): the filter gradient straight from the gathered rows, which both run along the tile's
        /// columns, so nothing is transposed or packed. Blocks of 4×4 dot products share their loads.
        /// </summary>
        [MethodImpl(Jit.Hot)]
        private static void Dots(float* a, int m, float* b, int n, int ld, int length, float* c, int ldc, float beta)
        {
            int i = 0;
            for (; i + 4 <= m; i += 4)
            {
                int j = 0;
                for (; j + 4 <= n; j += 4) Dots4x4(a + (long)i * ld, b + (long)j * ld, ld, length, c + (long)i * ldc + j, ldc, beta);
                for (; j < n; j++)
                    for (int r = 0; r < 4; r++) Store(c + (long)(i + r) * ldc + j, Dot(a + (long)(i + r) * ld, b + (long)j * ld, length), beta);
            }
            for (; i < m; i++)
                for (int j = 0; j < n; j++) Store(c + (long)i * ldc + j, Dot(a + (long)i * ld, b + (long)j * ld, length), beta);
        }

        private static void Store(float* c, float value, float beta) => *c = beta == 0f ? value : value + beta * *c;

        [MethodImpl(Jit.Hot)]
        private static float Dot(float* x, float* y, int length)
        {
#if NET8_0_OR_GREATER
            if (Avx512F.IsSupported)
            {
                var acc = Vector512<float>.Zero;
                for (int t = 0; t < length; t += 16) acc = Avx512F.FusedMultiplyAdd(Avx512F.LoadVector512(x + t), Avx512F.LoadVector512(y + t), acc);
                return Vector512.Sum(acc);
            }
#endif
            var sum = System.Numerics.Vector<float>.Zero;
            int w = System.Numerics.Vector<float>.Count;
            for (int t = 0; t < length; t += w)
                sum += *(System.Numerics.Vector<float>*)(x + t) * *(System.Numerics.Vector<float>*)(y + t);
            return System.Numerics.Vector.Dot(sum, System.Numerics.Vector<float>.One);
        }

        [MethodImpl(Jit.Hot)]
        private static void Dots4x4(float* a, float* b, int ld, int length, float* c, int ldc, float beta)
        {
#if NET8_0_OR_GREATER
            if (Avx512F.IsSupported)
            {
                Vector512<float> c00 = default, c01 = default, c02 = default, c03 = default, c10 = default, c11 = default, c12 = default, c13 = default;
                Vector512<float> c20 = default, c21 = default, c22 = default, c23 = default, c30 = default, c31 = default, c32 = default, c33 = default;
                float* a1 = a + ld, a2 = a + 2 * ld, a3 = a + 3 * ld, b1 = b + ld, b2 = b + 2 * ld, b3 = b + 3 * ld;
                for (int t = 0; t < length; t += 16)
                {
                    var y0 = Avx512F.LoadVector512(b + t); var y1 = Avx512F.LoadVector512(b1 + t);
                    var y2 = Avx512F.LoadVector512(b2 + t); var y3 = Avx512F.LoadVector512(b3 + t);
                    var x = Avx512F.LoadVector512(a + t);
                    c00 = Avx512F.FusedMultiplyAdd(x, y0, c00); c01 = Avx512F.FusedMultiplyAdd(x, y1, c01); c02 = Avx512F.FusedMultiplyAdd(x, y2, c02); c03 = Avx512F.FusedMultiplyAdd(x, y3, c03);
                    x = Avx512F.LoadVector512(a1 + t);
                    c10 = Avx512F.FusedMultiplyAdd(x, y0, c10); c11 = Avx512F.FusedMultiplyAdd(x, y1, c11); c12 = Avx512F.FusedMultiplyAdd(x, y2, c12); c13 = Avx512F.FusedMultiplyAdd(x, y3, c13);
                    x = Avx512F.LoadVector512(a2 + t);
                    c20 = Avx512F.FusedMultiplyAdd(x, y0, c20); c21 = Avx512F.FusedMultiplyAdd(x, y1, c21); c22 = Avx512F.FusedMultiplyAdd(x, y2, c22); c23 = Avx512F.FusedMultiplyAdd(x, y3, c23);
                    x = Avx512F.LoadVector512(a3 + t);
                    c30 = Avx512F.FusedMultiplyAdd(x, y0, c30); c31 = Avx512F.FusedMultiplyAdd(x, y1, c31); c32 = Avx512F.FusedMultiplyAdd(x, y2, c32); c33 = Avx512F.FusedMultiplyAdd(x, y3, c33);
                }
                Store(c, Vector512.Sum(c00), beta); Store(c + 1, Vector512.Sum(c01), beta); Store(c + 2, Vector512.Sum(c02), beta); Store(c + 3, Vector512.Sum(c03), beta);
                c += ldc;
                Store(c, Vector512.Sum(c10), beta); Store(c + 1, Vector512.Sum(c11), beta); Store(c + 2, Vector512.Sum(c12), beta); Store(c + 3, Vector512.Sum(c13), beta);
                c += ldc;
                Store(c, Vector512.Sum(c20), beta); Store(c + 1, Vector512.Sum(c21), beta); Store(c + 2, Vector512.Sum(c22), beta); Store(c + 3, Vector512.Sum(c23), beta);
                c += ldc;
                Store(c, Vector512.Sum(c30), beta); Store(c + 1, Vector512.Sum(c31), beta); Store(c + 2, Vector512.Sum(c32), beta); Store(c + 3, Vector512.Sum(c33), beta);
                return;
            }
#endif
            for (int r = 0; r < 4; r++)
                for (int j = 0; j < 4; j++) Store(c + (long)r * ldc + j, Dot(a + (long)r * ld, b + (long)j * ld, length), beta);
        }

        internal static void BackwardFilter(in ConvGeometry geometry, float[] x, float[] dy, float[] dw, bool accumulate, int threads, TableCache tables)
        {
            CheckBuffers(geometry, x, dw, dy, nameof(dy));
            var plan = new Plan(geometry);
            ConvGeometry g = geometry;
            int kpg = g.KPerGroup, rows = plan.Rows, ld = plan.ColumnsPad;
            int chunks = Math.Min(FilterChunks, plan.Tiles);
            int accFloats = g.Groups * kpg * rows;
            float[] acc = ArrayPool<float>.Shared.Rent(chunks * accFloats);
            int[]? offsets = plan.Banded ? null : tables.Get(plan);
            try
            {
                int aFloats = kpg * ld, bFloats = rows * ld;
                fixed (float* xp = x, dyp = dy, accp = acc)
                fixed (int* op = offsets)
                {
                    float* xs = xp, dys = dyp, accs = accp;
                    int* os = op;
                    Run(chunks, threads, aFloats + bFloats + 32, [MethodImpl(Jit.Hot)] (scratch, chunk) =>
                    {
                        float* dyRows = (float*)scratch, cols = Align(dyRows + aFloats);
                        int t0 = (int)((long)plan.Tiles * chunk / chunks), t1 = (int)((long)plan.Tiles * (chunk + 1) / chunks);
                        for (int index = t0; index < t1; index++)
                        {
                            Tile tile = plan[index];
                            float beta = index == t0 ? 0f : 1f;
                            for (int grp = 0; grp < g.Groups; grp++)
                            {
                                GatherOutputRows(plan, tile, grp, dys, dyRows);
                                Gather(plan, tile, grp, os, xs, cols);
                                float* c = accs + (long)chunk * accFloats + grp * kpg * rows;
                                if (plan.Columns >= DotColumns)
                                    Dots(dyRows, kpg, cols, rows, ld, RoundUp(tile.Columns, DotWidth), c, rows, beta);
                                else
                                    CpuGemm.Sgemm(false, true, kpg, rows, tile.Columns, 1f, new ReadOnlySpan<float>(dyRows, aFloats), ld,
                                        new ReadOnlySpan<float>(cols, bFloats), ld, beta, new Span<float>(c, kpg * rows), rows, 1);
                            }
                        }
                    });
                }
                // Sum the chunk accumulators in chunk order.
                for (int e = 0; e < accFloats; e++)
                {
                    float sum = 0f;
                    for (int chunk = 0; chunk < chunks; chunk++) sum += acc[chunk * accFloats + e];
                    dw[e] = accumulate ? dw[e] + sum : sum;
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(acc);
            }
        }
    }
}
