using System;
using System.Buffers;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;

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

        private readonly struct Plan
        {
            internal Plan(in ConvGeometry g)
            {
                G = g;
                CpuGemm.TileShape(out Mr, out Nr);
                Rows = g.CPerGroup * g.R * g.S;
                Pq = g.P * g.Q;
                int cols = Math.Max(Pq, Math.Min(MaxTileColumns, TileFloats / Math.Max(1, Rows)));
                Images = Math.Max(1, Math.Min(g.N, cols / Pq));
                Tiles = (g.N + Images - 1) / Images;
                Columns = Images * Pq;
                ColumnsPad = RoundUp(Columns, Nr);
                RowsPad = RoundUp(Rows, Nr);
                KPad = RoundUp(g.KPerGroup, Mr);
            }

            internal readonly ConvGeometry G;
            internal readonly int Mr, Nr, Rows, RowsPad, Pq, Images, Tiles, Columns, ColumnsPad, KPad;

            internal int ImagesIn(int tile) => Math.Min(Images, G.N - tile * Images);
        }

        private static int RoundUp(int x, int multiple) => (x + multiple - 1) / multiple * multiple;

        /// <summary>A 64-byte aligned view of a rented array (the micro-kernels load packed B with aligned loads).</summary>
        private static float* Align(float* p) => (float*)(((nint)p + 63) & ~(nint)63);

        /// <summary>
        /// Runs <paramref name="body"/>(worker scratch, task) for tasks 0 … count − 1 on up to <paramref name="threads"/>
        /// workers that claim tasks one at a time; each worker gets its own zeroed scratch of <paramref name="scratchFloats"/>.
        /// </summary>
        private static void Run(int count, int threads, int scratchFloats, Action<IntPtr, int> body)
        {
            int workers = Math.Max(1, Math.Min(threads, count));
            int next = -1;
            void Worker()
            {
                float[] scratch = ArrayPool<float>.Shared.Rent(scratchFloats + 16);
                try
                {
                    fixed (float* raw = scratch)
                    {
                        IntPtr s = (IntPtr)Align(raw);
                        int i;
                        while ((i = Interlocked.Increment(ref next)) < count) body(s, i);
                    }
                }
                finally
                {
                    ArrayPool<float>.Shared.Return(scratch);
                }
            }
            if (workers == 1) Worker();
            else Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, _ => Worker());
        }

        // ------------------------------------------------------------------ forward

        /// <summary>y = conv(x, w) (+ bias per output channel), NCHW, overwriting y.</summary>
        internal static void Forward(in ConvGeometry geometry, float[] x, float[] w, float[]? bias, float[] y, int threads)
        {
            var plan = new Plan(geometry);
            ConvGeometry g = geometry;
            int kpg = g.KPerGroup;
            int aFloats = plan.KPad * plan.Rows;
            float[] packedW = ArrayPool<float>.Shared.Rent(g.Groups * aFloats);
            try
            {
                // W_g in MR-row panels: panel i holds rows i·MR.. as Kred steps of MR floats (zero past K_g).
                for (int grp = 0; grp < g.Groups; grp++)
                    PackRowPanels(w, grp * kpg * plan.Rows, plan.Rows, 1, kpg, plan.Rows, plan.Mr, packedW, grp * aFloats);
                int bFloats = plan.Rows * plan.ColumnsPad, cFloats = plan.KPad * plan.ColumnsPad;
                fixed (float* xp = x, wp = packedW, yp = y)
                fixed (float* bp = bias)
                {
                    float* xs = xp, ws = wp, ys = yp, bs = bp;
                    Run(plan.Tiles, threads, bFloats + cFloats + 16, (scratch, tile) =>
                    {
                        float* packedB = (float*)scratch, c = Align(packedB + bFloats);
                        int n0 = tile * plan.Images, images = plan.ImagesIn(tile);
                        int cols = images * plan.Pq, panels = (cols + plan.Nr - 1) / plan.Nr;
                        for (int grp = 0; grp < g.Groups; grp++)
                        {
                            GatherColumns(plan, xs, grp, n0, images, packedB);
                            float* a0 = ws + (long)grp * aFloats;
                            for (int jp = 0; jp < panels; jp++)
                            {
                                float* b = packedB + jp * plan.Nr;
                                for (int i0 = 0; i0 < kpg; i0 += plan.Mr)
                                    CpuGemm.MicroKernel(plan.Rows, a0 + (long)i0 * plan.Rows, b, plan.ColumnsPad, c + (long)i0 * plan.ColumnsPad + jp * plan.Nr, plan.ColumnsPad, 1f, 0f);
                            }
                            // Scatter the tile to NCHW, adding the bias.
                            for (int k = 0; k < kpg; k++)
                            {
                                int channel = grp * kpg + k;
                                float add = bs != null ? bs[channel] : 0f;
                                float* src = c + (long)k * plan.ColumnsPad;
                                for (int i = 0; i < images; i++)
                                    AddConstant(src + i * plan.Pq, ys + ((long)(n0 + i) * g.K + channel) * plan.Pq, plan.Pq, add);
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

        /// <summary>
        /// im2col of images [n0, n0 + images) for group <paramref name="grp"/>: row kk = (c·R + r)·S + s of the tile
        /// (ColumnsPad floats at packed + kk·ColumnsPad) holds the input under every output position, zero past the last column.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void GatherColumns(in Plan plan, float* x, int grp, int n0, int images, float* packed)
        {
            ConvGeometry g = plan.G;
            int cpg = g.CPerGroup, kh = g.R, kw = g.S, height = g.H, width = g.W, outP = g.P, outQ = g.Q;
            int sh = g.StrideH, sw = g.StrideW, ph = g.PadH, pw = g.PadW, dh = g.DilH, dw = g.DilW, channels = g.C;
            int ld = plan.ColumnsPad, cols = images * plan.Pq;
            long planeSize = (long)height * width;
            int kk = 0;
            for (int c = 0; c < cpg; c++)
                for (int r = 0; r < kh; r++)
                    for (int s = 0; s < kw; s++, kk++)
                    {
                        int wOff = s * dw - pw;
                        ValidRange(outQ, sw, wOff, width, out int qlo, out int qhi);
                        float* d = packed + (long)kk * ld;
                        for (int i = 0; i < images; i++)
                        {
                            float* plane = x + ((long)(n0 + i) * channels + grp * cpg + c) * planeSize;
                            for (int p = 0; p < outP; p++, d += outQ)
                            {
                                int h = p * sh - ph + r * dh;
                                if (h < 0 || h >= height)
                                {
                                    for (int q = 0; q < outQ; q++) d[q] = 0f;
                                    continue;
                                }
                                float* src = plane + (long)h * width + wOff;
                                for (int q = 0; q < qlo; q++) d[q] = 0f;
                                if (sw == 1)
                                    for (int q = qlo; q < qhi; q++) d[q] = src[q];
                                else
                                    for (int q = qlo; q < qhi; q++) d[q] = src[q * sw];
                                for (int q = qhi; q < outQ; q++) d[q] = 0f;
                            }
                        }
                        for (int j = cols; j < ld; j++) d[j - cols] = 0f;
                    }
        }

        /// <summary>The output positions q in [lo, hi) whose input column q·stride + offset lies inside [0, width).</summary>
        private static void ValidRange(int q, int stride, int offset, int width, out int lo, out int hi)
        {
            lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
            hi = width - offset <= 0 ? 0 : Math.Min(q, (width - offset - 1) / stride + 1);
            if (hi < lo) hi = lo;
        }

        private static void AddConstant(float* src, float* dst, int count, float add)
        {
            if (add == 0f)
            {
                Buffer.MemoryCopy(src, dst, (long)count * sizeof(float), (long)count * sizeof(float));
                return;
            }
            for (int i = 0; i < count; i++) dst[i] = src[i] + add;
        }

        /// <summary>
        /// Packs rows [0, count) of a matrix (element (i, k) at src[offset + i·rowStride + k·colStride], k in [0, depth))
        /// into MR-row panels: panel p holds rows p·MR.. as depth steps of MR floats, zero past the last row.
        /// </summary>
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

        /// <summary>dx = conv_transpose(dy, w), overwriting dx.</summary>
        internal static void BackwardData(in ConvGeometry geometry, float[] dy, float[] w, float[] dx, int threads)
        {
            var plan = new Plan(geometry);
            ConvGeometry g = geometry;
            int kpg = g.KPerGroup;
            // Wᵀ_g [Kred × K_g] in MR-row panels over Kred, depth K_g.
            int rowsPadA = RoundUp(plan.Rows, plan.Mr);
            int aFloats = rowsPadA * kpg;
            float[] packedW = ArrayPool<float>.Shared.Rent(g.Groups * aFloats);
            try
            {
                for (int grp = 0; grp < g.Groups; grp++)
                    PackRowPanels(w, grp * kpg * plan.Rows, 1, plan.Rows, plan.Rows, kpg, plan.Mr, packedW, grp * aFloats);
                int bFloats = kpg * plan.ColumnsPad, cFloats = rowsPadA * plan.ColumnsPad;
                fixed (float* dyp = dy, wp = packedW, dxp = dx)
                {
                    float* dys = dyp, ws = wp, dxs = dxp;
                    Run(plan.Tiles, threads, bFloats + cFloats + 16, (scratch, tile) =>
                    {
                        float* packedB = (float*)scratch, c = Align(packedB + bFloats);
                        int n0 = tile * plan.Images, images = plan.ImagesIn(tile);
                        int cols = images * plan.Pq, panels = (cols + plan.Nr - 1) / plan.Nr;
                        long imageFloats = (long)g.C * g.H * g.W;
                        new Span<float>(dxs + n0 * imageFloats, checked((int)(images * imageFloats))).Clear();
                        for (int grp = 0; grp < g.Groups; grp++)
                        {
                            GatherOutputRows(plan, dys, grp, n0, images, packedB);
                            float* a0 = ws + (long)grp * aFloats;
                            for (int jp = 0; jp < panels; jp++)
                            {
                                float* b = packedB + jp * plan.Nr;
                                for (int i0 = 0; i0 < plan.Rows; i0 += plan.Mr)
                                    CpuGemm.MicroKernel(kpg, a0 + (long)i0 * kpg, b, plan.ColumnsPad, c + (long)i0 * plan.ColumnsPad + jp * plan.Nr, plan.ColumnsPad, 1f, 0f);
                            }
                            ScatterColumns(plan, c, grp, n0, images, dxs);
                        }
                    });
                }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(packedW);
            }
        }

        /// <summary>dy of images [n0, n0 + images), the group's channels, as K_g rows of ColumnsPad floats (zero past the last column).</summary>
        private static void GatherOutputRows(in Plan plan, float* dy, int grp, int n0, int images, float* packed)
        {
            ConvGeometry g = plan.G;
            int kpg = g.KPerGroup, pq = plan.Pq, cols = images * pq, ld = plan.ColumnsPad, channels = g.K;
            long bytes = (long)pq * sizeof(float);
            for (int k = 0; k < kpg; k++)
            {
                float* d = packed + (long)k * ld;
                for (int i = 0; i < images; i++)
                    Buffer.MemoryCopy(dy + ((long)(n0 + i) * channels + grp * kpg + k) * pq, d + (long)i * pq, bytes, bytes);
                for (int j = cols; j < ld; j++) d[j] = 0f;
            }
        }

        /// <summary>col2im: adds the tile's column gradients (row kk, column t at c[kk·ColumnsPad + t]) into dx.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ScatterColumns(in Plan plan, float* c, int grp, int n0, int images, float* dx)
        {
            ConvGeometry g = plan.G;
            int kk = 0;
            for (int ch = 0; ch < g.CPerGroup; ch++)
                for (int r = 0; r < g.R; r++)
                    for (int s = 0; s < g.S; s++, kk++)
                    {
                        ValidRange(g.Q, g.StrideW, s * g.DilW - g.PadW, g.W, out int qlo, out int qhi);
                        int wOff = s * g.DilW - g.PadW;
                        float* row = c + (long)kk * plan.ColumnsPad;
                        for (int i = 0; i < images; i++)
                        {
                            float* plane = dx + ((long)(n0 + i) * g.C + grp * g.CPerGroup + ch) * g.H * g.W;
                            for (int p = 0; p < g.P; p++, row += g.Q)
                            {
                                int h = p * g.StrideH - g.PadH + r * g.DilH;
                                if (h < 0 || h >= g.H) continue;
                                float* dst = plane + (long)h * g.W + wOff;
                                for (int q = qlo; q < qhi; q++) dst[q * g.StrideW] += row[q];
                            }
                        }
                    }
        }

        // ------------------------------------------------------------------ backward filter

        /// <summary>dw (+)= Σ over images of dy ⊗ cols, per group.</summary>
        internal static void BackwardFilter(in ConvGeometry geometry, float[] x, float[] dy, float[] dw, bool accumulate, int threads)
        {
            var plan = new Plan(geometry);
            ConvGeometry g = geometry;
            int kpg = g.KPerGroup, rows = plan.Rows, ldc = plan.RowsPad;
            int chunks = Math.Min(FilterChunks, plan.Tiles);
            long accFloats = (long)g.Groups * plan.KPad * ldc;
            float[] acc = ArrayPool<float>.Shared.Rent(checked((int)(chunks * accFloats)));
            try
            {
                int aFloats = plan.KPad * plan.Columns, bFloats = plan.RowsPad * plan.Columns;
                fixed (float* xp = x, dyp = dy, accp = acc)
                {
                    float* xs = xp, dys = dyp, accs = accp;
                    Run(chunks, threads, aFloats + bFloats + 32, (scratch, chunk) =>
                    {
                        float* packedA = (float*)scratch, packedB = Align(packedA + aFloats);
                        int t0 = (int)((long)plan.Tiles * chunk / chunks), t1 = (int)((long)plan.Tiles * (chunk + 1) / chunks);
                        for (int tile = t0; tile < t1; tile++)
                        {
                            int n0 = tile * plan.Images, images = plan.ImagesIn(tile), cols = images * plan.Pq;
                            float beta = tile == t0 ? 0f : 1f;
                            for (int grp = 0; grp < g.Groups; grp++)
                            {
                                GatherOutputColumns(plan, dys, grp, n0, images, packedA);
                                GatherColumnsTransposed(plan, xs, grp, n0, images, packedB);
                                float* c0 = accs + chunk * accFloats + (long)grp * plan.KPad * ldc;
                                for (int jp = 0; jp < plan.RowsPad / plan.Nr; jp++)
                                {
                                    float* b = packedB + jp * plan.Nr;
                                    for (int i0 = 0; i0 < kpg; i0 += plan.Mr)
                                        CpuGemm.MicroKernel(cols, packedA + (long)i0 * cols, b, ldc, c0 + (long)i0 * ldc + jp * plan.Nr, ldc, 1f, beta);
                                }
                            }
                        }
                    });
                }
                // Sum the chunk accumulators in chunk order.
                for (int grp = 0; grp < g.Groups; grp++)
                    for (int k = 0; k < kpg; k++)
                    {
                        int dst = (grp * kpg + k) * rows;
                        long src = ((long)grp * plan.KPad + k) * ldc;
                        for (int kk = 0; kk < rows; kk++)
                        {
                            float sum = 0f;
                            for (int chunk = 0; chunk < chunks; chunk++) sum += acc[chunk * accFloats + src + kk];
                            dw[dst + kk] = accumulate ? dw[dst + kk] + sum : sum;
                        }
                    }
            }
            finally
            {
                ArrayPool<float>.Shared.Return(acc);
            }
        }

        /// <summary>dy of the tile as MR-row panels over the group's output channels, depth = the tile's columns.</summary>
        private static void GatherOutputColumns(in Plan plan, float* dy, int grp, int n0, int images, float* packed)
        {
            ConvGeometry g = plan.G;
            int mr = plan.Mr, kpg = g.KPerGroup, pq = plan.Pq, cols = images * pq;
            for (int i0 = 0; i0 < plan.KPad; i0 += mr)
            {
                float* panel = packed + (long)i0 * cols;
                for (int i = 0; i < mr; i++)
                {
                    int k = i0 + i;
                    float* d = panel + i;
                    if (k >= kpg)
                    {
                        for (int t = 0; t < cols; t++) d[(long)t * mr] = 0f;
                        continue;
                    }
                    for (int img = 0; img < images; img++)
                    {
                        float* src = dy + ((long)(n0 + img) * g.K + grp * kpg + k) * pq;
                        float* dd = d + (long)img * pq * mr;
                        for (int t = 0; t < pq; t++) dd[(long)t * mr] = src[t];
                    }
                }
            }
        }

        /// <summary>
        /// The tile's columns transposed: row t (an output position) holds the RowsPad inputs under it, in the order
        /// kk = (c·R + r)·S + s, zero past Kred.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void GatherColumnsTransposed(in Plan plan, float* x, int grp, int n0, int images, float* packed)
        {
            ConvGeometry g = plan.G;
            int cpg = g.CPerGroup, kh = g.R, kw = g.S, height = g.H, width = g.W, outP = g.P, outQ = g.Q;
            int sh = g.StrideH, sw = g.StrideW, ph = g.PadH, pw = g.PadW, dh = g.DilH, dw = g.DilW, channels = g.C;
            int ld = plan.RowsPad, rows = plan.Rows;
            long planeSize = (long)height * width;
            float* d = packed;
            for (int i = 0; i < images; i++)
            {
                float* image = x + ((long)(n0 + i) * channels + grp * cpg) * planeSize;
                for (int p = 0; p < outP; p++)
                    for (int q = 0; q < outQ; q++, d += ld)
                    {
                        int w0 = q * sw - pw;
                        ValidRange(kw, dw, w0, width, out int slo, out int shi);
                        float* e = d;
                        for (int c = 0; c < cpg; c++)
                        {
                            float* plane = image + c * planeSize;
                            for (int r = 0; r < kh; r++, e += kw)
                            {
                                int h = p * sh - ph + r * dh;
                                if (h < 0 || h >= height)
                                {
                                    for (int s = 0; s < kw; s++) e[s] = 0f;
                                    continue;
                                }
                                float* src = plane + (long)h * width + w0;
                                for (int s = 0; s < slo; s++) e[s] = 0f;
                                for (int s = slo; s < shi; s++) e[s] = src[s * dw];
                                for (int s = shi; s < kw; s++) e[s] = 0f;
                            }
                        }
                        for (int kk = rows; kk < ld; kk++) d[kk] = 0f;
                    }
            }
        }
    }
}
