"""The ONNX light CNNs with random weights, checked against ONNX Runtime (issue 14 point 11).

The light models' weights are ConstantOfShape (one value per tensor), so a kernel that mixes up
channels, taps or weight indices can still produce the right output. This script replaces every
ConstantOfShape with a seeded random initializer of the same shape (He-scaled, so activations stay
in range), runs ONNX Runtime (1 thread, no graph optimizations) on a seeded random input, and
writes model.onnx + test_data_set_0 for `tinyc validate --test-data`.
usage: light_random.py SRC.onnx OUT_DIR
"""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

src, out = sys.argv[1], sys.argv[2]
m = onnx.load(src)
g = m.graph
rng = np.random.default_rng(20261205)
inits = {i.name: i for i in g.initializer}
keep, used_shapes = [], set()
# BatchNormalization parameters: scale ~ 1, bias and mean ~ 0, variance > 0.
bn = {}
for n in g.node:
    if n.op_type == "BatchNormalization":
        for k, role in zip(range(1, 5), ("scale", "bias", "mean", "var")):
            bn[n.input[k]] = role
new_inits = []
for n in g.node:
    if n.op_type != "ConstantOfShape":
        keep.append(n)
        continue
    shape = [int(d) for d in numpy_helper.to_array(inits[n.input[0]])]
    used_shapes.add(n.input[0])
    fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
    scale = np.sqrt(2.0 / fan_in) if len(shape) > 1 else 0.1
    r = rng.standard_normal(shape)
    role = bn.get(n.output[0])
    if role == "scale":
        r = 1 + 0.1 * r
    elif role == "var":
        r = 0.5 + 0.5 * np.abs(r)
    elif role in ("bias", "mean"):
        r = 0.1 * r
    else:
        r = r * scale
    w = r.astype(np.float32)
    new_inits.append(numpy_helper.from_array(w, n.output[0]))
del g.node[:]
g.node.extend(keep)
others = [i for i in g.initializer if i.name not in used_shapes]
del g.initializer[:]
g.initializer.extend(others + new_inits)
names = {i.name for i in g.initializer}
real_inputs = [i for i in g.input if i.name not in used_shapes and i.name not in names]
del g.input[:]
g.input.extend(real_inputs)
os.makedirs(os.path.join(out, "test_data_set_0"), exist_ok=True)
path = os.path.join(out, "model.onnx")
onnx.save(m, path)

opts = ort.SessionOptions()
opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
opts.intra_op_num_threads = 1
sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
feeds = {}
for k, i in enumerate(sess.get_inputs()):
    shape = [d if isinstance(d, int) else 1 for d in i.shape]
    x = rng.standard_normal(shape).astype(np.float32)
    feeds[i.name] = x
    onnx.save_tensor(numpy_helper.from_array(x, i.name), os.path.join(out, "test_data_set_0", f"input_{k}.pb"))
for k, (o, y) in enumerate(zip(sess.get_outputs(), sess.run(None, feeds))):
    assert np.all(np.isfinite(y)) and np.std(y) > 0, f"{o.name}: output not finite or uniform"
    onnx.save_tensor(numpy_helper.from_array(y, o.name), os.path.join(out, "test_data_set_0", f"output_{k}.pb"))
    print(f"{os.path.basename(src)}: output {o.name} {list(y.shape)} std {float(np.std(y)):.3g}")
