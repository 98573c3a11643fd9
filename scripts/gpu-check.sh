#!/usr/bin/env bash
# One prepared check for a lent GPU machine (H100/H200), run there on binaries built here and
# carried along (build/dev). Everything it learns goes under $OUT (default ./gpu-out).
# It never changes clocks, power limits, MIG or persistence mode: it only reads.
#
# Usage on the device machine:   OUT=/some/dir scripts/gpu-check.sh [path/to/tfgpu]
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
binary=${1:-build/dev/src/tfgpu/tfgpu}
log() { echo "== $*" | tee -a "$OUT/summary.txt"; }

log "machine: $(uname -a)"
{ nvidia-smi --query-gpu=name,driver_version,pci.bus_id,uuid,memory.total,compute_cap --format=csv \
  || echo "nvidia-smi failed"; } > "$OUT/nvidia-smi.csv" 2>&1
cat /proc/driver/nvidia/version > "$OUT/proc-driver-nvidia-version.txt" 2>&1

log "tfgpu probe (live)"
start=$(date +%s%N)
"$binary" probe --json > "$OUT/probe.json" 2> "$OUT/probe.stderr"
echo "probe exit $? in $(( ($(date +%s%N) - start) / 1000000 )) ms" | tee -a "$OUT/summary.txt"
"$binary" probe --color never > "$OUT/probe.txt" 2>&1
"$binary" doctor --color never > "$OUT/doctor.txt" 2>&1
echo "doctor exit $?" | tee -a "$OUT/summary.txt"

log "probe facts against nvidia-smi"
python3 - "$OUT/probe.json" "$OUT/nvidia-smi.csv" <<'PY' | tee -a "$OUT/summary.txt"
import csv, json, sys
facts = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2]), skipinitialspace=True))
live = facts["user_driver"]["live"]
value = lambda o: o["value"] if o and o["presence"] == "present" else None
print("pci gpus:", [(g["device_id"], value(g["model_name"]), value(g["bound_driver"])) for g in facts["pci_gpus"]])
print("kernel module:", value(facts["kernel_driver"]["module_version"]))
print("cuInit:", live["cu_init_status_name"], "driver CUDA:", value(live["cuda_driver_version"]))
print("NVML driver:", value(live["nvml_driver_version"]))
devices = live["devices"]
for d in devices:
    print(f"cuda device {d['ordinal']}: {d['name']} cc {d['compute_capability']} "
          f"{d['total_bytes'] / 2**30:.1f} GiB {d['pci_bus_id']} {d['uuid']}")
problems = []
if rows:
    smi_names = sorted(r["name"] for r in rows)
    if sorted(d["name"] for d in devices) != smi_names:
        problems.append(f"device names differ from nvidia-smi: {smi_names}")
    if value(live["nvml_driver_version"]) != rows[0]["driver_version"]:
        problems.append(f"driver {value(live['nvml_driver_version'])} != nvidia-smi {rows[0]['driver_version']}")
    for d, r in zip(sorted(devices, key=lambda d: d["pci_bus_id"]), sorted(rows, key=lambda r: r["pci.bus_id"])):
        if d["compute_capability"] != r["compute_cap"]:
            problems.append(f"cc {d['compute_capability']} != nvidia-smi {r['compute_cap']}")
print("MISMATCH: " + "; ".join(problems) if problems else "probe agrees with nvidia-smi")
PY

log "GPU-labelled tests (a skip is a failure here)"
if [ -d build/dev ] && ctest --test-dir build/dev -N -L gpu 2>/dev/null | grep -q 'Total Tests: [1-9]'; then
  TFGPU_EXPECT_GPU=1 ctest --test-dir build/dev -L gpu --output-on-failure > "$OUT/gpu-tests.txt" 2>&1
  echo "gpu tests exit $?" | tee -a "$OUT/summary.txt"
else
  echo "no GPU-labelled tests in this build yet" | tee -a "$OUT/summary.txt"
fi

log "done; results in $OUT"
