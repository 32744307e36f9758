#!/usr/bin/env python3
"""PyTorch's side of every InitCore benchmark, as one long-lived process driven over stdin/stdout, so that
InitCore.Bench can interleave the two sides (A B A B ...) in one session.

Usage: started by bench/InitCore.Bench (Debian's /usr/bin/python3 with python3-torch), which removes
OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE from this process's environment only, sets OPENBLAS_VERBOSE=2 and the
thread counts, and puts OpenBLAS's libblas.so.3 first on LD_LIBRARY_PATH when the system one is the reference BLAS.

Protocol: one JSON object per line in, one per line out (stdout carries nothing else; prints go to stderr).
  {"op": "info"}                                  -> torch version, thread counts, oneDNN, BLAS and its core
  {"op": "setup", "bench": NAME, "args": {...}}   -> {"cases": [...], "notes": [...]} (drops the previous setup)
  {"op": "run", "case": CASE, "calls": K}         -> {"s": [K per-call seconds]}
  {"op": "echo", "value": V}                      -> {"value": V} (the protocol's smoke test)
  {"op": "quit"}                                  -> exits
Any failure answers {"error": "..."} and the process stays usable.
"""
import copy
import ctypes
import gc
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

import torch_models as tm


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
        text += " (reference BLAS, not OpenBLAS: install libopenblas0-pthread)"
    return text


