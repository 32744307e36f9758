// The lessons' diagnostics as pictures: train the lessons' CNN for one short epoch with ActivationStats
// attached, once with PyTorch's default initialization and once with Kaiming's, and write every
// InitCore.Plots chart of each run into the --out folder.
//
//   dotnet run --project samples/Plots -- --out FOLDER [--init default|kaiming|both] [--batches N] [--svg]
//                                         [--device cpu|cuda|auto] [--json] [--small] [--seed N]
//
// The input is the bundled MNIST subset, normalized with the training statistics, in shuffled batches: the charts
// show a network that learns (the JSON and the tables give the validation accuracy after the epoch). kaiming
// re-initializes the weights with kaiming_normal(a=0.1, leaky_relu) and zero biases, the lessons' fix for the
// GeneralReLU network. Each chart is written as NAME-INIT.png (NAME-INIT.svg too with --svg): weights, mean-std,
// colorful-dimension, near-zero, activations-layer1-first, activations-layer9-last, weights-trained. `--out docs/images/plots` remakes the
// pictures of docs/plots.md. Without --out it trains and prints the layer statistics, and draws nothing.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using InitCore.Plots;
using InitCore.Samples;
using Spectre.Console;

/// <summary>The Plots sample, callable in-process (the smoke tests do).</summary>
public static class PlotsProgram
{
    /// <summary>The charts each run writes, in order (file names NAME-INIT.png).</summary>
    public static readonly IReadOnlyList<string> Charts = new[]
    {
        "weights", "mean-std", "colorful-dimension", "near-zero", "activations-layer1-first", "activations-layer9-last", "weights-trained",
    };

    /// <summary>Runs the sample with <paramref name="args"/>; returns the exit code (0, 1 runtime failure, 2 bad arguments).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Cli().Run(args, stdout, stderr);

    /// <summary>The sample's command line: the common options and its own (the tests enumerate them).</summary>
    public static System.CommandLine.RootCommand Command => Cli().Command;

    private static SampleCli Cli()
    {
        var cli = new SampleCli("Plots", "Every InitCore.Plots chart of the lessons' CNN trained one short epoch, with the default and the Kaiming initialization.", defaultSeed: 1);
        var init = cli.Add(new System.CommandLine.Option<string>("--init")
        {
            Description = "Initialization: default (PyTorch's), kaiming (kaiming_normal(a=0.1), zero biases) or both.",
            DefaultValueFactory = _ => "both",
        });
        init.AcceptOnlyFromAmong("default", "kaiming", "both");
        var batches = cli.AddInt("--batches", "Training batches of 64 bundled MNIST digits (at most 125; --small: at most 6).", 60);
        var svg = cli.Add(new System.CommandLine.Option<bool>("--svg") { Description = "Also write the ActivationStats charts as SVG." });
        return cli.Runs(ctx =>
        {
            string choice = ctx.Get(init);
            string[] inits = choice == "both" ? new[] { "default", "kaiming" } : new[] { choice };
            return Draw(ctx, inits, ctx.Small ? Math.Min(6, ctx.Get(batches)) : ctx.Get(batches), ctx.Get(svg));
        });
    }

    private const int BatchSize = 64;

    private const double LearningRate = 0.1;

    private sealed record InitRun(string Init, double Loss, double ValidLoss, double ValidAccuracy, IReadOnlyList<LayerStat> Before, IReadOnlyList<LayerStat> After);

