#!/usr/bin/env bash
# A model whose node and tensor names try to break out of C comments and strings must convert to
# code that compiles and still computes the model (validate), with no raw name in the code.
set -euo pipefail
TINYC=$1
PY=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$PY" - "$W/evil.onnx" <<'PYEOF'
import sys
import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
evil = '*/ system("rm -rf /"); /* \\\n??/ "\x1b'
x = helper.make_tensor_value_info(evil + "in", TensorProto.FLOAT, [1, 4])
y = helper.make_tensor_value_info(evil + "out", TensorProto.FLOAT, None)
w = numpy_helper.from_array(np.arange(4, dtype=np.float32), evil + "w")
g = helper.make_graph([helper.make_node("Add", [evil + "in", evil + "w"], [evil + "t"], name=evil),
                       helper.make_node("Mul", [evil + "t", evil + "w"], [evil + "out"], name=evil + "2")],
                      evil, [x], [y], [w])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), sys.argv[1])
PYEOF
"$TINYC" convert "$W/evil.onnx" -o "$W/out" --name evil --quiet
if grep -n 'system("rm' "$W/out"/*.c | grep -v '^\S*:\s*/\*' | grep -v '/\*.*\*/' ; then
  echo "FAIL: a model name reached the code outside a comment"; exit 1
fi
grep -c '\*/ system' "$W/out"/*.c "$W/out"/*.h | grep -v ':0$' && { echo "FAIL: comment terminator from a name"; exit 1; }
gcc -std=c99 -pedantic -Wall -Wextra -Werror -c "$W/out/evil.c" -o "$W/evil.o"
"$TINYC" validate "$W/evil.onnx" --random 2 >/dev/null
echo "ok: hostile names sanitized; code compiles and validates"
