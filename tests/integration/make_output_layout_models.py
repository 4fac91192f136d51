"""Models whose graph outputs are 4-D (NCHW) tensors written by a channels-last layer, for
tests/integration/output_layout.sh: on the channels-last targets the last layer's result must be
computed inside the caller's output buffer and turned channels-first there (no transposed copy of
the output in the arena). Seeded random weights; every model passes onnx.checker.

    make_output_layout_models.py OUT_DIR   -> prints "name:expect" per model, expect = the number
                                              of values the report must show inside an output
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto as T
from onnx import helper as h
from onnx import numpy_helper as nh

rng = np.random.default_rng(13)


class G:
    def __init__(self):
        self.nodes, self.inits, self.k = [], [], 0

    def const(self, a, name=None):
        self.k += 1
        name = name or f"c{self.k}"
        self.inits.append(nh.from_array(a, name))
        return name

    def node(self, op, ins, **attrs):
        self.k += 1
        out = f"v{self.k}"
        self.nodes.append(h.make_node(op, ins, [out], name=f"n{self.k}_{op}", **attrs))
        return out

    def conv(self, x, cin, cout, k=3, group=1, stride=1, relu=False):
        w = self.const((rng.standard_normal((cout, cin // group, k, k)) * 0.4).astype(np.float32))
        b = self.const((rng.standard_normal(cout) * 0.1).astype(np.float32))
        y = self.node("Conv", [x, w, b], pads=[k // 2] * 4, group=group, strides=[stride] * 2)
        return self.node("Relu", [y]) if relu else y

    def save(self, path, x_shape, outs, out_shapes, qdq=False):
        # the last node(s) write the graph outputs under their own names
        for n in self.nodes:
            for i, o in enumerate(n.output):
                if o in outs:
                    n.output[i] = f"y{outs.index(o)}"
            for i, v in enumerate(n.input):
                if v in outs:
                    n.input[i] = f"y{outs.index(v)}"
        g = h.make_graph(self.nodes, os.path.basename(path)[:-5], [h.make_tensor_value_info("x", T.FLOAT, x_shape)],
                         [h.make_tensor_value_info(f"y{i}", T.FLOAT, s) for i, s in enumerate(out_shapes)], self.inits)
        m = h.make_model(g, opset_imports=[h.make_opsetid("", 13)])
        onnx.checker.check_model(m, full_check=True)
        onnx.save(m, path)


def qdq(g, x, scale, zp=0):
    s, z = g.const(np.array(scale, np.float32)), g.const(np.array(zp, np.int8))
    return g.node("DequantizeLinear", [g.node("QuantizeLinear", [x, s, z]), s, z])


def qconv(g, x, cin, cout, k=3, relu=False):
    wf = (rng.standard_normal((cout, cin, k, k)) * 0.4).astype(np.float32)
    ws = np.float32(np.abs(wf).max() / 127)
    wq = g.const(np.clip(np.round(wf / ws), -127, 127).astype(np.int8))
    w = g.node("DequantizeLinear", [wq, g.const(np.array(ws, np.float32)), g.const(np.array(0, np.int8))])
    b = g.const((rng.standard_normal(cout) * 0.1).astype(np.float32))
    y = g.node("Conv", [x, w, b], pads=[k // 2] * 4)
    return g.node("Relu", [y]) if relu else y


def main(out):
    os.makedirs(out, exist_ok=True)
    cases = []

    g = G()  # two convolutions, the last one writes the output
    y = g.conv(g.conv("x", 3, 8, relu=True), 8, 4)
    g.save(f"{out}/conv_last.onnx", [1, 3, 16, 16], [y], [[1, 4, 16, 16]])
    cases.append("conv_last:1")

    g = G()  # a strided depthwise last
    y = g.conv(g.conv("x", 3, 8, relu=True), 8, 8, group=8, stride=2)
    g.save(f"{out}/dw_last.onnx", [1, 3, 16, 16], [y], [[1, 8, 8, 8]])
    cases.append("dw_last:1")

    g = G()  # a pool last
    y = g.node("MaxPool", [g.conv("x", 3, 6, relu=True)], kernel_shape=[2, 2], strides=[2, 2])
    g.save(f"{out}/pool_last.onnx", [1, 3, 12, 12], [y], [[1, 6, 6, 6]])
    cases.append("pool_last:1")

    g = G()  # Reshape of the last convolution's output: the Transpose and the view both in the output
    y = g.node("Reshape", [g.conv(g.conv("x", 3, 8, relu=True), 8, 5), g.const(np.array([1, 5, 100], np.int64))])
    g.save(f"{out}/reshape_out.onnx", [1, 3, 10, 10], [y], [[1, 5, 100]])
    cases.append("reshape_out:2")

    g = G()  # a residual Add last (elementwise over its input, in the output buffer)
    a = g.conv("x", 3, 8, relu=True)
    y = g.node("Add", [g.conv(a, 8, 8), a])
    g.save(f"{out}/add_last.onnx", [1, 3, 9, 9], [y], [[1, 8, 9, 9]])
    cases.append("add_last:2")  # the Add computes over the convolution's output: both inside

    g = G()  # batch 2, odd sizes, 6 output channels
    y = g.conv(g.conv("x", 3, 5, relu=True), 5, 6)
    g.save(f"{out}/batch2_odd.onnx", [2, 3, 7, 5], [y], [[2, 6, 7, 5]])
    cases.append("batch2_odd:1")

    g = G()  # a first output that the second layer reads again: it stays an output written in place of nothing
    y0 = g.conv("x", 3, 4, relu=True)
    y1 = g.conv(y0, 4, 4)
    g.save(f"{out}/two_outputs.onnx", [1, 3, 8, 8], [y0, y1], [[1, 4, 8, 8], [1, 4, 8, 8]])
    cases.append("two_outputs:1")

    g = G()  # int8 QDQ convolutions; the output is dequantized
    x = qdq(g, "x", 0.02)
    a = qdq(g, qconv(g, x, 3, 8, relu=True), 0.03)
    y = qdq(g, qconv(g, a, 8, 4), 0.05, 3)
    g.save(f"{out}/int8_last.onnx", [1, 3, 12, 12], [y], [[1, 4, 12, 12]])
    cases.append("int8_last:1")

    print(" ".join(cases))


if __name__ == "__main__":
    main(sys.argv[1])
