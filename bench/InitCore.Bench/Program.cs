// InitCore's benchmarks against PyTorch (Debian's /usr/bin/python3 with python3-torch) on the CPU, measured in
// interleaved pairs (InitCore, PyTorch, InitCore, PyTorch, ...) in one session, the peer a long-lived child process
// (bench/torch_peer.py). Every benchmark prints a markdown section for docs/performance.md.
//
//   dotnet run -c Release --project bench/InitCore.Bench -- <all|fill|stats|init|gemm|conv|cnn|lsuv20|infer>...
//       [--pairs N (default 7)] [--warmups N] [--threads N (default 2)] [--no-torch] [--python PATH]
using System;
using InitCore.Bench;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException ex)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
using var session = new Session(options, "dotnet run -c Release --project bench/InitCore.Bench -- " + string.Join(" ", args));
foreach (string name in options.Benchmarks) Benchmarks.Run(session, name);
return 0;
