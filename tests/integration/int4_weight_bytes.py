"""--weight-bits 4 stores half a byte per weight (issue 10, point 5): converts MODEL_DIR/model.onnx
with --quantize int8 (--weight-bits 8, then 4) and checks the report: every layer's weight_bytes
is its weights (1 byte each for int8, ceil(n / 2) for int4) plus its int32 bias, counted from the
ONNX initializers; the emitted weights_bytes shrinks by at least 45 % of the int4 layers' weights
(the rest: channel blocks padded to four).
    int4_weight_bytes.py <tinyc> <model dir>"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

tinyc, d = sys.argv[1], sys.argv[2]
model = onnx.load(os.path.join(d, "model.onnx"))
inits = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
nodes = {n.name: n for n in model.graph.node}
producer = {o: n for n in model.graph.node for o in n.output}


def weights(name):
    """The initializer behind a node's weight input (through a constant Reshape, as in mnist8)."""
    while name not in inits:
        name = producer[name].input[0]
    return inits[name]


def report(bits):
    with tempfile.TemporaryDirectory() as tmp:
        r = subprocess.run([tinyc, "convert", os.path.join(d, "model.onnx"), "--quantize", "int8", "--calib", d,
                            "--weight-bits", str(bits), "-o", tmp, "--report", os.path.join(tmp, "r.json"), "-q"],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stderr
        return json.load(open(os.path.join(tmp, "r.json")))


r8, r4 = report(8), report(4)
saved = 0
int4 = 0
for l8, l4 in zip(r8["quantization"]["layers"], r4["quantization"]["layers"]):
    assert l8["node"] == l4["node"], (l8, l4)
    if l4["op"] not in ("Conv", "Gemm"):
        continue
    w = weights(nodes[l4["node"]].input[1])
    channels = w.shape[0] if l4["op"] == "Conv" else w.shape[-1]  # (mnist8: Gemm from MatMul [.., N])
    assert l8["precision"] == "int8", l8
    assert l8["weight_bytes"] == w.size + 4 * channels, (l8, w.shape)
    want = (w.size + 1) // 2 if l4["precision"] == "int4" else w.size
    assert l4["weight_bytes"] == want + 4 * channels, (l4, w.shape)
    if l4["precision"] == "int4":
        int4 += 1
        saved += w.size
    print(f"{l4['node']}: {w.size} weights, {l4['precision']}: {l4['weight_bytes']} bytes (int8: {l8['weight_bytes']})")
assert int4 > 0, "no layer got int4 weights"
assert r4["weights_bytes"] <= r8["weights_bytes"] - 0.45 * saved, (r4["weights_bytes"], r8["weights_bytes"], saved)
print(f"ok: {int4} int4 layers; weights_bytes {r8['weights_bytes']} -> {r4['weights_bytes']}")
