#!/usr/bin/env bash
# --io-dtype: kws_int8 (int8 in/out) with float I/O takes the dequantized MLPerf input and returns
# the dequantized reference output (the graph quantizes/dequantizes at its edges); a model quantized
# by ONNX Runtime (float in/out) with int8 I/O drops its edge Quantize/DequantizeLinear and
# publishes the scale and zero point macros. Checked in the header and by validate.
#   io_dtype.sh <tinyc> <python> <source dir>
set -euo pipefail
TINYC=$1
PY=$2
SRC=$3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
M=$SRC/models/kws_int8
"$TINYC" convert "$M/model.onnx" --io-dtype float -o "$W/f" --name kws -q
grep -q '#define KWS_INPUT_0_DTYPE TINYC_DTYPE_F32' "$W/f/kws.h" || { echo "FAIL: float input"; exit 1; }
grep -q '#define KWS_OUTPUT_0_DTYPE TINYC_DTYPE_F32' "$W/f/kws.h" || { echo "FAIL: float output"; exit 1; }
if grep -q 'KWS_INPUT_0_SCALE' "$W/f/kws.h"; then echo "FAIL: a float input has no scale"; exit 1; fi
"$PY" - "$M" "$W/data" <<'PY'
import os, sys
import numpy as np, onnx
from onnx import numpy_helper
src, out = sys.argv[1], sys.argv[2]
m = onnx.load(os.path.join(src, "model.onnx"))
init = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
# the input's and output's parameters: the first DequantizeLinear after the input's Reshape and the last QuantizeLinear
dq = next(n for n in m.graph.node if n.op_type == "DequantizeLinear" and n.input[0] not in init)
q = next(n for n in m.graph.node if n.op_type == "QuantizeLinear" and n.output[0] == m.graph.output[0].name)
si, zi = float(init[dq.input[1]]), int(init[dq.input[2]])
so, zo = float(init[q.input[1]]), int(init[q.input[2]])
for k in range(4):
    d = os.path.join(src, f"test_data_set_{k}")
    x = numpy_helper.to_array(onnx.load_tensor(os.path.join(d, "input_0.pb")))
    y = numpy_helper.to_array(onnx.load_tensor(os.path.join(d, "output_0.pb")))
    o = os.path.join(out, f"test_data_set_{k}")
    os.makedirs(o)
    onnx.save_tensor(numpy_helper.from_array(((x.astype(np.float32) - zi) * np.float32(si)).astype(np.float32), "input_1"), os.path.join(o, "input_0.pb"))
    onnx.save_tensor(numpy_helper.from_array(((y.astype(np.float32) - zo) * np.float32(so)).astype(np.float32), "Identity"), os.path.join(o, "output_0.pb"))
PY
for t in generic cortex-m4; do
  "$TINYC" validate "$M/model.onnx" --io-dtype float --target $t --test-data "$W/data" > "$W/log" || { cat "$W/log"; echo "FAIL: kws float I/O ($t)"; exit 1; }
done
echo "ok   kws_int8 --io-dtype float: float API, same results as the int8 model"
"$PY" "$SRC/tests/oracle/make_qdq_models.py" "$W/q" >/dev/null 2>&1
"$TINYC" convert "$W/q/dscnn_pc/model.onnx" --io-dtype int8 -o "$W/i" --name m --report "$W/r.json" -q
grep -q '#define M_INPUT_0_DTYPE TINYC_DTYPE_I8' "$W/i/m.h" || { echo "FAIL: int8 input"; exit 1; }
grep -q '#define M_INPUT_0_ZERO_POINT' "$W/i/m.h" || { echo "FAIL: no input zero point"; exit 1; }
grep -q '#define M_OUTPUT_0_SCALE' "$W/i/m.h" || { echo "FAIL: no output scale"; exit 1; }
if grep -qE 'tinyc_(quantize|dequantize)_' "$W/i/m.c"; then echo "FAIL: edge quantization left in the C"; exit 1; fi
"$TINYC" validate "$W/q/dscnn_pc/model.onnx" --io-dtype int8 --target cortex-m4 --random 2 > "$W/log" || { cat "$W/log"; exit 1; }
echo "ok   ORT-quantized dscnn --io-dtype int8: int8 API with scale/zero-point macros, no edge quantization"
