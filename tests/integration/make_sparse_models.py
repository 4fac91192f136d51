"""Writes models "pruned in training" (issue 12): their weights already hold many exact zeros, as a
magnitude-pruned PyTorch model exports them, with the layer kinds the zero-skipping kernels take:
  sparse_cnn  Conv 3x3 (75% zeros), depthwise 3x3 stride 2, a 2-group dilated conv, Conv 1x1,
              GlobalAveragePool, Gemm transB=1 (torch.nn.Linear) and a MatMul head
  sparse_1d   Conv1d stack with a Gemm without transB
Each gets test_data_set_0..2 (seeded inputs, outputs of ONNX Runtime, not tinyc) so that
`tinyc validate --test-data` checks the generated C against an independent oracle, and
calib.npz (16 inputs) for --quantize. Prints the model names.
  make_sparse_models.py <out dir>"""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(12)


def pruned(shape, density):
    """Weights with only `density` of them non-zero (the largest of a normal draw, as magnitude
    pruning keeps them)."""
    w = rng.standard_normal(shape) / np.sqrt(np.prod(shape[1:]))
    cut = np.quantile(np.abs(w), 1 - density)
    return np.where(np.abs(w) >= cut, w, 0.0)


def save(name, nodes, x_shape, y_shape, inits):
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, y_shape)],
                          [numpy_helper.from_array(np.asarray(a, np.float32), n) for n, a in inits.items()])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    d = os.path.join(out, name)
    os.makedirs(d, exist_ok=True)
    path = os.path.join(d, "model.onnx")
    onnx.save(model, path)
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    for s in range(3):
        x = rng.uniform(-1, 1, x_shape).astype(np.float32)
        y = sess.run(None, {"x": x})[0]
        os.makedirs(os.path.join(d, f"test_data_set_{s}"), exist_ok=True)
        for n, a in (("input_0", x), ("output_0", y)):
            t = numpy_helper.from_array(a, "x" if n == "input_0" else "y")
            with open(os.path.join(d, f"test_data_set_{s}", n + ".pb"), "wb") as f:
                f.write(t.SerializeToString())
    np.savez(os.path.join(d, "calib.npz"), x=rng.uniform(-1, 1, [16] + x_shape[1:]).astype(np.float32))
    print(name)


inits = {
    "w1": pruned((16, 3, 3, 3), 0.25), "b1": rng.standard_normal(16) * 0.1,
    "wd": pruned((16, 1, 3, 3), 0.5), "bd": rng.standard_normal(16) * 0.1,
    "wg": pruned((16, 8, 3, 3), 0.2),
    "w2": pruned((24, 16, 1, 1), 0.2), "b2": rng.standard_normal(24) * 0.1,
    "wf": pruned((12, 24), 0.25), "bf": rng.standard_normal(12) * 0.1,
    "wm": pruned((12, 10), 0.3),
}
save("sparse_cnn", [
    helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[1, 1, 1, 1]),
    helper.make_node("Relu", ["c1"], ["r1"]),
    helper.make_node("Conv", ["r1", "wd", "bd"], ["dw"], group=16, strides=[2, 2], pads=[1, 1, 1, 1]),
    helper.make_node("Clip", ["dw", "", ""], ["r2"]),
    helper.make_node("Conv", ["r2", "wg"], ["gc"], group=2, dilations=[2, 2], pads=[2, 2, 2, 2]),
    helper.make_node("Conv", ["gc", "w2", "b2"], ["c2"]),
    helper.make_node("Relu", ["c2"], ["r3"]),
    helper.make_node("GlobalAveragePool", ["r3"], ["gp"]),
    helper.make_node("Flatten", ["gp"], ["f"]),
    helper.make_node("Gemm", ["f", "wf", "bf"], ["fc"], transB=1),
    helper.make_node("Relu", ["fc"], ["r4"]),
    helper.make_node("MatMul", ["r4", "wm"], ["y"]),
], [1, 3, 16, 16], [1, 10], inits)

inits = {
    "w1": pruned((8, 4, 5), 0.3), "b1": rng.standard_normal(8) * 0.1,
    "w2": pruned((8, 8, 3), 0.25),
    "wf": pruned((8 * 12, 6), 0.2), "bf": rng.standard_normal(6) * 0.1,
}
g_nodes = [
    helper.make_node("Conv", ["x", "w1", "b1"], ["c1"], pads=[2, 2], strides=[2]),
    helper.make_node("Relu", ["c1"], ["r1"]),
    helper.make_node("Conv", ["r1", "w2"], ["c2"], pads=[1, 1]),
    helper.make_node("Flatten", ["c2"], ["f"]),
    helper.make_node("Gemm", ["f", "wf", "bf"], ["y"]),
]
save("sparse_1d", g_nodes, [1, 4, 24], [1, 6], inits)
