using System;
using System.Collections.Generic;
using System.Linq;
using ScottPlot;

namespace InitCore.Samples
{
    /// <summary>
    /// Small line charts for the samples' own series (InitCore.Plots draws ActivationStats and weights; these are the
    /// experiments' numbers). ScottPlot comes in with the InitCore.Plots reference.
    /// </summary>
    internal static class Charts
    {
        // Skia answers an unknown family with whatever font it finds first; ask for common sans-serif families by name.
        private static readonly Lazy<string> Sans = new Lazy<string>(() =>
        {
            foreach (string family in new[] { "DejaVu Sans", "Liberation Sans", "Noto Sans", "Segoe UI", "Arial", "Helvetica" })
                if (string.Equals(Fonts.GetTypeface(family, false, false)?.FamilyName, family, StringComparison.OrdinalIgnoreCase))
                    return family;
            return Fonts.Sans;
        });

        /// <summary>One named series of y values at x = 1, 2, …; a NaN ends the visible line (nothing to draw past it).</summary>
        public sealed record Series(string Name, IReadOnlyList<double> Values);

        /// <summary>Writes a PNG line chart of <paramref name="series"/>, with optional vertical markers at <paramref name="markers"/>.</summary>
        public static void Lines(string path, string title, string xLabel, string yLabel, IEnumerable<Series> series, IEnumerable<double>? markers = null,
            int width = 1000, int height = 500)
        {
            var plot = new Plot();
            plot.Font.Set(Sans.Value);
            var palette = new ScottPlot.Palettes.Category10();
            int i = 0;
            foreach (Series s in series)
            {
                // Only the finite prefix: a series that overflows or underflows has nothing more to show.
                int n = 0;
                while (n < s.Values.Count && double.IsFinite(s.Values[n])) n++;
                Color colour = palette.GetColor(i++);
                if (n == 0) continue;
                double[] xs = Enumerable.Range(1, n).Select(x => (double)x).ToArray();
                var line = plot.Add.ScatterLine(xs, s.Values.Take(n).ToArray(), colour);
                line.LineWidth = 2;
                line.MarkerSize = n == 1 ? 6 : 0;
                line.LegendText = s.Name;
            }
            foreach (double x in markers ?? Enumerable.Empty<double>())
            {
                var v = plot.Add.VerticalLine(x);
                v.LineWidth = 1;
                v.Color = Colors.Gray.WithAlpha(0.6);
            }
            plot.Title(title);
            plot.XLabel(xLabel);
            plot.YLabel(yLabel);
            plot.ShowLegend(Alignment.UpperRight);
            plot.SavePng(path, width, height);
        }

        /// <summary>
        /// Writes a PNG of square grey-scale images (values in [0, 1], row-major, <paramref name="size"/>² each) in a grid of
        /// <paramref name="columns"/> columns, one pixel apart.
        /// </summary>
        public static void Images(string path, string title, IReadOnlyList<float[]> images, int columns, int size, int pixelsPerCell = 4)
        {
            int rows = (images.Count + columns - 1) / columns, cell = size + 1;
            var grid = new double[rows * cell - 1, columns * cell - 1];
            for (int k = 0; k < images.Count; k++)
                for (int r = 0; r < size; r++)
                    for (int c = 0; c < size; c++)
                        grid[k / columns * cell + r, k % columns * cell + c] = images[k][r * size + c];
            var plot = new Plot();
            plot.Font.Set(Sans.Value);
            var heatmap = plot.Add.Heatmap(grid);
            heatmap.Colormap = new ScottPlot.Colormaps.Grayscale();
            heatmap.ManualRange = new ScottPlot.Range(0, 1);
            plot.Axes.TightMargins();
            plot.HideAxesAndGrid();
            plot.Title(title);
            plot.SavePng(path, columns * cell * pixelsPerCell, rows * cell * pixelsPerCell + 40);
        }
    }
}
