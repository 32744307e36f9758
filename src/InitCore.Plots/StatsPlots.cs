using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ScottPlot;

namespace InitCore.Plots
{
    /// <summary>
    /// The fastai lessons' charts of <see cref="ActivationStats"/> and of a model's weights, written as PNG or SVG
    /// (chosen by the file's extension). Every method validates its arguments before it reads anything, and throws
    /// <see cref="InvalidOperationException"/> rather than write an empty image when there is nothing to plot.
    /// </summary>
    public static class StatsPlots
    {
        /// <summary>
        /// Per-layer mean and standard deviation over batches, side by side, one line per layer (fastai's
        /// <c>plot_stats</c>). Well-initialized layers keep a mean near 0 and a std near 1 from the first batch on.
        /// </summary>
        /// <param name="stats">The recorded statistics.</param>
        /// <param name="path">The file to write; its extension, <c>.png</c> or <c>.svg</c>, picks the format.</param>
        /// <param name="width">Image width in pixels.</param>
        /// <param name="height">Image height in pixels.</param>
        /// <param name="kind">Which records to plot: activations (the default) or activation/weight gradients.</param>
        /// <exception cref="ArgumentException"><paramref name="path"/> has an extension other than .png or .svg.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> or <paramref name="height"/> below 1.</exception>
        /// <exception cref="InvalidOperationException"><paramref name="stats"/> holds no records of <paramref name="kind"/>.</exception>
        public static void MeanStd(ActivationStats stats, string path, int width = 1000, int height = 400, StatKind kind = StatKind.Activation)
        {
            PlotFormat format = PlotFile.Check(path, width, height);
            IReadOnlyList<LayerSeries> layers = LayerSeries.Read(stats, kind);
            using var figure = new Figure(2, 1, 2, stats.Layers.Count);
            Plot means = figure.Plots[0], stds = figure.Plots[1];
            foreach (LayerSeries layer in layers)
            {
                figure.Line(means, layer, layer.Select(s => s.Mean));
                figure.Line(stds, layer, layer.Select(s => s.Std));
            }
            figure.Titles(means, $"{Figure.KindName(kind)}: mean", "batch", "mean");
            figure.Titles(stds, $"{Figure.KindName(kind)}: std", "batch", "std");
            figure.Legend(layers.Select(l => (l.Name, figure.Palette.GetColor(l.Index))));
            figure.Save(path, format, width, height);
        }

        /// <summary>
        /// The lessons' "colorful dimension": for each layer a heatmap with the batch on x, the histogram bin on y
        /// (low values at the bottom) and log(1 + count) as colour, one subplot per layer. A healthy layer shows a
        /// broad band that stays put; a collapsing one shows everything piling into the bottom (near-zero) bins.
        /// </summary>
        /// <param name="stats">The recorded statistics (with a histogram: <see cref="StatisticsOptions.HistogramBins"/> &gt; 0).</param>
        /// <param name="path">The file to write; its extension, <c>.png</c> or <c>.svg</c>, picks the format.</param>
        /// <param name="width">Image width in pixels.</param>
        /// <param name="height">Image height in pixels.</param>
        /// <param name="kind">Which records to plot: activations (the default) or activation/weight gradients.</param>
        /// <exception cref="ArgumentException"><paramref name="path"/> has an extension other than .png or .svg.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> or <paramref name="height"/> below 1.</exception>
        /// <exception cref="InvalidOperationException">No records of <paramref name="kind"/>, or they were recorded without a histogram.</exception>
        public static void ColorfulDimension(ActivationStats stats, string path, int width = 1100, int height = 650, StatKind kind = StatKind.Activation)
        {
            PlotFormat format = PlotFile.Check(path, width, height);
            IReadOnlyList<LayerSeries> layers = LayerSeries.Read(stats, kind);
            double[][,] histograms = layers.Select(l => l.Log1pHistograms()).ToArray();
            (int rows, int columns) = Figure.Grid(layers.Count);
            using var figure = new Figure(layers.Count, rows, columns, stats.Layers.Count);
            for (int i = 0; i < layers.Count; i++)
            {
                LayerSeries layer = layers[i];
                TensorStatistics first = layer.Records[0].Statistics;
                Plot plot = figure.Plots[i];
                var heatmap = plot.Add.Heatmap(histograms[i]);
                heatmap.FlipVertically = true;   // bin 0 (the smallest values) at the bottom, as fastai's origin='lower'
                // One cell per record, centred on its batch (records are evenly spaced: every Stride-th batch).
                double step = layer.Batches.Length > 1 ? (layer.Batches[^1] - layer.Batches[0]) / (layer.Batches.Length - 1) : 1;
                heatmap.Rectangle = new CoordinateRect(
                    layer.Batches[0] - step / 2, layer.Batches[^1] + step / 2, first.HistogramMin, first.HistogramMax);
                plot.Axes.TightMargins();
                figure.Titles(plot, layer.Name, "batch", first.HistogramOfAbsoluteValues ? "|x|" : "x");
            }
            figure.Save(path, format, width, height);
        }

