// The bundled MNIST subset, the lessons' normalization point and a shuffled DataLoader:
//
//   dotnet run --project samples/Mnist -- [--folder PATH_TO_OFFICIAL_MNIST] [--device cpu|cuda|auto] [--out FOLDER] [--json] [--small] [--seed N]
//
// Without --folder it loads the 8,000 + 2,000 real digits shipped in data/mnist-subset (copied next to
// the program by data/mnist.props); with it, the four official IDX files (raw or .gz) from that folder.
// It prints the first training digit as ASCII art, the statistics of both sets before and after normalizing
// BOTH with the TRAINING mean and std, and the first batches of two epochs of a shuffled DataLoader (batch 64,
// drop_last, seeded with --seed). With --out it draws the first 32 training digits (first-digits.png); --small
// changes nothing (the run takes well under a second on the subset).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using InitCore.Samples;
using Spectre.Console;

/// <summary>The MNIST sample, callable in-process (the smoke tests do).</summary>
public static class MnistProgram
{
    /// <summary>Runs the sample with <paramref name="args"/>; returns the exit code (0, 1 runtime failure, 2 bad arguments).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr) => Cli().Run(args, stdout, stderr);

    /// <summary>The sample's command line: the common options and its own (the tests enumerate them).</summary>
    public static System.CommandLine.RootCommand Command => Cli().Command;

    private static SampleCli Cli()
    {
        var cli = new SampleCli("Mnist", "MNIST: the bundled subset or the official files, normalization with the training statistics, a shuffled DataLoader.");
        var folder = cli.Add(new System.CommandLine.Option<string?>("--folder")
        {
            HelpName = "path",
            Description = "Folder with the four official MNIST IDX files (raw or .gz); the bundled 8,000 + 2,000 digit subset without it.",
        });
        return cli.Runs(ctx => Show(ctx, ctx.Get(folder)));
    }

    private const int BatchSize = 64;
    private const int Epochs = 2;

