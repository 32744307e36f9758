using System;
using InitCore.Backends.Cpu;

namespace InitCore
{
    public static partial class Init
    {
        private const double Sqrt3 = 1.7320508075688772;

        /// <summary>Keras' correction: the std of a unit normal truncated to ±2, so truncated_normal keeps variance scale/n.</summary>
        public const double TruncatedNormalStdCorrection = 0.87962566103423978;

        // ------------------------------------------------------------------ Xavier / Glorot

        /// <summary>
        /// Xavier (Glorot) uniform: U(−bound, bound) with bound = gain·√(6 / (fan_in + fan_out)).
        /// Equivalent to <c>torch.nn.init.xavier_uniform_(tensor, gain)</c>; with gain 1, Keras <c>GlorotUniform</c>.
        /// </summary>
        /// <remarks>Glorot and Bengio, "Understanding the difficulty of training deep feedforward neural networks", AISTATS 2010.</remarks>
        /// <param name="tensor">A weight with at least 2 dimensions, [out, in, k…].</param>
        /// <param name="gain">Scaling factor, e.g. <see cref="Gain.Calculate(Nonlinearity, double?)"/>.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule (see <see cref="Fans.ForConv"/>).</param>
        /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions and no fans are given, or gain is not finite.</exception>
        public static void XavierUniform(Tensor tensor, double gain = 1.0, RandomSource? generator = null, Fans? fans = null)
            => Xavier(new InitTarget(tensor), gain, generator, fans, normal: false);

        /// <inheritdoc cref="XavierUniform(Tensor, double, RandomSource?, Fans?)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array to fill, row-major in <paramref name="shape"/>.</param>
        /// <param name="shape">The weight's shape, [out, in, k…].</param>
        /// <param name="gain">Scaling factor.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        public static void XavierUniform(Engine engine, Span<float> data, ReadOnlySpan<int> shape, double gain = 1.0, RandomSource? generator = null, Fans? fans = null)
            => Xavier(new InitTarget(engine, data, shape), gain, generator, fans, normal: false);

        /// <summary>
        /// Xavier (Glorot) normal: N(0, std²) with std = gain·√(2 / (fan_in + fan_out)).
        /// Equivalent to <c>torch.nn.init.xavier_normal_(tensor, gain)</c>. (Keras' <c>GlorotNormal</c>
        /// truncates; see <see cref="GlorotNormal(Tensor, RandomSource?, Fans?)"/>.)
        /// </summary>
        /// <remarks>Glorot and Bengio, AISTATS 2010.</remarks>
        /// <param name="tensor">A weight with at least 2 dimensions, [out, in, k…].</param>
        /// <param name="gain">Scaling factor.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions and no fans are given, or gain is not finite.</exception>
        public static void XavierNormal(Tensor tensor, double gain = 1.0, RandomSource? generator = null, Fans? fans = null)
            => Xavier(new InitTarget(tensor), gain, generator, fans, normal: true);

        /// <inheritdoc cref="XavierNormal(Tensor, double, RandomSource?, Fans?)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array to fill, row-major in <paramref name="shape"/>.</param>
        /// <param name="shape">The weight's shape, [out, in, k…].</param>
        /// <param name="gain">Scaling factor.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        public static void XavierNormal(Engine engine, Span<float> data, ReadOnlySpan<int> shape, double gain = 1.0, RandomSource? generator = null, Fans? fans = null)
            => Xavier(new InitTarget(engine, data, shape), gain, generator, fans, normal: true);

        // ------------------------------------------------------------------ Kaiming / He

