namespace InitCore.Data
{
    /// <summary>
    /// Splits a <see cref="Dataset"/> into mini-batches in the order a <see cref="Sampler"/> gives, like
    /// PyTorch's DataLoader: batches of <see cref="BatchSize"/> samples, the last one smaller unless
    /// <see cref="DropLast"/>. Batches come as host arrays (<see cref="GetBatches(int)"/>) or as tensors on an
    /// engine (<see cref="GetBatches(Engine, int)"/>). The epoch is passed explicitly, so a shuffled order is
    /// reproducible: epoch e of a <see cref="RandomSampler"/> with seed s is always the same permutation.
    /// </summary>
    /// <example>
    /// <code>
    /// var data = Mnist.LoadBundled().Normalize();
    /// var train = new DataLoader(data.Train, batchSize: 64, new RandomSampler(data.Train.Count, seed: 42));
    /// var valid = new DataLoader(data.Valid, batchSize: 128);                  // sequential
    /// for (int epoch = 0; epoch &lt; 3; epoch++)
    ///     foreach (var (x, y, count) in train.GetBatches(epoch)) { /* x: count × 1 × 28 × 28 floats */ }
    /// </code>
    /// </example>
    public sealed class DataLoader
    {
        /// <summary>Creates a data loader.</summary>
        /// <param name="dataset">The samples to batch.</param>
        /// <param name="batchSize">Samples per batch, ≥ 1.</param>
        /// <param name="sampler">The visiting order; null for a <see cref="SequentialSampler"/>. Its <see cref="Sampler.Count"/> must equal the data set's.</param>
        /// <param name="dropLast">Drop the last batch when it would hold fewer than <paramref name="batchSize"/> samples.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is less than 1.</exception>
        /// <exception cref="ArgumentException">The sampler's count differs from the data set's.</exception>
        public DataLoader(Dataset dataset, int batchSize, Sampler? sampler = null, bool dropLast = false)
        {
            Dataset = dataset ?? throw new ArgumentNullException(nameof(dataset));
            if (batchSize < 1)
                throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, "The batch size must be ≥ 1.");
            if (sampler is not null && sampler.Count != dataset.Count)
                throw new ArgumentException($"The sampler orders {sampler.Count} samples but data set '{dataset.Name}' has {dataset.Count}; create the sampler with the data set's Count.", nameof(sampler));
            BatchSize = batchSize;
            Sampler = sampler ?? new SequentialSampler(dataset.Count);
            DropLast = dropLast;
        }

        /// <summary>The data set.</summary>
        public Dataset Dataset { get; }

        /// <summary>Samples per batch (the last batch may hold fewer unless <see cref="DropLast"/>).</summary>
        public int BatchSize { get; }

        /// <summary>The visiting order.</summary>
        public Sampler Sampler { get; }

        /// <summary>Whether an incomplete last batch is dropped.</summary>
        public bool DropLast { get; }

        /// <summary>Batches per epoch: ⌊Count / BatchSize⌋ with <see cref="DropLast"/>, otherwise ⌈Count / BatchSize⌉.</summary>
        public int BatchCount => DropLast ? Dataset.Count / BatchSize : (int)(((long)Dataset.Count + BatchSize - 1) / BatchSize);

        /// <summary>Returns the batches of one epoch as host arrays; each batch owns new arrays.</summary>
        /// <param name="epoch">The epoch, ≥ 0; a <see cref="RandomSampler"/> gives each epoch its own permutation.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is negative.</exception>
        public IEnumerable<Batch> GetBatches(int epoch = 0)
        {
            if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "The epoch must be ≥ 0.");
            return Iterate(epoch);
        }

        /// <summary>Returns the batches of one epoch as tensors [count, ..SampleShape] created on <paramref name="engine"/>; dispose each batch when done with it.</summary>
        /// <param name="engine">The engine that creates the feature tensors.</param>
        /// <param name="epoch">The epoch, ≥ 0.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="epoch"/> is negative.</exception>
        public IEnumerable<TensorBatch> GetBatches(Engine engine, int epoch = 0)
        {
            if (engine is null) throw new ArgumentNullException(nameof(engine));
            if (epoch < 0) throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "The epoch must be ≥ 0.");
            return IterateTensors(engine, epoch);
        }

        /// <summary>
        /// The batches of one epoch as (input, target) tensor pairs for <see cref="Nn.Trainer.Fit"/>; each pair is
        /// disposed when the enumeration moves past it, so the training loop holds at most one batch.
        /// </summary>
        public IEnumerable<(Tensor Input, Tensor Target)> TrainingPairs(Engine engine, int epoch = 0)
        {
            foreach (TensorBatch b in GetBatches(engine, epoch))
            {
                using (b) yield return (b.Features, b.Targets);
            }
        }

        private IEnumerable<TensorBatch> IterateTensors(Engine engine, int epoch)
        {
            foreach (Batch b in Iterate(epoch))
                yield return new TensorBatch(engine.CreateTensor(b.Features, b.ShapeArray), b.Labels, b.Indices);
        }

        private IEnumerable<Batch> Iterate(int epoch)
        {
            int[] order = Sampler.GetIndices(epoch);
            if (order.Length != Dataset.Count)
                throw new InvalidOperationException($"{Sampler} returned {order.Length} indices for epoch {epoch}; a sampler must return {Dataset.Count}, one per sample of data set '{Dataset.Name}'.");
            int size = Dataset.SampleSize;
            float[] features = Dataset.FeatureArray;
            int[] labels = Dataset.LabelArray;
            int[] sampleShape = Dataset.SampleShapeArray;
            for (int start = 0; start < order.Length; start += BatchSize)
            {
                int count = Math.Min(BatchSize, order.Length - start);
                if (count < BatchSize && DropLast) yield break;
                var x = new float[(long)count * size];
                var y = new int[count];
                var idx = new int[count];
                for (int k = 0; k < count; k++)
                {
                    int i = order[start + k];
                    if ((uint)i >= (uint)Dataset.Count)
                        throw new InvalidOperationException($"{Sampler} returned index {i} for epoch {epoch}; data set '{Dataset.Name}' has samples 0..{Dataset.Count - 1}.");
                    Array.Copy(features, (long)i * size, x, (long)k * size, size);
                    y[k] = labels[i];
                    idx[k] = i;
                }
                var shape = new int[sampleShape.Length + 1];
                shape[0] = count;
                sampleShape.CopyTo(shape, 1);
                yield return new Batch(x, y, shape, idx);
            }
        }

        /// <inheritdoc />
        public override string ToString() => $"DataLoader({Dataset.Name}, batch {BatchSize}, {Sampler}{(DropLast ? ", drop_last" : "")})";
    }
}
