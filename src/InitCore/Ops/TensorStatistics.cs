namespace InitCore.Ops
{
    /// <summary>Settings of a statistics pass: the near-zero threshold and the histogram.</summary>
    /// <remarks>The defaults are the lessons' (fastai's ActivationStats): 40 bins of |x| over [0, 10];
    /// "near zero" is |x| &lt; 0.5, the first two of those bins.</remarks>
    public sealed class StatisticsOptions
    {
        /// <summary>|x| below this counts as near zero. Default 0.5.</summary>
        public float NearZeroThreshold { get; set; } = 0.5f;

        /// <summary>Number of histogram bins; 0 for none. Default 40.</summary>
        public int HistogramBins { get; set; } = 40;

        /// <summary>Lower edge of the histogram. Default 0.</summary>
        public float HistogramMin { get; set; }

        /// <summary>Upper edge of the histogram (included in the last bin). Default 10.</summary>
        public float HistogramMax { get; set; } = 10f;

        /// <summary>Histogram of |x| (true, the default) or of x.</summary>
        public bool HistogramOfAbsoluteValues { get; set; } = true;

        internal Backends.StatsConfig ToConfig()
        {
            if (HistogramBins < 0 || HistogramBins > 4096)
                throw new ArgumentOutOfRangeException(nameof(HistogramBins), HistogramBins, "HistogramBins must be in 0..4096.");
            if (HistogramBins > 0 && !(HistogramMax > HistogramMin))
                throw new ArgumentException($"The histogram range must have HistogramMin < HistogramMax; got [{HistogramMin}, {HistogramMax}].", nameof(HistogramMax));
            if (!(NearZeroThreshold >= 0))
                throw new ArgumentOutOfRangeException(nameof(NearZeroThreshold), NearZeroThreshold, "NearZeroThreshold must be ≥ 0.");
            return new Backends.StatsConfig(NearZeroThreshold, HistogramMin, HistogramMax, HistogramBins, HistogramOfAbsoluteValues);
        }
    }

    /// <summary>One-pass statistics of a tensor: count, mean, standard deviation, min, max, near-zero fraction and a histogram.</summary>
    public sealed class TensorStatistics
    {
        internal TensorStatistics(Backends.StatsResult r, StatisticsOptions o)
        {
            Count = r.Count;
            Mean = r.Count > 0 ? r.Mean : double.NaN;
            Variance = r.Count > 0 ? r.M2 / r.Count : double.NaN;
            Std = r.Count > 1 ? Math.Sqrt(r.M2 / (r.Count - 1)) : double.NaN;
            Min = r.Min;
            Max = r.Max;
            NearZeroCount = r.NearZero;
            Histogram = r.Histogram;
            HistogramMin = o.HistogramMin;
            HistogramMax = o.HistogramMax;
            HistogramOfAbsoluteValues = o.HistogramOfAbsoluteValues;
        }

        /// <summary>Number of elements.</summary>
        public long Count { get; }

        /// <summary>Mean (NaN for an empty tensor).</summary>
        public double Mean { get; }

        /// <summary>Population variance M2/n.</summary>
        public double Variance { get; }

        /// <summary>Sample standard deviation √(M2/(n − 1)), as torch's <c>x.std()</c>.</summary>
        public double Std { get; }

        /// <summary>Smallest element (NaNs are ignored).</summary>
        public float Min { get; }

        /// <summary>Largest element (NaNs are ignored).</summary>
        public float Max { get; }

        /// <summary>Number of elements with |x| below the threshold.</summary>
        public long NearZeroCount { get; }

        /// <summary>Fraction of elements with |x| below the threshold.</summary>
        public double NearZeroFraction => Count > 0 ? (double)NearZeroCount / Count : double.NaN;

        /// <summary>Counts per bin; values outside the range are not counted.</summary>
        public IReadOnlyList<long> Histogram { get; }

        /// <summary>Lower edge of the histogram.</summary>
        public float HistogramMin { get; }

        /// <summary>Upper edge of the histogram.</summary>
        public float HistogramMax { get; }

        /// <summary>True when the histogram counts |x| (the default), false when it counts x.</summary>
        public bool HistogramOfAbsoluteValues { get; }

        /// <inheritdoc />
        public override string ToString() => string.Format(CultureInfo.InvariantCulture,
            "n={0} mean={1:G6} std={2:G6} min={3:G6} max={4:G6} near0={5:P1}", Count, Mean, Std, Min, Max, NearZeroFraction);
    }
}
