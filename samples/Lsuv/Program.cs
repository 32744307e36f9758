// LSUV, "All you need is a good init" (Mishkin and Matas, 2016), as the lessons apply it: instead of deriving
// each layer's scale from a formula, run a batch through the model and adjust each layer in turn until its output
// has mean 0 and std 1; then train.
//
//   dotnet run --project samples/Lsuv -- [--device cpu|cuda|auto] [--out FOLDER] [--json] [--small]
//                                        [--variant fastai|paper] [--lsuv-batches N] [--epochs N] [--batch-size N] [--lr X] [--seed N]
//
// The lessons' CNN starts from PyTorch's default initialization, whose deeper layers' outputs shrink to a std of
// about 0.1–0.4. LSUV (fastai's variant by default: the mean through the bias or the GeneralReLU's sub, the std by
// dividing the weight) brings every layer to mean 0, std 1 in a few iterations, measuring after each GeneralReLU.
// It costs one pass through the model (the report counts the layer calls) plus one elementwise pass per iteration. With --out, the
// training is recorded with ActivationStats and drawn.
using System;
using System.Collections.Generic;
using System.CommandLine;
using System.IO;
using System.Linq;
using InitCore.Plots;
using InitCore.Samples;
using Spectre.Console;

/// <summary>The LSUV sample, callable in-process (the smoke tests do).</summary>
public static class LsuvProgram
{
    /// <summary>Runs the sample with <paramref name="args"/>; returns the exit code (0, 1 runtime failure, 2 bad arguments).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Cli().Run(args, stdout, stderr);

    /// <summary>The sample's command line: the common options and its own (the tests enumerate them).</summary>
    public static System.CommandLine.RootCommand Command => Cli().Command;

    private static SampleCli Cli()
    {
        var cli = new SampleCli("Lsuv", "LSUV on the lessons' CNN: layer statistics before and after, then training on MNIST.");
        var variant = cli.Add(new Option<string>("--variant") { Description = "LSUV variant: fastai (mean and std) or paper (orthonormal, then std).", DefaultValueFactory = _ => "fastai" });
        variant.AcceptOnlyFromAmong("fastai", "paper");
        var lsuvBatches = cli.AddInt("--lsuv-batches", "Batches of 512 training digits LSUV measures (statistics pooled).", 1);
        var epochs = cli.AddInt("--epochs", "Training epochs.", 2);
        var batchSize = cli.AddInt("--batch-size", "Training batch size.", 32);
        var lr = cli.AddPositive("--lr", "SGD learning rate (momentum 0.9).", 0.02);
        return cli.Runs(ctx => Calibrate(ctx, ctx.Get(variant) == "paper" ? LsuvVariant.Paper : LsuvVariant.Fastai,
            ctx.Get(lsuvBatches), ctx.Get(epochs), ctx.Get(batchSize), ctx.Get(lr)));
    }

