using InitCore.Backends;

namespace InitCore.Nn
{
    /// <summary>
    /// y = x·σ(x) (swish); dy/dx = σ(x)(1 + x(1 − σ(x))) (Elfwing et al., 2017; Ramachandran et al., "Searching for
    /// Activation Functions", 2017). Equivalent to <c>torch.nn.SiLU</c> (Keras: <c>activation="silu"</c>).
    /// Kernels: initcore_activation_forward/backward (kind 4) in native/kernels/activations.cu; CPU twin SmoothActivations.
    /// Gain 1/√E[SiLU(x)²] = 1.6765 (torch's calculate_gain has no entry). NaN propagates.
    /// </summary>
    public sealed class SiLU : ActivationModule
    {
        /// <summary>Creates the layer.</summary>
        public SiLU(Engine engine) : base(engine, new ActivationSpec(ActivationKind.Silu), "SiLU()")
        {
        }
    }
}
