// The whole story in under a minute: the lessons' CNN on the bundled MNIST subset, initialized three ways —
// PyTorch's default (kaiming_uniform with a = √5), Kaiming (kaiming_normal, a = 0.1 for the GeneralReLU's leak,
// zero biases) and LSUV (on top of the default) — with the per-layer activation statistics each gives, one short
// training run per scheme and the accuracy each reaches.
//
//   dotnet run --project samples/Tour -- [--device cpu|cuda|auto] [--out FOLDER] [--json] [--small]
//                                        [--epochs N] [--batch-size N] [--lr X] [--seed N] [--threads N]
//
// What to look for: after the default init the std of the activations falls to about 0.1 from the second conv
// block on (the signal fades layer by layer) and the first epoch barely learns; Kaiming keeps far more of it
// (0.75 down to 0.25: GeneralReLU's sub = 0.4 takes some away at every block); LSUV makes it 1 by measuring. With --out, each scheme's training is recorded
// with ActivationStats and drawn (mean/std per layer, and the "colorful dimension" histograms).
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using InitCore.Plots;
using InitCore.Samples;
using Spectre.Console;

/// <summary>The Tour, callable in-process (the smoke tests do).</summary>
public static class TourProgram
{
    /// <summary>Runs the sample with <paramref name="args"/>; returns the exit code (0, 1 runtime failure, 2 bad arguments).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Cli().Run(args, stdout, stderr);

    /// <summary>The sample's command line: the common options and its own (the tests enumerate them).</summary>
    public static System.CommandLine.RootCommand Command => Cli().Command;

    private static SampleCli Cli()
    {
        var cli = new SampleCli("Tour", "The lessons' CNN on MNIST with PyTorch's default init, Kaiming and LSUV: layer statistics, training, accuracy.");
        var epochs = cli.AddInt("--epochs", "Training epochs per scheme.", 1);
        var batchSize = cli.AddInt("--batch-size", "Training batch size.", 32);
        var lr = cli.AddPositive("--lr", "SGD learning rate (momentum 0.9).", 0.02);
        return cli.Runs(ctx => Tour(ctx, ctx.Get(epochs), ctx.Get(batchSize), ctx.Get(lr)));
    }

    private sealed record Scheme(string Name, string Description);

