#!/usr/bin/env python3
"""PyTorch's side of the single-layer convolution benchmark (CPU).

Usage: /usr/bin/python3 bench/torch_conv.py "N,C,SIZE,K,KERNEL,STRIDE;..." REPS THREADS
  For each shape: torch.nn.Conv2d(C, K, KERNEL, STRIDE, KERNEL // 2) on a random N x C x SIZE x SIZE input
  that requires grad. Prints one JSON object with, per shape, the best time of the forward pass (under
  no_grad) and of forward + backward (input, weight and bias gradients), each after two warm-up runs.
"""
import json
import sys

import torch
from torch_timing import best_seconds


def main():
    shapes = [tuple(int(v) for v in s.split(",")) for s in sys.argv[1].split(";")]
    reps, threads = int(sys.argv[2]), int(sys.argv[3])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    results = []
    for n, c, size, k, kernel, stride in shapes:
        conv = torch.nn.Conv2d(c, k, kernel, stride, kernel // 2)
        x = torch.randn(n, c, size, size, requires_grad=True)
        g = torch.randn_like(conv(x))

        def forward():
            with torch.no_grad():
                conv(x)

        def fwd_bwd():
            conv.zero_grad()
            x.grad = None
            conv(x).backward(g)

        results.append({"forward_s": best_seconds(forward, reps, 2)[0], "fwd_bwd_s": best_seconds(fwd_bwd, reps, 2)[0]})
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "results": results}))


if __name__ == "__main__":
    main()
