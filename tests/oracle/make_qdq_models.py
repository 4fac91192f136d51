"""Writes int8 QDQ models that nobody on the team hand-quantized: small float CNNs/MLPs built
with onnx.helper (random weights), quantized by ONNX Runtime's own quantize_static (QDQ format,
int8 activations and weights, per-tensor or per-channel, calibrated on seeded random data).
Each model gets test_data_set_0..2 whose expected outputs come from ONNX Runtime running the QDQ
model as written (graph optimizations disabled, as in ../shared/models).

  make_qdq_models.py OUT_DIR            prints the model names (OUT_DIR/<name>/model.onnx)
"""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
import onnxruntime as ort
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(5)


class Builder:
    def __init__(self):
        self.nodes, self.inits, self.k = [], [], 0

    def const(self, a):
        self.k += 1
        name = f"c{self.k}"
        self.inits.append(numpy_helper.from_array(np.asarray(a, dtype=np.float32), name))
        return name

    def node(self, op, ins, **attrs):
        self.k += 1
        y = f"t{self.k}"
        self.nodes.append(helper.make_node(op, ins, [y], name=f"{op.lower()}_{self.k}", **attrs))
        return y

    def conv(self, x, cin, cout, k, stride=1, pads=None, group=1, dilation=1, relu=True, kw=None):
        kw = kw or k
        w = rng.standard_normal((cout, cin // group, k, kw)) * (1.5 / np.sqrt(cin // group * k * kw))
        b = rng.standard_normal(cout) * 0.1
        pads = pads if pads is not None else [(k // 2) * dilation, (kw // 2) * dilation] * 2
        y = self.node("Conv", [x, self.const(w), self.const(b)], kernel_shape=[k, kw], strides=[stride, stride],
                      pads=pads, group=group, dilations=[dilation, dilation])
        return self.node("Relu", [y]) if relu else y

    def gemm(self, x, k, n):
        return self.node("Gemm", [x, self.const(rng.standard_normal((n, k)) / np.sqrt(k)),
                                  self.const(rng.standard_normal(n) * 0.1)], transB=1)

    def model(self, name, x_shape, y):
        g = helper.make_graph(self.nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
                              [helper.make_tensor_value_info(y, TensorProto.FLOAT, None)], self.inits)
        return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


def dscnn():  # a DS-CNN block like MLPerf Tiny KWS: conv s2, depthwise, pointwise, pools, dense, softmax
    b = Builder()
    t = b.conv("x", 1, 16, 5, stride=2, kw=3, pads=[2, 1, 2, 1])
    t = b.conv(t, 16, 16, 3, group=16)
    t = b.conv(t, 16, 24, 1, pads=[0, 0, 0, 0])
    t = b.conv(t, 24, 24, 3, group=24, stride=2)
    t = b.conv(t, 24, 32, 1, pads=[0, 0, 0, 0])
    t = b.node("AveragePool", [t], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    t = b.node("GlobalAveragePool", [t])
    t = b.node("Flatten", [t])
    t = b.gemm(t, 32, 10)
    return b.model("dscnn", [1, 1, 25, 11], b.node("Softmax", [t], axis=1))


def cnn_pool():  # conv / max pool / strided and dilated / grouped conv, then a classifier
    b = Builder()
    t = b.conv("x", 3, 8, 3)
    t = b.node("MaxPool", [t], kernel_shape=[2, 2], strides=[2, 2])
    t = b.conv(t, 8, 12, 3, dilation=2)
    t = b.conv(t, 12, 12, 3, group=3, stride=2)
    t = b.node("MaxPool", [t], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1])
    t = b.node("Flatten", [t])
    t = b.gemm(t, 12 * 3 * 3, 7)
    return b.model("cnn_pool", [1, 3, 22, 20], t)


def mlp_act():  # dense layers with activations that become tables (Sigmoid, Tanh, LeakyRelu)
    b = Builder()
    t = b.node("Sigmoid", [b.gemm("x", 20, 32)])
    t = b.node("Tanh", [b.gemm(t, 32, 16)])
    t = b.node("LeakyRelu", [b.gemm(t, 16, 16)], alpha=0.1)
    return b.model("mlp_act", [1, 20], b.gemm(t, 16, 5))


def wide_k():  # long accumulations (K = 576) and a 1-D-like conv on a single row
    b = Builder()
    t = b.conv("x", 64, 32, 3)
    t = b.conv(t, 32, 16, 1, kw=5, pads=[0, 2, 0, 2])
    return b.model("wide_k", [1, 64, 6, 9], t)


def residual():  # a residual Add and a channel Concat (no integer form yet: float islands)
    b = Builder()
    a = b.conv("x", 4, 8, 3)
    t = b.conv(a, 8, 8, 3, relu=False)
    t = b.node("Relu", [b.node("Add", [a, t])])
    u = b.conv(t, 8, 4, 1, pads=[0, 0, 0, 0])
    return b.model("residual", [1, 4, 9, 7], b.node("Concat", [t, u], axis=1))


MODELS = {"residual": residual, "dscnn": dscnn, "cnn_pool": cnn_pool, "mlp_act": mlp_act, "wide_k": wide_k}


class Reader(CalibrationDataReader):
    def __init__(self, shape, n=16):
        self.data = iter([{"x": rng.standard_normal(shape).astype(np.float32)} for _ in range(n)])

    def get_next(self):
        return next(self.data, None)


def qlinear(kind):
    """QLinearConv / QLinearMatMul with int8 data (as ONNX Runtime's QOperator format writes them)."""
    nodes, inits = [], []

    def c(name, a):
        inits.append(numpy_helper.from_array(a, name))
        return name
    if kind == "conv":
        w = rng.integers(-127, 128, size=(12, 6, 3, 3)).astype(np.int8)
        ws = (rng.uniform(0.002, 0.02, 12)).astype(np.float32)
        nodes.append(helper.make_node("QLinearConv", ["x", c("xs", np.float32(0.05)), c("xz", np.int8(-3)), c("w", w),
                                                      c("ws", ws), c("wz", np.zeros(12, np.int8)), c("ys", np.float32(0.2)),
                                                      c("yz", np.int8(5)), c("b", rng.integers(-3000, 3000, 12).astype(np.int32))],
                                      ["y"], pads=[1, 1, 1, 1], strides=[2, 1]))
        shape = [1, 6, 9, 8]
    else:
        w = rng.integers(-127, 128, size=(40, 10)).astype(np.int8)
        nodes.append(helper.make_node("QLinearMatMul", ["x", c("xs", np.float32(0.04)), c("xz", np.int8(7)), c("w", w),
                                                        c("ws", np.float32(0.01)), c("wz", np.int8(0)), c("ys", np.float32(0.3)),
                                                        c("yz", np.int8(-2))], ["y"]))
        shape = [3, 40]
    g = helper.make_graph(nodes, "qlinear_" + kind, [helper.make_tensor_value_info("x", TensorProto.INT8, shape)],
                          [helper.make_tensor_value_info("y", TensorProto.INT8, None)], inits)
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), shape


def save_sets(d, path, shape, dtype):
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    so.intra_op_num_threads = 1
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    for k in range(3):
        if dtype == np.int8:
            x = rng.integers(-128, 128, size=shape).astype(np.int8)
        else:
            x = rng.standard_normal(shape).astype(np.float32)
        y = sess.run(None, {"x": x})[0]
        sd = os.path.join(d, f"test_data_set_{k}")
        os.makedirs(sd, exist_ok=True)
        onnx.save_tensor(numpy_helper.from_array(x, "x"), os.path.join(sd, "input_0.pb"))
        onnx.save_tensor(numpy_helper.from_array(y, sess.get_outputs()[0].name), os.path.join(sd, "output_0.pb"))


names = []
for kind in ("conv", "matmul"):
    m, shape = qlinear(kind)
    d = os.path.join(out, f"qlinear_{kind}")
    os.makedirs(d, exist_ok=True)
    onnx.save(m, os.path.join(d, "model.onnx"))
    save_sets(d, os.path.join(d, "model.onnx"), shape, np.int8)
    names.append(f"qlinear_{kind}")
VARIANTS = [(name, make, pc, QuantType.QInt8) for name, make in MODELS.items() for pc in (False, True)]
# uint8 activations (PyTorch's usual choice, older ONNX Runtime defaults) with int8 or uint8 weights
VARIANTS += [("dscnn", dscnn, True, QuantType.QUInt8), ("residual", residual, False, QuantType.QUInt8)]
VARIANTS = [v + (QuantFormat.QDQ,) for v in VARIANTS]
# ONNX Runtime's QOperator format (QLinearConv with uint8 data; its other ops are com.microsoft
# contrib ops, so only a convolution-only model): uint8 weights (asymmetric) and int8 per channel.
VARIANTS += [("wide_k", wide_k, False, QuantType.QUInt8, QuantFormat.QOperator),
             ("wide_k", wide_k, True, QuantType.QUInt8, QuantFormat.QOperator)]
for name, make, per_channel, act, fmt in VARIANTS:
    if True:
        fm = make()
        shape = [d.dim_value for d in fm.graph.input[0].type.tensor_type.shape.dim]
        tag = f"{name}_{'pc' if per_channel else 'pt'}" + ("_u8" if act == QuantType.QUInt8 else "") + \
            ("_qop" if fmt == QuantFormat.QOperator else "")
        d = os.path.join(out, tag)
        os.makedirs(d, exist_ok=True)
        fpath = os.path.join(d, "float.onnx")
        onnx.save(fm, fpath)
        qpath = os.path.join(d, "model.onnx")
        quantize_static(fpath, qpath, Reader(shape), quant_format=fmt, activation_type=act,
                        weight_type=QuantType.QUInt8 if act == QuantType.QUInt8 and not per_channel else QuantType.QInt8,
                        per_channel=per_channel)
        os.remove(fpath)
        save_sets(d, qpath, shape, np.float32)
        names.append(tag)
print(" ".join(names))
