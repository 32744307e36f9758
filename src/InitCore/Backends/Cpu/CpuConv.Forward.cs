using InitCore.Threading;

namespace InitCore.Backends.Cpu
{
    // The forward pass: implicit GEMM over image tiles, bias added in the scatter.
    internal static unsafe partial class CpuConv
    {
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
    }
}
