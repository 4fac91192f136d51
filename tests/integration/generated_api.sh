#!/usr/bin/env bash
# The generated API used as documented (docs/generated-api.md), by tests/integration/api_test.c
# on mnist8 for the generic target (NAME_ARENA_ALIGN 16) and cortex-m4 (8): NAME_arena_t is
# aligned (compile-time checks with gcc, clang and arm-none-eabi-gcc for the M0+ and M4; run-time
# address checks on the host at -O0), NAME_run returns the documented error codes for NULL
# arguments and misaligned arenas (output untouched), and otherwise NAME_OK with the scores of
# ONNX Runtime.
#   generated_api.sh <tinyc> <python> <source dir>
set -euo pipefail
TINYC=$1
PY=$2
ROOT=$3
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$PY" - "$ROOT/models/mnist8/test_data_set_0" "$W/data.h" <<'PYEOF'
import sys
import onnx
from onnx import numpy_helper
d, out = sys.argv[1], sys.argv[2]
def arr(name, f):
    t = onnx.TensorProto()
    t.ParseFromString(open(f"{d}/{f}", "rb").read())
    v = numpy_helper.to_array(t).astype("float32").ravel()
    return f"static const float {name}[{v.size}] = {{" + ", ".join(repr(float(x)) + "f" for x in v) + "};\n"
open(out, "w").write(arr("input", "input_0.pb") + arr("expected", "output_0.pb"))
PYEOF
FLAGS="-std=c99 -pedantic -Wall -Wextra -Werror"
for t in generic cortex-m4; do
  "$TINYC" convert "$ROOT/models/mnist8/model.onnx" -o "$W/$t" --name mnist --target "$t" -q
  for cc in gcc clang; do
    $cc $FLAGS -O0 -I"$W/$t" -I"$W" -o "$W/api_$cc" "$HERE/api_test.c" "$W/$t/mnist.c" "$W/$t/mnist_weights.c" -lm
    out=$("$W/api_$cc") || { echo "FAIL $t $cc: $out"; exit 1; }
    echo "$t $cc: $out"
  done
  for cpu in "-mcpu=cortex-m0plus -mthumb -mfloat-abi=soft" "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16"; do
    # shellcheck disable=SC2086
    arm-none-eabi-gcc $FLAGS -O2 $cpu -DAPI_TEST_COMPILE_ONLY -I"$W/$t" -c "$HERE/api_test.c" -o "$W/api_arm.o"
  done
  echo "$t arm-none-eabi-gcc (M0+, M4): compile-time alignment checks pass"
done
