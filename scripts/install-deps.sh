#!/usr/bin/env bash
# Install the Debian 12 packages tfgpu builds and tests with, only when something is missing.
# Runs as root (or through sudo when available).
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache clang llvm libclang-rt-14-dev binutils git pkg-config
  libcli11-dev libfmt-dev nlohmann-json3-dev libtomlplusplus-dev libre2-dev libeigen3-dev
  libexpected-dev libelf-dev libgtest-dev libgmock-dev libbenchmark-dev pci.ids hyperfine
  python3 python3-venv python3-pip clang-format
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "tfgpu: build dependencies present" >&2
  exit 0
fi

echo "tfgpu: installing ${missing[*]}" >&2
sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then
  sudo_cmd=(sudo)
fi
"${sudo_cmd[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
