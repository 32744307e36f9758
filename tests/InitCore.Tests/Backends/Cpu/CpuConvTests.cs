using System;
using InitCore.Backends.Cpu;
using Microsoft.VisualStudio.TestTools.UnitTesting;

namespace InitCore.Tests.Backends
{
    /// <summary>
    /// The CPU convolution (implicit GEMM over tiles of whole images, CpuConv) against a direct double-precision
    /// convolution: forward with bias, backward data and backward filter, on shapes that give several tiles and a
    /// partial last tile, large images cut into bands of output rows, strides, padding, dilation and groups; and
    /// bit-identical results for any thread count.
    /// </summary>
    [TestClass]
    public sealed class CpuConvTests
    {
        // n, c, h, w, k, r, stride, pad, dilation, groups
        public static System.Collections.Generic.IEnumerable<object[]> Shapes => new[]
        {
            new object[] { 37, 1, 28, 28, 8, 5, 2, 2, 1, 1 },    // the lessons' first layer; 37 images: partial last tile
            new object[] { 23, 8, 14, 14, 16, 3, 2, 1, 1, 1 },
            new object[] { 61, 64, 2, 2, 64, 3, 2, 1, 1, 1 },    // 1×1 output, Kred 576
            new object[] { 5, 6, 9, 11, 10, 3, 1, 0, 2, 2 },     // dilation and groups, no padding, non-square
            new object[] { 3, 4, 7, 5, 4, 1, 1, 0, 1, 4 },       // depthwise 1×1
            new object[] { 2, 3, 6, 6, 13, 4, 3, 3, 1, 1 },      // padding larger than needed, even kernel
            new object[] { 2, 3, 75, 75, 4, 3, 1, 1, 1, 1 },     // large images: bands of 13 output rows, the last one shorter
            new object[] { 3, 4, 90, 64, 6, 3, 2, 2, 2, 2 },     // bands with stride, dilation and groups
        };

        private static ConvGeometry Geometry(object[] s) => new ConvGeometry((int)s[0], (int)s[1], (int)s[2], (int)s[3], (int)s[4], (int)s[5], (int)s[5],
            (int)s[6], (int)s[6], (int)s[7], (int)s[7], (int)s[8], (int)s[8], (int)s[9]);

        private static float[] Random(int length, int seed)
        {
            var rng = new Random(seed);
            var a = new float[length];
            for (int i = 0; i < length; i++) a[i] = (float)(rng.NextDouble() * 2 - 1);
            return a;
        }

        private static long XIndex(in ConvGeometry g, int n, int c, int h, int w) => (((long)n * g.C + c) * g.H + h) * g.W + w;

        private static void Reference(in ConvGeometry g, float[] x, float[] wt, float[] bias, float[] dy, out double[] y, out double[] dx, out double[] dw)
        {
            int cpg = g.CPerGroup, kpg = g.KPerGroup;
            y = new double[g.N * g.K * g.P * g.Q];
            dx = new double[x.Length];
            dw = new double[wt.Length];
            for (int n = 0; n < g.N; n++)
                for (int k = 0; k < g.K; k++)
                    for (int p = 0; p < g.P; p++)
                        for (int q = 0; q < g.Q; q++)
                        {
                            int grp = k / kpg, o = ((n * g.K + k) * g.P + p) * g.Q + q;
                            double sum = bias[k];
                            for (int c = 0; c < cpg; c++)
                                for (int r = 0; r < g.R; r++)
                                    for (int s = 0; s < g.S; s++)
                                    {
                                        int h = p * g.StrideH - g.PadH + r * g.DilH, w = q * g.StrideW - g.PadW + s * g.DilW;
                                        if (h < 0 || h >= g.H || w < 0 || w >= g.W) continue;
                                        long xi = XIndex(g, n, grp * cpg + c, h, w);
                                        int wi = ((k * cpg + c) * g.R + r) * g.S + s;
                                        sum += (double)x[xi] * wt[wi];
                                        dx[xi] += (double)dy[o] * wt[wi];
                                        dw[wi] += (double)dy[o] * x[xi];
                                    }
                            y[o] = sum;
                        }
        }

