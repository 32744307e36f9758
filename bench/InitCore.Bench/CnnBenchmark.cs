using System;
using System.Globalization;
using System.IO;
using System.Linq;
using InitCore.Data;
using InitCore.Diagnostics;
using InitCore.Nn;

namespace InitCore.Bench
{
    /// <summary>
    /// The lessons' CNN on the CPU at one batch of the bundled MNIST (normalized with training statistics):
    /// forward + cross-entropy + backward, and LSUV from the same starting weights, against PyTorch and a
    /// fastai-style PyTorch LSUV (bench/torch_cnn.py) fed the same images.
    /// </summary>
    internal static class CnnBenchmark
    {
        /// <summary>
        /// Warm-up runs before timing, on both sides (torch_cnn.py takes the same number): InitCore's first few passes
        /// still run some code at tier-0 JIT while the runtime recompiles it (measured: about 16 ms, then 9 ms).
        /// </summary>
        private const int Warmups = 5;

        internal static int Run(string[] args)
        {
            int batch = 512, reps = 5;
            if (!Common.ParseArgs(args, "--batch", ref batch, ref reps, out bool runTorch, out string python)) return 2;
            int threads = Environment.ProcessorCount;
            Console.WriteLine($"machine: {threads} logical cores, {Common.CpuModel()}; batch {batch}, best of {reps}");
            MnistData data = Mnist.LoadBundled().Normalize();
            float[] images = data.Train.Slice(0, batch).Features.ToArray();
            float[] labels = Enumerable.Range(0, batch).Select(i => (float)(i % 10)).ToArray();

            using var engine = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = 0 });
            using Tensor x = engine.CreateTensor(images, batch, 1, 28, 28);
            using Tensor y = engine.CreateTensor(labels, batch);
            Sequential model = LessonCnn(engine);
            var loss = new CrossEntropyLoss();
            var (fwdBwd, fwdBwdMedian) = Common.Time(() =>
            {
                model.ZeroGrad();
                loss.Forward(model.Forward(x), y);
                model.Backward(loss.Backward(), needInputGradient: false);
            }, reps, Warmups);
            int gen0 = GC.CollectionCount(0), gen1 = GC.CollectionCount(1), gen2 = GC.CollectionCount(2);
            Console.WriteLine($"  InitCore fwd+bwd: {fwdBwd * 1000:F1} ms (median {fwdBwdMedian * 1000:F1}); garbage collections so far: gen0 {gen0}, gen1 {gen1}, gen2 {gen2}");

            PrintLayerTimes(engine, model, x, reps);

            var start = model.Parameters().Select(p => p.Value.ToArray()).ToArray();
            LsuvReport? report = null;
            var (lsuv, lsuvMedian) = Common.Time(() =>
            {
                foreach (var (p, v) in model.Parameters().Zip(start)) p.Value.CopyFrom(v);
                foreach (GeneralReLU g in model.Modules().OfType<GeneralReLU>()) g.Sub = 0.4;
                report = Lsuv.Run(model, x);
            }, reps, Warmups);
            Console.WriteLine($"  InitCore LSUV: {lsuv * 1000:F1} ms (median {lsuvMedian * 1000:F1}), {report!.LayerForwardCalls} layer forward calls, converged: {report.AllConverged}");