        /// <summary>
        /// The fraction of values near zero (below <see cref="StatisticsOptions.NearZeroThreshold"/> in magnitude) per
        /// layer over batches, one line per layer; fastai's "dead chart". A fraction that climbs towards 1 means the
        /// layer's units are dying.
        /// </summary>
        /// <param name="stats">The recorded statistics.</param>
        /// <param name="path">The file to write; its extension, <c>.png</c> or <c>.svg</c>, picks the format.</param>
        /// <param name="width">Image width in pixels.</param>
        /// <param name="height">Image height in pixels.</param>
        /// <param name="kind">Which records to plot: activations (the default) or activation/weight gradients.</param>
        /// <exception cref="ArgumentException"><paramref name="path"/> has an extension other than .png or .svg.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> or <paramref name="height"/> below 1.</exception>
        /// <exception cref="InvalidOperationException"><paramref name="stats"/> holds no records of <paramref name="kind"/>.</exception>
        public static void NearZero(ActivationStats stats, string path, int width = 1000, int height = 400, StatKind kind = StatKind.Activation)
        {
            PlotFormat format = PlotFile.Check(path, width, height);
            IReadOnlyList<LayerSeries> layers = LayerSeries.Read(stats, kind);
            using var figure = new Figure(1, 1, 1, stats.Layers.Count);
            Plot plot = figure.Plots[0];
            foreach (LayerSeries layer in layers)
                figure.Line(plot, layer, layer.Select(s => s.NearZeroFraction));
            figure.Titles(plot, $"{Figure.KindName(kind)}: fraction near zero", "batch", "fraction near zero");
            plot.Axes.SetLimitsY(-0.02, 1.02);
            figure.Legend(layers.Select(l => (l.Name, figure.Palette.GetColor(l.Index))));
            figure.Save(path, format, width, height);
        }

        /// <summary>
        /// Histograms of the weights of every <see cref="Linear"/> and <see cref="Conv2d"/> in <paramref name="model"/>
        /// (and of their biases with <paramref name="includeBiases"/>), one subplot per tensor titled with its
        /// <see cref="Module.NamedParameters"/> name and its mean and standard deviation, as the lessons look at
        /// an initialization before training.
        /// </summary>
        /// <param name="model">The model (or a single layer).</param>
        /// <param name="path">The file to write; its extension, <c>.png</c> or <c>.svg</c>, picks the format.</param>
        /// <param name="width">Image width in pixels.</param>
        /// <param name="height">Image height in pixels.</param>
        /// <param name="bins">Most histogram bins between a tensor's smallest and largest value; a small tensor (a bias)
        /// gets fewer, 2∛n (Rice's rule), so that its few values are not spread over mostly empty bins.</param>
        /// <param name="includeBiases">Also plot each layer's bias.</param>
        /// <exception cref="ArgumentException"><paramref name="path"/> has an extension other than .png or .svg, or
        /// <paramref name="model"/> contains no Linear or Conv2d layer.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/>, <paramref name="height"/> or <paramref name="bins"/> below 1.</exception>
        public static void WeightDistributions(Module model, string path, int width = 1100, int height = 650, int bins = 50, bool includeBiases = false)
        {
            PlotFormat format = PlotFile.Check(path, width, height);
            if (model is null) throw new ArgumentNullException(nameof(model));
            if (bins < 1) throw new ArgumentOutOfRangeException(nameof(bins), bins, "The number of bins must be at least 1.");
            List<Module> layers = model.Modules().Where(m => m is Linear || m is Conv2d).ToList();
            var owners = new Dictionary<Parameter, int>();
            for (int i = 0; i < layers.Count; i++)
                foreach (Parameter p in layers[i].OwnParameters) owners[p] = i;
            var tensors = model.NamedParameters()
                .Where(np => owners.ContainsKey(np.Parameter) && (np.Parameter.Name == "weight" || (includeBiases && np.Parameter.Name == "bias")))
                .Select(np => (np.Name, Layer: owners[np.Parameter], Values: np.Parameter.Value.ToArray()))
                .ToList();
            if (tensors.Count == 0)
                throw new ArgumentException($"Nothing to plot: {model.Describe()} contains no Linear or Conv2d layer.", nameof(model));
            (int rows, int columns) = Figure.Grid(tensors.Count);
            using var figure = new Figure(tensors.Count, rows, columns, layers.Count);
            for (int i = 0; i < tensors.Count; i++)
            {
                var (name, layer, values) = tensors[i];
                Plot plot = figure.Plots[i];
                Histogram h = Histogram.Of(values, bins);
                Figure.Bars(plot, h, figure.Palette.GetColor(layer));   // a layer's weight and bias share a colour
                figure.Titles(plot, $"{name}: {layers[layer].Describe()}", $"mean {F(h.Mean)}, std {F(h.Std)}", "count");
            }
            figure.Save(path, format, width, height);
        }