    private static int Show(SampleContext ctx, string? folder)
    {
        using Engine engine = ctx.CreateEngine();
        MnistData raw = folder is null ? Mnist.LoadBundled() : Mnist.LoadFolder(folder);
        ctx.Console.WriteLine(raw.ToString());
        ctx.Console.WriteLine();

        int firstLabel = raw.Train.GetLabel(0);
        ctx.Console.MarkupLineInterpolated($"[bold]first training digit[/], label {firstLabel}:");
        ctx.Console.Write(new Text(Ascii(raw.Train.GetFeatures(0))));
        ctx.Console.WriteLine();
        if (ctx.PlotPath("first-digits.png") is string digits)
        {
            const int shown = 32;
            Charts.Images(digits, $"The first {shown} training digits: {string.Join(" ", Enumerable.Range(0, shown).Select(raw.Train.GetLabel))}",
                Enumerable.Range(0, shown).Select(i => raw.Train.GetFeatures(i).ToArray()).ToList(), columns: 8, size: 28);
        }

        // The lesson: normalize BOTH sets with the TRAINING mean and std.
        FeatureStatistics trainRaw = raw.Train.ComputeStatistics(), validRaw = raw.Valid.ComputeStatistics();
        MnistData data = raw.Normalize();
        Normalizer norm = data.Normalization!;
        FeatureStatistics trainNorm = data.Train.ComputeStatistics(), validNorm = data.Valid.ComputeStatistics();

        Table stats = SampleContext.NewTable("Pixels: x/255, then (x − train mean) / train std",
            "set", "count", "mean", "std", "min", "max");
        void Row(string name, int count, FeatureStatistics s, bool normalized) => stats.AddRow(SampleContext.Cell(name),
            SampleContext.Cell(count.ToString("N0", CultureInfo.InvariantCulture)),
            SampleContext.Number(s.Mean, "F4", good: normalized && Math.Abs(s.Mean) < 0.05), SampleContext.Number(s.Std, "F4", good: normalized && Math.Abs(s.Std - 1) < 0.05),
            SampleContext.Number(s.Min, "F4"), SampleContext.Number(s.Max, "F4"));
        Row("train (x/255)", raw.Train.Count, trainRaw, false);
        Row("valid (x/255)", raw.Valid.Count, validRaw, false);
        Row("train normalized", data.Train.Count, trainNorm, true);
        Row("valid normalized", data.Valid.Count, validNorm, true);
        ctx.Console.Write(stats);
        ctx.Console.MarkupLineInterpolated($"[grey]{norm} (fitted on train).[/]");
        ctx.Console.MarkupLine("[grey]The training set lands on (0, 1) exactly; the validation set, normalized with the TRAINING statistics, only close to it.[/]");
        ctx.Console.WriteLine();

        var loader = new DataLoader(data.Train, BatchSize, new RandomSampler(data.Train.Count, ctx.Seed), dropLast: true);
        var epochs = new List<(int Epoch, int Batches, string Shape, int[] Labels)>();
        ctx.WithProgress(bars =>
        {
            ProgressBar bar = bars.Add("shuffled batches", Epochs * loader.BatchCount);
            for (int epoch = 0; epoch < Epochs; epoch++)
            {
                int batches = 0;
                string shape = "";
                int[] labels = Array.Empty<int>();
                foreach (TensorBatch batch in loader.GetBatches(engine, epoch))
                {
                    using (batch)
                    {
                        if (batches == 0)
                        {
                            shape = $"[{string.Join(", ", batch.Features.Shape)}]";
                            labels = batch.Labels.ToArray();
                        }
                        batches++;
                        bar.Increment();
                    }
                }
                epochs.Add((epoch, batches, shape, labels));
            }
            bar.Complete();
        });

        ctx.Console.WriteLine(loader.ToString());
        Table batchTable = SampleContext.NewTable($"Two epochs of shuffled batches, seed {ctx.Seed}", "epoch", "batches", "first batch", "its first 10 labels");
        foreach (var (epoch, batches, shape, labels) in epochs)
            batchTable.AddRow(SampleContext.Cell(epoch.ToString(CultureInfo.InvariantCulture)), SampleContext.Cell(batches.ToString(CultureInfo.InvariantCulture)),
                SampleContext.Cell(shape), SampleContext.Cell(string.Join(" ", labels.Take(10))));
        ctx.Console.Write(batchTable);
        ctx.Console.MarkupLine("[grey]Each epoch draws a fresh permutation from the seed and the epoch number: the same seed gives the same batches.[/]");
        ctx.ReportPlots();

        if (ctx.Json)
        {
            static object Stats(FeatureStatistics s) => new { mean = s.Mean, std = s.Std, min = s.Min, max = s.Max };
            ctx.WriteJson(new
            {
                backend = SampleContext.BackendJson(engine),
                source = folder is null ? "bundled" : "folder",
                folder = data.Source,
                counts = new { train = data.Train.Count, valid = data.Valid.Count },
                first_label = firstLabel,
                raw = new { train = Stats(trainRaw), valid = Stats(validRaw) },
                training = new { mean = norm.Mean, std = norm.Std },
                normalized = new { train = Stats(trainNorm), valid = Stats(validNorm) },
                loader = new { batch_size = BatchSize, drop_last = true, seed = ctx.Seed, batches_per_epoch = loader.BatchCount },
                epochs = epochs.Select(e => new { epoch = e.Epoch, batches = e.Batches, first_batch_labels = e.Labels }),
                first_batch_labels = epochs[0].Labels,
                seconds = ctx.ElapsedSeconds,
            });
        }
        return SampleCli.Success;
    }

    /// <summary>A 28×28 digit as 14 lines of text: each character the brighter of two rows.</summary>
    private static string Ascii(ReadOnlySpan<float> image)
    {
        const string ramp = " .:-=+*#%@";
        var sb = new StringBuilder();
        for (int r = 0; r < 28; r += 2)
        {
            for (int c = 0; c < 28; c++)
            {
                float v = Math.Max(image[r * 28 + c], image[(r + 1) * 28 + c]);
                sb.Append(ramp[(int)Math.Min(ramp.Length - 1, v * ramp.Length)]);
            }
            sb.AppendLine();
        }
        return sb.ToString();
    }
}

internal static class Program
{
    private static int Main(string[] args) => MnistProgram.Run(args, Console.Out, Console.Error);
}
