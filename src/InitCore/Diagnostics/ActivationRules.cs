using InitCore.Backends;
using InitCore.Nn;
using InitCore.Ops;

namespace InitCore.Diagnostics
{
    /// <summary>Where LSUV measures a statistic of a calibrated layer.</summary>
    public enum LsuvPoint
    {
        /// <summary>The Linear/Conv2d layer's own output (the activation's input).</summary>
        LayerOutput,
        /// <summary>The output of the activation that follows the layer.</summary>
        ActivationOutput,
    }

    /// <summary>What LSUV changes to move a layer's mean.</summary>
    public enum LsuvMeanControl
    {
        /// <summary>Every entry of the layer's bias is shifted by the same amount.</summary>
        Bias,
        /// <summary>The following GeneralReLU's <c>sub</c> (a shift after the activation).</summary>
        Sub,
    }

    /// <summary>
    /// How the diagnostics treat one activation: where LSUV measures and corrects the mean and the std, and which
    /// value the activation outputs on its flat region (for the init doctor's "dead" flag).
    /// </summary>
    internal sealed class ActivationRule
    {
        internal ActivationRule(LsuvPoint meanAt, LsuvMeanControl meanBy, LsuvPoint stdAt, double? flatValue = null, double healthyFlatFraction = 0)
        {
            MeanAt = meanAt; MeanBy = meanBy; StdAt = stdAt; FlatValue = flatValue; HealthyFlatFraction = healthyFlatFraction;
        }

        /// <summary>Where the mean is measured.</summary>
        internal LsuvPoint MeanAt { get; }

        /// <summary>What moves the mean.</summary>
        internal LsuvMeanControl MeanBy { get; }

        /// <summary>Where the std is measured (it is always corrected by scaling the weight).</summary>
        internal LsuvPoint StdAt { get; }

        /// <summary>The constant the activation outputs on a flat region whose gradient is 0 (0 for ReLU, −sub for GeneralReLU with leak 0); null when it has none.</summary>
        internal double? FlatValue { get; }

        /// <summary>The fraction of a healthy (zero-mean, symmetric) input mapped to <see cref="FlatValue"/>: 0.5 for ReLU.</summary>
        internal double HealthyFlatFraction { get; }
    }

    /// <summary>
    /// The per-activation rules of LSUV and the init doctor, one entry per activation type (docs/diagnostics.md
    /// has the table). A new activation registers one entry in <see cref="Table"/>; an activation without an entry is
    /// treated like the linear output layer: mean and std measured on the layer's output (the LSUV paper's choice),
    /// which is always reachable through the bias and the weight scale.
    /// </summary>
    internal static class ActivationRules
    {
        /// <summary>No activation follows (the linear output layer), or measuring on the layer's output was asked for.</summary>
        internal static readonly ActivationRule Linear = new ActivationRule(LsuvPoint.LayerOutput, LsuvMeanControl.Bias, LsuvPoint.LayerOutput);

        /// <summary>Smooth activations unbounded above (GELU, SiLU, ELU, Softplus): mean centred before them, std measured after them.</summary>
        private static readonly ActivationRule Smooth = new ActivationRule(LsuvPoint.LayerOutput, LsuvMeanControl.Bias, LsuvPoint.ActivationOutput);

