#!/usr/bin/env bash
# `tfgpu probe --json` prints exactly one JSON document with schema and tool_version.
set -euo pipefail
binary=$1
out=$("$binary" probe --json --no-live)
python3 - "$out" <<'PY'
import json, sys
doc = json.loads(sys.argv[1])
assert doc["schema"] == "tfgpu.facts/1", doc["schema"]
assert doc["tool_version"], "tool_version empty"
print("ok: one JSON document, schema", doc["schema"])
PY

# Started with stdin closed, the loader-trace children must still get their pipes right.
out=$("$binary" probe --json <&-)
python3 - "$out" <<'PY'
import json, sys
check = json.loads(sys.argv[1])["user_driver"]["libcuda"]["loader_check"]
assert check is not None and check["agrees"]["presence"] == "present", check
print("ok: loader check ran with stdin closed")
PY
