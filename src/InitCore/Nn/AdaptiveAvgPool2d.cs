namespace InitCore.Nn
{
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
}
