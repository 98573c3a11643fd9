#!/usr/bin/env bash
# `tfgpu env` end to end: on the recorded TF 2.16 machine whose wheels its RUNPATH misses, the
# exports name those wheels' folders; on the cached TF 2.21.0 venv (TFGPU_TF_VENV, whose
# framework RUNPATH misses nvidia/cusolver/lib), exactly that folder is added and survives eval
# in bash; usage errors exit 2 and a Python without TensorFlow exits 1.
# Usage: check_env.sh TFGPU MATERIALIZE SOURCE_DIR WORK_DIR
set -euo pipefail
binary=$1
materialize=$2
source_dir=$3
work=$4
fail() { echo "FAIL: $*"; exit 1; }

root="$work/tf216-wheels-unreachable"
"$materialize" "$source_dir/tests/machines/tf216-wheels-unreachable" "$root"
out=$("$binary" env --root "$root" --no-live)
site=/home/ben/venv/lib/python3.11/site-packages/nvidia
for dir in cublas cufft cusolver cusparse cudnn; do
  grep -q "^export LD_LIBRARY_PATH=.*$site/$dir/lib" <<<"$out" || fail "tf216: no $dir/lib in: $out"
done
grep -q '^# TensorFlow 2.16.1 needs' <<<"$out" || fail "tf216: no why line in: $out"
fish=$("$binary" env --root "$root" --no-live --shell fish)
grep -q "^set -gx LD_LIBRARY_PATH '$site/cublas/lib'" <<<"$fish" || fail "tf216 fish: $fish"
growth=$("$binary" env --root "$root" --no-live --memory-growth)
grep -q "^export TF_FORCE_GPU_ALLOW_GROWTH='true'$" <<<"$growth" || fail "no growth: $growth"

status=0
"$binary" env --shell csh >/dev/null 2>&1 || status=$?
[ "$status" = 2 ] || fail "--shell csh exited $status, not 2"
status=0
err=$("$binary" env --root "$root" --no-live --python /usr/bin/nonexistent 2>&1 >/dev/null) ||
  status=$?
[ "$status" = 1 ] || fail "--python to nothing exited $status, not 1"
grep -q "/usr/bin/nonexistent" <<<"$err" || fail "the error does not name the path: $err"
echo "ok: recorded machine"

venv=${TFGPU_TF_VENV:-}
if [ -z "$venv" ] || [ ! -x "$venv/bin/python" ]; then
  echo "SKIP: TFGPU_TF_VENV is not set or has no bin/python: the live TF 2.21.0 part did not run"
  exit 0
fi
out=$("$binary" env --python "$venv/bin/python")
want=$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/nvidia/cusolver/lib
added=$(env -u LD_LIBRARY_PATH bash -c 'eval "$1"; printf %s "$LD_LIBRARY_PATH"' _ "$out")
[ "$added" = "$want" ] || fail "TF 2.21.0: LD_LIBRARY_PATH after eval is '$added', not '$want'"
kept=$(LD_LIBRARY_PATH=/opt/kept bash -c 'eval "$1"; printf %s "$LD_LIBRARY_PATH"' _ "$out")
[ "$kept" = "$want:/opt/kept" ] || fail "TF 2.21.0: the current value was not kept: '$kept'"
echo "ok: $venv adds exactly $want"
