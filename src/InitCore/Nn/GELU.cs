using InitCore.Backends;

namespace InitCore.Nn
{
    /// <summary>
    /// The exact Gaussian error linear unit: y = x·Φ(x) = x/2·(1 + erf(x/√2)); dy/dx = Φ(x) + x·φ(x)
    /// (Hendrycks and Gimpel, "Gaussian Error Linear Units (GELUs)", 2016). Equivalent to <c>torch.nn.GELU()</c>
    /// (<c>approximate='none'</c>, the default; the tanh approximation is not offered) and Keras'
    /// <c>activations.gelu(x, approximate=False)</c>.
    /// Kernels: initcore_activation_forward/backward (kind 3) in native/kernels/activations.cu; CPU twin SmoothActivations.
    /// Gain 1/√E[GELU(x)²] = 1.5335 (torch's calculate_gain has no entry; <see cref="Initializers.Gain.Measure"/> gives 1.531). NaN propagates.
    /// </summary>
    public sealed class GELU : ActivationModule
    {
        /// <summary>Creates the layer.</summary>
        public GELU(Engine engine) : base(engine, new ActivationSpec(ActivationKind.Gelu), "GELU(approximate='none')")
        {
        }
    }
}
