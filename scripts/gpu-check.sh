#!/usr/bin/env bash
# One prepared check for a lent GPU machine (H100/H200), run there on binaries built here and
# carried along. Everything it learns goes under $OUT (default ./gpu-out). It never changes clocks,
# power limits, MIG or persistence mode: it only reads.
#
# Prepare here:   scripts/gpu-bundle.sh            (portable tfgpu, test binaries, hyperfine into gpu-bin/)
# Run there:      OUT=/some/dir scripts/gpu-check.sh [gpu-bin]
set -uo pipefail
cd "$(dirname "$0")/.."
OUT=${OUT:-$PWD/gpu-out}
mkdir -p "$OUT"
bundle=${1:-gpu-bin}
binary=$bundle/tfgpu
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# At most 8 files come back from the device machine: summary, machine, probe.json, doctor.txt,
# doctor.md, doctor.json, timing.txt, stderr.txt. Intermediates stay in $scratch.
log() { echo "== $*" | tee -a "$OUT/summary.txt"; }

log "machine: $(uname -a)"
{
  grep -E '^(PRETTY_NAME|VERSION_ID)=' /etc/os-release
  ldd "$binary"
  ls -l /dev/nvidia* 2>&1
  cat /proc/driver/nvidia/version 2>&1
  nvidia-smi --query-gpu=name,driver_version,pci.bus_id,uuid,memory.total,compute_cap --format=csv
} > "$OUT/machine.txt" 2>&1
nvidia-smi --query-gpu=name,driver_version,pci.bus_id,uuid,memory.total,compute_cap --format=csv \
  > "$scratch/nvidia-smi.csv" 2>> "$OUT/stderr.txt" || echo "nvidia-smi failed" | tee -a "$OUT/summary.txt"

log "tfgpu probe (live)"
"$binary" probe --json > "$OUT/probe.json" 2>> "$OUT/stderr.txt"
echo "probe exit $?" | tee -a "$OUT/summary.txt"

log "tfgpu doctor (live): text -v, markdown, json"
"$binary" doctor --color never -v > "$OUT/doctor.txt" 2>&1
echo "doctor exit $?" | tee -a "$OUT/summary.txt"
"$binary" doctor --format markdown > "$OUT/doctor.md" 2>&1
"$binary" doctor --json > "$OUT/doctor.json" 2>> "$OUT/stderr.txt"
echo "doctor --json exit $?" | tee -a "$OUT/summary.txt"
"$binary" kb lint >> "$OUT/summary.txt" 2>&1

log "probe facts and doctor's verdict against nvidia-smi"
python3 - "$OUT/probe.json" "$scratch/nvidia-smi.csv" "$OUT/doctor.json" <<'PY' | tee -a "$OUT/summary.txt"
import csv, json, sys
facts = json.load(open(sys.argv[1]))
rows = list(csv.DictReader(open(sys.argv[2]), skipinitialspace=True))
doctor = json.load(open(sys.argv[3]))
live = facts["user_driver"]["live"]
value = lambda o: o["value"] if o and o["presence"] == "present" else None
print("pci gpus:", [(g["device_id"], value(g["model_name"]), value(g["bound_driver"])) for g in facts["pci_gpus"]])
print("kernel module:", value(facts["kernel_driver"]["module_version"]))
print("libcuda:", value(facts["user_driver"]["libcuda"]["path"]), value(facts["user_driver"]["libcuda"]["version"]))
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
print("doctor layers:", [(l["layer"], l["state"]) for l in doctor["layers"]])
print("doctor findings:", [(f["id"], f["severity"]) for f in doctor["findings"]])
print("doctor verdicts:", [v["sentence"] for v in doctor["verdicts"]], "no_tensorflow:", doctor["no_tensorflow"])
gpu_layer = [l for l in doctor["layers"] if l["layer"] == "gpu"]
errors = [f["id"] for f in doctor["findings"] if f["severity"] == "error" and f["scope"] == "machine"]
print("GPU layer:", gpu_layer[0]["state"] if gpu_layer else None, "-", gpu_layer[0]["detail"] if gpu_layer else "")
print("machine-level errors on a working GPU machine (should be none):", errors)
PY

