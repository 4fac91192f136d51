"""tinyc's integer path against ONNX Runtime on QDQ models quantized by ORT itself
(tests/oracle/make_qdq_models.py):

* end to end, on the generic and cortex-m4 targets: the generated C equals tinyc's interpreter
  exactly (every test set), and the difference to ORT is printed in LSBs of the output;
* unit by unit: every QuantizeLinear output of the model is recomputed by tinyc from ORT's own
  int8 inputs of that node unit (the unit cut out with onnx.utils.Extractor) and must be within
  1 LSB of ORT's (ORT requantizes in float with round-half-even, tinyc in fixed point with one
  rounding half up; docs/quantization.md);
* the float islands tinyc reports are exactly the expected ones (none, except where ORT left an
  op float or tinyc has no integer form yet).

  qdq_units.py TINYC MODELS_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import helper, numpy_helper

tinyc, root = sys.argv[1], sys.argv[2]
# Ops tinyc leaves float in these models: the Convs whose uint8 weights ORT quantized asymmetrically
# (weight zero point != 128: no integer form yet).
EXPECTED_ISLANDS = {"residual_pt_u8": {"Conv"}, "wide_k_pt_u8_qop": {"QLinearConv"}}
fail = False


def run_ort(path, feeds, outputs=None):
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    so.intra_op_num_threads = 1
    return ort.InferenceSession(path, so, providers=["CPUExecutionProvider"]).run(outputs, feeds)


def validate(model, data, target):
    r = subprocess.run([tinyc, "validate", model, "--test-data", data, "--target", target, "--json"],
                       capture_output=True, text=True)
    try:
        return json.loads(r.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"validate {model} ({target}) failed: {r.stderr.strip()}")


def save_set(d, names, values):
    os.makedirs(d, exist_ok=True)
    for k, (n, v) in enumerate(zip(names, values)):
        kind = "input" if k < len(names) - 1 else "output"
        idx = k if kind == "input" else 0
        onnx.save_tensor(numpy_helper.from_array(v, n), os.path.join(d, f"{kind}_{idx}.pb"))


for name in sorted(os.listdir(root)):
    d = os.path.join(root, name)
    path = os.path.join(d, "model.onnx")
    m = onnx.load(path)
    scale = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    last_dq = [n for n in m.graph.node if n.op_type == "DequantizeLinear" and n.output[0] == m.graph.output[0].name]
    lsb = float(scale[last_dq[0].input[1]]) if last_dq else 1.0

    # End to end.
    for target in ("generic", "cortex-m4"):
        rep = validate(path, d, target)
        worst = 0.0
        for s in rep["sets"]:
            for o in s["outputs"]:
                if o["vs_interpreter"]["max_abs_err"] != 0:
                    print(f"FAIL {name} ({target}): C differs from the interpreter: {o['vs_interpreter']}")
                    fail = True
                worst = max(worst, o["vs_reference"]["max_abs_err"] / lsb)
        print(f"{name:14s} {target:9s} C == interpreter; end to end vs ORT: max {worst:.0f} LSB")
    with tempfile.TemporaryDirectory() as w:
        subprocess.run([tinyc, "convert", path, "-o", os.path.join(w, "c"), "--report", os.path.join(w, "r.json"), "-q"],
                       check=True)
        islands = {n["op"] for n in json.load(open(os.path.join(w, "r.json")))["float_islands"]}
    if islands != EXPECTED_ISLANDS.get(name, set()):
        print(f"FAIL {name}: float islands {sorted(islands)}, expected {sorted(EXPECTED_ISLANDS.get(name, set()))}")
        fail = True

    # Unit by unit, from ORT's own int8 inputs.
    produced = {o: n for n in m.graph.node for o in n.output}
    inits = set(scale)
    q_outs = [n.output[0] for n in m.graph.node if n.op_type == "QuantizeLinear"]
    x = numpy_helper.to_array(onnx.load_tensor(os.path.join(d, "test_data_set_0", "input_0.pb")))
    feeds = {m.graph.input[0].name: x}
    mv = onnx.load(path)
    qtype = {}
    for n in m.graph.node:  # the type a QuantizeLinear writes: its zero point's
        if n.op_type == "QuantizeLinear":
            qtype[n.output[0]] = m.graph.initializer[[i.name for i in m.graph.initializer].index(n.input[2])].data_type
    for t in q_outs:
        mv.graph.output.append(helper.make_tensor_value_info(t, qtype[t], None))
    with tempfile.TemporaryDirectory() as w:
        vpath = os.path.join(w, "all.onnx")
        onnx.save(mv, vpath)
        values = dict(zip([o.name for o in mv.graph.output], run_ort(vpath, feeds)))
        values[m.graph.input[0].name] = x
        units = 0
        for t in q_outs:
            ins, todo = [], [produced[t].input[0]]
            while todo:
                v = todo.pop()
                p = produced.get(v)
                if p is None:
                    ins.append(v)  # graph input
                elif p.op_type == "DequantizeLinear":
                    if p.input[0] not in inits:
                        ins.append(p.input[0])
                else:
                    todo += [i for i in p.input if i and i not in inits]
            ins = sorted(set(ins))
            upath = os.path.join(w, "unit.onnx")
            onnx.save(onnx.utils.Extractor(m).extract_model(ins, [t]), upath)
            udir = os.path.join(w, "unit_data")
            save_set(os.path.join(udir, "test_data_set_0"), ins + [t], [values[i] for i in ins] + [values[t]])
            rep = validate(upath, udir, "generic")
            o = rep["sets"][0]["outputs"][0]
            if o["vs_interpreter"]["max_abs_err"] != 0 or o["vs_reference"]["max_abs_err"] > 1:
                print(f"FAIL {name}: unit {t}: vs ORT {o['vs_reference']['max_abs']:.0f} LSB, "
                      f"vs interpreter {o['vs_interpreter']['max_abs']}")
                fail = True
            units += 1
        print(f"{name:14s} {units} node units within 1 LSB of ORT")

sys.exit(1 if fail else 0)
