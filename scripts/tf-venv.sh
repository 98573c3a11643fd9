#!/usr/bin/env bash
# Create, once, the cached virtual environment with real TensorFlow from PyPI that the
# integration tests probe. Prints the venv's path. The version is pinned here and only here.
set -euo pipefail
TFGPU_TF_VERSION=${TFGPU_TF_VERSION:-2.21.0}
cache=${TFGPU_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tfgpu}
venv="$cache/tf-$TFGPU_TF_VERSION"
python=${TFGPU_VENV_PYTHON:-python3}

if [ -f "$venv/.complete" ]; then
  echo "$venv"
  exit 0
fi
mkdir -p "$cache"
rm -rf "$venv"
echo "tfgpu: creating $venv with tensorflow[and-cuda]==$TFGPU_TF_VERSION (once)" >&2
"$python" -m venv "$venv" >&2
"$venv/bin/python" -m pip install -q --disable-pip-version-check \
  "tensorflow[and-cuda]==$TFGPU_TF_VERSION" >&2
touch "$venv/.complete"
echo "$venv"
