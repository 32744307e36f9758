namespace InitCore.Nn
{
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
