using System;
using System.Collections.Generic;
using System.Linq;
using Spectre.Console;

namespace InitCore.Samples
{
    /// <summary>One layer's output statistics.</summary>
    internal sealed record LayerStat(string Name, double Mean, double Std);

    /// <summary>Per-layer statistics of a model on one batch, and a table of them.</summary>
    internal static class ModelStats
    {
        /// <summary>
        /// Runs <paramref name="input"/> through <paramref name="model"/> (evaluation mode, restored afterwards) and returns,
        /// for each Linear and Conv2d, the mean and std of its output after the activation that follows it, if any: the
        /// values the lessons' hooks print and LSUV calibrates. Names are "index:layer", the index among the leaf layers.
        /// </summary>
        public static IReadOnlyList<LayerStat> Measure(Module model, Tensor input)
        {
            List<Module> leaves = model.Modules().Where(m => m.Children.Count == 0).ToList();
            var measured = new List<(string Name, Module At)>();
            for (int i = 0; i < leaves.Count; i++)
            {
                if (leaves[i] is not (Linear or Conv2d)) continue;
                Module at = i + 1 < leaves.Count && leaves[i + 1] is ActivationModule ? leaves[i + 1] : leaves[i];
                measured.Add(($"{i}:{leaves[i].Describe()}", at));
            }
            var stats = new Dictionary<Module, TensorStatistics>();
            var options = new StatisticsOptions { HistogramBins = 0 };
            bool wasTraining = model.IsTraining;
            model.Eval();
            using (var hooks = new HookScope())
            {
                foreach (var (_, at) in measured) hooks.Forward(at, (m, _, y) => stats[m] = TensorOps.Statistics(y, options));
                try
                {
                    model.Forward(input);
                }
                finally
                {
                    model.Train(wasTraining);
                }
            }
            return measured.Select(x => new LayerStat(x.Name, stats[x.At].Mean, stats[x.At].Std)).ToList();
        }

        /// <summary>A table with one row per layer and a mean and std column per model; healthy values (mean near 0, std near 1) in green.</summary>
        public static Table Table(string title, IReadOnlyList<(string Model, IReadOnlyList<LayerStat> Layers)> models)
        {
            var columns = new List<string> { "layer" };
            foreach (var (name, _) in models)
            {
                columns.Add($"{name}\nmean");
                columns.Add($"{name}\nstd");
            }
            Table table = SampleContext.NewTable(title, columns.ToArray());
            for (int row = 0; row < models[0].Layers.Count; row++)
            {
                var cells = new List<Spectre.Console.Rendering.IRenderable> { SampleContext.Cell(models[0].Layers[row].Name) };
                foreach (var (_, layers) in models)
                {
                    LayerStat s = layers[row];
                    cells.Add(SampleContext.Number(s.Mean, good: Math.Abs(s.Mean) < 0.1, bad: !(Math.Abs(s.Mean) < 0.3)));
                    cells.Add(SampleContext.Number(s.Std, good: Math.Abs(s.Std - 1) < 0.2, bad: !(s.Std > 0.5 && s.Std < 2)));
                }
                table.AddRow(cells);
            }
            return table;
        }
    }

    /// <summary>An LSUV report as a table and as JSON.</summary>
    internal static class LsuvView
    {
        /// <summary>LSUV's report as a table: per layer, the iterations and the statistics before and after.</summary>
        public static Table Table(LsuvReport report)
        {
            Table table = SampleContext.NewTable($"LSUV: {report.LayerForwardCalls} layer forward calls", "layer", "iters", "mean\nbefore", "std\nbefore", "mean\nafter", "std\nafter", "converged");
            foreach (LsuvLayerReport l in report.Layers)
                table.AddRow(SampleContext.Cell(l.Name), SampleContext.Cell(l.Iterations.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                    SampleContext.Number(l.MeanBefore), SampleContext.Number(l.StdBefore), SampleContext.Number(l.MeanAfter), SampleContext.Number(l.StdAfter, good: l.Converged),
                    SampleContext.Cell(l.Converged ? "yes" : "no"));
            return table;
        }

        public static object Json(LsuvReport report) => new
        {
            layer_forward_calls = report.LayerForwardCalls,
            all_converged = report.AllConverged,
            layers = report.Layers.Select(l => new
            {
                name = l.Name, iterations = l.Iterations, mean_before = l.MeanBefore, std_before = l.StdBefore,
                mean_after = l.MeanAfter, std_after = l.StdAfter, converged = l.Converged,
            }),
        };
    }
}
