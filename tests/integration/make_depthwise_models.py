"""Writes small ONNX models with a depthwise convolution between two 1x1 convolutions into a
folder, for tests/integration/depthwise_in_place.sh: strides, paddings (symmetric, TF-SAME
asymmetric, none), kernel sizes, dilation, odd sizes, and a depthwise whose input is read again
later (must not run in place). Random weights, so a row read after it was overwritten changes
the outputs."""
import os
import sys

import numpy as np
from onnx import TensorProto, helper, numpy_helper
import onnx

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(11)

# name: (H, W, C, kernel, strides, pads [top, left, bottom, right], dilation, residual)
CASES = {
    "k3s1_same": (16, 16, 16, 3, 1, [1, 1, 1, 1], 1, False),
    "k3s2_same": (16, 16, 16, 3, 2, [1, 1, 1, 1], 1, False),
    "k3s2_tfsame": (15, 17, 8, 3, 2, [0, 0, 1, 1], 1, False),
    "k5s1_same": (12, 10, 8, 5, 1, [2, 2, 2, 2], 1, False),
    "k5s2_same": (13, 11, 8, 5, 2, [2, 2, 2, 2], 1, False),
    "k3s1_valid": (10, 12, 16, 3, 1, [0, 0, 0, 0], 1, False),
    "k3s1_dilated": (14, 14, 8, 3, 1, [2, 2, 2, 2], 2, False),
    "k3s1_rows": (24, 3, 32, 3, 1, [1, 1, 1, 1], 1, False),
    "k3s1_residual": (16, 16, 16, 3, 1, [1, 1, 1, 1], 1, True),
    # the 3x3 row kernels' edges (runtime/nhwc.c tinyc_dw3x3s{1,2}_nhwc_row): one and two columns,
    # padding wider than the window's reach (outputs whose new column is left of the input), odd
    # widths with stride 2; "_grows": the output is larger than the input (never in place)
    "k3s1_w1": (7, 1, 8, 3, 1, [1, 1, 1, 1], 1, False),
    "k3s1_w2": (6, 2, 8, 3, 1, [1, 1, 1, 1], 1, False),
    "k3s2_w1": (9, 1, 8, 3, 2, [1, 1, 1, 1], 1, False),
    "k3s2_w4_right": (9, 4, 8, 3, 2, [1, 0, 1, 2], 1, False),
    "k3s1_pad3_grows": (5, 7, 8, 3, 1, [3, 3, 3, 3], 1, False),
    "k3s2_pad3": (5, 7, 8, 3, 2, [3, 3, 3, 3], 1, False),
}


def const(name, a, inits):
    inits.append(numpy_helper.from_array(a.astype(np.float32), name))
    return name


for name, (h, w, c, k, s, pads, d, residual) in CASES.items():
    inits = []
    nodes = [
        helper.make_node("Conv", ["x", const("w1", rng.standard_normal((c, 3, 1, 1)), inits),
                                  const("b1", rng.standard_normal(c), inits)], ["a"], name="expand"),
        helper.make_node("Conv", ["a", const("wd", rng.standard_normal((c, 1, k, k)), inits),
                                  const("bd", rng.standard_normal(c), inits)], ["b"], name="depthwise",
                         group=c, kernel_shape=[k, k], strides=[s, s], pads=pads, dilations=[d, d]),
        helper.make_node("Relu", ["b"], ["r"], name="relu"),
        helper.make_node("Conv", ["r", const("w2", rng.standard_normal((4, c, 1, 1)), inits)], ["y"], name="project"),
    ]
    outputs = [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)]
    if residual:  # the depthwise input is read again after it: it may not be overwritten
        nodes.append(helper.make_node("Conv", ["a", const("w3", rng.standard_normal((4, c, 1, 1)), inits)], ["z"],
                                      name="side"))
        outputs.append(helper.make_tensor_value_info("z", TensorProto.FLOAT, None))
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 3, h, w])],
                          outputs, inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    onnx.save(m, os.path.join(out, name + ".onnx"))
print(" ".join(CASES))
