#!/usr/bin/env bash
# Issue 14 point 2: generated C for the MCU targets is single-precision only. Every bundled model,
# the ONNX light CNNs and the ONNX node tests of the ops whose kernels accumulate (LayerNorm,
# Reduce*, global pools, Resize, BatchNorm, LRN, Softmax, ...) in float32 are converted for
# cortex-m4 and compiled with arm-none-eabi-gcc -O2 for the M4 (single-precision FPU) with
# -Wdouble-promotion -Wfloat-conversion on top of the usual warnings; the object must not call a
# double-precision helper (__aeabi_d*, __aeabi_f2d, __aeabi_i2d, ...) nor a double libm function
# (exp, sqrt, pow, ... rather than expf, sqrtf, powf); the bundled models at -O0 call no fmaf.
#   single_precision.sh <tinyc> <models dir> <onnx node tests dir>
set -euo pipefail
TINYC=$1
MODELS=$2
NODE=$3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
command -v arm-none-eabi-gcc >/dev/null || { echo "FAIL: arm-none-eabi-gcc is not installed"; exit 1; }
CFLAGS="-std=c99 -pedantic -Wall -Wextra -Werror -Wdouble-promotion -Wfloat-conversion -O2 -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"
models=()
for f in "$MODELS"/*/model.onnx "$MODELS"/onnx_light/*.onnx; do models+=("$f"); done
for pat in layer_normalization reduce_sum reduce_mean globalaveragepool resize_ batchnorm lrn softmax; do
  for d in "$NODE"/test_${pat}*; do
    [ -f "$d/model.onnx" ] && models+=("$d/model.onnx")
  done
done
bad=0 n=0
for f in "${models[@]}"; do
  name=$(basename "$(dirname "$f")")/$(basename "$f" .onnx)
  # float32 only: a model with double tensors needs double arithmetic
  if ! "$TINYC" convert "$f" -o "$W/out" --target cortex-m4 --name m -q >"$W/log" 2>&1; then
    continue  # not convertible (unsupported op or dtype): not this test's concern
  fi
  if grep -q "_DTYPE TINYC_DTYPE_F64$" "$W/out/m.h"; then rm -rf "$W/out"; continue; fi
  if ! arm-none-eabi-gcc $CFLAGS -c "$W/out/m.c" -o "$W/m.o" 2>"$W/cc"; then
    echo "FAIL $name: warnings with -Wdouble-promotion -Wfloat-conversion"; head -20 "$W/cc"; bad=1
  else
    syms=$(arm-none-eabi-nm -u "$W/m.o" | awk '{print $2}' |
      grep -E '^(__aeabi_(d[a-z0-9]*|f2d|i2d|ui2d|l2d|ul2d)|__(add|sub|mul|div|extendsf|truncdf)df[0-9]*|(exp|log|sqrt|pow|tanh|erf|fabs|floor|ceil|round|nearbyint|sin|cos|atan|fmod|expm1|log1p)|__(eq|ne|lt|le|gt|ge|unord)df2)$' || true)
    if [ -n "$syms" ]; then echo "FAIL $name: double-precision symbols: $(echo $syms)"; bad=1; fi
    # at -O0 too, where gcc does not inline fmaf (newlib's computes in double): the float kernels
    # fuse multiply-adds only in optimized builds (runtime/common.c TINYC_FMAF)
    case $f in "$MODELS"/*/model.onnx)
      arm-none-eabi-gcc ${CFLAGS/-O2/-O0} -c "$W/out/m.c" -o "$W/m0.o"
      if arm-none-eabi-nm -u "$W/m0.o" | awk '{print $2}' | grep -qE '^fmaf?$'; then
        echo "FAIL $name: calls fmaf at -O0"; bad=1
      fi;;
    esac
  fi
  n=$((n + 1))
  rm -rf "$W/out"
done
[ "$bad" = 0 ] || exit 1
echo "ok: $n float32 models compile single-precision only for cortex-m4"
