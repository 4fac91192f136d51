#!/usr/bin/env bash
# The integer path needs no floating point: the int8 models (int8 in, int8 out) compiled for the
# Cortex-M3 (no FPU, -mfloat-abi=soft) at -O0, -O2 and -Os reference no symbol but their weights,
# memset/memcpy and integer helpers (__aeabi_uldivmod: the softmax's one 64-bit division per row):
# no soft-float routine (__aeabi_fmul, __aeabi_d2f, ...) and no libm. A float model is checked the
# same way as a control and must show soft-float calls (the check can fail).
#   int8_soft_float.sh <tinyc> <source dir>
set -euo pipefail
TINYC=$1
SRC=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
allowed='^(m_w[0-9]+|memset|memcpy|__aeabi_(uldivmod|ldivmod|idiv|uidiv|idivmod|uidivmod|memset|memset4|memset8|memcpy|memcpy4|memcpy8|memclr|memclr4|memclr8))$'
fail=0
check() {  # model, expect_float (0/1)
  "$TINYC" convert "$SRC/models/$1/model.onnx" --target cortex-m3 -o "$W/$1" --name m -q
  for O in -O0 -O2 -Os; do
    arm-none-eabi-gcc -mcpu=cortex-m3 -mthumb -mfloat-abi=soft $O -std=c99 -pedantic -Wall -Wextra -Werror \
      -c "$W/$1/m.c" -o "$W/$1/m.o"
    other=$(arm-none-eabi-nm -u "$W/$1/m.o" | awk '{print $2}' | grep -Ev "$allowed" | tr '\n' ' ' || true)
    if [ "$2" = 0 ]; then
      if [ -n "$other" ]; then echo "FAIL $1 $O: calls $other"; fail=1; else echo "ok   $1 $O: no soft-float or libm symbol"; fi
    else
      if [ -z "$other" ]; then echo "FAIL $1 $O: the control shows no soft-float call"; fail=1
      else echo "ok   $1 $O (control): $(echo "$other" | wc -w) soft-float/libm symbols"; fi
    fi
  done
}
check kws_int8 0
check ad01_int8 0
check kws_fp32 1
exit $fail
