// The bundled MNIST subset, the lessons' normalization point and a shuffled DataLoader:
//
//   dotnet run --project samples/Mnist -- [--folder PATH_TO_OFFICIAL_MNIST] [--seed N]
//
// Without --folder it loads the 8,000 + 2,000 real digits shipped in data/mnist-subset (copied next to
// the program by data/mnist.props); with it, the four official IDX files (raw or .gz) from that folder.
using System;
using System.Globalization;
using System.Text;
using InitCore;
using InitCore.Data;

string? folder = null;
ulong seed = 42;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--folder" when i + 1 < args.Length: folder = args[++i]; break;
        case "--seed" when i + 1 < args.Length: seed = ulong.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: Mnist [--folder PATH] [--seed N]");
            return 2;
    }
}

try
{
    MnistData raw = folder is null ? Mnist.LoadBundled() : Mnist.LoadFolder(folder);
    Console.WriteLine(raw);
    Console.WriteLine($"first training digit, label {raw.Train.GetLabel(0)}:");
    Console.Write(Ascii(raw.Train.GetFeatures(0)));

    Console.WriteLine($"train (x/255): {raw.Train.ComputeStatistics()}");
    Console.WriteLine($"valid (x/255): {raw.Valid.ComputeStatistics()}");

    // The lesson: normalize BOTH sets with the TRAINING mean and std.
    MnistData data = raw.Normalize();
    Console.WriteLine($"{data.Normalization} (fitted on train)");
    Console.WriteLine($"train normalized: {data.Train.ComputeStatistics()}");
    Console.WriteLine($"valid normalized: {data.Valid.ComputeStatistics()}   <- close to (0, 1), not exactly");

    var loader = new DataLoader(data.Train, batchSize: 64, new RandomSampler(data.Train.Count, seed), dropLast: true);
    using var engine = Engine.Create(new EngineOptions { Seed = seed });
    for (int epoch = 0; epoch < 2; epoch++)
    {
        int batches = 0;
        string firstLabels = "";
        foreach (TensorBatch batch in loader.GetBatches(engine, epoch))
        {
            using (batch)
            {
                if (batches == 0) firstLabels = $"{batch.Features} labels {string.Join(" ", batch.Labels[..10])} …";
                batches++;
            }
        }
        Console.WriteLine($"epoch {epoch}: {batches} batches; first {firstLabels}");
    }
    return 0;
}
catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException)
{
    Console.Error.WriteLine(ex.Message);
    return 1;
}

static string Ascii(ReadOnlySpan<float> image)
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
