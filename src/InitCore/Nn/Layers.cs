using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using InitCore.Backends;

namespace InitCore.Nn
{
    /// <summary>
    /// y = x·Wᵀ + b with W [out, in]: cuBLAS on CUDA, a blocked SIMD multithreaded GEMM on the CPU.
    /// Initialized as torch.nn.Linear: W ~ kaiming_uniform(a=√5) = U(±1/√in), b ~ U(±1/√in).
    /// </summary>
    public sealed class Linear : Module
    {
        private Tensor? _input;

        /// <summary>Creates the layer and initializes it with PyTorch's default from <paramref name="generator"/> (the engine's default when null).</summary>
        public Linear(Engine engine, int inFeatures, int outFeatures, bool bias = true, RandomSource? generator = null) : base(engine)
        {
            if (inFeatures < 1) throw new ArgumentOutOfRangeException(nameof(inFeatures), inFeatures, "in_features must be ≥ 1.");
            if (outFeatures < 1) throw new ArgumentOutOfRangeException(nameof(outFeatures), outFeatures, "out_features must be ≥ 1.");
            InFeatures = inFeatures;
            OutFeatures = outFeatures;
            Weight = new Parameter("weight", engine.CreateTensor(outFeatures, inFeatures));
            Bias = bias ? new Parameter("bias", engine.CreateTensor(outFeatures)) : null;
            ResetParameters(generator);
        }

        /// <summary>Input features.</summary>
        public int InFeatures { get; }

        /// <summary>Output features.</summary>
        public int OutFeatures { get; }

        /// <summary>The weight [out, in].</summary>
        public Parameter Weight { get; }

        /// <summary>The bias [out], or null.</summary>
        public Parameter? Bias { get; }

        /// <summary>Layer-aware fans: fan_in = in, fan_out = out.</summary>
        public Fans Fans => Fans.ForLinear(InFeatures, OutFeatures);

        /// <inheritdoc />
        public override IReadOnlyList<Parameter> OwnParameters => Bias is null ? new[] { Weight } : new[] { Weight, Bias };

        /// <inheritdoc />
        public override void ResetParameters(RandomSource? generator = null) => Init.PyTorchDefault(Weight.Value, Bias?.Value, generator);

        /// <inheritdoc />
        protected override Tensor ForwardCore(Tensor input)
        {
            int n = BatchOf(input);
            Tensor y = Engine.CreateTensor(n, OutFeatures);
            Compute(input, y, n);
            _input = input;
            return y;
        }

        /// <inheritdoc />
        protected override Tensor InferCore(Tensor input)
        {
            int n = BatchOf(input);
            Tensor y = InferenceBuffer(0, input, stackalloc int[] { n, OutFeatures });
            Compute(input, y, n);
            return y;
        }

        private int BatchOf(Tensor input)
        {
            if (input.Rank != 2 || input.ShapeArray[1] != InFeatures)
                throw new ArgumentException($"{Describe()} expects input [batch, {InFeatures}], got {TensorShape.Format(input.ShapeArray)}.", nameof(input));
            return input.ShapeArray[0];
        }

        private void Compute(Tensor input, Tensor y, int n)
        {
            Engine.Main.Gemm(false, true, n, OutFeatures, InFeatures, 1f, input.Storage, Weight.Value.Storage, 0f, y.Storage);
            if (Bias is not null) Engine.Main.AddBias(y.Storage, Bias.Value.Storage, n, OutFeatures, 1);
        }

        /// <inheritdoc />
        protected override Tensor BackwardCore(Tensor gradOutput)
        {
            Tensor x = Cached(_input);
            int n = x.Shape[0];
            Backend b = Engine.Main;
            b.Gemm(true, false, OutFeatures, InFeatures, n, 1f, gradOutput.Storage, x.Storage, 1f, Weight.Grad.Storage);
            if (Bias is not null) b.BiasGrad(gradOutput.Storage, Bias.Grad.Storage, n, OutFeatures, 1, accumulate: true);
            Tensor dx = Engine.CreateTensor(n, InFeatures);
            if (NeedInputGradient) b.Gemm(false, false, n, InFeatures, OutFeatures, 1f, gradOutput.Storage, Weight.Value.Storage, 0f, dx.Storage);
            return dx;
        }

