"""int8 models as PyTorch quantizes and exports them (tests/oracle/torch_qmodels/, written by
make_torch_qmodels.py with torch; this check needs only onnx and tinyc) through tinyc's integer
path, against the ONNX Runtime outputs stored with them:

* `convert --report`: no float island (every quantized op lowered to integer code), except the
  ones listed in EXPECTED_ISLANDS;
* `validate --test-data` on the generic and cortex-m4 targets (and, with --emulate MODEL, on the
  emulated Cortex-M4): the generated C equals tinyc's interpreter exactly, and every output is
  within 1 LSB of ONNX Runtime's (the scale of the DequantizeLinear that makes a float output; 1
  for an integer output), except that where 1-LSB differences of two layers add up the end-to-end
  bound is END_TO_END_LSB[stem];
* with --units, unit by unit: every integer tensor that a DequantizeLinear reads is recomputed by
  tinyc from ONNX Runtime's own integer inputs of its unit (cut out with onnx.utils.Extractor) and
  must be within 1 LSB of ONNX Runtime's (docs/quantization.md: float requantization with
  round-half-even against tinyc's fixed point with one rounding half up).

  torch_qmodels.py TINYC DIR [--units] [--emulate STEM ...] [--only STEM ...]
"""
import json
import os
import shutil
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
units = "--units" in args
# Ops tinyc leaves float in these models, by model stem: X86InductorQuantizer quantizes for the
# fusions of x86 kernels, not the output of every op: a Linear's output (the last one's, and one
# followed by Sigmoid), a Conv's followed by the residual Add or by HardSwish stay float in the
# model (DequantizeLinear -> op -> op -> QuantizeLinear or a float graph output), which no
# integer op computes exactly.
EXPECTED_ISLANDS = {
    "convbn.pt2e_x86": ["Gemm"],
    "dwsep.pt2e_x86": ["Gemm"],
    "mlp.pt2e_x86": ["Gemm"],
    "residual.pt2e_x86": ["Add", "Conv", "Gemm"],
}
# End-to-end bounds above 1 LSB: every unit is within 1 LSB (--units), but ties of an average pool
# (tinyc rounds half up, ONNX Runtime half to even) move a few of its outputs by 1 and the Linear
# after it sums several of them.
END_TO_END_LSB = {"convbn.qat_x86": 2, "dwsep.qat_qnnpack": 2, "dwsep.qat_x86": 2}
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


def save_set(d, names, values, n_in):
    os.makedirs(d, exist_ok=True)
    for k, (n, v) in enumerate(zip(names, values)):
        kind, idx = ("input", k) if k < n_in else ("output", k - n_in)
        onnx.save_tensor(numpy_helper.from_array(v, n), os.path.join(d, f"{kind}_{idx}.pb"))


def run_ort(path, feeds):
    import onnxruntime as ort
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    return dict(zip([o.name for o in sess.get_outputs()], sess.run(None, feeds)))


