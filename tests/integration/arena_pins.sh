#!/usr/bin/env bash
# Pins each model's arena (at -O2, per target). A line of arena_pins.txt is
# "model bytes [target]": model is a bundled model folder (models/NAME/model.onnx) or a path
# under models/ ending in .onnx; target is generic when absent. Fails when an arena grows (by
# even one byte), is more than 2% above its liveness lower bound, or differs from the generated
# header's NAME_ARENA_SIZE; prints a note when it shrinks so the pin can be lowered.
set -euo pipefail
TINYC=$1
SRC=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fail=0
field() { grep -m1 "\"$1\"" "$W/r.json" | tr -dc '0-9'; }
while read -r model pinned target; do
  [[ -z "$model" || "$model" == \#* ]] && continue
  target=${target:-generic}
  path="$SRC/models/$model/model.onnx"
  [[ "$model" == *.onnx ]] && path="$SRC/models/$model"
  rm -rf "$W/out"
  "$TINYC" convert "$path" --target "$target" -o "$W/out" --report "$W/r.json" -q
  arena=$(field arena_bytes)
  bound=$(field lower_bound_bytes)
  header=$(grep -m1 -E '^#define [A-Z0-9_]+_ARENA_SIZE ' "$W"/out/*.h | awk '{print $3}')
  if [ "$header" != "$arena" ]; then
    echo "FAIL $model ($target): the header's ARENA_SIZE is '$header', the report says $arena"; fail=1
  elif [ "$arena" -gt "$pinned" ]; then
    echo "FAIL $model ($target): arena grew to $arena bytes (pinned $pinned)"; fail=1
  elif [ $((arena * 100)) -gt $((bound * 102)) ]; then
    echo "FAIL $model ($target): arena $arena bytes is more than 2% above the lower bound $bound"; fail=1
  elif [ "$arena" -lt "$pinned" ]; then
    echo "note $model ($target): arena shrank to $arena bytes (pinned $pinned): lower the pin in tests/integration/arena_pins.txt"
  else
    echo "ok   $model ($target): $arena bytes (lower bound $bound)"
  fi
done < "$SRC/tests/integration/arena_pins.txt"
exit $fail