        /// <summary>
        /// Kaiming (He) uniform: U(−bound, bound) with bound = gain·√(3 / fan), gain =
        /// <see cref="Gain.Calculate(Nonlinearity, double?)"/>(nonlinearity, a), fan = fan_in or fan_out.
        /// Equivalent to <c>torch.nn.init.kaiming_uniform_(tensor, a, mode, nonlinearity)</c>.
        /// </summary>
        /// <remarks>
        /// He et al., "Delving Deep into Rectifiers", ICCV 2015. The defaults (a = 0, leaky_relu) give
        /// gain √2, as PyTorch. PyTorch's default Linear/Conv weight init is this with a = √5
        /// (<see cref="PyTorchDefault(Tensor, Tensor?, RandomSource?)"/>).
        /// </remarks>
        /// <param name="tensor">A weight with at least 2 dimensions, [out, in, k…].</param>
        /// <param name="a">Negative slope of the rectifier that follows (used by <see cref="Nonlinearity.LeakyRelu"/>).</param>
        /// <param name="mode"><see cref="FanMode.FanIn"/> (forward variance) or <see cref="FanMode.FanOut"/> (backward variance).</param>
        /// <param name="nonlinearity">The nonlinearity that follows the layer.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule (see <see cref="Fans.ForConv"/>).</param>
        /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions, the mode is fan_avg or unknown, or the nonlinearity is unknown.</exception>
        public static void KaimingUniform(Tensor tensor, double a = 0.0, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu, RandomSource? generator = null, Fans? fans = null)
            => Kaiming(new InitTarget(tensor), a, mode, nonlinearity, generator, fans, normal: false);

        /// <inheritdoc cref="KaimingUniform(Tensor, double, FanMode, Nonlinearity, RandomSource?, Fans?)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array to fill, row-major in <paramref name="shape"/>.</param>
        /// <param name="shape">The weight's shape, [out, in, k…].</param>
        /// <param name="a">Negative slope of the rectifier that follows.</param>
        /// <param name="mode">fan_in or fan_out.</param>
        /// <param name="nonlinearity">The nonlinearity that follows the layer.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        public static void KaimingUniform(Engine engine, Span<float> data, ReadOnlySpan<int> shape, double a = 0.0, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu, RandomSource? generator = null, Fans? fans = null)
            => Kaiming(new InitTarget(engine, data, shape), a, mode, nonlinearity, generator, fans, normal: false);

        /// <summary>
        /// Kaiming (He) normal: N(0, std²) with std = gain / √fan, gain =
        /// <see cref="Gain.Calculate(Nonlinearity, double?)"/>(nonlinearity, a).
        /// Equivalent to <c>torch.nn.init.kaiming_normal_(tensor, a, mode, nonlinearity)</c>.
        /// </summary>
        /// <remarks>He et al., "Delving Deep into Rectifiers", ICCV 2015. (Keras' <c>HeNormal</c> truncates; see <see cref="HeNormal(Tensor, RandomSource?, Fans?)"/>.)</remarks>
        /// <param name="tensor">A weight with at least 2 dimensions, [out, in, k…].</param>
        /// <param name="a">Negative slope of the rectifier that follows (used by <see cref="Nonlinearity.LeakyRelu"/>).</param>
        /// <param name="mode"><see cref="FanMode.FanIn"/> or <see cref="FanMode.FanOut"/>.</param>
        /// <param name="nonlinearity">The nonlinearity that follows the layer.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions, the mode is fan_avg or unknown, or the nonlinearity is unknown.</exception>
        public static void KaimingNormal(Tensor tensor, double a = 0.0, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu, RandomSource? generator = null, Fans? fans = null)
            => Kaiming(new InitTarget(tensor), a, mode, nonlinearity, generator, fans, normal: true);

        /// <inheritdoc cref="KaimingNormal(Tensor, double, FanMode, Nonlinearity, RandomSource?, Fans?)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array to fill, row-major in <paramref name="shape"/>.</param>
        /// <param name="shape">The weight's shape, [out, in, k…].</param>
        /// <param name="a">Negative slope of the rectifier that follows.</param>
        /// <param name="mode">fan_in or fan_out.</param>
        /// <param name="nonlinearity">The nonlinearity that follows the layer.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        public static void KaimingNormal(Engine engine, Span<float> data, ReadOnlySpan<int> shape, double a = 0.0, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu, RandomSource? generator = null, Fans? fans = null)
            => Kaiming(new InitTarget(engine, data, shape), a, mode, nonlinearity, generator, fans, normal: true);