        /// <summary>
        /// The histogram of one layer's recorded values at one batch (the last recorded one by default), with its
        /// mean, standard deviation and near-zero fraction, as the lessons look at a layer's output distribution.
        /// </summary>
        /// <param name="stats">The recorded statistics (with a histogram).</param>
        /// <param name="layer">One of <see cref="ActivationStats.Layers"/>.</param>
        /// <param name="path">The file to write; its extension, <c>.png</c> or <c>.svg</c>, picks the format.</param>
        /// <param name="batch">The batch (a <see cref="StatRecord.Batch"/> still kept); null for the last recorded one.</param>
        /// <param name="width">Image width in pixels.</param>
        /// <param name="height">Image height in pixels.</param>
        /// <param name="kind">Which records to plot: activations (the default) or activation/weight gradients.</param>
        /// <exception cref="ArgumentException"><paramref name="path"/> has an extension other than .png or .svg, or
        /// <paramref name="layer"/> is not watched by <paramref name="stats"/>.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="width"/> or <paramref name="height"/> below 1, or
        /// <paramref name="batch"/> is not among the kept records.</exception>
        /// <exception cref="InvalidOperationException">The layer has no records of <paramref name="kind"/>, or they have no histogram.</exception>
        public static void ActivationDistribution(ActivationStats stats, Module layer, string path, int? batch = null, int width = 700, int height = 400, StatKind kind = StatKind.Activation)
        {
            PlotFormat format = PlotFile.Check(path, width, height);
            if (stats is null) throw new ArgumentNullException(nameof(stats));
            if (layer is null) throw new ArgumentNullException(nameof(layer));
            int index = IndexOf(stats.Layers, layer);
            if (index < 0)
                throw new ArgumentException($"{layer.Describe()} is not one of the {stats.Layers.Count} layers this ActivationStats watches; pick one of stats.Layers.", nameof(layer));
            IReadOnlyList<StatRecord> records = stats.Records(layer, kind);
            if (records.Count == 0) throw new InvalidOperationException(LayerSeries.NothingRecorded(stats, kind));
            StatRecord record = batch is int b
                ? records.FirstOrDefault(r => r.Batch == b) ?? throw new ArgumentOutOfRangeException(nameof(batch), b,
                    $"Batch {b} is not among the {records.Count} kept records of {stats.LayerName(layer)} (batches {records[0].Batch}..{records[^1].Batch}).")
                : records[^1];
            TensorStatistics s = record.Statistics;
            if (s.Histogram.Count == 0)
                throw new InvalidOperationException("Nothing to plot: the records have no histogram; record with StatisticsOptions.HistogramBins > 0 (the default is 40).");
            using var figure = new Figure(1, 1, 1, stats.Layers.Count);
            Plot plot = figure.Plots[0];
            Histogram h = Histogram.FromCounts(s);
            Figure.Bars(plot, h, figure.Palette.GetColor(index));
            // The recorded range is wide (fastai's [0, 10]) and most values sit in its first bins: show the bins in use.
            int last = Array.FindLastIndex(h.Counts, c => c > 0);
            if (last >= 0) plot.Axes.SetLimitsX(h.Min, h.Min + (last + 2) * h.BinWidth);
            long counted = s.Histogram.Sum();
            string outside = counted < s.Count
                ? string.Format(CultureInfo.InvariantCulture, ", {0} outside [{1}, {2}]", s.Count - counted, h.Min, h.Max)
                : "";
            figure.Titles(plot, $"{Figure.KindName(kind)} of {stats.LayerName(layer)}, batch {record.Batch}",
                $"{(s.HistogramOfAbsoluteValues ? "|x|" : "x")}   (x: mean {F(s.Mean)}, std {F(s.Std)}, near zero {s.NearZeroFraction.ToString("P1", CultureInfo.InvariantCulture)}{outside})",
                "count");
            figure.Save(path, format, width, height);
        }

        private static int IndexOf(IReadOnlyList<Module> layers, Module layer)
        {
            for (int i = 0; i < layers.Count; i++) if (ReferenceEquals(layers[i], layer)) return i;
            return -1;
        }

        private static string F(double v) =>
            v.ToString(v != 0 && Math.Abs(v) < 1e-3 ? "0.00e+0" : "G3", CultureInfo.InvariantCulture);
    }
}
