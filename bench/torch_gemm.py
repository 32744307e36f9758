#!/usr/bin/env python3
"""PyTorch's side of the GEMM benchmark: times torch.mm(a, b) on square float32 matrices (CPU) with a
given intra-op thread count and prints one JSON object.

Usage: OPENBLAS_NUM_THREADS=T OMP_NUM_THREADS=T /usr/bin/python3 bench/torch_gemm.py N REPS T
The InitCore benchmark (bench/InitCore.Bench gemm) runs this itself, once per thread count, in the same
session, on the same machine. A PyTorch built on the system BLAS (Debian's: BLAS_INFO=generic) passes
torch.mm to libblas.so.3, whose thread count comes from the environment, so set both.
"""
import ctypes
import json
import sys

import torch
from torch_timing import best_seconds


def blas_description():
    """The BLAS library mapped into this process (libblas.so.3 first), with OpenBLAS's own configuration when it is one."""
    paths = []
    with open("/proc/self/maps") as maps:
        for line in maps:
            fields = line.split()
            if len(fields) >= 6 and "blas" in fields[5].lower() and fields[5] not in paths:
                paths.append(fields[5])
    if not paths:
        return "no BLAS library mapped"
    paths.sort(key=lambda p: "libblas" not in p)
    text = paths[0]
    try:
        lib = ctypes.CDLL(paths[0])
        lib.openblas_get_config.restype = ctypes.c_char_p
        lib.openblas_get_corename.restype = ctypes.c_char_p
        text += " = %s, core %s, %d thread(s)" % (
            lib.openblas_get_config().decode(), lib.openblas_get_corename().decode(), lib.openblas_get_num_threads())
    except (OSError, AttributeError):
        pass
    return text


def main():
    n = int(sys.argv[1])
    reps = int(sys.argv[2])
    threads = int(sys.argv[3])
    torch.set_num_threads(threads)
    g = torch.Generator().manual_seed(0)
    a = torch.rand(n, n, generator=g) * 2 - 1
    b = torch.rand(n, n, generator=g) * 2 - 1
    c = torch.empty(n, n)
    best, median = best_seconds(lambda: torch.mm(a, b, out=c), reps)
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "blas": blas_description(),
        "n": n,
        "best_s": best,
        "median_s": median,
        "gflops": 2 * n ** 3 / best / 1e9,
    }))


if __name__ == "__main__":
    main()