        /// <summary>
        /// Kaiming (He) uniform with torch's strings: <c>Init.KaimingUniform(w, nonlinearity: "relu")</c> is
        /// <c>torch.nn.init.kaiming_uniform_(w, nonlinearity="relu")</c>. U(−bound, bound), bound = gain·√(3 / fan),
        /// gain = <see cref="Gain.Calculate(string, double?)"/>(nonlinearity, a).
        /// </summary>
        /// <remarks>He et al., "Delving Deep into Rectifiers", ICCV 2015.</remarks>
        /// <param name="tensor">A weight with at least 2 dimensions, [out, in, k…].</param>
        /// <param name="nonlinearity">A name of torch's <c>calculate_gain</c>: "linear", "conv2d", "sigmoid", "tanh", "relu", "leaky_relu", "selu", …</param>
        /// <param name="a">Negative slope of the rectifier that follows (used by "leaky_relu").</param>
        /// <param name="mode">"fan_in" (default) or "fan_out".</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        /// <exception cref="ArgumentException">As torch's ValueError: an unknown nonlinearity ("Unsupported nonlinearity …"), a mode other than fan_in or fan_out ("Mode … not supported, please use one of fan_in, fan_out"), or a tensor with fewer than 2 dimensions.</exception>
        public static void KaimingUniform(Tensor tensor, string nonlinearity, double a = 0.0, string mode = "fan_in", RandomSource? generator = null, Fans? fans = null)
            => KaimingUniform(tensor, a, KaimingMode(mode), Gain.Parse(nonlinearity), generator, fans);

        /// <summary>
        /// Kaiming (He) normal with torch's strings: <c>Init.KaimingNormal(w, nonlinearity: "relu")</c> is
        /// <c>torch.nn.init.kaiming_normal_(w, nonlinearity="relu")</c>. N(0, std²), std = gain / √fan,
        /// gain = <see cref="Gain.Calculate(string, double?)"/>(nonlinearity, a).
        /// </summary>
        /// <remarks>He et al., "Delving Deep into Rectifiers", ICCV 2015.</remarks>
        /// <param name="tensor">A weight with at least 2 dimensions, [out, in, k…].</param>
        /// <param name="nonlinearity">A name of torch's <c>calculate_gain</c>: "linear", "conv2d", "sigmoid", "tanh", "relu", "leaky_relu", "selu", …</param>
        /// <param name="a">Negative slope of the rectifier that follows (used by "leaky_relu").</param>
        /// <param name="mode">"fan_in" (default) or "fan_out".</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        /// <exception cref="ArgumentException">As torch's ValueError: an unknown nonlinearity ("Unsupported nonlinearity …"), a mode other than fan_in or fan_out ("Mode … not supported, please use one of fan_in, fan_out"), or a tensor with fewer than 2 dimensions.</exception>
        public static void KaimingNormal(Tensor tensor, string nonlinearity, double a = 0.0, string mode = "fan_in", RandomSource? generator = null, Fans? fans = null)
            => KaimingNormal(tensor, a, KaimingMode(mode), Gain.Parse(nonlinearity), generator, fans);

        /// <summary>torch's kaiming mode strings: fan_in or fan_out, with torch's message for anything else.</summary>
        private static FanMode KaimingMode(string mode) => mode switch
        {
            null => throw new ArgumentNullException(nameof(mode)),
            "fan_in" => FanMode.FanIn,
            "fan_out" => FanMode.FanOut,
            _ => throw new ArgumentException($"Mode {mode} not supported, please use one of fan_in, fan_out.", nameof(mode)),
        };

        // ------------------------------------------------------------------ Keras VarianceScaling

