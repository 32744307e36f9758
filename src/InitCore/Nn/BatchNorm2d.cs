using InitCore.Initializers;
using InitCore.Randomness;

namespace InitCore.Nn
{
    /// <summary>
    /// Batch normalization over N, H and W for each channel. Training: batch statistics (biased variance),
    /// running statistics updated with momentum and the unbiased variance; evaluation: running statistics.
    /// Equivalent to torch.nn.BatchNorm2d(num_features, eps, momentum); weight 1 and bias 0 at start.
    /// </summary>
    public sealed class BatchNorm2d : Module
    {
        private Tensor? _input;
        private readonly Tensor _mean, _invstd;

        /// <summary>Creates the layer.</summary>
        public BatchNorm2d(Engine engine, int numFeatures, double eps = 1e-5, double momentum = 0.1) : base(engine)
        {
            if (numFeatures < 1) throw new ArgumentOutOfRangeException(nameof(numFeatures), numFeatures, "num_features must be ≥ 1.");
            if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be > 0.");
            if (!(momentum >= 0 && momentum <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1].");
            NumFeatures = numFeatures;
            Eps = eps;
            Momentum = momentum;
            Weight = new Parameter("weight", engine.CreateTensor(numFeatures));
            Bias = new Parameter("bias", engine.CreateTensor(numFeatures));
            RunningMean = engine.CreateTensor(numFeatures);
            RunningVar = engine.CreateTensor(numFeatures);
            _mean = engine.CreateTensor(numFeatures);
            _invstd = engine.CreateTensor(numFeatures);
            ResetParameters();
        }

        /// <summary>Channels.</summary>
        public int NumFeatures { get; }

        /// <summary>Added to the variance.</summary>
        public double Eps { get; }

        /// <summary>Running-statistics momentum.</summary>
        public double Momentum { get; }

        /// <summary>Scale γ.</summary>
        public Parameter Weight { get; }

        /// <summary>Shift β.</summary>
        public Parameter Bias { get; }

        /// <summary>Running mean (a buffer, not trained).</summary>
        public Tensor RunningMean { get; }

        /// <summary>Running variance (a buffer, not trained).</summary>
        public Tensor RunningVar { get; }

        /// <inheritdoc />
        public override IReadOnlyList<Parameter> OwnParameters => new[] { Weight, Bias };

        /// <summary><c>running_mean</c> and <c>running_var</c>, as torch names them (torch's <c>num_batches_tracked</c> is not kept: the momentum is always set).</summary>
        public override IReadOnlyList<(string Name, Tensor Buffer)> OwnBuffers => new[] { ("running_mean", RunningMean), ("running_var", RunningVar) };

        /// <inheritdoc />
        public override void ResetParameters(RandomSource? generator = null)
        {
            Init.Ones(Weight.Value);
            Init.Zeros(Bias.Value);
            Init.Zeros(RunningMean);
            Init.Ones(RunningVar);
        }

        private (int N, int Inner) Dims(Tensor x)
        {
            if (x.Rank != 4 || x.Shape[1] != NumFeatures)
                throw new ArgumentException($"{Describe()} expects input [batch, {NumFeatures}, height, width], got {TensorShape.Format(x.ShapeArray)}.", "input");
            return (x.Shape[0], x.Shape[2] * x.Shape[3]);
        }

        /// <inheritdoc />
        protected override Tensor ForwardCore(Tensor input)
        {
            var (n, inner) = Dims(input);
            if (IsTraining && n * inner < 2)
                throw new ArgumentException($"{Describe()} needs more than one value per channel in training mode (got {TensorShape.Format(input.ShapeArray)}).", nameof(input));
            Tensor y = Engine.CreateTensor(input.ShapeArray);
            Engine.Main.BatchNormForward(input.Storage, y.Storage, Weight.Value.Storage, Bias.Value.Storage, RunningMean.Storage, RunningVar.Storage,
                _mean.Storage, _invstd.Storage, n, NumFeatures, inner, (float)Eps, (float)Momentum, IsTraining);
            _input = input;
            return y;
        }

        /// <inheritdoc />
        /// <remarks>Always normalizes with the running statistics (evaluation mode) and updates nothing, whatever <see cref="Module.IsTraining"/> says.</remarks>
        protected override Tensor InferCore(Tensor input)
        {
            var (n, inner) = Dims(input);
            Tensor y = InferenceBuffer(0, input, input.ShapeArray, inPlace: true);
            ReadOnlySpan<int> channels = stackalloc int[] { NumFeatures };
            Tensor mean = InferenceBuffer(1, input, channels), invstd = InferenceBuffer(2, input, channels);
            Engine.Main.BatchNormForward(input.Storage, y.Storage, Weight.Value.Storage, Bias.Value.Storage, RunningMean.Storage, RunningVar.Storage,
                mean.Storage, invstd.Storage, n, NumFeatures, inner, (float)Eps, (float)Momentum, training: false);
            return y;
        }

        /// <inheritdoc />
        protected override Tensor BackwardCore(Tensor gradOutput)
        {
            Tensor x = Cached(_input);
            if (!IsTraining) throw new InvalidOperationException($"{Describe()}: backward is implemented for training mode (batch statistics); call Train() first.");
            var (n, inner) = Dims(x);
            Tensor dx = Engine.CreateTensor(x.ShapeArray);
            Engine.Main.BatchNormBackward(x.Storage, gradOutput.Storage, Weight.Value.Storage, _mean.Storage, _invstd.Storage,
                dx.Storage, Weight.Grad.Storage, Bias.Grad.Storage, n, NumFeatures, inner);
            return dx;
        }

        /// <inheritdoc />
        public override string Describe() => string.Format(CultureInfo.InvariantCulture, "BatchNorm2d({0}, eps={1}, momentum={2})", NumFeatures, Eps, Momentum);
    }
}
