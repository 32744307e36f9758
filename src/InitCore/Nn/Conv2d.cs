using InitCore.Backends;
using InitCore.Initializers;
using InitCore.Randomness;

namespace InitCore.Nn
{
    /// <summary>
    /// 2-D convolution (cross-correlation) over NCHW input with stride, padding, dilation and groups:
    /// cuDNN on CUDA (algorithm from cudnnGetConvolution*Algorithm_v7, pooled workspace), an implicit GEMM over cache-sized tiles of whole images on the CPU (CpuConv).
    /// Initialized as torch.nn.Conv2d: kaiming_uniform(a=√5) on the weight, U(±1/√fan_in) on the bias.
    /// </summary>
    public sealed class Conv2d : Module
    {
        private Tensor? _input;

        /// <summary>
        /// Creates the layer with PyTorch's default initialization. Kernel size, stride, padding and dilation each take a
        /// single int (the same for height and width) or a (height, width) tuple, as torch's
        /// <c>Conv2d(in, out, kernel_size=(3, 5), stride=(1, 2), padding=(1, 2), dilation=(1, 1))</c>.
        /// </summary>
        /// <param name="engine">The engine.</param>
        /// <param name="inChannels">Input channels C.</param>
        /// <param name="outChannels">Output channels K.</param>
        /// <param name="kernelSize">Kernel (R, S): each ≥ 1.</param>
        /// <param name="stride">Stride (vertical, horizontal): each ≥ 1; 1 when null.</param>
        /// <param name="padding">Zero padding on each side (top/bottom, left/right): each ≥ 0; 0 when null.</param>
        /// <param name="dilation">Dilation: each ≥ 1; 1 when null.</param>
        /// <param name="groups">Groups: divides both channel counts.</param>
        /// <param name="bias">Whether the layer has a bias.</param>
        /// <param name="generator">The initialization's random source (the engine's default when null).</param>
        /// <exception cref="ArgumentOutOfRangeException">A channel count, kernel size, stride, padding or dilation is out of range (the message names which side).</exception>
        /// <exception cref="ArgumentException"><paramref name="groups"/> does not divide the channel counts.</exception>
        public Conv2d(Engine engine, int inChannels, int outChannels, Size2d kernelSize, Size2d? stride = null, Size2d? padding = null, Size2d? dilation = null,
            int groups = 1, bool bias = true, RandomSource? generator = null)
            : base(engine)
        {
            Size2d st = stride ?? 1, pad = padding ?? 0, dil = dilation ?? 1;
            if (inChannels < 1) throw new ArgumentOutOfRangeException(nameof(inChannels), inChannels, "in_channels must be ≥ 1.");
            if (outChannels < 1) throw new ArgumentOutOfRangeException(nameof(outChannels), outChannels, "out_channels must be ≥ 1.");
            CheckPair(kernelSize, 1, nameof(kernelSize), "kernel_size");
            CheckPair(st, 1, nameof(stride), "stride");
            CheckPair(pad, 0, nameof(padding), "padding");
            CheckPair(dil, 1, nameof(dilation), "dilation");
            if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0)
                throw new ArgumentException($"groups = {groups} must be ≥ 1 and divide in_channels = {inChannels} and out_channels = {outChannels}.", nameof(groups));
            InChannels = inChannels;
            OutChannels = outChannels;
            KernelSize = kernelSize;
            Stride = st;
            Padding = pad;
            Dilation = dil;
            Groups = groups;
            Weight = new Parameter("weight", engine.CreateTensor(outChannels, inChannels / groups, kernelSize.Height, kernelSize.Width));
            Bias = bias ? new Parameter("bias", engine.CreateTensor(outChannels)) : null;
            ResetParameters(generator);
        }

        private static void CheckPair(Size2d value, int min, string param, string torchName)
        {
            if (value.Height < min || value.Width < min)
                throw new ArgumentOutOfRangeException(param, value,
                    $"{torchName} must be ≥ {min} in both directions (an int, or a (height, width) tuple), got height {value.Height}, width {value.Width}.");
        }

        /// <summary>Input channels.</summary>
        public int InChannels { get; }

        /// <summary>Output channels.</summary>
        public int OutChannels { get; }

        /// <summary>Kernel (height, width).</summary>
        public Size2d KernelSize { get; }

        /// <summary>Stride (vertical, horizontal).</summary>
        public Size2d Stride { get; }

        /// <summary>Zero padding on each side (top and bottom, left and right).</summary>
        public Size2d Padding { get; }

