// The lessons' diagnostics as pictures: train the lessons' CNN for one short epoch with ActivationStats
// attached and write every InitCore.Plots chart, as PNG and SVG, into a folder.
//
//   dotnet run --project samples/Plots -- [--out FOLDER] [--init default|kaiming] [--batches N] [--seed N]
//
// The input is synthetic, N(0, 1) images shaped like MNIST digits with random labels: enough to watch the
// activations move, not to learn anything. --init kaiming re-initializes the weights with
// kaiming_normal(a=0.1, leaky_relu) and zero biases, the lessons' fix for the GeneralReLU network.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using InitCore;
using InitCore.Diagnostics;
using InitCore.Nn;
using InitCore.Plots;

string folder = "plots", init = "default";
int batchCount = 60;
ulong seed = 1;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--out" when i + 1 < args.Length: folder = args[++i]; break;
        case "--init" when i + 1 < args.Length && (args[i + 1] == "default" || args[i + 1] == "kaiming"): init = args[++i]; break;
        case "--batches" when i + 1 < args.Length: batchCount = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
        case "--seed" when i + 1 < args.Length: seed = ulong.Parse(args[++i], CultureInfo.InvariantCulture); break;
        default:
            Console.Error.WriteLine($"Unknown argument '{args[i]}'. Usage: Plots [--out FOLDER] [--init default|kaiming] [--batches N] [--seed N]");
            return 2;
    }
}

using var e = Engine.Create(new EngineOptions { Seed = seed });
Console.WriteLine(e.BackendReason);
var model = new Sequential(e,
    new Conv2d(e, 1, 8, 5, 2, 2), new GeneralReLU(e, 0.1, 0.4),
    new Conv2d(e, 8, 16, 3, 2, 1), new GeneralReLU(e, 0.1, 0.4),
    new Conv2d(e, 16, 32, 3, 2, 1), new GeneralReLU(e, 0.1, 0.4),
    new Conv2d(e, 32, 64, 3, 2, 1), new GeneralReLU(e, 0.1, 0.4),
    new Conv2d(e, 64, 64, 3, 2, 1), new GeneralReLU(e, 0.1, 0.4),
    new AdaptiveAvgPool2d(e), new Flatten(e), new Linear(e, 64, 10));
if (init == "kaiming") ModelInit.Apply(model, InitScheme.KaimingNormal(0.1), InitScheme.Zeros);

Directory.CreateDirectory(folder);
var written = new List<string>();
string To(string name) { string p = Path.Combine(folder, name); written.Add(p); return p; }

StatsPlots.WeightDistributions(model, To("weights.png"), includeBiases: true);

var labels = new Random((int)seed);
var batches = new List<(Tensor Input, Tensor Target)>();
for (int b = 0; b < batchCount; b++)
{
    Tensor x = e.CreateTensor(64, 1, 28, 28);
    Init.Normal(x);
    batches.Add((x, e.CreateTensor(Enumerable.Range(0, 64).Select(_ => (float)labels.Next(10)).ToArray(), 64)));
}

using (var stats = new ActivationStats(model))
{
    Trainer.Fit(model, new CrossEntropyLoss(), new Sgd(model.Parameters(), 0.1, momentum: 0.9), _ => batches, null, 1,
        onEpoch: m => Console.WriteLine($"epoch: {m}"));
    foreach (string ext in new[] { ".png", ".svg" })
    {
        StatsPlots.MeanStd(stats, To("mean-std" + ext));
        StatsPlots.ColorfulDimension(stats, To("colorful-dimension" + ext));
        StatsPlots.NearZero(stats, To("near-zero" + ext));
        StatsPlots.ActivationDistribution(stats, model[1], To("activations-layer1-first" + ext), batch: 0);
        StatsPlots.ActivationDistribution(stats, model[9], To("activations-layer9-last" + ext));
    }
}
StatsPlots.WeightDistributions(model, To("weights-trained.png"), includeBiases: true);

foreach (var (x, y) in batches)
{
    x.Dispose();
    y.Dispose();
}
foreach (string p in written) Console.WriteLine($"wrote {p}");
return 0;