        /// <summary>
        /// Keras' VarianceScaling: variance scale/n with n = max(1, fan) for the mode.
        /// Equivalent to <c>keras.initializers.VarianceScaling(scale, mode, distribution)</c>.
        /// </summary>
        /// <remarks>
        /// truncated_normal: N(0, σ²) cut at ±2σ with σ = √(scale/n) / 0.87962566103423978;
        /// untruncated_normal: N(0, scale/n); uniform: U(±√(3·scale/n)).
        /// The fans come from PyTorch's layout [out, in, k…] (Keras stores kernels as [k…, in, out];
        /// the fans of the same layer agree).
        /// </remarks>
        /// <param name="tensor">A weight with at least 2 dimensions, [out, in, k…].</param>
        /// <param name="scale">Positive scaling factor.</param>
        /// <param name="mode">fan_in, fan_out or fan_avg.</param>
        /// <param name="distribution">truncated_normal, untruncated_normal or uniform.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        /// <exception cref="ArgumentException">scale ≤ 0, an unknown mode or distribution, or fewer than 2 dimensions without fans.</exception>
        public static void VarianceScaling(Tensor tensor, double scale = 1.0, FanMode mode = FanMode.FanIn, VarianceDistribution distribution = VarianceDistribution.TruncatedNormal, RandomSource? generator = null, Fans? fans = null)
            => VarianceScalingCore(new InitTarget(tensor), scale, mode, distribution, generator, fans);

        /// <inheritdoc cref="VarianceScaling(Tensor, double, FanMode, VarianceDistribution, RandomSource?, Fans?)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array to fill, row-major in <paramref name="shape"/>.</param>
        /// <param name="shape">The weight's shape, [out, in, k…].</param>
        /// <param name="scale">Positive scaling factor.</param>
        /// <param name="mode">fan_in, fan_out or fan_avg.</param>
        /// <param name="distribution">truncated_normal, untruncated_normal or uniform.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        public static void VarianceScaling(Engine engine, Span<float> data, ReadOnlySpan<int> shape, double scale = 1.0, FanMode mode = FanMode.FanIn, VarianceDistribution distribution = VarianceDistribution.TruncatedNormal, RandomSource? generator = null, Fans? fans = null)
            => VarianceScalingCore(new InitTarget(engine, data, shape), scale, mode, distribution, generator, fans);

        /// <summary>Keras <c>LecunNormal</c>: VarianceScaling(1, fan_in, truncated_normal). LeCun et al., "Efficient BackProp", 1998.</summary>
        /// <param name="tensor">A weight with at least 2 dimensions.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        public static void LeCunNormal(Tensor tensor, RandomSource? generator = null, Fans? fans = null)
            => VarianceScaling(tensor, 1.0, FanMode.FanIn, VarianceDistribution.TruncatedNormal, generator, fans);

        /// <summary>Keras <c>LecunUniform</c>: VarianceScaling(1, fan_in, uniform), i.e. U(±√(3/fan_in)).</summary>
        /// <param name="tensor">A weight with at least 2 dimensions.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        public static void LeCunUniform(Tensor tensor, RandomSource? generator = null, Fans? fans = null)
            => VarianceScaling(tensor, 1.0, FanMode.FanIn, VarianceDistribution.Uniform, generator, fans);

        /// <summary>Keras <c>HeNormal</c>: VarianceScaling(2, fan_in, truncated_normal). He et al., ICCV 2015.</summary>
        /// <param name="tensor">A weight with at least 2 dimensions.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        public static void HeNormal(Tensor tensor, RandomSource? generator = null, Fans? fans = null)
            => VarianceScaling(tensor, 2.0, FanMode.FanIn, VarianceDistribution.TruncatedNormal, generator, fans);

        /// <summary>Keras <c>HeUniform</c>: VarianceScaling(2, fan_in, uniform), i.e. U(±√(6/fan_in)).</summary>
        /// <param name="tensor">A weight with at least 2 dimensions.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        public static void HeUniform(Tensor tensor, RandomSource? generator = null, Fans? fans = null)
            => VarianceScaling(tensor, 2.0, FanMode.FanIn, VarianceDistribution.Uniform, generator, fans);

        /// <summary>Keras <c>GlorotNormal</c>: VarianceScaling(1, fan_avg, truncated_normal). Glorot and Bengio, AISTATS 2010.</summary>
        /// <param name="tensor">A weight with at least 2 dimensions.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        public static void GlorotNormal(Tensor tensor, RandomSource? generator = null, Fans? fans = null)
            => VarianceScaling(tensor, 1.0, FanMode.FanAvg, VarianceDistribution.TruncatedNormal, generator, fans);