    private static int Tour(SampleContext ctx, int epochs, int batchSize, double lr)
    {
        using Engine engine = ctx.CreateEngine();
        MnistData data = Mnist.LoadBundled().Normalize();
        var train = new DataLoader(data.Train, batchSize, new RandomSampler(data.Train.Count, ctx.Seed), dropLast: true);
        var valid = new DataLoader(data.Valid, 500);
        // --small: a few batches only, enough to run every step.
        int trainBatches = ctx.Small ? Math.Min(20, train.BatchCount) : train.BatchCount;
        int validBatches = ctx.Small ? 1 : valid.BatchCount;
        ctx.Console.MarkupLineInterpolated($"data: bundled MNIST subset, {data.Train.Count} train + {data.Valid.Count} valid digits, normalized with the training mean {data.Normalization!.Mean:F4}, std {data.Normalization.Std:F4}");
        ctx.Console.MarkupLineInterpolated($"training: {epochs} epoch(s) × {trainBatches} batches of {batchSize}, SGD lr {lr} momentum 0.9; validation on {validBatches * 500} digits");
        ctx.Console.WriteLine();

        // Statistics are measured on the first 512 training digits; LSUV calibrates on another 512, drawn at random.
        using TensorBatch probe = new DataLoader(data.Train, 512).GetBatches(engine).First();
        using TensorBatch lsuvBatch = new DataLoader(data.Train, 512, new RandomSampler(data.Train.Count, ctx.Seed + 1)).GetBatches(engine).First();

        var schemes = new[]
        {
            new Scheme("default", "PyTorch's default: kaiming_uniform(a=√5), bias U(±1/√fan_in)"),
            new Scheme("kaiming", "kaiming_normal(a=0.1, fan_in, leaky_relu), zero biases"),
            new Scheme("lsuv", "LSUV (fastai variant) on top of PyTorch's default"),
        };
        var models = new Dictionary<string, Sequential>();
        var layerStats = new List<(string Model, IReadOnlyList<LayerStat> Layers)>();
        LsuvReport? lsuvReport = null;
        foreach (Scheme s in schemes)
        {
            // Every scheme starts from the same default weights (same generator), so only the init differs.
            Sequential model = LessonCnn.Create(engine, new Generator(ctx.Seed, stream: 100));
            if (s.Name == "kaiming")
                ModelInit.Apply(model, InitScheme.KaimingNormal(a: 0.1), InitScheme.Zeros, new Generator(ctx.Seed, stream: 101));
            if (s.Name == "lsuv")
                lsuvReport = Lsuv.Run(model, lsuvBatch.Features);
            models[s.Name] = model;
            layerStats.Add((s.Name, ModelStats.Measure(model, probe.Features)));
        }

        ctx.Console.Write(new Rule("[bold]1. After initialization[/]").LeftJustified());
        foreach (Scheme s in schemes) ctx.Console.MarkupLineInterpolated($"  [bold]{s.Name}[/]: {s.Description}");
        ctx.Console.Write(ModelStats.Table("Each block's output after its GeneralReLU, 512 training digits", layerStats));
        ctx.Console.MarkupLine("[grey]The default's std falls to about 0.1 by the second block; Kaiming keeps more of it; LSUV sets every layer to 1 by measuring.[/]");
        ctx.Console.WriteLine();
        ctx.Console.Write(LsuvView.Table(lsuvReport!));
        ctx.Console.WriteLine();

        ctx.Console.Write(new Rule($"[bold]2. Training: {epochs} epoch(s) per scheme[/]").LeftJustified());
        var results = new Dictionary<string, EpochMetrics>();
        var seconds = new Dictionary<string, double>();
        ctx.WithProgress(bars =>
        {
            var barOf = schemes.ToDictionary(s => s.Name, s => bars.Add($"train {s.Name}", epochs * trainBatches, start: false));
            foreach (Scheme s in schemes)
            {
                Sequential model = models[s.Name];
                // ActivationStats only when plots are wanted: it records every layer at every batch.
                using ActivationStats? stats = ctx.OutFolder is null ? null : new ActivationStats(model);
                var clock = System.Diagnostics.Stopwatch.StartNew();
                barOf[s.Name].Start();
                var history = Trainer.Fit(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), lr, momentum: 0.9),
                    epoch => train.TrainingPairs(engine, epoch).Take(trainBatches), () => valid.TrainingPairs(engine).Take(validBatches), epochs,
                    onBatch: _ => barOf[s.Name].Increment());
                barOf[s.Name].Complete();
                results[s.Name] = history[^1];
                seconds[s.Name] = clock.Elapsed.TotalSeconds;
                if (stats is not null)
                {
                    StatsPlots.MeanStd(stats, ctx.PlotPath($"{s.Name}-mean-std.png")!);
                    StatsPlots.ColorfulDimension(stats, ctx.PlotPath($"{s.Name}-colorful-dimension.png")!);
                }
            }
        });

        Table accuracy = SampleContext.NewTable("Accuracy after training", "scheme", "train loss", "train acc", "valid loss", "valid acc", "seconds");
        double best = results.Values.Max(r => r.ValidAccuracy);
        foreach (Scheme s in schemes)
        {
            EpochMetrics m = results[s.Name];
            accuracy.AddRow(SampleContext.Cell(s.Name), SampleContext.Number(m.TrainLoss), SampleContext.Number(m.TrainAccuracy * 100, "F1"),
                SampleContext.Number(m.ValidLoss), SampleContext.Number(m.ValidAccuracy * 100, "F1", good: m.ValidAccuracy == best), SampleContext.Number(seconds[s.Name], "F1"));
        }
        ctx.Console.Write(accuracy);
        ctx.Console.WriteLine();
        ctx.ReportPlots();
        ctx.Console.MarkupLineInterpolated($"[grey]done in {ctx.ElapsedSeconds:F1} s[/]");

        if (ctx.Json)
        {
            ctx.WriteJson(new
            {
                backend = SampleContext.BackendJson(engine),
                data = new { train = data.Train.Count, valid = data.Valid.Count, batch_size = batchSize, train_batches = trainBatches, valid_digits = validBatches * 500, epochs, lr },
                schemes = schemes.Select((s, i) => new
                {
                    name = s.Name,
                    description = s.Description,
                    layers = layerStats[i].Layers.Select(l => new { name = l.Name, mean = l.Mean, std = l.Std }),
                    train_loss = results[s.Name].TrainLoss,
                    train_accuracy = results[s.Name].TrainAccuracy,
                    valid_loss = results[s.Name].ValidLoss,
                    valid_accuracy = results[s.Name].ValidAccuracy,
                    seconds = seconds[s.Name],
                }),
                lsuv = LsuvView.Json(lsuvReport!),
                seconds = ctx.ElapsedSeconds,
            });
        }
        return SampleCli.Success;
    }
}

internal static class Program
{
    private static int Main(string[] args) => TourProgram.Run(args, Console.Out, Console.Error);
}
