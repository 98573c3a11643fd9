#!/usr/bin/env bash
# Whole-command benchmark for `tfgpu explain` on a large raw log (issue 4: ≥ 200 MB/s on one core).
# Writes a synthetic log of SIZE_MB (default 1024) from realistic TensorFlow lines — benign notices,
# training progress, a few real failures — then times `tfgpu explain --json` on it with hyperfine
# against `wc -l` on the same file (the cost of just reading it) in the same run.
# Usage: bench/explain_1gb.sh [tfgpu-binary] [SIZE_MB]; the log goes to ${TMPDIR:-/tmp}.
set -euo pipefail
cd "$(dirname "$0")/.."
binary=${1:-build/release/src/tfgpu/tfgpu}
size_mb=${2:-1024}
if [ ! -x "$binary" ]; then
  scripts/build.sh release >&2
fi
log=${TMPDIR:-/tmp}/tfgpu-explain-bench-${size_mb}mb.log
if [ ! -f "$log" ] || [ "$(stat -c %s "$log")" -lt $((size_mb * 1024 * 1024)) ]; then
  python3 - "$log" "$size_mb" <<'PY'
import random, sys
path, size = sys.argv[1], int(sys.argv[2]) * 1024 * 1024
rng = random.Random(7)
noise = [
    "2025-01-12 10:14:{s:02d}.{u:06d}: I tensorflow/core/util/port.cc:113] oneDNN custom operations are on. You may see slightly different numerical results due to floating-point round-off errors from different computation orders. To turn them off, set the environment variable `TF_ENABLE_ONEDNN_OPTS=0`.",
    "2025-01-12 10:14:{s:02d}.{u:06d}: I external/local_xla/xla/stream_executor/cuda/cuda_executor.cc:901] successful NUMA node read from SysFS had negative value (-1), but there must be at least one NUMA node, so returning NUMA node zero. See more at https://github.com/torvalds/linux/blob/v6.0/Documentation/ABI/testing/sysfs-bus-pci#L344-L355",
    "2025-01-12 10:14:{s:02d}.{u:06d}: W tensorflow/compiler/tf2tensorrt/utils/py_utils.cc:38] TF-TRT Warning: Could not find TensorRT",
    "Epoch {e}/100",
    "{b}/{n} [==============================] - {t}s {ms}ms/step - loss: 0.{l:04d} - accuracy: 0.{a:04d}",
    "2025-01-12 10:14:{s:02d}.{u:06d}: I tensorflow/core/common_runtime/gpu/gpu_device.cc:1928] Created device /job:localhost/replica:0/task:0/device:GPU:0 with 78911 MB memory:  -> device: 0, name: NVIDIA H100 80GB HBM3, pci bus id: 0000:3b:00.0, compute capability: 9.0",
]
failures = [
    "2025-01-12 10:14:{s:02d}.{u:06d}: W tensorflow/core/common_runtime/gpu/gpu_device.cc:2256] Cannot dlopen some GPU libraries. Please make sure the missing libraries mentioned above are installed properly if you would like to use GPU.",
    "2025-01-12 10:14:{s:02d}.{u:06d}: E external/local_xla/xla/stream_executor/cuda/cuda_dnn.cc:535] Loaded runtime CuDNN library: 8.6.0 but source was compiled with: 8.9.4.  CuDNN library needs to have matching major version and equal or higher minor version.",
]
written = 0
with open(path, "w") as out:
    chunk = []
    while written < size:
        if rng.random() < 0.000002:
            line = rng.choice(failures)
        else:
            line = rng.choice(noise)
        line = line.format(s=rng.randrange(60), u=rng.randrange(10**6), e=rng.randrange(1, 100),
                           b=rng.randrange(1, 500), n=500, t=rng.randrange(1, 9), ms=rng.randrange(5, 90),
                           l=rng.randrange(10**4), a=rng.randrange(10**4)) + "\n"
        chunk.append(line)
        written += len(line)
        if len(chunk) >= 10000:
            out.write("".join(chunk))
            chunk = []
    out.write("".join(chunk))
PY
fi
bytes=$(stat -c %s "$log")
mkdir -p bench/results
out=bench/results/explain_1gb.json
hyperfine --ignore-failure --warmup 1 --runs 3 --export-json "$out" \
  -n "wc -l" "wc -l $log" \
  -n "tfgpu explain --json" "$binary explain --json $log >/dev/null"
python3 - "$out" "$bytes" <<'PY'
import json, sys
results = {r["command"]: r for r in json.load(open(sys.argv[1]))["results"]}
size = int(sys.argv[2])
explain, wc = results["tfgpu explain --json"], results["wc -l"]
print(f"log {size / 2**20:.0f} MiB")
print(f"tfgpu explain: median {explain['median']:.2f} s = {size / explain['median'] / 1e6:.0f} MB/s")
print(f"wc -l:         median {wc['median']:.2f} s = {size / wc['median'] / 1e6:.0f} MB/s")
PY
