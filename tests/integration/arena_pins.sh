#!/usr/bin/env bash
# Pins each bundled model's arena (at -O2, per target: a line is "model bytes [target]", target
# generic when absent): fails when it grows (by even one byte); prints a note when it shrinks so
# the pin can be lowered.
set -euo pipefail
TINYC=$1
SRC=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fail=0
while read -r model pinned target; do
  [[ -z "$model" || "$model" == \#* ]] && continue
  target=${target:-generic}
  "$TINYC" convert "$SRC/models/$model/model.onnx" --target "$target" -o "$W/out" --report "$W/r.json" -q
  arena=$(grep -m1 '"arena_bytes"' "$W/r.json" | tr -dc '0-9')
  if [ "$arena" -gt "$pinned" ]; then
    echo "FAIL $model ($target): arena grew to $arena bytes (pinned $pinned)"; fail=1
  elif [ "$arena" -lt "$pinned" ]; then
    echo "note $model ($target): arena shrank to $arena bytes (pinned $pinned): lower the pin in tests/integration/arena_pins.txt"
  else
    echo "ok   $model ($target): $arena bytes"
  fi
done < "$SRC/tests/integration/arena_pins.txt"
exit $fail
