#!/usr/bin/env bash
# The ONNX light models that use Concat (DenseNet-121, Inception-v1/v2, SqueezeNet, ShuffleNet):
# the generated C, with Concat inputs written in place (report memory.concat_in_place > 0),
# matches the interpreter with every dead buffer poisoned (tinyc validate).
set -u
TINYC=$1
DIR=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fail=0
for m in light_densenet121 light_inception_v1 light_inception_v2 light_squeezenet light_shufflenet; do
  if ! "$TINYC" convert "$DIR/$m.onnx" -o "$W/out" --report "$W/r.json" -q; then
    echo "FAIL $m: convert"; fail=1; continue
  fi
  n=$(grep -m1 '"concat_in_place"' "$W/r.json" | tr -dc '0-9')
  if [ "${n:-0}" -eq 0 ]; then echo "FAIL $m: no Concat input written in place"; fail=1; continue; fi
  if ! "$TINYC" validate "$DIR/$m.onnx" >"$W/log" 2>&1; then
    echo "FAIL $m: validate"; cat "$W/log"; fail=1; continue
  fi
  echo "ok   $m: $n Concat inputs in place; validates (poisoned)"
done
exit $fail
