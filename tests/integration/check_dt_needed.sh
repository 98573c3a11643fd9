#!/usr/bin/env bash
# The tfgpu binary must start on any Linux machine: no NVIDIA library may be in DT_NEEDED.
set -euo pipefail
binary=$1
needed=$(readelf -d "$binary" | grep -F '(NEEDED)') || { echo "no DT_NEEDED at all in $binary?"; exit 1; }
echo "$needed"
if echo "$needed" | grep -Eiq 'libcuda|libnvidia|libcublas|libcudnn|libcudart|libnccl|libcufft|libcusolver|libcusparse|libcurand|libnvinfer'; then
  echo "FAIL: $binary links an NVIDIA library"
  exit 1
fi
echo "ok: no NVIDIA library in DT_NEEDED"
