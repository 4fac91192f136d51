#!/usr/bin/env bash
# README command (a): set up, build, and run the main job on the bundled model.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/build.sh
echo "== tinyc inspect models/mnist8/model.onnx"
build/apps/tinyc inspect models/mnist8/model.onnx
echo "== tinyc run models/mnist8/model.onnx (reference interpreter)"
out=$(mktemp -d)
build/apps/tinyc run models/mnist8/model.onnx -i models/mnist8/test_data_set_0/input_0.pb --output-dir "$out"
echo "wrote $out/output_0.pb"
