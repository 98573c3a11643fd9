#!/usr/bin/env bash
# docs/checks.md lists exactly the checks the registry has (`tfgpu doctor --list-checks`).
set -euo pipefail
binary=$1
doc=$2
registry=$("$binary" doctor --list-checks | cut -f1 | sort)
documented=$(grep -oE '^\| `[a-z0-9_]+`' "$doc" | tr -d '|` ' | sort)
if [ "$registry" != "$documented" ]; then
  echo "FAIL: docs/checks.md and the check registry differ:"
  diff <(echo "$documented") <(echo "$registry") || true
  exit 1
fi
echo "ok: docs/checks.md lists the $(echo "$registry" | wc -l) registered checks"
