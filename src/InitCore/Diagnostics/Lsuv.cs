using InitCore.Initializers;
using InitCore.Nn;
using InitCore.Ops;
using InitCore.Randomness;
using InitCore.Serialization;

namespace InitCore.Diagnostics
{
    /// <summary>The two LSUV variants.</summary>
    public enum LsuvVariant
    {
        /// <summary>Mishkin and Matas, "All you need is a good init" (ICLR 2016): orthonormal pre-init, then scale each weight until |var − 1| &lt; tol.</summary>
        Paper,
        /// <summary>fastai's (course lesson 11): also correct the mean — through GeneralReLU's sub after a GeneralReLU with a sub, otherwise through the bias on the layer's output (see <see cref="Lsuv"/>) — then divide the weight by the std.</summary>
        Fastai,
    }

    /// <summary>Settings of <see cref="Lsuv"/>.</summary>
    public sealed class LsuvOptions
    {
        /// <summary>Variant. Default <see cref="LsuvVariant.Fastai"/>.</summary>
        public LsuvVariant Variant { get; set; } = LsuvVariant.Fastai;

        /// <summary>
        /// Use the activation that follows each layer (true, the default): the std is then measured after it, and the mean
        /// where the activation's rule says (after a GeneralReLU with a sub; before a ReLU or LeakyReLU, whose output mean
        /// cannot be 0). False: both are measured on the layer's output.
        /// </summary>
        public bool MeasureAfterActivation { get; set; } = true;

        /// <summary>Target mean (fastai variant), at the point the activation's rule measures it. Default 0; must be finite.</summary>
        public double TargetMean { get; set; }

        /// <summary>Target standard deviation. Default 1; must be finite and &gt; 0.</summary>
        public double TargetStd { get; set; } = 1;

        /// <summary>Tolerance on |mean − target| and |std − target|. Default 1e-3; must be finite and &gt; 0.</summary>
        public double Tolerance { get; set; } = 1e-3;

        /// <summary>Iterations per layer before giving up on it (it then keeps the state closest to the targets and is reported as not converged). Default 10; at least 1.</summary>
        public int MaxIterations { get; set; } = 10;

        /// <summary>Which Linear/Conv2d layers to calibrate; default all.</summary>
        public Func<Module, bool>? LayerFilter { get; set; }

        /// <summary>Run in training mode (true) or evaluation mode (false, the default); the model's mode is restored afterwards.</summary>
        public bool TrainingMode { get; set; }

        /// <summary>Random source of the paper variant's orthonormal pre-init; null for the engine's default.</summary>
        public RandomSource? Generator { get; set; }
    }

    /// <summary>What LSUV did to one layer.</summary>
    public sealed class LsuvLayerReport
    {
        internal LsuvLayerReport(string name, int iterations, double meanBefore, double stdBefore, double meanAfter, double stdAfter, bool converged,
            LsuvPoint meanAt, LsuvPoint stdAt, LsuvMeanControl? meanBy, double weightScale, double biasShift, double? subBefore, double? subAfter, string? note)
        {
            Name = name; Iterations = iterations; MeanBefore = meanBefore; StdBefore = stdBefore; MeanAfter = meanAfter; StdAfter = stdAfter; Converged = converged;
            MeanMeasuredAt = meanAt; StdMeasuredAt = stdAt; MeanCorrectedBy = meanBy; WeightScale = weightScale; BiasShift = biasShift; SubBefore = subBefore; SubAfter = subAfter; Note = note;
        }

        /// <summary>Path in the model (as <see cref="Module.NamedParameters"/> gives it) and description, e.g. <c>0:Conv2d(1→8, k5, s2, p2)</c>.</summary>
        public string Name { get; }

        /// <summary>Adjustments made.</summary>
        public int Iterations { get; }

        /// <summary>Mean before, measured at <see cref="MeanMeasuredAt"/>.</summary>
        public double MeanBefore { get; }

        /// <summary>Std before, measured at <see cref="StdMeasuredAt"/>.</summary>
        public double StdBefore { get; }

        /// <summary>Mean after, measured at <see cref="MeanMeasuredAt"/>.</summary>
        public double MeanAfter { get; }

        /// <summary>Std after, measured at <see cref="StdMeasuredAt"/>.</summary>
        public double StdAfter { get; }

