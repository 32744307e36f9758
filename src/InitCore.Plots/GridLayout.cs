using System;
using ScottPlot;

namespace InitCore.Plots
{
    /// <summary>
    /// Subplots in a grid of equal cells, row by row, with an optional legend column on the right that takes
    /// the last subplot, so that a long legend does not squeeze one of the data plots.
    /// </summary>
    internal sealed class GridLayout : IMultiplotLayout
    {
        private readonly int _rows;
        private readonly int _columns;
        private readonly float _legendWidth;

        /// <param name="rows">Grid rows.</param>
        /// <param name="columns">Grid columns.</param>
        /// <param name="legendWidth">Width of the legend column in pixels (at most 45 % of the figure); 0 for none.</param>
        internal GridLayout(int rows, int columns, float legendWidth)
        {
            _rows = rows;
            _columns = columns;
            _legendWidth = legendWidth;
        }

        /// <summary>The legend column's width in a figure <paramref name="figureWidth"/> pixels wide.</summary>
        internal float LegendWidth(float figureWidth) => Math.Min(_legendWidth, figureWidth * 0.45f);

        /// <summary>The width of one grid cell in a figure <paramref name="figureWidth"/> pixels wide.</summary>
        internal float CellWidth(float figureWidth) => (figureWidth - LegendWidth(figureWidth)) / _columns;

        /// <inheritdoc />
        public PixelRect[] GetSubplotRectangles(SubplotCollection subplots, PixelRect figureRect)
        {
            float legend = LegendWidth(figureRect.Width);
            float cellWidth = CellWidth(figureRect.Width);
            float cellHeight = figureRect.Height / _rows;
            var rects = new PixelRect[subplots.Count];
            int cells = legend > 0 ? subplots.Count - 1 : subplots.Count;
            // Edges on whole pixels: neighbouring backgrounds that meet inside a pixel leave a grey seam.
            static float Edge(float x) => (float)Math.Round(x);
            for (int i = 0; i < cells; i++)
            {
                int row = i / _columns, column = i % _columns;
                float left = figureRect.Left + column * cellWidth, top = figureRect.Top + row * cellHeight;
                rects[i] = new PixelRect(Edge(left), Edge(left + cellWidth), Edge(top + cellHeight), Edge(top));
            }
            if (legend > 0)
                rects[cells] = new PixelRect(Edge(figureRect.Right - legend), figureRect.Right, figureRect.Bottom, figureRect.Top);
            return rects;
        }
    }
}
