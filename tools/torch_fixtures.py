#!/usr/bin/env python3
"""Generate the PyTorch reference fixtures for InitCore's TorchGenerator tests.

Run with Debian's PyTorch (python3-torch):

    /usr/bin/python3 tools/torch_fixtures.py

It writes tests/InitCore.Tests/Fixtures/torch/torch_fixtures.json: sequences of torch.nn.init
calls (and nn.Linear / nn.Conv2d construction) after torch.manual_seed, each result stored as the
float32 bit patterns (8 hex digits per element, row-major). The C# tests replay every sequence
with a TorchGenerator and compare bits; orthogonal_ results are compared within a ulp bound,
because torch's QR runs in LAPACK (float32, through whatever BLAS is installed) and InitCore's in
its own double-precision Householder. It also stores a few tables of scalar functions the fills
depend on: torch.erfinv on float32, Python's math.erf, and calculate_gain('leaky_relu', slope).

Options:
    --out PATH      write the JSON somewhere else
    --stress N      also write PATH.stress.bin: raw float32 of normal_(N) and trunc_normal_(N)
                    after manual_seed(1234), for one-off large-scale checks (not committed)
"""

import argparse
import json
import math
import os
import platform
import random
import subprocess
import struct
import sys

import torch
import torch.nn as nn
import torch.nn.init as init

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "tests", "InitCore.Tests", "Fixtures", "torch", "torch_fixtures.json")


def bits(t):
    """float32 tensor -> hex string, 8 digits (the uint32 bit pattern) per element, row-major."""
    a = t.detach().contiguous().view(-1).numpy().view("<u4")
    return "".join("%08x" % int(v) for v in a)


def bits64(values):
    """Python floats -> hex string, 16 digits (the uint64 bit pattern) per value."""
    return "".join("%016x" % struct.unpack("<Q", struct.pack("<d", v))[0] for v in values)


