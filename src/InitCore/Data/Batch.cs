namespace InitCore.Data
{
    /// <summary>One mini-batch in host memory: features [Count, ..SampleShape] row-major, and labels.</summary>
    public sealed class Batch
    {
        private readonly int[] _shape;

        internal Batch(float[] features, int[] labels, int[] shape, int[] indices)
        {
            Features = features;
            Labels = labels;
            _shape = shape;
            Indices = indices;
        }

        /// <summary>The features of the batch's samples, row-major (MNIST: Count × 1 × 28 × 28 values).</summary>
        public float[] Features { get; }

        /// <summary>The labels, one per sample.</summary>
        public int[] Labels { get; }

        /// <summary>The number of samples in the batch (the batch size, or fewer for the last batch).</summary>
        public int Count => Labels.Length;

        /// <summary>The features' shape: [Count, ..SampleShape].</summary>
        public IReadOnlyList<int> Shape => _shape;

        internal int[] ShapeArray => _shape;

        /// <summary>The data-set index of each sample, in batch order.</summary>
        public int[] Indices { get; }

        /// <summary>Deconstructs into (x, y, count), as in <c>foreach (var (x, y, n) in loader.GetBatches(epoch))</c>.</summary>
        public void Deconstruct(out float[] x, out int[] y, out int count)
        {
            x = Features;
            y = Labels;
            count = Count;
        }

        /// <inheritdoc />
        public override string ToString() => $"Batch({Count}, features {TensorShape.Format(_shape)})";
    }

    /// <summary>One mini-batch whose features are a tensor on an engine; dispose it to release the tensor.</summary>
    public sealed class TensorBatch : IDisposable
    {
        internal TensorBatch(Tensor features, int[] labels, int[] indices)
        {
            Features = features;
            Labels = labels;
            Indices = indices;
            var asFloat = new float[labels.Length];
            for (int i = 0; i < labels.Length; i++) asFloat[i] = labels[i];
            Targets = features.Engine.CreateTensor(asFloat, labels.Length);
        }

        /// <summary>The labels as a float32 tensor [Count] on the same engine: the target <see cref="Nn.CrossEntropyLoss"/> takes.</summary>
        public Tensor Targets { get; }

        /// <summary>The features, a tensor [Count, ..SampleShape] (MNIST: [Count, 1, 28, 28]).</summary>
        public Tensor Features { get; }

        /// <summary>The labels, one per sample, in host memory.</summary>
        public int[] Labels { get; }

        /// <summary>The number of samples in the batch.</summary>
        public int Count => Labels.Length;

        /// <summary>The data-set index of each sample, in batch order.</summary>
        public int[] Indices { get; }

        /// <summary>Deconstructs into (x, y, count).</summary>
        public void Deconstruct(out Tensor x, out int[] y, out int count)
        {
            x = Features;
            y = Labels;
            count = Count;
        }

        /// <summary>Disposes <see cref="Features"/> and <see cref="Targets"/>. Idempotent.</summary>
        public void Dispose()
        {
            Features.Dispose();
            Targets.Dispose();
        }

        /// <inheritdoc />
        public override string ToString() => $"TensorBatch({Count}, {Features})";
    }
}
