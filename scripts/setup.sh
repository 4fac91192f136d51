#!/usr/bin/env bash
# Installs everything tinyc's build and tests need on Debian 12 (idempotent, quiet when done):
# apt packages, and a local Python venv (.venv, ignored by git) with the test oracles.
#   setup.sh [--no-venv]   --no-venv: the packages only (enough to build and run tinyc)
set -euo pipefail
NO_VENV=0
[ "${1:-}" = --no-venv ] && NO_VENV=1
cd "$(dirname "$0")/.."

PACKAGES=(
  cmake ninja-build g++ clang libclang-rt-14-dev llvm-14-tools ccache
  libonnx-dev libprotobuf-dev protobuf-compiler libeigen3-dev libcli11-dev libfmt-dev
  nlohmann-json3-dev zlib1g-dev libgtest-dev libonnx-testdata
  python3 python3-venv python3-pip
  gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Test oracles (numpy, onnx, onnxruntime) in a local venv.
[ "$NO_VENV" = 1 ] && exit 0
REQ=scripts/requirements-test.txt
STAMP=.venv/.tinyc-installed
if [ ! -f "$STAMP" ] || ! cmp -s "$REQ" "$STAMP"; then
  echo "setup: creating .venv with $(tr '\n' ' ' < "$REQ")"
  python3 -m venv .venv
  .venv/bin/python -m pip install -q --disable-pip-version-check -r "$REQ"
  cp "$REQ" "$STAMP"
fi
