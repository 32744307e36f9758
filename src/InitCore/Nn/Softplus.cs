using InitCore.Backends;

namespace InitCore.Nn
{
    /// <summary>
    /// y = log(1 + e^(beta·x))/beta, and y = x where beta·x &gt; threshold (for numerical stability, as torch);
    /// dy/dx = σ(beta·x), or 1 above the threshold. Equivalent to <c>torch.nn.Softplus(beta, threshold)</c>
    /// (Keras' <c>activations.softplus</c> is beta = 1 without a threshold).
    /// Kernels: initcore_activation_forward/backward (kind 6) in native/kernels/activations.cu; CPU twin SmoothActivations.
    /// Gain 1/√E[softplus(x)²], 1.0419 for beta = 1 (torch's calculate_gain has no entry). NaN propagates.
    /// </summary>
    public sealed class Softplus : ActivationModule
    {
        /// <summary>Creates the layer.</summary>
        /// <param name="engine">The engine.</param>
        /// <param name="beta">The sharpness; a positive finite number (torch's default 1).</param>
        /// <param name="threshold">Above beta·x &gt; threshold the layer is the identity; finite (torch's default 20).</param>
        /// <exception cref="ArgumentException"><paramref name="beta"/> is not positive and finite, or <paramref name="threshold"/> is not finite.</exception>
        public Softplus(Engine engine, double beta = 1.0, double threshold = 20.0)
            : base(engine, new ActivationSpec(ActivationKind.Softplus, (float)RequirePositive(beta), (float)RequireFinite(threshold, nameof(threshold), "20.0")),
                   $"Softplus(beta={TorchRepr.Float(beta)}, threshold={TorchRepr.Float(threshold)})")
        {
            Beta = beta;
            Threshold = threshold;
        }

        /// <summary>The sharpness β.</summary>
        public double Beta { get; }

        /// <summary>The linear-region threshold on β·x.</summary>
        public double Threshold { get; }

        private static double RequirePositive(double beta) =>
            beta > 0 && !double.IsInfinity(beta) ? beta : throw new ArgumentException($"beta must be a positive finite number such as 1.0, got {beta}.", nameof(beta));
    }
}