log "tfgpu plan and tfgpu install --dry-run for this machine (no network there: nothing is installed)"
"$binary" plan --color never >> "$OUT/summary.txt" 2>&1
echo "plan exit $?" | tee -a "$OUT/summary.txt"
"$binary" install --dry-run --venv "$scratch/tf-venv" --color never >> "$OUT/summary.txt" 2>&1
echo "install --dry-run exit $?" | tee -a "$OUT/summary.txt"

log "timing: probe vs doctor (hyperfine, same run)"
if [ -x "$bundle/hyperfine" ]; then
  "$bundle/hyperfine" -N -i --warmup 3 --runs 30 --export-json "$scratch/timing.json" \
    -n "probe --json" "$binary probe --json" \
    -n "doctor --json" "$binary doctor --json" \
    -n "probe --json --no-live" "$binary probe --json --no-live" \
    -n "doctor --json --no-live" "$binary doctor --json --no-live" > "$OUT/timing.txt" 2>&1
  python3 - "$scratch/timing.json" <<'PY' | tee -a "$OUT/summary.txt"
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
for live in ("", " --no-live"):
    p, d = r["probe --json" + live], r["doctor --json" + live]
    print(f"probe{live}: median {p['median']*1e3:.1f} ms; doctor{live}: median {d['median']*1e3:.1f} ms "
          f"({d['median']/p['median']:.2f}x)")
PY
else
  echo "no hyperfine in $bundle" | tee -a "$OUT/summary.txt"
fi

log "real-GPU tests from the bundle (TFGPU_EXPECT_GPU=1: a skip is a failure here)"
for test in tfgpu_runtime_test tfgpu_bench_test; do
  if [ -x "$bundle/$test" ]; then
    TFGPU_EXPECT_GPU=1 timeout 300 "$bundle/$test" --gtest_filter='RealGpu*' --gtest_brief=1 \
      >> "$OUT/summary.txt" 2>&1
    echo "$test (RealGpu*) exit $?" | tee -a "$OUT/summary.txt"
  else
    echo "no $test in $bundle" | tee -a "$OUT/summary.txt"
  fi
done
if [ -x "$bundle/matmul_on_gpu" ]; then
  timeout 120 "$bundle/matmul_on_gpu" >> "$OUT/summary.txt" 2>&1
  echo "example matmul_on_gpu exit $?" | tee -a "$OUT/summary.txt"
fi

log "tfgpu verify (native; TensorFlow too where an environment has it)"
timeout 400 "$binary" verify --json > "$scratch/verify.json" 2>> "$OUT/stderr.txt"
echo "verify exit $?" | tee -a "$OUT/summary.txt"
python3 - "$scratch/verify.json" <<'PY' 2>&1 | tee -a "$OUT/summary.txt"
import json, sys
d = json.load(open(sys.argv[1]))
for part, name in [(d["native"], "native")] + [(t, t["python"]) for t in d["tensorflow"]]:
    print(f"{name}: verified={part['verified']}")
    for s in part["steps"]:
        print(f"  {s['status']:4} {s['summary']}" + (f" -- {s['detail']}" if s["detail"] else ""))
    for m in part["matmuls"]:
        peak = f", {100 * m['tflops'] / m['peak_tflops']:.0f} % of {m['peak_tflops']}" if m["peak_tflops"] else ""
        print(f"  matmul {m['size']} {m['dtype']} on {m['device'] or '-'}: err {m['max_relative_error']:.2g} "
              f"(bound {m['error_bound']:.0e}) {m['tflops']:.1f} TFLOP/s{peak} {m['error']}")
PY

log "tfgpu bench --json (GPU:0) and torch.matmul on the same shapes, dtypes and iterations"
# The JSON goes into summary.txt (one line after the marker), not a file of its own: the 8 files
# that come back are taken. Iterations are chosen by bench itself (about 200 ms a measurement), so
# bench plus the baseline take well under a minute of GPU time on an H100.
"$binary" bench --json --timeout 300 > "$scratch/bench.json" 2>> "$OUT/stderr.txt"
echo "bench exit $?" | tee -a "$OUT/summary.txt"
echo "bench json:" >> "$OUT/summary.txt"
python3 -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1])), separators=(",", ":")))' \
  "$scratch/bench.json" >> "$OUT/summary.txt" 2>&1
