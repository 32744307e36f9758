using System;
using System.Linq;

namespace InitCore.Plots
{
    /// <summary>Counts over equal-width bins, with the mean and standard deviation of the values they came from.</summary>
    internal sealed class Histogram
    {
        private Histogram(double min, double max, double[] counts, double mean, double std)
        {
            Min = min;
            Max = max;
            Counts = counts;
            Mean = mean;
            Std = std;
        }

        internal double Min { get; }
        internal double Max { get; }
        internal double[] Counts { get; }
        internal double Mean { get; }
        internal double Std { get; }
        internal double BinWidth => (Max - Min) / Counts.Length;
        internal double Center(int bin) => Min + (bin + 0.5) * BinWidth;

        /// <summary>
        /// Bins <paramref name="values"/> between their smallest and largest (NaNs and infinities are left out), in at
        /// most <paramref name="bins"/> bins and fewer for few values (Rice's rule, 2∛n), so that a bias of 8 values
        /// is not spread over 50 mostly empty bins.
        /// </summary>
        internal static Histogram Of(float[] values, int bins)
        {
            double[] finite = values.Where(v => !float.IsNaN(v) && !float.IsInfinity(v)).Select(v => (double)v).ToArray();
            bins = Math.Max(1, Math.Min(bins, (int)Math.Ceiling(2 * Math.Cbrt(finite.Length))));
            double min = finite.Length > 0 ? finite.Min() : 0, max = finite.Length > 0 ? finite.Max() : 0;
            if (!(max > min))
            {
                // A constant tensor (a zero bias, Init.Constant) still gets a visible bar around its value.
                double half = Math.Max(Math.Abs(min) * 0.05, 0.5);
                min -= half;
                max += half;
            }
            var counts = new double[bins];
            double scale = bins / (max - min);
            foreach (double v in finite) counts[Math.Min(bins - 1, (int)((v - min) * scale))]++;
            double mean = finite.Length > 0 ? finite.Average() : double.NaN;
            double std = finite.Length > 1 ? Math.Sqrt(finite.Sum(v => (v - mean) * (v - mean)) / (finite.Length - 1)) : double.NaN;
            return new Histogram(min, max, counts, mean, std);
        }

        /// <summary>The histogram a statistics pass recorded.</summary>
        internal static Histogram FromCounts(TensorStatistics s) =>
            new Histogram(s.HistogramMin, s.HistogramMax, s.Histogram.Select(c => (double)c).ToArray(), s.Mean, s.Std);
    }
}
