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

# Liveness bounds computed by hand (not by tinyc's planner), generic and cortex-m4 at -O2 with the
# graph inputs and outputs outside the arena (the default), ReLU fused into the Gemm before it, and
# a Gemm never computing in place (it reads its whole input row for every output):
#   hello_sine: Gemm 1->16, Gemm 16->16, Gemm 16->1. dense_3 reads dense_2's f32[1,16] (64 B) while
#     writing its own f32[1,16] (64 B): 128 B. The final Gemm writes the graph output.
#   velardo_lesson9: Gemm 2->5, Gemm 5->1: only dense's f32[1,5] lives in the arena: 20 B.
#   ad01_fp32: Gemms 640->128->128->128->128->8->128->128->128->128->640. The worst step reads one
#     f32[1,128] (512 B) and writes another (512 B): 1024 B (the 8-wide bottleneck: 512 + 32 B).
# The report's lower bound and the planned arena must both equal these.
for pair in hello_sine:128 velardo_lesson9:20 ad01_fp32:1024; do
  model=${pair%%:*} hand=${pair##*:}
  for target in generic cortex-m4; do
    rm -rf "$W/out"
    "$TINYC" convert "$SRC/models/$model/model.onnx" --target "$target" -o "$W/out" --report "$W/r.json" -q
    arena=$(field arena_bytes)
    bound=$(field lower_bound_bytes)
    if [ "$bound" != "$hand" ] || [ "$arena" != "$hand" ]; then
      echo "FAIL $model ($target): hand-computed liveness bound $hand bytes, tinyc's bound $bound, arena $arena"; fail=1
    else
      echo "ok   $model ($target): bound and arena equal the hand-computed $hand bytes"
    fi
  done
done
exit $fail
