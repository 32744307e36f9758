using InitCore.Initializers;
using InitCore.Randomness;

namespace InitCore.Nn
{
    /// <summary>Which fans a scheme reads from a layer.</summary>
    public enum FanRule
    {
        /// <summary>PyTorch's shape rule (<see cref="Fans.FromShape"/>): the same numbers as torch.nn.init.</summary>
        PyTorch,
        /// <summary>The layer's own fans (<see cref="Linear.Fans"/>, <see cref="Conv2d.Fans"/>): right for grouped and depthwise convolutions.</summary>
        LayerAware,
    }

    /// <summary>
    /// An initializer described once and applied to every weight or bias of a model by
    /// <see cref="ModelInit.Apply"/>. The random schemes built on uniform, normal and truncated normal
    /// draws are batched: on CUDA the whole model is filled in one kernel launch.
    /// </summary>
    public sealed class InitScheme
    {
        private InitScheme(string name, InitDefinition? definition, Action<Tensor, RandomSource?>? apply)
        {
            Name = name;
            Definition = definition;
            ApplyDirect = apply;
        }

        /// <summary>A short description, e.g. <c>kaiming_normal(a=0, fan_in, leaky_relu)</c>.</summary>
        public string Name { get; }

        /// <summary>The initializer's one definition, shared with <see cref="Init"/>'s tensor and span forms; null for the schemes applied per tensor.</summary>
        internal InitDefinition? Definition { get; }

        internal Action<Tensor, RandomSource?>? ApplyDirect { get; }

        /// <summary><see cref="Init.KaimingNormal(Tensor, double, FanMode, Nonlinearity, RandomSource?, Fans?)"/> for every tensor.</summary>
        public static InitScheme KaimingNormal(double a = 0, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu)
            => new InitScheme($"kaiming_normal(a={a}, {mode}, {nonlinearity})", InitDefinition.Kaiming(a, mode, nonlinearity, normal: true), null);

        /// <summary><see cref="Init.KaimingUniform(Tensor, double, FanMode, Nonlinearity, RandomSource?, Fans?)"/> for every tensor.</summary>
        public static InitScheme KaimingUniform(double a = 0, FanMode mode = FanMode.FanIn, Nonlinearity nonlinearity = Nonlinearity.LeakyRelu)
            => new InitScheme($"kaiming_uniform(a={a}, {mode}, {nonlinearity})", InitDefinition.Kaiming(a, mode, nonlinearity, normal: false), null);

        /// <summary><see cref="Init.XavierNormal(Tensor, double, RandomSource?, Fans?)"/> for every tensor.</summary>
        public static InitScheme XavierNormal(double gain = 1)
            => new InitScheme($"xavier_normal(gain={gain})", InitDefinition.Xavier(gain, normal: true), null);

        /// <summary><see cref="Init.XavierUniform(Tensor, double, RandomSource?, Fans?)"/> for every tensor.</summary>
        public static InitScheme XavierUniform(double gain = 1)
            => new InitScheme($"xavier_uniform(gain={gain})", InitDefinition.Xavier(gain, normal: false), null);

        /// <summary>Keras VarianceScaling for every tensor.</summary>
        public static InitScheme VarianceScaling(double scale = 1, FanMode mode = FanMode.FanIn, VarianceDistribution distribution = VarianceDistribution.TruncatedNormal)
            => new InitScheme($"variance_scaling({scale}, {mode}, {distribution})", InitDefinition.VarianceScaling(scale, mode, distribution), null);

        /// <summary>N(mean, std²) for every tensor.</summary>
        public static InitScheme Normal(double mean = 0, double std = 1)
            => new InitScheme($"normal({mean}, {std})", InitDefinition.Normal(mean, std), null);

        /// <summary>U(a, b) for every tensor.</summary>
        public static InitScheme Uniform(double a = 0, double b = 1)
            => new InitScheme($"uniform({a}, {b})", InitDefinition.Uniform(a, b), null);

        /// <summary>Truncated normal with absolute bounds for every tensor.</summary>
        public static InitScheme TruncatedNormal(double mean = 0, double std = 1, double a = -2, double b = 2)
            => new InitScheme($"trunc_normal({mean}, {std}, {a}, {b})", InitDefinition.TruncatedNormal(mean, std, a, b), null);

        /// <summary>PyTorch's default weight init, kaiming_uniform(a=√5), i.e. U(±1/√fan_in).</summary>
        public static InitScheme PyTorchDefaultWeight { get; } = KaimingUniform(Math.Sqrt(5.0));

