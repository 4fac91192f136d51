"""Writes hostile and broken ONNX models into a folder, for tests/cli/bad_input.sh."""
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


def save(name, graph, opset=13, check=False):
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])
    if check:
        onnx.checker.check_model(m)
    onnx.save(m, os.path.join(out, name + ".onnx"))


f32 = TensorProto.FLOAT
x = helper.make_tensor_value_info("x", f32, [1, 4])
y = helper.make_tensor_value_info("y", f32, [1, 4])

# a -> b -> a cycle
save("cycle", helper.make_graph(
    [helper.make_node("Relu", ["x2"], ["x1"], name="r1"), helper.make_node("Relu", ["x1"], ["x2"], name="r2"),
     helper.make_node("Add", ["x", "x2"], ["y"], name="add")], "g", [x], [y]))
# input produced by nothing
save("dangling", helper.make_graph([helper.make_node("Add", ["x", "ghost"], ["y"], name="add")], "g", [x], [y]))
# shapes that do not broadcast
w = numpy_helper.from_array(np.ones((3,), np.float32), "w")
save("mismatch", helper.make_graph([helper.make_node("Add", ["x", "w"], ["y"], name="add_bad")], "g", [x], [y], [w]))
# Conv kernel does not match channels
xc = helper.make_tensor_value_info("x", f32, [1, 3, 8, 8])
wc = numpy_helper.from_array(np.ones((4, 5, 3, 3), np.float32), "w")
save("conv_channels", helper.make_graph([helper.make_node("Conv", ["x", "w"], ["y"], name="conv1")], "g", [xc],
                                        [helper.make_tensor_value_info("y", f32, None)], [wc]))
# negative dim in an input
save("negative_dim", helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="r")], "g",
                                       [helper.make_tensor_value_info("x", f32, [1, -4])], [y]))
# dims whose product overflows int64
save("overflow_dims", helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="r")], "g",
                                        [helper.make_tensor_value_info("x", f32, [1 << 40, 1 << 40, 1 << 20])], [y]))
# initializer declaring 10^12 elements with 4 bytes of data
big = TensorProto()
big.name = "big"
big.data_type = f32
big.dims.extend([1000000, 1000000])
big.raw_data = b"\0\0\0\0"
save("huge_initializer", helper.make_graph([helper.make_node("Add", ["x", "big"], ["y"], name="add")], "g", [x], [y],
                                           [big]))
# unknown ops: both must be listed
save("unknown_ops", helper.make_graph(
    [helper.make_node("FooOp", ["x"], ["t"], name="foo"), helper.make_node("BarOp", ["t"], ["y"], name="bar")],
    "g", [x], [y]))
# external data escaping the model folder
ext = TensorProto()
ext.name = "w"
ext.data_type = f32
ext.dims.extend([4])
ext.data_location = TensorProto.EXTERNAL
ext.external_data.add(key="location", value="../../etc/passwd")
save("external_escape", helper.make_graph([helper.make_node("Add", ["x", "w"], ["y"], name="add")], "g", [x], [y], [ext]))
# hostile names: control characters and a C comment terminator
evil = "*/ system(\"x\"); /*\n\x1b[31m"
save("hostile_names", helper.make_graph([helper.make_node("Relu", ["x"], [evil], name=evil),
                                         helper.make_node("Relu", [evil], ["y"], name="r2")], "g", [x], [y]))
# unsupported opset
save("opset_99", helper.make_graph([helper.make_node("Relu", ["x"], ["y"])], "g", [x], [y]), opset=99)
# symbolic non-batch dim
save("symbolic_dim", helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="r")], "g",
                                       [helper.make_tensor_value_info("x", f32, ["N", "C"])], [y]))
# no graph inputs: a Constant node's value is the output
cval = np.array([[1.5, -2.0, 3.25]], np.float32)
save("constant_only", helper.make_graph([helper.make_node("Constant", [], ["c"], name="k", value=numpy_helper.from_array(cval))],
                                        "g", [], [helper.make_tensor_value_info("c", TensorProto.FLOAT, [1, 3])]), check=True)
# a good model, for usage errors
save("good", helper.make_graph([helper.make_node("Relu", ["x"], ["y"], name="r")], "g", [x], [y]), check=True)
np.save(os.path.join(out, "good_input.npy"), np.array([[-1, 2, -3, 4]], np.float32))
np.save(os.path.join(out, "wrong_input.npy"), np.zeros((2, 2), np.float32))
