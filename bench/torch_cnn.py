#!/usr/bin/env python3
"""PyTorch's side of the CNN and LSUV benchmarks (CPU).

Usage: /usr/bin/python3 bench/torch_cnn.py INPUT.f32 BATCH REPS THREADS [WARMUPS]
  INPUT.f32: BATCH x 1 x 28 x 28 little-endian float32 images (normalized), written by InitCore.Bench,
  so both sides run on the same data. Prints one JSON object:
  - fwd_bwd_s: best time of forward + cross-entropy + backward of the lessons' CNN at this batch;
  - lsuv_s: best time of a fastai-style LSUV (course lesson 07a: per layer, re-run the whole model until
    |mean| < 1e-3 through the GeneralRelu's sub, then until |std - 1| < 1e-3 through the weight; capped
    at 50 iterations per loop so it cannot spin forever), starting each repetition from the same init;
  - lsuv_forwards: whole-model forward calls LSUV made.
"""
import json
import sys

import numpy as np
import torch
from torch_timing import best_seconds
from torch import nn
import torch.nn.functional as F


class GeneralRelu(nn.Module):
    def __init__(self, leak=None, sub=None, maxv=None):
        super().__init__()
        self.leak, self.sub, self.maxv = leak, sub, maxv

    def forward(self, x):
        x = F.leaky_relu(x, self.leak) if self.leak is not None else F.relu(x)
        if self.sub is not None:
            x.sub_(self.sub)
        if self.maxv is not None:
            x.clamp_max_(self.maxv)
        return x


class ConvLayer(nn.Module):
    def __init__(self, ni, nf, ks=3, stride=2):
        super().__init__()
        self.conv = nn.Conv2d(ni, nf, ks, padding=ks // 2, stride=stride)
        self.relu = GeneralRelu(0.1, 0.4)

    def forward(self, x):
        return self.relu(self.conv(x))


def cnn():
    return nn.Sequential(ConvLayer(1, 8, 5), ConvLayer(8, 16), ConvLayer(16, 32), ConvLayer(32, 64), ConvLayer(64, 64),
                         nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def main():
    path, batch, reps, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    warmups = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    torch.set_num_threads(threads)
    x = torch.from_numpy(np.fromfile(path, dtype="<f4").reshape(batch, 1, 28, 28))
    y = torch.arange(batch) % 10
    torch.manual_seed(0)
    model = cnn()

    def fwd_bwd():
        model.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()

    fwd_bwd_s = best_seconds(fwd_bwd, reps, warmups)[0]

    state = {k: v.clone() for k, v in model.state_dict().items()}
    forwards = [0]

    def lsuv():
        model.load_state_dict(state)
        for m in model:
            if isinstance(m, ConvLayer):
                m.relu.sub = 0.4
        forwards[0] = 0
        stats = {}

        def hook(mod, inp, out):
            stats["mean"], stats["std"] = out.mean().item(), out.std().item()

        with torch.no_grad():
            for m in [m for m in model if isinstance(m, (ConvLayer, nn.Linear))]:
                h = m.register_forward_hook(hook)
                try:
                    def run():
                        model(x)
                        forwards[0] += 1
                    run()
                    it = 0
                    while abs(stats["mean"]) > 1e-3 and it < 50:
                        if isinstance(m, ConvLayer):
                            m.relu.sub += stats["mean"]
                        else:
                            m.bias -= stats["mean"]
                        run()
                        it += 1
                    it = 0
                    while abs(stats["std"] - 1) > 1e-3 and it < 50:
                        (m.conv.weight if isinstance(m, ConvLayer) else m.weight).data /= stats["std"]
                        run()
                        it += 1
                finally:
                    h.remove()

    lsuv_s = best_seconds(lsuv, reps, warmups)[0]
    print(json.dumps({"torch": torch.__version__, "threads": torch.get_num_threads(), "batch": batch,
                      "fwd_bwd_s": fwd_bwd_s, "lsuv_s": lsuv_s, "lsuv_forwards": forwards[0]}))


if __name__ == "__main__":
    main()