        /// <summary>Whether every target LSUV could correct was met within the tolerance (the std always; the mean in the fastai variant when the layer has a bias or a GeneralReLU with sub follows).</summary>
        public bool Converged { get; }

        /// <summary>Where the mean is measured: after the activation only when a shift after it (GeneralReLU's sub) corrects it; otherwise on the layer's output.</summary>
        public LsuvPoint MeanMeasuredAt { get; }

        /// <summary>Where the std is measured: after the activation (when one follows and is measured), otherwise on the layer's output.</summary>
        public LsuvPoint StdMeasuredAt { get; }

        /// <summary>What corrected the mean; null when the mean was not corrected (paper variant, or no bias).</summary>
        public LsuvMeanControl? MeanCorrectedBy { get; }

        /// <summary>The factor the weight was multiplied by (1 when unchanged).</summary>
        public double WeightScale { get; }

        /// <summary>The amount added to every bias entry (0 when unchanged or no bias); the bias also absorbs (1 − scale)·b0 implicitly, see <see cref="Lsuv"/>.</summary>
        public double BiasShift { get; }

        /// <summary>The following GeneralReLU's sub before LSUV; null when no GeneralReLU's sub was corrected.</summary>
        public double? SubBefore { get; }

        /// <summary>The following GeneralReLU's sub after LSUV; null when no GeneralReLU's sub was corrected.</summary>
        public double? SubAfter { get; }

        /// <summary>Why a target was not met or not corrected, and what LSUV kept instead; null when everything converged.</summary>
        public string? Note { get; }
    }

    /// <summary>The result of an LSUV run.</summary>
    public sealed class LsuvReport
    {
        internal LsuvReport(IReadOnlyList<LsuvLayerReport> layers, int layerForwardCalls)
        {
            Layers = layers;
            LayerForwardCalls = layerForwardCalls;
        }

        /// <summary>One entry per calibrated layer, in execution order.</summary>
        public IReadOnlyList<LsuvLayerReport> Layers { get; }

        /// <summary>Leaf-layer forward calls LSUV made: one pass through the model (iterations re-apply an affine map and the activation's formula to a layer's cached output, in the statistics pass, without calling a layer).</summary>
        public int LayerForwardCalls { get; }

        /// <summary>True when every layer converged.</summary>
        public bool AllConverged => Layers.All(l => l.Converged);

        /// <summary>A table.</summary>
        public override string ToString()
        {
            var sb = new StringBuilder();
            sb.AppendLine(string.Format(CultureInfo.InvariantCulture, "{0,-36} {1,5} {2,10} {3,10} {4,10} {5,10} {6,10} {7,10} {8,10} {9}",
                "layer", "iters", "mean0", "std0", "mean", "std", "w scale", "b shift", "sub", "converged"));
            foreach (LsuvLayerReport l in Layers)
                sb.AppendLine(string.Format(CultureInfo.InvariantCulture, "{0,-36} {1,5} {2,10} {3,10} {4,10} {5,10} {6,10} {7,10} {8,10} {9}",
                    l.Name, l.Iterations, ReportText.Number(l.MeanBefore), ReportText.Number(l.StdBefore), ReportText.Number(l.MeanAfter), ReportText.Number(l.StdAfter),
                    ReportText.Number(l.WeightScale), ReportText.Number(l.BiasShift), l.SubAfter is double sub ? ReportText.Number(sub) : "-",
                    (l.Converged ? "yes" : "NO") + (l.Note is null ? "" : " (" + l.Note + ")")));
            sb.Append(string.Format(CultureInfo.InvariantCulture, "layer forward calls: {0}", LayerForwardCalls));
            return sb.ToString();
        }

        /// <summary>The report as JSON.</summary>
        public string ToJson()
        {
            var json = new JsonWriter().StartObject().Name("layers").StartArray();
            foreach (LsuvLayerReport l in Layers)
                json.StartObject().Name("name").String(l.Name).Name("iterations").Number(l.Iterations)
                    .Name("mean_before").Number(l.MeanBefore).Name("std_before").Number(l.StdBefore)
                    .Name("mean_after").Number(l.MeanAfter).Name("std_after").Number(l.StdAfter).Name("converged").Bool(l.Converged)
                    .Name("mean_at").String(l.MeanMeasuredAt.ToString()).Name("std_at").String(l.StdMeasuredAt.ToString())
                    .Name("mean_by").String(l.MeanCorrectedBy?.ToString()).Name("weight_scale").Number(l.WeightScale)
                    .Name("bias_shift").Number(l.BiasShift).Name("sub_before").Number(l.SubBefore)
                    .Name("sub_after").Number(l.SubAfter).Name("note").String(l.Note).EndObject();
            return json.EndArray().Name("layer_forward_calls").Number(LayerForwardCalls).EndObject().ToString();
        }
    }

