namespace InitCore.Data
{
    /// <summary>
    /// Standardizes features as (x − mean)/std with one mean and std for all values. Fit it on the
    /// <b>training</b> set and apply that same normalizer to training and validation data: normalizing the
    /// validation set with its own statistics would feed the model differently scaled inputs than it was
    /// trained on. After applying, the training set has mean ≈ 0 and std ≈ 1; the validation set is close
    /// to that but not exactly (on MNIST /255 pixels the training statistics are mean ≈ 0.13, std ≈ 0.31).
    /// </summary>
    /// <example>
    /// <code>
    /// var data = Mnist.LoadBundled();
    /// var norm = Normalizer.Fit(data.Train);          // training statistics only
    /// Dataset train = norm.Apply(data.Train);
    /// Dataset valid = norm.Apply(data.Valid);         // the training mean and std, not the validation set's
    /// </code>
    /// </example>
    public sealed class Normalizer
    {
        /// <summary>Creates a normalizer from known statistics.</summary>
        /// <param name="mean">Subtracted from every value; finite.</param>
        /// <param name="std">Divides every value after the subtraction; finite and &gt; 0.</param>
        /// <exception cref="ArgumentOutOfRangeException">The mean is not finite or the std is not a finite positive number.</exception>
        public Normalizer(double mean, double std)
        {
            if (double.IsNaN(mean) || double.IsInfinity(mean))
                throw new ArgumentOutOfRangeException(nameof(mean), mean, "The mean must be finite.");
            if (!(std > 0) || double.IsInfinity(std))
                throw new ArgumentOutOfRangeException(nameof(std), std, "The std must be finite and > 0; constant data cannot be standardized.");
            Mean = mean;
            Std = std;
        }

        /// <summary>The mean that is subtracted (the training set's, when made by <see cref="Fit"/>).</summary>
        public double Mean { get; }

        /// <summary>The standard deviation that divides (the training set's sample std, N − 1, when made by <see cref="Fit"/>).</summary>
        public double Std { get; }

        /// <summary>Measures the mean and std of all features of <paramref name="training"/> (float64 accumulation).</summary>
        /// <exception cref="ArgumentException">The data set has fewer than 2 feature values or they are all equal.</exception>
        public static Normalizer Fit(Dataset training)
        {
            if (training is null) throw new ArgumentNullException(nameof(training));
            FeatureStatistics s = training.ComputeStatistics();
            if (s.Count < 2 || !(s.Std > 0) || double.IsNaN(s.Mean) || double.IsInfinity(s.Mean))
                throw new ArgumentException($"Cannot fit a normalizer on data set '{training.Name}': {s}. It needs at least 2 finite values that are not all equal.", nameof(training));
            return new Normalizer(s.Mean, s.Std);
        }

        /// <summary>Returns a new data set with every feature x replaced by (x − Mean)/Std, labels unchanged.</summary>
        public Dataset Apply(Dataset dataset)
        {
            if (dataset is null) throw new ArgumentNullException(nameof(dataset));
            var features = (float[])dataset.FeatureArray.Clone();
            Apply(features);
            return new Dataset(features, dataset.LabelArray, dataset.SampleShapeArray, dataset.Name, validate: false);
        }

        /// <summary>Replaces every value x in <paramref name="values"/> with (x − Mean)/Std, computed in float64 and rounded once to float32.</summary>
        public void Apply(Span<float> values)
        {
            double mean = Mean, std = Std;
            for (int i = 0; i < values.Length; i++) values[i] = (float)((values[i] - mean) / std);
        }

        /// <inheritdoc />
        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "Normalizer(mean {0:G6}, std {1:G6})", Mean, Std);
    }
}
