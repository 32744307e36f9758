using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using InitCore.Backends.Cpu;

namespace InitCore.Bench
{
    /// <summary>
    /// Every benchmark: InitCore's side, the peer's case (bench/torch_peer.py) and the target from issue 16. Each prints a
    /// markdown section for docs/performance.md. "speedup" is PyTorch's time / InitCore's time, per pair.
    /// </summary>
    internal static class Benchmarks
    {
        internal static void Run(Session s, string name)
        {
            switch (name)
            {
                case "fill": Fill(s); break;
                case "stats": Stats(s); break;
                case "init": InitResNet50(s); break;
                case "gemm": Gemm(s); break;
                case "conv": Conv(s); break;
                case "cnn": Cnn(s); break;
                case "lsuv20": Lsuv20(s); break;
                case "infer": Infer(s); break;
                default: throw new ArgumentException($"unknown benchmark {name}", nameof(name));
            }
        }

        private static string Pct(double part, Spread whole) => (part / whole.Median * 100).ToString("F0", CultureInfo.InvariantCulture) + "%";

        private static string GBps(int n, Spread seconds) => new Spread(new[] { n * 4.0 / seconds.Median / 1e9, n * 4.0 / seconds.Max / 1e9, n * 4.0 / seconds.Min / 1e9 }).Format("F1", 1, " GB/s");

        /// <summary>uniform_, normal_ and trunc_normal_ on 64M float32 (256 MiB).</summary>
        private static void Fill(Session s)
        {
            const int n = 64 * 1024 * 1024;
            s.Heading("fill", "64M float32 (256 MiB): Init.Uniform/Normal/TruncatedNormal vs uniform_/normal_/trunc_normal_");
            s.SetupPeer("fill", new JsonObject { ["n"] = n });
            var data = new float[n];
            Engine e = s.Engine;
            PairResult u = s.Pair("uniform U(−1, 1)", () => Init.Uniform(e, data, -1, 1), "uniform", 2);
            PairResult no = s.Pair("normal N(0, 1)", () => Init.Normal(e, data, 0, 1), "normal", 2);
            PairResult t = s.Pair("trunc_normal N(0, 1) on [−2, 2]", () => Init.TruncatedNormal(e, data, 0, 1, -2, 2), "trunc_normal", 2);
            s.Table(new[]
            {
                (u, "ms", 1e3, (double?)10, "≥ 10×"),
                (no, "ms", 1e3, (double?)5, "≥ 5×"),
                (t, "ms", 1e3, (double?)null, "none"),
            });
            double uGBps = n * 4.0 / u.Ours.Median / 1e9;
            Console.WriteLine($"- uniform: {GBps(n, u.Ours)} written = {Pct(uGBps, s.WriteGBps)} of this run's write bandwidth (median {s.WriteGBps.Median:F1} GB/s); target ≥ 60%: {(uGBps >= 0.6 * s.WriteGBps.Median ? "met" : "**missed**")}");
            Console.WriteLine($"- normal: {GBps(n, no.Ours)} = {Pct(n * 4.0 / no.Ours.Median / 1e9, s.WriteGBps)}; trunc_normal: {GBps(n, t.Ours)} = {Pct(n * 4.0 / t.Ours.Median / 1e9, s.WriteGBps)}");
            Console.WriteLine();
        }