    /// <summary>LSUV failed on a layer (a constant, i.e. dead, or non-finite output): the exception names the layer, and nothing LSUV changed is left changed.</summary>
    public sealed class LsuvException : InvalidOperationException
    {
        /// <summary>Creates the exception.</summary>
        public LsuvException(string layer, string message) : base(message) => Layer = layer;

        /// <summary>The layer that failed.</summary>
        public string Layer { get; }
    }

    /// <summary>
    /// Layer-sequential unit-variance initialization. Each calibrated layer's input is computed once and
    /// cached, and the layer itself runs once: its output is cached too, and since a weight scale s and a
    /// bias shift Δ act on it as the affine map s·z + (1 − s)·b0 − Δ, each iteration is one elementwise pass per
    /// measuring point that applies that map (and the activation's formula) and measures the result in the same
    /// pass. LSUV therefore costs exactly one forward pass plus elementwise passes per iteration (not
    /// iterations × full forwards as in fastai and LSUV-pytorch). Statistics run on the device; only their
    /// summaries are read back.
    /// <para>
    /// Where the mean and the std are measured and corrected depends on the activation that follows (a table,
    /// docs/diagnostics.md): after a plain ReLU or LeakyReLU the mean is centred on the layer's output through the
    /// bias (a mean of 0 after a rectifier is not reachable without killing units) and the std is measured after
    /// the activation; after a GeneralReLU with a sub both are measured after it and the sub moves the mean
    /// (fastai's lesson); with no activation both are measured on the layer's output. A layer that cannot reach
    /// its targets keeps the closest state LSUV saw (possibly its original one) and the report says why.
    /// Run is transactional: inputs are validated before anything changes, and when it throws every weight, bias
    /// and sub it changed is restored.
    /// </para>
    /// </summary>
    public static class Lsuv
    {
        /// <summary>Runs LSUV on <paramref name="model"/> (a chain of layers: Sequential, possibly nested) with one batch.</summary>
        public static LsuvReport Run(Module model, Tensor batch, LsuvOptions? options = null) => Run(model, new[] { batch ?? throw new ArgumentNullException(nameof(batch)) }, options);

