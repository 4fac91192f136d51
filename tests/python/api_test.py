"""python.api: the Python API (apps/python/tinyc) against the CLI it wraps and against ONNX Runtime.

Run with the test venv's Python (onnx, onnxruntime, numpy), PYTHONPATH=apps/python and
TINYC_BINARY=the build tree's tinyc:  api_test.py <source dir>
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper

import tinyc

SRC = Path(sys.argv[1]).resolve()
EXE = os.environ["TINYC_BINARY"]
MNIST = SRC / "models" / "mnist8" / "model.onnx"
failures = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what, flush=True)
    if not cond:
        failures.append(what)


def cli(*args, cwd=None):
    return subprocess.run([EXE, *map(str, args)], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def files_of(d):
    return {p.name: p.read_text() for p in sorted(Path(d).iterdir()) if p.is_file()}


def raises(fn, cls):
    try:
        fn()
    except cls as e:
        return e
    except Exception as e:  # noqa: BLE001 - report what was raised instead
        print(f"  raised {type(e).__name__}: {e}")
        return None
    print("  raised nothing")
    return None


def two_input_model():
    """Add of two inputs with names no C identifier or file may carry."""
    a = helper.make_tensor_value_info("in:a/0", TensorProto.FLOAT, [1, 8])
    b = helper.make_tensor_value_info("in b", TensorProto.FLOAT, [1, 8])
    y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 8])
    g = helper.make_graph([helper.make_node("Add", ["in:a/0", "in b"], ["y"])], "two", [a, b], [y])
    return helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)])


with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    rng = np.random.RandomState(0)
    x = rng.rand(1, 1, 28, 28).astype(np.float32)

    # convert: a path, a ModelProto and bytes give the CLI's files; out_dir writes them.
    cli("convert", MNIST, "-o", tmp / "ref", "--target", "cortex-m4", "--name", "m8", "-q")
    ref = files_of(tmp / "ref")
    r = tinyc.convert(str(MNIST), target="cortex-m4", name="m8")
    check(r["files"] == ref and r["out_dir"] is None, "convert(path) returns the CLI's files")
    check(r["report"]["files"] == sorted(ref) or sorted(r["report"]["files"]) == sorted(ref), "the report lists them")
    model = onnx.load(str(MNIST))
    check(tinyc.convert(model, target="cortex-m4", name="m8")["files"] == ref, "convert(ModelProto)")
    check(tinyc.convert(model.SerializeToString(), target="cortex-m4", name="m8")["files"] == ref, "convert(bytes)")
    r = tinyc.convert(MNIST, tmp / "api", target="cortex-m4", name="m8", io_in_arena=True, patch="off")
    cli("convert", MNIST, "-o", tmp / "ref2", "--target", "cortex-m4", "--name", "m8", "--io-in-arena", "--patch", "off", "-q")
    check(files_of(tmp / "api") == files_of(tmp / "ref2") == r["files"], "options as keywords; out_dir written")

    r = tinyc.convert(MNIST, target="cortex-m4", name="m8", report_html=tmp / "r.html")
    check('<table id="layers">' in (tmp / "r.html").read_text() and r["files"] == ref, "report_html= writes the page")

    # Errors: the CLI's exit code as the exception's class, its message as the exception's.
    bad = cli("convert", MNIST, "--target", "nope", "-o", tmp / "x")
    e = raises(lambda: tinyc.convert(MNIST, target="nope"), tinyc.UsageError)
    check(e is not None and e.exit_code == 2 == bad.returncode and e.message == bad.stderr.strip(),
          f"bad target: UsageError with the CLI's message ({bad.stderr.strip()!r})")
    (tmp / "junk.onnx").write_bytes(b"\x0a\xff\xff\xff\x0fnot a model")
    bad = cli("convert", tmp / "junk.onnx", "-o", tmp / "x")
    e = raises(lambda: tinyc.convert(tmp / "junk.onnx"), tinyc.ModelError)
    check(e is not None and e.exit_code == 1 == bad.returncode and e.message == bad.stderr.strip().splitlines()[-1],
          "corrupt model: ModelError with the CLI's message")
    check(not (tmp / "x").exists(), "no partial output")
    e = raises(lambda: tinyc.convert(MNIST, no_such_option=3), tinyc.UsageError)
    check(e is not None and "--no-such-option" in e.message, "an unknown keyword is the CLI's usage error")
    check(raises(lambda: tinyc.convert(42), TypeError) is not None, "a model of the wrong type: TypeError")

    # run: the interpreter's outputs as numpy arrays; the CLI's .pb outputs exactly, ORT's closely.
    y = tinyc.run(MNIST, x)
    np.save(tmp / "x.npy", x)
    cli("run", MNIST, "-i", tmp / "x.npy", "--output-dir", tmp / "run")
    y_cli = numpy_helper.to_array(onnx.load_tensor(str(tmp / "run" / "output_0.pb")))
    check(len(y) == 1 and y[0].dtype == np.float32 and np.array_equal(y[0], y_cli), "run == tinyc run's output")
    y_ort = ort.InferenceSession(str(MNIST), providers=["CPUExecutionProvider"]).run(None, {model.graph.input[0].name: x})
    check(np.allclose(y[0], y_ort[0], rtol=1e-4, atol=1e-4), "run is within 1e-4 of ONNX Runtime")
    two = two_input_model()
    a, b = rng.rand(1, 8).astype(np.float32), rng.rand(1, 8).astype(np.float32)
    check(np.array_equal(tinyc.run(two, {"in b": b, "in:a/0": a})[0], a + b), "run with a dict by input name")
    check(np.array_equal(tinyc.run(two, [a, b])[0], a + b), "run with a list in input order")
    e = raises(lambda: tinyc.run(two, {"in b": b}), tinyc.UsageError)
    check(e is not None and "missing" in e.message, "a missing input: UsageError")
    e = raises(lambda: tinyc.run(two, [a, b.astype(np.float64)]), tinyc.ModelError)
    check(e is not None and "expects" in e.message, "a wrong dtype: the CLI's ModelError")

    # validate, inspect, bench, ops: the CLI's JSON as dicts.
    v = tinyc.validate(MNIST, x)
    check(v["ok"] is True and len(v["sets"]) == 1, "validate(inputs) passes")
    v = tinyc.validate(MNIST, test_data=SRC / "models" / "mnist8", target="mcu")
    check(v["ok"] is True and len(v["sets"]) == 6, "validate(test_data) passes on mcu")
    bad_set = tmp / "bad_data" / "test_data_set_0"
    bad_set.mkdir(parents=True)
    src_set = SRC / "models" / "mnist8" / "test_data_set_0"
    (bad_set / "input_0.pb").write_bytes((src_set / "input_0.pb").read_bytes())
    wrong = numpy_helper.to_array(onnx.load_tensor(str(src_set / "output_0.pb"))) * 2 + 1
    (bad_set / "output_0.pb").write_bytes(numpy_helper.from_array(wrong).SerializeToString())
    e = raises(lambda: tinyc.validate(MNIST, test_data=bad_set.parent), tinyc.ValidationError)
    check(e is not None and e.exit_code == 1 and e.result is not None and e.result["ok"] is False,
          "validate outside the tolerance: ValidationError carrying the comparison")
    ins = tinyc.inspect(MNIST, O=2)
    ref_ins = json.loads(cli("inspect", MNIST, "-O", "2", "--json").stdout)
    check(ins == ref_ins and ins["macs"] > 0, "inspect == tinyc inspect --json")
    check("Conv" in tinyc.ops() and tinyc.version().startswith("tinyc "), "ops() and version()")

    # Calibration data as arrays: the same C as the CLI given the same samples in an .npz.
    calib = [rng.rand(1, 1, 28, 28).astype(np.float32) for _ in range(4)]
    np.savez(tmp / "calib.npz", *calib)
    cli("convert", MNIST, "-o", tmp / "q_ref", "--name", "q", "--quantize", "int8", "--calib", tmp / "calib.npz", "-q")
    q = tinyc.convert(MNIST, name="q", quantize="int8", calib=calib)
    check(q["files"] == files_of(tmp / "q_ref") and q["report"]["quantization"]["calibration_samples"] == 4,
          "calib=[arrays]: the CLI's int8 C for the same samples")
    samples = [{"in:a/0": rng.rand(1, 8).astype(np.float32), "in b": rng.rand(1, 8).astype(np.float32)}
               for _ in range(3)]
    q = tinyc.convert(two, name="two", quantize="int8", calib=samples)
    check(q["report"]["quantization"]["calibration_samples"] == 3, "calib=[dicts] for a model with two inputs")
    e = raises(lambda: tinyc.convert(two, quantize="int8", calib=[{"in b": b}]), tinyc.ModelError)
    check(e is not None and "no array named after input 'in:a/0'" in e.message,
          "calib dicts without every input: the CLI's ModelError")

print(f"{len(failures)} failed" if failures else "all passed")
sys.exit(1 if failures else 0)
