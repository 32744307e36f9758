using InitCore.Randomness;

namespace InitCore.Initializers
{
    /// <summary>
    /// One initializer, described once: which fan it reads, its gain (or scale), and its distribution.
    /// The tensor form and the span form of <see cref="Init"/>, the model-wide <see cref="Nn.InitScheme"/> and
    /// the batched device launch of <see cref="Nn.ModelInit"/> all turn it into a <see cref="FillSpec"/> with
    /// <see cref="Spec"/>, so the formula and its checks exist in one place.
    /// </summary>
    /// <remarks>
    /// Creating a definition checks every parameter that does not depend on the fans (and, for Keras'
    /// VarianceScaling, the largest values any fans can give), so a bad argument is refused before a target is
    /// touched, even an empty one. <see cref="Spec"/> adds the checks that need the fans.
    /// </remarks>
    internal readonly struct InitDefinition
    {
        private const double Sqrt3 = 1.7320508075688772;

        private enum FanRule
        {
            /// <summary>The parameters alone: <see cref="_fixed"/>.</summary>
            None,
            /// <summary>std = gain·√(2 / (fan_in + fan_out)).</summary>
            Xavier,
            /// <summary>std = gain / √fan(mode).</summary>
            Kaiming,
            /// <summary>variance = scale / max(1, fan(mode)).</summary>
            VarianceScaling,
            /// <summary>U(±1/√fan_in), 0 for fan_in = 0: PyTorch's default bias.</summary>
            FanInBias,
        }

        private readonly FanRule _rule;
        private readonly double _factor;
        private readonly FanMode _mode;
        private readonly VarianceDistribution _distribution;
        private readonly FillSpec _fixed;

        private InitDefinition(FanRule rule, double factor, FanMode mode, VarianceDistribution distribution, FillSpec spec = default)
        {
            _rule = rule;
            _factor = factor;
            _mode = mode;
            _distribution = distribution;
            _fixed = spec;
        }

        /// <summary>True when <see cref="Spec"/> reads the fans (so a target needs them, from its shape or given).</summary>
        internal bool UsesFans => _rule != FanRule.None;

        /// <summary>U(a, b), checked as torch's uniform_.</summary>
        internal static InitDefinition Uniform(double a, double b) => Fixed(Init.UniformSpec(a, b));

        /// <summary>N(mean, std²), checked as torch's normal_ and for float32's range.</summary>
        internal static InitDefinition Normal(double mean, double std) => Fixed(Init.NormalSpec(mean, std));

        /// <summary>N(mean, std²) truncated to the absolute bounds [a, b].</summary>
        internal static InitDefinition TruncatedNormal(double mean, double std, double a, double b) => Fixed(Init.TruncatedNormalSpec(mean, std, a, b));

        private static InitDefinition Fixed(FillSpec spec) => new InitDefinition(FanRule.None, 0, FanMode.FanIn, VarianceDistribution.Uniform, spec);

        /// <summary>xavier_uniform_ / xavier_normal_: std = gain·√(2 / (fan_in + fan_out)); uniform bound √3·std.</summary>
        internal static InitDefinition Xavier(double gain, bool normal)
        {
            ValidateXavierGain(gain);
            return new InitDefinition(FanRule.Xavier, gain, FanMode.FanAvg, Distribution(normal));
        }

        /// <summary>kaiming_uniform_ / kaiming_normal_: std = calculate_gain(nonlinearity, a) / √fan(mode); uniform bound √3·std.</summary>
        internal static InitDefinition Kaiming(double a, FanMode mode, Nonlinearity nonlinearity, bool normal)
        {
            if (mode != FanMode.FanIn && mode != FanMode.FanOut)
                throw new ArgumentException($"Mode {ModeName(mode)} not supported, please use one of fan_in, fan_out.", nameof(mode));
            Finite.Require(a, nameof(a));
            if (nonlinearity == Nonlinearity.LeakyRelu && double.IsInfinity(Math.Pow(a, 2.0)))
                throw new ArgumentException($"a={Init.Format(a)} is too large: a² overflows a double in calculate_gain (torch raises OverflowError); pass |a| below 1.3e154.", nameof(a));
            return new InitDefinition(FanRule.Kaiming, Gain.Calculate(nonlinearity, a), mode, Distribution(normal));
        }

        /// <summary>Keras' VarianceScaling(scale, mode, distribution): variance = scale / max(1, fan(mode)).</summary>
        internal static InitDefinition VarianceScaling(double scale, FanMode mode, VarianceDistribution distribution)
        {
            if (!(scale > 0 && Finite.Is(scale)))
                throw new ArgumentException($"scale must be a positive finite number, but found {Init.Format(scale)}.", nameof(scale));
            if (mode != FanMode.FanIn && mode != FanMode.FanOut && mode != FanMode.FanAvg)
                throw new ArgumentException($"Mode {ModeName(mode)} not supported, please use one of fan_in, fan_out, fan_avg.", nameof(mode));
            if (distribution != VarianceDistribution.TruncatedNormal && distribution != VarianceDistribution.UntruncatedNormal && distribution != VarianceDistribution.Uniform)
                throw new ArgumentException($"Distribution {(int)distribution} not supported, please use one of truncated_normal, untruncated_normal, uniform.", nameof(distribution));
            var definition = new InitDefinition(FanRule.VarianceScaling, scale, mode, distribution);
            // The divisor is max(1, fan) ≥ 1, so a divisor of 1 gives the widest values any fans can give:
            // a scale that overflows float32 there is refused now, whatever the target.
            definition.VarianceScalingSpec(1.0);
            return definition;
        }

        /// <summary>PyTorch's default weight init of Linear and Conv: kaiming_uniform_(a = √5, fan_in, leaky_relu), i.e. U(±1/√fan_in).</summary>
        internal static InitDefinition PyTorchDefaultWeight { get; } = Kaiming(Math.Sqrt(5.0), FanMode.FanIn, Nonlinearity.LeakyRelu, normal: false);

        /// <summary>PyTorch's default bias init of Linear and Conv: U(±1/√fan_in) with the weight's fan_in; 0 when fan_in is 0.</summary>
        internal static InitDefinition PyTorchDefaultBias { get; } = new InitDefinition(FanRule.FanInBias, 0, FanMode.FanIn, VarianceDistribution.Uniform);

        /// <summary>The bound of <see cref="PyTorchDefaultBias"/>: 1/√fan_in, or 0 for fan_in = 0.</summary>
        private static double FanInBiasBound(Fans fans) => fans.FanIn > 0 ? 1.0 / Math.Sqrt(fans.FanIn) : 0.0;

        /// <summary>The float32 fill for a weight with these fans (ignored when <see cref="UsesFans"/> is false).</summary>
        /// <exception cref="ArgumentException">The fans give a standard deviation or bound that is not finite, or values beyond float32's range.</exception>
        internal FillSpec Spec(Fans fans)
        {
            switch (_rule)
            {
                case FanRule.Xavier:
                    return GainSpec(_factor * Math.Sqrt(2.0 / (fans.FanIn + fans.FanOut)), fans, "gain");
                case FanRule.Kaiming:
                    return GainSpec(_factor / Math.Sqrt(fans.Select(_mode)), fans, "fans");
                case FanRule.VarianceScaling:
                    return VarianceScalingSpec(Math.Max(1.0, fans.Select(_mode)));
                case FanRule.FanInBias:
                {
                    double bound = FanInBiasBound(fans);
                    return Init.UniformSpec(-bound, bound);
                }
                default:
                    return _fixed;
            }
        }

        /// <summary>xavier_* and kaiming_*: N(0, std²), or U(±√3·std) with the same variance.</summary>
        private FillSpec GainSpec(double std, Fans fans, string blame)
        {
            if (!Finite.Is(std))
                throw new ArgumentException($"The fans {fans} give a standard deviation of {Init.Format(std)}; the fan used must be positive.", "fans");
            return _distribution == VarianceDistribution.UntruncatedNormal
                ? Init.NormalSpec(0.0, std, blame)
                : Init.UniformSpec(-Sqrt3 * std, Sqrt3 * std, blame);
        }

        private FillSpec VarianceScalingSpec(double divisor)
        {
            double variance = _factor / divisor;
            switch (_distribution)
            {
                case VarianceDistribution.TruncatedNormal:
                {
                    double std = Math.Sqrt(variance) / Init.TruncatedNormalStdCorrection;
                    return Init.TruncatedNormalSpec(0.0, std, -2.0 * std, 2.0 * std, "scale");
                }
                case VarianceDistribution.UntruncatedNormal:
                    return Init.NormalSpec(0.0, Math.Sqrt(variance), "scale");
                default:
                {
                    double limit = Math.Sqrt(3.0 * variance);
                    return Init.UniformSpec(-limit, limit, "scale");
                }
            }
        }

        private static VarianceDistribution Distribution(bool normal) => normal ? VarianceDistribution.UntruncatedNormal : VarianceDistribution.Uniform;

        /// <summary>gain finite and ≥ 0: torch's xavier_uniform_/xavier_normal_ pass gain·c to uniform_(−a, a) and normal_(0, std), which raise for a negative value.</summary>
        private static void ValidateXavierGain(double gain)
        {
            Finite.Require(gain, nameof(gain));
            if (gain < 0)
                throw new ArgumentException($"gain must be ≥ 0, but found gain={Init.Format(gain)}: torch rejects it (uniform_ expects from ≤ to, normal_ expects std ≥ 0). Use Gain.Calculate for the usual values.", nameof(gain));
        }

        private static string ModeName(FanMode mode) => mode switch
        {
            FanMode.FanIn => "fan_in",
            FanMode.FanOut => "fan_out",
            FanMode.FanAvg => "fan_avg",
            _ => ((int)mode).ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
    }
}
