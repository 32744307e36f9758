using InitCore.Backends;

namespace InitCore.Nn
{
    /// <summary>
    /// Cross-entropy of logits [N, C] against class labels [N] (integers stored as floats): the mean of
    /// logsumexp(z) − z[label], with the numerically stable, max-shifted log-softmax. Equivalent to
    /// torch.nn.CrossEntropyLoss() (reduction 'mean').
    /// </summary>
    public sealed class CrossEntropyLoss : Loss
    {
        private Tensor? _probs, _labels;

        /// <summary>Correct predictions in the last forward call (argmax of the logits equals the label).</summary>
        public int LastCorrect { get; private set; }

        /// <inheritdoc />
        public override double Forward(Tensor prediction, Tensor target)
        {
            CheckPair(prediction, target);
            if (prediction.Rank != 2)
                throw new ArgumentException($"CrossEntropyLoss expects logits [batch, classes], got {TensorShape.Format(prediction.ShapeArray)}.", nameof(prediction));
            int n = prediction.Shape[0], classes = prediction.Shape[1];
            if (target.Length != n)
                throw new ArgumentException($"target has {target.Length} labels but the logits have {n} rows.", nameof(target));
            // Every label is checked here, on the caller's thread, before any (parallel or device) work: a bad one is a
            // plain ArgumentException on any backend and thread count, and no kernel ever indexes a row with it.
            float[] labels = target.ToArray();
            ClassLabels.Check(labels, n, classes);
            Engine e = prediction.Engine;
            Tensor probs = e.CreateTensor(n, classes);
            // A private copy of the checked labels: changing the target afterwards cannot reach Backward's kernel.
            Tensor labelCopy = e.CreateTensor(labels, n);
            try
            {
                double loss = e.Main.CrossEntropyForward(prediction.Storage, labelCopy.Storage, probs.Storage, n, classes);
                int correct = e.Main.CountCorrect(prediction.Storage, labelCopy.Storage, n, classes);
                _probs?.Dispose();
                _labels?.Dispose();
                _probs = probs;
                _labels = labelCopy;
                LastCorrect = correct;
                return loss;
            }
            catch
            {
                probs.Dispose();
                labelCopy.Dispose();
                throw;
            }
        }

        /// <inheritdoc />
        public override Tensor Backward()
        {
            Tensor p = _probs ?? throw new InvalidOperationException("CrossEntropyLoss.Backward was called before Forward.");
            Tensor dz = p.Engine.CreateTensor(p.ShapeArray);
            p.Engine.Main.CrossEntropyBackward(p.Storage, _labels!.Storage, dz.Storage, p.Shape[0], p.Shape[1]);
            return dz;
        }

        /// <inheritdoc />
        public override string ToString() => "CrossEntropyLoss()";
    }
}