        /// <summary>One statistics pass over 64M float32: mean, variance, min, max and a 40-bin histogram.</summary>
        private static void Stats(Session s)
        {
            const int n = 64 * 1024 * 1024;
            s.Heading("stats", "one pass over 64M float32 (mean, variance, min, max, 40-bin histogram on [−4, 4]) vs torch.var_mean + torch.aminmax + torch.histc");
            s.SetupPeer("stats", new JsonObject { ["n"] = n, ["bins"] = 40, ["min"] = -4.0, ["max"] = 4.0 });
            using Tensor x = s.Engine.CreateTensor(n);
            Init.Normal(x, 0, 1);
            var options = new StatisticsOptions { HistogramBins = 40, HistogramMin = -4, HistogramMax = 4, HistogramOfAbsoluteValues = false };
            PairResult r = s.Pair("statistics, N(0, 1) data", () => TensorOps.Statistics(x, options), "stats", 2);
            s.Table(new[] { (r, "ms", 1e3, (double?)20, "≥ 20×") });
            double gbps = n * 4.0 / r.Ours.Median / 1e9;
            Console.WriteLine($"- InitCore reads {GBps(n, r.Ours)} = {Pct(gbps, s.ReadGBps)} of this run's read bandwidth (median {s.ReadGBps.Median:F1} GB/s); target ≥ 50%: {(gbps >= 0.5 * s.ReadGBps.Median ? "met" : "**missed**")}");
            Console.WriteLine();
        }

        /// <summary>ResNet-50's parameter tensors (torchvision's resnet50: 161 tensors, 25,557,032 parameters) as (kind, shape).</summary>
        internal static List<(string Kind, int[] Shape)> ResNet50Parameters()
        {
            var p = new List<(string, int[])>();
            void ConvBn(int outC, int inC, int k)
            {
                p.Add(("conv", new[] { outC, inC, k, k }));
                p.Add(("bn_weight", new[] { outC }));
                p.Add(("bn_bias", new[] { outC }));
            }
            ConvBn(64, 3, 7);
            int inplanes = 64;
            int[] blocks = { 3, 4, 6, 3 };
            for (int stage = 0; stage < 4; stage++)
            {
                int width = 64 << stage;
                for (int b = 0; b < blocks[stage]; b++)
                {
                    ConvBn(width, inplanes, 1);
                    ConvBn(width, width, 3);
                    ConvBn(width * 4, width, 1);
                    if (b == 0) ConvBn(width * 4, inplanes, 1); // downsample
                    inplanes = width * 4;
                }
            }
            p.Add(("fc_weight", new[] { 1000, 2048 }));
            p.Add(("fc_bias", new[] { 1000 }));
            return p;
        }

        /// <summary>Every parameter of ResNet-50 with PyTorch's default init per layer, vs a torch loop over the same shapes.</summary>
        private static void InitResNet50(Session s)
        {
            var shapes = ResNet50Parameters();
            long count = shapes.Sum(p => p.Shape.Aggregate(1L, (a, b) => a * b));
            s.Heading("init", $"ResNet-50's {shapes.Count} parameter tensors ({count:N0} parameters), each layer's reset_parameters (Conv2d/Linear kaiming_uniform_(a=√5), Linear bias U(±1/√fan_in), BatchNorm 1 and 0) vs the same torch.nn.init loop");
            var args = new JsonArray();
            foreach (var (kind, shape) in shapes) args.Add(new JsonArray(kind, new JsonArray(shape.Select(d => (JsonNode)d).ToArray())));
            s.SetupPeer("init", new JsonObject { ["params"] = args });
            var tensors = shapes.Select(p => (p.Kind, T: s.Engine.CreateTensor(p.Shape))).ToArray();
            try
            {
                void InitAll()
                {
                    double bound = 1;
                    foreach (var (kind, t) in tensors)
                    {
                        switch (kind)
                        {
                            case "conv":
                            case "fc_weight":
                                Init.KaimingUniform(t, a: Math.Sqrt(5));
                                bound = 1 / Math.Sqrt(Fans.FromShape(t.ShapeArray).FanIn);
                                break;
                            case "fc_bias": Init.Uniform(t, -bound, bound); break;
                            case "bn_weight": Init.Ones(t); break;
                            default: Init.Zeros(t); break;
                        }
                    }
                }
                PairResult r = s.Pair("ResNet-50 parameter set", InitAll, "init", 2);
                s.Table(new[] { (r, "ms", 1e3, (double?)5, "≥ 5×") });
                Console.WriteLine($"- InitCore writes {GBps(checked((int)count), r.Ours)} = {Pct(count * 4.0 / r.Ours.Median / 1e9, s.WriteGBps)} of this run's write bandwidth");
                Console.WriteLine();
            }
            finally
            {
                foreach (var (_, t) in tensors) t.Dispose();
            }
        }

