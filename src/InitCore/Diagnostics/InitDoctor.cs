using InitCore.Backends;
using InitCore.Initializers;
using InitCore.Nn;
using InitCore.Ops;
using InitCore.Serialization;

namespace InitCore.Diagnostics
{
    /// <summary>One layer's diagnosis.</summary>
    public sealed class DoctorLayer
    {
        internal DoctorLayer(string name, TensorStatistics forward, TensorStatistics? backward, double predictedStd, double? flatFraction, double? deadAbove, IReadOnlyList<string> flags)
        {
            Name = name; Forward = forward; Backward = backward; PredictedStd = predictedStd; FlatFraction = flatFraction; DeadAbove = deadAbove; Flags = flags;
        }

        /// <summary>Path in the model (as <see cref="Module.NamedParameters"/> gives it) and description, e.g. <c>12:Linear(64→10)</c>.</summary>
        public string Name { get; }

        /// <summary>Statistics of the layer's output.</summary>
        public TensorStatistics Forward { get; }

        /// <summary>Statistics of the gradient of the loss with respect to the layer's output (null without a loss).</summary>
        public TensorStatistics? Backward { get; }

        /// <summary>The std the init formulas predict: variance propagated from the measured input through the layers' weight variances and fans and the activations' second-moment factors.</summary>
        public double PredictedStd { get; }

        /// <summary>
        /// For an activation with a flat region (ReLU, or GeneralReLU/LeakyReLU with no leak): the fraction of its outputs
        /// equal to the value it outputs there (0 for ReLU, −sub for GeneralReLU), i.e. the units it zeroed; null for other layers.
        /// A healthy, zero-mean symmetric input gives about 0.5 for a ReLU, by design.
        /// </summary>
        public double? FlatFraction { get; }

        /// <summary>The <see cref="FlatFraction"/> above which the layer is flagged "dead": far more than a healthy input gives (0.9 for a ReLU, see <see cref="InitDoctor.DeadExcess"/>); null for layers without a flat region.</summary>
        public double? DeadAbove { get; }

        /// <summary>
        /// "vanishing" (std &lt; 0.1), "exploding" (std &gt; 10), "dead" (the output is constant, or an activation zeroes
        /// far more of it than it does on a healthy input: <see cref="FlatFraction"/> &gt; <see cref="DeadAbove"/>), "nan/inf".
        /// </summary>
        public IReadOnlyList<string> Flags { get; }
    }

    /// <summary>The init doctor's report: a table and JSON.</summary>
    public sealed class DoctorReport
    {
        internal DoctorReport(IReadOnlyList<DoctorLayer> layers) => Layers = layers;

        /// <summary>One entry per leaf layer, in execution order.</summary>
        public IReadOnlyList<DoctorLayer> Layers { get; }

        /// <summary>True when no layer is flagged.</summary>
        public bool Healthy => Layers.All(l => l.Flags.Count == 0);

        /// <inheritdoc />
        public override string ToString()
        {
            var sb = new StringBuilder();
            sb.AppendLine(string.Format(CultureInfo.InvariantCulture, "{0,-40} {1,10} {2,10} {3,10} {4,10} {5,10} {6,10} {7}", "layer", "mean", "std", "predicted", "near0", "zeroed", "grad std", "flags"));
            foreach (DoctorLayer l in Layers)
                sb.AppendLine(string.Format(CultureInfo.InvariantCulture, "{0,-40} {1,10} {2,10} {3,10} {4,10} {5,10} {6,10} {7}",
                    l.Name, ReportText.Number(l.Forward.Mean), ReportText.Number(l.Forward.Std), ReportText.Number(l.PredictedStd), ReportText.Number(l.Forward.NearZeroFraction),
                    l.FlatFraction is double f ? ReportText.Number(f) : "-", l.Backward is null ? "-" : ReportText.Number(l.Backward.Std), string.Join(",", l.Flags)));
            return sb.ToString().TrimEnd();
        }

        /// <summary>The report as JSON.</summary>
        public string ToJson()
        {
            var json = new JsonWriter().StartObject().Name("healthy").Bool(Healthy).Name("layers").StartArray();
            foreach (DoctorLayer l in Layers)
            {
                json.StartObject().Name("name").String(l.Name);
                Stats(json.Name("forward"), l.Forward);
                Stats(json.Name("backward"), l.Backward);
                json.Name("predicted_std").Number(l.PredictedStd).Name("flat_fraction").Number(l.FlatFraction).Name("dead_above").Number(l.DeadAbove)
                    .Name("flags").StartArray();
                foreach (string flag in l.Flags) json.String(flag);
                json.EndArray().EndObject();
            }
            return json.EndArray().EndObject().ToString();

            static void Stats(JsonWriter json, TensorStatistics? s)
            {
                if (s is null) json.Null();
                else json.StartObject().Name("mean").Number(s.Mean).Name("std").Number(s.Std).Name("min").Number(s.Min).Name("max").Number(s.Max)
                    .Name("near_zero").Number(s.NearZeroFraction).EndObject();
            }
        }
    }

