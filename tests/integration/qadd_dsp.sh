#!/usr/bin/env bash
# tests/integration/qadd_dsp_test.c (the int8 Add of cores with the DSP extension against the
# portable arithmetic, every input pair) built with the real instructions and run on the emulated
# Cortex-M4 and Cortex-M33, with the bare-metal startup and linker script of `validate --emulate`.
#   qadd_dsp.sh <tinyc> <source dir>
set -euo pipefail
TINYC=$1
SRC=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
declare -A FLAGS=([cortex-m4]="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
                  [cortex-m33]="-mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16")
declare -A MACHINE=([cortex-m4]=mps2-an386 [cortex-m33]=mps2-an505)
fail=0
for t in cortex-m4 cortex-m33; do
  "$TINYC" validate "$SRC/models/hello_sine/model.onnx" --name model --target $t --emulate --keep >/dev/null 2>"$W/log"
  b=$(sed -n 's/.*kept in //p' "$W/log")/build
  R=$SRC/backends/c/runtime
  arm-none-eabi-gcc ${FLAGS[$t]} -O2 -std=c99 -pedantic -Wall -Wextra -Werror -I"$R" -I"$R/arm_dsp" -I"$SRC/lib/ops" \
    "$SRC/tests/integration/qadd_dsp_test.c" "$b/startup.c" -o "$W/t.elf" --specs=rdimon.specs -nostartfiles \
    -T "$b/link.ld" -lm -lrdimon
  if ! (cd "$W" && timeout 600 qemu-system-arm -machine "${MACHINE[$t]}" -cpu $t -nographic -monitor none \
        -semihosting-config enable=on,target=native -kernel t.elf </dev/null >run.log 2>&1); then
    echo "FAIL $t:"; head -12 "$W/run.log"; fail=1
  else
    echo "$t: $(tail -1 "$W/run.log")"
  fi
  rm -rf "$(dirname "$b")"
done
exit $fail
