namespace InitCore.Backends.Cpu
{
    // Moving image data to and from the GEMM's panels: im2col gather and col2im scatter (per tile and per band),
    // the per-geometry offset tables and their cache, and row-panel packing.
    internal static unsafe partial class CpuConv
    {
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
    }
}
