"""The int8 convolution shapes issue 11 compares with Arm's CMSIS-NN on the emulated cores: a 3x3
convolution 32x32x16 -> 32 (stride 1, pad 1) and a 1x1 convolution 32x32x16 -> 32, each one QDQ
Conv (int8 activations per tensor, int8 weights per output channel, int32 bias), seeded random
weights. Measure with `tinyc bench OUT/conv3x3_32x32x16_32.onnx --target cortex-m55 --emulate
--per-layer`.
    make_conv_shapes.py OUT_DIR"""
import os
import sys

import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto


def qdq_conv(name, h, w, c, m, k, pad):
    rng = np.random.default_rng(7)
    wf = rng.standard_normal((m, c, k, k)).astype(np.float32) * 0.1
    ws = (np.abs(wf).reshape(m, -1).max(1) / 127).astype(np.float32)
    wq = np.clip(np.round(wf / ws.reshape(-1, 1, 1, 1)), -127, 127).astype(np.int8)
    xs, ys = np.float32(0.02), np.float32(0.05)
    bq = rng.integers(-2000, 2000, m).astype(np.int32)
    inits = [numpy_helper.from_array(np.array(xs), "xs"), numpy_helper.from_array(np.array(0, np.int8), "xz"),
             numpy_helper.from_array(wq, "wq"), numpy_helper.from_array(ws, "ws"),
             numpy_helper.from_array(np.zeros(m, np.int8), "wz"),
             numpy_helper.from_array(bq, "bq"), numpy_helper.from_array((xs * ws).astype(np.float32), "bs"),
             numpy_helper.from_array(np.zeros(m, np.int32), "bz"),
             numpy_helper.from_array(np.array(ys), "ys"), numpy_helper.from_array(np.array(3, np.int8), "yz")]
    nodes = [helper.make_node("QuantizeLinear", ["x", "xs", "xz"], ["xq"]),
             helper.make_node("DequantizeLinear", ["xq", "xs", "xz"], ["xd"]),
             helper.make_node("DequantizeLinear", ["wq", "ws", "wz"], ["wd"], axis=0),
             helper.make_node("DequantizeLinear", ["bq", "bs", "bz"], ["bd"], axis=0),
             helper.make_node("Conv", ["xd", "wd", "bd"], ["yf"], kernel_shape=[k, k], pads=[pad] * 4),
             helper.make_node("QuantizeLinear", ["yf", "ys", "yz"], ["yq"]),
             helper.make_node("DequantizeLinear", ["yq", "ys", "yz"], ["y"])]
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, c, h, w])],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, m, h, w])], inits)
    mo = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    onnx.checker.check_model(mo)
    return mo


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    onnx.save(qdq_conv("conv3x3", 32, 32, 16, 32, 3, 1), os.path.join(out, "conv3x3_32x32x16_32.onnx"))
    onnx.save(qdq_conv("conv1x1", 32, 32, 16, 32, 1, 0), os.path.join(out, "conv1x1_32x32x16_32.onnx"))


if __name__ == "__main__":
    main()
