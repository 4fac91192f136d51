"""Writes ONNX models with LRN into a folder, for tests/integration/lrn.sh: window sizes odd and
even, 1 and larger than the channel count (both edges clipped), ranks 3 to 5, f64 and f16, beta
other than 0.75, and LRN between convolutions (channels-last targets keep it channels-first).
With the ONNX light models' folder as second argument, also their copies with every LRN output
as an extra graph output: their final outputs are uniform (weights rebuilt by ConstantOfShape
hold one value), so only the LRN outputs show a wrong window. Prints the model names."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(11)
names = []


def save(name, nodes, inputs, outputs, inits=(), elem=TensorProto.FLOAT):
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info(n, elem, s) for n, s in inputs],
                          [helper.make_tensor_value_info(n, elem, None) for n in outputs], list(inits))
    onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), os.path.join(out, name + ".onnx"))
    names.append(name)


def lrn(x, y, size, **attrs):
    return helper.make_node("LRN", [x], [y], name=y, size=size, **attrs)


# One input of 7 channels, one LRN per window size; alpha large enough that the window matters
# for inputs in [-1, 1].
sizes = [1, 2, 3, 4, 5, 8, 15]
save("lrn_sizes", [lrn("x", f"y{s}", s, alpha=float(s), beta=0.75, bias=0.5) for s in sizes],
     [("x", [1, 7, 3, 4])], [f"y{s}" for s in sizes])

# Ranks 3 and 5, a batch of 2, beta 0.6 and 1 (the pow path), default attributes.
save("lrn_ranks", [lrn("a", "ya", 3, alpha=2.0, beta=0.6, bias=1.5), lrn("b", "yb", 4, alpha=3.0, beta=1.0),
                   lrn("a", "yd", 5)],
     [("a", [2, 5, 6]), ("b", [1, 4, 2, 3, 2])], ["ya", "yb", "yd"])

for dtype, elem in (("f64", TensorProto.DOUBLE), ("f16", TensorProto.FLOAT16)):
    save(f"lrn_{dtype}", [lrn("x", "y", 3, alpha=2.0, beta=0.75, bias=1.0), lrn("x", "z", 2, alpha=1.0, beta=0.5)],
         [("x", [1, 5, 2, 3])], ["y", "z"], elem=elem)

# Conv -> Relu -> LRN -> MaxPool -> Conv -> LRN: on cortex-m4 the convolutions and the pool run
# channels-last and the LRNs must still see NCHW.
inits = []


def const(a, n):
    inits.append(numpy_helper.from_array(a.astype(np.float32), n))
    return n


nodes = [
    helper.make_node("Conv", ["x", const(rng.standard_normal((6, 3, 3, 3)), "w1"), const(rng.standard_normal(6), "b1")],
                     ["c1"], pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["c1"], ["r1"]),
    lrn("r1", "n1", 5, alpha=0.1, beta=0.75, bias=1.0),
    helper.make_node("MaxPool", ["n1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("Conv", ["p1", const(rng.standard_normal((8, 6, 3, 3)), "w2")], ["c2"], pads=[1, 1, 1, 1]),
    lrn("c2", "n2", 4, alpha=0.05, beta=0.75, bias=2.0),
]
save("lrn_conv", nodes, [("x", [1, 3, 12, 12])], ["n2"], inits)

# The LRN's input is read again after it (by the Add): it must not be computed in place.
nodes = [
    helper.make_node("Conv", ["x", const(rng.standard_normal((5, 3, 3, 3)), "w3")], ["c3"], pads=[1, 1, 1, 1]),
    lrn("c3", "n3", 3, alpha=0.5, beta=0.75, bias=1.0),
    helper.make_node("Add", ["n3", "c3"], ["s3"]),
    helper.make_node("MaxPool", ["s3"], ["p3"], kernel_shape=[2, 2], strides=[2, 2]),
]
save("lrn_reuse", nodes, [("x", [1, 3, 8, 8])], ["p3"], inits)

if len(sys.argv) > 2:
    for m in ("light_bvlc_alexnet", "light_inception_v1", "light_zfnet512"):
        model = onnx.load(os.path.join(sys.argv[2], m + ".onnx"))
        for n in model.graph.node:
            if n.op_type == "LRN":
                model.graph.output.append(helper.make_tensor_value_info(n.output[0], TensorProto.FLOAT, None))
        onnx.save(model, os.path.join(out, m + "_lrn_outputs.onnx"))
        names.append(m + "_lrn_outputs")

print(" ".join(names))
