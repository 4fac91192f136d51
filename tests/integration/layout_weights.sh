#!/usr/bin/env bash
# The layout pass permutes weights, it never grows them: for every bundled model the const data
# of a channels-last target (cortex-m4) has exactly the generic target's byte count (int8 weights
# behind DequantizeLinear stay int8; nothing is dequantized at compile time), apart from the 8
# floats (TINYC_NHWC_ROWS_PAD) after each distinct tap-major weight array of the row-run
# convolution (runtime/nhwc_rows.c: a last block of channels is read 8 wide).
#   layout_weights.sh <tinyc> <source dir>
set -euo pipefail
TINYC=$1
SRC=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fail=0
for dir in "$SRC"/models/*/; do
  model="$dir/model.onnx"
  [ -f "$model" ] || continue
  for t in generic cortex-m4; do
    "$TINYC" convert "$model" --target $t -o "$W/$t" --report "$W/$t.json" -q 2>/dev/null
  done
  a=$(grep -m1 '"weights_bytes"' "$W/generic.json" | tr -dc '0-9')
  b=$(grep -m1 '"weights_bytes"' "$W/cortex-m4.json" | tr -dc '0-9')
  rows=$(cat "$W"/cortex-m4/*.c | { grep -o '^ *tinyc_conv_nhwc_rows_f32([^,]*, [^,]*' || true; } | sed 's/.*, //' | sort -u | wc -l)
  b=$((b - rows * 32))
  if [ "$a" != "$b" ]; then echo "FAIL $(basename "$dir"): weights $a bytes (generic) vs $b (cortex-m4)"; fail=1
  else echo "ok   $(basename "$dir"): $a bytes"; fi
done
exit $fail
