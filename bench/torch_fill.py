#!/usr/bin/env python3
"""PyTorch's side of the fill benchmark: times torch.Tensor.normal_, uniform_ and
torch.nn.init.trunc_normal_ on one float32 tensor of N elements (CPU) and prints one JSON object.

Usage: /usr/bin/python3 bench/torch_fill.py N REPS
The InitCore benchmark (bench/InitCore.Bench) runs this itself, in the same session, on the same machine.
"""
import json
import os
import sys

import torch
from torch_timing import best_seconds


def main():
    n = int(sys.argv[1])
    reps = int(sys.argv[2])
    torch.set_num_threads(os.cpu_count() or 1)  # give PyTorch every core, as InitCore gets
    torch.manual_seed(0)
    x = torch.empty(n, dtype=torch.float32)
    results = {}
    for name, fn in [
        ("uniform", lambda: x.uniform_(-1.0, 1.0)),
        ("normal", lambda: x.normal_(0.0, 1.0)),
        ("trunc_normal", lambda: torch.nn.init.trunc_normal_(x, 0.0, 1.0, -2.0, 2.0)),
    ]:
        best, median = best_seconds(fn, reps)
        results[name] = {"best_s": best, "median_s": median, "gbps": n * 4 / best / 1e9}
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "n": n,
        "results": results,
    }))


if __name__ == "__main__":
    main()
