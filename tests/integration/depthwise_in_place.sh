#!/usr/bin/env bash
# In-place depthwise (channels-last targets): for each geometry of
# tests/integration/make_depthwise_models.py the depthwise runs over its own input (report
# memory.in_place_over_input.Conv = 1, the in-place kernel in the code) except when its input is read
# again later, and every model validates against the interpreter with dead buffers poisoned (the
# 3x3 ones on the emulated Cortex-M4 as well). With --patch off: these one-layer models would
# otherwise run in strips (tests/integration/patch.sh), which leaves nothing to compute in place.
#   depthwise_in_place.sh <tinyc> <python>
set -euo pipefail
TINYC=$1
PY=$2
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cases=$("$PY" "$HERE/make_depthwise_models.py" "$W/m")
for model in $cases; do
  "$TINYC" convert "$W/m/$model.onnx" --target cortex-m4 --patch off -o "$W/out" --report "$W/r.json" -q
  n=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))["memory"]["in_place_over_input"].get("Conv", 0))' "$W/r.json")
  want=1
  [[ "$model" == *residual || "$model" == *_grows ]] && want=0
  if [ "$n" != "$want" ]; then echo "FAIL $model: in_place_over_input.Conv $n, expected $want"; exit 1; fi
  k=$(grep -c 'tinyc_conv_dw_nhwc_inplace_f32(t' "$W/out/$model.c" || true)
  if [ "$k" != "$want" ]; then echo "FAIL $model: $k in-place kernel calls, expected $want"; exit 1; fi
  if ! "$TINYC" validate "$W/m/$model.onnx" --target cortex-m4 --patch off --random 3 >"$W/log" 2>&1; then
    echo "FAIL $model: validate"; cat "$W/log"; exit 1
  fi
  # the 3x3 row kernels on the emulated M4 too (fused multiply-adds, arm-none-eabi-gcc -O2)
  if [[ "$model" == k3* ]] && ! "$TINYC" validate "$W/m/$model.onnx" --target cortex-m4 --patch off --emulate --random 1 >"$W/log" 2>&1; then
    echo "FAIL $model: validate --emulate"; cat "$W/log"; exit 1
  fi
  echo "ok   $model: in place $n, validates (poisoned)"
done
