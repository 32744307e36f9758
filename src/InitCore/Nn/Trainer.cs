namespace InitCore.Nn
{
    /// <summary>Metrics after one batch.</summary>
    public sealed class BatchMetrics
    {
        internal BatchMetrics(int epoch, int batch, int count, double loss, int correct)
        {
            Epoch = epoch; Batch = batch; Count = count; Loss = loss; Correct = correct;
        }

        /// <summary>Epoch index, from 0.</summary>
        public int Epoch { get; }

        /// <summary>Batch index within the epoch, from 0.</summary>
        public int Batch { get; }

        /// <summary>Samples in the batch.</summary>
        public int Count { get; }

        /// <summary>The batch loss.</summary>
        public double Loss { get; }

        /// <summary>Correct predictions (classification losses only; 0 otherwise).</summary>
        public int Correct { get; }
    }

    /// <summary>Metrics after one epoch: training loss and accuracy, and validation loss and accuracy when validation data was given.</summary>
    public sealed class EpochMetrics
    {
        internal EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double validLoss, double validAccuracy, TimeSpan elapsed)
        {
            Epoch = epoch; TrainLoss = trainLoss; TrainAccuracy = trainAccuracy; ValidLoss = validLoss; ValidAccuracy = validAccuracy; Elapsed = elapsed;
        }

        /// <summary>Epoch index, from 0.</summary>
        public int Epoch { get; }

        /// <summary>Sample-weighted mean training loss.</summary>
        public double TrainLoss { get; }

        /// <summary>Training accuracy (NaN for non-classification losses).</summary>
        public double TrainAccuracy { get; }

        /// <summary>Validation loss (NaN without validation data).</summary>
        public double ValidLoss { get; }

        /// <summary>Validation accuracy (NaN without validation data or for non-classification losses).</summary>
        public double ValidAccuracy { get; }

        /// <summary>Wall time of the epoch, validation included.</summary>
        public TimeSpan Elapsed { get; }

        /// <inheritdoc />
        public override string ToString() => FormattableString.Invariant(
            $"epoch {Epoch}: train loss {TrainLoss:F4} acc {TrainAccuracy:P2}, valid loss {ValidLoss:F4} acc {ValidAccuracy:P2} ({Elapsed.TotalSeconds:F1} s)");
    }

    /// <summary>The training loop: forward, loss, backward and an optimizer step per batch; validation per epoch.</summary>
    public static class Trainer
    {
        /// <summary>
        /// Trains <paramref name="model"/> for <paramref name="epochs"/> epochs. The model is in training mode for
        /// the training batches and in evaluation mode for validation, and is left in the mode it was in.
        /// </summary>
        /// <param name="model">The model.</param>
        /// <param name="loss">The loss.</param>
        /// <param name="optimizer">The optimizer over the model's parameters.</param>
        /// <param name="trainBatches">Given the epoch index, the training batches (input, target) of that epoch.</param>
        /// <param name="validBatches">The validation batches, or null.</param>
        /// <param name="epochs">Number of epochs, ≥ 1.</param>
        /// <param name="onBatch">Called after each training batch.</param>
        /// <param name="onEpoch">Called after each epoch.</param>
        /// <param name="cancellationToken">Checked before each batch; cancelling throws <see cref="OperationCanceledException"/> and keeps the weights reached so far.</param>
        /// <returns>The metrics of every epoch.</returns>
        public static IReadOnlyList<EpochMetrics> Fit(Module model, Loss loss, Sgd optimizer,
            Func<int, IEnumerable<(Tensor Input, Tensor Target)>> trainBatches, Func<IEnumerable<(Tensor Input, Tensor Target)>>? validBatches,
            int epochs, Action<BatchMetrics>? onBatch = null, Action<EpochMetrics>? onEpoch = null, CancellationToken cancellationToken = default)
        {
            if (model is null) throw new ArgumentNullException(nameof(model));
            if (loss is null) throw new ArgumentNullException(nameof(loss));
            if (optimizer is null) throw new ArgumentNullException(nameof(optimizer));
            if (trainBatches is null) throw new ArgumentNullException(nameof(trainBatches));
            if (epochs < 1) throw new ArgumentOutOfRangeException(nameof(epochs), epochs, "epochs must be ≥ 1.");
            bool wasTraining = model.IsTraining;
            var history = new List<EpochMetrics>();
            try
            {
                for (int epoch = 0; epoch < epochs; epoch++)
                {
                    var clock = System.Diagnostics.Stopwatch.StartNew();
                    model.Train();
                    double lossSum = 0;
                    long seen = 0, correct = 0;
                    int batch = 0;
                    foreach (var (x, y) in trainBatches(epoch))
                    {
                        cancellationToken.ThrowIfCancellationRequested();
                        optimizer.ZeroGrad();
                        Tensor output = model.Forward(x);
                        double l = loss.Forward(output, y);
                        if (double.IsNaN(l) || double.IsInfinity(l))
                            throw new InvalidOperationException($"The loss became {l} at epoch {epoch}, batch {batch}; lower the learning rate or check the initialization.");
                        model.Backward(loss.Backward(), needInputGradient: false);
                        optimizer.Step();
                        int n = x.Shape[0];
                        int c = loss is CrossEntropyLoss ce ? ce.LastCorrect : 0;
                        lossSum += l * n;
                        seen += n;
                        correct += c;
                        onBatch?.Invoke(new BatchMetrics(epoch, batch, n, l, c));
                        batch++;
                    }
                    double validLoss = double.NaN, validAccuracy = double.NaN;
                    if (validBatches is not null)
                        (validLoss, validAccuracy) = Evaluate(model, loss, validBatches(), cancellationToken);
                    var metrics = new EpochMetrics(epoch, seen > 0 ? lossSum / seen : double.NaN,
                        loss is CrossEntropyLoss && seen > 0 ? (double)correct / seen : double.NaN, validLoss, validAccuracy, clock.Elapsed);
                    history.Add(metrics);
                    onEpoch?.Invoke(metrics);
                }
            }
            finally
            {
                model.Train(wasTraining);
            }
            return history;
        }

        /// <summary>Mean loss and accuracy over <paramref name="batches"/> in evaluation mode (the mode is restored).</summary>
        public static (double Loss, double Accuracy) Evaluate(Module model, Loss loss, IEnumerable<(Tensor Input, Tensor Target)> batches, CancellationToken cancellationToken = default)
        {
            if (model is null) throw new ArgumentNullException(nameof(model));
            if (loss is null) throw new ArgumentNullException(nameof(loss));
            if (batches is null) throw new ArgumentNullException(nameof(batches));
            bool wasTraining = model.IsTraining;
            model.Eval();
            try
            {
                double sum = 0;
                long seen = 0, correct = 0;
                foreach (var (x, y) in batches)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    Tensor output = model.Forward(x);
                    double l = loss.Forward(output, y);
                    int n = x.Shape[0];
                    sum += l * n;
                    seen += n;
                    if (loss is CrossEntropyLoss ce) correct += ce.LastCorrect;
                }
                return (seen > 0 ? sum / seen : double.NaN, loss is CrossEntropyLoss && seen > 0 ? (double)correct / seen : double.NaN);
            }
            finally
            {
                model.Train(wasTraining);
            }
        }
    }
}
