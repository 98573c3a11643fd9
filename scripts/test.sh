#!/usr/bin/env bash
# README command 2: install what is missing, build, and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
TFGPU_TF_VENV=$(scripts/tf-venv.sh)
export TFGPU_TF_VENV
scripts/build.sh dev
ctest --preset dev
