#!/usr/bin/env bash
# Prepare what scripts/gpu-check.sh runs on a lent GPU machine: a portable tfgpu (libstdc++, fmt
# and toml++ linked in; needs only glibc ≥ 2.36) and hyperfine, in gpu-bin/ (ignored by git;
# name it in the device tool's `carry`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset portable -B build/portable >/dev/null
cmake --build build/portable --target tfgpu >&2
mkdir -p gpu-bin
cp build/portable/src/tfgpu/tfgpu gpu-bin/
cp "$(command -v hyperfine)" gpu-bin/
ls -l gpu-bin
