#!/usr/bin/env bash
# --kernels small (TargetDesc::smallCode, backends/c/kernels_small.cpp): the compact convolution
# (runtime/conv_small.c), the channels-last pools inlined where few nodes call them, the one-row
# dense layers as loops.
# 1. 40 seeded random convolutions (conv_direct_models.py: windows, strides, dilations, asymmetric
#    and bottom-only padding, groups, depthwise with multiplier 1-2, batch 2, int8 weights behind a
#    DequantizeLinear) converted for `mcu` must call tinyc_conv_small_f32 and validate against the
#    interpreter on the host with gcc -O2, gcc -O0 and clang -O2, a third also under ASan/UBSan
#    (one convolution per model: the kernel is inlined at its call).
# 2. kws_fp32 (nine convolutions: the kernel out of line, int8 weights, depthwise) and mnist8 the
#    same way on the host, and the shared float models on the emulated Cortex-M4 (validate
#    --emulate); each model's code (.text of NAME.c, arm-none-eabi-gcc -O2) must be smaller than
#    with --kernels fast.
#   kernels_small.sh <tinyc> <source dir> <python>
set -euo pipefail
TINYC=$1
cd "$2"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$3" tests/integration/conv_direct_models.py "$W/m" 40 23 >/dev/null
fail=0 n=0
check() {  # check MODEL NAME FLAGS...: host validate with each compiler/flags pair
  local m=$1 name=$2
  shift 2
  for f in "$@"; do
    local cc=cc
    [[ $f == clang* ]] && cc=clang f=${f#clang }
    if ! CC=$cc CFLAGS="$f" ASAN_OPTIONS=detect_leaks=0 "$TINYC" validate "$m" --target mcu --kernels small -q \
      >"$W/log" 2>&1; then
      echo "FAIL $name ($cc $f):"; head -5 "$W/log"; fail=1
    fi
  done
}
for m in "$W"/m/*.onnx; do
  name=$(basename "$m" .onnx)
  n=$((n + 1))
  "$TINYC" convert "$m" --target mcu --kernels small -o "$W/c" --name x -q
  grep -q "tinyc_conv_small_f32(" "$W/c/x.c" || { echo "FAIL $name: not tinyc_conv_small_f32"; fail=1; }
  flags=("-O2" "-O0" "clang -O2")
  [ $((n % 3)) = 0 ] && flags+=("-O1 -fsanitize=address,undefined -fno-sanitize-recover=all")
  check "$m" "$name" "${flags[@]}"
done
check models/kws_fp32/model.onnx kws_fp32 "-O2" "-O1 -fsanitize=address,undefined -fno-sanitize-recover=all"
check models/mnist8/model.onnx mnist8 "-O2"
"$TINYC" convert models/kws_fp32/model.onnx --target mcu --kernels small -o "$W/k" --name k -q
if grep -q "#define TINYC_CONV_SMALL_INLINE" "$W/k/k.c"; then echo "FAIL kws_fp32: nine convolutions inlined"; fail=1; fi
M4="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
for m in mnist8 digits_cnn kws_fp32 ad01_fp32 hello_sine; do
  if ! "$TINYC" validate models/$m/model.onnx --target cortex-m4 --kernels small --emulate -q >"$W/log" 2>&1; then
    echo "FAIL $m: validate --emulate on cortex-m4:"; tail -3 "$W/log"; fail=1
  fi
  declare -A text=()
  for k in fast small; do
    "$TINYC" convert models/$m/model.onnx --target cortex-m4 --kernels $k -o "$W/$k" --name $m -q
    arm-none-eabi-gcc $M4 -O2 -std=c99 -pedantic -Wall -Wextra -Werror -c "$W/$k/$m.c" -o "$W/$k/$m.o"
    text[$k]=$(arm-none-eabi-size "$W/$k/$m.o" | awk 'NR == 2 {print $1}')
  done
  echo "$m: code ${text[fast]} B with --kernels fast, ${text[small]} B with --kernels small"
  [ "${text[small]}" -lt "${text[fast]}" ] || [ $m = hello_sine ] || { echo "FAIL $m: --kernels small is not smaller"; fail=1; }
done
[ $fail = 0 ] && echo "ok: $n random convolutions and the shared models validate with --kernels small"
exit $fail
