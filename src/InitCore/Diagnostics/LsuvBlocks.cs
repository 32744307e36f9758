using InitCore.Nn;

namespace InitCore.Diagnostics
{
    /// <summary>
    /// LSUV on a model with <see cref="Residual"/> blocks (docs/diagnostics.md, "Residual blocks"): the model is walked as a
    /// chain; each run of plain layers between blocks is calibrated by <see cref="Lsuv.Run(Module, IReadOnlyList{Tensor}, LsuvOptions?)"/>
    /// on the inputs it really receives; a block's body and projection are each calibrated the same way (recursively, so
    /// blocks may nest) on the block's input, and the block's output, body(x) + shortcut(x), feeds what follows.
    /// </summary>
    internal static class LsuvBlocks
    {
        internal static LsuvReport Run(Module model, IReadOnlyList<Tensor> batches, LsuvOptions o)
        {
            Func<Module, bool> filter = o.LayerFilter ?? (_ => true);
            foreach (Module m in model.Modules())
                if (m.Children.Count > 0 && m is not (Sequential or Residual))
                    throw new NotSupportedException($"LSUV needs a chain of layers (Sequential and Residual blocks, possibly nested); {m.Describe()} is a container it cannot run piecewise.");
            if (!model.Modules().Any(m => m is Linear or Conv2d && filter(m)))
                throw new InvalidOperationException(
                    $"LSUV has no layer to calibrate in the model {model.Describe()}: it calibrates Linear and Conv2d layers{(o.LayerFilter is null ? "" : " that LsuvOptions.LayerFilter accepts")}, and there are none; nothing was changed.");
            bool wasTraining = model.IsTraining;
            model.Train(o.TrainingMode);
            var layers = new List<LsuvLayerReport>();
            int calls = 0;
            try
            {
                Chain(model, batches.ToList(), o, filter, layers, ref calls);
            }
            finally
            {
                model.Train(wasTraining);
            }
            return new LsuvReport(layers, calls);
        }

        private static IEnumerable<Module> Items(Module m) => m is Sequential s ? s.Children.SelectMany(Items) : new[] { m };

        /// <summary>Calibrates <paramref name="chain"/> on <paramref name="inputs"/> and returns its outputs.</summary>
        private static List<Tensor> Chain(Module chain, List<Tensor> inputs, LsuvOptions o, Func<Module, bool> filter, List<LsuvLayerReport> layers, ref int calls)
        {
            var segment = new List<Module>();
            List<Tensor> cur = inputs;
            foreach (Module item in Items(chain))
            {
                if (item is not Residual block)
                {
                    segment.Add(item);
                    continue;
                }
                cur = Segment(chain.Engine, segment, cur, o, filter, layers, ref calls);
                segment.Clear();
                Chain(block.Body, cur, o, filter, layers, ref calls);
                if (block.Projection is not null) Chain(block.Projection, cur, o, filter, layers, ref calls);
                cur = cur.Select(x => block.Forward(x)).ToList();
                calls += cur.Count;
            }
            return Segment(chain.Engine, segment, cur, o, filter, layers, ref calls);
        }

        private static List<Tensor> Segment(Engine engine, List<Module> segment, List<Tensor> cur, LsuvOptions o, Func<Module, bool> filter, List<LsuvLayerReport> layers, ref int calls)
        {
            if (segment.Count == 0) return cur;
            var seq = new Sequential(engine, segment.ToArray());
            seq.Train(o.TrainingMode);
            if (segment.Any(m => m is Linear or Conv2d && filter(m)))
            {
                LsuvReport r = Lsuv.Run(seq, cur, o);
                layers.AddRange(r.Layers);
                calls += r.LayerForwardCalls;
            }
            List<Tensor> next = cur.Select(x => seq.Forward(x)).ToList();
            calls += next.Count * segment.Count;
            return next;
        }
    }
}
