using InitCore.Backends;
using InitCore.Data;
using InitCore.Nn;
using InitCore.Ops;

namespace InitCore.Diagnostics
{
    /// <summary>
    /// One Linear or Conv2d layer's calibration in <see cref="Lsuv.Run(Module, IReadOnlyList{Tensor}, LsuvOptions?)"/>
    /// (the plain chain), with its state explicit: the layer's cached outputs z0 (bias b0), the weight scale s and the
    /// total bias shift Δ found so far, and the last measured mean and std. A weight scale s and a bias shift Δ act on
    /// the cached outputs as the affine map s·z0 + (1 − s)·b0 − Δ, so each iteration is one fused pass per measuring
    /// point (<see cref="Pass"/>). The object changes no parameter but the GeneralReLU's <c>sub</c> (when that is how
    /// the mean is corrected); Lsuv.Run writes the kept scale and shift into the weight and bias once.
    /// </summary>
    internal sealed class LsuvLayerCalibration
    {
        private readonly Engine _engine;
        private readonly List<Tensor> _z0;
        private readonly float[]? _b0;
        private readonly int _channels;
        private readonly ActivationModule? _act;
        private readonly ActivationRule _rule;
        private readonly string _name;
        private readonly LsuvOptions _o;
        private readonly GeneralReLU? _subOwner;
        private readonly double _sub0;
        private readonly bool _canMean;
        private readonly double _mb;
        private double _mw;
        private double _mean, _stdNow;

        /// <summary>Starts the calibration of a layer whose outputs <paramref name="z0"/> were computed with bias <paramref name="b0"/> (null: no bias).</summary>
        internal LsuvLayerCalibration(Engine engine, List<Tensor> z0, float[]? b0, ActivationModule? act, ActivationRule rule, string name,
            LsuvOptions options, GeneralReLU? subOwner, double sub0, bool canMean)
        {
            _engine = engine;
            _z0 = z0;
            _b0 = b0;
            _channels = b0?.Length ?? 0;
            _act = act;
            _rule = rule;
            _name = name;
            _o = options;
            _subOwner = subOwner;
            _sub0 = sub0;
            _canMean = canMean;
            _mb = b0 is null ? 0 : b0.Average(v => (double)v);
        }

        /// <summary>The weight scale s kept (1: unchanged).</summary>
        internal double Scale { get; private set; } = 1.0;

        /// <summary>The total bias shift Δ kept (each bias entry moves by −Δ; 0: unchanged).</summary>
        internal double ShiftTotal { get; private set; }

        /// <summary>
        /// Iterates s and Δ (or the sub) towards the targets; when they are not reached, keeps the state closest to them.
        /// Throws <see cref="LsuvException"/> on a dead or non-finite output.
        /// </summary>
        internal LsuvLayerReport Calibrate(bool hasBias)
        {
            LsuvOptions o = _o;
            var (mean0, std0) = Evaluate();
            if (_rule.MeanAt == LsuvPoint.LayerOutput) _mw = mean0 - _mb;
            _mean = mean0;
            _stdNow = std0;
            int iterations = 0;
            var best = (Scale: Scale, Shift: ShiftTotal, Sub: _sub0, Mean: _mean, Std: _stdNow, Distance: Distance(), Iteration: 0);
            while (!(MeanOk() && StdOk()) && iterations < o.MaxIterations)
            {
                iterations++;
                if (!StdOk() && !double.IsNaN(_stdNow)) Scale *= o.TargetStd / _stdNow;
                if (_canMean && _rule.MeanBy == LsuvMeanControl.Bias && _rule.MeanAt == LsuvPoint.LayerOutput)
                    ShiftTotal = Scale * _mw + _mb - o.TargetMean; // the layer output's mean, s·mw + mb − Δ, exactly at the target
                else if (!MeanOk())
                {
                    if (_rule.MeanBy == LsuvMeanControl.Sub) _subOwner!.Sub += _mean - o.TargetMean;
                    else ShiftTotal += _mean - o.TargetMean;
                }
                (_mean, _stdNow) = Evaluate();
                double d = Distance();
                if (d < best.Distance) best = (Scale, ShiftTotal, _subOwner?.Sub ?? 0, _mean, _stdNow, d, iterations);
            }
            bool converged = MeanOk() && StdOk();
            var notes = new List<string>();
            if (!converged)
            {
                // Never a worse layer: keep the state closest to the targets, which may be the one LSUV found.
                (Scale, ShiftTotal, _mean, _stdNow) = (best.Scale, best.Shift, best.Mean, best.Std);
                if (_subOwner is not null) _subOwner.Sub = best.Sub;
                notes.Add(best.Iteration == 0
                    ? $"not converged in {iterations} iterations and no adjustment came closer to the targets, so the layer was left as it was"
                    : $"not converged in {iterations} iterations; kept iteration {best.Iteration}'s state, the closest to the targets");
            }
            if (o.Variant == LsuvVariant.Fastai && !_canMean)
                notes.Add(_rule.MeanBy == LsuvMeanControl.Bias ? "mean not corrected: the layer has no bias" : "mean not corrected: no GeneralReLU sub follows");
            return new LsuvLayerReport(_name, iterations, mean0, std0, _mean, _stdNow, converged, _rule.MeanAt, _rule.StdAt, _canMean ? _rule.MeanBy : null,
                Scale, hasBias ? -ShiftTotal : 0, _subOwner is null ? null : _sub0, _subOwner?.Sub, notes.Count == 0 ? null : string.Join("; ", notes));
        }

