using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using InitCore.Backends;
using InitCore.Nn;

namespace InitCore.Diagnostics
{
    /// <summary>The two LSUV variants.</summary>
    public enum LsuvVariant
    {
        /// <summary>Mishkin and Matas, "All you need is a good init" (ICLR 2016): orthonormal pre-init, then scale each weight until |var − 1| &lt; tol.</summary>
        Paper,
        /// <summary>fastai's (course lesson 11): correct the mean (through the bias, or GeneralReLU's sub when measuring after it), then divide the weight by the std.</summary>
        Fastai,
    }

    /// <summary>Settings of <see cref="Lsuv"/>.</summary>
    public sealed class LsuvOptions
    {
        /// <summary>Variant. Default <see cref="LsuvVariant.Fastai"/>.</summary>
        public LsuvVariant Variant { get; set; } = LsuvVariant.Fastai;

        /// <summary>Measure after the activation that follows each layer (true, the default) or on the layer's output.</summary>
        public bool MeasureAfterActivation { get; set; } = true;

        /// <summary>Target mean (fastai variant). Default 0.</summary>
        public double TargetMean { get; set; }

        /// <summary>Target standard deviation. Default 1.</summary>
        public double TargetStd { get; set; } = 1;

        /// <summary>Tolerance on |mean − target| and |std − target|. Default 1e-3.</summary>
        public double Tolerance { get; set; } = 1e-3;

        /// <summary>Iterations per layer before giving up on it (it is then reported as not converged). Default 10.</summary>
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
        internal LsuvLayerReport(string name, int iterations, double meanBefore, double stdBefore, double meanAfter, double stdAfter, bool converged)
        {
            Name = name; Iterations = iterations; MeanBefore = meanBefore; StdBefore = stdBefore; MeanAfter = meanAfter; StdAfter = stdAfter; Converged = converged;
        }

        /// <summary>Position and description, e.g. <c>0:Conv2d(1→8, k5, s2, p2)</c>.</summary>
        public string Name { get; }

        /// <summary>Adjustments made.</summary>
        public int Iterations { get; }

        /// <summary>Mean of the measured output before.</summary>
        public double MeanBefore { get; }

        /// <summary>Std of the measured output before.</summary>
        public double StdBefore { get; }

        /// <summary>Mean after.</summary>
        public double MeanAfter { get; }

        /// <summary>Std after.</summary>
        public double StdAfter { get; }

        /// <summary>Whether the targets were met within the tolerance.</summary>
        public bool Converged { get; }
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
            sb.AppendLine(string.Format(CultureInfo.InvariantCulture, "{0,-36} {1,5} {2,10} {3,10} {4,10} {5,10} {6}", "layer", "iters", "mean0", "std0", "mean", "std", "converged"));
            foreach (LsuvLayerReport l in Layers)
                sb.AppendLine(string.Format(CultureInfo.InvariantCulture, "{0,-36} {1,5} {2,10:F4} {3,10:F4} {4,10:F4} {5,10:F4} {6}",
                    l.Name, l.Iterations, l.MeanBefore, l.StdBefore, l.MeanAfter, l.StdAfter, l.Converged ? "yes" : "NO"));
            sb.Append(string.Format(CultureInfo.InvariantCulture, "layer forward calls: {0}", LayerForwardCalls));
            return sb.ToString();
        }

