namespace InitCore.Data
{
    /// <summary>MNIST's training and validation sets as <see cref="Dataset"/>s: images float32 [N, 1, 28, 28], labels 0–9.</summary>
    public sealed class MnistData
    {
        internal MnistData(Dataset train, Dataset valid, string source, Normalizer? normalization)
        {
            Train = train;
            Valid = valid;
            Source = source;
            Normalization = normalization;
        }

        /// <summary>The training set (bundled subset: 8,000 digits; official files: the 60,000 of train-*).</summary>
        public Dataset Train { get; }

        /// <summary>The validation set (bundled subset: 2,000 digits; official files: the 10,000 of t10k-*, MNIST's test set).</summary>
        public Dataset Valid { get; }

        /// <summary>The folder the files were read from.</summary>
        public string Source { get; }

        /// <summary>The normalizer applied to both sets (fitted on <see cref="Train"/>), or null when the pixels are still x/255 in [0, 1].</summary>
        public Normalizer? Normalization { get; }

        /// <summary>
        /// Returns both sets standardized with the <b>training</b> set's mean and std (see <see cref="Normalizer"/>):
        /// afterwards Train has mean ≈ 0 and std ≈ 1, and Valid is close to that but not exactly.
        /// </summary>
        /// <exception cref="System.InvalidOperationException">The data is already normalized.</exception>
        public MnistData Normalize()
        {
            if (Normalization is not null)
                throw new System.InvalidOperationException($"This MNIST data is already normalized ({Normalization}); normalize the loaded data once.");
            var norm = Normalizer.Fit(Train);
            return new MnistData(norm.Apply(Train), norm.Apply(Valid), Source, norm);
        }

        /// <inheritdoc />
        public override string ToString() =>
            $"MNIST(train {Train.Count}, valid {Valid.Count}{(Normalization is null ? ", pixels/255" : ", " + Normalization)}) from {Source}";
    }
}
