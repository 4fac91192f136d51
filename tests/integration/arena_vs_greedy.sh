#!/usr/bin/env bash
# Issue 13's bound: on every bundled model and every target, the arena is at most TensorFlow Lite
# Micro's greedy-by-size on the ONNX graph as given (scripts/greedy_arena.py) plus 5% or 1 KB,
# whichever is larger. Known exceptions (listed below with their reason) must still exceed it:
# when one stops exceeding, the test fails so that the list is kept honest.
#   arena_vs_greedy.sh TINYC PYTHON SRC
set -euo pipefail
TINYC=$1
PY=$2
SRC=$3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
# model target: why
# (none since 2026-12-06: kws_fp32 on generic, the int8-weight Conv's GEMM block and weight chunk at
# the peak, came within the bound with the host's direct convolution: 69,952 -> 66,048 bytes)
declare -A KNOWN=()
fail=0
for dir in "$SRC"/models/*/; do
  m=$(basename "$dir")
  [ -f "$dir/model.onnx" ] || continue
  greedy=$("$PY" "$SRC/scripts/greedy_arena.py" "$dir/model.onnx" --json | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["greedy_by_size_bytes"])')
  limit=$(( greedy * 105 / 100 > greedy + 1024 ? greedy * 105 / 100 : greedy + 1024 ))
  for t in generic mcu cortex-m4 cortex-m55; do
    rm -rf "$W/out"
    "$TINYC" convert "$dir/model.onnx" --target "$t" -o "$W/out" --report "$W/r.json" -q 2>/dev/null
    arena=$(grep -m1 '"arena_bytes"' "$W/r.json" | tr -dc '0-9')
    key="$m $t"
    if [ -n "${KNOWN[$key]:-}" ]; then
      if [ "$arena" -le "$limit" ]; then
        echo "FAIL $key: arena $arena is now within greedy $greedy + 5%/1 KB: remove it from the known list"; fail=1
      else
        echo "known $key: arena $arena > greedy $greedy ($limit allowed): ${KNOWN[$key]}"
      fi
    elif [ "$arena" -gt "$limit" ]; then
      echo "FAIL $key: arena $arena bytes > greedy-by-size on the ONNX graph $greedy + 5%/1 KB ($limit)"; fail=1
    else
      echo "ok   $key: arena $arena, greedy $greedy"
    fi
  done
done
exit $fail
