#!/usr/bin/env bash
# Golden test for one recorded machine: `tfgpu probe --root` (JSON and text) and `tfgpu doctor
# --root` (JSON without the facts probe.json already holds, verbose text, and its exit code) on the
# machine's materialized tree must equal tests/machines/<name>/expected/. TFGPU_UPDATE_GOLDEN=1
# rewrites them.
# Usage: check_machine.sh TFGPU MATERIALIZE SOURCE_DIR NAME WORK_DIR
set -euo pipefail
binary=$1
materialize=$2
source_dir=$3
name=$4
work=$5
machine="$source_dir/tests/machines/$name"
expected="$machine/expected"
root="$work/$name"
"$materialize" "$machine" "$root"
actual=$(mktemp -d)
trap 'rm -rf "$actual"' EXIT

# The root's host path and tool_version differ between checkouts and releases; the rest is stable.
"$binary" probe --root "$root" --json | python3 -c '
import json, sys
doc = json.load(sys.stdin)
doc["tool_version"] = "(any)"
doc["root"] = "(machine)"
json.dump(doc, sys.stdout, indent=2, sort_keys=True)
print()' > "$actual/probe.json"
"$binary" probe --root "$root" --color never | sed "s|$root|(machine)|g" > "$actual/probe.txt"

doctor_status=0
"$binary" doctor --root "$root" --json > "$actual/doctor.raw.json" || doctor_status=$?
python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
doc["tool_version"] = "(any)"
del doc["facts"]
json.dump(doc, sys.stdout, indent=2, sort_keys=True)
print()' "$actual/doctor.raw.json" > "$actual/doctor.json"
rm "$actual/doctor.raw.json"
text_status=0
"$binary" doctor --root "$root" --color never -v \
  | sed -e "s|$root|(machine)|g" -e "1s|^tfgpu doctor .*|tfgpu doctor (version)|" \
  > "$actual/doctor.txt" || text_status=$?
if [ "$doctor_status" != "$text_status" ]; then
  echo "FAIL: $name: doctor --json exited $doctor_status but doctor (text) exited $text_status"
  exit 1
fi
echo "$doctor_status" > "$actual/doctor.exit"

if [ "${TFGPU_UPDATE_GOLDEN:-0}" = 1 ]; then
  mkdir -p "$expected"
  cp "$actual"/* "$expected/"
  echo "updated $expected"
  exit 0
fi
status=0
for file in probe.json probe.txt doctor.json doctor.txt doctor.exit; do
  if ! diff -u "$expected/$file" "$actual/$file"; then
    echo "FAIL: $name: $file differs from $expected/$file (TFGPU_UPDATE_GOLDEN=1 to accept)"
    status=1
  fi
done
[ $status = 0 ] && echo "ok: $name matches its expected probe and doctor output"
exit $status
