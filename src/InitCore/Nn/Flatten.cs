namespace InitCore.Nn
{
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
}
