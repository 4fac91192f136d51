"""A keyword-spotting model with its feature extraction inside the graph (issue 15: "the audio
front end ... should convert whole"): HannWindow -> STFT -> |X|^2 -> MelWeightMatrix MatMul ->
Log -> Conv/ReLU/MaxPool -> GlobalAveragePool -> Gemm -> Softmax, random seeded weights, opset 18.
The window and the mel matrix fold into constants; the STFT runs as a C kernel. Checked by the
difftest harness: ONNX Runtime, the interpreter and the generated C (generic, cortex-m4, and the
emulated Cortex-M4), within its float tolerance.
usage: audio_frontend.py DIFFTEST_SH [OUT.onnx]"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper


def build():
    rng = np.random.default_rng(15)
    c = lambda name, v: numpy_helper.from_array(np.asarray(v), name)  # noqa: E731
    inits = [
        c("win_size", np.int64(256)), c("step", np.int64(160)), c("frame", np.int64(256)),
        c("axes_last", np.array([-1], np.int64)), c("mels", np.int64(20)), c("dft", np.int64(256)),
        c("rate", np.int64(16000)), c("f_lo", np.float32(20.0)), c("f_hi", np.float32(4000.0)),
        c("eps", np.float32(1e-6)), c("axes_ch", np.array([1], np.int64)),
        c("w1", (rng.standard_normal((8, 1, 3, 3)) * 0.3).astype(np.float32)),
        c("b1", (rng.standard_normal(8) * 0.1).astype(np.float32)),
        c("w2", (rng.standard_normal((10, 8)) * 0.5).astype(np.float32)),
        c("b2", (rng.standard_normal(10) * 0.1).astype(np.float32)),
    ]
    nodes = [
        helper.make_node("HannWindow", ["win_size"], ["window"]),
        helper.make_node("STFT", ["audio", "step", "window", "frame"], ["spec"], onesided=1),
        helper.make_node("ReduceSumSquare", ["spec", "axes_last"], ["power"], keepdims=0),
        helper.make_node("MelWeightMatrix", ["mels", "dft", "rate", "f_lo", "f_hi"], ["melw"]),
        helper.make_node("MatMul", ["power", "melw"], ["mel"]),
        helper.make_node("Add", ["mel", "eps"], ["mel_eps"]),
        helper.make_node("Log", ["mel_eps"], ["logmel"]),
        helper.make_node("Unsqueeze", ["logmel", "axes_ch"], ["feat"]),
        helper.make_node("Conv", ["feat", "w1", "b1"], ["c1"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
        helper.make_node("Relu", ["c1"], ["r1"]),
        helper.make_node("MaxPool", ["r1"], ["p1"], kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("GlobalAveragePool", ["p1"], ["g1"]),
        helper.make_node("Flatten", ["g1"], ["f1"]),
        helper.make_node("Gemm", ["f1", "w2", "b2"], ["logits"], transB=1),
        helper.make_node("Softmax", ["logits"], ["probs"]),
    ]
    g = helper.make_graph(nodes, "kws_frontend", [helper.make_tensor_value_info("audio", TensorProto.FLOAT, [1, 4000, 1])],
                          [helper.make_tensor_value_info("probs", TensorProto.FLOAT, [1, 10])], inits)
    m = helper.make_model(g, opset_imports=[helper.make_opsetid("", 18)], producer_name="tinyc-tests")
    m.ir_version = 8
    onnx.checker.check_model(m, full_check=True)
    return m


def main():
    difftest = sys.argv[1]
    with tempfile.TemporaryDirectory() as tmp:
        path = sys.argv[2] if len(sys.argv) > 2 else os.path.join(tmp, "kws_frontend.onnx")
        onnx.save(build(), path)
        cmd = ["bash", difftest, "--model", path, "--path", "generic:O2:-O2", "--path", "cortex-m4:O2:-O2",
               "--path", "cortex-m4:O2:-O2:emulate", "-v"]
        r = subprocess.run(cmd, capture_output=True, text=True)
        sys.stdout.write(r.stdout + r.stderr)
        if r.returncode != 0 or "ort," not in r.stdout:
            print("audio_frontend: FAILED" + ("" if "ort," in r.stdout else " (ONNX Runtime was not compared)"))
            return 1
    print("audio_frontend: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
