using System;
using System.Collections.Generic;
using System.Linq;

namespace InitCore.Plots
{
    /// <summary>One watched layer's records of one kind, read once from <see cref="ActivationStats"/>.</summary>
    internal sealed class LayerSeries
    {
        private LayerSeries(int index, string name, IReadOnlyList<StatRecord> records)
        {
            Index = index;
            Name = name;
            Records = records;
            Batches = records.Select(r => (double)r.Batch).ToArray();
        }

        /// <summary>The layer's index in <see cref="ActivationStats.Layers"/> (it picks the layer's colour).</summary>
        internal int Index { get; }

        /// <summary><see cref="ActivationStats.LayerName"/>, e.g. <c>0:Linear(20→30)</c>.</summary>
        internal string Name { get; }

        /// <summary>The records, oldest first.</summary>
        internal IReadOnlyList<StatRecord> Records { get; }

        /// <summary>The batch index of each record, as plot x values.</summary>
        internal double[] Batches { get; }

        /// <summary>One value per record.</summary>
        internal double[] Select(Func<TensorStatistics, double> value) => Records.Select(r => value(r.Statistics)).ToArray();

        /// <summary>The histograms as a [bin, record] matrix of log(1 + count), as fastai's colorful dimension.</summary>
        /// <exception cref="InvalidOperationException">The records have no histogram, or histograms of different sizes.</exception>
        internal double[,] Log1pHistograms()
        {
            int bins = Records[0].Statistics.Histogram.Count;
            if (bins == 0 || Records.Any(r => r.Statistics.Histogram.Count != bins))
                throw new InvalidOperationException(
                    $"Nothing to plot for {Name}: its records have no histogram (or histograms of different sizes); record with StatisticsOptions.HistogramBins > 0 (the default is 40).");
            var intensities = new double[bins, Records.Count];
            for (int t = 0; t < Records.Count; t++)
            {
                IReadOnlyList<long> counts = Records[t].Statistics.Histogram;
                for (int b = 0; b < bins; b++) intensities[b, t] = Math.Log(1 + counts[b]);   // exact: 1 + count is an integer below 2^53
            }
            return intensities;
        }

        /// <summary>Every watched layer that has records of <paramref name="kind"/>, in execution order.</summary>
        /// <exception cref="InvalidOperationException">No layer has any.</exception>
        internal static IReadOnlyList<LayerSeries> Read(ActivationStats stats, StatKind kind)
        {
            if (stats is null) throw new ArgumentNullException(nameof(stats));
            var series = new List<LayerSeries>();
            for (int i = 0; i < stats.Layers.Count; i++)
            {
                Module layer = stats.Layers[i];
                IReadOnlyList<StatRecord> records = stats.Records(layer, kind);
                if (records.Count > 0) series.Add(new LayerSeries(i, stats.LayerName(layer), records));
            }
            if (series.Count == 0) throw new InvalidOperationException(NothingRecorded(stats, kind));
            return series;
        }

        /// <summary>Why there is nothing to plot, and what to do about it.</summary>
        internal static string NothingRecorded(ActivationStats stats, StatKind kind)
        {
            string what = kind switch
            {
                StatKind.Activation => "run the model forward at least once while the ActivationStats is attached",
                StatKind.ActivationGradient => "create the ActivationStats with ActivationGradients = true and run backward at least once",
                _ => "create the ActivationStats with WeightGradients = true and run backward at least once",
            };
            return $"Nothing to plot: the ActivationStats holds no {kind} records ({stats.Layers.Count} layers watched, {stats.Batches} batches seen); {what}. A disposed ActivationStats holds none.";
        }
    }
}