    /// <summary>
    /// One call that runs a batch through a model (and back, given a target and a loss) and reports per layer
    /// the forward and backward statistics, the std the init formulas predict, and flags.
    /// </summary>
    public static class InitDoctor
    {
        /// <summary>Vanishing below this std.</summary>
        public const double VanishingStd = 0.1;

        /// <summary>Exploding above this std.</summary>
        public const double ExplodingStd = 10;

        /// <summary>
        /// "Dead" means far more zeros than the activation produces on a healthy input: an activation whose healthy
        /// flat fraction is h (0.5 for ReLU) is flagged when its flat fraction exceeds h + DeadExcess·(1 − h), i.e. 0.9 for
        /// a ReLU. Any layer whose output is constant (std ≤ 1e-5 of its magnitude) is flagged too.
        /// </summary>
        public const double DeadExcess = 0.8;

        /// <summary>Diagnoses <paramref name="model"/> on <paramref name="input"/>; with a target and loss, also the backward pass (gradients are accumulated into the parameters' Grad).</summary>
        public static DoctorReport Diagnose(Module model, Tensor input, Tensor? target = null, Loss? loss = null, StatisticsOptions? options = null)
        {
            if (model is null) throw new ArgumentNullException(nameof(model));
            if (input is null) throw new ArgumentNullException(nameof(input));
            if ((target is null) != (loss is null)) throw new ArgumentException("Give both a target and a loss for the backward statistics, or neither.", nameof(target));
            StatisticsOptions o = options ?? new StatisticsOptions { HistogramBins = 0, NearZeroThreshold = 0.01f };
            // Leaves, and each Residual block (its line, before its inner layers, describes the block's output x + f(x)).
            List<Module> leaves = model.Modules().Where(m => m.Children.Count == 0 || m is Residual).ToList();
            var forward = new Dictionary<Module, TensorStatistics>();
            var flat = new Dictionary<Module, double>();
            Dictionary<Module, string> paths = LayerNames.Paths(model);
            var backward = new Dictionary<Module, TensorStatistics>();
            TensorStatistics inputStats = TensorOps.Statistics(input, o);
            using (var scope = new HookScope())
            {
                foreach (Module m in leaves)
                {
                    scope.Forward(m, (mm, _, y) =>
                    {
                        forward[mm] = TensorOps.Statistics(y, o);
                        if (mm is ActivationModule a && ActivationRules.For(a).FlatValue is double v) flat[mm] = ActivationRules.FractionEqualTo(y, v);
                    });
                    if (loss is not null) scope.Backward(m, (mm, dy, _) => backward[mm] = TensorOps.Statistics(dy, o));
                }
                Tensor output = model.Forward(input);
                if (loss is not null)
                {
                    loss.Forward(output, target!);
                    model.Backward(loss.Backward());
                }
            }

            // Predicted moments: propagate (mean, E[x²]) from the measured input.
            double mean = inputStats.Mean, second = inputStats.Mean * inputStats.Mean + inputStats.Variance;
            var predictedMoments = new Dictionary<Module, (double Mean, double Second)>();
            Predict(model, mean, second, predictedMoments);
            var layers = new List<DoctorLayer>();
            for (int i = 0; i < leaves.Count; i++)
            {
                Module m = leaves[i];
                (mean, second) = predictedMoments[m];
                double predicted = Math.Sqrt(Math.Max(0, second - mean * mean));
                if (!forward.TryGetValue(m, out TensorStatistics? fs)) continue;
                var flags = new List<string>();
                double? zeroed = flat.TryGetValue(m, out double z) ? z : null;
                double? deadAbove = null;
                if (zeroed is not null)
                {
                    double healthy = ActivationRules.For((ActivationModule)m).HealthyFlatFraction;
                    deadAbove = healthy + DeadExcess * (1 - healthy);
                }
                if (double.IsNaN(fs.Mean) || double.IsInfinity(fs.Mean) || double.IsNaN(fs.Std) || double.IsInfinity(fs.Std)) flags.Add("nan/inf");
                else
                {
                    if (fs.Std < VanishingStd) flags.Add("vanishing");
                    if (fs.Std > ExplodingStd) flags.Add("exploding");
                    if (ActivationRules.IsConstant(fs.Mean, fs.Std, fs.Min, fs.Max) || zeroed > deadAbove) flags.Add("dead");
                }
                backward.TryGetValue(m, out TensorStatistics? bs);
                layers.Add(new DoctorLayer(LayerNames.Name(paths[m], m), fs, bs, predicted, zeroed, deadAbove, flags));
            }
            return new DoctorReport(layers);
        }