def package_version(name):
    try:
        return subprocess.run(["dpkg-query", "-W", "-f=${Version}", name], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return ""


def loaded_libraries(*needles):
    """Shared libraries mapped into this process whose path contains one of the needles (Linux)."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "/" in line}
    except OSError:
        return []
    return sorted(p for p in paths if any(n in os.path.basename(p) for n in needles))


class Recorder:
    """Runs torch calls and records each as a step the C# side can replay."""

    def __init__(self, name, seed):
        self.name = name
        self.seed = seed
        self.steps = []
        torch.manual_seed(seed)

    def manual_seed(self, seed):
        torch.manual_seed(seed)
        self.steps.append({"op": "manual_seed", "seed": str(seed)})

    def _tensor(self, shape):
        return torch.empty(shape, dtype=torch.float32)

    def uniform(self, shape, a=0.0, b=1.0):
        t = init.uniform_(self._tensor(shape), a, b)
        self.steps.append({"op": "uniform", "shape": list(shape), "a": a, "b": b, "bits": bits(t)})

    def normal(self, shape, mean=0.0, std=1.0):
        t = init.normal_(self._tensor(shape), mean, std)
        self.steps.append({"op": "normal", "shape": list(shape), "mean": mean, "std": std, "bits": bits(t)})

    def trunc_normal(self, shape, mean=0.0, std=1.0, a=-2.0, b=2.0):
        t = init.trunc_normal_(self._tensor(shape), mean, std, a, b)
        self.steps.append({"op": "trunc_normal", "shape": list(shape), "mean": mean, "std": std, "a": a, "b": b, "bits": bits(t)})

    def kaiming_uniform(self, shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
        t = init.kaiming_uniform_(self._tensor(shape), a=a, mode=mode, nonlinearity=nonlinearity)
        self.steps.append({"op": "kaiming_uniform", "shape": list(shape), "a": float(a), "mode": mode, "nonlinearity": nonlinearity, "bits": bits(t)})

    def kaiming_normal(self, shape, a=0.0, mode="fan_in", nonlinearity="leaky_relu"):
        t = init.kaiming_normal_(self._tensor(shape), a=a, mode=mode, nonlinearity=nonlinearity)
        self.steps.append({"op": "kaiming_normal", "shape": list(shape), "a": float(a), "mode": mode, "nonlinearity": nonlinearity, "bits": bits(t)})

    def xavier_uniform(self, shape, gain=1.0):
        t = init.xavier_uniform_(self._tensor(shape), gain=gain)
        self.steps.append({"op": "xavier_uniform", "shape": list(shape), "gain": gain, "bits": bits(t)})

    def xavier_normal(self, shape, gain=1.0):
        t = init.xavier_normal_(self._tensor(shape), gain=gain)
        self.steps.append({"op": "xavier_normal", "shape": list(shape), "gain": gain, "bits": bits(t)})

    def linear(self, in_features, out_features):
        layer = nn.Linear(in_features, out_features)   # reset_parameters: weight, then bias
        self.steps.append({"op": "linear", "in": in_features, "out": out_features,
                           "bits": bits(layer.weight), "bias_bits": bits(layer.bias)})

    def conv2d(self, in_channels, out_channels, kernel_size):
        layer = nn.Conv2d(in_channels, out_channels, kernel_size)
        self.steps.append({"op": "conv2d", "in": in_channels, "out": out_channels, "kernel": kernel_size,
                           "bits": bits(layer.weight), "bias_bits": bits(layer.bias)})

    def orthogonal(self, shape, gain=1.0):
        t = init.orthogonal_(self._tensor(shape), gain=gain)
        self.steps.append({"op": "orthogonal", "shape": list(shape), "gain": gain, "bits": bits(t)})

    def to_json(self):
        return {"name": self.name, "seed": str(self.seed), "steps": self.steps}


def sequences():
    out = []

    # Distributions on every size class: uniform (1, 7, 16, 17, 1000); normal on the small double
    # path (1, 3, then 1 from the cache) and the AVX2 path (15 -> small, 16, 17, 31, 1000).
    r = Recorder("seed42_distributions", 42)
    r.uniform([1])
    r.uniform([7], -1.5, 2.0)
    r.uniform([16], 0.0, 1.0)
    r.uniform([17], -0.1234567, 0.1234567)
    r.uniform([1000], -3.0, 0.5)
    r.normal([1])
    r.normal([3], 0.5, 2.0)          # two fresh pairs: the second pair's sine half stays cached
    r.normal([1], -1.0, 0.25)        # uses the cached value
    r.normal([15], 0.0, 1.0)         # still the small path
    r.normal([16])
    r.normal([17], 1.0, 0.5)         # redo of the last 16
    r.normal([31], 0.0, 3.0)
    r.normal([1000], 0.1, 0.02)
    r.normal([20, 50])
    r.uniform([5], 2.0, 2.0)
    out.append(r)

    # A large 64-bit seed (only its low 32 bits reach MT19937), the truncated normal, and the
    # variance-scaling initializers.
    r = Recorder("seed_large64_init", 0xDEADBEEFCAFEBABE)
    r.trunc_normal([1000])
    r.trunc_normal([20, 30], 0.5, 2.0, -1.0, 3.0)
    r.trunc_normal([5], 0.0, 0.02, -0.04, 0.04)
    r.trunc_normal([64], -1.0, 0.5, -3.0, 1.0)
    r.kaiming_uniform([30, 20])
    r.kaiming_uniform([16, 3, 3, 3], mode="fan_out", nonlinearity="relu")
    r.kaiming_uniform([40, 12], a=0.1, mode="fan_in", nonlinearity="leaky_relu")
    r.kaiming_normal([64, 32], mode="fan_in", nonlinearity="relu")
    r.kaiming_normal([8, 4, 5, 5], a=0.2, mode="fan_out", nonlinearity="leaky_relu")
    r.kaiming_normal([3, 4], a=0.01, nonlinearity="leaky_relu")
    r.xavier_uniform([30, 20])
    r.xavier_uniform([8, 3, 5, 5], gain=init.calculate_gain("tanh"))
    r.xavier_normal([40, 10])
    r.xavier_normal([7, 3], gain=math.sqrt(2.0))
    out.append(r)

    # What a user writes: manual_seed, then build layers (weights, then biases).
    r = Recorder("seed0_layers", 0)
    r.linear(20, 30)
    r.conv2d(3, 8, 5)
    r.linear(5, 3)
    out.append(r)

    # The cached normal survives other fills, and manual_seed clears it.
    r = Recorder("seed7_cache", 7)
    r.normal([1])
    r.uniform([4])
    r.normal([16])
    r.normal([2])                    # cached value, then a fresh pair
    r.manual_seed(7)
    r.normal([1])
    r.normal([1])
    r.manual_seed(-1)
    r.uniform([3])
    out.append(r)

    # orthogonal_ (bounded, not bit-exact: torch uses LAPACK's float QR). The uniform_ after each
    # call checks that the generator is at the same position as torch's.
    r = Recorder("seed3_orthogonal", 3)
    r.orthogonal([8, 8])
    r.uniform([2])
    r.orthogonal([10, 30])
    r.orthogonal([30, 10], gain=math.sqrt(2.0))
    r.orthogonal([16, 3, 3, 3])
    r.orthogonal([64, 64])
    r.orthogonal([3, 5])
    r.uniform([2])
    out.append(r)

    return out


def math_tables():
    """Scalar functions the fills use, on points chosen to cover every branch."""
    rng = random.Random(11)
    # erfinv on float32: the central rational branch (|y| <= 0.7), the tail branch, the edges.
    ys = [rng.uniform(-1.0, 1.0) for _ in range(3000)]
    ys += [math.copysign(1.0 - 10.0 ** -rng.uniform(1.0, 7.2), rng.choice((-1.0, 1.0))) for _ in range(600)]
    ys += [0.0, -0.0, 0.7, -0.7, 0.70000005, 1e-30, -1e-8, 0.99999994, -0.99999994, 1.0, -1.0]
    y = torch.tensor(ys, dtype=torch.float32)
    erfinv = {"x": bits(y), "y": bits(torch.erfinv(y))}
    # math.erf in double (torch.nn.init's norm_cdf uses it): every fdlibm interval.
    xs = [rng.uniform(-7.0, 7.0) for _ in range(400)]
    xs += [rng.uniform(-1.0, 1.0) * 10.0 ** rng.uniform(-12.0, 0.0) for _ in range(100)]
    xs += [0.0, 0.84375, -1.25, 2.857142857142857, 6.0, -6.5, 1e-300]
    erf = {"x": bits64(xs), "y": bits64([math.erf(v) for v in xs])}
    # calculate_gain('leaky_relu', slope): torch squares the slope with **, i.e. C's pow().
    slopes = [0.01, 0.1, 0.2, 0.3, math.sqrt(5.0), 0.9291315695887826, 2.5281381021717, 0.0015885594285642035]
    gains = {"slope": bits64(slopes), "gain": bits64([init.calculate_gain("leaky_relu", v) for v in slopes])}
    return {"erfinv_float32": erfinv, "erf_double": erf, "leaky_relu_gain": gains}


def dump(doc):
    """JSON with one step or table per line: readable diffs, no wasted indentation."""
    lines = ["{"]
    head = [k for k in doc if k not in ("sequences", "math")]
    for k in head:
        lines.append(" %s: %s," % (json.dumps(k), json.dumps(doc[k])))
    lines.append(' "math": {')
    items = list(doc["math"].items())
    for i, (k, v) in enumerate(items):
        lines.append("  %s: %s%s" % (json.dumps(k), json.dumps(v), "," if i + 1 < len(items) else ""))
    lines.append(" },")
    lines.append(' "sequences": [')
    for i, seq in enumerate(doc["sequences"]):
        lines.append('  {"name": %s, "seed": %s, "steps": [' % (json.dumps(seq["name"]), json.dumps(seq["seed"])))
        for j, step in enumerate(seq["steps"]):
            lines.append("   %s%s" % (json.dumps(step), "," if j + 1 < len(seq["steps"]) else ""))
        lines.append("  ]}%s" % ("," if i + 1 < len(doc["sequences"]) else ""))
    lines.append(" ]")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=DEFAULT_OUT)
    parser.add_argument("--stress", type=int, default=0)
    args = parser.parse_args()

    torch.set_num_threads(1)
    seqs = [r.to_json() for r in sequences()]
    doc = {
        "generator": "tools/torch_fixtures.py",
        "torch_version": torch.__version__,
        "torch_package": package_version("python3-torch"),
        "torch_config": [line.strip() for line in torch.__config__.show().splitlines()
                         if "CPU capability" in line or "GCC" in line],
        "python": sys.version.split()[0],
        "machine": platform.machine(),
        "libc": " ".join(platform.libc_ver()),
        "blas_lapack": loaded_libraries("blas", "lapack"),
        "math": math_tables(),
        "sequences": seqs,
    }
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        f.write(dump(doc))
    print("wrote", os.path.abspath(args.out))

    if args.stress:
        torch.manual_seed(1234)
        a = torch.empty(args.stress).normal_(0.0, 1.0)
        b = torch.empty(args.stress)
        init.trunc_normal_(b, 0.0, 1.0, -3.0, 3.0)
        with open(args.out + ".stress.bin", "wb") as f:
            f.write(a.numpy().astype("<f4").tobytes())
            f.write(b.numpy().astype("<f4").tobytes())
        print("wrote", os.path.abspath(args.out + ".stress.bin"))


if __name__ == "__main__":
    main()
