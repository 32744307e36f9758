using InitCore.Backends;

namespace InitCore.Nn
{
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
}
