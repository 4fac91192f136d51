#!/usr/bin/env bash
# The light SqueezeNet and ShuffleNet with random weights (light_random.py) validate against
# ONNX Runtime's outputs on the generic target and on cortex-m4 (channels-last kernels).
#   light_random.sh <tinyc> <python> <models/onnx_light>
set -euo pipefail
TINYC=$1
PY=$2
DIR=$3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fail=0
for m in light_squeezenet light_shufflenet; do
  "$PY" "$(dirname "$0")/light_random.py" "$DIR/$m.onnx" "$W/$m"
  for t in generic cortex-m4; do
    if "$TINYC" validate "$W/$m/model.onnx" --test-data "$W/$m" --target $t >"$W/log" 2>&1 && grep -q "vs ref .* ok" "$W/log"; then
      echo "ok   $m ($t): random weights, matches ONNX Runtime"
    else
      echo "FAIL $m ($t):"; cat "$W/log"; fail=1
    fi
  done
done
exit $fail
