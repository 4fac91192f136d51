#!/usr/bin/env bash
# Installs everything tinyc's build and tests need on Debian 12 (idempotent, quiet when done):
# apt packages, a local Python venv (.venv, ignored by git) with the test oracles, and the node
# tests of the newest onnx release (.venv-onnx-latest, .onnx-node-tests; also ignored).
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
# for the tests only: Debian's PyTorch exports the exporter test models (tests/exporters), Chromium
# renders the HTML report (tests/cli/report_html.py)
[ "$NO_VENV" = 1 ] || PACKAGES+=(python3-torch python3-onnx chromium)

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

# The newest onnx (its own node-test generators; the wheel ships no test data) in a second venv,
# so that the oracles above keep the onnx that ONNX Runtime reads: writes .onnx-node-tests/.
REQ_LATEST=scripts/requirements-onnx-latest.txt
STAMP_LATEST=.onnx-node-tests/.tinyc-generated
if [ ! -f "$STAMP_LATEST" ] || ! cmp -s "$REQ_LATEST" "$STAMP_LATEST"; then
  echo "setup: generating the node tests of $(tr '\n' ' ' < "$REQ_LATEST")into .onnx-node-tests"
  python3 -m venv .venv-onnx-latest
  .venv-onnx-latest/bin/python -m pip install -q --disable-pip-version-check -r "$REQ_LATEST"
  .venv-onnx-latest/bin/python -W ignore scripts/gen_node_tests.py .onnx-node-tests
  cp "$REQ_LATEST" "$STAMP_LATEST"
fi