        /// <summary>PyTorch's default bias init, U(±1/√fan_in) with the layer's fan_in.</summary>
        public static InitScheme PyTorchDefaultBias { get; } = new InitScheme("uniform(±1/√fan_in)", InitDefinition.PyTorchDefaultBias, null);

        /// <summary>Zeros.</summary>
        public static InitScheme Zeros { get; } = new InitScheme("zeros", null, (t, _) => Init.Zeros(t));

        /// <summary>A constant.</summary>
        public static InitScheme Constant(double value)
        {
            float stored = Init.ConstantValue(value); // the float32 written to every tensor; refuses a value beyond float32's range
            return new InitScheme($"constant({value})", null, (t, _) => Init.Constant(t, stored));
        }

        /// <summary>Orthogonal times gain (host QR per tensor, not batched).</summary>
        public static InitScheme Orthogonal(double gain = 1)
        {
            Init.ValidateOrthogonalGain(gain);
            return new InitScheme($"orthogonal(gain={gain})", null, (t, g) => Init.Orthogonal(t, gain, g));
        }

        /// <inheritdoc />
        public override string ToString() => Name;
    }

    /// <summary>Initializes whole models.</summary>
    public static class ModelInit
    {
        /// <summary>
        /// Applies <paramref name="weights"/> to the weight of every Linear and Conv2d layer and
        /// <paramref name="biases"/> (when given) to their biases, in parameter order, drawing from one
        /// generator. Random schemes built on uniform/normal/truncated-normal draws are batched: on CUDA the
        /// whole model is filled in one launch; the bits equal those of initializing the tensors one by one.
        /// </summary>
        /// <param name="model">The model.</param>
        /// <param name="weights">The weight scheme.</param>
        /// <param name="biases">The bias scheme, or null to leave biases as they are.</param>
        /// <param name="generator">Random source; null for the engine's default generator.</param>
        /// <param name="fanRule">Where the fans come from.</param>
        /// <returns>The number of tensors initialized.</returns>
        public static int Apply(Module model, InitScheme weights, InitScheme? biases = null, RandomSource? generator = null, FanRule fanRule = FanRule.PyTorch)
        {
            if (model is null) throw new ArgumentNullException(nameof(model));
            if (weights is null) throw new ArgumentNullException(nameof(weights));
            RandomSource source = generator ?? model.Engine.DefaultGenerator;
            var targets = new List<(Tensor Tensor, InitScheme Scheme, Fans Fans)>();
            foreach (Module m in model.Modules())
            {
                (Parameter Weight, Parameter? Bias, Fans LayerFans)? layer = m switch
                {
                    Linear l => (l.Weight, l.Bias, l.Fans),
                    Conv2d c => (c.Weight, c.Bias, c.Fans),
                    _ => null,
                };
                if (layer is not { } x) continue;
                Fans fans = fanRule == FanRule.LayerAware ? x.LayerFans : Fans.FromShape(x.Weight.Value.ShapeArray);
                targets.Add((x.Weight.Value, weights, fans));
                if (biases is not null && x.Bias is not null) targets.Add((x.Bias.Value, biases, fans));
            }
            // Every spec is computed (and so validated) before the first tensor is written: a layer whose fans the
            // scheme cannot use leaves the whole model as it was.
            var specs = new FillSpec?[targets.Count];
            for (int i = 0; i < targets.Count; i++)
                if (targets[i].Scheme.Definition is { } definition) specs[i] = definition.Spec(targets[i].Fans);
            // Consecutive random fills go to the engine as one batch (one launch on CUDA); a scheme applied per tensor
            // flushes the batch first, so the generator's draw order is the parameter order.
            var batchTensors = new List<Tensor>();
            var batchSpecs = new List<FillSpec>();
            void Flush()
            {
                if (batchTensors.Count == 0) return;
                InitTarget.FillTensors(model.Engine, batchTensors.ToArray(), batchSpecs.ToArray(), source);
                batchTensors.Clear();
                batchSpecs.Clear();
            }
            for (int i = 0; i < targets.Count; i++)
            {
                if (specs[i] is FillSpec spec)
                {
                    batchTensors.Add(targets[i].Tensor);
                    batchSpecs.Add(spec);
                    continue;
                }
                Flush();
                targets[i].Scheme.ApplyDirect!(targets[i].Tensor, source);
            }
            Flush();
            return targets.Count;
        }
    }
}