        /// <summary>Keras <c>GlorotUniform</c>: VarianceScaling(1, fan_avg, uniform), the same distribution as <see cref="XavierUniform(Tensor, double, RandomSource?, Fans?)"/> with gain 1.</summary>
        /// <param name="tensor">A weight with at least 2 dimensions.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        public static void GlorotUniform(Tensor tensor, RandomSource? generator = null, Fans? fans = null)
            => VarianceScaling(tensor, 1.0, FanMode.FanAvg, VarianceDistribution.Uniform, generator, fans);

        // ------------------------------------------------------------------ PyTorch's default

        /// <summary>
        /// PyTorch's default initialization of nn.Linear and nn.Conv*d: the weight gets
        /// kaiming_uniform with a = √5, i.e. U(±1/√fan_in); the bias gets U(±1/√fan_in).
        /// Equivalent to <c>reset_parameters()</c> of <c>torch.nn.Linear</c> and <c>torch.nn.modules.conv._ConvNd</c>.
        /// </summary>
        /// <remarks>
        /// With a = √5 the leaky-ReLU gain is √(2/6) = 1/√3, so bound = gain·√(3/fan_in) = 1/√fan_in and
        /// the weight std is 1/√(3·fan_in): a unit-variance input comes out with std ≈ 0.58, the
        /// lessons' observation about why this default shrinks activations layer after layer.
        /// The weight is drawn first, then the bias, from the same generator.
        /// </remarks>
        /// <param name="weight">The weight, [out, in, k…].</param>
        /// <param name="bias">The bias, 1-D, or null.</param>
        /// <param name="generator">Random stream; null for the weight's engine default.</param>
        /// <exception cref="ArgumentException">The weight has fewer than 2 dimensions, or the bias is not 1-D.</exception>
        public static void PyTorchDefault(Tensor weight, Tensor? bias = null, RandomSource? generator = null)
        {
            if (weight is null) throw new ArgumentNullException(nameof(weight));
            if (bias is not null && bias.Rank != 1)
                throw new ArgumentException($"bias must be 1-D, but has shape {TensorShape.Format(bias.ShapeArray)}.", nameof(bias));
            var target = new InitTarget(weight);
            double fanIn = target.ShapeFans().FanIn;
            RandomSource g = target.Resolve(generator);
            Kaiming(target, Math.Sqrt(5.0), FanMode.FanIn, Nonlinearity.LeakyRelu, g, null, normal: false);
            if (bias is not null)
            {
                double bound = fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0.0;
                Uniform(bias, -bound, bound, g);
            }
        }

        /// <summary>The same as <see cref="PyTorchDefault(Tensor, Tensor?, RandomSource?)"/> on host spans.</summary>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="weight">The weight data, row-major in <paramref name="weightShape"/>.</param>
        /// <param name="weightShape">The weight's shape, [out, in, k…].</param>
        /// <param name="bias">The bias data (may be empty).</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        public static void PyTorchDefault(Engine engine, Span<float> weight, ReadOnlySpan<int> weightShape, Span<float> bias, RandomSource? generator = null)
        {
            var target = new InitTarget(engine, weight, weightShape);
            double fanIn = target.ShapeFans().FanIn;
            RandomSource g = target.Resolve(generator);
            Kaiming(target, Math.Sqrt(5.0), FanMode.FanIn, Nonlinearity.LeakyRelu, g, null, normal: false);
            double bound = fanIn > 0 ? 1.0 / Math.Sqrt(fanIn) : 0.0;
            Uniform(engine, bias, -bound, bound, g);
        }

        // ------------------------------------------------------------------ shared cores

        private static void Xavier(InitTarget target, double gain, RandomSource? generator, Fans? fans, bool normal)
        {
            RequireFinite(gain, nameof(gain));
            Fans f = fans ?? target.ShapeFans();
            if (target.IsEmpty) return;
            target.Fill(XavierSpec(f, gain, normal), generator);
        }

