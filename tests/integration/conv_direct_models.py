"""Seeded random convolutions for the host's direct convolution (tinyc_conv_direct_f32 and _w8,
runtime/conv.c): one Conv on the graph input with a random window (kernel 1-7, stride 1-3,
dilation 1-2, asymmetric padding, or none: the in-place path), 1-3 groups, 1-40 output channels
(not multiples of the tile's rows), widths around the tile's columns; every third model with int8
weights behind a DequantizeLinear (per channel or per tensor); every fourth one narrow with 32 or
64 output channels (tinyc_conv_direct_t_f32, vectorized over channels); every fifth one depthwise
over a small plane, batch 1 or 2, channel multiplier 1 or 2 (tinyc_conv_dwb_f32, over channel blocks).
    conv_direct_models.py OUT_DIR [COUNT] [SEED]"""
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto


def window(rng, size):
    k = int(rng.integers(1, min(7, size) + 1))
    d = int(rng.choice([1, 1, 2])) if k > 1 and (k - 1) * 2 + 1 <= size else 1
    s = int(rng.choice([1, 1, 1, 2, 3]))
    if rng.random() < 0.3:
        return k, d, s, 0, 0
    return k, d, s, int(rng.integers(0, k)), int(rng.integers(0, k))


def model(rng, i):
    g = int(rng.choice([1, 1, 1, 2, 3]))
    c = g * int(rng.integers(1, 9))
    m = g * int(rng.integers(1, 14))
    h, w = int(rng.integers(1, 24)), int(rng.integers(1, 49))
    if i % 4 == 3:  # narrow outputs, 32 or 64 channels: the variant over output channels
        g, m, w = 1, 32 * int(rng.integers(1, 3)), int(rng.integers(1, 16))
        c = int(rng.integers(1, 9))
    n = 1
    if i % 5 == 4:  # depthwise (channel multiplier 1 or 2), small planes: tinyc_conv_dwb_f32, channel blocks
        c = int(rng.integers(1, 41))
        g, m, n = c, c * int(rng.choice([1, 1, 2])), int(rng.choice([1, 1, 2]))
        h, w = int(rng.integers(1, 15)), int(rng.integers(1, 15))
    kh, dh, sh, pt, pb = window(rng, h)
    kw, dw, sw, pl, pr = window(rng, w)
    wt = rng.standard_normal((m, c // g, kh, kw)).astype(np.float32)
    inits, nodes = [], []
    wname = "w"
    if i % 3 == 2:  # int8 weights behind a DequantizeLinear
        per_channel = rng.random() < 0.5
        scale = (np.abs(wt).reshape(m, -1).max(1) / 127 + 1e-6).astype(np.float32)
        if not per_channel:
            scale = np.array(scale.max(), np.float32)
        q = np.clip(np.round(wt / (scale.reshape(-1, 1, 1, 1) if per_channel else scale)), -127, 127).astype(np.int8)
        inits += [numpy_helper.from_array(q, "wq"), numpy_helper.from_array(scale, "ws")]
        nodes.append(helper.make_node("DequantizeLinear", ["wq", "ws"], ["w"], axis=0))
    else:
        inits.append(numpy_helper.from_array(wt, "w"))
    inputs = ["x", wname]
    if rng.random() < 0.7:
        inits.append(numpy_helper.from_array(rng.standard_normal(m).astype(np.float32), "b"))
        inputs.append("b")
    nodes.append(helper.make_node("Conv", inputs, ["y"], kernel_shape=[kh, kw], strides=[sh, sw], dilations=[dh, dw],
                                  pads=[pt, pl, pb, pr], group=g))
    oh = (h + pt + pb - dh * (kh - 1) - 1) // sh + 1
    ow = (w + pl + pr - dw * (kw - 1) - 1) // sw + 1
    graph = helper.make_graph(nodes, f"conv_direct_{i}", [helper.make_tensor_value_info("x", TensorProto.FLOAT, [n, c, h, w])],
                              [helper.make_tensor_value_info("y", TensorProto.FLOAT, [n, m, oh, ow])], inits)
    mo = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(mo)
    return mo


def main():
    out = sys.argv[1]
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    rng = np.random.default_rng(int(sys.argv[3]) if len(sys.argv) > 3 else 11)
    os.makedirs(out, exist_ok=True)
    i = made = 0
    while made < count:
        try:
            mo = model(rng, i)
        except Exception:  # a window larger than the padded input: draw again
            i += 1
            continue
        onnx.save(mo, os.path.join(out, f"conv_direct_{made:02d}.onnx"))
        i += 1
        made += 1
    print(made)


if __name__ == "__main__":
    main()
