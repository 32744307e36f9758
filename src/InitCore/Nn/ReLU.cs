using InitCore.Backends;
using InitCore.Initializers;

namespace InitCore.Nn
{
    /// <summary>max(x, 0). Equivalent to torch.nn.ReLU.</summary>
    public sealed class ReLU : ActivationModule
    {
        /// <summary>Creates the layer.</summary>
        public ReLU(Engine engine) : base(engine)
        {
        }

        internal override ActivationSpec Spec => new ActivationSpec(0f, 0f, null);

        /// <summary>√2, torch's <c>calculate_gain("relu")</c>.</summary>
        public override double RecommendedGain => Gain.Calculate(Nonlinearity.Relu);

        /// <inheritdoc />
        public override string Describe() => "ReLU()";
    }
}
