"""Writes seeded random single-op QDQ models with int8 input and output for
tests/integration/qint_kernels.sh: int8 -> DequantizeLinear -> op -> QuantizeLinear -> int8, for
every op of the integer path (Conv incl. depthwise, grouped, strided, dilated, padded, 1-D and
1x1; Gemm and MatMul; AveragePool with and without count_include_pad; GlobalAveragePool;
MaxPool; Softmax; Concat; elementwise functions that become tables), with random shapes, random
per-tensor and per-channel scales (log-uniform over four decades) and zero points (including
-128 and 127), fused Relu/Clip, and output scales small enough to saturate.

  make_qint_cases.py OUT_DIR [COUNT] [SEED]     prints the case names (OUT_DIR/<name>.onnx)
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
count = int(sys.argv[2]) if len(sys.argv) > 2 else 40
rng = np.random.default_rng(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
os.makedirs(out, exist_ok=True)


def scale():
    return float(10 ** rng.uniform(-4, 0))


def zp():
    return int(rng.choice([-128, 127, 0, int(rng.integers(-128, 128))]))


class Case:
    def __init__(self, name):
        self.name, self.nodes, self.inits, self.k = name, [], [], 0

    def init(self, a, dtype):
        self.k += 1
        n = f"i{self.k}"
        self.inits.append(numpy_helper.from_array(np.asarray(a).astype(dtype), n))
        return n

    def dq(self, x, s, z, axis=None):
        self.k += 1
        y = f"d{self.k}"
        zt = np.int32 if np.asarray(z).dtype == np.int32 else np.int8
        attrs = {"axis": axis} if axis is not None else {}
        self.nodes.append(helper.make_node("DequantizeLinear", [x, self.init(s, np.float32), self.init(z, zt)], [y],
                                           **attrs))
        return y

    def q(self, x, s, z, name="y"):
        self.nodes.append(helper.make_node("QuantizeLinear", [x, self.init(s, np.float32), self.init(z, np.int8)], [name]))
        return name

    def op(self, op, ins, **attrs):
        self.k += 1
        y = f"t{self.k}"
        self.nodes.append(helper.make_node(op, ins, [y], name=f"{op}_{self.k}", **attrs))
        return y

    def weights(self, shape, axis_len, per_channel):
        w = rng.integers(-127, 128, size=shape).astype(np.int8)
        if per_channel:
            s = np.array([scale() for _ in range(axis_len)], np.float32)
            return w, s, np.zeros(axis_len, np.int8)
        return w, np.float32(scale()), np.int8(0)

    def save(self, inputs):
        g = helper.make_graph(self.nodes, self.name,
                              [helper.make_tensor_value_info(n, TensorProto.INT8, s) for n, s in inputs],
                              [helper.make_tensor_value_info("y", TensorProto.INT8, None)], self.inits)
        onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), os.path.join(out, self.name + ".onnx"))


def activation(c, y):
    r = rng.integers(0, 3)
    if r == 1:
        return c.op("Relu", [y])
    if r == 2:
        lo = float(rng.uniform(-2, 0))
        return c.op("Clip", [y, c.init(np.float32(lo), np.float32), c.init(np.float32(lo + rng.uniform(0.1, 4)), np.float32)])
    return y


def conv_case(c):
    depthwise = rng.random() < 0.35
    one_d = not depthwise and rng.random() < 0.15
    groups = 1
    cin = int(rng.integers(1, 20))
    if depthwise:  # (16 and more: the Helium kernel's 16-channel passes)
        groups = cin = int(rng.integers(1, 24)) if rng.random() < 0.6 else int(rng.choice([16, 32, 35, 48, 64]))
        cout = cin
    else:
        if rng.random() < 0.25:
            groups = int(rng.choice([2, 3]))
            cin = groups * int(rng.integers(1, 6))
        cout = groups * int(rng.integers(1, 9))
    kh = 1 if one_d else int(rng.integers(1, 6))
    kw = int(rng.integers(1, 6))
    sh, sw = (1 if one_d else int(rng.integers(1, 3))), int(rng.integers(1, 3))
    dh, dw = (1 if one_d else int(rng.integers(1, 3))), int(rng.integers(1, 3))
    h = 1 if one_d else int(rng.integers((kh - 1) * dh + 1, 14))
    w_ = int(rng.integers((kw - 1) * dw + 1, 14))
    pads = [int(rng.integers(0, kh)), int(rng.integers(0, kw)), int(rng.integers(0, kh)), int(rng.integers(0, kw))]
    if one_d:
        pads = [0, pads[1], 0, pads[3]]
    if not depthwise and not one_d and rng.random() < 0.3:
        # pointwise over the whole input (the hosts' direct panel path): up to 70 channels, K % 4 any
        groups, cin, cout = 1, int(rng.integers(1, 71)), int(rng.integers(1, 20))
        kh = kw = sh = sw = dh = dw = 1
        pads = [0, 0, 0, 0]
    sx, zx = scale(), zp()
    x = c.dq("x", np.float32(sx), np.int8(zx))
    per_channel = rng.random() < 0.6
    w, s_w, z_w = c.weights((cout, cin // groups, kh, kw), cout, per_channel)
    wv = c.dq(c.init(w, np.int8), s_w, z_w, axis=0 if per_channel else None)
    ins = [x, wv]
    if rng.random() < 0.8:
        bs = (sx * np.asarray(s_w, np.float32)).astype(np.float32) * np.ones(cout, np.float32)
        ins.append(c.dq(c.init(rng.integers(-20000, 20000, size=cout), np.int32), bs, np.zeros(cout, np.int32), axis=0))
    y = c.op("Conv", ins, kernel_shape=[kh, kw], strides=[sh, sw], dilations=[dh, dw], pads=pads, group=groups)
    y = activation(c, y)
    c.q(y, np.float32(scale()), np.int8(zp()))
    c.save([("x", [1, cin, h, w_])])


def gemm_case(c):
    m, k, n = int(rng.integers(1, 4)), int(rng.integers(1, 80)), int(rng.integers(1, 30))
    sx, zx = scale(), zp()
    x = c.dq("x", np.float32(sx), np.int8(zx))
    matmul = rng.random() < 0.3
    trans_b = 0 if matmul else int(rng.integers(0, 2))
    per_channel = rng.random() < 0.5
    w, s_w, z_w = c.weights((n, k) if trans_b else (k, n), n, per_channel)
    wv = c.dq(c.init(w, np.int8), s_w, z_w, axis=(0 if trans_b else 1) if per_channel else None)
    if matmul:
        y = c.op("MatMul", [x, wv])
    else:
        bias = c.init(rng.standard_normal(n) * 0.5, np.float32)  # a float bias (quantized by the pass)
        y = c.op("Gemm", [x, wv, bias], transB=trans_b)
    y = activation(c, y)
    c.q(y, np.float32(scale()), np.int8(zp()))
    c.save([("x", [m, k])])


def pool_case(c):
    kind = rng.choice(["AveragePool", "GlobalAveragePool", "MaxPool"])
    ch, h, w_ = int(rng.integers(1, 12)), int(rng.integers(1, 12)), int(rng.integers(1, 12))
    if kind == "GlobalAveragePool" and rng.random() < 0.5:  # over 255 taps: the DSP variant's portable sums
        h, w_ = int(rng.integers(16, 24)), int(rng.integers(16, 24))
    sx, zx = scale(), zp()
    x = c.dq("x", np.float32(sx), np.int8(zx))
    if kind == "GlobalAveragePool":
        y = c.op(kind, [x])
    else:
        kh, kw = int(rng.integers(1, h + 1)), int(rng.integers(1, w_ + 1))
        pads = [int(rng.integers(0, kh)), int(rng.integers(0, kw)), int(rng.integers(0, kh)), int(rng.integers(0, kw))]
        attrs = dict(kernel_shape=[kh, kw], strides=[int(rng.integers(1, 3)), int(rng.integers(1, 3))], pads=pads)
        if kind == "AveragePool":
            attrs["count_include_pad"] = int(rng.integers(0, 2))
        if kind == "MaxPool" and rng.random() < 0.3 and 2 * kh - 1 <= h and 2 * kw - 1 <= w_:
            attrs["dilations"] = [2, 2]
        y = c.op(kind, [x], **attrs)
    same = kind == "MaxPool"  # MaxPool runs on the integers: same parameters on both sides
    c.q(y, np.float32(sx if same else scale()), np.int8(zx if same else zp()))
    c.save([("x", [1, ch, h, w_])])


def softmax_case(c):
    rows, n = int(rng.integers(1, 5)), int(rng.integers(1, 40))
    x = c.dq("x", np.float32(10 ** rng.uniform(-3, 0.5)), np.int8(zp()))
    y = c.op("Softmax", [x], axis=1)
    s = float(rng.choice([1 / 256, 1 / 255, scale()]))
    c.q(y, np.float32(s), np.int8(-128 if s < 0.005 else zp()))
    c.save([("x", [rows, n])])


def table_case(c):
    op = str(rng.choice(["Sigmoid", "Tanh", "HardSwish", "Relu", "LeakyRelu", "Exp"]))
    x = c.dq("x", np.float32(scale()), np.int8(zp()))
    y = c.op(op, [x])
    c.q(y, np.float32(scale()), np.int8(zp()))
    c.save([("x", [1, int(rng.integers(1, 50))])])


def concat_case(c):
    ch = [int(rng.integers(1, 6)) for _ in range(int(rng.integers(2, 4)))]
    h, w_ = int(rng.integers(1, 6)), int(rng.integers(1, 6))
    same = rng.random() < 0.5
    s0, z0 = scale(), zp()
    ins, shapes = [], []
    for i, cc in enumerate(ch):
        s, z = (s0, z0) if same else (scale(), zp())
        ins.append(c.dq(f"x{i}", np.float32(s), np.int8(z)))
        shapes.append((f"x{i}", [1, cc, h, w_]))
    y = c.op("Concat", ins, axis=1)
    c.q(y, np.float32(s0), np.int8(z0))
    c.save(shapes)


def binary_case(c):
    op = str(rng.choice(["Add", "Mul"]))
    shape = [1, int(rng.integers(1, 6)), int(rng.integers(1, 6)), int(rng.integers(1, 6))]
    shape_b = list(shape) if rng.random() < 0.5 else [1, shape[1], 1, 1] if rng.random() < 0.5 else [1]
    a = c.dq("a", np.float32(scale()), np.int8(zp()))
    if rng.random() < 0.3:  # a constant operand
        b = c.dq(c.init(rng.integers(-128, 128, size=shape_b), np.int8), np.float32(scale()), np.int8(zp()))
        inputs = [("a", shape)]
    else:
        b = c.dq("b", np.float32(scale()), np.int8(zp()))
        inputs = [("a", shape), ("b", shape_b)]
    y = c.op(op, [a, b])
    if op == "Add":
        y = activation(c, y)
    c.q(y, np.float32(scale()), np.int8(zp()))
    c.save(inputs)


def add_case(c):  # Add of two tensors of one shape, scales in each regime of the DSP kernel's shift
    shape = [1, int(rng.integers(1, 9)), int(rng.integers(1, 9)), int(rng.integers(1, 9))]
    sy = scale()
    regime = int(rng.integers(0, 4))
    ratio = [2.0 ** -rng.uniform(2.1, 14), rng.uniform(0.3, 4.0), 10 ** rng.uniform(1, 5), 2.0 ** rng.uniform(21, 23)][regime]
    a = c.dq("a", np.float32(sy * ratio), np.int8(zp()))
    b = c.dq("b", np.float32(sy * ratio * 10 ** rng.uniform(-1, 1)), np.int8(zp()))
    y = activation(c, c.op("Add", [a, b]))
    c.q(y, np.float32(sy), np.int8(zp()))
    c.save([("a", shape), ("b", shape)])


def pad_case(c):  # Pad runs on the integers; its fill value becomes the zero point
    shape = [1, int(rng.integers(1, 5)), int(rng.integers(1, 6)), int(rng.integers(1, 6))]
    s, z = scale(), zp()
    x = c.dq("x", np.float32(s), np.int8(z))
    mode = str(rng.choice(["constant", "constant", "edge", "reflect"]))
    pads = [0, 0, int(rng.integers(0, 3)), int(rng.integers(0, 3)), 0, 0, int(rng.integers(0, 3)), int(rng.integers(0, 3))]
    if mode == "reflect":
        pads = [0, 0] + [min(p, shape[2 + i % 2] - 1) for i, p in enumerate(pads[2:4])] + [0, 0] + \
               [min(p, shape[2 + i % 2] - 1) for i, p in enumerate(pads[6:8])]
    ins = [x, c.init(np.array(pads, np.int64), np.int64)]
    if mode == "constant" and rng.random() < 0.5:
        ins.append(c.init(np.float32(s * int(rng.integers(-3, 4))), np.float32))  # an exactly representable value
    y = c.op("Pad", ins, mode=mode)
    c.q(y, np.float32(s), np.int8(z))
    c.save([("x", shape)])


def resize_case(c):  # Resize nearest runs on the integers, its parameters carried
    shape = [1, int(rng.integers(1, 5)), int(rng.integers(1, 7)), int(rng.integers(1, 7))]
    s, z = scale(), zp()
    x = c.dq("x", np.float32(s), np.int8(z))
    ctm = str(rng.choice(["half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel"]))
    nm = str(rng.choice(["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"]))
    if rng.random() < 0.5:
        scales = np.array([1, 1, rng.choice([0.5, 1.5, 2.0, 3.0]), rng.choice([0.75, 2.0, 2.5])], np.float32)
        ins = [x, c.init(np.zeros(0, np.float32), np.float32), c.init(scales, np.float32)]
    else:
        sizes = np.array(shape[:2] + [int(rng.integers(1, 13)), int(rng.integers(1, 13))], np.int64)
        ins = [x, c.init(np.zeros(0, np.float32), np.float32), c.init(np.zeros(0, np.float32), np.float32),
               c.init(sizes, np.int64)]
    y = c.op("Resize", ins, mode="nearest", coordinate_transformation_mode=ctm, nearest_mode=nm)
    c.q(y, np.float32(s), np.int8(z))
    c.save([("x", shape)])


KINDS = [pad_case, resize_case, binary_case, add_case, conv_case, conv_case, conv_case, gemm_case, pool_case, softmax_case, table_case, concat_case]
names = []
for i in range(count):
    make = KINDS[i % len(KINDS)]
    c = Case(f"{make.__name__[:-5]}_{i:03d}")
    make(c)
    names.append(c.name)
print(" ".join(names))
