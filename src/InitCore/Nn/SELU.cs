using InitCore.Backends;
using InitCore.Initializers;

namespace InitCore.Nn
{
    /// <summary>
    /// y = scale·(x for x &gt; 0, alpha·(e^x − 1) otherwise) with torch's constants alpha = 1.6732632423543772848170429916717
    /// and scale = 1.0507009873554804934193349852946 (Klambauer et al., "Self-Normalizing Neural Networks", 2017).
    /// Equivalent to <c>torch.nn.SELU</c> (Keras: <c>activation="selu"</c>).
    /// Kernels: initcore_activation_forward/backward (kind 5) in native/kernels/activations.cu; CPU twin SmoothActivations.
    /// Gain 3/4, torch's <c>calculate_gain("selu")</c> (1/√E[SELU(x)²] is 1 by construction; torch chose 3/4). NaN propagates.
    /// </summary>
    public sealed class SELU : ActivationModule
    {
        /// <summary>torch's alpha.</summary>
        public const double Alpha = 1.6732632423543772848170429916717;

        /// <summary>torch's scale.</summary>
        public const double Scale = 1.0507009873554804934193349852946;

        /// <summary>Creates the layer.</summary>
        public SELU(Engine engine) : base(engine, new ActivationSpec(ActivationKind.Elu, (float)Alpha, (float)Scale), "SELU()", Gain.Calculate(Nonlinearity.Selu))
        {
        }
    }
}
