#!/usr/bin/env bash
# Each module may include only the modules ARCHITECTURE.md allows; the CMake targets enforce the
# same edges at link time, and this catches header-only includes that linking cannot see.
set -euo pipefail
cd "$(dirname "$0")/.."
declare -A allowed=(
  [base]=""
  [model]="base"
  [vendor]="base"
  [probe]="base model vendor"
  [kb]="base"
  [checks]="base model kb"
  [plan]="base model kb checks"
  [explain]="base model kb"
  [report]="base model"
  [runtime]="base vendor"
  [verify]="base model vendor probe kb runtime explain"
  [bench]="base vendor runtime kb probe model"
  [install]="base model"
  [cli]="base model vendor probe kb checks explain report runtime verify plan bench install"
)
status=0
for module in "${!allowed[@]}"; do
  [ -d "src/tfgpu/$module" ] || continue
  while IFS=: read -r file line include; do
    used=$(sed -E 's|.*"tfgpu/([a-z_]+)/.*|\1|' <<< "$include")
    if [ "$used" != "$module" ] && [[ " ${allowed[$module]} " != *" $used "* ]]; then
      echo "$file:$line: module '$module' may not include '$used' ($include)"
      status=1
    fi
  done < <(grep -n '#include "tfgpu/' -r "src/tfgpu/$module" | sed -E 's/^([^:]+):([0-9]+):/\1:\2:/')
done
for dir in src/tfgpu/*/; do
  module=$(basename "$dir")
  if [ -z "${allowed[$module]+set}" ]; then
    echo "src/tfgpu/$module: a module ARCHITECTURE.md and this check do not know"
    status=1
  fi
done
[ $status = 0 ] && echo "ok: includes follow the module layering"
exit $status