        /// <summary>
        /// The next layers' inputs: the kept affine map applied once, in place, to the cached outputs (LSUV's own
        /// tensors), then the activation module itself (so its hooks see it); the operations the measurements used.
        /// <paramref name="activationCalls"/> counts the activation's forward calls.
        /// </summary>
        internal List<Tensor> NextInputs(out int activationCalls)
        {
            activationCalls = 0;
            using Tensor? perChannel = PerChannelShift();
            float s = (float)Scale, shift = (float)-ShiftTotal;
            var next = new List<Tensor>(_z0.Count);
            foreach (Tensor z in _z0)
            {
                Tensor y = z;
                // Exactly AffineActivationStatistics's steps and conditions.
                if (s != 1f || shift != 0f) StatisticsOps.ScaleShift(y, s, shift);
                if (perChannel is not null) StatisticsOps.AddBias(y, perChannel, y.Shape[0], _channels, Inner(y));
                if (_act is not null)
                {
                    y = _act.Forward(y);
                    activationCalls++;
                }
                next.Add(y);
            }
            return next;
        }

        private bool MeanOk() => !_canMean || Math.Abs(_mean - _o.TargetMean) < _o.Tolerance;

        private bool StdOk() => Math.Abs(_stdNow - _o.TargetStd) < _o.Tolerance;

        // Distance to the targets, in units of the target std; a constant output (NaN std) is infinitely far.
        private double Distance() => (_canMean ? Math.Abs(_mean - _o.TargetMean) : 0) / _o.TargetStd + (double.IsNaN(_stdNow) ? double.PositiveInfinity : Math.Abs(_stdNow - _o.TargetStd) / _o.TargetStd);

        // (1 − s)·b0 per channel, or null when there is no bias or no scale yet.
        private Tensor? PerChannelShift() => _b0 is null || Scale == 1.0 ? null : _engine.CreateTensor(_b0.Select(v => (float)((1.0 - Scale) * v)).ToArray(), _channels);

        private int Inner(Tensor z) => _channels == 0 ? 1 : (int)(z.Length / ((long)z.Shape[0] * _channels));

        // One fused pass per batch on the device: s·z0 + (1 − s)·b0 − Δ, through the activation or not, is measured, not stored.
        private FeatureStatistics Pass(bool throughActivation)
        {
            var merged = new StatsResult();
            using Tensor? perChannel = PerChannelShift();
            foreach (Tensor z in _z0)
            {
                StatsResult r = StatisticsOps.AffineActivationStatistics(z, (float)Scale, (float)-ShiftTotal, perChannel,
                    Math.Max(1, _channels), Inner(z), throughActivation ? _act!.Spec : null, new StatsConfig(0f, 0f, 1f, 0, false));
                merged.Merge(r.Count, r.Mean, r.M2, r.Min, r.Max, r.NearZero);
            }
            double std = merged.Count > 1 ? Math.Sqrt(merged.M2 / (merged.Count - 1)) : double.NaN;
            string where = throughActivation ? $"the output of {_act!.Describe()} after layer {_name}" : $"the output of layer {_name}";
            if (double.IsNaN(merged.Mean) || double.IsInfinity(merged.Mean) || double.IsNaN(std) || double.IsInfinity(std))
                throw new LsuvException(_name, $"LSUV: {where} has a non-finite mean or std (mean {merged.Mean}, std {std}); check the input batch and the previous layers. Nothing was changed.");
            return new FeatureStatistics(merged.Count, merged.Mean, std, merged.Min, merged.Max);
        }

        private LsuvException Dead(FeatureStatistics r, string where) => new LsuvException(_name,
            $"LSUV: {where} has zero std (all {r.Count} values are {r.Mean.ToString("G6", CultureInfo.InvariantCulture)} up to float rounding, std {r.Std.ToString("G3", CultureInfo.InvariantCulture)}), " +
            $"so it cannot be scaled to std {_o.TargetStd.ToString(CultureInfo.InvariantCulture)}; its units are dead. Re-initialize the layer (e.g. Init.KaimingNormal) and run LSUV again. Nothing was changed.");

        private (double Mean, double Std) Evaluate()
        {
            FeatureStatistics pre = Pass(false);
            if (IsDead(pre)) throw Dead(pre, $"the output of layer {_name}");
            FeatureStatistics? post = _rule.MeanAt == LsuvPoint.ActivationOutput || _rule.StdAt == LsuvPoint.ActivationOutput ? Pass(true) : null;
            FeatureStatistics atStd = _rule.StdAt == LsuvPoint.ActivationOutput ? post!.Value : pre;
            double m = _rule.MeanAt == LsuvPoint.ActivationOutput ? post!.Value.Mean : pre.Mean;
            // A constant output after the activation (every input on a rectifier's flat side) is only revived by
            // centring the layer's output; when that is not how this layer's mean is corrected, the layer is dead.
            if (IsDead(atStd) && !(_canMean && _rule.MeanAt == LsuvPoint.LayerOutput && Math.Abs(m - _o.TargetMean) >= _o.Tolerance))
                throw Dead(atStd, $"the output of {_act!.Describe()} after layer {_name}");
            return (m, IsDead(atStd) ? double.NaN : atStd.Std);
        }

        /// <summary>A dead output: constant up to float rounding (<see cref="ActivationRules.IsConstant"/>).</summary>
        private static bool IsDead(FeatureStatistics pass) => ActivationRules.IsConstant(pass.Mean, pass.Std, pass.Min, pass.Max);
    }
}