        /// <inheritdoc />
        public override string Describe() => $"Linear({InFeatures}→{OutFeatures}{(Bias is null ? ", no bias" : "")})";
    }

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
            TensorShape.TensorLength(new[] { g.N, g.K, g.P, g.Q }, nameof(input)); // the output must fit a tensor (huge paddings)
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

    /// <summary>Base of the elementwise activations (kernels in native/kernels/elementwise.cu).</summary>
    public abstract class ActivationModule : Module
    {
        private Tensor? _input;

        private protected ActivationModule(Engine engine) : base(engine)
        {
        }

        internal abstract ActivationSpec Spec { get; }

        /// <summary>
        /// The gain for the weights of the layer that feeds this activation (the <c>gain</c> of Kaiming/Xavier): torch's
        /// <c>calculate_gain</c> value where torch has one (relu √2, leaky_relu, tanh 5/3, sigmoid 1, selu 3/4), otherwise
        /// 1/√E[f(x)²] for x ~ N(0, 1), the value <see cref="InitCore.Gain.Measure"/> estimates, computed by quadrature
        /// (GELU 1.5335, SiLU 1.6765, ELU(1) 1.2452, Softplus(1) 1.0419).
        /// </summary>
        public virtual double RecommendedGain
        {
            get
            {
                ActivationSpec spec = Spec;
                return InitCore.Gain.ByQuadrature(x => InitCore.Backends.Cpu.Elementwise.Forward(spec, x));
            }
        }

        /// <inheritdoc />
        protected override Tensor ForwardCore(Tensor input)
        {
            Tensor y = Engine.CreateTensor(input.ShapeArray);
            Engine.Main.ActivationForward(Spec, input.Storage, y.Storage);
            _input = input;
            return y;
        }

        /// <inheritdoc />
        protected override Tensor InferCore(Tensor input)
        {
            Tensor y = InferenceBuffer(0, input, input.ShapeArray, inPlace: true);
            Engine.Main.ActivationForward(Spec, input.Storage, y.Storage);
            return y;
        }

        /// <inheritdoc />
        protected override Tensor BackwardCore(Tensor gradOutput)
        {
            Tensor x = Cached(_input);
            Tensor dx = Engine.CreateTensor(x.ShapeArray);
            Engine.Main.ActivationBackward(Spec, x.Storage, gradOutput.Storage, dx.Storage);
            return dx;
        }
    }

    /// <summary>max(x, 0). Equivalent to torch.nn.ReLU.</summary>
    public sealed class ReLU : ActivationModule
    {
        /// <summary>Creates the layer.</summary>
        public ReLU(Engine engine) : base(engine)
        {
        }

        internal override ActivationSpec Spec => new ActivationSpec(0f, 0f, null);

        /// <summary>√2, torch's <c>calculate_gain("relu")</c>.</summary>
        public override double RecommendedGain => InitCore.Gain.Calculate(Nonlinearity.Relu);

        /// <inheritdoc />
        public override string Describe() => "ReLU()";
    }

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
        public override double RecommendedGain => InitCore.Gain.Calculate(Nonlinearity.LeakyRelu, NegativeSlope);