        /// <summary>
        /// The predicted (mean, E[x²]) after every leaf of <paramref name="m"/>, into <paramref name="at"/>: containers run their
        /// children in order, except <see cref="Residual"/>: body and shortcut both start from the block's input and their
        /// outputs add, E[y] = E[f] + E[s], E[y²] = E[f²] + E[s²] + 2·E[f]·E[s] (f(x) and x uncorrelated, as with zero-mean
        /// random weights).
        /// </summary>
        private static (double Mean, double Second) Predict(Module m, double mean, double second, Dictionary<Module, (double, double)> at)
        {
            if (m is Residual r)
            {
                var (fm, fs) = Predict(r.Body, mean, second, at);
                var (sm, ss) = r.Projection is null ? (mean, second) : Predict(r.Projection, mean, second, at);
                return at[r] = (fm + sm, fs + ss + 2 * fm * sm);
            }
            if (m.Children.Count == 0) return at[m] = Propagate(m, mean, second);
            foreach (Module child in m.Children) (mean, second) = Predict(child, mean, second, at);
            return (mean, second);
        }

        private static (double Mean, double Second) Propagate(Module m, double mean, double second)
        {
            switch (m)
            {
                case Linear or Conv2d:
                {
                    Parameter w = m.OwnParameters.First(p => p.Name == "weight");
                    Parameter? b = m.OwnParameters.FirstOrDefault(p => p.Name == "bias");
                    double fanIn = Fans.FromShape(w.Value.ShapeArray).FanIn;
                    TensorStatistics ws = TensorOps.Statistics(w.Value, new StatisticsOptions { HistogramBins = 0 });
                    double wSecond = ws.Variance + ws.Mean * ws.Mean;
                    double bSecond = 0, bMean = 0;
                    if (b is not null)
                    {
                        TensorStatistics bst = TensorOps.Statistics(b.Value, new StatisticsOptions { HistogramBins = 0 });
                        bSecond = bst.Variance + bst.Mean * bst.Mean;
                        bMean = bst.Mean;
                    }
                    // y = Σ w·x + b with independent zero-mean weights: E[y²] = fan_in·E[w²]·E[x²] + E[b²].
                    return (bMean, fanIn * wSecond * second + bSecond);
                }
                case ReLU:
                    return Rectified(second, 0, 0);
                case LeakyReLU l:
                    return Rectified(second, l.NegativeSlope, 0);
                case GeneralReLU g:
                    return Rectified(second, g.Leak, g.Sub);
                case BatchNorm2d:
                    return (0, 1);
                case ActivationModule a when !a.Spec.IsRectifier:
                    return GaussianMoments(a.Spec, mean, second);
                case Dropout d:
                    // Inverted dropout keeps the mean and divides E[x²]'s kept part by 1 − p (training mode only).
                    return d.IsTraining ? (mean, second / (1 - d.P)) : (mean, second);
                default:
                    return (mean, second); // pooling, flatten: moments carried through (approximate for pooling)
            }
        }

        /// <summary>
        /// (E[f(z)], E[f(z)²]) for z ~ N(mean, second − mean²) through a smooth activation (tanh, sigmoid, GELU, SiLU, ELU,
        /// SELU, Softplus): Simpson's rule over ±12 standard deviations with the activation's CPU formula.
        /// </summary>
        private static (double Mean, double Second) GaussianMoments(ActivationSpec spec, double mean, double second)
        {
            double sd = Math.Sqrt(Math.Max(0, second - mean * mean));
            if (sd == 0) { double y0 = ActivationFormulas.Forward(spec, (float)mean); return (y0, y0 * y0); }
            const int intervals = 2400;
            const double h = 24.0 / intervals;
            double m1 = 0, m2 = 0;
            for (int i = 0; i <= intervals; i++)
            {
                double t = -12 + i * h, w = (i == 0 || i == intervals ? 1 : (i % 2 == 1 ? 4 : 2)) * Math.Exp(-0.5 * t * t);
                double y = ActivationFormulas.Forward(spec, (float)(mean + sd * t));
                m1 += w * y;
                m2 += w * y * y;
            }
            double norm = h / 3 / Math.Sqrt(2 * Math.PI);
            return (m1 * norm, m2 * norm);
        }

        /// <summary>Moments after leaky_relu(x, a) − sub for x ~ N(0, s²), s² = E[x²]: E[y] = s(1 − a)/√(2π) − sub, E[relu part²] = s²(1 + a²)/2.</summary>
        private static (double Mean, double Second) Rectified(double second, double leak, double sub)
        {
            double s = Math.Sqrt(Math.Max(0, second));
            double m = s * (1 - leak) / Math.Sqrt(2 * Math.PI);
            double q = second * (1 + leak * leak) / 2;
            double var = q - m * m;
            double mean = m - sub;
            return (mean, var + mean * mean);
        }
    }
}