        internal static FillSpec XavierSpec(Fans f, double gain, bool normal)
        {
            RequireFinite(gain, nameof(gain));
            double std = gain * Math.Sqrt(2.0 / (f.FanIn + f.FanOut));
            RequireFiniteStd(std, f, "fans");
            return normal ? FillSpec.Normal(0.0, std) : FillSpec.Uniform(-Sqrt3 * std, Sqrt3 * std);
        }

        private static void Kaiming(InitTarget target, double a, FanMode mode, Nonlinearity nonlinearity, RandomSource? generator, Fans? fans, bool normal)
        {
            ValidateKaiming(a, mode, nonlinearity);
            Fans f = fans ?? target.ShapeFans();
            if (target.IsEmpty) return;
            target.Fill(KaimingSpec(f, a, mode, nonlinearity, normal), generator);
        }

        private static void ValidateKaiming(double a, FanMode mode, Nonlinearity nonlinearity)
        {
            if (mode != FanMode.FanIn && mode != FanMode.FanOut)
                throw new ArgumentException($"Mode {ModeName(mode)} not supported, please use one of fan_in, fan_out.", nameof(mode));
            RequireFinite(a, nameof(a));
            Gain.Calculate(nonlinearity, a);
        }

        internal static FillSpec KaimingSpec(Fans f, double a, FanMode mode, Nonlinearity nonlinearity, bool normal)
        {
            ValidateKaiming(a, mode, nonlinearity);
            double gain = Gain.Calculate(nonlinearity, a);
            double std = gain / Math.Sqrt(f.Select(mode));
            RequireFiniteStd(std, f, "fans");
            return normal ? FillSpec.Normal(0.0, std) : FillSpec.Uniform(-Sqrt3 * std, Sqrt3 * std);
        }

        private static void VarianceScalingCore(InitTarget target, double scale, FanMode mode, VarianceDistribution distribution, RandomSource? generator, Fans? fans)
        {
            ValidateVarianceScaling(scale, mode, distribution);
            Fans f = fans ?? target.ShapeFans();
            if (target.IsEmpty) return;
            target.Fill(VarianceScalingSpec(f, scale, mode, distribution), generator);
        }

        private static void ValidateVarianceScaling(double scale, FanMode mode, VarianceDistribution distribution)
        {
            if (!(scale > 0) || double.IsInfinity(scale))
                throw new ArgumentException($"scale must be a positive finite number, but found {Format(scale)}.", nameof(scale));
            if (mode != FanMode.FanIn && mode != FanMode.FanOut && mode != FanMode.FanAvg)
                throw new ArgumentException($"Mode {ModeName(mode)} not supported, please use one of fan_in, fan_out, fan_avg.", nameof(mode));
            if (distribution != VarianceDistribution.TruncatedNormal && distribution != VarianceDistribution.UntruncatedNormal && distribution != VarianceDistribution.Uniform)
                throw new ArgumentException($"Distribution {(int)distribution} not supported, please use one of truncated_normal, untruncated_normal, uniform.", nameof(distribution));
        }

        internal static FillSpec VarianceScalingSpec(Fans f, double scale, FanMode mode, VarianceDistribution distribution)
        {
            ValidateVarianceScaling(scale, mode, distribution);
            double n = Math.Max(1.0, f.Select(mode));
            double variance = scale / n;
            switch (distribution)
            {
                case VarianceDistribution.TruncatedNormal:
                {
                    double std = Math.Sqrt(variance) / TruncatedNormalStdCorrection;
                    return FillSpec.TruncatedNormal(0.0, std, -2.0 * std, 2.0 * std);
                }
                case VarianceDistribution.UntruncatedNormal:
                    return FillSpec.Normal(0.0, Math.Sqrt(variance));
                default:
                {
                    double limit = Math.Sqrt(3.0 * variance);
                    return FillSpec.Uniform(-limit, limit);
                }
            }
        }

        private static void RequireFiniteStd(double std, Fans fans, string paramName)
        {
            if (double.IsNaN(std) || double.IsInfinity(std))
                throw new ArgumentException($"The fans {fans} give a standard deviation of {Format(std)}; the fan used must be positive.", paramName);
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
