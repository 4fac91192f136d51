#!/usr/bin/env bash
# The float kernels' VLDM inline assembly (TINYC_ARM_VLDM in runtime/common.c: the one-row dense
# layer of runtime/dense.c, both weight layouts, the 4x4 register tile of the channels-last
# convolution in runtime/nhwc.c and the row-run convolution of runtime/nhwc_rows.c, one and two
# pixels at a time) against their C loops, bit for bit, on the emulated cores with an
# FPU: each model's C is built as `validate --emulate` builds it and again with -DTINYC_NO_ASM
# (the objects must differ: the assembly is there), both run in QEMU on the same input, and the
# output bytes must be equal (each sum is the same chain of fused multiply-adds in the same order).
# Models: the float shared models, and seeded random two-layer convolutions (1-4, then 1-12 input
# channels; tests/integration/conv_rows_models.py: random windows, strides, dilations, pads and
# output channels 3-24, so that last blocks of 1-7 channels run too; validate --emulate also checks
# them against the interpreter), and seeded random 3x3 depthwise layers (the passes of
# runtime/arm_fpu/dw3.c: strides 1 and 2, pads 0-2, with and without bias, Relu, Clip; at least
# 4 of them must run the passes), and seeded small-channel convolutions read channels-last from the
# arena (1-3 channels, windows 2x1 to 3x3: equal row counts and run lengths, which gcc once gave one
# register; conv_rows_models.py small).
#   float_asm.sh <tinyc> <source dir> <python>
set -euo pipefail
TINYC=$1
cd "$2"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$3" tests/integration/conv_rows_models.py "$W/rows" 8 2026
"$3" tests/integration/conv_rows_models.py "$W/dw" 8 2026 dw
"$3" tests/integration/conv_rows_models.py "$W/small" 8 2026 small
declare -A FLAGS=([cortex-m4]="-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
                  [cortex-m7]="-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16"
                  [cortex-m33]="-mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16"
                  [cortex-m55]="-mcpu=cortex-m55 -mthumb -mfloat-abi=hard")
declare -A MACHINE=([cortex-m4]=mps2-an386 [cortex-m7]=mps2-an500 [cortex-m33]=mps2-an505 [cortex-m55]=mps3-an547)
fail=0
n=0
dw_passes=0
for t in cortex-m4 cortex-m7 cortex-m33 cortex-m55; do
  for m in ad01_fp32 kws_fp32 mnist8 digits_cnn "$W"/rows/*.onnx "$W"/dw/*.onnx "$W"/small/*.onnx; do
    f=models/$m/model.onnx
    case $m in *.onnx) f=$m; m=$(basename "$m" .onnx) ;; esac
    log=$W/$t-$m.log
    if ! "$TINYC" validate "$f" --name model --target "$t" --emulate --keep >/dev/null 2>"$log"; then
      echo "FAIL $t $m: validate --emulate: $(tail -1 "$log")"; fail=1; continue
    fi
    dir=$(sed -n 's/.*kept in //p' "$log")
    b=$dir/build
    if [ "$t" = cortex-m4 ] && grep -Eq 'tinyc_conv_dw_nhwc(_inplace)?_f32\(.*, 1\);' "$b/model.c"; then
      dw_passes=$((dw_passes + 1))
    fi
    cflags="${FLAGS[$t]} -O2 -std=c99 -pedantic -Wall -Wextra -Werror -DTINYC_HARNESS_NO_CLOCK -DTINYC_NO_ASM"
    for f in model model_weights harness startup; do
      arm-none-eabi-gcc $cflags -c "$b/$f.c" -o "$b/$f.noasm.o"
    done
    arm-none-eabi-gcc ${FLAGS[$t]} -o "$b/noasm.elf" "$b"/model.noasm.o "$b"/model_weights.noasm.o "$b"/harness.noasm.o \
      "$b"/startup.noasm.o --specs=rdimon.specs -nostartfiles -T "$b/link.ld" -lm -lrdimon
    if cmp -s "$b/model.o" "$b/model.noasm.o"; then
      echo "FAIL $t $m: -DTINYC_NO_ASM changed nothing (no assembly in the kernels)"; fail=1
    fi
    mkdir -p "$dir/noasm"
    cp "$dir"/run0/in*.bin "$dir/noasm/"
    (cd "$dir/noasm" && timeout 300 qemu-system-arm -machine "${MACHINE[$t]}" -cpu "$t" -nographic -monitor none \
      -semihosting-config enable=on,target=native -kernel "$b/noasm.elf" </dev/null >run.log 2>&1) || {
      echo "FAIL $t $m: the C loops' build did not run"; fail=1; }
    for o in "$dir"/run0/out*.bin; do
      if ! cmp -s "$o" "$dir/noasm/$(basename "$o")"; then
        echo "FAIL $t $m: $(basename "$o") differs between the assembly and the C loops"; fail=1
      fi
    done
    rm -rf "$dir"
    n=$((n + 1))
  done
done
if [ "$dw_passes" -lt 4 ]; then
  echo "FAIL only $dw_passes models ran the depthwise passes on the M4 (want >= 4)"; fail=1
fi
[ "$fail" = 0 ] || exit 1
echo "ok: $n builds, the VLDM kernels equal their C loops bit for bit"
