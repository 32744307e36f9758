using InitCore.Backends;
using InitCore.Initializers;

namespace InitCore.Nn
{
    /// <summary>Base of the elementwise activations (kernels in native/kernels/elementwise.cu, the smooth ones in activations.cu).</summary>
    public abstract class ActivationModule : Module
    {
        private readonly ActivationSpec _spec;
        private readonly string _description;
        private readonly double? _torchGain;
        private Tensor? _input;

        /// <summary>An activation with a fixed <paramref name="spec"/>, torch-style <paramref name="description"/>
        /// (<see cref="Describe"/>) and <paramref name="torchGain"/>, torch's <c>calculate_gain</c> value, or null where torch has none.</summary>
        private protected ActivationModule(Engine engine, ActivationSpec spec, string description, double? torchGain = null) : base(engine)
        {
            _spec = spec;
            _description = description;
            _torchGain = torchGain;
        }

        /// <summary>The kernel's kind and parameters; fixed at construction unless a layer with a settable parameter overrides it.</summary>
        internal virtual ActivationSpec Spec => _spec;

        /// <summary>
        /// Returns <paramref name="value"/> when it is finite, else throws <see cref="ArgumentException"/> naming
        /// <paramref name="name"/> and a valid <paramref name="example"/>: the constructors' check of their parameters.
        /// </summary>
        private protected static double RequireFinite(double value, string name, string example) =>
            Finite.Is(value) ? value : throw new ArgumentException($"{name} must be a finite number such as {example}, got {value}.", name);

        /// <summary>
        /// The gain for the weights of the layer that feeds this activation (the <c>gain</c> of Kaiming/Xavier): torch's
        /// <c>calculate_gain</c> value where torch has one (relu √2, leaky_relu, tanh 5/3, sigmoid 1, selu 3/4), otherwise
        /// 1/√E[f(x)²] for x ~ N(0, 1), the value <see cref="Initializers.Gain.Measure"/> estimates, computed by quadrature
        /// (GELU 1.5335, SiLU 1.6765, ELU(1) 1.2452, Softplus(1) 1.0419).
        /// </summary>
        public virtual double RecommendedGain
        {
            get
            {
                if (_torchGain is double gain) return gain;
                ActivationSpec spec = Spec;
                return Gain.ByQuadrature(x => ActivationFormulas.Forward(spec, x));
            }
        }

        /// <inheritdoc />
        public override string Describe() => _description;

        /// <inheritdoc />
        protected override Tensor ForwardCore(Tensor input)
        {
            Tensor y = Engine.CreateTensor(input.ShapeArray);
            Engine.Main.ActivationForward(Spec, input.Storage, y.Storage);
            _input = input;
            return y;
        }

        /// <inheritdoc />
        protected override Tensor InferCore(Tensor input)
        {
            Tensor y = InferenceBuffer(0, input, input.ShapeArray, inPlace: true);
            Engine.Main.ActivationForward(Spec, input.Storage, y.Storage);
            return y;
        }

        /// <inheritdoc />
        protected override Tensor BackwardCore(Tensor gradOutput)
        {
            Tensor x = Cached(_input);
            Tensor dx = Engine.CreateTensor(x.ShapeArray);
            Engine.Main.ActivationBackward(Spec, x.Storage, gradOutput.Storage, dx.Storage);
            return dx;
        }
    }
}
