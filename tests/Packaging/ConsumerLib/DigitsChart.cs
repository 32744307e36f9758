using System.IO;
using System.Linq;
using InitCore;
using InitCore.Data;
using InitCore.Diagnostics;
using InitCore.Nn;
using InitCore.Plots;

namespace ConsumerLib
{
    /// <summary>What a consumer does first: initialize a model, run LSUV on the bundled digits, draw a chart.</summary>
    public static class DigitsChart
    {
        /// <summary>
        /// Kaiming-initializes a 784→64→10 MLP, calibrates it with LSUV on 512 bundled validation digits,
        /// and writes its weight distributions to <paramref name="chartPath"/> (PNG). Returns LSUV's report.
        /// </summary>
        public static LsuvReport Run(string chartPath)
        {
            using Engine engine = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = 42 });
            MnistData data = Mnist.LoadBundled().Normalize();
            var model = new Sequential(engine, new Flatten(engine), new Linear(engine, 28 * 28, 64), new GeneralReLU(engine, leak: 0.1, sub: 0.4), new Linear(engine, 64, 10));
            ModelInit.Apply(model, InitScheme.KaimingNormal(0.1), InitScheme.Zeros);
            using TensorBatch batch = new DataLoader(data.Valid, 512).GetBatches(engine).First();
            LsuvReport report = Lsuv.Run(model, batch.Features);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(chartPath))!);
            StatsPlots.WeightDistributions(model, chartPath, includeBiases: true);
            return report;
        }
    }
}
