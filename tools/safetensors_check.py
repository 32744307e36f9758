#!/usr/bin/env python3
"""Checks InitCore's safetensors files against PyTorch, with only the standard library and torch.

The `safetensors` Python package is not installable on InitCore's machines (Debian ships no package
for it), so this script implements the format from its specification: an 8-byte little-endian
header length N, N bytes of UTF-8 JSON ({"__metadata__": {str: str}, name: {"dtype", "shape",
"data_offsets": [begin, end]}}), then the little-endian tensor data, each tensor's bytes at
data_offsets relative to the end of the header. Its writer lays a file out as the reference
implementation does for float32 tensors: names sorted, data in that order, compact JSON padded with
spaces to a multiple of 8.

  python3 tools/safetensors_check.py write-fixture OUT
      writes the fixture tests/InitCore.Tests/Fixtures/pytorch-written.safetensors from torch tensors
  python3 tools/safetensors_check.py roundtrip IN OUT
      reads IN (written by InitCore) into torch tensors, checking its layout byte by byte, prints them,
      and writes OUT holding every tensor multiplied by 2 in torch (InitCore's test then checks OUT)
  python3 tools/safetensors_check.py show FILE
      prints the header and each tensor
"""
import json
import struct
import sys

import torch

DTYPES = {"F32": (torch.float32, "f", 4)}


def read(path, strict_layout=False):
    """Returns (metadata, {name: tensor}, header keys in file order), validating as the reference does."""
    with open(path, "rb") as f:
        blob = f.read()
    if len(blob) < 8:
        raise ValueError(f"{path}: {len(blob)} bytes, shorter than the 8-byte length prefix")
    (n,) = struct.unpack_from("<Q", blob, 0)
    if n > len(blob) - 8:
        raise ValueError(f"{path}: header length {n} exceeds the {len(blob) - 8} bytes after the prefix")
    raw = blob[8 : 8 + n]
    if raw[:1] != b"{":
        raise ValueError(f"{path}: header does not start with '{{'")
    pairs = json.loads(raw.decode("utf-8"), object_pairs_hook=lambda kv: kv)
    header = dict(pairs)
    if len(header) != len(pairs):
        raise ValueError(f"{path}: duplicate keys in the header")
    keys = [k for k, _ in pairs]
    metadata = dict(header.pop("__metadata__", []))
    data = blob[8 + n :]
    tensors, spans = {}, []
    for name, info in header.items():
        info = dict(info)
        dtype, shape, (begin, end) = info["dtype"], info["shape"], info["data_offsets"]
        if dtype not in DTYPES:
            raise ValueError(f"{path}: tensor {name!r} has dtype {dtype}; this checker reads F32")
        torch_dtype, code, size = DTYPES[dtype]
        count = 1
        for d in shape:
            count *= d
        if end - begin != count * size:
            raise ValueError(f"{path}: tensor {name!r} shape {shape} needs {count * size} bytes, offsets span {end - begin}")
        values = struct.unpack_from(f"<{count}{code}", data, begin)
        tensors[name] = torch.tensor(values, dtype=torch_dtype).reshape(shape)
        spans.append((begin, end, name))
    spans.sort()
    at = 0
    for begin, end, name in spans:
        if begin != at:
            raise ValueError(f"{path}: tensor {name!r} starts at {begin}, expected {at} (gap or overlap)")
        at = end
    if at != len(data):
        raise ValueError(f"{path}: tensors cover {at} data bytes, the file holds {len(data)}")
    if strict_layout:
        # The reference writer's layout, which InitCore promises: padding to 8 with spaces, metadata
        # first, names sorted, data in name order.
        if n % 8 != 0:
            raise ValueError(f"{path}: header length {n} is not a multiple of 8")
        stripped = raw.decode("utf-8").rstrip(" ")
        if not stripped.endswith("}") or n - len(stripped.encode("utf-8")) >= 8:
            raise ValueError(f"{path}: header padding is not 0-7 trailing spaces after the JSON")
        names = [k for k in keys if k != "__metadata__"]
        if names != sorted(names, key=lambda s: s.encode("utf-8")):
            raise ValueError(f"{path}: tensor names are not sorted: {names}")
        if "__metadata__" in keys and keys[0] != "__metadata__":
            raise ValueError(f"{path}: __metadata__ is not first")
        if [name for _, _, name in spans] != names:
            raise ValueError(f"{path}: data is not in name order")
    return metadata, tensors, keys


def write(path, tensors, metadata=None):
    """Writes float32 tensors as the reference implementation lays them out."""
    header, chunks, offset = {}, [], 0
    if metadata is not None:
        header["__metadata__"] = metadata
    for name in sorted(tensors, key=lambda s: s.encode("utf-8")):
        t = tensors[name].detach().to(torch.float32).contiguous().reshape(-1)
        chunk = struct.pack(f"<{t.numel()}f", *t.tolist())
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(chunk)]}
        chunks.append(chunk)
        offset += len(chunk)
    # json.dumps escapes non-ASCII as \uXXXX (ensure_ascii), which exercises InitCore's JSON escapes.
    text = json.dumps(header, separators=(",", ":")).encode("utf-8")
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for chunk in chunks:
            f.write(chunk)


def fixture():
    return {
        "conv.weight": torch.arange(18, dtype=torch.float32).reshape(2, 1, 3, 3) * 0.5 - 4,
        "conv.bias": torch.tensor([0.1, -0.2], dtype=torch.float32),
        "fc.weight": torch.arange(12, dtype=torch.float32).reshape(3, 4) / 8 - 0.75,
        "norm.\u03b3": torch.tensor([1.0, -0.0, 1e-45, 3.4028234663852886e38], dtype=torch.float32),
        "scalar": torch.tensor(3.25, dtype=torch.float32),
        "empty": torch.zeros(0, 3, dtype=torch.float32),
    }


def show(metadata, tensors):
    print(f"metadata: {metadata}")
    for name, t in tensors.items():
        print(f"{name}: shape {list(t.shape)}, sum {t.double().sum().item():.9g}, values {t.reshape(-1)[:6].tolist()}")


def main(argv):
    if len(argv) == 2 and argv[0] == "write-fixture":
        write(argv[1], fixture(), {"format": "pt", "source": "tools/safetensors_check.py"})
        metadata, tensors, _ = read(argv[1], strict_layout=True)
        for name, t in fixture().items():
            assert torch.equal(tensors[name], t), name
        print(f"wrote {argv[1]}")
        return 0
    if len(argv) == 3 and argv[0] == "roundtrip":
        metadata, tensors, keys = read(argv[1], strict_layout=True)
        print(f"torch {torch.__version__} read {argv[1]}: keys in file order {keys}")
        show(metadata, tensors)
        write(argv[2], {name: t * 2 for name, t in tensors.items()}, {"format": "pt", "doubled_by": "torch"})
        print(f"wrote {argv[2]} with every tensor doubled in torch")
        return 0
    if len(argv) == 2 and argv[0] == "show":
        metadata, tensors, _ = read(argv[1])
        show(metadata, tensors)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
