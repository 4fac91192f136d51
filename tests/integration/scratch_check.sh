#!/usr/bin/env bash
# Kernel scratch sizes are declared once (backends/c/runtime/scratch.h) and checked: every bundled
# model's generated C, built with -DTINYC_CHECK_SCRATCH for the generic, Cortex-M4 and Cortex-M55
# kernels, validates against the interpreter (no kernel needs more scratch than the emitter gave
# it), and the check can fail: the same C with one kernel's stated scratch 4 bytes short traps.
#   scratch_check.sh <tinyc> <source dir>
set -euo pipefail
TINYC=$1
SRC=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
fail=0
for m in "$SRC"/models/*/model.onnx; do
  name=$(basename "$(dirname "$m")")
  for t in generic cortex-m4 cortex-m55; do
    if CFLAGS="-O1 -DTINYC_CHECK_SCRATCH" "$TINYC" validate "$m" --target "$t" -q >"$W/log" 2>&1; then
      echo "ok   $name $t: validates with the scratch checks"
    else
      echo "FAIL $name $t:"; grep -v "note:" "$W/log" | head -5; fail=1
    fi
  done
done
# The control: mnist8's first convolution told 4 bytes less than its kernel needs must trap.
"$TINYC" validate "$SRC/models/mnist8/model.onnx" --keep -q 2>"$W/keep.log"
dir=$(sed -n 's/.*kept in \([^ ]*\).*/\1/p' "$W/keep.log")
trap 'rm -rf "$W" "$dir"' EXIT
cd "$dir/build"
given=$(grep -o 'TINYC_SCRATCH_GIVEN([0-9]*)' ./*.c | head -1 | grep -o '[0-9]*)' | tr -d ')')
[ -n "$given" ] || { echo "FAIL: no TINYC_SCRATCH_GIVEN in mnist8's C"; exit 1; }
for delta in 0 4; do
  sed "0,/TINYC_SCRATCH_GIVEN($given)/s//TINYC_SCRATCH_GIVEN($((given - delta)))/" model.c >short.c
  cc -O1 -DTINYC_CHECK_SCRATCH -std=c99 -o short short.c model_weights.c harness.c -lm
  set +e
  ./short ../run0/in0.bin out.bin >run.log 2>&1
  rc=$?
  set -e
  if [ "$delta" = 0 ] && [ "$rc" != 0 ]; then echo "FAIL: the control build with the exact scratch exits $rc"; fail=1; fi
  if [ "$delta" = 4 ] && [ "$rc" = 0 ]; then echo "FAIL: a kernel given 4 bytes less scratch than it needs did not trap"; fail=1; fi
  [ "$delta" = 4 ] && [ "$rc" != 0 ] && echo "ok   mnist8: 4 bytes short of scratch traps (exit $rc)"
done
exit $fail
