#!/usr/bin/env bash
# Compiles native/kernels/*.cu to PTX for a low virtual architecture (compute_52), which the driver
# JIT-compiles for the GPU at hand (Maxwell through Hopper and later). The PTX is committed under
# native/ptx/ and embedded in the engine assembly.
#   bash native/build-kernels.sh [OUTDIR]     (default: native/ptx)
# -fmad=false keeps every multiply and add separately rounded, as in the C# twins; division and
# square root stay IEEE (no --use_fast_math), so Philox fills match the CPU backend bit for bit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/ptx}
mkdir -p "$out"
command -v nvcc >/dev/null || { echo "nvcc not found: run bash native/install-nvcc.sh" >&2; exit 1; }
for cu in "$here"/kernels/*.cu; do
  name=$(basename "$cu" .cu)
  nvcc -ptx -arch=compute_52 -fmad=false -prec-div=true -prec-sqrt=true -ftz=false -O3 \
       -ccbin clang-14 -I "$here/kernels" -o "$out/$name.ptx" "$cu"
  echo "built $out/$name.ptx"
done
