using InitCore.Backends;
using InitCore.Initializers;

namespace InitCore.Nn
{
    /// <summary>
    /// y = tanh(x); dy/dx = 1 − tanh²(x). Equivalent to <c>torch.nn.Tanh</c> (Keras: <c>activation="tanh"</c>).
    /// Kernels: initcore_activation_forward/backward (kind 1) in native/kernels/activations.cu; CPU twin SmoothActivations.
    /// Gain 5/3, torch's <c>calculate_gain("tanh")</c> (LeCun et al., "Efficient BackProp", 1998, chose the scaled
    /// tanh for unit variance; 1/√E[tanh²(x)] would be 1.5925). NaN propagates.
    /// </summary>
    public sealed class Tanh : ActivationModule
    {
        /// <summary>Creates the layer.</summary>
        public Tanh(Engine engine) : base(engine, new ActivationSpec(ActivationKind.Tanh), "Tanh()", Gain.Calculate(Nonlinearity.Tanh))
        {
        }
    }
}
