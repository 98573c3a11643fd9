#!/usr/bin/env bash
# Prepare what scripts/gpu-check.sh runs on a lent GPU machine: a portable tfgpu (libstdc++, fmt
# and toml++ linked in; needs only glibc ≥ 2.36), the runtime and bench test binaries and the
# matmul example built the same way, and hyperfine, in gpu-bin/ (ignored by git; name it in the
# device tool's `carry`).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
# Tests on: the real-GPU test binaries travel too (the release presets leave tests off).
cmake --preset portable -B build/portable -DTFGPU_BUILD_TESTS=ON >/dev/null
# The binaries whose real-GPU tests (RealGpu*, skipped here) gpu-check.sh runs there with
# TFGPU_EXPECT_GPU=1, and the how-to's matmul example.
cmake --build build/portable --target tfgpu tfgpu_runtime_test tfgpu_bench_test matmul_on_gpu >&2
mkdir -p gpu-bin
cp build/portable/src/tfgpu/tfgpu build/portable/tests/tfgpu_runtime_test \
  build/portable/tests/tfgpu_bench_test gpu-bin/
cp "$(find build/portable/examples -name matmul_on_gpu -type f -perm -u+x | head -n 1)" gpu-bin/
cp "$(command -v hyperfine)" gpu-bin/
ls -l gpu-bin
