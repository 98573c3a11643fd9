#!/usr/bin/env bash
# Whole-command benchmark: `tfgpu probe --json` against the question users otherwise ask
# TensorFlow itself, `tf.config.list_physical_devices('GPU')`, in the same run with hyperfine.
# doctor exits 1 on a machine without a GPU (not ready), hence --ignore-failure.
# Usage: bench/probe_vs_tensorflow.sh [tfgpu-binary] [venv]; writes bench/results/*.json.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-build/release/src/tfgpu/tfgpu}
venv=${2:-$(scripts/tf-venv.sh)}
if [ ! -x "$binary" ]; then
  scripts/build.sh release >&2
fi
mkdir -p bench/results
out=bench/results/probe_vs_tensorflow.json
hyperfine --ignore-failure --warmup 3 --min-runs 20 --export-json "$out" \
  -n "tfgpu probe --json" "$binary probe --json --python $venv/bin/python >/dev/null" \
  -n "tfgpu doctor --json" "$binary doctor --json --python $venv/bin/python >/dev/null" \
  -n "python: tf.config.list_physical_devices" \
  "$venv/bin/python -c \"import tensorflow as tf; print(tf.config.list_physical_devices('GPU'))\" >/dev/null 2>&1"
python3 - "$out" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
probe = results["tfgpu probe --json"]
doctor = results["tfgpu doctor --json"]
tf = results["python: tf.config.list_physical_devices"]
print(f"probe  median {probe['median']*1000:.1f} ms")
print(f"doctor median {doctor['median']*1000:.1f} ms ({doctor['median']/probe['median']:.2f}x probe)")
print(f"tensorflow median {tf['median']*1000:.0f} ms")
print(f"ratio tensorflow/probe: {tf['median']/probe['median']:.0f}x")
PY