        /// <summary>The report as JSON.</summary>
        public string ToJson()
        {
            var parts = Layers.Select(l =>
                $"{{\"name\":{JsonText.String(l.Name)},\"iterations\":{l.Iterations},\"mean_before\":{JsonText.Number(l.MeanBefore)},\"std_before\":{JsonText.Number(l.StdBefore)}," +
                $"\"mean_after\":{JsonText.Number(l.MeanAfter)},\"std_after\":{JsonText.Number(l.StdAfter)},\"converged\":{(l.Converged ? "true" : "false")}}}");
            return $"{{\"layers\":[{string.Join(",", parts)}],\"layer_forward_calls\":{LayerForwardCalls}}}";
        }
    }

    /// <summary>LSUV failed on a layer (zero or non-finite std): the exception names the layer.</summary>
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
    /// bias shift Δ act on it as the affine map s·z + (1 − s)·b0 − Δ, each iteration is one elementwise pass that
    /// applies that map and the activation's formula and measures the result in the same pass. LSUV therefore
    /// costs exactly one forward pass plus one elementwise pass per iteration (not
    /// iterations × full forwards as in fastai and LSUV-pytorch). Statistics run on the device; only their
    /// summaries are read back.
    /// </summary>
    public static class Lsuv
    {
        /// <summary>Runs LSUV on <paramref name="model"/> (a chain of layers: Sequential, possibly nested) with one batch.</summary>
        public static LsuvReport Run(Module model, Tensor batch, LsuvOptions? options = null) => Run(model, new[] { batch ?? throw new ArgumentNullException(nameof(batch)) }, options);

        /// <summary>Runs LSUV with statistics pooled over several batches.</summary>
        /// <exception cref="ArgumentException">No batch, or the options are out of range.</exception>
        /// <exception cref="NotSupportedException">The model is not a chain of layers.</exception>
        /// <exception cref="InvalidOperationException">The model has no Linear or Conv2d layer (that the filter accepts) to calibrate.</exception>
        /// <exception cref="LsuvException">A layer's output has zero or non-finite std.</exception>
        public static LsuvReport Run(Module model, IReadOnlyList<Tensor> batches, LsuvOptions? options = null)
        {
            if (model is null) throw new ArgumentNullException(nameof(model));
            if (batches is null || batches.Count == 0) throw new ArgumentException("Give at least one batch of inputs.", nameof(batches));
            LsuvOptions o = options ?? new LsuvOptions();
            if (!(o.Tolerance > 0)) throw new ArgumentOutOfRangeException(nameof(options), o.Tolerance, "Tolerance must be > 0.");
            if (o.MaxIterations < 1) throw new ArgumentOutOfRangeException(nameof(options), o.MaxIterations, "MaxIterations must be ≥ 1.");
            if (!(o.TargetStd > 0)) throw new ArgumentOutOfRangeException(nameof(options), o.TargetStd, "TargetStd must be > 0.");
            if (model.Modules().Any(m => m is Residual)) return LsuvBlocks.Run(model, batches, o); // Residual blocks: docs/diagnostics.md
            foreach (Module m in model.Modules())
                if (m.Children.Count > 0 && m is not Sequential)
                    throw new NotSupportedException($"LSUV needs a chain of layers (Sequential, possibly nested); {m.Describe()} is a container it cannot run piecewise.");
            List<Module> leaves = model.Modules().Where(m => m.Children.Count == 0).ToList();
            Func<Module, bool> filter = o.LayerFilter ?? (_ => true);
            if (!leaves.Any(m => m is Linear or Conv2d && filter(m)))
                throw new InvalidOperationException(
                    $"LSUV has no layer to calibrate in the model {model.Describe()} (layers: {(leaves.Count == 0 ? "none" : string.Join(", ", leaves.Select(m => m.Describe())))}): " +
                    $"it calibrates Linear and Conv2d layers{(o.LayerFilter is null ? "" : " that LsuvOptions.LayerFilter accepts")}, and there are none. Add such a layer{(o.LayerFilter is null ? "" : " or widen the filter")}; nothing was changed.");
            bool wasTraining = model.IsTraining;
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
                    Parameter weight = layer.OwnParameters.First(q => q.Name == "weight");
                    Parameter? bias = layer.OwnParameters.FirstOrDefault(q => q.Name == "bias");
                    string name = $"{p}:{layer.Describe()}";
                    if (o.Variant == LsuvVariant.Paper) Init.Orthogonal(weight.Value, 1.0, o.Generator);

                    // The layer runs once per batch. Its output z0 (with bias b0) is cached: scaling the weight by s and
                    // shifting every bias entry by −Δ gives s·(z0 − b0) + b0 − Δ = s·z0 + (1 − s)·b0 − Δ, so each
                    // iteration only re-applies that affine map and the activation to the cached z0.
                    List<Tensor> z0 = cur.Select(x => layer.Forward(x)).ToList();
                    calls += z0.Count;
                    float[]? b0 = bias?.Value.ToArray();
                    int channels = b0?.Length ?? 0;
                    double scale = 1.0, shiftTotal = 0.0;
                    // (1 − s)·b0 per channel, or null when there is no bias or no scale yet.
                    Tensor? PerChannelShift() => b0 is null || scale == 1.0 ? null : model.Engine.CreateTensor(b0.Select(v => (float)((1.0 - scale) * v)).ToArray(), channels);
                    int Inner(Tensor z) => channels == 0 ? 1 : (int)(z.Length / ((long)z.Shape[0] * channels));

                    (double Mean, double Std) Measure()
                    {
                        // One fused pass per batch on the device: act(s·z0 + (1 − s)·b0 − Δ) is measured, not stored.
                        var merged = new StatsResult();
                        using Tensor? perChannel = PerChannelShift();
                        foreach (Tensor z in z0)
                        {
                            StatsResult r = model.Engine.Main.AffineActivationStatistics(z.Storage, (float)scale, (float)-shiftTotal, perChannel?.Storage,
                                Math.Max(1, channels), Inner(z), act?.Spec, new StatsConfig(0f, 0f, 1f, 0, false));
                            merged.Merge(r.Count, r.Mean, r.M2, r.Min, r.Max, r.NearZero);
                        }
                        double std = merged.Count > 1 ? Math.Sqrt(merged.M2 / (merged.Count - 1)) : double.NaN;
                        if (double.IsNaN(merged.Mean) || double.IsInfinity(merged.Mean) || double.IsNaN(std) || double.IsInfinity(std))
                            throw new LsuvException(name, $"LSUV: the output of layer {name} has a non-finite mean or std (mean {merged.Mean}, std {std}); check the input batch and the previous layers.");
                        if (std == 0)
                            throw new LsuvException(name, $"LSUV: the output of layer {name} has zero std (every value is {merged.Mean}), so it cannot be scaled to std {o.TargetStd}; its units may be dead. Re-initialize it or measure before the activation.");
                        return (merged.Mean, std);
                    }

                    // The next layers' inputs: the affine map applied once, in place, to the cached outputs (LSUV's own
                    // tensors), then the activation module itself (so its hooks see it); the operations the measurements used.
                    List<Tensor> Outputs()
                    {
                        using Tensor? perChannel = PerChannelShift();
                        float s = (float)scale, shift = (float)-shiftTotal;
                        var next = new List<Tensor>(z0.Count);
                        foreach (Tensor z in z0)
                        {
                            Tensor y = z;
                            // Exactly AffineActivationStatistics's steps and conditions.
                            if (s != 1f || shift != 0f) model.Engine.Main.ScaleShift(y.Storage, s, shift);
                            if (perChannel is not null) model.Engine.Main.AddBias(y.Storage, perChannel.Storage, y.Shape[0], channels, Inner(y));
                            if (act is not null)
                            {
                                y = act.Forward(y);
                                calls++;
                            }
                            next.Add(y);
                        }
                        return next;
                    }

                    var (mean0, std0) = Measure();
                    double mean = mean0, stdNow = std0;
                    int iterations = 0;
                    bool MeanOk() => o.Variant == LsuvVariant.Paper || Math.Abs(mean - o.TargetMean) < o.Tolerance;
                    bool StdOk() => Math.Abs(stdNow - o.TargetStd) < o.Tolerance;
                    while (!(MeanOk() && StdOk()) && iterations < o.MaxIterations)
                    {
                        iterations++;
                        if (!MeanOk())
                        {
                            double shift = mean - o.TargetMean;
                            if (act is GeneralReLU gr) gr.Sub += shift;
                            else if (bias is not null) shiftTotal += shift;
                        }
                        if (!StdOk()) scale *= o.TargetStd / stdNow;
                        (mean, stdNow) = Measure();
                    }
                    // Write the accumulated changes into the parameters once.
                    if (scale != 1.0) TensorOps.ScaleShift(weight.Value, scale, 0.0);
                    if (shiftTotal != 0.0 && bias is not null) TensorOps.ScaleShift(bias.Value, 1.0, -shiftTotal);
                    reports.Add(new LsuvLayerReport(name, iterations, mean0, std0, mean, stdNow, MeanOk() && StdOk()));
                    cur = Outputs();
                    pos = p + (act is not null ? 2 : 1);
                }
            }
            finally
            {
                model.Train(wasTraining);
            }
            return new LsuvReport(reports, calls);
        }
    }
}
