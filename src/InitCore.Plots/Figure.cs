using System;
using System.Collections.Generic;
using System.Linq;
using ScottPlot;
using ScottPlot.Plottables;
using SkiaSharp;

namespace InitCore.Plots
{
    /// <summary>A grid of subplots in the house style, with an optional legend column, written to a file once filled in.</summary>
    internal sealed class Figure : IDisposable
    {
        private const float TitleSize = 14, GridTitleSize = 12, MinTitleSize = 8, LabelSize = 13, LegendSize = 12;

        // Skia answers an unknown family with its first font (often a serif) and ScottPlot's Fonts.Sans trusts
        // that answer, so ask for common sans-serif families by name and keep the first that really exists.
        private static readonly Lazy<string> SansFont = new Lazy<string>(() =>
        {
            foreach (string family in new[] { "DejaVu Sans", "Liberation Sans", "Noto Sans", "Segoe UI", "Arial", "Helvetica" })
                if (string.Equals(Fonts.GetTypeface(family, false, false)?.FamilyName, family, StringComparison.OrdinalIgnoreCase))
                    return family;
            return Fonts.Sans;
        });

        private readonly Multiplot _multiplot = new Multiplot();
        private readonly int _rows;
        private readonly int _columns;
        private readonly Dictionary<Plot, string> _titles = new Dictionary<Plot, string>();
        private Plot? _legend;
        private float _legendWidth;

        /// <param name="count">Number of data subplots.</param>
        /// <param name="rows">Grid rows (rows × columns ≥ count).</param>
        /// <param name="columns">Grid columns.</param>
        /// <param name="colours">How many distinct colours the series need; picks the palette.</param>
        internal Figure(int count, int rows, int columns, int colours)
        {
            _rows = rows;
            _columns = columns;
            _multiplot.AddPlots(count);
            Plots = _multiplot.GetPlots();
            // Ten colours are easier to tell apart than twenty, so the larger palette only when needed.
            Palette = colours <= 10 ? new ScottPlot.Palettes.Category10() : new ScottPlot.Palettes.Category20();
            foreach (Plot plot in Plots)
            {
                plot.Font.Set(SansFont.Value);
                plot.Axes.Bottom.Label.FontSize = LabelSize;
                plot.Axes.Left.Label.FontSize = LabelSize;
            }
        }

        /// <summary>The data subplots, row by row.</summary>
        internal Plot[] Plots { get; }

        /// <summary>The series colours.</summary>
        internal IPalette Palette { get; }

        /// <summary>Rows and columns for <paramref name="count"/> subplots, as fastai's get_grid: ⌊√n⌋ rows.</summary>
        internal static (int Rows, int Columns) Grid(int count)
        {
            int rows = Math.Max(1, (int)Math.Sqrt(count));
            return (rows, (count + rows - 1) / rows);
        }

        /// <summary>"Activations", "Activation gradients" or "Weight gradients".</summary>
        internal static string KindName(StatKind kind) => kind switch
        {
            StatKind.Activation => "Activations",
            StatKind.ActivationGradient => "Activation gradients",
            _ => "Weight gradients",
        };

        /// <summary>A line of one value per record of <paramref name="layer"/> against the batch, in the layer's colour.</summary>
        internal Scatter Line(Plot plot, LayerSeries layer, double[] values)
        {
            Scatter line = plot.Add.ScatterLine(layer.Batches, values, Palette.GetColor(layer.Index));
            line.LineWidth = 1.5f;
            line.MarkerSize = values.Length == 1 ? 6 : 0;   // a single record has no line to draw
            return line;
        }

        /// <summary>Bars touching each other, one per histogram bin, on a count axis with whole-number ticks.</summary>
        internal static void Bars(Plot plot, Histogram histogram, Color colour)
        {
            var bars = new List<Bar>(histogram.Counts.Length);
            for (int i = 0; i < histogram.Counts.Length; i++)
                bars.Add(new Bar
                {
                    Position = histogram.Center(i),
                    Value = histogram.Counts[i],
                    Size = histogram.BinWidth,
                    FillColor = colour,
                    LineWidth = 0,
                });
            plot.Add.Bars(bars);
            plot.Axes.Margins(bottom: 0);
            plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        }

        /// <summary>Title and axis labels; the title shrinks (and at worst is shortened) at save time to fit its cell.</summary>
        internal void Titles(Plot plot, string title, string x, string y)
        {
            _titles[plot] = title;
            plot.XLabel(x);
            plot.YLabel(y);
        }

        /// <summary>A legend column on the right with one line per item.</summary>
        internal void Legend(IEnumerable<(string Name, Color Colour)> items)
        {
            var list = items.ToList();
            _legend = _multiplot.AddPlot();
            _legend.Layout.Frameless();
            _legend.HideGrid();
            _legend.Legend.FontName = SansFont.Value;
            _legend.Legend.FontSize = LegendSize;
            _legend.ShowLegend(list.Select(i => new LegendItem { LabelText = i.Name, LineColor = i.Colour, LineWidth = 2 }), Alignment.MiddleLeft);
            // Symbol, paddings and outline around the widest label.
            _legendWidth = list.Max(i => TextWidth(i.Name, LegendSize)) + 70;
        }

        /// <summary>Renders the figure into <paramref name="path"/>.</summary>
        internal void Save(string path, PlotFormat format, int width, int height)
        {
            var layout = new GridLayout(_rows, _columns, _legendWidth);
            _multiplot.Layout = layout;
            float size = Plots.Length > 1 ? GridTitleSize : TitleSize;
            float room = layout.CellWidth(width) - 16;
            foreach (var (plot, title) in _titles) Fit(plot, title, size, room);
            PlotFile.Save(_multiplot, path, format, width, height);
        }

        /// <summary>
        /// Sets the title at <paramref name="size"/> points or smaller so that it fits in <paramref name="room"/> pixels:
        /// first shrunk to a readable size, then broken into two lines at a comma, then shrunk further, and only then shortened.
        /// </summary>
        private static void Fit(Plot plot, string title, float size, float room)
        {
            bool bold = plot.Axes.Title.Label.Bold;
            float Width(string text, float points) => text.Split('\n').Max(line => TextWidth(line, points, bold));
            const float Readable = 11;
            while (size > Readable && Width(title, size) > room) size -= 0.5f;
            string shown = title;
            if (Width(shown, size) > room && Wrap(title) is string wrapped)
            {
                shown = wrapped;
                while (size > MinTitleSize && Width(shown, size) > room) size -= 0.5f;
            }
            while (shown.Length > 1 && Width(shown, size) > room) shown = shown.Substring(0, shown.Length - 2) + "…";
            plot.Title(shown);
            plot.Axes.Title.Label.FontSize = size;
        }

        /// <summary><paramref name="title"/> broken after the ", " nearest its middle, or null when it has none.</summary>
        private static string? Wrap(string title)
        {
            int best = -1;
            for (int i = title.IndexOf(", ", StringComparison.Ordinal); i >= 0; i = title.IndexOf(", ", i + 1, StringComparison.Ordinal))
                if (best < 0 || Math.Abs(i - title.Length / 2) < Math.Abs(best - title.Length / 2)) best = i;
            return best < 0 ? null : title.Substring(0, best + 1) + "\n" + title.Substring(best + 2);
        }

        private static float TextWidth(string text, float size, bool bold = false)
        {
            using var font = new SKFont(Fonts.GetTypeface(SansFont.Value, bold, false), size);
            return font.MeasureText(text);
        }

        /// <inheritdoc />
        public void Dispose()
        {
            foreach (Plot plot in _multiplot.GetPlots()) plot.Dispose();
        }
    }
}