    private static int Calibrate(SampleContext ctx, LsuvVariant variant, int lsuvBatches, int epochs, int batchSize, double lr)
    {
        using Engine engine = ctx.CreateEngine();
        MnistData data = Mnist.LoadBundled().Normalize();
        var train = new DataLoader(data.Train, batchSize, new RandomSampler(data.Train.Count, ctx.Seed), dropLast: true);
        var valid = new DataLoader(data.Valid, 500);
        int trainBatches = ctx.Small ? Math.Min(20, train.BatchCount) : train.BatchCount;
        int validBatches = ctx.Small ? 1 : valid.BatchCount;

        Sequential model = LessonCnn.Create(engine, new Generator(ctx.Seed, stream: 100));
        ctx.Console.MarkupLineInterpolated($"the lessons' CNN, PyTorch's default initialization:");
        ctx.Console.WriteLine(model.ToString());
        ctx.Console.WriteLine();

        // The lesson's xb: one batch of 512 training digits (random ones here); more batches pool their statistics.
        List<TensorBatch> batches = new DataLoader(data.Train, 512, new RandomSampler(data.Train.Count, ctx.Seed + 1))
            .GetBatches(engine).Take(lsuvBatches).ToList();
        try
        {
            Tensor probe = batches[0].Features;
            IReadOnlyList<LayerStat> before = ModelStats.Measure(model, probe);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            LsuvReport report = InitCore.Diagnostics.Lsuv.Run(model, batches.Select(b => b.Features).ToList(), new LsuvOptions { Variant = variant });
            double lsuvSeconds = clock.Elapsed.TotalSeconds;
            IReadOnlyList<LayerStat> after = ModelStats.Measure(model, probe);

            ctx.Console.Write(new Rule($"[bold]LSUV ({variant.ToString().ToLowerInvariant()} variant, {lsuvBatches} × 512 digits)[/]").LeftJustified());
            ctx.Console.Write(ModelStats.Table("Each layer's output (after its GeneralReLU) on the first 512 LSUV digits", new[] { ("before", before), ("after LSUV", after) }));
            ctx.Console.Write(LsuvView.Table(report));
            ctx.Console.MarkupLineInterpolated($"[grey]LSUV took {lsuvSeconds * 1000:F0} ms: one pass through the model ({report.LayerForwardCalls} layer forward calls) plus one fused elementwise pass per iteration.[/]");
            ctx.Console.WriteLine();

            ctx.Console.Write(new Rule($"[bold]Training: {epochs} epochs of {trainBatches} batches of {batchSize}, SGD lr {lr} momentum 0.9[/]").LeftJustified());
            IReadOnlyList<EpochMetrics> history = Array.Empty<EpochMetrics>();
            using (ActivationStats? stats = ctx.OutFolder is null ? null : new ActivationStats(model))
            {
                ctx.WithProgress(bars =>
                {
                    ProgressBar bar = bars.Add("train", epochs * trainBatches);
                    history = Trainer.Fit(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), lr, momentum: 0.9),
                        epoch => train.TrainingPairs(engine, epoch).Take(trainBatches), () => valid.TrainingPairs(engine).Take(validBatches), epochs,
                        onBatch: _ => bar.Increment());
                    bar.Complete();
                });
                if (stats is not null)
                {
                    StatsPlots.MeanStd(stats, ctx.PlotPath("lsuv-mean-std.png")!);
                    StatsPlots.ColorfulDimension(stats, ctx.PlotPath("lsuv-colorful-dimension.png")!);
                    StatsPlots.NearZero(stats, ctx.PlotPath("lsuv-near-zero.png")!);
                }
            }
            Table table = SampleContext.NewTable("Training after LSUV", "epoch", "train loss", "train acc", "valid loss", "valid acc", "seconds");
            foreach (EpochMetrics m in history)
                table.AddRow(SampleContext.Cell((m.Epoch + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)), SampleContext.Number(m.TrainLoss),
                    SampleContext.Number(m.TrainAccuracy * 100, "F1"), SampleContext.Number(m.ValidLoss), SampleContext.Number(m.ValidAccuracy * 100, "F1"),
                    SampleContext.Number(m.Elapsed.TotalSeconds, "F1"));
            ctx.Console.Write(table);
            ctx.Console.WriteLine();
            ctx.ReportPlots();
            ctx.Console.MarkupLineInterpolated($"[grey]done in {ctx.ElapsedSeconds:F1} s[/]");

            if (ctx.Json)
            {
                static object Layers(IReadOnlyList<LayerStat> layers) => layers.Select(l => new { name = l.Name, mean = l.Mean, std = l.Std });
                ctx.WriteJson(new
                {
                    backend = SampleContext.BackendJson(engine),
                    variant = variant.ToString().ToLowerInvariant(),
                    lsuv_digits = batches.Sum(b => b.Count),
                    before = Layers(before),
                    after = Layers(after),
                    lsuv = LsuvView.Json(report),
                    lsuv_seconds = lsuvSeconds,
                    epochs = history.Select(m => new
                    {
                        epoch = m.Epoch, train_loss = m.TrainLoss, train_accuracy = m.TrainAccuracy,
                        valid_loss = m.ValidLoss, valid_accuracy = m.ValidAccuracy, seconds = m.Elapsed.TotalSeconds,
                    }),
                    seconds = ctx.ElapsedSeconds,
                });
            }
            return SampleCli.Success;
        }
        finally
        {
            foreach (TensorBatch b in batches) b.Dispose();
        }
    }
}

internal static class Program
{
    private static int Main(string[] args) => LsuvProgram.Run(args, Console.Out, Console.Error);
}
