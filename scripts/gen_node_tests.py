"""Writes the ONNX backend node tests of the installed onnx package (its own generators,
onnx/backend/test/case/node: the wheel ships no test data) as test folders like Debian's
libonnx-testdata: DIR/<test>/model.onnx, test_data_set_N/input_J.pb, output_J.pb. Tests whose
inputs or outputs are not tensors (sequences, maps, optionals) are left out. numpy's random state
is seeded, so the data is the same on every machine. Usage: gen_node_tests.py DIR
(scripts/setup.sh runs it with the venv of the newest onnx into .onnx-node-tests/)"""
import os
import shutil
import sys

import numpy as np
import onnx
from onnx import numpy_helper
from onnx.backend.test.case import node


def main():
    out = sys.argv[1]
    if os.path.exists(out):
        shutil.rmtree(out)
    os.makedirs(out)
    np.random.seed(0)
    cases = node.collect_testcases()
    written = 0
    for case in cases:
        if case.model is None or not case.data_sets:
            continue
        d = os.path.join(out, case.name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "model.onnx"), "wb") as f:
            f.write(case.model.SerializeToString())
        g = case.model.graph
        for i, (inputs, outputs) in enumerate(case.data_sets):
            sd = os.path.join(d, f"test_data_set_{i}")
            os.makedirs(sd)
            try:
                for j, x in enumerate(inputs):
                    t = x if isinstance(x, onnx.TensorProto) else numpy_helper.from_array(x, g.input[j].name)
                    with open(os.path.join(sd, f"input_{j}.pb"), "wb") as f:
                        f.write(t.SerializeToString())
                for j, y in enumerate(outputs):
                    t = y if isinstance(y, onnx.TensorProto) else numpy_helper.from_array(y, g.output[j].name)
                    with open(os.path.join(sd, f"output_{j}.pb"), "wb") as f:
                        f.write(t.SerializeToString())
            except Exception:  # sequences, maps, optionals: not tensors (tinyc takes tensors only)
                shutil.rmtree(d)
                break
        else:
            written += 1
    print(f"{written} node tests of onnx {onnx.__version__} (opset {onnx.defs.onnx_opset_version()}) in {out}")


if __name__ == "__main__":
    main()