def median_seconds(fn, reps):
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return times[len(times) // 2]


def pick_layout(make, notes, label, reps=3):
    """The faster of NCHW (contiguous) and NHWC (channels_last) for make(memory_format) -> fn, after a warm-up each.
    Returns (fn, memory_format); make is called again for the winner, so the module is left in that layout."""
    best = None
    for fmt, name in ((torch.contiguous_format, "NCHW"), (torch.channels_last, "channels_last")):
        fn = make(fmt)
        fn()
        t = median_seconds(fn, reps)
        if best is None or t < best[0]:
            best = (t, name, fmt)
    notes.append("%s: %s (faster here)" % (label, best[1]))
    return make(best[2]), best[2]


def read_images(path, batch):
    return torch.from_numpy(np.fromfile(path, dtype="<f4").reshape(batch, 1, 28, 28).copy())


def setup_fill(a, notes):
    x = torch.empty(a["n"], dtype=torch.float32)
    return {"uniform": lambda: x.uniform_(-1.0, 1.0),
            "normal": lambda: x.normal_(0.0, 1.0),
            "trunc_normal": lambda: torch.nn.init.trunc_normal_(x, 0.0, 1.0, -2.0, 2.0)}


def setup_gemm(a, notes):
    n = a["n"]
    g = torch.Generator().manual_seed(0)
    x = torch.rand(n, n, generator=g) * 2 - 1
    y = torch.rand(n, n, generator=g) * 2 - 1
    c = torch.empty(n, n)
    return {"mm": lambda: torch.mm(x, y, out=c)}


def setup_stats(a, notes):
    x = torch.randn(a["n"])
    bins, lo, hi = a["bins"], a["min"], a["max"]

    def stats():
        torch.var_mean(x, unbiased=False)
        torch.aminmax(x)
        torch.histc(x, bins, lo, hi)
    return {"stats": stats}


def setup_init(a, notes):
    params = [(kind, torch.empty(shape)) for kind, shape in a["params"]]
    notes.append("%d tensors, %d parameters" % (len(params), sum(t.numel() for _, t in params)))
    fan_in = {}
    for kind, t in params:
        if t.dim() > 1:
            fan_in[id(t)] = t[0].numel()

    def init():
        # what each layer's reset_parameters does: Conv2d/Linear weight kaiming_uniform_(a=sqrt(5)), Linear bias
        # U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with the weight's fan_in, BatchNorm2d weight 1 and bias 0
        last_fan_in = 1
        for kind, t in params:
            if kind in ("conv", "fc_weight"):
                torch.nn.init.kaiming_uniform_(t, a=math.sqrt(5))
                last_fan_in = fan_in[id(t)]
            elif kind == "fc_bias":
                bound = 1 / math.sqrt(last_fan_in)
                torch.nn.init.uniform_(t, -bound, bound)
            elif kind == "bn_weight":
                torch.nn.init.ones_(t)
            elif kind == "bn_bias":
                torch.nn.init.zeros_(t)
            else:
                raise ValueError("unknown parameter kind " + kind)
    return {"init": init}


def setup_cnn(a, notes):
    x = read_images(a["path"], a["batch"])
    y = torch.arange(a["batch"]) % 10
    torch.manual_seed(0)
    model = tm.cnn()
    start = {k: v.clone() for k, v in model.state_dict().items()}

    def make(fmt):
        model.to(memory_format=fmt)
        xf = x.contiguous(memory_format=fmt)

        def fwd_bwd():
            model.zero_grad()
            F.cross_entropy(model(xf), y).backward()
        return fwd_bwd
    fwd_bwd, fmt = pick_layout(make, notes, "lessons' CNN layout")
    xl = x.contiguous(memory_format=fmt)

    def lsuv():
        model.load_state_dict(start)
        for m in model:
            if isinstance(m, tm.ConvLayer):
                m.relu.sub = 0.4
        notes_forwards[0] = tm.fastai_lsuv(model, xl)
    notes_forwards = [0]
    return {"fwd_bwd": fwd_bwd, "lsuv": lsuv, "_forwards": notes_forwards}


def setup_lsuv20(a, notes):
    x = read_images(a["path"], a["batch"])
    torch.manual_seed(0)
    model = tm.plain_cnn(a["width"], a["depth"])
    start = {k: v.clone() for k, v in model.state_dict().items()}

    def make(fmt):
        model.to(memory_format=fmt)
        xf = x.contiguous(memory_format=fmt)

        def forward():
            with torch.no_grad():
                model(xf)
        return forward
    _, fmt = pick_layout(make, notes, "20-layer CNN layout")
    xl = x.contiguous(memory_format=fmt)
    forwards = [0]

    def lsuv():
        model.load_state_dict(start)
        for m in model:
            if isinstance(m, tm.ConvLayer):
                m.relu.sub = 0.4
        forwards[0] = tm.fastai_lsuv(model, xl)
    return {"lsuv": lsuv, "_forwards": forwards}


def setup_conv(a, notes):
    torch.manual_seed(0)
    cases = {}
    for i, (n, c, size, k, kernel, stride) in enumerate(a["shapes"]):
        conv = torch.nn.Conv2d(c, k, kernel, stride, kernel // 2)
        conv_f = copy.deepcopy(conv)  # the forward case's own module, so each case keeps its own layout
        x0 = torch.randn(n, c, size, size)
        g0 = torch.randn_like(conv(x0))

        def make_forward(fmt, conv=conv_f, x0=x0):
            conv.to(memory_format=fmt)
            x = x0.contiguous(memory_format=fmt)

            def forward():
                with torch.no_grad():
                    conv(x)
            return forward

        def make_both(fmt, conv=conv, x0=x0, g0=g0):
            conv.to(memory_format=fmt)
            x = x0.contiguous(memory_format=fmt).requires_grad_()
            g = g0.contiguous(memory_format=fmt)

            def fwd_bwd():
                conv.zero_grad()
                x.grad = None
                conv(x).backward(g)
            return fwd_bwd
        label = "conv %d (%dx%dx%dx%d -> %d, k%d s%d)" % (i, n, c, size, size, k, kernel, stride)
        cases["%d:forward" % i] = pick_layout(make_forward, notes, label + " forward layout")[0]
        cases["%d:fwd_bwd" % i] = pick_layout(make_both, notes, label + " forward + backward layout")[0]
    return cases


def setup_infer(a, notes):
    torch.manual_seed(0)
    model = tm.mlp_policy().eval()
    cases = {}
    for batch in a["batches"]:
        x = torch.randn(batch, 64)

        def forward(x=x):
            with torch.no_grad():
                model(x)
        cases["b%d" % batch] = forward
    return cases


SETUPS = {"fill": setup_fill, "gemm": setup_gemm, "stats": setup_stats, "init": setup_init, "cnn": setup_cnn,
          "lsuv20": setup_lsuv20, "conv": setup_conv, "infer": setup_infer}


def main():
    out = sys.stdout
    sys.stdout = sys.stderr  # the protocol owns the real stdout
    threads = int(os.environ.get("INITCORE_BENCH_THREADS", "2"))
    torch.set_num_threads(threads)
    torch.backends.mkldnn.enabled = True
    cases = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            req = json.loads(line)
            op = req.get("op")
            if op == "quit":
                break
            if op == "echo":
                reply = {"value": req.get("value")}
            elif op == "info":
                torch.mm(torch.ones(64, 64), torch.ones(64, 64))  # loads the BLAS (OpenBLAS prints its core now)
                reply = {"torch": torch.__version__, "threads": torch.get_num_threads(),
                         "interop_threads": torch.get_num_interop_threads(),
                         "mkldnn_available": torch.backends.mkldnn.is_available(),
                         "mkldnn_enabled": torch.backends.mkldnn.enabled,
                         "cpu_capability": torch.__config__.show().split("CPU capability usage:")[-1].split("\n")[0].strip(),
                         "blas": blas_description(),
                         "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS",
                                                                "OPENBLAS_NUM_THREADS", "LD_LIBRARY_PATH")}}
            elif op == "setup":
                cases = {}
                gc.collect()
                notes = []
                cases = SETUPS[req["bench"]](req.get("args", {}), notes)
                reply = {"cases": [c for c in cases if not c.startswith("_")], "notes": notes}
            elif op == "run":
                fn = cases[req["case"]]
                times = []
                for _ in range(int(req.get("calls", 1))):
                    t0 = time.perf_counter()
                    fn()
                    times.append(time.perf_counter() - t0)
                reply = {"s": times}
                if "_forwards" in cases:
                    reply["forwards"] = cases["_forwards"][0]
            else:
                reply = {"error": "unknown op %r; use info, setup, run, echo or quit" % op}
        except Exception as e:  # answer and stay usable
            reply = {"error": "%s: %s" % (type(e).__name__, e)}
        out.write(json.dumps(reply) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
