#!/usr/bin/env bash
# README command (a): set up, build, convert the bundled MNIST model to C, then build and run the
# generated code on the host and compare it with the reference interpreter and the reference data.
# Builds the tinyc executable only (no test binaries) and no Python venv (scripts/test.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --no-venv
scripts/build.sh tinyc
echo "== tinyc convert models/mnist8/model.onnx -o out/mnist8"
build/apps/tinyc convert models/mnist8/model.onnx -o out/mnist8 --name mnist --report out/mnist8/report.json
echo "== build the generated C on the host and run it (tinyc validate)"
build/apps/tinyc validate models/mnist8/model.onnx --name mnist --test-data models/mnist8
