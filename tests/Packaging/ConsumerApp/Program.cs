// The packaging check's console app (tests/Packaging/check.sh): consumes the packages from a local feed,
// initializes a model, runs LSUV on the bundled digits and writes charts, once itself (net8.0) and once
// through ConsumerLib (netstandard2.1). Exits 0 when every chart is a PNG and every LSUV layer converged.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using InitCore;
using InitCore.Data;
using InitCore.Diagnostics;
using InitCore.Nn;
using InitCore.Plots;

string outDir = args.Length > 0 ? args[0] : "charts";
Directory.CreateDirectory(outDir);
var failures = new List<string>();

using (Engine engine = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = 7 }))
{
    MnistData data = Mnist.LoadBundled().Normalize();
    Console.WriteLine($"bundled digits: {data.Train.Count} training, {data.Valid.Count} validation, from {data.Source}");
    var model = new Sequential(engine,
        new Conv2d(engine, 1, 8, 5, stride: 2, padding: 2), new GeneralReLU(engine, leak: 0.1, sub: 0.4),
        new Conv2d(engine, 8, 16, 3, stride: 2, padding: 1), new GeneralReLU(engine, leak: 0.1, sub: 0.4),
        new AdaptiveAvgPool2d(engine), new Flatten(engine), new Linear(engine, 16, 10));
    ModelInit.Apply(model, InitScheme.KaimingNormal(0.1), InitScheme.Zeros);
    using TensorBatch batch = new DataLoader(data.Train, 256).GetBatches(engine).First();
    using (var stats = new ActivationStats(model))
    {
        LsuvReport report = Lsuv.Run(model, batch.Features);
        Console.WriteLine("net8.0 app: " + report);
        if (!report.AllConverged) failures.Add("the app's LSUV did not converge");
        model.Forward(batch.Features).Dispose();
        StatsPlots.MeanStd(stats, Path.Combine(outDir, "app-mean-std.png"));
    }
    StatsPlots.WeightDistributions(model, Path.Combine(outDir, "app-weights.png"));
}

LsuvReport libReport = ConsumerLib.DigitsChart.Run(Path.Combine(outDir, "lib-weights.png"));
Console.WriteLine("netstandard2.1 library: " + libReport);
if (!libReport.AllConverged) failures.Add("the library's LSUV did not converge");

byte[] png = { 0x89, (byte)'P', (byte)'N', (byte)'G' };
foreach (string chart in new[] { "app-mean-std.png", "app-weights.png", "lib-weights.png" })
{
    string path = Path.Combine(outDir, chart);
    if (!File.Exists(path)) { failures.Add($"{path} was not written"); continue; }
    byte[] head = File.ReadAllBytes(path).Take(4).ToArray();
    if (!head.SequenceEqual(png)) failures.Add($"{path} is not a PNG");
    else Console.WriteLine($"chart: {path} ({new FileInfo(path).Length} bytes)");
}
foreach (string f in failures) Console.Error.WriteLine("packaging check: " + f);
return failures.Count == 0 ? 0 : 1;
