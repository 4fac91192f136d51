#!/usr/bin/env bash
# --io-layout nhwc on an input that is already channels-last ([1, H, W, C], as tf2onnx exports)
# warns on stderr (issue 14 point 9); a channels-first input [1, C, H, W] does not.
#   io_layout_warning.sh <tinyc> <python>
set -euo pipefail
TINYC=$1
PY=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$PY" - "$W" <<'EOP'
import sys, onnx
from onnx import helper, TensorProto
for name, shape in (("nhwc", [1, 28, 28, 3]), ("nchw", [1, 3, 28, 28])):
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, shape)
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, shape)
    g = helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g", [x], [y])
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(m, f"{sys.argv[1]}/{name}.onnx")
EOP
for t in generic cortex-m4; do
  "$TINYC" convert "$W/nhwc.onnx" -o "$W/o1" --io-layout nhwc --target $t -q 2>"$W/err1" || true
  grep -q "^tinyc: warning: input 'x' has shape \[1, 28, 28, 3\], which looks channels-last already" "$W/err1" ||
    { echo "FAIL --target $t: no warning for a channels-last input with --io-layout nhwc:"; cat "$W/err1"; exit 1; }
  [ "$(wc -l <"$W/err1")" = 1 ] || { echo "FAIL: more than one line:"; cat "$W/err1"; exit 1; }
  "$TINYC" convert "$W/nchw.onnx" -o "$W/o2" --io-layout nhwc --target $t -q 2>"$W/err2"
  ! grep -q "warning" "$W/err2" || { echo "FAIL --target $t: warning for a channels-first input:"; cat "$W/err2"; exit 1; }
  "$TINYC" convert "$W/nhwc.onnx" -o "$W/o3" --target $t -q 2>"$W/err3"
  ! grep -q "warning" "$W/err3" || { echo "FAIL --target $t: warning without --io-layout:"; cat "$W/err3"; exit 1; }
done
echo "ok: --io-layout nhwc warns once for a channels-last input only"
