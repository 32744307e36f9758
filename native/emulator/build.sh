#!/usr/bin/env bash
# Builds the InitCore emulated CUDA device (libcuda.so.1, libcublas.so.13, libcublasLt.so.13,
# libcudnn.so.9 and libinitcore_emu.so) with CMake and g++ into artifacts/emulator (or OUTDIR).
#   bash native/emulator/build.sh [--if-tools] [OUTDIR]
# --if-tools: when cmake or g++ is missing, say so and exit 0 (the test projects' build uses this;
# the CUDA fixtures then report Inconclusive saying how to build it). Incremental: a no-op build
# takes about a second. Concurrent builds of one folder take turns (flock).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
soft=0
if [[ ${1:-} == --if-tools ]]; then soft=1; shift; fi
out=${1:-$root/artifacts/emulator}
if [[ $(uname -s) != Linux ]]; then
  echo "emulator: not built: the emulated CUDA device is Linux-only"
  exit $(( soft ? 0 : 1 ))
fi
for tool in cmake g++; do
  if ! command -v "$tool" >/dev/null; then
    echo "emulator: not built: $tool is not on the PATH (Debian: apt-get install cmake g++)"
    exit $(( soft ? 0 : 1 ))
  fi
done
mkdir -p "$out"
if command -v flock >/dev/null; then
  exec 9>"$out/.build.lock"
  flock 9
fi
cmake -S "$here" -B "$out" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$out" -j "${EMULATOR_JOBS:-2}" -- --no-print-directory >/dev/null
echo "emulator: $out (libcuda.so.1, libcublas.so.13, libcublasLt.so.13, libcudnn.so.9)"
