namespace InitCore.Data
{
    /// <summary>Summary statistics of a set of feature values, accumulated in float64; the constructor takes known values.</summary>
    /// <param name="count">The number of values.</param>
    /// <param name="mean">The mean.</param>
    /// <param name="std">The sample standard deviation.</param>
    /// <param name="min">The smallest value.</param>
    /// <param name="max">The largest value.</param>
    public readonly struct FeatureStatistics(long count, double mean, double std, double min, double max)
    {
        /// <summary>The number of values.</summary>
        public long Count { get; } = count;

        /// <summary>The mean (NaN when there are no values).</summary>
        public double Mean { get; } = mean;

        /// <summary>The sample standard deviation, with N − 1 in the denominator as <c>torch.Tensor.std()</c> computes it by default (NaN for fewer than 2 values).</summary>
        public double Std { get; } = std;

        /// <summary>The smallest value (NaN when there are no values).</summary>
        public double Min { get; } = min;

        /// <summary>The largest value (NaN when there are no values).</summary>
        public double Max { get; } = max;

        /// <summary>Computes the statistics of <paramref name="values"/> in two float64 passes (mean, then squared deviations), so the result does not drift with millions of values.</summary>
        public static FeatureStatistics Compute(ReadOnlySpan<float> values)
        {
            if (values.Length == 0) return new FeatureStatistics(0, double.NaN, double.NaN, double.NaN, double.NaN);
            double sum = 0;
            float min = float.PositiveInfinity, max = float.NegativeInfinity;
            foreach (float v in values)
            {
                sum += v;
                if (v < min) min = v;
                if (v > max) max = v;
            }
            double mean = sum / values.Length;
            double squares = 0;
            foreach (float v in values)
            {
                double d = v - mean;
                squares += d * d;
            }
            double std = values.Length > 1 ? Math.Sqrt(squares / (values.Length - 1)) : double.NaN;
            return new FeatureStatistics(values.Length, mean, std, min, max);
        }

        /// <inheritdoc />
        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "mean {0:G6}, std {1:G6}, min {2:G6}, max {3:G6} over {4} values", Mean, Std, Min, Max, Count);
    }
}