        private static (float[] Y, float[] Dx, float[] Dw) Run(in ConvGeometry g, float[] x, float[] wt, float[] bias, float[] dy, int threads)
        {
            var tables = new CpuConv.TableCache();
            var y = new float[g.N * g.K * g.P * g.Q];
            var dx = new float[x.Length];
            var dw = new float[wt.Length];
            for (int i = 0; i < dx.Length; i++) dx[i] = float.NaN; // backward data must overwrite
            CpuConv.Forward(g, x, wt, bias, y, threads, tables);
            CpuConv.BackwardData(g, dy, wt, dx, threads, tables);
            CpuConv.BackwardFilter(g, x, dy, dw, accumulate: false, threads, tables);
            return (y, dx, dw);
        }

        private static void Close(double[] expected, float[] actual, double tolerance, string what)
        {
            Assert.AreEqual(expected.Length, actual.Length, what);
            for (int i = 0; i < expected.Length; i++)
                if (!(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i]))))
                    Assert.Fail($"{what}[{i}]: expected {expected[i]}, got {actual[i]} (tolerance {tolerance} relative)");
        }

        [TestMethod]
        [DynamicData(nameof(Shapes))]
        public void MatchesDirectConvolution(int n, int c, int h, int w, int k, int r, int stride, int pad, int dilation, int groups)
        {
            ConvGeometry g = Geometry(new object[] { n, c, h, w, k, r, stride, pad, dilation, groups });
            float[] x = Random(n * c * h * w, 1), wt = Random(k * (c / groups) * r * r, 2), bias = Random(k, 3), dy = Random(n * k * g.P * g.Q, 4);
            Reference(g, x, wt, bias, dy, out double[] y, out double[] dx, out double[] dw);
            var (yc, dxc, dwc) = Run(g, x, wt, bias, dy, 2);
            // float32 sums of up to Kred (forward, backward data) or N·P·Q (filter) products of values in [−1, 1].
            Close(y, yc, 1e-5, "y");
            Close(dx, dxc, 1e-5, "dx");
            Close(dw, dwc, 1e-4, "dw");
        }

        [TestMethod]
        [DataRow(70, 8, 14, 16)]    // tiles of whole images
        [DataRow(3, 2, 80, 5)]      // bands of output rows
        public void ResultsAreBitIdenticalForAnyThreadCount(int n, int c, int size, int k)
        {
            ConvGeometry g = Geometry(new object[] { n, c, size, size, k, 3, 2, 1, 1, 1 });
            float[] x = Random(g.N * g.C * g.H * g.W, 5), wt = Random(g.K * g.C * 9, 6), bias = Random(g.K, 7), dy = Random(g.N * g.K * g.P * g.Q, 8);
            var one = Run(g, x, wt, bias, dy, 1);
            foreach (int threads in new[] { 2, 3, 8 })
            {
                var other = Run(g, x, wt, bias, dy, threads);
                CollectionAssert.AreEqual(one.Y, other.Y, $"y with {threads} threads");
                CollectionAssert.AreEqual(one.Dx, other.Dx, $"dx with {threads} threads");
                CollectionAssert.AreEqual(one.Dw, other.Dw, $"dw with {threads} threads");
            }
        }

        [TestMethod]
        public void BackwardFilter_Accumulates()
        {
            ConvGeometry g = Geometry(new object[] { 4, 3, 8, 8, 5, 3, 1, 1, 1, 1 });
            float[] x = Random(g.N * g.C * g.H * g.W, 9), dy = Random(g.N * g.K * g.P * g.Q, 10);
            var tables = new CpuConv.TableCache();
            var once = new float[g.K * g.C * 9];
            CpuConv.BackwardFilter(g, x, dy, once, accumulate: false, 2, tables);
            var twice = (float[])once.Clone();
            CpuConv.BackwardFilter(g, x, dy, twice, accumulate: true, 2, tables);
            for (int i = 0; i < once.Length; i++) Assert.AreEqual(2 * once[i], twice[i], 1e-6 * (1 + Math.Abs(once[i])), $"dw[{i}]");
        }
    }
}
