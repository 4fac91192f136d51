#!/usr/bin/env bash
# LRN end to end: the models of tests/integration/make_lrn_models.py (window sizes 1 to 15 over 7
# channels, ranks 3 to 5, f64, f16, LRN between channels-last convolutions) validate against the
# interpreter on the generic target, on cortex-m4 (channels-last Conv/pools around the LRN) and,
# for the small ones, cross-compiled in QEMU (newlib's powf/sqrtf); so do the ONNX light
# AlexNet, Inception-v1 and ZFNet-512 with their LRN outputs as extra graph outputs. The code of
# lrn_conv compiles warning-free with gcc, clang and arm-none-eabi-gcc (generated_c.sh).
#   lrn.sh <tinyc> <python> <onnx_light dir>
set -euo pipefail
TINYC=$1
PY=$2
LIGHT=$3
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cases=$("$PY" "$HERE/make_lrn_models.py" "$W/m" "$LIGHT")
bash "$HERE/generated_c.sh" "$TINYC" "$W/m/lrn_conv.onnx" lrn_conv
for model in $cases; do
  targets="generic cortex-m4"
  [[ "$model" == lrn_* ]] && targets="$targets emulate"
  for t in $targets; do
    flags="--target $t --random 2"
    [ "$t" = emulate ] && flags="--target cortex-m4 --emulate"
    [[ "$model" == light_* ]] && flags="--target $t --random 1"
    # shellcheck disable=SC2086
    if ! "$TINYC" validate "$W/m/$model.onnx" $flags >"$W/log" 2>&1; then
      echo "FAIL $model $flags: validate"; cat "$W/log"; exit 1
    fi
    echo "ok   $model $flags"
  done
done
# Channels-last LRN computes over its input when that input is dead after it (both of lrn_conv's:
# the second one inside the caller's output buffer, where its NHWC result is then transposed in
# place), never when the input is read again (lrn_reuse).
for case in "lrn_conv 2" "lrn_reuse 0"; do
  read -r model want <<<"$case"
  "$TINYC" convert "$W/m/$model.onnx" --target cortex-m4 -o "$W/out" -q
  got=$(grep -cE 'tinyc_lrn_inplace_f32\((t|y)[0-9]' "$W/out/$model.c" || true)
  if [ "$got" != "$want" ]; then echo "FAIL $model: $got in-place LRN calls, expected $want"; exit 1; fi
  echo "ok   $model: $got in-place LRN on cortex-m4"
done
