using System;
using System.Globalization;
using InitCore.Backends;
using InitCore.Initializers;

namespace InitCore.Nn
{
    /// <summary>x for x &gt; 0, slope·x otherwise. Equivalent to torch.nn.LeakyReLU(negative_slope).</summary>
    public sealed class LeakyReLU : ActivationModule
    {
        /// <summary>Creates the layer.</summary>
        public LeakyReLU(Engine engine, double negativeSlope = 0.01) : base(engine)
        {
            if (double.IsNaN(negativeSlope) || double.IsInfinity(negativeSlope)) throw new ArgumentException($"negativeSlope must be finite, got {negativeSlope}.", nameof(negativeSlope));
            NegativeSlope = negativeSlope;
        }

        /// <summary>The slope for negative inputs.</summary>
        public double NegativeSlope { get; }

        internal override ActivationSpec Spec => new ActivationSpec((float)NegativeSlope, 0f, null);

        /// <summary>√(2/(1 + slope²)), torch's <c>calculate_gain("leaky_relu", slope)</c>.</summary>
        public override double RecommendedGain => Gain.Calculate(Nonlinearity.LeakyRelu, NegativeSlope);

        /// <inheritdoc />
        public override string Describe() => string.Format(CultureInfo.InvariantCulture, "LeakyReLU({0})", NegativeSlope);
    }
}
