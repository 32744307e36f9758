using InitCore.Backends;
using InitCore.Randomness;

namespace InitCore.Nn
{
    /// <summary>
    /// Inverted dropout (Srivastava et al., "Dropout: A Simple Way to Prevent Neural Networks from Overfitting", 2014):
    /// in training mode y = x·m with m = 0 with probability p and 1/(1 − p) otherwise, so E[y] = x; in evaluation mode
    /// (and in <see cref="Module.Infer"/>) the identity. Equivalent to <c>torch.nn.Dropout(p)</c> (Keras: <c>layers.Dropout(rate)</c>).
    /// </summary>
    /// <remarks>
    /// The mask comes from a Philox fill of uniforms u in [0, 1) (top 24 bits) drawn from <see cref="Generator"/>, the
    /// engine's default generator unless one is given, then m = u &lt; p ? 0 : 1/(1 − p) (initcore_dropout_mask): the
    /// fill and the mask are bit-identical on the CPU and CUDA, so two engines with the same seed drop the same units.
    /// Each training forward pass advances the generator by ⌈n/4⌉ Philox blocks for n elements; with p = 0 or in
    /// evaluation mode nothing is drawn. Backward multiplies the gradient by the same mask: dx = dy·m.
    /// torch draws its mask from its own generator, so the units dropped differ from torch's; the distribution is the same.
    /// </remarks>
    public sealed class Dropout : Module
    {
        private Tensor? _mask;
        private bool _identity;

        /// <summary>Creates the layer.</summary>
        /// <param name="engine">The engine.</param>
        /// <param name="p">The probability of zeroing an element, in [0, 1) (torch's default 0.5).</param>
        /// <param name="generator">The Philox generator of the masks; the engine's <see cref="Engine.DefaultGenerator"/> when null.</param>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="p"/> is not in [0, 1).</exception>
        public Dropout(Engine engine, double p = 0.5, Generator? generator = null) : base(engine)
        {
            if (!(p >= 0 && p < 1))
                throw new ArgumentOutOfRangeException(nameof(p), p, $"Dropout probability p must be in [0, 1), got {p}; p = 1 would zero every element (use 0 to disable dropout).");
            P = p;
            Generator = generator ?? engine.DefaultGenerator;
        }

        /// <summary>The probability of zeroing an element.</summary>
        public double P { get; }

        /// <summary>The generator the masks are drawn from.</summary>
        public Generator Generator { get; }

        /// <inheritdoc />
        protected override Tensor ForwardCore(Tensor input)
        {
            _mask?.Dispose();
            _mask = null;
            _identity = !IsTraining || P == 0 || input.Length == 0;
            if (_identity) return input;
            Tensor mask = Engine.CreateTensor(input.ShapeArray);
            Backend b = Engine.Main;
            b.Fill(mask.Storage, FillSpec.Uniform(0.0, 1.0), Generator.Take(mask.Length));
            b.DropoutMask(mask.Storage, (float)P, (float)(1.0 / (1.0 - P)));
            Tensor y = Engine.CreateTensor(input.ShapeArray);
            b.Multiply(input.Storage, mask.Storage, y.Storage);
            _mask = mask;
            return y;
        }

        /// <inheritdoc />
        /// <remarks>The identity: returns <paramref name="input"/> itself, as evaluation-mode Forward does (and torch).</remarks>
        protected override Tensor InferCore(Tensor input) => input;

        /// <inheritdoc />
        protected override Tensor BackwardCore(Tensor gradOutput)
        {
            if (_identity) return gradOutput;
            Tensor mask = Cached(_mask);
            Tensor dx = Engine.CreateTensor(gradOutput.ShapeArray);
            Engine.Main.Multiply(gradOutput.Storage, mask.Storage, dx.Storage);
            return dx;
        }

        /// <inheritdoc />
        public override string Describe() => $"Dropout(p={TorchRepr.Float(P)}, inplace=False)";
    }
}
