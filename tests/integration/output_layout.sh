#!/usr/bin/env bash
# Graph outputs written by a channels-last layer (issue 13, point 2): on cortex-m4 and mcu the last
# layer computes inside the caller's output buffer and the Transpose to the model's NCHW runs there
# in place, so the arena holds no transposed copy of the output. For each model of
# make_output_layout_models.py: the report shows the expected values inside an output (in_output),
# the code transposes in the output buffer, the arena equals the one of --io-layout nhwc (where the
# caller takes channels-last data and no Transpose exists) except where an output is also read by
# a later layer, and the model validates against the interpreter with dead buffers poisoned (two on
# the emulated Cortex-M4 as well).
#   output_layout.sh <tinyc> <python>
set -euo pipefail
TINYC=$1
PY=$2
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cases=$("$PY" "$HERE/make_output_layout_models.py" "$W/m")
field() { "$PY" -c 'import json, sys; r = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"; }
fail=0
for c in $cases; do
  model=${c%%:*}
  want=${c##*:}
  for t in cortex-m4 mcu; do
    "$TINYC" convert "$W/m/$model.onnx" --target $t --patch off -o "$W/out" --report "$W/r.json" -q
    "$TINYC" convert "$W/m/$model.onnx" --target $t --patch off --io-layout nhwc -o "$W/outn" --report "$W/rn.json" -q
    n=$(field "$W/r.json" 'sum("in_output" in o for n in r["nodes"] for o in n["outputs"])')
    a=$(field "$W/r.json" 'r["arena_bytes"]')
    an=$(field "$W/rn.json" 'r["arena_bytes"]')
    k=$(grep -c 'tinyc_transpose_inplace(y' "$W/out/$model.c" || true)
    if [ "$n" != "$want" ]; then echo "FAIL $model $t: $n values inside an output, expected $want"; fail=1; fi
    if [ "$k" != 1 ]; then echo "FAIL $model $t: $k in-place transposes in an output buffer, expected 1"; fail=1; fi
    if [ "$model" != two_outputs ] && [ "$a" != "$an" ]; then
      echo "FAIL $model $t: arena $a, with --io-layout nhwc $an"; fail=1
    fi
    if ! "$TINYC" validate "$W/m/$model.onnx" --target $t --patch off --random 2 >"$W/log" 2>&1; then
      echo "FAIL $model $t: validate"; cat "$W/log"; fail=1
    fi
    echo "$model $t: $n values in the output, arena $a (--io-layout nhwc $an), validates"
  done
done
for model in conv_last int8_last; do
  if ! "$TINYC" validate "$W/m/$model.onnx" --target cortex-m4 --emulate --random 1 >"$W/log" 2>&1; then
    echo "FAIL $model: validate --emulate"; cat "$W/log"; fail=1
  else
    echo "$model cortex-m4 emulated: validates"
  fi
done
exit $fail
