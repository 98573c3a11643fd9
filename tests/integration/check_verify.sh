#!/usr/bin/env bash
# `tfgpu verify` on this machine (no GPU, no driver; the toolkit's stub libcuda is not on the
# loader's path): natively, the matmul pinned to GPU:0 must be refused and the CPU one must
# verify; through the cached TensorFlow 2.21.0 venv, TensorFlow must import, say it is a CUDA
# build, list 0 GPUs, and verify must say why (doctor: no NVIDIA GPU; explain: no_nvidia_gpu
# first). Exit 1: not verified.
# Without the venv (TFGPU_TF_VENV unset) only the native half runs.
set -uo pipefail
binary=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

args=(verify --json --size 64)
if [ -x "${TFGPU_TF_VENV:-/nonexistent}/bin/python" ]; then
  args+=(--python "$TFGPU_TF_VENV/bin/python")
  with_tf=1
else
  echo "note: TFGPU_TF_VENV has no TensorFlow venv; checking the native half only"
  args+=(--no-tensorflow)
  with_tf=0
fi
"$binary" "${args[@]}" > "$work/out.json" 2> "$work/err"
code=$?
python3 - "$work/out.json" "$code" "$with_tf" <<'PY'
import json, sys
path, code, with_tf = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
d = json.load(open(path))
problems = []
def want(cond, what):
    if not cond:
        problems.append(what)
want(d["schema"] == "tfgpu.verify/1", "schema")
want(code == 1, f"exit code {code}, want 1 (not verified)")
native = d["native"]
steps = {s["id"]: s for s in native["steps"]}
want(native["verified"] is False, "native verified")
want(steps["list_devices"]["status"] == "fail", "native list_devices should fail (no GPU)")
want("libcuda.so.1" in steps["list_devices"]["detail"], "the reason names libcuda.so.1")
want(steps["matmul_cpu_1000_fp32"]["status"] == "pass", "the CPU matmul must verify")
cpu = native["matmuls"][0]
want(cpu["device"].endswith("device:CPU:0") and cpu["within_bound"], "CPU matmul ran on CPU:0 within bound")
gpu = steps["matmul_gpu_1000_fp32"]
want(gpu["status"] == "fail" and "Could not satisfy device specification" in gpu["detail"],
     "the GPU:0 matmul must be refused, never run elsewhere")
want(native["matmuls"][1]["device"] == "", "the refused matmul ran nowhere")
if with_tf:
    tf = d["tensorflow"][0]
    tsteps = {s["id"]: s for s in tf["steps"]}
    want(tf["tensorflow"] == "tensorflow 2.21.0", f"tensorflow {tf['tensorflow']!r}")
    want(tsteps["import"]["status"] == "pass", "import")
    want(tsteps["build"]["status"] == "pass" and tf["build_cuda"].startswith("12."), "a CUDA 12 build")
    want(tsteps["list_devices"]["status"] == "fail", "TensorFlow lists 0 GPUs")
    want("No NVIDIA GPU" in tf["why_not"], f"why_not says there is no GPU: {tf['why_not']!r}")
    want(tf["verified"] is False, "TensorFlow not verified")
    want(len(tf["log_tail"]) > 0, "TensorFlow's log is kept")
    # explain reads the log against this machine's facts: its cuInit/driver lines are what
    # TensorFlow prints with no GPU, so the first cause is the missing GPU, not the driver.
    first = tf["explained"][0]["id"] if tf["explained"] else None
    want(first == "no_nvidia_gpu", f"the first explained cause is no_nvidia_gpu, not {first!r}")
for p in problems:
    print("FAIL:", p)
if problems:
    print(open(path).read()[:3000])
    sys.exit(1)
print("verify: all checks pass")
PY
status=$?
[ $status = 0 ] || { echo "stderr:"; head -c 2000 "$work/err"; }
exit $status
