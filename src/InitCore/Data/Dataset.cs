namespace InitCore.Data
{
    /// <summary>
    /// An in-memory labelled data set: <see cref="Count"/> samples of float32 features, each of shape
    /// <see cref="SampleShape"/> (MNIST: [1, 28, 28]), stored row-major one after another, and one int
    /// label per sample. Immutable: transformations such as <see cref="Normalizer.Apply(Dataset)"/> return a new one.
    /// </summary>
    public sealed class Dataset
    {
        private readonly float[] _features;
        private readonly int[] _labels;
        private readonly int[] _sampleShape;

        /// <summary>Creates a data set from copies of the given features and labels.</summary>
        /// <param name="features">All samples' features, row-major: <c>labels.Length × product(sampleShape)</c> values.</param>
        /// <param name="labels">One label per sample.</param>
        /// <param name="sampleShape">The shape of one sample, e.g. [1, 28, 28].</param>
        /// <param name="name">A name for messages and <see cref="ToString"/>, e.g. "train".</param>
        /// <exception cref="ArgumentException">The features' length is not the number of labels times the sample size.</exception>
        public Dataset(ReadOnlySpan<float> features, ReadOnlySpan<int> labels, int[] sampleShape, string name = "dataset")
            : this(features.ToArray(), labels.ToArray(), (int[])(sampleShape ?? throw new ArgumentNullException(nameof(sampleShape))).Clone(), name, validate: true)
        {
        }

        /// <summary>Takes ownership of the arrays (no copy).</summary>
        internal Dataset(float[] features, int[] labels, int[] sampleShape, string name, bool validate)
        {
            if (name is null) throw new ArgumentNullException(nameof(name));
            long sampleSize = TensorShape.ElementCount(sampleShape, nameof(sampleShape));
            if (validate && features.LongLength != labels.LongLength * sampleSize)
                throw new ArgumentException(
                    $"Data set '{name}': {labels.Length} labels × {sampleSize} values per sample {TensorShape.Format(sampleShape)} = {labels.LongLength * sampleSize} feature values expected, but {features.Length} were given; pass one label per sample.",
                    nameof(features));
            _features = features;
            _labels = labels;
            _sampleShape = sampleShape;
            SampleSize = (int)sampleSize;
            Name = name;
        }

        /// <summary>The name given at creation (e.g. "train" or "valid").</summary>
        public string Name { get; }

        /// <summary>The number of samples.</summary>
        public int Count => _labels.Length;

        /// <summary>The shape of one sample (MNIST: [1, 28, 28]).</summary>
        public IReadOnlyList<int> SampleShape => _sampleShape;

        /// <summary>The number of feature values per sample: the product of <see cref="SampleShape"/>.</summary>
        public int SampleSize { get; }

        /// <summary>The shape of the whole data set as one tensor: [<see cref="Count"/>, ..<see cref="SampleShape"/>].</summary>
        public int[] Shape
        {
            get
            {
                var shape = new int[_sampleShape.Length + 1];
                shape[0] = Count;
                _sampleShape.CopyTo(shape, 1);
                return shape;
            }
        }

        /// <summary>All features, row-major, sample after sample.</summary>
        public ReadOnlySpan<float> Features => _features;

        /// <summary>All labels, one per sample.</summary>
        public ReadOnlySpan<int> Labels => _labels;

        internal float[] FeatureArray => _features;

        internal int[] LabelArray => _labels;

        internal int[] SampleShapeArray => _sampleShape;

        /// <summary>The features of sample <paramref name="index"/>.</summary>
        /// <exception cref="ArgumentOutOfRangeException">The index is outside 0..Count−1.</exception>
        public ReadOnlySpan<float> GetFeatures(int index)
        {
            CheckIndex(index);
            return new ReadOnlySpan<float>(_features, index * SampleSize, SampleSize);
        }

        /// <summary>The label of sample <paramref name="index"/>.</summary>
        /// <exception cref="ArgumentOutOfRangeException">The index is outside 0..Count−1.</exception>
        public int GetLabel(int index)
        {
            CheckIndex(index);
            return _labels[index];
        }

        /// <summary>Returns a new data set holding copies of samples <paramref name="start"/> .. start + count − 1.</summary>
        /// <exception cref="ArgumentOutOfRangeException">The range does not lie within the data set.</exception>
        public Dataset Slice(int start, int count)
        {
            if (start < 0 || start > Count)
                throw new ArgumentOutOfRangeException(nameof(start), start, $"start must be in 0..{Count} for data set '{Name}' of {Count} samples.");
            if (count < 0 || count > Count - start)
                throw new ArgumentOutOfRangeException(nameof(count), count, $"count must be in 0..{Count - start} when start is {start} (data set '{Name}' has {Count} samples).");
            var features = new float[(long)count * SampleSize];
            Array.Copy(_features, (long)start * SampleSize, features, 0, features.LongLength);
            var labels = new int[count];
            Array.Copy(_labels, start, labels, 0, count);
            return new Dataset(features, labels, _sampleShape, Name, validate: false);
        }

        /// <summary>Mean, standard deviation (N − 1), minimum and maximum over all feature values, accumulated in float64.</summary>
        public FeatureStatistics ComputeStatistics() => FeatureStatistics.Compute(_features);

        /// <summary>Creates a tensor [Count, ..SampleShape] on <paramref name="engine"/> holding all features.</summary>
        /// <exception cref="ArgumentNullException"><paramref name="engine"/> is null.</exception>
        public Tensor ToTensor(Engine engine)
        {
            if (engine is null) throw new ArgumentNullException(nameof(engine));
            return engine.CreateTensor(_features, Shape);
        }

        private void CheckIndex(int index)
        {
            if ((uint)index >= (uint)Count)
                throw new ArgumentOutOfRangeException(nameof(index), index, $"Sample index must be in 0..{Count - 1} for data set '{Name}' of {Count} samples.");
        }

        /// <inheritdoc />
        public override string ToString() =>
            string.Format(CultureInfo.InvariantCulture, "Dataset({0}: {1} × {2} float32, int labels)", Name, Count, TensorShape.Format(_sampleShape));
    }
}
