using InitCore.Backends;
using InitCore.Initializers;

namespace InitCore.Nn
{
    /// <summary>
    /// y = σ(x) = 1/(1 + e^−x); dy/dx = σ(x)(1 − σ(x)). Equivalent to <c>torch.nn.Sigmoid</c> (Keras: <c>activation="sigmoid"</c>).
    /// Kernels: initcore_activation_forward/backward (kind 2) in native/kernels/activations.cu; CPU twin SmoothActivations.
    /// Gain 1, torch's <c>calculate_gain("sigmoid")</c>. NaN propagates.
    /// </summary>
    public sealed class Sigmoid : ActivationModule
    {
        /// <summary>Creates the layer.</summary>
        public Sigmoid(Engine engine) : base(engine, new ActivationSpec(ActivationKind.Sigmoid), "Sigmoid()", Gain.Calculate(Nonlinearity.Sigmoid))
        {
        }
    }
}
