using InitCore.Randomness;

namespace InitCore.Initializers
{
    public static partial class Init
    {
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
        /// <exception cref="ObjectDisposedException">The weight or the bias has been disposed; nothing is written.</exception>
        public static void PyTorchDefault(Tensor weight, Tensor? bias = null, RandomSource? generator = null)
        {
            if (weight is null) throw new ArgumentNullException(nameof(weight));
            // Every argument is checked before anything is written: a bad bias leaves the weight as it was.
            var target = new InitTarget(weight);
            Fans fans = target.ShapeFans();
            if (bias is not null)
            {
                _ = bias.Storage; // throws ObjectDisposedException for a disposed bias (or engine)
                if (bias.Rank != 1)
                    throw new ArgumentException($"bias must be 1-D, but has shape {TensorShape.Format(bias.ShapeArray)}.", nameof(bias));
            }
            RandomSource g = target.Resolve(generator);
            target.Fill(InitDefinition.PyTorchDefaultWeight, g, fans);
            if (bias is not null) new InitTarget(bias).Fill(InitDefinition.PyTorchDefaultBias, g, fans);
        }

        /// <summary>The same as <see cref="PyTorchDefault(Tensor, Tensor?, RandomSource?)"/> on host spans.</summary>
        /// <param name="engine">The engine whose CPU workers do the work.</param>
        /// <param name="weight">The weight data, row-major in <paramref name="weightShape"/>.</param>
        /// <param name="weightShape">The weight's shape, [out, in, k…].</param>
        /// <param name="bias">The bias data (may be empty).</param>
        /// <param name="generator">Random source (a <see cref="Generator"/>); null for the engine's default.</param>
        /// <exception cref="ArgumentException">The weight has fewer than 2 dimensions or does not match its shape.</exception>
        public static void PyTorchDefault(Engine engine, Span<float> weight, ReadOnlySpan<int> weightShape, Span<float> bias, RandomSource? generator = null)
        {
            var target = new InitTarget(engine, weight, weightShape);
            Fans fans = target.ShapeFans();
            RandomSource g = target.Resolve(generator);
            target.Fill(InitDefinition.PyTorchDefaultWeight, g, fans);
            InitTarget.Flat(engine, bias, new int[1]).Fill(InitDefinition.PyTorchDefaultBias, g, fans);
        }
    }
}
