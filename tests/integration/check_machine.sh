#!/usr/bin/env bash
# Golden test for one recorded machine: `tfgpu probe --root` (JSON and text) must equal the
# expected files in tests/machines/<name>/expected/. TFGPU_UPDATE_GOLDEN=1 rewrites them.
set -euo pipefail
binary=$1
source_dir=$2
name=$3
cd "$source_dir"
machine="tests/machines/$name"
expected="$machine/expected"
actual=$(mktemp -d)
trap 'rm -rf "$actual"' EXIT

# tool_version changes with every release; everything else must be stable.
"$binary" probe --root "$machine" --json | python3 -c '
import json, sys
doc = json.load(sys.stdin)
doc["tool_version"] = "(any)"
json.dump(doc, sys.stdout, indent=2, sort_keys=True)
print()' > "$actual/probe.json"
"$binary" probe --root "$machine" --color never > "$actual/probe.txt"

if [ "${TFGPU_UPDATE_GOLDEN:-0}" = 1 ]; then
  mkdir -p "$expected"
  cp "$actual/probe.json" "$actual/probe.txt" "$expected/"
  echo "updated $expected"
  exit 0
fi
status=0
for file in probe.json probe.txt; do
  if ! diff -u "$expected/$file" "$actual/$file"; then
    echo "FAIL: $machine: $file differs from $expected/$file (TFGPU_UPDATE_GOLDEN=1 to accept)"
    status=1
  fi
done
[ $status = 0 ] && echo "ok: $machine matches its expected probe output"
exit $status
