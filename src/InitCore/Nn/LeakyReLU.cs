using InitCore.Backends;
using InitCore.Initializers;

namespace InitCore.Nn
{
    /// <summary>x for x &gt; 0, slope·x otherwise. Equivalent to torch.nn.LeakyReLU(negative_slope).</summary>
    public sealed class LeakyReLU : ActivationModule
    {
        /// <summary>Creates the layer.</summary>
        public LeakyReLU(Engine engine, double negativeSlope = 0.01)
            : base(engine, new ActivationSpec((float)RequireFinite(negativeSlope, nameof(negativeSlope), "0.01"), 0f, null),
                   string.Format(CultureInfo.InvariantCulture, "LeakyReLU({0})", negativeSlope))
        {
            NegativeSlope = negativeSlope;
        }

        /// <summary>The slope for negative inputs.</summary>
        public double NegativeSlope { get; }

        /// <summary>√(2/(1 + slope²)), torch's <c>calculate_gain("leaky_relu", slope)</c>; throws for |slope| ≥ 1.3e154, whose square overflows.</summary>
        public override double RecommendedGain => Gain.Calculate(Nonlinearity.LeakyRelu, NegativeSlope);
    }
}
