#!/usr/bin/env python3
"""Print torch's repr of the tensors InitCore's Tensor.ToString tests rebuild, as their fixture.

Run with Debian's PyTorch (python3-torch):

    /usr/bin/python3 tools/torch_repr.py > tests/InitCore.Tests/Fixtures/torch/repr.txt

Each case is "==== Name" followed by repr(tensor) with the default print options (precision 4,
threshold 1000, edgeitems 3, linewidth 80). The C# test (TensorApiTests) builds the same float32
values and compares the strings exactly.
"""

import torch


def cases():
    f32 = torch.float32
    return {
        "Small2d": torch.tensor([[0.1, 0.2], [0.3, 0.4]]),
        "Summarized2d": torch.arange(2000, dtype=f32).reshape(40, 50) / 7,
        "Integers": torch.tensor([1., 2., 3.]),
        "Scientific": torch.tensor([1e-5, 1.0]),
        "Scalar": torch.tensor(0.5),
        "Empty2d": torch.empty(0, 3),
        "Empty1d": torch.empty(0),
        "NonFinite": torch.tensor([float("nan"), 1.5, float("inf"), -float("inf")]),
        "Wrapped": (torch.arange(30, dtype=f32) - 15) / 8,
        "Large": torch.tensor([1e9, 2.0]),
        "Zeros": torch.zeros(2, 3),
        "Rank3": torch.arange(24, dtype=f32).reshape(2, 3, 4) - 10,
        "Summarized1d": torch.arange(1001, dtype=f32) / 3,
        "Summarized3d": torch.arange(8 * 8 * 20, dtype=f32).reshape(8, 8, 20) * 0.25,
    }


if __name__ == "__main__":
    print(f"# torch {torch.__version__}: repr() of the cases in tools/torch_repr.py")
    for name, value in cases().items():
        print("====", name)
        print(repr(value))