        /// <summary>Runs LSUV with statistics pooled over several batches.</summary>
        /// <exception cref="ArgumentException">No batch, a batch that is empty, on another engine or of the wrong shape, or the options are out of range.</exception>
        /// <exception cref="NotSupportedException">The model is not a chain of layers.</exception>
        /// <exception cref="InvalidOperationException">The model has no Linear or Conv2d layer (that the filter accepts) to calibrate.</exception>
        /// <exception cref="LsuvException">A layer's output is constant (a dead layer) or not finite; nothing is left changed.</exception>
        public static LsuvReport Run(Module model, IReadOnlyList<Tensor> batches, LsuvOptions? options = null)
        {
            if (model is null) throw new ArgumentNullException(nameof(model));
            LsuvOptions o = options ?? new LsuvOptions();
            Validate(model, batches, o);
            if (model.Modules().Any(m => m is Residual)) return RunTransactionally(model, () => LsuvBlocks.Run(model, batches, o)); // Residual blocks: docs/diagnostics.md
            List<Module> leaves = model.Modules().Where(m => m.Children.Count == 0).ToList();
            Dictionary<Module, string> paths = LayerNames.Paths(model);
            Func<Module, bool> filter = o.LayerFilter ?? (_ => true);
            if (!leaves.Any(m => m is Linear or Conv2d && filter(m)))
                throw new InvalidOperationException(
                    $"LSUV has no layer to calibrate in the model {model.Describe()} (layers: {(leaves.Count == 0 ? "none" : string.Join(", ", leaves.Select(m => m.Describe())))}): " +
                    $"it calibrates Linear and Conv2d layers{(o.LayerFilter is null ? "" : " that LsuvOptions.LayerFilter accepts")}, and there are none. Add such a layer{(o.LayerFilter is null ? "" : " or widen the filter")}; nothing was changed.");
            bool wasTraining = model.IsTraining;
            // What to undo when LSUV throws part-way, newest last.
            var undo = new List<Action>();
            model.Train(o.TrainingMode);
            int calls = 0;
            var reports = new List<LsuvLayerReport>();
            try
            {
                List<Tensor> cur = batches.ToList();
                int pos = 0;
                for (int p = 0; p < leaves.Count; p++)
                {
                    if (leaves[p] is not (Linear or Conv2d) || !filter(leaves[p])) continue;
                    // Advance the cached inputs to this layer: each earlier layer runs once per batch.
                    for (; pos < p; pos++)
                    {
                        cur = cur.Select(x => leaves[pos].Forward(x)).ToList();
                        calls += cur.Count;
                    }
                    Module layer = leaves[p];
                    ActivationModule? act = o.MeasureAfterActivation && p + 1 < leaves.Count ? leaves[p + 1] as ActivationModule : null;
                    ActivationRule rule = ActivationRules.For(act);
                    Parameter weight = layer.OwnParameters.First(q => q.Name == "weight");
                    Parameter? bias = layer.OwnParameters.FirstOrDefault(q => q.Name == "bias");
                    string name = LayerNames.Name(paths[layer], layer);
                    GeneralReLU? subOwner = o.Variant == LsuvVariant.Fastai && rule.MeanBy == LsuvMeanControl.Sub ? act as GeneralReLU : null;
                    bool canMean = o.Variant == LsuvVariant.Fastai && (rule.MeanBy == LsuvMeanControl.Sub ? subOwner is not null : bias is not null);

                    float[] weightBefore = weight.Value.ToArray();
                    undo.Add(() => weight.Value.CopyFrom(weightBefore));
                    float[]? b0 = bias?.Value.ToArray();
                    if (bias is not null) undo.Add(() => bias.Value.CopyFrom(b0));
                    double sub0 = subOwner?.Sub ?? 0;
                    if (subOwner is not null) undo.Add(() => subOwner.Sub = sub0);
                    if (o.Variant == LsuvVariant.Paper) Init.Orthogonal(weight.Value, 1.0, o.Generator);

                    // The layer runs once per batch. Its output z0 (with bias b0) is cached: scaling the weight by s and
                    // shifting every bias entry by −Δ gives s·(z0 − b0) + b0 − Δ = s·z0 + (1 − s)·b0 − Δ, so each
                    // iteration only re-applies that affine map (and the activation) to the cached z0.
                    List<Tensor> z0 = cur.Select(x => layer.Forward(x)).ToList();
                    calls += z0.Count;
                    var calibration = new LsuvLayerCalibration(model.Engine, z0, b0, act, rule, name, o, subOwner, sub0, canMean);
                    LsuvLayerReport report = calibration.Calibrate(bias is not null);
                    // Write the kept changes into the parameters once.
                    if (calibration.Scale != 1.0) TensorOps.ScaleShift(weight.Value, calibration.Scale, 0.0);
                    if (calibration.ShiftTotal != 0.0 && bias is not null) TensorOps.ScaleShift(bias.Value, 1.0, -calibration.ShiftTotal);
                    reports.Add(report);
                    cur = calibration.NextInputs(out int activationCalls);
                    calls += activationCalls;
                    pos = p + (act is not null ? 2 : 1);
                }
            }
            catch
            {
                // Transactional: put back every weight, bias and sub LSUV touched, newest first, then rethrow.
                for (int i = undo.Count - 1; i >= 0; i--)
                {
#pragma warning disable CA1031 // a failed restore must not hide the original exception; the others are still restored
                    try { undo[i](); }
                    catch (Exception) { }
#pragma warning restore CA1031
                }
                throw;
            }
            finally
            {
                model.Train(wasTraining);
            }
            return new LsuvReport(reports, calls);
        }

