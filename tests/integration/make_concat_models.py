"""Writes small ONNX models with Concat into a folder, for tests/integration/concat_in_place.sh:
branches (Inception), nested Concats (DenseNet) and the cases that must still copy. Random
weights, so that a slice written at the wrong offset changes the outputs."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(7)
F = TensorProto.FLOAT


class M:
    def __init__(self):
        self.nodes, self.inits, self.n = [], [], 0

    def name(self, p):
        self.n += 1
        return f"{p}{self.n}"

    def op(self, op, ins, **attrs):
        o = self.name(op.lower())
        self.nodes.append(helper.make_node(op, ins, [o], name=o, **attrs))
        return o

    def const(self, a, dtype=np.float32):
        n = self.name("w")
        self.inits.append(numpy_helper.from_array(a.astype(dtype), n))
        return n

    def conv(self, x, cin, cout, k=1):
        w = self.const(rng.standard_normal((cout, cin, k, k)) * 0.3)
        b = self.const(rng.standard_normal(cout) * 0.1)
        return self.op("Relu", [self.op("Conv", [x, w, b], pads=[k // 2] * 4)])

    def save(self, name, inputs, y):
        self.nodes.append(helper.make_node("Sigmoid", [y], ["y"], name="out"))
        g = helper.make_graph(self.nodes, name, [helper.make_tensor_value_info(n, F, s) for n, s in inputs],
                              [helper.make_tensor_value_info("y", F, None)], self.inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
        onnx.save(m, os.path.join(out, name + ".onnx"))


# Inception-like: four branches (1x1, 1x1 -> 3x3, pool -> 1x1, pool) concatenated, then a 1x1.
# The images are large next to the Conv scratch, so that writing in place lowers the peak.
m = M()
x = "x"
b1 = m.conv(x, 4, 4)
b2 = m.conv(m.conv(x, 4, 2), 2, 4, 3)
b3 = m.conv(m.op("MaxPool", [x], kernel_shape=[3, 3], pads=[1, 1, 1, 1]), 4, 2)
b4 = m.op("AveragePool", [x], kernel_shape=[3, 3], pads=[1, 1, 1, 1])
m.save("inception", [("x", [1, 4, 32, 32])], m.conv(m.op("Concat", [b1, b2, b3, b4], axis=1), 14, 4))

# DenseNet-like: y_k = concat(y_{k-1}, conv(relu(y_{k-1}))), three layers chained.
m = M()
y = m.conv("x", 3, 4)
for k in range(3):
    y = m.op("Concat", [y, m.conv(m.op("Relu", [y]), 4 + 2 * k, 2)], axis=1)
m.save("dense", [("x", [1, 3, 32, 32])], m.op("GlobalAveragePool", [y]))

# Cases that must copy: a graph input, a duplicated input, rows before the axis, a value already
# inside another Concat. A Reshape (view) of a Conv is moved with its group. ("may": in place
# when the planner's choice keeps the arena smallest, docs/memory.md.)
m = M()
a = m.conv("x", 4, 4)
c = m.conv("x", 4, 4)
cat_input = m.op("Concat", ["x", a], axis=1)          # x copied, a may be in place
cat_dup = m.op("Concat", [c, c], axis=1)              # both copied
cat_rows = m.op("Concat", [a, m.conv("x", 4, 4)], axis=2)  # 4 rows before axis 2: copied
cat_again = m.op("Concat", [a, m.conv("x", 4, 4)], axis=1)  # a may be inside cat_input: then copied
shape = m.const(np.array([1, 4, 6, 6]), np.int64)
view = m.op("Reshape", [m.op("Conv", [cat_dup, m.const(rng.standard_normal((4, 8, 1, 1)) * 0.3)]), shape])
cat_view = m.op("Concat", [view, m.conv("x", 4, 4)], axis=1)  # both may be in place
s = m.op("Add", [m.op("Add", [cat_input, cat_again]), cat_view])
s = m.op("Add", [s, m.op("Conv", [cat_rows, m.const(rng.standard_normal((8, 4, 1, 1)) * 0.3)],
                           pads=[0, 0, 0, 0], strides=[2, 1])])
m.save("mixed", [("x", [1, 4, 6, 6])], s)