        /// <summary>Square row-major SGEMM C = A·B, 1024³, vs torch.mm (OpenBLAS).</summary>
        private static void Gemm(Session s)
        {
            const int n = 1024;
            s.Heading("gemm", $"SGEMM {n}³, row-major C = A·B (kernel {CpuGemm.Best}) vs torch.mm");
            s.SetupPeer("gemm", new JsonObject { ["n"] = n });
            var rng = new Random(1);
            float[] a = Enumerable.Range(0, n * n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            float[] b = Enumerable.Range(0, n * n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
            float[] c = new float[n * n];
            int threads = s.Options.Threads;
            PairResult r = s.Pair("SGEMM 1024³", () => CpuGemm.Sgemm(false, false, n, n, n, 1f, a, n, b, n, 0f, c, n, threads), "mm", 3);
            s.Table(new[] { (r, "ms", 1e3, (double?)1, "≥ 1.0×") });
            double flops = 2.0 * n * n * n;
            Console.WriteLine($"- InitCore {flops / r.Ours.Median / 1e9:F0} GFLOP/s, PyTorch {(r.Theirs is Spread t ? (flops / t.Median / 1e9).ToString("F0", CultureInfo.InvariantCulture) : "n/a")} GFLOP/s (medians)");
            Console.WriteLine();
        }

        /// <summary>(batch, in channels, image size, out channels, kernel, stride); padding kernel / 2.</summary>
        private static readonly (int N, int C, int Size, int K, int Kernel, int Stride)[] ConvShapes =
        {
            (8, 64, 56, 64, 3, 1),     // a ResNet stage-1 convolution
            (4, 3, 224, 64, 7, 2),     // a ResNet stem
            (32, 128, 28, 128, 3, 1),
        };

        /// <summary>Single ResNet-like Conv2d layers, forward and forward + backward, vs torch.nn.Conv2d.</summary>
        private static void Conv(Session s)
        {
            s.Heading("conv", "single ResNet-like Conv2d layers (padding k/2, bias), forward and forward + backward (input, weight, bias gradients) vs torch.nn.Conv2d");
            var shapes = new JsonArray(ConvShapes.Select(x => (JsonNode)new JsonArray(x.N, x.C, x.Size, x.K, x.Kernel, x.Stride)).ToArray());
            s.SetupPeer("conv", new JsonObject { ["shapes"] = shapes });
            var rows = new List<(PairResult, string, double, double?, string)>();
            for (int i = 0; i < ConvShapes.Length; i++)
            {
                var (n, c, size, k, kernel, stride) = ConvShapes[i];
                var conv = new Conv2d(s.Engine, c, k, kernel, stride, kernel / 2);
                using Tensor x = s.Engine.CreateTensor(n, c, size, size);
                Init.Normal(x, 0, 1);
                Tensor y = conv.Forward(x);
                using Tensor g = s.Engine.CreateTensor(y.ShapeArray);
                Init.Normal(g, 0, 1);
                string name = FormattableString.Invariant($"{n}×{c}×{size}×{size} → {k}, k{kernel} s{stride}");
                rows.Add((s.Pair(name + ", forward", () => conv.Forward(x), $"{i}:forward", 2), "ms", 1e3, 1, "≥ 1.0×"));
                rows.Add((s.Pair(name + ", forward + backward", () => { conv.Forward(x); conv.Backward(g); }, $"{i}:fwd_bwd", 2), "ms", 1e3, 1, "≥ 1.0×"));
            }
            s.Table(rows);
        }

        private static (float[] Images, string? Path) MnistBatch(Session s, int batch)
        {
            MnistData data = Mnist.LoadBundled().Normalize();
            float[] images = data.Train.Slice(0, batch).Features.ToArray();
            return (images, s.Peer is null ? null : Common.WriteTemp(images));
        }

        /// <summary>The lessons' CNN at batch 512: forward + cross-entropy + backward, and LSUV, vs PyTorch and a fastai-style LSUV.</summary>
        private static void Cnn(Session s)
        {
            const int batch = 512;
            s.Heading("cnn", $"the lessons' CNN at batch {batch} of MNIST: forward + cross-entropy + backward vs PyTorch, and LSUV vs the fastai-style LSUV (whole-model forwards)");
            var (images, path) = MnistBatch(s, batch);
            try
            {
                s.SetupPeer("cnn", new JsonObject { ["path"] = path, ["batch"] = batch });
                Engine e = s.Engine;
                using Tensor x = e.CreateTensor(images, batch, 1, 28, 28);
                using Tensor y = e.CreateTensor(Enumerable.Range(0, batch).Select(i => (float)(i % 10)).ToArray(), batch);
                Sequential model = LessonCnn(e);
                var loss = new CrossEntropyLoss();
                PairResult fb = s.Pair("forward + backward", () =>
                {
                    model.ZeroGrad();
                    loss.Forward(model.Forward(x), y);
                    model.Backward(loss.Backward(), needInputGradient: false);
                }, "fwd_bwd", 5);
                var (lsuv, report) = TimeLsuv(s, model, x, "LSUV (lessons' CNN)");
                s.Table(new[] { (fb, "ms", 1e3, (double?)1, "≥ 1.0× (time ≤ 1.0× PyTorch's)"), (lsuv, "ms", 1e3, (double?)10, "≥ 10×") });
                Console.WriteLine($"- InitCore's LSUV: {report.LayerForwardCalls} layer forward calls, converged {report.AllConverged}; fastai-style: {lsuv.PeerForwards} whole-model forwards");
                Console.WriteLine();
            }
            finally
            {
                if (path is not null) File.Delete(path);
            }
        }

        private static (PairResult, LsuvReport) TimeLsuv(Session s, Sequential model, Tensor x, string name)
        {
            var start = model.Parameters().Select(p => p.Value.ToArray()).ToArray();
            LsuvReport? report = null;
            PairResult r = s.Pair(name, () =>
            {
                foreach (var (p, v) in model.Parameters().Zip(start)) p.Value.CopyFrom(v);
                foreach (GeneralReLU g in model.Modules().OfType<GeneralReLU>()) g.Sub = 0.4;
                report = Lsuv.Run(model, x);
            }, "lsuv", 1);
            return (r, report!);
        }

        private static Sequential LessonCnn(Engine e) => new Sequential(e,
            new Conv2d(e, 1, 8, 5, 2, 2), new GeneralReLU(e, 0.1, 0.4),
            new Conv2d(e, 8, 16, 3, 2, 1), new GeneralReLU(e, 0.1, 0.4),
            new Conv2d(e, 16, 32, 3, 2, 1), new GeneralReLU(e, 0.1, 0.4),
            new Conv2d(e, 32, 64, 3, 2, 1), new GeneralReLU(e, 0.1, 0.4),
            new Conv2d(e, 64, 64, 3, 2, 1), new GeneralReLU(e, 0.1, 0.4),
            new AdaptiveAvgPool2d(e), new Flatten(e), new Linear(e, 64, 10));

        /// <summary>LSUV on a 20-layer plain CNN (width 8) at batch 256 vs the fastai-style LSUV (torch_models.plain_cnn).</summary>
        private static void Lsuv20(Session s)
        {
            const int batch = 256, width = 8, depth = 20;
            s.Heading("lsuv20", $"LSUV on a {depth}-layer plain CNN (5×5 s2 conv 1→{width}, {depth - 2} 3×3 convs {width}→{width} on 14×14, GeneralReLU(0.1, 0.4), pool, Linear) at batch {batch} vs the fastai-style LSUV");
            var (images, path) = MnistBatch(s, batch);
            try
            {
                s.SetupPeer("lsuv20", new JsonObject { ["path"] = path, ["batch"] = batch, ["width"] = width, ["depth"] = depth });
                Engine e = s.Engine;
                using Tensor x = e.CreateTensor(images, batch, 1, 28, 28);
                var layers = new List<Module> { new Conv2d(e, 1, width, 5, 2, 2), new GeneralReLU(e, 0.1, 0.4) };
                for (int i = 0; i < depth - 2; i++) layers.AddRange(new Module[] { new Conv2d(e, width, width, 3, 1, 1), new GeneralReLU(e, 0.1, 0.4) });
                layers.AddRange(new Module[] { new AdaptiveAvgPool2d(e), new Flatten(e), new Linear(e, width, 10) });
                var model = new Sequential(e, layers.ToArray());
                var (r, report) = TimeLsuv(s, model, x, $"LSUV ({depth}-layer plain CNN)");
                s.Table(new[] { (r, "ms", 1e3, (double?)10, "≥ 10×") });
                Console.WriteLine($"- InitCore's LSUV: {report.LayerForwardCalls} layer forward calls, converged {report.AllConverged}; fastai-style: {r.PeerForwards} whole-model forwards");
                Console.WriteLine();
            }
            finally
            {
                if (path is not null) File.Delete(path);
            }
        }

        internal static double Percentile(double[] values, double p)
        {
            double[] v = values.OrderBy(x => x).ToArray();
            return v[Math.Clamp((int)Math.Ceiling(p * v.Length) - 1, 0, v.Length - 1)];
        }

        /// <summary>A game-style MLP policy 64 → 256 → 256 → 8 with tanh through Module.Infer, vs torch.no_grad() forward.</summary>
        private static void Infer(Session s)
        {
            s.Heading("infer", "MLP policy 64 → 256 → 256 → 8 with tanh, Module.Infer vs torch.no_grad() forward; a pair is a block of calls on each side, its figure the block's median call");
            int[] batches = { 1, 64 };
            s.SetupPeer("infer", new JsonObject { ["batches"] = new JsonArray(batches.Select(b => (JsonNode)b).ToArray()) });
            Engine e = s.Engine;
            var model = new Sequential(e, new Linear(e, 64, 256), new Tanh(e), new Linear(e, 256, 256), new Tanh(e), new Linear(e, 256, 8));
            model.Eval();
            var results = new List<(PairResult R, int Batch)>();
            foreach (int batch in batches)
            {
                using Tensor x = e.CreateTensor(batch, 64);
                Init.Normal(x, 0, 1);
                int calls = batch == 1 ? 1000 : 200;
                results.Add((s.Pair($"batch {batch}", () => model.Infer(x), $"b{batch}", 2, calls), batch));
            }
            s.Table(results.Select(r => (r.R, "µs", 1e6, r.Batch == 1 ? (double?)2 : null, r.Batch == 1 ? "≥ 2× (time ≤ 0.5× torch's)" : "none")));
            Console.WriteLine("| case | InitCore p50 | InitCore p99 | PyTorch p50 | PyTorch p99 | InitCore managed bytes per call (target 0) |");
            Console.WriteLine("| --- | ---: | ---: | ---: | ---: | ---: |");
            foreach (var (r, _) in results)
            {
                string Us(double[]? v, double p) => v is null ? "n/a" : (Percentile(v, p) * 1e6).ToString("F1", CultureInfo.InvariantCulture) + " µs";
                Console.WriteLine($"| {r.Name} | {Us(r.OursCalls, 0.5)} | {Us(r.OursCalls, 0.99)} | {Us(r.TheirsCalls, 0.5)} | {Us(r.TheirsCalls, 0.99)} | {r.BytesPerCall:F1} |");
            }
            Console.WriteLine();
        }
    }
}
