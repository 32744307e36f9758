using InitCore.Backends;
using InitCore.Initializers;
using InitCore.Randomness;

namespace InitCore.Nn
{
    /// <summary>
    /// y = x·Wᵀ + b with W [out, in]: cuBLAS on CUDA, a blocked SIMD multithreaded GEMM on the CPU.
    /// Initialized as torch.nn.Linear: W ~ kaiming_uniform(a=√5) = U(±1/√in), b ~ U(±1/√in).
    /// </summary>
    public sealed class Linear : Module
    {
        private Tensor? _input;

        /// <summary>Creates the layer and initializes it with PyTorch's default from <paramref name="generator"/> (the engine's default when null).</summary>
        public Linear(Engine engine, int inFeatures, int outFeatures, bool bias = true, RandomSource? generator = null) : base(engine)
        {
            if (inFeatures < 1) throw new ArgumentOutOfRangeException(nameof(inFeatures), inFeatures, "in_features must be ≥ 1.");
            if (outFeatures < 1) throw new ArgumentOutOfRangeException(nameof(outFeatures), outFeatures, "out_features must be ≥ 1.");
            InFeatures = inFeatures;
            OutFeatures = outFeatures;
            Weight = new Parameter("weight", engine.CreateTensor(outFeatures, inFeatures));
            Bias = bias ? new Parameter("bias", engine.CreateTensor(outFeatures)) : null;
            ResetParameters(generator);
        }

        /// <summary>Input features.</summary>
        public int InFeatures { get; }

        /// <summary>Output features.</summary>
        public int OutFeatures { get; }

        /// <summary>The weight [out, in].</summary>
        public Parameter Weight { get; }

        /// <summary>The bias [out], or null.</summary>
        public Parameter? Bias { get; }

        /// <summary>Layer-aware fans: fan_in = in, fan_out = out.</summary>
        public Fans Fans => Fans.ForLinear(InFeatures, OutFeatures);

        /// <inheritdoc />
        public override IReadOnlyList<Parameter> OwnParameters => Bias is null ? new[] { Weight } : new[] { Weight, Bias };

        /// <inheritdoc />
        public override void ResetParameters(RandomSource? generator = null) => Init.PyTorchDefault(Weight.Value, Bias?.Value, generator);

        /// <inheritdoc />
        protected override Tensor ForwardCore(Tensor input)
        {
            int n = BatchOf(input);
            Tensor y = Engine.CreateTensor(n, OutFeatures);
            Compute(input, y, n);
            _input = input;
            return y;
        }

        /// <inheritdoc />
        protected override Tensor InferCore(Tensor input)
        {
            int n = BatchOf(input);
            Tensor y = InferenceBuffer(0, input, stackalloc int[] { n, OutFeatures });
            Compute(input, y, n);
            return y;
        }

        private int BatchOf(Tensor input)
        {
            if (input.Rank != 2 || input.ShapeArray[1] != InFeatures)
                throw new ArgumentException($"{Describe()} expects input [batch, {InFeatures}], got {TensorShape.Format(input.ShapeArray)}.", nameof(input));
            return input.ShapeArray[0];
        }

        private void Compute(Tensor input, Tensor y, int n)
        {
            Engine.Main.Gemm(false, true, n, OutFeatures, InFeatures, 1f, input.Storage, Weight.Value.Storage, 0f, y.Storage);
            if (Bias is not null) Engine.Main.AddBias(y.Storage, Bias.Value.Storage, n, OutFeatures, 1);
        }

        /// <inheritdoc />
        protected override Tensor BackwardCore(Tensor gradOutput)
        {
            Tensor x = Cached(_input);
            int n = x.Shape[0];
            Backend b = Engine.Main;
            b.Gemm(true, false, OutFeatures, InFeatures, n, 1f, gradOutput.Storage, x.Storage, 1f, Weight.Grad.Storage);
            if (Bias is not null) b.BiasGrad(gradOutput.Storage, Bias.Grad.Storage, n, OutFeatures, 1, accumulate: true);
            Tensor dx = Engine.CreateTensor(n, InFeatures);
            if (NeedInputGradient) b.Gemm(false, false, n, InFeatures, OutFeatures, 1f, gradOutput.Storage, Weight.Value.Storage, 0f, dx.Storage);
            return dx;
        }

        /// <inheritdoc />
        public override string Describe() => $"Linear({InFeatures}→{OutFeatures}{(Bias is null ? ", no bias" : "")})";
    }
}
