using InitCore.Backends;
using InitCore.Nn;
using InitCore.Ops;
using InitCore.Serialization;

namespace InitCore.Diagnostics
{
    /// <summary>What a statistics record describes.</summary>
    public enum StatKind
    {
        /// <summary>A layer's output.</summary>
        Activation,
        /// <summary>The gradient of the loss with respect to a layer's output.</summary>
        ActivationGradient,
        /// <summary>The gradient of the loss with respect to a layer's weight.</summary>
        WeightGradient,
    }

    /// <summary>Settings of <see cref="ActivationStats"/>.</summary>
    public sealed class ActivationStatsOptions
    {
        /// <summary>Histogram and near-zero settings; the default is fastai's (40 bins of |x| over [0, 10]).</summary>
        public StatisticsOptions Statistics { get; set; } = new StatisticsOptions();

        /// <summary>Records kept per layer and kind; older ones are overwritten. Default 1024.</summary>
        public int Capacity { get; set; } = 1024;

        /// <summary>Record every Stride-th batch. Default 1.</summary>
        public int Stride { get; set; } = 1;

        /// <summary>Also record activation gradients (backward hooks). Default false.</summary>
        public bool ActivationGradients { get; set; }

        /// <summary>Also record weight gradients of layers with a weight. Default false.</summary>
        public bool WeightGradients { get; set; }

        /// <summary>Which modules to watch; default: every leaf module except Flatten.</summary>
        public Func<Module, bool>? LayerFilter { get; set; }

        /// <summary>
        /// Also record passes made in evaluation mode (<see cref="Module.Eval"/>, e.g. a trainer's validation). Default
        /// false: as fastai's ActivationStats, only training batches are recorded and counted, so a validation pass (often
        /// a much larger batch) does not show up as a stripe in the charts.
        /// </summary>
        public bool RecordEvaluation { get; set; }
    }

    /// <summary>One recorded statistics pass.</summary>
    public sealed class StatRecord
    {
        internal StatRecord(int batch, TensorStatistics stats)
        {
            Batch = batch;
            Statistics = stats;
        }

        /// <summary>The index (from 0) of the model's forward pass this was recorded in, counting only the passes recorded (training passes, and evaluation passes with <see cref="ActivationStatsOptions.RecordEvaluation"/>).</summary>
        public int Batch { get; }

        /// <summary>The statistics.</summary>
        public TensorStatistics Statistics { get; }
    }

    /// <summary>
    /// fastai's ActivationStats: per layer and per batch, mean, std, min, max, near-zero fraction and a
    /// histogram of the activations (and optionally of activation and weight gradients), computed on the
    /// device by the one-pass statistics kernel into fixed-capacity rings that stay on the device until read:
    /// no synchronization per batch, bounded memory. Dispose removes every hook and frees the rings.
    /// </summary>
    public sealed class ActivationStats : IDisposable
    {
        private readonly Module _model;
        private readonly ActivationStatsOptions _options;
        private readonly StatsConfig _config;
        private readonly HookScope _hooks = new HookScope();
        private readonly Dictionary<(Module, StatKind), Track> _tracks = new Dictionary<(Module, StatKind), Track>();
        private readonly Dictionary<Module, string> _paths;
        private readonly object _gate = new object();
        private int _batch;
        private bool _disposed;

        private sealed class Track
        {
            internal Track(StatsRing ring) => Ring = ring;

            internal StatsRing Ring { get; }
            internal List<int> Batches { get; } = new List<int>();
            internal int Written { get; set; }
        }