def check_units(stem, path, data, w):
    """Every computed integer tensor read by a DequantizeLinear, from ORT's inputs of its unit."""
    global fail
    m = onnx.shape_inference.infer_shapes(onnx.load(path))
    consts = set(constants(m)) | {i.name for i in m.graph.initializer}
    produced = {o: n for n in m.graph.node for o in n.output}
    types = {v.name: v.type.tensor_type.elem_type for v in list(m.graph.value_info) + list(m.graph.output)}
    targets = [n.input[0] for n in m.graph.node if n.op_type == "DequantizeLinear" and n.input[0] in produced
               and n.input[0] not in consts and produced[n.input[0]].op_type != "Constant"]
    # and the float graph outputs of float ops (a float island at the end): within validate's tolerance
    float_outs = [o.name for o in m.graph.output if produced[o.name].op_type != "DequantizeLinear"
                  and o.type.tensor_type.elem_type == onnx.TensorProto.FLOAT]
    targets = list(dict.fromkeys(targets + float_outs))
    mv = onnx.load(path)
    have = {o.name for o in mv.graph.output}
    for t in targets:
        if t not in have:
            mv.graph.output.append(onnx.helper.make_tensor_value_info(t, types[t], None))
    vpath = os.path.join(w, "all.onnx")
    onnx.save(mv, vpath)
    x = numpy_helper.to_array(onnx.load_tensor(os.path.join(data, "test_data_set_0", "input_0.pb")))
    feeds = {m.graph.input[0].name: x}
    values = run_ort(vpath, feeds)
    values.update(feeds)
    worst, n_units = 0.0, 0
    for t in targets:
        ins, todo, seen = [], [produced[t]], set()
        while todo:
            p = todo.pop()
            for v in p.input:
                if not v or v in consts or v in seen:
                    continue
                seen.add(v)
                q = produced.get(v)
                if q is None:
                    ins.append(v)  # graph input
                elif p.op_type == "DequantizeLinear" and v == p.input[0]:
                    ins.append(v)  # the unit's integer input
                elif q.op_type != "Constant":
                    todo.append(q)
        ins = sorted(set(ins))
        if not ins:  # QuantizeLinear of constant weights
            continue
        upath = os.path.join(w, "unit.onnx")
        onnx.save(onnx.utils.Extractor(onnx.load(path)).extract_model(ins, [t]), upath)
        udir = os.path.join(w, "unit_data")
        save_set(os.path.join(udir, "test_data_set_0"), ins + [t], [values[i] for i in ins] + [values[t]], len(ins))
        rep = validate(upath, udir, "generic")
        o = rep["sets"][0]["outputs"][0]
        n_units += 1
        if t in float_outs:
            if not o["vs_interpreter"]["ok"] or not o["vs_reference"]["ok"]:
                print(f"FAIL {stem}: float output {t} outside validate's tolerance: {o}")
                fail = True
            continue
        worst = max(worst, o["vs_reference"]["max_abs_err"])
        if o["vs_interpreter"]["max_abs_err"] != 0 or o["vs_reference"]["max_abs_err"] > 1:
            print(f"FAIL {stem}: unit {t}: {o['vs_reference']['max_abs_err']:.0f} LSB from ONNX Runtime, "
                  f"{o['vs_interpreter']['max_abs_err']} from the interpreter")
            fail = True
        shutil.rmtree(udir)
    print(f"{stem:28s} {n_units} units, each within {worst:.0f} LSB of ONNX Runtime")


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
        float_err = None
        for s in rep["sets"]:
            for o in s["outputs"]:
                exact = lsb[o["output"]] is not None  # integer code up to this output
                if (o["vs_interpreter"]["max_abs_err"] != 0) if exact else not o["vs_interpreter"]["ok"]:
                    print(f"FAIL {stem} ({target}{' emulated' if extra else ''}): C differs from the interpreter in "
                          f"{o['output']}: {o['vs_interpreter']['max_abs_err']}")
                    fail = True
                if not exact:  # a float island's output: its inputs may differ by 1 LSB (checked by --units)
                    float_err = max(float_err or 0.0, o["vs_reference"]["max_abs_err"])
                    continue
                worst = max(worst, o["vs_reference"]["max_abs_err"] / lsb[o["output"]])
        # Float outputs are q * scale in float32: allow its rounding on top of the LSBs.
        bad = worst > END_TO_END_LSB.get(stem, 1) + 1e-4
        fail |= bad
        print(f"{'FAIL ' if bad else ''}{stem:28s} {target}{' (emulated)' if extra else '':11s} "
              f"islands {len(islands)}  C {'==' if float_err is None else 'within tolerance of'} interpreter; "
              f"vs ONNX Runtime max {worst:.2f} LSB"
              + (f" (float output: max abs {float_err:.2g})" if float_err is not None else ""))
    if units:
        with tempfile.TemporaryDirectory() as w:
            check_units(stem, path, data, w)
sys.exit(1 if fail else 0)
