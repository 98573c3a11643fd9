#!/usr/bin/env bash
# `tfgpu explain` end to end: an issue report, a raw log read from standard input, a noise-only
# log and an unrecognised one, and --here on a recorded machine and on this one; checks the JSON's
# top cause and the exit codes.
set -uo pipefail
binary=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# check NAME WANT_CODE WANT_TOP WANT_NOISE_ONLY -- command...
check() {
  local name=$1 want_code=$2 want_top=$3 want_noise=$4
  shift 5
  "$@" > "$work/out" 2> "$work/err"
  local code=$?
  local got
  got=$(python3 -c 'import json,sys
d=json.load(open(sys.argv[1]))
assert d["schema"] == "tfgpu.explain/1", d["schema"]
print((d["causes"][0]["id"] if d["causes"] else "-") + " " + str(d["noise_only"]).lower())' \
    "$work/out" 2>&1)
  if [ "$code" != "$want_code" ] || [ "$got" != "$want_top $want_noise" ]; then
    echo "FAIL: $name -> exit $code (want $want_code), got '$got' (want '$want_top $want_noise'), stderr: $(head -c 300 "$work/err")"
    failures=$((failures + 1))
  else
    echo "ok: $name -> exit $code, $got"
  fi
}

cat > "$work/report.md" <<'REPORT'
# Could not load dynamic library 'libcudnn.so.8' on Ubuntu

### TensorFlow version

2.11.0

### OS platform and distribution

Ubuntu 20.04

### Python version

3.9

### Relevant log output

```shell
2023-01-05 10:00:00.000001: W tensorflow/compiler/xla/stream_executor/platform/default/dso_loader.cc:64] Could not load dynamic library 'libcudnn.so.8'; dlerror: libcudnn.so.8: cannot open shared object file: No such file or directory
2023-01-05 10:00:00.000002: W tensorflow/core/common_runtime/gpu/gpu_device.cc:1934] Cannot dlopen some GPU libraries. Please make sure the missing libraries mentioned above are installed properly if you would like to use GPU.
```
REPORT
check "issue report" 0 missing_cudnn false -- "$binary" explain --json "$work/report.md"

check "raw log on stdin" 0 driver_too_old false -- "$binary" explain --json - <<'LOG'
Epoch 1/10
2024-02-01 12:00:00.000001: E external/local_xla/xla/stream_executor/cuda/cuda_driver.cc:282] failed call to cuInit: CUDA_ERROR_COMPAT_NOT_SUPPORTED_ON_DEVICE: forward compatibility was attempted on non supported HW
CUDA driver version is insufficient for CUDA runtime version
LOG

check "raw log with --env" 0 windows_native_gpu_unsupported_after_2_10 false -- \
  "$binary" explain --json --env tf_version=2.16.1 --env "os=Windows 11" /dev/null

check "noise only" 0 benign_warning_numa true -- "$binary" explain --json - <<'LOG'
2024-02-01 12:00:00.000001: I external/local_xla/xla/stream_executor/cuda/cuda_executor.cc:901] successful NUMA node read from SysFS had negative value (-1), but there must be at least one NUMA node, so returning NUMA node zero.
LOG

check "nothing recognised" 1 - false -- "$binary" explain --json - <<'LOG'
hello
world
LOG

# --here: a recorded machine's probed facts are the stated environment. On TF 2.16.1 with the
# [and-cuda] wheels, "Skipping registering GPU devices" is the RUNPATH that misses the wheels, not
# a missing extra (which is what the log alone suggests).
machines=$(cd "$(dirname "$0")/../machines" && pwd)
skip_log="W0000 gpu_device.cc:2344] Cannot dlopen some GPU libraries. Please make sure the missing libraries mentioned above are installed properly if you would like to use GPU.
Skipping registering GPU devices..."
check "log alone" 0 and_cuda_extra_missing false -- "$binary" explain --json - <<< "$skip_log"
check "--here on a recorded machine" 0 ld_library_path_missing_env_cuda_libs false -- \
  "$binary" explain --json --here --root "$machines/tf216-wheels-unreachable" --no-live - <<< "$skip_log"
# This machine with the cached TensorFlow 2.21.0 venv: its framework RUNPATH misses cusolver.
if [ -x "${TFGPU_TF_VENV:-/nonexistent}/bin/python" ]; then
  check "--here on this machine" 0 ld_library_path_missing_env_cuda_libs false -- \
    "$binary" explain --json --here --python "$TFGPU_TF_VENV/bin/python" - <<< "$skip_log"
else
  echo "skip: --here on this machine (TFGPU_TF_VENV has no TensorFlow venv)"
fi

# Text output names the cause and cites the line.
"$binary" explain "$work/report.md" > "$work/text" 2>&1
if ! grep -q "missing_cudnn" "$work/text" || ! grep -q "L[0-9]*: .*libcudnn.so.8" "$work/text"; then
  echo "FAIL: text output: $(head -c 600 "$work/text")"
  failures=$((failures + 1))
fi
printf 'hello\n' | "$binary" explain > "$work/text" 2>&1
grep -q "No known failure signature in 1 lines" "$work/text" ||
  { echo "FAIL: text for nothing recognised: $(cat "$work/text")"; failures=$((failures + 1)); }

[ $failures = 0 ] && echo "explain: all cases pass"
exit $(( failures > 0 ))
