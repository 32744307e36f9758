namespace InitCore.Backends.Cpu
{
    // The backward passes: data (transposed convolution, a task per image) and filter (dot products along long tiles,
    // CpuGemm for short ones, into a fixed number of chunk accumulators).
    internal static unsafe partial class CpuConv
    {
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
