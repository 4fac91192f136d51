#!/usr/bin/env bash
# Concat in place end to end: models with branches, nested Concats and the cases that must copy
# (tests/integration/make_concat_models.py) convert with Concat inputs written in place
# (report memory.concat_in_place > 0 at -O0 and -O2; --io-in-arena changes the peak, so there
# the count is only shown) and validate against the interpreter with dead buffers poisoned.
#   concat_in_place.sh <tinyc> <python>
set -euo pipefail
TINYC=$1
PY=$2
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$PY" "$HERE/make_concat_models.py" "$W/m"
for model in inception dense mixed; do
  for flags in "-O 0" "-O 2" "--io-in-arena"; do
    # shellcheck disable=SC2086
    "$TINYC" convert "$W/m/$model.onnx" $flags -o "$W/out" --report "$W/r.json" -q
    n=$(grep -m1 '"concat_in_place"' "$W/r.json" | tr -dc '0-9')
    if [ "${n:-0}" -eq 0 ] && [ "$flags" != "--io-in-arena" ]; then echo "FAIL $model $flags: no Concat input written in place"; exit 1; fi
    # shellcheck disable=SC2086
    if ! "$TINYC" validate "$W/m/$model.onnx" $flags --random 2 >"$W/log" 2>&1; then
      echo "FAIL $model $flags: validate"; cat "$W/log"; exit 1
    fi
    echo "ok   $model $flags: $n Concat inputs in place, validates (poisoned)"
  done
done
