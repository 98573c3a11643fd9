#!/usr/bin/env bash
# `tfgpu bench` end to end.
# - Here (no GPU, no driver on the loader's path): exit 1, JSON with no GPU and why (libcuda.so.1),
#   the growth replay on the host backend within its target, progress on stderr; text says so too.
# - On the fake libcuda and libcublas (put on LD_LIBRARY_PATH under the names the binary asks
#   for): exit 0, every section, the fake's NOT_SUPPORTED for 16-bit GEMMs on their own rows.
# - A hung driver with --timeout 1: exit 3 (a child timed out). Bad flags: exit 2.
set -uo pipefail
binary=$1
fake_libcuda=$(realpath "$2")
fake_libcublas=$(realpath "$3")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
status=0
fail() { echo "FAIL: $*"; status=1; }

"$binary" bench --json > "$work/none.json" 2> "$work/none.err"
code=$?
[ $code = 1 ] || fail "no GPU: exit $code, want 1"
python3 - "$work/none.json" <<'PY' || status=1
import json, sys
d = json.load(open(sys.argv[1]))
problems = []
def want(cond, what):
    if not cond:
        problems.append(what)
want(d["schema"] == "tfgpu.bench/1", "schema")
want(d["gpu"] is None, "no GPU here")
want("libcuda.so.1" in (d["why_no_gpu"] or ""), f"why_no_gpu names libcuda.so.1: {d['why_no_gpu']!r}")
want(d["gemm"] == [] and d["bandwidth"] == [] and d["pool"] == [], "nothing measured on a GPU")
host = d["growth"]["host"]
want(host["backend"] == "host memory" and host["error"] is None, f"host replay ran: {host}")
want(host["reserved_over_peak"] >= 1.0 and host["within_target"] is True,
     f"host replay within 1.25x: {host['reserved_over_peak']}")
want(host["target_ratio"] == 1.25, "target 1.25")
want(d["growth"]["gpu"] is None, "no GPU replay")
want(d["problems"] == [], f"no problems: {d['problems']}")
for p in problems:
    print("FAIL:", p)
sys.exit(1 if problems else 0)
PY
grep -q '^bench: growth on host memory: reserved/peak' "$work/none.err" || fail "progress line for the host replay"
grep -q '^bench: no GPU: ' "$work/none.err" || fail "progress says there is no GPU"

"$binary" bench > "$work/none.txt" 2> /dev/null
code=$?
[ $code = 1 ] || fail "text, no GPU: exit $code, want 1"
grep -q '^tfgpu bench: no GPU: .*libcuda.so.1' "$work/none.txt" || fail "text says no GPU and why"
grep -q 'host memory' "$work/none.txt" || fail "text shows the host replay"

# The fakes under the names the binary dlopens (libcublas.so.13 first: the real CUDA 13 one is in
# ld.so.cache here and must not be picked up with a fake driver).
mkdir "$work/lib"
ln -s "$fake_libcuda" "$work/lib/libcuda.so.1"
ln -s "$fake_libcublas" "$work/lib/libcublas.so.13"
LD_LIBRARY_PATH="$work/lib" "$binary" bench --json --sizes 32,64 --iterations 2 \
  --bandwidth-bytes 1MiB > "$work/fake.json" 2> "$work/fake.err"
code=$?
[ $code = 0 ] || fail "fake GPU: exit $code, want 0"
python3 - "$work/fake.json" <<'PY' || status=1
import json, sys
d = json.load(open(sys.argv[1]))
problems = []
def want(cond, what):
    if not cond:
        problems.append(what)
want(d["gpu"]["name"] == "NVIDIA H100 80GB HBM3", "the fake's H100")
want(d["peak"]["device_name"] == "H100 80GB HBM3", "the KB's H100 row")
want(len(d["gemm"]) == 8, f"8 GEMM rows, got {len(d['gemm'])}")
for g in d["gemm"]:
    if g["dtype"] in ("fp32", "tf32"):
        want(g["error"] is None and g["tflops"] > 0 and g["iterations"] == 2, f"ran: {g}")
        want(g["peak_tflops"] is not None and g["percent_of_peak"] is not None, f"peak: {g}")
    else:
        want("CUBLAS_STATUS_NOT_SUPPORTED" in (g["error"] or ""), f"16-bit refused: {g}")
want([b["id"] for b in d["bandwidth"]] == ["h2d_pinned", "d2h_pinned", "h2d_pageable", "d2h_pageable", "d2d"],
     "five copies")
want(all(b["error"] is None and b["gbs"] > 0 and b["buffer_bytes"] == 1 << 20 for b in d["bandwidth"]),
     "copies ran on 1 MiB")
want(d["bandwidth"][4]["bytes_counted_per_copy"] == 2 << 20 and d["bandwidth"][4]["peak_gbs"] == 3350,
     "d2d counts 2x against the H100's 3350 GB/s")
want(d["pcie"] is not None, "a PCIe entry (known or why not)")
want(len(d["pool"]) == 6 and all(p["error"] is None for p in d["pool"]), "pool rows 256 B .. 64 MiB")
want(d["pool"][0]["bytes"] == 256 and d["pool"][-1]["bytes"] == 64 << 20, "pool sizes")
want(d["growth"]["gpu"]["backend"] == "cuMemAlloc on GPU 0" and d["growth"]["gpu"]["error"] is None,
     "growth on the (fake) GPU")
for p in problems:
    print("FAIL:", p)
sys.exit(1 if problems else 0)
PY
[ "$(grep -c '^bench: gemm' "$work/fake.err")" = 8 ] || fail "one progress line per GEMM measurement"

FAKE_CUDA_SCENARIO=hang LD_LIBRARY_PATH="$work/lib" "$binary" bench --json --timeout 1 \
  > "$work/hang.json" 2> /dev/null
code=$?
[ $code = 3 ] || fail "hung driver: exit $code, want 3"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
p = d["problems"][0]
sys.exit(0 if p["section"] == "device" and p["child_died"] and "timeout" in p["error"] else 1)
' "$work/hang.json" || fail "hung driver: a timed-out device child in problems"

for args in "--dtypes fp8" "--bandwidth-bytes 12Q" "--bandwidth-bytes 1K" "--sizes 0" "--iterations -1"; do
  # shellcheck disable=SC2086
  "$binary" bench $args > /dev/null 2> "$work/usage.err"
  code=$?
  [ $code = 2 ] || fail "bench $args: exit $code, want 2"
done
"$binary" bench --bandwidth-bytes 12Q > /dev/null 2> "$work/usage.err"
grep -q "'12Q'" "$work/usage.err" || fail "the bad size is named: $(cat "$work/usage.err")"

[ $status = 0 ] && echo "bench: all checks pass"
exit $status