        /// <summary>Starts recording on <paramref name="model"/>.</summary>
        /// <exception cref="ArgumentOutOfRangeException">Capacity or stride below 1.</exception>
        /// <exception cref="ObjectDisposedException">The model's engine has been disposed.</exception>
        public ActivationStats(Module model, ActivationStatsOptions? options = null)
        {
            _model = model ?? throw new ArgumentNullException(nameof(model));
            model.Engine.ThrowIfDisposed();
            _options = options ?? new ActivationStatsOptions();
            if (_options.Capacity < 1) throw new ArgumentOutOfRangeException(nameof(options), _options.Capacity, "Capacity must be ≥ 1.");
            if (_options.Stride < 1) throw new ArgumentOutOfRangeException(nameof(options), _options.Stride, "Stride must be ≥ 1.");
            _config = _options.Statistics.ToConfig();
            Func<Module, bool> filter = _options.LayerFilter ?? (m => m.Children.Count == 0 && m is not Flatten);
            Layers = model.Modules().Where(filter).ToList();
            _paths = LayerNames.Paths(model);
            try
            {
                foreach (Module layer in Layers)
                {
                    _hooks.Forward(layer, (m, _, y) => Record(m, StatKind.Activation, y));
                    if (_options.ActivationGradients) _hooks.Backward(layer, (m, dy, _) => Record(m, StatKind.ActivationGradient, dy));
                    if (_options.WeightGradients && layer.OwnParameters.FirstOrDefault(p => p.Name == "weight") is Parameter w)
                        _hooks.Backward(layer, (m, _, _) => Record(m, StatKind.WeightGradient, w.Grad));
                }
                _hooks.Forward(model, (_, _, _) =>
                {
                    lock (_gate)
                        if (Recording) _batch++;
                });
            }
            catch
            {
                Dispose();
                throw;
            }
        }

        /// <summary>The watched modules, in execution order.</summary>
        public IReadOnlyList<Module> Layers { get; }

        /// <summary>Forward passes of the model counted so far: training passes, and evaluation passes with <see cref="ActivationStatsOptions.RecordEvaluation"/>.</summary>
        public int Batches
        {
            get { lock (_gate) return _batch; }
        }

        private void Record(Module m, StatKind kind, Tensor x)
        {
            lock (_gate)
            {
                if (_disposed || !Recording || _batch % _options.Stride != 0) return;
                if (!_tracks.TryGetValue((m, kind), out Track? t))
                    _tracks[(m, kind)] = t = new Track(StatisticsOps.CreateStatsRing(_model.Engine, _config, _options.Capacity));
                StatisticsOps.Record(t.Ring, x, t.Written % _options.Capacity);
                if (t.Batches.Count == _options.Capacity) t.Batches.RemoveAt(0);
                t.Batches.Add(_batch);
                t.Written++;
            }
        }

        /// <summary>The records kept for <paramref name="layer"/>, oldest first (reads them from the device).</summary>
        /// <exception cref="ObjectDisposedException">The model's engine has been disposed.</exception>
        public IReadOnlyList<StatRecord> Records(Module layer, StatKind kind = StatKind.Activation)
        {
            _model.Engine.ThrowIfDisposed();
            lock (_gate)
            {
                if (!_tracks.TryGetValue((layer, kind), out Track? t)) return Array.Empty<StatRecord>();
                int kept = t.Batches.Count;
                int first = t.Written - kept;
                int[] slots = Enumerable.Range(first, kept).Select(i => i % _options.Capacity).ToArray();
                StatsResult[] results = t.Ring.Read(slots);
                return results.Select((r, i) => new StatRecord(t.Batches[i], new TensorStatistics(r, _options.Statistics))).ToList();
            }
        }

        // Whether the current pass is recorded: training mode, or evaluation passes asked for.
        private bool Recording => _model.IsTraining || _options.RecordEvaluation;

        /// <summary>
        /// A layer's name: its path in the model as <see cref="Module.NamedParameters"/> prefixes its parameters (the
        /// index in a Sequential, <c>1.0</c> in a nested one) and its description, e.g. <c>12:Linear(64→10)</c>; the
        /// same name the LSUV report and the init doctor give the layer.
        /// </summary>
        /// <exception cref="ArgumentException"><paramref name="layer"/> is not a module of the watched model.</exception>
        public string LayerName(Module layer)
        {
            if (layer is null) throw new ArgumentNullException(nameof(layer));
            return _paths.TryGetValue(layer, out string? path) ? LayerNames.Name(path, layer)
                : throw new ArgumentException($"{layer.Describe()} is not a module of the model these statistics watch; pass one of Layers.", nameof(layer));
        }

