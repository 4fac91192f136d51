#!/usr/bin/env bash
# inspect on a model with an unsupported op (issue 14 point 9): the nodes before it keep their
# inferred shapes (only the unsupported node and what follows print "?"), and the table's
# columns stay aligned with node names longer than the columns (every table row equally long).
#   inspect_partial.sh <tinyc> <python>
set -euo pipefail
TINYC=$1
PY=$2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$PY" - "$W" <<'EOP'
import sys, onnx
from onnx import helper, TensorProto
x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, 8, 8])
y = helper.make_tensor_value_info("y", TensorProto.FLOAT, None)
long = "a_very_long_node_name_from_an_exporter/block_12/depthwise_conv/relu6_activation"
nodes = [helper.make_node("Relu", ["x"], ["r"], name=long),
         helper.make_node("Transpose", ["r"], ["t"], name="short", perm=[0, 2, 3, 1]),
         helper.make_node("FancyUnsupportedOp", ["t"], ["u"], name="custom"),
         helper.make_node("Relu", ["u"], ["y"], name="after")]
g = helper.make_graph(nodes, "g", [x], [y])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), sys.argv[1] + "/m.onnx")
EOP
"$TINYC" inspect "$W/m.onnx" >"$W/out" 2>"$W/err" || { echo "FAIL: inspect exits $?"; cat "$W/out" "$W/err"; exit 1; }
grep -q "^unsupported ops: FancyUnsupportedOp" "$W/out" || { echo "FAIL: no unsupported list"; cat "$W/out"; exit 1; }
row() { grep -E "^$1 " "$W/out"; }
row "a_very_long_node_name_from_an_exporter[^ ]*" | grep -q "f32\[1,3,8,8\]" ||
  { echo "FAIL: the first Relu lost its shape:"; cat "$W/out"; exit 1; }
row short | grep -q "f32\[1,8,8,3\]" || { echo "FAIL: Transpose lost its shape:"; cat "$W/out"; exit 1; }
row custom | grep -qE " \? " || { echo "FAIL: the unsupported node has a shape:"; cat "$W/out"; exit 1; }
row after | grep -qE " \? " || { echo "FAIL: a node after the unsupported one has a shape:"; cat "$W/out"; exit 1; }
lens=$(sed -n '/^node /,/^$/p' "$W/out" | grep -v '^$' | awk '{print length($0)}' | sort -u | wc -l)
[ "$lens" = 1 ] || { echo "FAIL: table rows of different lengths (columns not aligned):"; cat "$W/out"; exit 1; }
"$TINYC" inspect "$W/m.onnx" --json >"$W/j"
"$PY" -c "
import json, sys
j = json.load(open('$W/j'))
d = {n['name']: n['outputs'][0] for n in j['nodes']}
assert d['short']['shape'] == [1, 8, 8, 3] and d['short']['dtype'] == 'f32', d
assert d['after']['dtype'] == '?', d
" || { echo "FAIL: --json shapes"; cat "$W/j"; exit 1; }
echo "ok: inspect infers the shapes before an unsupported op and keeps its columns aligned"
