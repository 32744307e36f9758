#!/usr/bin/env bash
# Installs nvcc 11.8 (Debian's nvidia-cuda-toolkit, non-free) when it is missing, and clang-14, the
# host compiler nvcc uses here. Also brings libcuda.so.1, which on a machine without a GPU makes
# cuInit return CUDA_ERROR_NO_DEVICE: the real no-GPU path the tests exercise.
# Usage: bash native/install-nvcc.sh        (root, Debian bookworm)
set -euo pipefail
if command -v nvcc >/dev/null 2>&1 && command -v clang-14 >/dev/null 2>&1; then
  nvcc --version | tail -n 2
  exit 0
fi
if [[ $(id -u) -ne 0 ]]; then
  echo "install-nvcc: nvcc is missing and this is not root; install Debian's nvidia-cuda-toolkit (non-free) and clang-14 yourself" >&2
  exit 1
fi
list=/etc/apt/sources.list.d/initcore-nonfree.sources
if [[ ! -f $list ]]; then
  # The same mirror as the machine's main Debian entry, with the contrib and non-free components.
  uri=$(awk '/^URIs:/ && $2 ~ /debian\/?$/ {print $2; exit}' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  uri=${uri:-http://deb.debian.org/debian}
  cat >"$list" <<SRC
Types: deb
URIs: $uri
Suites: bookworm bookworm-updates
Components: contrib non-free
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq nvidia-cuda-toolkit clang-14 >/dev/null
nvcc --version | tail -n 2
