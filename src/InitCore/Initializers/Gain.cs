using InitCore.Randomness;

namespace InitCore.Initializers
{
    /// <summary>
    /// Gains that keep activations at unit scale through a nonlinearity: the table of
    /// torch.nn.init.calculate_gain, and a Monte-Carlo measurement for any other activation.
    /// </summary>
    public static class Gain
    {
        /// <summary>The leaky-ReLU negative slope used when none is given: 0.01, as PyTorch.</summary>
        public const double DefaultLeakyReluSlope = 0.01;

        /// <summary>
        /// The recommended gain for a nonlinearity. Equivalent to <c>torch.nn.init.calculate_gain(nonlinearity, param)</c>.
        /// </summary>
        /// <remarks>
        /// linear, conv*, conv_transpose*, sigmoid → 1; tanh → 5/3; relu → √2;
        /// leaky_relu → √(2 / (1 + slope²)) with slope = <paramref name="param"/> ?? 0.01;
        /// selu → 3/4. <paramref name="param"/> is used only by leaky_relu, as in PyTorch.
        /// </remarks>
        /// <exception cref="ArgumentException">The nonlinearity is not one of the table's, or the slope is not finite or its square overflows (as torch's OverflowError).</exception>
        public static double Calculate(Nonlinearity nonlinearity, double? param = null)
        {
            switch (nonlinearity)
            {
                case Nonlinearity.Linear:
                case Nonlinearity.Conv1d:
                case Nonlinearity.Conv2d:
                case Nonlinearity.Conv3d:
                case Nonlinearity.ConvTranspose1d:
                case Nonlinearity.ConvTranspose2d:
                case Nonlinearity.ConvTranspose3d:
                case Nonlinearity.Sigmoid:
                    return 1.0;
                case Nonlinearity.Tanh:
                    return 5.0 / 3.0;
                case Nonlinearity.Relu:
                    return Math.Sqrt(2.0);
                case Nonlinearity.LeakyRelu:
                {
                    double slope = param ?? DefaultLeakyReluSlope;
                    if (!Finite.Is(slope))
                        throw new ArgumentException($"negative_slope {slope.ToString(CultureInfo.InvariantCulture)} is not a valid number; pass a finite slope such as 0.01.", nameof(param));
                    // torch writes negative_slope ** 2, which CPython evaluates with the C library's
                    // pow: Math.Pow is the same call, and differs from slope * slope in the last bit
                    // for about one slope in a thousand.
                    double square = Math.Pow(slope, 2.0);
                    // CPython's float ** raises OverflowError where the square overflows, so torch raises there too.
                    if (double.IsInfinity(square))
                        throw new ArgumentException($"negative_slope {slope.ToString("R", CultureInfo.InvariantCulture)} is too large: its square overflows a double (torch raises OverflowError); pass |slope| below 1.3e154.", nameof(param));
                    return Math.Sqrt(2.0 / (1.0 + square));
                }
                case Nonlinearity.Selu:
                    return 3.0 / 4.0;
                default:
                    throw new ArgumentException($"Unsupported nonlinearity {(int)nonlinearity}; use a member of {nameof(Nonlinearity)}.", nameof(nonlinearity));
            }
        }

        /// <summary>The gain for a nonlinearity given by its torch name, e.g. <c>"leaky_relu"</c>.</summary>
        /// <exception cref="ArgumentException">The name is unknown.</exception>
        public static double Calculate(string nonlinearity, double? param = null) => Calculate(Parse(nonlinearity), param);

        /// <summary>Parses a torch nonlinearity name (<c>"linear"</c>, <c>"conv2d"</c>, <c>"conv_transpose2d"</c>, <c>"tanh"</c>, <c>"leaky_relu"</c>, …).</summary>
        /// <exception cref="ArgumentException">The name is not one of calculate_gain's.</exception>
        public static Nonlinearity Parse(string nonlinearity)
        {
            if (nonlinearity is null) throw new ArgumentNullException(nameof(nonlinearity));
            switch (nonlinearity)
            {
                case "linear": return Nonlinearity.Linear;
                case "conv1d": return Nonlinearity.Conv1d;
                case "conv2d": return Nonlinearity.Conv2d;
                case "conv3d": return Nonlinearity.Conv3d;
                case "conv_transpose1d": return Nonlinearity.ConvTranspose1d;
                case "conv_transpose2d": return Nonlinearity.ConvTranspose2d;
                case "conv_transpose3d": return Nonlinearity.ConvTranspose3d;
                case "sigmoid": return Nonlinearity.Sigmoid;
                case "tanh": return Nonlinearity.Tanh;
                case "relu": return Nonlinearity.Relu;
                case "leaky_relu": return Nonlinearity.LeakyRelu;
                case "selu": return Nonlinearity.Selu;
                default:
                    throw new ArgumentException(
                        $"Unsupported nonlinearity \"{nonlinearity}\"; use one of linear, conv1d, conv2d, conv3d, conv_transpose1d, conv_transpose2d, conv_transpose3d, sigmoid, tanh, relu, leaky_relu, selu, or Gain.Measure for any other activation.",
                        nameof(nonlinearity));
            }
        }

