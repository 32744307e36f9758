"""The PyTorch models and the fastai-style LSUV the benchmarks compare against (imported by torch_peer.py).

- cnn(): the lessons' CNN (five ConvLayers with GeneralRelu(0.1, 0.4), average pool, Linear(64, 10));
- plain_cnn(): the 20-layer plain CNN of `lsuv20` (19 ConvLayers, then pool and Linear);
- mlp_policy(): the game-style policy 64 -> 256 -> 256 -> 8 with tanh of `infer`;
- fastai_lsuv(): LSUV as in the course's lesson 07a: per layer, re-run the WHOLE model until |mean| < 1e-3
  through the GeneralRelu's sub, then until |std - 1| < 1e-3 through the weight (each loop capped at 50
  iterations so it cannot spin forever).
"""
import torch
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


def plain_cnn(width=8, depth=20):
    """depth weight layers: a 5x5 stride-2 ConvLayer(1, width), depth - 2 ConvLayer(width, width, 3, 1), pool, Linear(width, 10)."""
    layers = [ConvLayer(1, width, 5)] + [ConvLayer(width, width, 3, 1) for _ in range(depth - 2)]
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(width, 10))


def mlp_policy():
    return nn.Sequential(nn.Linear(64, 256), nn.Tanh(), nn.Linear(256, 256), nn.Tanh(), nn.Linear(256, 8))


def fastai_lsuv(model, x):
    """Runs the fastai-style LSUV on model (ConvLayers and the final Linear) with batch x; returns the whole-model forwards."""
    forwards = 0
    stats = {}

    def hook(mod, inp, out):
        stats["mean"], stats["std"] = out.mean().item(), out.std().item()

    with torch.no_grad():
        for m in [m for m in model if isinstance(m, (ConvLayer, nn.Linear))]:
            h = m.register_forward_hook(hook)
            try:
                model(x)
                forwards += 1
                it = 0
                while abs(stats["mean"]) > 1e-3 and it < 50:
                    if isinstance(m, ConvLayer):
                        m.relu.sub += stats["mean"]
                    else:
                        m.bias -= stats["mean"]
                    model(x)
                    forwards += 1
                    it += 1
                it = 0
                while abs(stats["std"] - 1) > 1e-3 and it < 50:
                    (m.conv.weight if isinstance(m, ConvLayer) else m.weight).data /= stats["std"]
                    model(x)
                    forwards += 1
                    it += 1
            finally:
                h.remove()
    return forwards
