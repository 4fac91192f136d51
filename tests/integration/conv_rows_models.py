"""Seeded random convolutions with few input channels (tinyc_conv_nhwc_rows_f32, runtime/nhwc.c):
each model is a Conv reading the graph input (channels-first, read in place) into 1-4 channels,
then a Conv with another random window reading those channels-last, Relu-fused or not.
    conv_rows_models.py OUT_DIR [COUNT] [SEED]"""
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto


def window(rng, size):
    k = int(rng.integers(1, min(7, size) + 1))
    d = int(rng.choice([1, 1, 2])) if k > 1 and (k - 1) * 2 + 1 <= size else 1
    s = int(rng.choice([1, 1, 2, 3]))
    pb, pe = int(rng.integers(0, k)), int(rng.integers(0, k))
    return k, d, s, pb, pe


def conv(rng, name, x, c, m, h, w, relu, nodes, inits):
    kh, dh, sh, pt, pb = window(rng, h)
    kw, dw, sw, pl, pr = window(rng, w)
    wt = rng.standard_normal((m, c, kh, kw)).astype(np.float32)
    b = rng.standard_normal(m).astype(np.float32)
    inits += [numpy_helper.from_array(wt, name + "_w"), numpy_helper.from_array(b, name + "_b")]
    y = name + ("_pre" if relu else "")
    nodes.append(helper.make_node("Conv", [x, name + "_w", name + "_b"], [y], kernel_shape=[kh, kw],
                                  strides=[sh, sw], dilations=[dh, dw], pads=[pt, pl, pb, pr]))
    if relu:
        nodes.append(helper.make_node("Relu", [y], [name]))
    oh = (h + pt + pb - ((kh - 1) * dh + 1)) // sh + 1
    ow = (w + pl + pr - ((kw - 1) * dw + 1)) // sw + 1
    return name, oh, ow


def model(rng):
    c0, c1 = int(rng.integers(1, 5)), int(rng.integers(1, 13))
    m = int(rng.choice([3, 4, 6, 8, 10, 12, 16, 24]))
    h, w = int(rng.integers(5, 20)), int(rng.integers(5, 20))
    nodes, inits = [], []
    a, h1, w1 = conv(rng, "a", "x", c0, c1, h, w, bool(rng.integers(0, 2)), nodes, inits)
    if h1 < 1 or w1 < 1:
        return None
    y, h2, w2 = conv(rng, "y", a, c1, m, h1, w1, bool(rng.integers(0, 2)), nodes, inits)
    if h2 < 1 or w2 < 1:
        return None
    g = helper.make_graph(nodes, "conv_rows", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c0, h, w])],
                          [helper.make_tensor_value_info(y, TensorProto.FLOAT, [1, m, h2, w2])], inits)
    mp = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    mp.ir_version = 8
    onnx.checker.check_model(mp)
    return mp


def main():
    out, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 6
    rng = np.random.default_rng(int(sys.argv[3]) if len(sys.argv) > 3 else 2026)
    os.makedirs(out, exist_ok=True)
    k = 0
    while k < count:
        mp = model(rng)
        if mp is not None:
            onnx.save(mp, os.path.join(out, f"conv_rows_{k}.onnx"))
            k += 1


if __name__ == "__main__":
    main()