            double? torchFwdBwd = null, torchLsuv = null;
            int torchForwards = 0;
            string torchVersion = "";
            if (runTorch)
            {
                string input = Path.Combine(Path.GetTempPath(), $"initcore-cnn-{Guid.NewGuid():N}.f32");
                try
                {
                    using (var f = File.Create(input))
                    using (var w = new BinaryWriter(f))
                        foreach (float v in images) w.Write(v);
                    using var doc = Common.RunPython(python, "torch_cnn.py", $"\"{input}\" {batch} {reps} {threads} {Warmups}");
                    if (doc is not null)
                    {
                        torchVersion = doc.RootElement.GetProperty("torch").GetString() ?? "";
                        torchFwdBwd = doc.RootElement.GetProperty("fwd_bwd_s").GetDouble();
                        torchLsuv = doc.RootElement.GetProperty("lsuv_s").GetDouble();
                        torchForwards = doc.RootElement.GetProperty("lsuv_forwards").GetInt32();
                        Console.WriteLine($"  PyTorch  fwd+bwd: {torchFwdBwd * 1000:F1} ms; fastai-style LSUV: {torchLsuv * 1000:F1} ms ({torchForwards} whole-model forwards)");
                    }
                }
                finally
                {
                    File.Delete(input);
                }
            }
            Console.WriteLine();
            Console.WriteLine($"| lessons' CNN, batch {batch}, {threads} threads | InitCore ms | PyTorch {torchVersion} ms | PyTorch / InitCore |");
            Console.WriteLine("| --- | ---: | ---: | ---: |");
            Console.WriteLine($"| forward + backward | {fwdBwd * 1000:F1} | {(torchFwdBwd is double a ? $"{a * 1000:F1}" : "n/a")} | {(torchFwdBwd is double b ? $"{b / fwdBwd:F2}×" : "n/a")} |");
            Console.WriteLine($"| LSUV (fastai variant vs fastai-style) | {lsuv * 1000:F1} | {(torchLsuv is double c ? $"{c * 1000:F1}" : "n/a")} | {(torchLsuv is double d ? $"{d / lsuv:F2}×" : "n/a")} |");
            return 0;
        }

        /// <summary>Per-layer forward and backward times (best of the repetitions; backward = forward + backward − forward).</summary>
        private static void PrintLayerTimes(Engine engine, Sequential model, Tensor x, int reps)
        {
            Tensor input = x;
            Console.WriteLine("  per layer (best ms, forward / backward):");
            for (int i = 0; i < model.Children.Count; i++)
            {
                Module layer = model.Children[i];
                Tensor current = input;
                Tensor output = layer.Forward(current);
                using Tensor grad = engine.CreateTensor(Enumerable.Repeat(1e-3f, checked((int)output.Length)).ToArray(), output.ShapeArray);
                bool needDx = i > 0;
                var (fwd, _) = Common.Time(() => layer.Forward(current), reps);
                var (both, _) = Common.Time(() => { layer.Forward(current); layer.Backward(grad, needDx); }, reps);
                Console.WriteLine($"    {i,2} {layer.Describe(),-40} {fwd * 1000,7:F2} / {Math.Max(0, both - fwd) * 1000,7:F2}");
                if (layer is Conv2d conv)
                {
                    var g = conv.Geometry(current);
                    var b = engine.Main;
                    using Tensor dx = engine.CreateTensor(current.ShapeArray);
                    var (filter, _) = Common.Time(() => b.Conv2dBackwardFilter(g, current.Storage, grad.Storage, conv.Weight.Grad.Storage, true), reps);
                    var (data, _) = Common.Time(() => b.Conv2dBackwardData(g, grad.Storage, conv.Weight.Value.Storage, dx.Storage), reps);
                    var (bias, _) = Common.Time(() => b.BiasGrad(grad.Storage, conv.Bias!.Grad.Storage, g.N, g.K, g.P * g.Q, true), reps);
                    Console.WriteLine($"       backward filter {filter * 1000:F2}, data {data * 1000:F2}, bias {bias * 1000:F2}");
                }
                input = layer.Forward(current);
            }
        }

        private static Sequential LessonCnn(Engine e) => new Sequential(e,
            new Conv2d(e, 1, 8, 5, 2, 2), new GeneralReLU(e, 0.1, 0.4),
            new Conv2d(e, 8, 16, 3, 2, 1), new GeneralReLU(e, 0.1, 0.4),
            new Conv2d(e, 16, 32, 3, 2, 1), new GeneralReLU(e, 0.1, 0.4),
            new Conv2d(e, 32, 64, 3, 2, 1), new GeneralReLU(e, 0.1, 0.4),
            new Conv2d(e, 64, 64, 3, 2, 1), new GeneralReLU(e, 0.1, 0.4),
            new AdaptiveAvgPool2d(e), new Flatten(e), new Linear(e, 64, 10));
    }
}
