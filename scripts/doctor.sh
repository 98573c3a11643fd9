#!/usr/bin/env bash
# README command 1: install what is missing, build, and run `tfgpu doctor` on this machine.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh dev >&2
exec build/dev/src/tfgpu/tfgpu doctor "$@"
