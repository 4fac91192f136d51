"""Differential test against ONNX Runtime (an independent oracle).

For every bundled model, feeds seeded random inputs to `tinyc run` (reference interpreter) and to
ONNX Runtime (1 thread, graph optimizations disabled) and compares the outputs:
floats |got-ort| <= 1e-4*|ort| + 1e-5*max|ort|, integers within 1 LSB (rounding of float
requantization may differ by one step).
usage: ort_compare.py TINYC MODELS_DIR
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper

tinyc, models_dir = sys.argv[1], sys.argv[2]
failures = 0
checked = 0
for name in sorted(os.listdir(models_dir)):
    path = os.path.join(models_dir, name, "model.onnx")
    if not os.path.exists(path):
        continue
    opts = ort.SessionOptions()
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    opts.intra_op_num_threads = 1
    sess = ort.InferenceSession(path, opts, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(1234)
    with tempfile.TemporaryDirectory() as tmp:
        feeds, files = {}, []
        for i, inp in enumerate(sess.get_inputs()):
            shape = [d if isinstance(d, int) else 1 for d in inp.shape]
            if inp.type == "tensor(float)":
                x = rng.standard_normal(shape).astype(np.float32)
            elif inp.type == "tensor(int8)":
                x = rng.integers(-128, 128, shape).astype(np.int8)
            elif inp.type == "tensor(uint8)":
                x = rng.integers(0, 256, shape).astype(np.uint8)
            else:
                raise SystemExit(f"{name}: input type {inp.type} not handled by this test")
            feeds[inp.name] = x
            f = os.path.join(tmp, f"in{i}.npy")
            np.save(f, x)
            files += ["-i", f]
        want = sess.run(None, feeds)
        r = subprocess.run([tinyc, "run", path, *files, "--output-dir", os.path.join(tmp, "out")],
                           capture_output=True, text=True)
        if r.returncode != 0:
            print(f"FAIL {name}: tinyc run exited {r.returncode}: {r.stderr.strip()}")
            failures += 1
            continue
        for k, w in enumerate(want):
            got = numpy_helper.to_array(onnx.load_tensor(os.path.join(tmp, "out", f"output_{k}.pb")))
            checked += 1
            if got.shape != w.shape or got.dtype != w.dtype:
                print(f"FAIL {name} output {k}: {got.dtype}{got.shape} vs ORT {w.dtype}{w.shape}")
                failures += 1
                continue
            if np.issubdtype(w.dtype, np.floating):
                tol = 1e-4 * np.abs(w) + 1e-5 * max(np.abs(w).max(), 1e-30)
                err = np.abs(got.astype(np.float64) - w)
                ok = bool(np.all(err <= tol))
                detail = f"max abs err {err.max():.3g}"
            else:
                err = np.abs(got.astype(np.int64) - w.astype(np.int64))
                ok = bool(err.max(initial=0) <= 1)
                detail = f"max LSB diff {err.max(initial=0)}, {(err > 0).sum()} of {err.size} differ"
            print(f"{'ok  ' if ok else 'FAIL'} {name} output {k}: {detail}")
            failures += 0 if ok else 1
print(f"{checked} outputs compared with ONNX Runtime {ort.__version__}, {failures} failures")
sys.exit(1 if failures or checked == 0 else 0)
