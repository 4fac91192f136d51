"""int8 models as PyTorch quantizes and exports them (tests/oracle/torch_qmodels/, written by
make_torch_qmodels.py with torch; this check needs only onnx and tinyc) through tinyc's integer
path, against the ONNX Runtime outputs stored with them:

* `convert --report`: no float island (every quantized op lowered to integer code), except the
  ones listed in EXPECTED_ISLANDS;
* `validate --test-data` on the generic and cortex-m4 targets (and, with --emulate MODEL, on the
  emulated Cortex-M4): the generated C equals tinyc's interpreter exactly, and every output is
  within 1 LSB of ONNX Runtime's (the scale of the DequantizeLinear that makes a float output; 1
  for an integer output).

  torch_qmodels.py TINYC DIR [--emulate STEM ...] [--only STEM ...]
"""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import numpy_helper

tinyc, root = sys.argv[1], sys.argv[2]
args = sys.argv[3:]
emulate = [args[i + 1] for i, a in enumerate(args) if a == "--emulate"]
only = [args[i + 1] for i, a in enumerate(args) if a == "--only"]
# Ops tinyc leaves float in these models, by model stem (none today).
EXPECTED_ISLANDS = {}
fail = False


def constants(m):
    c = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
    for n in m.graph.node:
        if n.op_type == "Constant" and n.attribute and n.attribute[0].name == "value":
            c[n.output[0]] = numpy_helper.to_array(n.attribute[0].t)
    return c


def output_lsb(m, name):
    """One LSB of a graph output: the scale of the DequantizeLinear that makes it (1 for integers)."""
    c = constants(m)
    for n in m.graph.node:
        if name in n.output:
            if n.op_type == "DequantizeLinear" and n.input[1] in c and c[n.input[1]].size == 1:
                return float(c[n.input[1]].reshape(-1)[0])
            break
    out = [o for o in m.graph.output if o.name == name][0]
    if out.type.tensor_type.elem_type in (onnx.TensorProto.INT8, onnx.TensorProto.UINT8):
        return 1.0
    return None  # a float output of a float op (a float island): validate's own tolerance


def validate(model, data, target, extra=()):
    r = subprocess.run([tinyc, "validate", model, "--test-data", data, "--target", target, "--json", *extra],
                       capture_output=True, text=True)
    try:
        return json.loads(r.stdout)
    except json.JSONDecodeError:
        raise SystemExit(f"FAIL validate {model} ({target}): {r.stderr.strip()}")


stems = sorted(f[:-5] for f in os.listdir(root) if f.endswith(".onnx"))
if only:
    stems = [s for s in stems if s in only]
if not stems:
    raise SystemExit(f"no models in {root}")
for stem in stems:
    path = os.path.join(root, stem + ".onnx")
    data = os.path.join(root, stem)
    m = onnx.load(path)
    lsb = {o.name: output_lsb(m, o.name) for o in m.graph.output}
    with tempfile.TemporaryDirectory() as w:
        r = subprocess.run([tinyc, "convert", path, "-o", os.path.join(w, "c"), "--report", os.path.join(w, "r.json"),
                            "-q"], capture_output=True, text=True)
        if r.returncode != 0:
            print(f"FAIL {stem}: convert: {r.stderr.strip()}")
            fail = True
            continue
        islands = sorted(f"{n['op']} {n['name']}" for n in json.load(open(os.path.join(w, "r.json")))["float_islands"])
    want = EXPECTED_ISLANDS.get(stem, [])
    if sorted({i.split()[0] for i in islands}) != sorted(want):
        print(f"FAIL {stem}: float islands {islands}, expected ops {want}")
        fail = True
    runs = [("generic", ()), ("cortex-m4", ())]
    if stem in emulate:
        runs.append(("cortex-m4", ("--emulate",)))
    for target, extra in runs:
        rep = validate(path, data, target, extra)
        worst = 0.0
        for s in rep["sets"]:
            for o in s["outputs"]:
                if o["vs_interpreter"]["max_abs_err"] != 0:
                    print(f"FAIL {stem} ({target}{' emulated' if extra else ''}): C differs from the interpreter in "
                          f"{o['output']}: {o['vs_interpreter']['max_abs_err']}")
                    fail = True
                if lsb[o["output"]] is None:
                    if not o["vs_reference"]["ok"]:
                        print(f"FAIL {stem} ({target}): {o['output']} outside validate's tolerance")
                        fail = True
                    continue
                worst = max(worst, o["vs_reference"]["max_abs_err"] / lsb[o["output"]])
        # Float outputs are q * scale in float32: allow its rounding on top of the one LSB.
        bad = worst > 1.0 + 1e-4
        fail |= bad
        print(f"{'FAIL ' if bad else ''}{stem:28s} {target}{' (emulated)' if extra else '':11s} "
              f"islands {len(islands)}  C == interpreter; vs ONNX Runtime max {worst:.2f} LSB")
sys.exit(1 if fail else 0)
