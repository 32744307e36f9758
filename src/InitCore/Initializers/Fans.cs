namespace InitCore.Initializers
{
    /// <summary>
    /// The fan-in and fan-out of a weight: how many inputs feed one output, and how many outputs one
    /// input feeds. Variance-scaling initializers divide by one of them.
    /// </summary>
    /// <remarks>
    /// <see cref="FromShape"/> is PyTorch's rule (<c>torch.nn.init._calculate_fan_in_and_fan_out</c>):
    /// for a weight [out, in, k…], fan_in = in·∏k and fan_out = out·∏k. That rule is right for
    /// Linear and ungrouped Conv, but not for grouped, depthwise or transposed convolutions, whose
    /// layer-aware fans come from <see cref="ForConv"/> and <see cref="ForConvTranspose"/>.
    /// </remarks>
    public readonly struct Fans : IEquatable<Fans>
    {
        /// <summary>Creates fans from explicit values.</summary>
        /// <exception cref="ArgumentOutOfRangeException">A fan is negative or not finite.</exception>
        public Fans(double fanIn, double fanOut)
        {
            if (!(fanIn >= 0 && Finite.Is(fanIn))) throw new ArgumentOutOfRangeException(nameof(fanIn), fanIn, "fan_in must be a finite number ≥ 0.");
            if (!(fanOut >= 0 && Finite.Is(fanOut))) throw new ArgumentOutOfRangeException(nameof(fanOut), fanOut, "fan_out must be a finite number ≥ 0.");
            FanIn = fanIn;
            FanOut = fanOut;
        }

        /// <summary>Inputs that feed one output.</summary>
        public double FanIn { get; }

        /// <summary>Outputs that one input feeds.</summary>
        public double FanOut { get; }

        /// <summary>The fan for a mode: fan_in, fan_out, or their mean for fan_avg.</summary>
        /// <exception cref="ArgumentException">The mode is not a <see cref="FanMode"/> member.</exception>
        public double Select(FanMode mode) => mode switch
        {
            FanMode.FanIn => FanIn,
            FanMode.FanOut => FanOut,
            FanMode.FanAvg => (FanIn + FanOut) / 2.0,
            _ => throw new ArgumentException($"Mode {(int)mode} not supported, please use one of fan_in, fan_out, fan_avg.", nameof(mode)),
        };

        /// <summary>
        /// PyTorch's fans for a weight shape [out, in, k…]: receptive field = product of dims 2 and up,
        /// fan_in = shape[1]·receptive, fan_out = shape[0]·receptive.
        /// Equivalent to <c>torch.nn.init._calculate_fan_in_and_fan_out</c>.
        /// </summary>
        /// <exception cref="ArgumentException">The shape has fewer than 2 dimensions.</exception>
        public static Fans FromShape(ReadOnlySpan<int> shape)
        {
            if (shape.Length < 2)
                throw new ArgumentException(
                    $"Fan in and fan out can not be computed for a tensor with fewer than 2 dimensions (got shape {TensorShape.Format(shape)}). Use a weight shaped [out, in, ...], or pass the fans explicitly.",
                    nameof(shape));
            double receptive = 1;
            for (int i = 2; i < shape.Length; i++) receptive *= shape[i];
            return new Fans(shape[1] * receptive, shape[0] * receptive);
        }

        /// <summary>Fans of a Linear layer: fan_in = in_features, fan_out = out_features.</summary>
        public static Fans ForLinear(int inFeatures, int outFeatures)
        {
            if (inFeatures < 0) throw new ArgumentOutOfRangeException(nameof(inFeatures), inFeatures, "in_features must be ≥ 0.");
            if (outFeatures < 0) throw new ArgumentOutOfRangeException(nameof(outFeatures), outFeatures, "out_features must be ≥ 0.");
            return new Fans(inFeatures, outFeatures);
        }

        /// <summary>
        /// Layer-aware fans of a (grouped, depthwise) convolution with weight [out, in/groups, k…]:
        /// fan_in = (in/groups)·∏k, fan_out = (out/groups)·∏k.
        /// </summary>
        /// <remarks>
        /// Each output sees in/groups channels, and each input reaches out/groups channels. PyTorch's
        /// shape rule gets fan_in right but takes fan_out = out·∏k, too large by the factor groups:
        /// for a depthwise 3×3 conv with 64 channels it says 576 where the true fan_out is 9.
        /// </remarks>
        /// <exception cref="ArgumentException">A size is not positive, the kernel is empty, or groups does not divide both channel counts.</exception>
        public static Fans ForConv(int inChannels, int outChannels, ReadOnlySpan<int> kernelSize, int groups = 1)
        {
            double k = KernelVolume(inChannels, outChannels, kernelSize, groups);
            return new Fans(inChannels / groups * k, outChannels / groups * k);
        }

        /// <summary>
        /// Layer-aware fans of a transposed convolution with weight [in, out/groups, k…]:
        /// fan_in = (in/groups)·∏(k/stride), fan_out = (out/groups)·∏k.
        /// </summary>
        /// <remarks>
        /// In a transposed convolution every input spreads over a k-wide window of the output, and the
        /// windows of neighbouring inputs sit stride apart, so one output sums on average
        /// (in/groups)·∏(k/stride) terms; one input reaches (out/groups)·∏k outputs. PyTorch's shape
        /// rule reads the weight as if it were a convolution's and takes fan_in = (out/groups)·∏k,
        /// which is the fan_out, and fan_out = in·∏k.
        /// </remarks>
        /// <param name="inChannels">Input channels.</param>
        /// <param name="outChannels">Output channels.</param>
        /// <param name="kernelSize">Kernel size per spatial dimension.</param>
        /// <param name="groups">Groups; must divide both channel counts.</param>
        /// <param name="stride">Stride per spatial dimension; empty for all ones.</param>
        /// <exception cref="ArgumentException">A size is not positive, or the stride has a different rank than the kernel.</exception>
        public static Fans ForConvTranspose(int inChannels, int outChannels, ReadOnlySpan<int> kernelSize, int groups = 1, ReadOnlySpan<int> stride = default)
        {
            double k = KernelVolume(inChannels, outChannels, kernelSize, groups);
            double s = 1;
            if (!stride.IsEmpty)
            {
                if (stride.Length != kernelSize.Length)
                    throw new ArgumentException($"stride has {stride.Length} dimensions but kernelSize has {kernelSize.Length}; give one stride per kernel dimension.", nameof(stride));
                foreach (int v in stride)
                {
                    if (v < 1) throw new ArgumentException($"stride {TensorShape.Format(stride)} must be ≥ 1 in every dimension.", nameof(stride));
                    s *= v;
                }
            }
            return new Fans(inChannels / groups * k / s, outChannels / groups * k);
        }

        private static double KernelVolume(int inChannels, int outChannels, ReadOnlySpan<int> kernelSize, int groups)
        {
            if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "in_channels must be ≥ 1.");
            if (outChannels < 1) throw new ArgumentOutOfRangeException(nameof(outChannels), outChannels, "out_channels must be ≥ 1.");
            if (groups < 1) throw new ArgumentOutOfRangeException(nameof(groups), groups, "groups must be ≥ 1.");
            if (inChannels % groups != 0 || outChannels % groups != 0)
                throw new ArgumentException($"groups = {groups} must divide in_channels = {inChannels} and out_channels = {outChannels}.", nameof(groups));
            if (kernelSize.IsEmpty) throw new ArgumentException("kernelSize needs at least one spatial dimension, e.g. [3, 3].", nameof(kernelSize));
            double k = 1;
            foreach (int v in kernelSize)
            {
                if (v < 1) throw new ArgumentException($"kernelSize {TensorShape.Format(kernelSize)} must be ≥ 1 in every dimension.", nameof(kernelSize));
                k *= v;
            }
            return k;
        }

        /// <summary>Parses a torch/Keras mode name: <c>"fan_in"</c>, <c>"fan_out"</c> or <c>"fan_avg"</c>.</summary>
        /// <exception cref="ArgumentException">The name is not one of them.</exception>
        public static FanMode ParseMode(string mode)
        {
            if (mode is null) throw new ArgumentNullException(nameof(mode));
            return mode switch
            {
                "fan_in" => FanMode.FanIn,
                "fan_out" => FanMode.FanOut,
                "fan_avg" => FanMode.FanAvg,
                _ => throw new ArgumentException($"Mode \"{mode}\" not supported, please use one of fan_in, fan_out, fan_avg.", nameof(mode)),
            };
        }

        /// <inheritdoc />
        public bool Equals(Fans other) => FanIn == other.FanIn && FanOut == other.FanOut;

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is Fans f && Equals(f);

        /// <inheritdoc />
        public override int GetHashCode() => FanIn.GetHashCode() * 397 ^ FanOut.GetHashCode();

        /// <summary>Equality of both fans.</summary>
        public static bool operator ==(Fans left, Fans right) => left.Equals(right);

        /// <summary>Inequality of either fan.</summary>
        public static bool operator !=(Fans left, Fans right) => !left.Equals(right);

        /// <inheritdoc />
        public override string ToString() => string.Format(CultureInfo.InvariantCulture, "Fans(in={0}, out={1})", FanIn, FanOut);
    }
}