        /// <inheritdoc />
        public override string Describe() => string.Format(CultureInfo.InvariantCulture, "LeakyReLU({0})", NegativeSlope);
    }

    /// <summary>
    /// fastai's GeneralRelu from the lessons: leaky_relu(x, leak) (ReLU when leak = 0), minus sub, clamped
    /// above at maxv. Subtracting about 0.4 re-centres ReLU's output near zero mean.
    /// </summary>
    public sealed class GeneralReLU : ActivationModule
    {
        /// <summary>Creates the layer.</summary>
        public GeneralReLU(Engine engine, double leak = 0, double sub = 0, double? maxv = null) : base(engine)
        {
            if (double.IsNaN(leak) || double.IsInfinity(leak)) throw new ArgumentException($"leak must be finite, got {leak}.", nameof(leak));
            if (double.IsNaN(sub) || double.IsInfinity(sub)) throw new ArgumentException($"sub must be finite, got {sub}.", nameof(sub));
            if (maxv is double m && double.IsNaN(m)) throw new ArgumentException("maxv is NaN; pass a number or null.", nameof(maxv));
            Leak = leak;
            Sub = sub;
            MaxV = maxv;
        }

        /// <summary>Negative slope.</summary>
        public double Leak { get; }

        /// <summary>Subtracted after the activation; LSUV's fastai variant adjusts it to centre the mean.</summary>
        public double Sub { get; set; }

        /// <summary>Upper clamp, or null.</summary>
        public double? MaxV { get; }

        internal override ActivationSpec Spec => new ActivationSpec((float)Leak, (float)Sub, MaxV is double m ? (float)m : null);

        /// <inheritdoc />
        public override string Describe() => string.Format(CultureInfo.InvariantCulture, "GeneralReLU(leak={0}, sub={1:0.####}, maxv={2})", Leak, Sub, MaxV?.ToString(CultureInfo.InvariantCulture) ?? "none");
    }

    /// <summary>2-D max pooling with a square window. Equivalent to torch.nn.MaxPool2d(kernel, stride, padding).</summary>
    public sealed class MaxPool2d : Module
    {
        private Tensor? _input, _argmax;

        /// <summary>Creates the layer; stride defaults to the kernel size, as in PyTorch.</summary>
        public MaxPool2d(Engine engine, int kernelSize, int? stride = null, int padding = 0) : base(engine)
        {
            if (kernelSize < 1) throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "kernel_size must be ≥ 1.");
            if (stride is int s && s < 1) throw new ArgumentOutOfRangeException(nameof(stride), s, "stride must be ≥ 1.");
            if (padding < 0 || padding > kernelSize / 2) throw new ArgumentOutOfRangeException(nameof(padding), padding, $"padding must be in 0..{kernelSize / 2} (at most half the kernel).");
            KernelSize = kernelSize;
            Stride = stride ?? kernelSize;
            Padding = padding;
        }

        /// <summary>Window size.</summary>
        public int KernelSize { get; }

        /// <summary>Stride.</summary>
        public int Stride { get; }

        /// <summary>Implicit −∞ padding.</summary>
        public int Padding { get; }

        private PoolGeometry Geometry(Tensor x)
        {
            if (x.Rank != 4) throw new ArgumentException($"{Describe()} expects NCHW input, got {TensorShape.Format(x.ShapeArray)}.", "input");
            var g = new PoolGeometry(x.Shape[0] * x.Shape[1], x.Shape[2], x.Shape[3], KernelSize, Stride, Padding);
            if (g.P < 1 || g.Q < 1) throw new ArgumentException($"{Describe()}: input {TensorShape.Format(x.ShapeArray)} is smaller than the window.", "input");
            return g;
        }

        /// <inheritdoc />
        protected override Tensor ForwardCore(Tensor input)
        {
            PoolGeometry g = Geometry(input);
            Tensor y = Engine.CreateTensor(input.Shape[0], input.Shape[1], g.P, g.Q);
            Tensor argmax = Engine.CreateTensor(input.Shape[0], input.Shape[1], g.P, g.Q);
            Engine.Main.MaxPool2dForward(g, input.Storage, y.Storage, argmax.Storage);
            _input = input;
            _argmax?.Dispose();
            _argmax = argmax;
            return y;
        }

        /// <inheritdoc />
        protected override Tensor InferCore(Tensor input)
        {
            PoolGeometry g = Geometry(input);
            ReadOnlySpan<int> shape = stackalloc int[] { input.ShapeArray[0], input.ShapeArray[1], g.P, g.Q };
            Tensor y = InferenceBuffer(0, input, shape);
            Tensor argmax = InferenceBuffer(1, input, shape);
            Engine.Main.MaxPool2dForward(g, input.Storage, y.Storage, argmax.Storage);
            return y;
        }

        /// <inheritdoc />
        protected override Tensor BackwardCore(Tensor gradOutput)
        {
            Tensor x = Cached(_input);
            Tensor dx = Engine.CreateTensor(x.ShapeArray);
            Engine.Main.MaxPool2dBackward(Geometry(x), gradOutput.Storage, Cached(_argmax).Storage, dx.Storage);
            return dx;
        }

        /// <inheritdoc />
        public override string Describe() => $"MaxPool2d(k{KernelSize}, s{Stride}{(Padding != 0 ? $", p{Padding}" : "")})";
    }

    /// <summary>Average over each channel's whole plane: [N, C, H, W] → [N, C, 1, 1]. Equivalent to torch.nn.AdaptiveAvgPool2d(1).</summary>
    public sealed class AdaptiveAvgPool2d : Module
    {
        private int[]? _inputShape;

        /// <summary>Creates the layer (output size 1 is the only one supported).</summary>
        public AdaptiveAvgPool2d(Engine engine, int outputSize = 1) : base(engine)
        {
            if (outputSize != 1) throw new ArgumentOutOfRangeException(nameof(outputSize), outputSize, "Only output size 1 (global average pooling) is supported.");
        }

        /// <inheritdoc />
        protected override Tensor ForwardCore(Tensor input)
        {
            CheckInput(input);
            Tensor y = Engine.CreateTensor(input.Shape[0], input.Shape[1], 1, 1);
            Compute(input, y);
            _inputShape = input.ShapeArray;
            return y;
        }

        /// <inheritdoc />
        protected override Tensor InferCore(Tensor input)
        {
            CheckInput(input);
            int[] s = input.ShapeArray;
            Tensor y = InferenceBuffer(0, input, stackalloc int[] { s[0], s[1], 1, 1 });
            Compute(input, y);
            return y;
        }

        private static void CheckInput(Tensor input)
        {
            if (input.Rank != 4) throw new ArgumentException($"AdaptiveAvgPool2d expects NCHW input, got {TensorShape.Format(input.ShapeArray)}.", nameof(input));
        }

        private void Compute(Tensor input, Tensor y)
        {
            int[] s = input.ShapeArray;
            Engine.Main.GlobalAvgPoolForward(input.Storage, y.Storage, s[0] * s[1], s[2] * s[3]);
        }

        /// <inheritdoc />
        protected override Tensor BackwardCore(Tensor gradOutput)
        {
            int[] s = Cached(_inputShape);
            Tensor dx = Engine.CreateTensor(s);
            Engine.Main.GlobalAvgPoolBackward(gradOutput.Storage, dx.Storage, s[0] * s[1], s[2] * s[3]);
            return dx;
        }

        /// <inheritdoc />
        public override string Describe() => "AdaptiveAvgPool2d(1)";
    }

    /// <summary>[N, d1, d2, …] → [N, d1·d2·…], a view without copying. Equivalent to torch.nn.Flatten().</summary>
    public sealed class Flatten : Module
    {
        private int[]? _inputShape;

        /// <summary>Creates the layer.</summary>
        public Flatten(Engine engine) : base(engine)
        {
        }

        /// <inheritdoc />
        protected override Tensor ForwardCore(Tensor input)
        {
            if (input.Rank < 1) throw new ArgumentException("Flatten needs at least a batch dimension.", nameof(input));
            _inputShape = input.ShapeArray;
            int n = input.Shape[0];
            return input.Reshape(n, n == 0 ? 0 : (int)(input.Length / n));
        }

        private Tensor? _inferenceView;

        /// <inheritdoc />
        /// <remarks>Returns a view of the input, as Forward does; the view object is kept while the input's memory and shape stay the same.</remarks>
        protected override Tensor InferCore(Tensor input)
        {
            if (input.Rank < 1) throw new ArgumentException("Flatten needs at least a batch dimension.", nameof(input));
            int n = input.ShapeArray[0], features = n == 0 ? 0 : (int)(input.Length / n);
            Tensor? view = _inferenceView;
            if (view is not null && view.SharesStorageWith(input) && view.HasShape(stackalloc int[] { n, features })) return view;
            _inferenceView = view = input.Reshape(n, features);
            return view;
        }

        /// <inheritdoc />
        protected override void OnReleaseInferenceBuffers() => _inferenceView = null;

        /// <inheritdoc />
        protected override Tensor BackwardCore(Tensor gradOutput) => gradOutput.Reshape(Cached(_inputShape));

        /// <inheritdoc />
        public override string Describe() => "Flatten()";
    }

    /// <summary>
    /// Batch normalization over N, H and W for each channel. Training: batch statistics (biased variance),
    /// running statistics updated with momentum and the unbiased variance; evaluation: running statistics.
    /// Equivalent to torch.nn.BatchNorm2d(num_features, eps, momentum); weight 1 and bias 0 at start.
    /// </summary>
    public sealed class BatchNorm2d : Module
    {
        private Tensor? _input;
        private readonly Tensor _mean, _invstd;

        /// <summary>Creates the layer.</summary>
        public BatchNorm2d(Engine engine, int numFeatures, double eps = 1e-5, double momentum = 0.1) : base(engine)
        {
            if (numFeatures < 1) throw new ArgumentOutOfRangeException(nameof(numFeatures), numFeatures, "num_features must be ≥ 1.");
            if (!(eps > 0)) throw new ArgumentOutOfRangeException(nameof(eps), eps, "eps must be > 0.");
            if (!(momentum >= 0 && momentum <= 1)) throw new ArgumentOutOfRangeException(nameof(momentum), momentum, "momentum must be in [0, 1].");
            NumFeatures = numFeatures;
            Eps = eps;
            Momentum = momentum;
            Weight = new Parameter("weight", engine.CreateTensor(numFeatures));
            Bias = new Parameter("bias", engine.CreateTensor(numFeatures));
            RunningMean = engine.CreateTensor(numFeatures);
            RunningVar = engine.CreateTensor(numFeatures);
            _mean = engine.CreateTensor(numFeatures);
            _invstd = engine.CreateTensor(numFeatures);
            ResetParameters();
        }

        /// <summary>Channels.</summary>
        public int NumFeatures { get; }

        /// <summary>Added to the variance.</summary>
        public double Eps { get; }

        /// <summary>Running-statistics momentum.</summary>
        public double Momentum { get; }

        /// <summary>Scale γ.</summary>
        public Parameter Weight { get; }

        /// <summary>Shift β.</summary>
        public Parameter Bias { get; }

        /// <summary>Running mean (a buffer, not trained).</summary>
        public Tensor RunningMean { get; }

        /// <summary>Running variance (a buffer, not trained).</summary>
        public Tensor RunningVar { get; }

        /// <inheritdoc />
        public override IReadOnlyList<Parameter> OwnParameters => new[] { Weight, Bias };

        /// <summary><c>running_mean</c> and <c>running_var</c>, as torch names them (torch's <c>num_batches_tracked</c> is not kept: the momentum is always set).</summary>
        public override IReadOnlyList<(string Name, Tensor Buffer)> OwnBuffers => new[] { ("running_mean", RunningMean), ("running_var", RunningVar) };

        /// <inheritdoc />
        public override void ResetParameters(RandomSource? generator = null)
        {
            Init.Ones(Weight.Value);
            Init.Zeros(Bias.Value);
            Init.Zeros(RunningMean);
            Init.Ones(RunningVar);
        }

        private (int N, int Inner) Dims(Tensor x)
        {
            if (x.Rank != 4 || x.Shape[1] != NumFeatures)
                throw new ArgumentException($"{Describe()} expects input [batch, {NumFeatures}, height, width], got {TensorShape.Format(x.ShapeArray)}.", "input");
            return (x.Shape[0], x.Shape[2] * x.Shape[3]);
        }

        /// <inheritdoc />
        protected override Tensor ForwardCore(Tensor input)
        {
            var (n, inner) = Dims(input);
            if (IsTraining && n * inner < 2)
                throw new ArgumentException($"{Describe()} needs more than one value per channel in training mode (got {TensorShape.Format(input.ShapeArray)}).", nameof(input));
            Tensor y = Engine.CreateTensor(input.ShapeArray);
            Engine.Main.BatchNormForward(input.Storage, y.Storage, Weight.Value.Storage, Bias.Value.Storage, RunningMean.Storage, RunningVar.Storage,
                _mean.Storage, _invstd.Storage, n, NumFeatures, inner, (float)Eps, (float)Momentum, IsTraining);
            _input = input;
            return y;
        }

        /// <inheritdoc />
        /// <remarks>Always normalizes with the running statistics (evaluation mode) and updates nothing, whatever <see cref="Module.IsTraining"/> says.</remarks>
        protected override Tensor InferCore(Tensor input)
        {
            var (n, inner) = Dims(input);
            Tensor y = InferenceBuffer(0, input, input.ShapeArray, inPlace: true);
            ReadOnlySpan<int> channels = stackalloc int[] { NumFeatures };
            Tensor mean = InferenceBuffer(1, input, channels), invstd = InferenceBuffer(2, input, channels);
            Engine.Main.BatchNormForward(input.Storage, y.Storage, Weight.Value.Storage, Bias.Value.Storage, RunningMean.Storage, RunningVar.Storage,
                mean.Storage, invstd.Storage, n, NumFeatures, inner, (float)Eps, (float)Momentum, training: false);
            return y;
        }

        /// <inheritdoc />
        protected override Tensor BackwardCore(Tensor gradOutput)
        {
            Tensor x = Cached(_input);
            if (!IsTraining) throw new InvalidOperationException($"{Describe()}: backward is implemented for training mode (batch statistics); call Train() first.");
            var (n, inner) = Dims(x);
            Tensor dx = Engine.CreateTensor(x.ShapeArray);
            Engine.Main.BatchNormBackward(x.Storage, gradOutput.Storage, Weight.Value.Storage, _mean.Storage, _invstd.Storage,
                dx.Storage, Weight.Grad.Storage, Bias.Grad.Storage, n, NumFeatures, inner);
            return dx;
        }

        /// <inheritdoc />
        public override string Describe() => string.Format(CultureInfo.InvariantCulture, "BatchNorm2d({0}, eps={1}, momentum={2})", NumFeatures, Eps, Momentum);
    }

    /// <summary>Runs its children in order; backward in reverse. Equivalent to torch.nn.Sequential.</summary>
    public sealed class Sequential : Module
    {
        private readonly Module[] _layers;

        /// <summary>Creates the container.</summary>
        public Sequential(Engine engine, params Module[] layers) : base(engine)
        {
            if (layers is null) throw new ArgumentNullException(nameof(layers));
            for (int i = 0; i < layers.Length; i++)
            {
                if (layers[i] is null) throw new ArgumentNullException(nameof(layers), $"Layer {i} is null.");
                if (!ReferenceEquals(layers[i].Engine, engine)) throw new ArgumentException($"Layer {i} ({layers[i].Describe()}) belongs to another engine.", nameof(layers));
            }
            _layers = (Module[])layers.Clone();
        }

        /// <inheritdoc />
        public override IReadOnlyList<Module> Children => _layers;

        /// <summary>The layer at <paramref name="index"/>.</summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="index"/> is not in 0 .. <see cref="Count"/> − 1.</exception>
        public Module this[int index] => (uint)index < (uint)_layers.Length
            ? _layers[index]
            : throw new ArgumentOutOfRangeException(nameof(index), index, $"Sequential has {_layers.Length} layers; index must be in 0..{_layers.Length - 1}.");

        /// <summary>Number of layers.</summary>
        public int Count => _layers.Length;

        /// <inheritdoc />
        protected override Tensor ForwardCore(Tensor input)
        {
            Tensor x = input;
            foreach (Module m in _layers) x = m.Forward(x);
            return x;
        }

        /// <inheritdoc />
        protected override Tensor InferCore(Tensor input)
        {
            Tensor x = input;
            foreach (Module m in _layers) x = m.Infer(x);
            return x;
        }

        /// <inheritdoc />
        protected override Tensor BackwardCore(Tensor gradOutput)
        {
            Tensor g = gradOutput;
            for (int i = _layers.Length - 1; i >= 0; i--) g = _layers[i].Backward(g, i > 0 || NeedInputGradient);
            return g;
        }

        /// <inheritdoc />
        public override string Describe() => "Sequential";
    }
}
