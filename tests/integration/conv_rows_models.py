"""Seeded random convolutions for the float kernels' assembly (tests/integration/float_asm.sh).
rows (tinyc_conv_nhwc_rows_f32, runtime/nhwc_rows.c): a Conv reading the graph input
(channels-first, read in place) into 1-4 channels, then a Conv with another random window reading
those channels-last, Relu-fused or not.
dw (the 3x3 depthwise passes, runtime/arm_fpu/dw3.c): a 1x1 Conv into 4-32 channels (a multiple
of 4), then one or two 3x3 depthwise Convs (stride 1 or 2, pads 0-2 per side, with or without
bias, no activation, Relu, Clip(0, 6) or Clip(-1, 1)), rows 6-20 wide, so that the passes meet
both edges, tails, missing rows and every count of outputs modulo 3.
small: see small_model.
    conv_rows_models.py OUT_DIR [COUNT] [SEED] [rows|dw|small]"""
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


def finish(name, nodes, inits, x_shape, y, y_shape):
    """The opset-13 model of these nodes: float input x, float output y; checked."""
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
                          [helper.make_tensor_value_info(y, TensorProto.FLOAT, y_shape)], inits)
    mp = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    mp.ir_version = 8
    onnx.checker.check_model(mp)
    return mp


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
    return finish("conv_rows", nodes, inits, [1, c0, h, w], y, [1, m, h2, w2])


def dw_model(rng):
    c0, c = int(rng.integers(1, 4)), 4 * int(rng.integers(1, 9))
    h, w = int(rng.integers(3, 12)), int(rng.integers(6, 21))
    nodes = [helper.make_node("Conv", ["x", "p_w", "p_b"], ["a0"], kernel_shape=[1, 1])]
    inits = [numpy_helper.from_array(rng.standard_normal((c, c0, 1, 1)).astype(np.float32), "p_w"),
             numpy_helper.from_array(rng.standard_normal(c).astype(np.float32), "p_b")]
    x, oh, ow = "a0", h, w
    for i in range(int(rng.integers(1, 3))):
        s = int(rng.choice([1, 1, 2]))
        pads = [int(rng.choice([0, 1, 1, 1, 2])) for _ in range(4)]
        oh2 = (oh + pads[0] + pads[2] - 3) // s + 1
        ow2 = (ow + pads[1] + pads[3] - 3) // s + 1
        if oh2 < 1 or ow2 < 1:
            break
        name = f"d{i}"
        inputs = [x, name + "_w"]
        inits.append(numpy_helper.from_array(rng.standard_normal((c, 1, 3, 3)).astype(np.float32), name + "_w"))
        if rng.integers(0, 4):
            inputs.append(name + "_b")
            inits.append(numpy_helper.from_array(rng.standard_normal(c).astype(np.float32), name + "_b"))
        act = int(rng.integers(0, 4))
        y = name + ("_pre" if act else "")
        nodes.append(helper.make_node("Conv", inputs, [y], kernel_shape=[3, 3], strides=[s, s], pads=pads, group=c))
        if act == 1:
            nodes.append(helper.make_node("Relu", [y], [name]))
        elif act > 1:
            lo, hi = (0.0, 6.0) if act == 2 else (-1.0, 1.0)
            inits += [numpy_helper.from_array(np.array(lo, np.float32), name + "_lo"),
                      numpy_helper.from_array(np.array(hi, np.float32), name + "_hi")]
            nodes.append(helper.make_node("Clip", [y, name + "_lo", name + "_hi"], [name]))
        x, oh, ow = name, oh2, ow2
    return finish("dw3", nodes, inits, [1, c0, h, w], x, [1, c, oh, ow])


SMALL = [(2, 1, 2, 2, 1, 4), (2, 1, 2, 2, 1, 8), (2, 2, 2, 2, 1, 8), (3, 1, 2, 2, 1, 8), (4, 4, 2, 2, 1, 8),
         (4, 4, 1, 3, 3, 8), (4, 4, 3, 3, 1, 8), (5, 3, 3, 3, 1, 12)]


def small_model(rng, k):
    """Relu, then a Conv over 1-3 channels read channels-last from the arena (H, W, C, KH, KW, M of
    SMALL[k]): runs of 1-3 floats in 2-3 rows, where gcc -O2 (its specialization for the constant
    geometry) once gave the row count and the run length one register in the assembly, making
    every output wrong (difftest long run seed 26, regression conv_rows_asm_inout_early_clobber);
    each of these shapes failed then."""
    h, w, c, kh, kw, m = SMALL[k % len(SMALL)]
    nodes = [helper.make_node("Relu", ["x"], ["a"]),
             helper.make_node("Conv", ["a", "q_w", "q_b"], ["y"], kernel_shape=[kh, kw])]
    inits = [numpy_helper.from_array(rng.standard_normal((m, c, kh, kw)).astype(np.float32), "q_w"),
             numpy_helper.from_array(rng.standard_normal(m).astype(np.float32), "q_b")]
    return finish("conv_small", nodes, inits, [1, c, h, w], "y", [1, m, h - kh + 1, w - kw + 1])


def main():
    out, count = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 6
    rng = np.random.default_rng(int(sys.argv[3]) if len(sys.argv) > 3 else 2026)
    kind = sys.argv[4] if len(sys.argv) > 4 else "rows"
    make = {"rows": model, "dw": dw_model, "small": small_model}[kind]
    os.makedirs(out, exist_ok=True)
    k = 0
    while k < count:
        mp = make(rng, k) if kind == "small" else make(rng)
        if mp is not None:
            onnx.save(mp, os.path.join(out, f"conv_{kind}_{k}.onnx"))
            k += 1


if __name__ == "__main__":
    main()
