// Single Conv2d layers larger than the lessons' CNN, on the CPU: forward, and forward + backward (input,
// weight and bias gradients), side by side with torch.nn.Conv2d on the same shapes (bench/torch_conv.py
// through Debian's /usr/bin/python3, with torch.set_num_threads set to the same thread count).
//
//   dotnet run -c Release --project bench/InitCore.Bench -- conv [--reps 5] [--no-torch] [--python /usr/bin/python3]
//
// GFLOP/s counts 2·N·K·P·Q·C·R·S operations for the forward pass and three times that for forward + backward.
// Each figure is the best of --reps runs after two warm-up runs on each side.
using System;
using System.Globalization;
using System.Linq;
using InitCore.Nn;

namespace InitCore.Bench
{
    internal static class ConvBenchmark
    {
        /// <summary>(batch, in channels, image size, out channels, kernel, stride); padding kernel / 2.</summary>
        private static readonly (int N, int C, int Size, int K, int Kernel, int Stride)[] Shapes =
        {
            (8, 64, 56, 64, 3, 1),     // a ResNet stage-1 convolution
            (4, 3, 224, 64, 7, 2),     // a ResNet stem: large images, cut into bands of output rows
            (32, 128, 28, 128, 3, 1),
        };

        internal static int Run(string[] args)
        {
            int unused = 0, reps = 5;
            if (!Common.ParseArgs(args, null, ref unused, ref reps, out bool runTorch, out string python)) return 2;
            int threads = Environment.ProcessorCount;
            Console.WriteLine($"machine: {threads} logical cores, {Common.CpuModel()}; best of {reps} after 2 warm-ups");
            using var engine = Engine.Create(new EngineOptions { Backend = BackendKind.Cpu, Seed = 0 });
            var ours = new (double Forward, double Both)[Shapes.Length];
            for (int i = 0; i < Shapes.Length; i++)
            {
                var (n, c, size, k, kernel, stride) = Shapes[i];
                var conv = new Conv2d(engine, c, k, kernel, stride, kernel / 2);
                using Tensor x = engine.CreateTensor(n, c, size, size);
                Init.Normal(x, 0, 1);
                Tensor y = conv.Forward(x);
                using Tensor g = engine.CreateTensor(y.ShapeArray);
                Init.Normal(g, 0, 1);
                ours[i].Forward = Common.Time(() => conv.Forward(x), reps, 2).Best;
                ours[i].Both = Common.Time(() => { conv.Forward(x); conv.Backward(g); }, reps, 2).Best;
            }
            double[][]? torch = null;
            string version = "";
            if (runTorch)
            {
                string shapes = string.Join(";", Shapes.Select(s => FormattableString.Invariant($"{s.N},{s.C},{s.Size},{s.K},{s.Kernel},{s.Stride}")));
                using var doc = Common.RunPython(python, "torch_conv.py", $"\"{shapes}\" {reps} {threads}");
                if (doc is not null)
                {
                    version = doc.RootElement.GetProperty("torch").GetString() ?? "";
                    torch = doc.RootElement.GetProperty("results").EnumerateArray()
                        .Select(r => new[] { r.GetProperty("forward_s").GetDouble(), r.GetProperty("fwd_bwd_s").GetDouble() }).ToArray();
                }
            }
            Console.WriteLine();
            Console.WriteLine($"| Conv2d, {threads} threads | pass | InitCore ms | GFLOP/s | PyTorch {version} ms | InitCore time / PyTorch time |");
            Console.WriteLine("| --- | --- | ---: | ---: | ---: | ---: |");
            for (int i = 0; i < Shapes.Length; i++)
            {
                var (n, c, size, k, kernel, stride) = Shapes[i];
                int p = (size + 2 * (kernel / 2) - kernel) / stride + 1;
                double flops = 2.0 * n * k * p * p * c * kernel * kernel;
                string name = FormattableString.Invariant($"{n}×{c}×{size}×{size} → {k}, k{kernel} s{stride}");
                for (int pass = 0; pass < 2; pass++)
                {
                    double t = pass == 0 ? ours[i].Forward : ours[i].Both;
                    double work = pass == 0 ? flops : 3 * flops;
                    string theirs = torch is null ? "n/a" : (torch[i][pass] * 1000).ToString("F1", CultureInfo.InvariantCulture);
                    string ratio = torch is null ? "n/a" : (t / torch[i][pass]).ToString("F2", CultureInfo.InvariantCulture) + "×";
                    Console.WriteLine(FormattableString.Invariant($"| {name} | {(pass == 0 ? "forward" : "forward + backward")} | {t * 1000:F1} | {work / t / 1e9:F0} | {theirs} | {ratio} |"));
                }
            }
            return 0;
        }
    }
}