    private static int Draw(SampleContext ctx, string[] inits, int batchCount, bool svg)
    {
        using Engine e = ctx.CreateEngine();
        // The bundled digits, normalized with the training statistics; the same shuffled batches for every init.
        MnistData data = Mnist.LoadBundled().Normalize();
        var train = new DataLoader(data.Train, BatchSize, new RandomSampler(data.Train.Count, ctx.Seed), dropLast: true);
        var valid = new DataLoader(data.Valid, 500);
        batchCount = Math.Min(batchCount, train.BatchCount);
        var runs = new List<InitRun>();
        using TensorBatch probe = new DataLoader(data.Valid, BatchSize).GetBatches(e).First();
        ctx.Console.MarkupLineInterpolated($"the lessons' CNN on the bundled MNIST digits: one epoch of {batchCount} shuffled batches of {BatchSize}, SGD lr {LearningRate} momentum 0.9; validation on {valid.BatchCount * 500} digits");
        ctx.Console.WriteLine();

        ctx.WithProgress(bars =>
        {
            var bar = inits.ToDictionary(i => i, i => bars.Add($"{i} init: training", batchCount, start: false));
            foreach (string init in inits)
            {
                // Both runs start from the same default weights; kaiming then re-initializes them.
                Sequential model = LessonCnn.Create(e, new Generator(ctx.Seed, stream: 100));
                if (init == "kaiming") ModelInit.Apply(model, InitScheme.KaimingNormal(0.1), InitScheme.Zeros);
                IReadOnlyList<LayerStat> before = ModelStats.Measure(model, probe.Features);
                string? Path(string chart, string ext) => ctx.PlotPath($"{chart}-{init}{ext}");

                if (Path("weights", ".png") is string w) StatsPlots.WeightDistributions(model, w, includeBiases: true);
                IReadOnlyList<EpochMetrics> history;
                using (var stats = new ActivationStats(model))
                {
                    history = Trainer.Fit(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), LearningRate, momentum: 0.9),
                        _ => train.TrainingPairs(e).Take(batchCount), null, 1, onBatch: _ => bar[init].Increment());
                    foreach (string ext in svg ? new[] { ".png", ".svg" } : new[] { ".png" })
                    {
                        if (Path("mean-std", ext) is string p1) StatsPlots.MeanStd(stats, p1);
                        if (Path("colorful-dimension", ext) is string p2) StatsPlots.ColorfulDimension(stats, p2);
                        if (Path("near-zero", ext) is string p3) StatsPlots.NearZero(stats, p3);
                        if (Path("activations-layer1-first", ext) is string p4) StatsPlots.ActivationDistribution(stats, model[1], p4, batch: 0);
                        if (Path("activations-layer9-last", ext) is string p5) StatsPlots.ActivationDistribution(stats, model[9], p5);
                    }
                }
                if (Path("weights-trained", ".png") is string wt) StatsPlots.WeightDistributions(model, wt, includeBiases: true);
                IReadOnlyList<LayerStat> after = ModelStats.Measure(model, probe.Features);
                // Validated after the epoch, outside ActivationStats: the charts show the training batches only.
                var (validLoss, validAccuracy) = Trainer.Evaluate(model, new CrossEntropyLoss(), valid.TrainingPairs(e));
                runs.Add(new InitRun(init, history[^1].TrainLoss, validLoss, validAccuracy, before, after));
                bar[init].Complete();
            }
        });

        foreach (InitRun run in runs)
        {
            ctx.Console.Write(ModelStats.Table($"{run.Init} init: each layer's output on {BatchSize} validation digits",
                new[] { ("before", run.Before), ("trained", run.After) }));
            ctx.Console.MarkupLineInterpolated($"{run.Init} init after the epoch: training loss {run.Loss:F3}, validation loss {run.ValidLoss:F3}, validation accuracy {run.ValidAccuracy * 100:F1}%");
            ctx.Console.WriteLine();
        }
        ctx.ReportPlots();

        if (ctx.Json)
        {
            static object Layers(IReadOnlyList<LayerStat> layers) => layers.Select(l => new { name = l.Name, mean = l.Mean, std = l.Std });
            ctx.WriteJson(new
            {
                backend = SampleContext.BackendJson(e),
                batches = batchCount,
                batch_size = BatchSize,
                runs = runs.Select(r => new
                {
                    init = r.Init, train_loss = r.Loss, valid_loss = r.ValidLoss, valid_accuracy = r.ValidAccuracy, before = Layers(r.Before), after = Layers(r.After),
                }),
                seconds = ctx.ElapsedSeconds,
            });
        }
        return SampleCli.Success;
    }
}

internal static class Program
{
    private static int Main(string[] args) => PlotsProgram.Run(args, Console.Out, Console.Error);
}
