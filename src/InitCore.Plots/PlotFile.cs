using System;
using System.IO;
using System.Text;
using ScottPlot;
using SkiaSharp;

namespace InitCore.Plots
{
    /// <summary>Argument checks shared by every plot, and writing a figure to a PNG or SVG file.</summary>
    internal static class PlotFile
    {
        internal const string Supported = ".png, .svg";

        /// <summary>Checks the path and size before any work is done; returns the format the extension names.</summary>
        internal static PlotFormat Check(string path, int width, int height)
        {
            if (path is null) throw new ArgumentNullException(nameof(path));
            if (width < 1) throw new ArgumentOutOfRangeException(nameof(width), width, "The width must be at least 1 pixel.");
            if (height < 1) throw new ArgumentOutOfRangeException(nameof(height), height, "The height must be at least 1 pixel.");
            string extension = Path.GetExtension(path);
            if (extension.Equals(".png", StringComparison.OrdinalIgnoreCase)) return PlotFormat.Png;
            if (extension.Equals(".svg", StringComparison.OrdinalIgnoreCase)) return PlotFormat.Svg;
            throw new ArgumentException(
                $"Cannot tell the image format of '{path}' from its extension '{extension}'; the supported extensions are {Supported}.", nameof(path));
        }

        /// <summary>Renders <paramref name="figure"/> at <paramref name="width"/>×<paramref name="height"/> pixels into <paramref name="path"/>.</summary>
        internal static void Save(Multiplot figure, string path, PlotFormat format, int width, int height)
        {
            string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(folder) && !Directory.Exists(folder))
                throw new DirectoryNotFoundException($"Cannot write '{path}': the folder '{folder}' does not exist.");
            var rect = new PixelRect(0, width, height, 0);
            var info = new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul);
            using SKSurface surface = SKSurface.Create(info)
                ?? throw new InvalidOperationException($"Skia could not create a {width}×{height} drawing surface.");
            // ScottPlot renders a plot again (up to 5 times) when its first render moves the axis limits, as
            // autoscaling does. On pixels that only overdraws; in an SVG every pass would stay in the file. So
            // the first render always goes to pixels, and the SVG gets the settled one.
            Draw(figure, surface.Canvas, rect);
            if (format == PlotFormat.Png)
            {
                using SKImage image = surface.Snapshot();
                using SKData png = image.Encode(SKEncodedImageFormat.Png, 100);
                using FileStream file = File.Create(path);
                png.SaveTo(file);
            }
            else
            {
                // Skia's SVG canvas writes the closing </svg> when it is disposed, so the stream is
                // complete only after the canvas is gone.
                using var buffer = new MemoryStream();
                using (SKCanvas canvas = SKSvgCanvas.Create(new SKRect(0, 0, width, height), buffer))
                    Draw(figure, canvas, rect);
                string svg = Encoding.UTF8.GetString(buffer.ToArray());
                // A heatmap is an embedded bitmap with one pixel per cell; viewers smooth scaled images unless
                // told otherwise, which would blur the cells into each other (the PNG path draws them unfiltered).
                int root = svg.IndexOf("<svg ", StringComparison.Ordinal);
                if (root >= 0) svg = svg.Insert(root + 5, "style=\"image-rendering:optimizeSpeed;image-rendering:pixelated\" ");
                File.WriteAllText(path, svg, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            }
        }

        /// <summary>
        /// What <see cref="Multiplot.Render(SKCanvas, PixelRect)"/> does, on a white page instead of a cleared one:
        /// Skia's SVG canvas writes a clear as a rectangle without a fill colour, which SVG paints black.
        /// </summary>
        private static void Draw(Multiplot figure, SKCanvas canvas, PixelRect rect)
        {
            using (var white = new SKPaint { Color = SKColors.White, Style = SKPaintStyle.Fill })
                canvas.DrawRect(rect.Left, rect.Top, rect.Width, rect.Height, white);
            PixelRect[] cells = figure.Layout.GetSubplotRectangles(figure.Subplots, rect);
            for (int i = 0; i < figure.Subplots.Count; i++)
            {
                Plot plot = figure.Subplots.GetPlot(i);
                plot.RenderManager.ClearCanvasBeforeEachRender = false;
                plot.Render(canvas, cells[i]);
            }
        }
    }
}
