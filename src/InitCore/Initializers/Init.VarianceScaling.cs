using InitCore.Randomness;

namespace InitCore.Initializers
{
    public static partial class Init
    {
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
        /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions and no fans are given, gain is negative or not finite (torch's uniform_ rejects the reversed range), or the bound exceeds float32's range.</exception>
        public static void XavierUniform(Tensor tensor, double gain = 1.0, RandomSource? generator = null, Fans? fans = null)
            => new InitTarget(tensor).Fill(InitDefinition.Xavier(gain, normal: false), generator, fans);

        /// <inheritdoc cref="XavierUniform(Tensor, double, RandomSource?, Fans?)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array to fill, row-major in <paramref name="shape"/>.</param>
        /// <param name="shape">The weight's shape, [out, in, k…].</param>
        /// <param name="gain">Scaling factor.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        public static void XavierUniform(Engine engine, Span<float> data, ReadOnlySpan<int> shape, double gain = 1.0, RandomSource? generator = null, Fans? fans = null)
            => new InitTarget(engine, data, shape).Fill(InitDefinition.Xavier(gain, normal: false), generator, fans);

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
        /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions and no fans are given, gain is negative or not finite (torch's normal_ rejects std &lt; 0), or 9·std exceeds float32's range.</exception>
        public static void XavierNormal(Tensor tensor, double gain = 1.0, RandomSource? generator = null, Fans? fans = null)
            => new InitTarget(tensor).Fill(InitDefinition.Xavier(gain, normal: true), generator, fans);

        /// <inheritdoc cref="XavierNormal(Tensor, double, RandomSource?, Fans?)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array to fill, row-major in <paramref name="shape"/>.</param>
        /// <param name="shape">The weight's shape, [out, in, k…].</param>
        /// <param name="gain">Scaling factor.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        public static void XavierNormal(Engine engine, Span<float> data, ReadOnlySpan<int> shape, double gain = 1.0, RandomSource? generator = null, Fans? fans = null)
            => new InitTarget(engine, data, shape).Fill(InitDefinition.Xavier(gain, normal: true), generator, fans);

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
            => new InitTarget(tensor).Fill(InitDefinition.Kaiming(a, mode, nonlinearity, normal: false), generator, fans);

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
            => new InitTarget(engine, data, shape).Fill(InitDefinition.Kaiming(a, mode, nonlinearity, normal: false), generator, fans);

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
            => new InitTarget(tensor).Fill(InitDefinition.Kaiming(a, mode, nonlinearity, normal: true), generator, fans);

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
            => new InitTarget(engine, data, shape).Fill(InitDefinition.Kaiming(a, mode, nonlinearity, normal: true), generator, fans);

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

        /// <inheritdoc cref="KaimingUniform(Tensor, string, double, string, RandomSource?, Fans?)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array to fill, row-major in <paramref name="shape"/>.</param>
        /// <param name="shape">The weight's shape, [out, in, k…].</param>
        /// <param name="nonlinearity">A name of torch's <c>calculate_gain</c>.</param>
        /// <param name="a">Negative slope of the rectifier that follows (used by "leaky_relu").</param>
        /// <param name="mode">"fan_in" (default) or "fan_out".</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        public static void KaimingUniform(Engine engine, Span<float> data, ReadOnlySpan<int> shape, string nonlinearity, double a = 0.0, string mode = "fan_in", RandomSource? generator = null, Fans? fans = null)
            => KaimingUniform(engine, data, shape, a, KaimingMode(mode), Gain.Parse(nonlinearity), generator, fans);

        /// <inheritdoc cref="KaimingNormal(Tensor, string, double, string, RandomSource?, Fans?)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array to fill, row-major in <paramref name="shape"/>.</param>
        /// <param name="shape">The weight's shape, [out, in, k…].</param>
        /// <param name="nonlinearity">A name of torch's <c>calculate_gain</c>.</param>
        /// <param name="a">Negative slope of the rectifier that follows (used by "leaky_relu").</param>
        /// <param name="mode">"fan_in" (default) or "fan_out".</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        public static void KaimingNormal(Engine engine, Span<float> data, ReadOnlySpan<int> shape, string nonlinearity, double a = 0.0, string mode = "fan_in", RandomSource? generator = null, Fans? fans = null)
            => KaimingNormal(engine, data, shape, a, KaimingMode(mode), Gain.Parse(nonlinearity), generator, fans);

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
        /// <exception cref="ArgumentException">scale ≤ 0 or so large that the values overflow float32, an unknown mode or distribution, or fewer than 2 dimensions without fans.</exception>
        public static void VarianceScaling(Tensor tensor, double scale = 1.0, FanMode mode = FanMode.FanIn, VarianceDistribution distribution = VarianceDistribution.TruncatedNormal, RandomSource? generator = null, Fans? fans = null)
            => new InitTarget(tensor).Fill(InitDefinition.VarianceScaling(scale, mode, distribution), generator, fans);

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
            => new InitTarget(engine, data, shape).Fill(InitDefinition.VarianceScaling(scale, mode, distribution), generator, fans);
        // Keras' named presets: each is one VarianceScaling definition, shared by its tensor and span forms.
        private static readonly InitDefinition LeCunNormalDefinition = InitDefinition.VarianceScaling(1.0, FanMode.FanIn, VarianceDistribution.TruncatedNormal);
        private static readonly InitDefinition LeCunUniformDefinition = InitDefinition.VarianceScaling(1.0, FanMode.FanIn, VarianceDistribution.Uniform);
        private static readonly InitDefinition HeNormalDefinition = InitDefinition.VarianceScaling(2.0, FanMode.FanIn, VarianceDistribution.TruncatedNormal);
        private static readonly InitDefinition HeUniformDefinition = InitDefinition.VarianceScaling(2.0, FanMode.FanIn, VarianceDistribution.Uniform);
        private static readonly InitDefinition GlorotNormalDefinition = InitDefinition.VarianceScaling(1.0, FanMode.FanAvg, VarianceDistribution.TruncatedNormal);
        private static readonly InitDefinition GlorotUniformDefinition = InitDefinition.VarianceScaling(1.0, FanMode.FanAvg, VarianceDistribution.Uniform);

        /// <summary>Keras <c>LecunNormal</c>: VarianceScaling(1, fan_in, truncated_normal). LeCun et al., "Efficient BackProp", 1998.</summary>
        /// <param name="tensor">A weight with at least 2 dimensions.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions and no fans are given.</exception>
        public static void LeCunNormal(Tensor tensor, RandomSource? generator = null, Fans? fans = null)
            => new InitTarget(tensor).Fill(LeCunNormalDefinition, generator, fans);

        /// <inheritdoc cref="LeCunNormal(Tensor, RandomSource?, Fans?)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array to fill, row-major in <paramref name="shape"/>.</param>
        /// <param name="shape">The weight's shape, [out, in, k…].</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        public static void LeCunNormal(Engine engine, Span<float> data, ReadOnlySpan<int> shape, RandomSource? generator = null, Fans? fans = null)
            => new InitTarget(engine, data, shape).Fill(LeCunNormalDefinition, generator, fans);

        /// <summary>Keras <c>LecunUniform</c>: VarianceScaling(1, fan_in, uniform), i.e. U(±√(3/fan_in)).</summary>
        /// <param name="tensor">A weight with at least 2 dimensions.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions and no fans are given.</exception>
        public static void LeCunUniform(Tensor tensor, RandomSource? generator = null, Fans? fans = null)
            => new InitTarget(tensor).Fill(LeCunUniformDefinition, generator, fans);

        /// <inheritdoc cref="LeCunUniform(Tensor, RandomSource?, Fans?)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array to fill, row-major in <paramref name="shape"/>.</param>
        /// <param name="shape">The weight's shape, [out, in, k…].</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        public static void LeCunUniform(Engine engine, Span<float> data, ReadOnlySpan<int> shape, RandomSource? generator = null, Fans? fans = null)
            => new InitTarget(engine, data, shape).Fill(LeCunUniformDefinition, generator, fans);

        /// <summary>Keras <c>HeNormal</c>: VarianceScaling(2, fan_in, truncated_normal). He et al., ICCV 2015.</summary>
        /// <param name="tensor">A weight with at least 2 dimensions.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions and no fans are given.</exception>
        public static void HeNormal(Tensor tensor, RandomSource? generator = null, Fans? fans = null)
            => new InitTarget(tensor).Fill(HeNormalDefinition, generator, fans);

        /// <inheritdoc cref="HeNormal(Tensor, RandomSource?, Fans?)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array to fill, row-major in <paramref name="shape"/>.</param>
        /// <param name="shape">The weight's shape, [out, in, k…].</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        public static void HeNormal(Engine engine, Span<float> data, ReadOnlySpan<int> shape, RandomSource? generator = null, Fans? fans = null)
            => new InitTarget(engine, data, shape).Fill(HeNormalDefinition, generator, fans);

        /// <summary>Keras <c>HeUniform</c>: VarianceScaling(2, fan_in, uniform), i.e. U(±√(6/fan_in)).</summary>
        /// <param name="tensor">A weight with at least 2 dimensions.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions and no fans are given.</exception>
        public static void HeUniform(Tensor tensor, RandomSource? generator = null, Fans? fans = null)
            => new InitTarget(tensor).Fill(HeUniformDefinition, generator, fans);

        /// <inheritdoc cref="HeUniform(Tensor, RandomSource?, Fans?)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array to fill, row-major in <paramref name="shape"/>.</param>
        /// <param name="shape">The weight's shape, [out, in, k…].</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        public static void HeUniform(Engine engine, Span<float> data, ReadOnlySpan<int> shape, RandomSource? generator = null, Fans? fans = null)
            => new InitTarget(engine, data, shape).Fill(HeUniformDefinition, generator, fans);

        /// <summary>Keras <c>GlorotNormal</c>: VarianceScaling(1, fan_avg, truncated_normal). Glorot and Bengio, AISTATS 2010.</summary>
        /// <param name="tensor">A weight with at least 2 dimensions.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions and no fans are given.</exception>
        public static void GlorotNormal(Tensor tensor, RandomSource? generator = null, Fans? fans = null)
            => new InitTarget(tensor).Fill(GlorotNormalDefinition, generator, fans);

        /// <inheritdoc cref="GlorotNormal(Tensor, RandomSource?, Fans?)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array to fill, row-major in <paramref name="shape"/>.</param>
        /// <param name="shape">The weight's shape, [out, in, k…].</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        public static void GlorotNormal(Engine engine, Span<float> data, ReadOnlySpan<int> shape, RandomSource? generator = null, Fans? fans = null)
            => new InitTarget(engine, data, shape).Fill(GlorotNormalDefinition, generator, fans);

        /// <summary>Keras <c>GlorotUniform</c>: VarianceScaling(1, fan_avg, uniform), the same distribution as <see cref="XavierUniform(Tensor, double, RandomSource?, Fans?)"/> with gain 1.</summary>
        /// <param name="tensor">A weight with at least 2 dimensions.</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        /// <exception cref="ArgumentException">The tensor has fewer than 2 dimensions and no fans are given.</exception>
        public static void GlorotUniform(Tensor tensor, RandomSource? generator = null, Fans? fans = null)
            => new InitTarget(tensor).Fill(GlorotUniformDefinition, generator, fans);

        /// <inheritdoc cref="GlorotUniform(Tensor, RandomSource?, Fans?)"/>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="data">The host array to fill, row-major in <paramref name="shape"/>.</param>
        /// <param name="shape">The weight's shape, [out, in, k…].</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <param name="fans">Fans to use instead of PyTorch's shape rule.</param>
        public static void GlorotUniform(Engine engine, Span<float> data, ReadOnlySpan<int> shape, RandomSource? generator = null, Fans? fans = null)
            => new InitTarget(engine, data, shape).Fill(GlorotUniformDefinition, generator, fans);
    }
}
