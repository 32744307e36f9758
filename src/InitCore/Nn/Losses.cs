using System;
using InitCore.Backends.Cpu;

namespace InitCore.Nn
{
    /// <summary>A loss: a scalar from a prediction and a target, and the gradient with respect to the prediction.</summary>
    public abstract class Loss
    {
        /// <summary>Computes the loss (synchronizes to read the scalar) and caches what backward needs.</summary>
        /// <exception cref="ArgumentNullException">An argument is null.</exception>
        /// <exception cref="ArgumentException">The target does not fit the prediction, or the two belong to different engines;
        /// nothing is cached and the previous pass stays usable.</exception>
        public abstract double Forward(Tensor prediction, Tensor target);

        /// <summary>The gradient of the last loss with respect to the prediction, of the prediction's shape.</summary>
        /// <exception cref="InvalidOperationException">No forward pass came first.</exception>
        public abstract Tensor Backward();

        /// <summary>The checks every loss makes before anything runs: both tensors present and on one engine.</summary>
        private protected static void CheckPair(Tensor prediction, Tensor target)
        {
            if (prediction is null) throw new ArgumentNullException(nameof(prediction));
            if (target is null) throw new ArgumentNullException(nameof(target));
            if (!ReferenceEquals(prediction.Engine, target.Engine))
                throw new ArgumentException("target belongs to another engine than the prediction; create both with one engine.", nameof(target));
        }
    }

    /// <summary>
    /// Mean of (x − t)² over all elements. Equivalent to torch.nn.MSELoss() (reduction 'mean').
    /// </summary>
    public sealed class MseLoss : Loss
    {
        private Tensor? _x, _t;

        /// <inheritdoc />
        public override double Forward(Tensor prediction, Tensor target)
        {
            CheckPair(prediction, target);
            if (prediction.Length != target.Length)
                throw new ArgumentException($"target has {target.Length} elements but the prediction {TensorShape.Format(prediction.ShapeArray)} has {prediction.Length}.", nameof(target));
            double loss = prediction.Engine.Main.MseForward(prediction.Storage, target.Storage);
            _x = prediction;
            _t = target;
            return loss;
        }

        /// <inheritdoc />
        public override Tensor Backward()
        {
            Tensor x = _x ?? throw new InvalidOperationException("MseLoss.Backward was called before Forward.");
            Tensor dx = x.Engine.CreateTensor(x.ShapeArray);
            x.Engine.Main.MseBackward(x.Storage, _t!.Storage, dx.Storage);
            return dx;
        }

        /// <inheritdoc />
        public override string ToString() => "MseLoss()";
    }

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
            for (int i = 0; i < n; i++) CpuBackend.LabelAt(labels, i, classes);
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

    /// <summary>
    /// Stochastic gradient descent with momentum and weight decay, as torch.optim.SGD:
    /// d = g + wd·p; buf = momentum·buf + d (buf = d on the first step); p −= lr·buf (or lr·d without momentum).
    /// </summary>
    public sealed class Sgd
    {
        private readonly Parameter[] _parameters;
        private bool _started;

        /// <summary>Creates the optimizer over <paramref name="parameters"/>.</summary>
        public Sgd(System.Collections.Generic.IEnumerable<Parameter> parameters, double learningRate, double momentum = 0, double weightDecay = 0)
        {
            if (parameters is null) throw new ArgumentNullException(nameof(parameters));
            if (!(learningRate >= 0) || double.IsInfinity(learningRate)) throw new ArgumentOutOfRangeException(nameof(learningRate), learningRate, "learning rate must be a finite number ≥ 0.");
            if (!(momentum >= 0) || double.IsInfinity(momentum)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be a finite number ≥ 0.");
            if (!(weightDecay >= 0) || double.IsInfinity(weightDecay)) throw new ArgumentOutOfRangeException(nameof(weightDecay), weightDecay, "weight decay must be a finite number ≥ 0.");
            _parameters = System.Linq.Enumerable.ToArray(parameters);
            LearningRate = learningRate;
            Momentum = momentum;
            WeightDecay = weightDecay;
        }

        /// <summary>Learning rate (may be changed between steps, e.g. by a schedule).</summary>
        public double LearningRate { get; set; }

        /// <summary>Momentum factor.</summary>
        public double Momentum { get; }

        /// <summary>L2 weight decay.</summary>
        public double WeightDecay { get; }

        /// <summary>Applies one update from the current gradients.</summary>
        public void Step()
        {
            foreach (Parameter p in _parameters)
            {
                if (Momentum != 0 && p.MomentumBuffer is null) p.MomentumBuffer = p.Value.Engine.CreateTensor(p.Value.ShapeArray);
                Tensor buf = p.MomentumBuffer ?? p.Grad;
                p.Value.Engine.Main.SgdStep(p.Value.Storage, p.Grad.Storage, buf.Storage, (float)LearningRate, (float)Momentum, (float)WeightDecay, !_started);
            }
            _started = true;
        }

        /// <summary>Sets every gradient to zero.</summary>
        public void ZeroGrad()
        {
            foreach (Parameter p in _parameters) p.ZeroGrad();
        }

        /// <inheritdoc />
        public override string ToString() => $"Sgd(lr={LearningRate}, momentum={Momentum}, weight_decay={WeightDecay})";
    }
}
