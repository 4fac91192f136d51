"""Writes small models with Linear layers (the shapes PyTorch exports) into a folder, for
tests/integration/compile_matrix.sh: MatMul 1x10 @ 10x3, Gemm with transB=1 (torch.nn.Linear)
with K a multiple of 16 and not, Gemm without transB, and a 2-conv MNIST-style CNN with a
Linear head. Each gets test_data_set_0 with the output of ONNX Runtime (not tinyc), so
`tinyc validate --test-data` checks the generated C against an independent oracle.
Prints the model names."""
import os
import sys

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
rng = np.random.default_rng(14)
names = []


def save(name, nodes, x_shape, inits):
    g = helper.make_graph(nodes, name, [helper.make_tensor_value_info("x", TensorProto.FLOAT, x_shape)],
                          [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)],
                          [numpy_helper.from_array(a.astype(np.float32), n) for n, a in inits.items()])
    model = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    d = os.path.join(out, name)
    os.makedirs(os.path.join(d, "test_data_set_0"), exist_ok=True)
    path = os.path.join(d, "model.onnx")
    onnx.save(model, path)
    x = rng.uniform(-1, 1, x_shape).astype(np.float32)
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    y = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"]).run(None, {"x": x})[0]
    for n, a in (("input_0", x), ("output_0", y)):
        t = numpy_helper.from_array(a, "x" if n == "input_0" else "y")
        with open(os.path.join(d, "test_data_set_0", n + ".pb"), "wb") as f:
            f.write(t.SerializeToString())
    names.append(name)


def linear(x, y, k, n, inits):
    """torch.nn.Linear(k, n) as exported: Gemm(x, W[n,k], b, transB=1)."""
    inits[y + "_w"] = rng.standard_normal((n, k)) / np.sqrt(k)
    inits[y + "_b"] = rng.standard_normal(n)
    return helper.make_node("Gemm", [x, y + "_w", y + "_b"], [y], transB=1)


inits = {"w": rng.standard_normal((10, 3))}
save("matmul_1x10x3", [helper.make_node("MatMul", ["x", "w"], ["y"])], [1, 10], inits)

for k, n in ((10, 3), (128, 10), (200, 32)):
    inits = {}
    save(f"linear_{k}x{n}", [linear("x", "y", k, n, inits)], [1, k], inits)

inits = {"w": rng.standard_normal((33, 7)), "b": rng.standard_normal(7)}
save("gemm_33x7", [helper.make_node("Gemm", ["x", "w", "b"], ["y"])], [1, 33], inits)

# One-row forms the microcontroller targets' dense kernel (runtime/dense.c) takes: alpha and beta
# with a scalar C, transB without C, and MatMul of a vector (1-D A).
inits = {"w": rng.standard_normal((9, 6)), "c": rng.standard_normal(1)}
save("gemm_alpha_beta_9x6", [helper.make_node("Gemm", ["x", "w", "c"], ["y"], alpha=0.5, beta=2.0)], [1, 9], inits)
inits = {"w": rng.standard_normal((5, 12))}
save("gemm_transb_noc_12x5", [helper.make_node("Gemm", ["x", "w"], ["y"], transB=1)], [1, 12], inits)
inits = {"w": rng.standard_normal((16, 5))}
save("matmul_vec_16x5", [helper.make_node("MatMul", ["x", "w"], ["y"])], [16], inits)

# Conv(1->4, 3x3) Relu MaxPool Conv(4->8, 3x3) Relu MaxPool Flatten Linear(200, 32) Relu Linear(32, 10)
inits = {"c1_w": rng.standard_normal((4, 1, 3, 3)) / 3, "c1_b": rng.standard_normal(4),
         "c2_w": rng.standard_normal((8, 4, 3, 3)) / 6, "c2_b": rng.standard_normal(8)}
nodes = [
    helper.make_node("Conv", ["x", "c1_w", "c1_b"], ["c1"]),
    helper.make_node("Relu", ["c1"], ["r1"]),
    helper.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("Conv", ["p1", "c2_w", "c2_b"], ["c2"]),
    helper.make_node("Relu", ["c2"], ["r2"]),
    helper.make_node("MaxPool", ["r2"], ["p2"], kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("Flatten", ["p2"], ["f"]),
    linear("f", "h", 200, 32, inits),
    helper.make_node("Relu", ["h"], ["hr"]),
    linear("hr", "y", 32, 10, inits),
]
save("cnn_linear", nodes, [1, 1, 28, 28], inits)

print(" ".join(names))
