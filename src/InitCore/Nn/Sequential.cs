namespace InitCore.Nn
{
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