        /// <summary>
        /// Measures the gain of any activation f: 1 / √E[f(x)²] for x ~ N(0, 1), by Monte Carlo.
        /// </summary>
        /// <remarks>
        /// This is the factor that keeps E[y²] = 1 after y = f(W x) when W is scaled by gain/√fan_in
        /// (He et al., "Delving Deep into Rectifiers", 2015, generalized). For ReLU it gives √2, the
        /// table's value; for tanh it gives about 1.59, where PyTorch's table chose 5/3. Use it for
        /// GELU (≈1.531 measured; 1.5335 by quadrature), SiLU (≈1.677), ELU (≈1.245 for alpha 1) or Mish; the
        /// activation layers give these values as <see cref="Nn.ActivationModule.RecommendedGain"/>. The relative standard error is about
        /// √(Var f(x)² / E[f(x)²]²) / (2√samples): for 2²⁰ samples, well under 0.1% for these.
        /// Deterministic for a given seed.
        /// </remarks>
        /// <param name="activation">The activation function.</param>
        /// <param name="samples">Number of N(0, 1) samples; at least 1000.</param>
        /// <param name="seed">Seed of the Philox generator that draws the samples.</param>
        /// <exception cref="ArgumentException">The activation returns a non-finite value, or zero for every sample.</exception>
        public static double Measure(Func<float, float> activation, int samples = 1 << 20, ulong seed = 0)
        {
            if (activation is null) throw new ArgumentNullException(nameof(activation));
            if (samples < 1000)
                throw new ArgumentOutOfRangeException(nameof(samples), samples, $"Use at least 1000 samples (got {samples}); the default 2^20 gives a relative error well under 0.1%.");
            var generator = new Generator(seed);
            var buffer = new float[Math.Min(samples, 1 << 16)];
            FillSpec spec = FillSpec.Normal(0.0, 1.0);
            double sum = 0.0;
            // Chunk bounds from the overflow-safe helpers: with samples near int.MaxValue, done + buffer.Length overflows int.
            for (long done = 0; done < samples; done += buffer.Length)
            {
                int n = (int)Math.Min(buffer.Length, samples - done);
                Span<float> chunk = buffer.AsSpan(0, n);
                generator.FillHost(chunk, spec, threadCount: 1);
                foreach (float x in chunk)
                {
                    float y = activation(x);
                    if (!Finite.Is(y))
                        throw new ArgumentException($"The activation returned {y.ToString(CultureInfo.InvariantCulture)} for input {x.ToString("R", CultureInfo.InvariantCulture)}; it must be finite on N(0, 1) inputs.", nameof(activation));
                    sum += (double)y * y;
                }
            }
            double meanSquare = sum / samples;
            if (meanSquare <= 0.0)
                throw new ArgumentException("The activation returned 0 for every sample, so no gain can restore unit scale.", nameof(activation));
            return 1.0 / Math.Sqrt(meanSquare);
        }
    
        /// <summary>
        /// 1 / √E[f(x)²] for x ~ N(0, 1) by composite Simpson quadrature on [−12, 12] (12 000 intervals): the exact value
        /// that <see cref="Measure"/> estimates by Monte Carlo (the inputs are rounded to float, so the result is good to about 1e-6 relative).
        /// </summary>
        internal static double ByQuadrature(Func<float, float> activation)
        {
            const int intervals = 12000;
            const double a = -12, b = 12, h = (b - a) / intervals;
            double sum = 0;
            for (int i = 0; i <= intervals; i++)
            {
                double x = a + i * h, y = activation((float)x);
                double w = i == 0 || i == intervals ? 1 : (i % 2 == 1 ? 4 : 2);
                sum += w * y * y * Math.Exp(-0.5 * x * x);
            }
            double meanSquare = sum * h / 3 / Math.Sqrt(2 * Math.PI);
            return 1.0 / Math.Sqrt(meanSquare);
        }
    }
}
