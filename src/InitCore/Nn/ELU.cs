using InitCore.Backends;

namespace InitCore.Nn
{
    /// <summary>
    /// y = x for x &gt; 0, alpha·(e^x − 1) otherwise; dy/dx = 1, or alpha·e^x (Clevert et al., "Fast and Accurate Deep
    /// Network Learning by Exponential Linear Units", 2015). Equivalent to <c>torch.nn.ELU(alpha)</c> (Keras: <c>layers.ELU(alpha)</c>).
    /// Kernels: initcore_activation_forward/backward (kind 5, scale 1) in native/kernels/activations.cu; CPU twin SmoothActivations.
    /// Gain 1/√E[ELU(x)²], 1.2452 for alpha = 1 (torch's calculate_gain has no entry). NaN propagates.
    /// </summary>
    public sealed class ELU : ActivationModule
    {
        /// <summary>Creates the layer.</summary>
        /// <param name="engine">The engine.</param>
        /// <param name="alpha">The value the output approaches for x → −∞ is −alpha; finite (torch's default 1).</param>
        /// <exception cref="ArgumentException"><paramref name="alpha"/> is NaN or infinite.</exception>
        public ELU(Engine engine, double alpha = 1.0)
            : base(engine, new ActivationSpec(ActivationKind.Elu, (float)RequireFinite(alpha, nameof(alpha), "1.0"), 1f), $"ELU(alpha={TorchRepr.Float(alpha)})")
        {
            Alpha = alpha;
        }

        /// <summary>The saturation value's magnitude for negative inputs.</summary>
        public double Alpha { get; }
    }
}