        /// <summary>Dilation (vertical, horizontal).</summary>
        public Size2d Dilation { get; }

        /// <summary>Groups.</summary>
        public int Groups { get; }

        /// <summary>The weight [out, in/groups, kh, kw].</summary>
        public Parameter Weight { get; }

        /// <summary>The bias [out], or null.</summary>
        public Parameter? Bias { get; }

        /// <summary>Layer-aware fans (right for grouped and depthwise convolutions), see <see cref="Fans.ForConv"/>.</summary>
        public Fans Fans => Fans.ForConv(InChannels, OutChannels, new[] { KernelSize.Height, KernelSize.Width }, Groups);

        /// <inheritdoc />
        public override IReadOnlyList<Parameter> OwnParameters => Bias is null ? new[] { Weight } : new[] { Weight, Bias };

        /// <inheritdoc />
        public override void ResetParameters(RandomSource? generator = null) => Init.PyTorchDefault(Weight.Value, Bias?.Value, generator);

        internal ConvGeometry Geometry(Tensor input)
        {
            if (input.Rank != 4 || input.Shape[1] != InChannels)
                throw new ArgumentException($"{Describe()} expects input [batch, {InChannels}, height, width], got {TensorShape.Format(input.ShapeArray)}.", nameof(input));
            var g = new ConvGeometry(input.Shape[0], InChannels, input.Shape[2], input.Shape[3], OutChannels, KernelSize.Height, KernelSize.Width,
                Stride.Height, Stride.Width, Padding.Height, Padding.Width, Dilation.Height, Dilation.Width, Groups);
            if (g.P < 1 || g.Q < 1)
                throw new ArgumentException($"{Describe()}: input {TensorShape.Format(input.ShapeArray)} is smaller than the dilated kernel; the output would be empty.", nameof(input));
            TensorShape.TensorLength(stackalloc int[] { g.N, g.K, g.P, g.Q }, nameof(input)); // the output must fit a tensor (huge paddings)
            return g;
        }

        /// <inheritdoc />
        protected override Tensor ForwardCore(Tensor input)
        {
            ConvGeometry g = Geometry(input);
            Tensor y = Engine.CreateTensor(g.N, g.K, g.P, g.Q);
            Engine.Main.Conv2dForward(g, input.Storage, Weight.Value.Storage, Bias?.Value.Storage, y.Storage);
            _input = input;
            return y;
        }

        /// <inheritdoc />
        protected override Tensor InferCore(Tensor input)
        {
            ConvGeometry g = Geometry(input);
            Tensor y = InferenceBuffer(0, input, stackalloc int[] { g.N, g.K, g.P, g.Q });
            Engine.Main.Conv2dForward(g, input.Storage, Weight.Value.Storage, Bias?.Value.Storage, y.Storage);
            return y;
        }

        /// <inheritdoc />
        protected override Tensor BackwardCore(Tensor gradOutput)
        {
            Tensor x = Cached(_input);
            ConvGeometry g = Geometry(x);
            Backend b = Engine.Main;
            b.Conv2dBackwardFilter(g, x.Storage, gradOutput.Storage, Weight.Grad.Storage, accumulate: true);
            if (Bias is not null) b.BiasGrad(gradOutput.Storage, Bias.Grad.Storage, g.N, g.K, g.P * g.Q, accumulate: true);
            Tensor dx = Engine.CreateTensor(x.ShapeArray);
            if (NeedInputGradient) b.Conv2dBackwardData(g, gradOutput.Storage, Weight.Value.Storage, dx.Storage);
            return dx;
        }

        /// <inheritdoc />
        public override string Describe()
        {
            var parts = new List<string> { $"{InChannels}→{OutChannels}", $"k{Pair(KernelSize)}" };
            if (Stride != 1) parts.Add($"s{Pair(Stride)}");
            if (Padding != 0) parts.Add($"p{Pair(Padding)}");
            if (Dilation != 1) parts.Add($"d{Pair(Dilation)}");
            if (Groups != 1) parts.Add($"g{Groups}");
            if (Bias is null) parts.Add("no bias");
            return $"Conv2d({string.Join(", ", parts)})";
        }

        /// <summary>3 for a square pair, 3x5 (height × width) otherwise.</summary>
        private static string Pair(Size2d v) => v.IsSquare ? v.Height.ToString(CultureInfo.InvariantCulture) : $"{v.Height}x{v.Width}";
    }
}
