// InitCore's benchmarks, side by side with PyTorch run in the same session on the same machine
// (through Debian's /usr/bin/python3). The first argument picks the benchmark:
//
//   dotnet run -c Release --project bench/InitCore.Bench -- [fill] [--size 67108864] [--reps 7] [--no-torch] [--python /usr/bin/python3]
//   dotnet run -c Release --project bench/InitCore.Bench -- gemm [--size 1024] [--reps 20] [--no-torch] [--python /usr/bin/python3]
//
// fill (the default): InitCore's uniform, normal and trunc_normal against torch's CPU fills (FillBenchmark.cs).
// gemm: a square row-major SGEMM, C = A·B, against torch.mm (GemmBenchmark.cs).
//   dotnet run -c Release --project bench/InitCore.Bench -- cnn [--batch 512] [--reps 5] [--no-torch] [--python /usr/bin/python3]
// cnn: the lessons' CNN forward + backward, and LSUV on it, against PyTorch and a fastai-style LSUV (CnnBenchmark.cs).
//   dotnet run -c Release --project bench/InitCore.Bench -- conv [--reps 5] [--no-torch] [--python /usr/bin/python3]
// conv: single Conv2d layers larger than the lessons' (ResNet-like shapes) against torch.nn.Conv2d (ConvBenchmark.cs).
using System;
using System.Linq;
using InitCore.Bench;

string benchmark = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "fill";
string[] rest = args.Length > 0 && args[0] == benchmark ? args.Skip(1).ToArray() : args;
switch (benchmark)
{
    case "fill": return FillBenchmark.Run(rest);
    case "gemm": return GemmBenchmark.Run(rest);
    case "cnn": return CnnBenchmark.Run(rest);
    case "conv": return ConvBenchmark.Run(rest);
    default:
        Console.Error.WriteLine($"unknown benchmark {benchmark}; the first argument is fill (the default), gemm, cnn or conv");
        return 2;
}