        /// <summary>All records as CSV: layer, kind, batch, count, mean, std, min, max, near_zero, then the histogram bins.</summary>
        /// <exception cref="ObjectDisposedException">The model's engine has been disposed.</exception>
        public string ToCsv()
        {
            _model.Engine.ThrowIfDisposed();
            var sb = new StringBuilder();
            int bins = _options.Statistics.HistogramBins;
            sb.Append("layer,kind,batch,count,mean,std,min,max,near_zero");
            for (int b = 0; b < bins; b++) sb.Append(",h").Append(b.ToString(CultureInfo.InvariantCulture));
            sb.AppendLine();
            foreach (Module layer in Layers)
                foreach (StatKind kind in new[] { StatKind.Activation, StatKind.ActivationGradient, StatKind.WeightGradient })
                    foreach (StatRecord r in Records(layer, kind))
                    {
                        TensorStatistics s = r.Statistics;
                        sb.Append('"').Append(LayerName(layer).Replace("\"", "\"\"")).Append('"').Append(',').Append(kind).Append(',')
                          .Append(r.Batch.ToString(CultureInfo.InvariantCulture)).Append(',').Append(s.Count.ToString(CultureInfo.InvariantCulture)).Append(',')
                          .Append(F(s.Mean)).Append(',').Append(F(s.Std)).Append(',').Append(F(s.Min)).Append(',').Append(F(s.Max)).Append(',').Append(F(s.NearZeroFraction));
                        foreach (long h in s.Histogram) sb.Append(',').Append(h.ToString(CultureInfo.InvariantCulture));
                        sb.AppendLine();
                    }
            return sb.ToString();
        }

        /// <summary>All records as one JSON document: {"layers": [{"name", "kind", "records": [{batch, count, mean, std, min, max, near_zero, histogram}]}]}.</summary>
        /// <exception cref="ObjectDisposedException">The model's engine has been disposed.</exception>
        public string ToJson()
        {
            _model.Engine.ThrowIfDisposed();
            var json = new JsonWriter().StartObject().Name("layers").StartArray();
            foreach (Module layer in Layers)
                foreach (StatKind kind in new[] { StatKind.Activation, StatKind.ActivationGradient, StatKind.WeightGradient })
                {
                    IReadOnlyList<StatRecord> records = Records(layer, kind);
                    if (records.Count == 0) continue;
                    json.StartObject().Name("name").String(LayerName(layer)).Name("kind").String(kind.ToString()).Name("records").StartArray();
                    foreach (StatRecord r in records)
                    {
                        TensorStatistics s = r.Statistics;
                        json.StartObject().Name("batch").Number(r.Batch).Name("count").Number(s.Count)
                            .Name("mean").Number(s.Mean).Name("std").Number(s.Std).Name("min").Number(s.Min).Name("max").Number(s.Max)
                            .Name("near_zero").Number(s.NearZeroFraction).Name("histogram").StartArray();
                        foreach (long h in s.Histogram) json.Number(h);
                        json.EndArray().EndObject();
                    }
                    json.EndArray().EndObject();
                }
            return json.EndArray().EndObject().ToString();
        }

        /// <summary>Writes <see cref="ToCsv"/> to a file.</summary>
        public void WriteCsv(string path) => File.WriteAllText(path, ToCsv());

        /// <summary>Writes <see cref="ToJson"/> to a file.</summary>
        public void WriteJson(string path) => File.WriteAllText(path, ToJson());

        private static string F(double v) => v.ToString("G9", CultureInfo.InvariantCulture);

        /// <summary>Removes every hook and releases the rings. Idempotent.</summary>
        public void Dispose()
        {
            _hooks.Dispose();
            lock (_gate)
            {
                if (_disposed) return;
                _disposed = true;
                foreach (Track t in _tracks.Values) t.Ring.Dispose();
                _tracks.Clear();
            }
        }
    }
}