PYTHONUNBUFFERED=1 timeout 300 python3 - "$scratch/bench.json" <<'PY' 2>&1 | tee -a "$OUT/summary.txt"
# PyTorch's torch.matmul on the shapes and dtypes bench measured, timed the same way (CUDA events
# around the same number of launches after a warm-up), on random operands in [-1, 1].
# Issue 5's target: tfgpu's TFLOP/s at least 95 % of PyTorch's.
import json, sys
d = json.load(open(sys.argv[1]))
gpu = d["gpu"]
if gpu is None:
    print("bench saw no GPU:", d["why_no_gpu"]); sys.exit(0)
peak = d["peak"]
print(f"bench on {gpu['name']} (cc {gpu['compute_capability']}); peaks: "
      f"{peak['device_name'] + ' (' + peak['confidence'] + ')' if peak else d['why_no_peak']}")
for b in d["bandwidth"]:
    pct = f"{b['percent_of_peak']:.1f} % of {b['peak_gbs']:.0f}" if b["percent_of_peak"] is not None else "no peak"
    print(f"  copy {b['id']:<13} {b['gbs']:8.1f} GB/s  {pct}" if b["error"] is None else f"  copy {b['id']}: {b['error']}")
if d["pcie"]:
    print("  pcie:", d["pcie"])
for p in d["pool"]:
    print(f"  pool {p['bytes']:>9} B: pool {p['pool_ns_per_pair']:.0f} ns, driver {p['driver_ns_per_pair']:.0f} ns, "
          f"{p['speedup']:.1f}x ({'meets' if p['meets_target'] else 'MISSES'} {p['target_speedup']:.0f}x)"
          if p["error"] is None else f"  pool {p['bytes']} B: {p['error']}")
for name, g in d["growth"].items():
    if g:
        print(f"  growth {name} ({g['backend']}, {g['policy']}): reserved/peak {g['reserved_over_peak']:.3f} "
              f"({'within' if g['within_target'] else 'OVER'} {g['target_ratio']})" if g["error"] is None
              else f"  growth {name}: {g['error']}")
for p in d["problems"]:
    print("  problem:", p)
try:
    import torch
except Exception as e:
    print("no torch:", e); sys.exit(0)
print(f"torch {torch.__version__} (CUDA {torch.version.cuda}) on {torch.cuda.get_device_name(0)}")
dtypes = {"fp32": torch.float32, "tf32": torch.float32, "fp16": torch.float16, "bf16": torch.bfloat16}
ratios = []
for g in d["gemm"]:
    n, dt, it = g["n"], g["dtype"], g["iterations"]
    if g["error"] is not None or it == 0:
        print(f"  gemm {n:5} {dt}: tfgpu did not measure it: {g['error']}"); continue
    torch.backends.cuda.matmul.allow_tf32 = dt == "tf32"
    a = (torch.rand(n, n, device="cuda") * 2 - 1).to(dtypes[dt])
    b = (torch.rand(n, n, device="cuda") * 2 - 1).to(dtypes[dt])
    c = torch.matmul(a, b)
    for _ in range(3):  # bench: a warm-up and 3 calibration launches before its timed ones
        torch.matmul(a, b, out=c)
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(it):
        torch.matmul(a, b, out=c)
    end.record()
    end.synchronize()
    ms = start.elapsed_time(end)
    torch_tflops = 2 * n**3 * it / (ms * 1e-3) / 1e12
    ratio = g["tflops"] / torch_tflops
    ratios.append(ratio)
    pct = f"{g['percent_of_peak']:.1f} % of peak" if g["percent_of_peak"] is not None else "no peak known"
    print(f"  gemm {n:5} {dt}: tfgpu {g['tflops']:7.1f} TFLOP/s ({pct}), torch {torch_tflops:7.1f}: "
          f"tfgpu/torch {100 * ratio:5.1f} % {'ok' if ratio >= 0.95 else 'BELOW the 95 % target'}")
    del a, b, c
if ratios:
    print(f"gemm tfgpu/torch: lowest {100 * min(ratios):.1f} %, {sum(r >= 0.95 for r in ratios)}/{len(ratios)} at >= 95 %")
PY

log "done; results in $OUT"