        // A rectifier's output mean is ≥ 0 (ReLU) or far from 0 unless most inputs are negative (leaky): a mean of 0 is
        // not reachable after it without killing units, so the mean is centred before it; its std is measured after it,
        // so the next layer sees unit-std inputs. A shift after the activation (GeneralReLU's sub) reaches any mean.
        private static readonly Dictionary<Type, Func<ActivationModule, ActivationRule>> Table = new Dictionary<Type, Func<ActivationModule, ActivationRule>>
        {
            [typeof(ReLU)] = _ => new ActivationRule(LsuvPoint.LayerOutput, LsuvMeanControl.Bias, LsuvPoint.ActivationOutput, 0.0, 0.5),
            [typeof(LeakyReLU)] = a => Rectifier(((LeakyReLU)a).NegativeSlope, 0, adjustSub: false),
            [typeof(GeneralReLU)] = a => Rectifier(((GeneralReLU)a).Leak, ((GeneralReLU)a).Sub, adjustSub: ((GeneralReLU)a).Sub != 0),
            // Bounded (Tanh, Sigmoid): a unit std after them is out of reach, so both statistics are taken on the layer's
            // output, where they are always reachable. SELU: mean 0 and std 1 at its input is its self-normalizing fixed
            // point (Klambauer et al. 2017), so it is calibrated there too.
            [typeof(Tanh)] = _ => Linear,
            [typeof(Sigmoid)] = _ => Linear,
            [typeof(SELU)] = _ => Linear,
            // Smooth, unbounded above, no flat region: the mean is centred before them (as for a rectifier) and the std
            // is measured after them, so the next layer sees unit-std inputs.
            [typeof(GELU)] = _ => Smooth,
            [typeof(SiLU)] = _ => Smooth,
            [typeof(ELU)] = _ => Smooth,
            [typeof(Softplus)] = _ => Smooth,
        };


        private static ActivationRule Rectifier(double leak, double sub, bool adjustSub) =>
            new ActivationRule(adjustSub ? LsuvPoint.ActivationOutput : LsuvPoint.LayerOutput, adjustSub ? LsuvMeanControl.Sub : LsuvMeanControl.Bias,
                LsuvPoint.ActivationOutput, leak == 0 ? -sub : (double?)null, leak == 0 ? 0.5 : 0.0);

        /// <summary>The rule for <paramref name="activation"/>; <see cref="Linear"/> for null or an activation without an entry.</summary>
        internal static ActivationRule For(ActivationModule? activation) =>
            activation is not null && Table.TryGetValue(activation.GetType(), out var rule) ? rule(activation) : Linear;

        /// <summary>
        /// True when statistics describe (numerically) constant data: std ≤ 1e-5·max(|mean|, |min|, |max|), a relative
        /// test that float32 rounding in a std of constant data (about 1e-7 of the values) cannot slip past, or no spread at all.
        /// </summary>
        internal static bool IsConstant(double mean, double std, double min, double max) =>
            !(std > 1e-5 * Math.Max(Math.Abs(mean), Math.Max(Math.Abs(min), Math.Abs(max))));

        /// <summary>The fraction of <paramref name="values"/> exactly equal to <paramref name="value"/> (one statistics pass on the device).</summary>
        internal static double FractionEqualTo(Tensor values, double value)
        {
            // |x − value| < float.Epsilon (the smallest subnormal) holds only when x − value is exactly 0.
            StatsResult r = StatisticsOps.AffineActivationStatistics(values, 1f, (float)-value, null, 1, 1, null,
                new StatsConfig(float.Epsilon, 0f, 1f, 0, false));
            return r.Count == 0 ? 0 : (double)r.NearZero / r.Count;
        }
    }

    /// <summary>Layer names shared by every diagnostic: the module's path in the model, as <see cref="Module.NamedParameters"/> prefixes its parameters, and its description.</summary>
    internal static class LayerNames
    {
        /// <summary>
        /// Each module of <paramref name="model"/> with its path: <c>12</c>, <c>1.0</c>; the model itself is <c>0</c> when it is a
        /// single layer. A module used at several places (one ReLU instance reused) is named by its first.
        /// </summary>
        internal static Dictionary<Module, string> Paths(Module model)
        {
            var paths = new Dictionary<Module, string>();
            foreach (var (path, module) in model.NamedModules())
                if (!paths.ContainsKey(module)) paths.Add(module, path.Length == 0 ? "0" : path);
            return paths;
        }

        /// <summary>A layer's name, e.g. <c>12:Linear(64→10)</c>.</summary>
        internal static string Name(string path, Module layer) => $"{path}:{layer.Describe()}";
    }
}