        /// <summary>Checks the model, the batches and the options before anything changes.</summary>
        /// <summary>
        /// Runs <paramref name="run"/> and, when it throws, puts back every parameter and GeneralReLU <c>sub</c> of
        /// <paramref name="model"/> as they were before (the same all-or-nothing rule as the plain chain), then rethrows.
        /// </summary>
        private static LsuvReport RunTransactionally(Module model, Func<LsuvReport> run)
        {
            var saved = new List<(Tensor Value, float[] Before)>();
            foreach (var (_, p) in model.NamedParameters()) saved.Add((p.Value, p.Value.ToArray()));
            var subs = new List<(GeneralReLU Layer, double Sub)>();
            foreach (Module m in model.Modules()) if (m is GeneralReLU g) subs.Add((g, g.Sub));
            bool wasTraining = model.IsTraining;
            try
            {
                return run();
            }
            catch
            {
                foreach (var (value, before) in saved) value.CopyFrom(before);
                foreach (var (layer, sub) in subs) layer.Sub = sub;
                model.Train(wasTraining);
                throw;
            }
        }

        private static void Validate(Module model, IReadOnlyList<Tensor>? batches, LsuvOptions options)
        {
            LsuvOptions o = options;
            if (batches is null) throw new ArgumentNullException(nameof(batches));
            if (batches.Count == 0) throw new ArgumentException("Give at least one batch of inputs.", nameof(batches));
            static bool Finite(double v) => !double.IsNaN(v) && !double.IsInfinity(v);
            if (!Enum.IsDefined(typeof(LsuvVariant), o.Variant))
                throw new ArgumentOutOfRangeException(nameof(options), o.Variant, "LsuvOptions.Variant must be LsuvVariant.Fastai or LsuvVariant.Paper.");
            if (!Finite(o.TargetMean))
                throw new ArgumentOutOfRangeException(nameof(options), o.TargetMean, "LsuvOptions.TargetMean must be a finite number (default 0).");
            if (!(Finite(o.TargetStd) && o.TargetStd > 0))
                throw new ArgumentOutOfRangeException(nameof(options), o.TargetStd, "LsuvOptions.TargetStd must be a finite number > 0 (default 1).");
            if (!(Finite(o.Tolerance) && o.Tolerance > 0))
                throw new ArgumentOutOfRangeException(nameof(options), o.Tolerance, "LsuvOptions.Tolerance must be a finite number > 0 (default 1e-3).");
            if (o.MaxIterations < 1)
                throw new ArgumentOutOfRangeException(nameof(options), o.MaxIterations, "LsuvOptions.MaxIterations must be ≥ 1 (default 10).");
            foreach (Module m in model.Modules())
                if (m.Children.Count > 0 && m is not Sequential && m is not Residual)
                    throw new NotSupportedException($"LSUV needs a chain of layers (Sequential and Residual blocks, possibly nested); {m.Describe()} is a container it cannot run piecewise.");
            Tensor? first = null;
            for (int i = 0; i < batches.Count; i++)
            {
                Tensor? x = batches[i];
                if (x is null) throw new ArgumentException($"batches[{i}] is null; pass a tensor of inputs.", nameof(batches));
                if (!ReferenceEquals(x.Engine, model.Engine))
                    throw new ArgumentException($"batches[{i}] belongs to another engine than the model; create it with the model's engine (model.Engine.CreateTensor).", nameof(batches));
                x.ThrowIfDisposed(); // ObjectDisposedException for a disposed batch, before anything changes
                if (x.Rank == 0 || x.Length == 0)
                    throw new ArgumentException($"batches[{i}] is an empty Tensor{TensorShape.Format(x.ShapeArray)}; pass at least one sample, as [N, …] with N ≥ 1.", nameof(batches));
                first ??= x;
                if (!x.ShapeArray.Skip(1).SequenceEqual(first.ShapeArray.Skip(1)))
                    throw new ArgumentException($"batches[{i}] is Tensor{TensorShape.Format(x.ShapeArray)} but batches[0] is Tensor{TensorShape.Format(first.ShapeArray)}; every batch must have the same shape after the batch dimension.", nameof(batches));
            }
            Module? entry = model.Modules().FirstOrDefault(m => m.Children.Count == 0);
            int[] shape = first!.ShapeArray;
            if (entry is Conv2d c && (shape.Length != 4 || shape[1] != c.InChannels))
                throw new ArgumentException($"The model starts with {c.Describe()}, which takes [N, {c.InChannels}, H, W]; batches[0] is Tensor{TensorShape.Format(shape)}.", nameof(batches));
            if (entry is Linear l && shape[shape.Length - 1] != l.InFeatures)
                throw new ArgumentException($"The model starts with {l.Describe()}, which takes [N, {l.InFeatures}]; batches[0] is Tensor{TensorShape.Format(shape)}.", nameof(batches));
        }
    }
}
