"""Writes the measured tables of docs/benchmarks.md (stdout, Markdown).

  .venv/bin/python scripts/benchmarks.py [--runs N] [--memory-only] > /tmp/tables.md

1. Host latency of tinyc's generated C (tinyc bench, -O2 pipeline) next to ONNX Runtime (1 thread,
   sequential, all graph optimizations) and the reference interpreter, same machine, same run.
2. Node count and generated-C latency at -O0 and -O2 (the graph passes' effect), on the host and
   as instructions per inference on the emulated Cortex-M4 (QEMU -icount: deterministic).
3. Static memory per target (--targets, default generic,cortex-m4): arena, liveness lower bound,
   TFLite Micro's greedy-by-size on the same buffers, planner, Concat inputs and depthwise
   convolutions in place, Transposes left (--memory-only: these tables alone).
4. --greedy-only: the arena of every target against TFLite Micro's greedy-by-size on the ONNX graph
   as given (scripts/greedy_arena.py: no fusion, no in-place, no kernel scratch), per model.
5. --patch-only: patch-based execution (--patch off vs auto) on cortex-m4: arena, lower bound,
   strips, extra MACs and, where strips were chosen, the emulated M4's instructions.
"""
import argparse
import glob
import json
import os
import platform
import subprocess
import sys
import tempfile
import time

import numpy as np
import onnxruntime as ort

ap = argparse.ArgumentParser()
ap.add_argument("--tinyc", default="build/apps/tinyc")
ap.add_argument("--runs", type=int, default=200)
ap.add_argument("--repeat", type=int, default=3, help="processes per latency figure (the lowest median is kept)")
ap.add_argument("--memory-only", action="store_true", help="only the static memory tables (fast)")
ap.add_argument("--int8-only", action="store_true", help="only the int8 table (float QDQ path vs integer path)")
ap.add_argument("--ptq-only", action="store_true", help="only the post-training quantization table (--quantize int8)")
ap.add_argument("--accuracy-only", action="store_true", help="only the held-out accuracy table (models/digits_cnn)")
ap.add_argument("--ptq-heldout-models-only", action="store_true",
                help="only the held-out PTQ table of every float shared model but mobilenetv2")
ap.add_argument("--ptq-heldout-only", action="store_true",
                help="only mobilenetv2_128_050 against ONNX Runtime's quantize_static on held-out inputs of its test sets' kind")
ap.add_argument("--footprint-only", action="store_true",
                help="only the emulated Cortex-M4/M55 table: instructions, MACs per instruction, flash and RAM split")
ap.add_argument("--targets", default="generic,cortex-m4", help="targets of the memory tables")
ap.add_argument("--greedy-only", action="store_true",
                help="only the arena per target against greedy-by-size on the ONNX graph (issue 13)")
ap.add_argument("--extra-models", default="", help="folder of more .onnx models for the --greedy-only and --patch-only tables")
ap.add_argument("--patch-only", action="store_true", help="only the --patch off vs auto table on cortex-m4 (issue 13)")
ap.add_argument("--prune-only", action="store_true", help="only the structured pruning table (--prune channels:R, issue 12)")
ap.add_argument("--sparse-only", action="store_true", help="only the unstructured pruning table (--prune magnitude:R, sparse weights, issue 12)")
ap.add_argument("--host-only", action="store_true",
                help="only the host latency of every conv model (the bundled ones and models/make_user_cnns.py's) "
                     "against ONNX Runtime, --patch auto and off (issue 11)")
args = ap.parse_args()
T = args.tinyc
models = sorted(glob.glob("models/*/model.onnx"))
light = sorted(glob.glob("models/onnx_light/*.onnx"))


def tinyc(*a):
    r = subprocess.run([T, *a], capture_output=True, text=True)
    return r


def bench(path, level):
    """tinyc bench in --repeat separate processes; the one with the fastest run is kept. On a
    shared VM a whole process's timings shift as a block (the same code measured 0.085 and 0.150 ms
    medians in consecutive processes), so the tables give the fastest run, not the median."""
    best = None
    for _ in range(args.repeat):
        r = tinyc("bench", path, "-O", str(level), "--runs", str(args.runs), "--warmup", "20", "--interp-runs", "5",
                  "--json")
        if r.returncode != 0:
            return None
        j = json.loads(r.stdout)
        if best is None or j["generated_ms"]["min"] < best["generated_ms"]["min"]:
            best = j
    return best


def ort_ms(path):
    return min(ort_once(path) for _ in range(args.repeat))


def ort_once(path):
    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    sess = ort.InferenceSession(path, so, providers=["CPUExecutionProvider"])
    rng = np.random.default_rng(0)
    feeds = {}
    for i in sess.get_inputs():
        shape = [d if isinstance(d, int) else 1 for d in i.shape]
        feeds[i.name] = (rng.standard_normal(shape).astype(np.float32) if i.type == "tensor(float)"
                         else rng.integers(-128, 128, shape).astype(np.int8))
    for _ in range(20):
        sess.run(None, feeds)
    t = []
    for _ in range(args.runs):
        t0 = time.perf_counter_ns()
        sess.run(None, feeds)
        t.append((time.perf_counter_ns() - t0) / 1e6)
    return min(t)


def name(p):
    return os.path.basename(os.path.dirname(p)) if p.endswith("model.onnx") else os.path.basename(p)[:-5]


def flash_bytes(p, extra):
    """text + data of NAME.o and NAME_weights.o for the Cortex-M4 at -O2 (arm-none-eabi-size)."""
    with tempfile.TemporaryDirectory() as tmp:
        if tinyc("convert", p, "--target", "cortex-m4", "--name", "m", "-o", tmp, "-q", *extra).returncode != 0:
            return None
        total = 0
        for f in ("m.c", "m_weights.c"):
            o = os.path.join(tmp, f + ".o")
            subprocess.run(["arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb", "-mfloat-abi=hard", "-mfpu=fpv4-sp-d16",
                            "-O2", "-std=c99", "-c", os.path.join(tmp, f), "-o", o], check=True)
            out = subprocess.run(["arm-none-eabi-size", o], capture_output=True, text=True).stdout.splitlines()[1].split()
            total += int(out[0]) + int(out[1])
        return total


def host_table():
    """Issue 11: the generated float C of every conv model on the host within 1.5x of ONNX Runtime
    (1 thread), measured in the same run: the bundled conv models and two CNNs of the kind users
    bring (models/make_user_cnns.py, exported afresh with the system's torch when it has one)."""
    print("### Host latency of the conv models against ONNX Runtime (1 thread)\n")
    print("`tinyc bench MODEL --runs R --interp-runs 0 [--patch off]` (the generated C built with `cc -O3 "
          "-march=native`) and ONNX Runtime on the same random input, alternately, each the fastest run of "
          f"{args.runs} in the fastest of {args.repeat} processes.\n")
    print("| model | MACs | tinyc C (ms), default `--patch auto` | tinyc C (ms), `--patch off` | ONNX Runtime (ms) | "
          "C / ORT (auto) | C / ORT (off) |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    conv = [p for p in models if any(n.op_type == "Conv" for n in __import__("onnx").load(p).graph.node)]
    with tempfile.TemporaryDirectory() as gen:
        made = subprocess.run(["/usr/bin/python3", "models/make_user_cnns.py", gen], capture_output=True, text=True)
        user = [os.path.join(gen, m + ".onnx") for m in made.stdout.split()] if made.returncode == 0 else []
        if not user:
            print("(models/make_user_cnns.py did not run: no torch for /usr/bin/python3)\n")
        for p in conv + user:
            def fastest(*extra):
                best = None
                for _ in range(args.repeat):
                    r = tinyc("bench", p, "--runs", str(args.runs), "--warmup", "20", "--interp-runs", "0", "--json",
                              *extra)
                    if r.returncode != 0:
                        return None, None
                    j = json.loads(r.stdout)
                    best = j["generated_ms"]["min"] if best is None else min(best, j["generated_ms"]["min"])
                return best, None
            auto, _ = fastest()
            off, _ = fastest("--patch", "off")
            with tempfile.TemporaryDirectory() as tmp:
                rep = os.path.join(tmp, "r.json")
                macs = json.load(open(rep)).get("macs") if tinyc("convert", p, "-o", tmp, "-q", "--patch", "off", "--report",
                                                                 rep).returncode == 0 else None
            o = ort_ms(p)
            if auto is None or off is None:
                print(f"| {name(p)} | | failed | | {o:.4f} | | |")
                continue
            print(f"| {name(p)} | {macs or '':,} | {auto:.4f} | {off:.4f} | {o:.4f} | {auto / o:.2f} | {off / o:.2f} |")
    print()


def int8_table():
    """The int8 models through the float QDQ path (what tinyc did before the integer path, still
    reachable with --disable-pass lower-quant) and through the integer path."""
    print("\n### int8 models: float QDQ path vs integer path\n")
    print("`before` = `--disable-pass lower-quant` (DequantizeLinear -> float op -> QuantizeLinear, what tinyc "
          "ran until 2026-12-05); `after` = the default integer path. Arena on cortex-m4; flash = text + data of "
          "NAME.o + NAME_weights.o (arm-none-eabi-gcc -O2 -mcpu=cortex-m4); host latency as above; "
          "instructions per inference on the emulated Cortex-M4.\n")
    print("| model | path | arena (B) | weights (B) | flash (B) | C (ms) | ORT (ms) | C / ORT | M4 instructions "
          "| MACs | instr / MAC |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    paths = [p for p in models if "int8" in p]
    with tempfile.TemporaryDirectory() as gen:
        made = subprocess.run([sys.executable, "tests/oracle/make_qdq_models.py", gen], capture_output=True,
                              text=True).stdout.split()
        paths += [os.path.join(gen, m, "model.onnx") for m in made if m in ("dscnn_pc", "cnn_pool_pc", "residual_pc")]
        for p in paths:
            o = ort_ms(p)
            for label, extra in (("before", ["--disable-pass", "lower-quant"]), ("after", [])):
                with tempfile.TemporaryDirectory() as tmp:
                    rep = os.path.join(tmp, "r.json")
                    tinyc("convert", p, "--target", "cortex-m4", "-o", tmp, "--report", rep, "-q", *extra)
                    j = json.load(open(rep))
                best = None
                for _ in range(args.repeat):
                    r = tinyc("bench", p, "--runs", str(args.runs), "--warmup", "20", "--interp-runs", "0", "--json",
                              *extra)
                    if r.returncode == 0:
                        b = json.loads(r.stdout)["generated_ms"]["min"]
                        best = b if best is None else min(best, b)
                e = tinyc("bench", p, "--target", "cortex-m4", "--emulate", "--json", *extra)
                ins = json.loads(e.stdout)["instructions"]["median"] if e.returncode == 0 else None
                nm = name(p) if "int8" in p else name(p) + " (ORT-quantized)"
                print(f"| {nm} | {label} | {j['arena_bytes']:,} | {j['weights_bytes']:,} | {flash_bytes(p, extra):,} "
                      f"| {best:.4f} | {o:.4f} | {best / o:.2f} | {ins:,.0f} | {j['macs']:,} | {ins / j['macs']:.2f} |")


def ort_quantize_static(src, dst, name_in, xs, method, per_channel=True):
    """ONNX Runtime's quantize_static of src into dst (QDQ, int8 activations and weights) calibrated
    on the inputs xs (fed to the input name_in) with method, its messages silenced."""
    import logging
    import warnings
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)

    class Reader(CalibrationDataReader):
        def __init__(self):
            self.it = iter([{name_in: x} for x in xs])

        def get_next(self):
            return next(self.it, None)

    with open(os.devnull, "w") as null:
        old = sys.stdout
        sys.stdout = null
        try:
            quantize_static(src, dst, Reader(), quant_format=QuantFormat.QDQ, per_channel=per_channel,
                            activation_type=QuantType.QInt8, weight_type=QuantType.QInt8, calibrate_method=method)
        finally:
            sys.stdout = old


# The float models of the PTQ tables; the regression models have no top-1. hello_sine's batch
# dimension is symbolic: its first test set, 60 points of x in [0, 5.9] in one batch, calibrates
# and tests it (its other sets hold one random input each, of another shape).
PTQ_MODELS = ("kws_fp32", "mnist8", "ad01_fp32", "mobilenetv2_128_050", "hello_sine", "velardo_lesson9")
PTQ_REGRESSION = ("ad01_fp32", "hello_sine", "velardo_lesson9")
PTQ_SHAPES = {"hello_sine": ["--input-shape", "dense_2_input=60,1"]}
PTQ_SETS = {"hello_sine": ["test_data_set_0"]}
PTQ_TMP = tempfile.TemporaryDirectory()
EXACT_DB = 150.0  # an output equal to the reference counts as 150 dB in a mean (float32's own limit is ~144)


def ptq_data(m):
    """The folder of m's test sets used to calibrate and test (a selection of them: PTQ_SETS, as
    links in a temporary folder removed at exit)."""
    if m not in PTQ_SETS:
        return f"models/{m}"
    d = os.path.join(PTQ_TMP.name, m)
    if not os.path.isdir(d):
        os.makedirs(d)
        for k in PTQ_SETS[m]:
            os.symlink(os.path.abspath(f"models/{m}/{k}"), os.path.join(d, k))
    return d


def ptq_table():
    """--quantize int8 on the float models, calibrated on their test sets and checked on the same sets
    (in-sample): accuracy against the float reference per calibration method, arena and weights."""
    print("\n### Post-training quantization (--quantize int8, calibrated on the test sets: in-sample)\n")
    print("SQNR of the int8 model's output against the float reference outputs (ONNX Runtime), mean and "
          "lowest over the test sets (an exact output counts as 150 dB); top-1 = sets whose arg-max agrees (n/a for the "
          "regression models: the autoencoder ad01, hello_sine, velardo_lesson9); every set's C output equals the "
          "interpreter exactly. Arena and weights on cortex-m4 (float model -> int8 model).\n")
    print("| model | sets | method | SQNR mean (dB) | SQNR min (dB) | top-1 | float islands | arena (B) | weights (B) |")
    print("|---|---:|---|---:|---:|---:|---:|---:|---:|")
    for m in PTQ_MODELS:
        p = f"models/{m}/model.onnx"
        data = ptq_data(m)
        with tempfile.TemporaryDirectory() as tmp:
            rep = os.path.join(tmp, "r.json")
            tinyc("convert", p, "--target", "cortex-m4", "-o", tmp, "--report", rep, "-q", *PTQ_SHAPES.get(m, []))
            f = json.load(open(rep))
        for method in ("minmax", "percentile", "entropy", "mse", "mse, int4 weights", "mse, int16x8"):
            q = ["--quantize", "int16x8" if "int16" in method else "int8", "--calib", data, "--calib-method",
                 method.split(",")[0], *PTQ_SHAPES.get(m, [])]
            if "int4" in method:
                q += ["--weight-bits", "4"]
            with tempfile.TemporaryDirectory() as tmp:
                rep = os.path.join(tmp, "r.json")
                tinyc("convert", p, "--target", "cortex-m4", "-o", tmp, "--report", rep, "-q", *q)
                j = json.load(open(rep))
            r = tinyc("validate", p, "--test-data", data, "--json", *q)
            v = json.loads(r.stdout)
            sq, top = [], []
            for st in v["sets"]:
                for o in st["outputs"]:
                    ref = o["vs_reference"]
                    sq.append(EXACT_DB if ref["sqnr_db"] == "inf" else ref["sqnr_db"])
                    if "top1_agree" in ref:
                        top.append(ref["top1_agree"])
            top1 = f"{sum(top)}/{len(top)}" if top and m not in PTQ_REGRESSION else "n/a"
            ok = "" if v["ok"] else " (C != interpreter!)"
            print(f"| {m} | {len(v['sets'])} | {method}{ok} | {sum(sq) / len(sq):.1f} | {min(sq):.1f} | {top1} "
                  f"| {len(j['float_islands'])} | {f['arena_bytes']:,} -> {j['arena_bytes']:,} "
                  f"| {f['weights_bytes']:,} -> {j['weights_bytes']:,} |")


def ort_ptq_table():
    """The same models quantized by ONNX Runtime's quantize_static (QDQ, int8 activations and weights,
    per-channel weights where ORT allows it) on the same calibration data, run by ONNX Runtime."""
    import warnings
    import logging
    from onnx import numpy_helper, TensorProto
    from onnxruntime.quantization import CalibrationMethod
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)

    def load(p):
        t = TensorProto()
        t.ParseFromString(open(p, "rb").read())
        return numpy_helper.to_array(t)

    print("\n### The same models quantized by ONNX Runtime's quantize_static\n")
    print("QDQ format, int8 activations (asymmetric per tensor) and weights (per channel; mnist8 per tensor: "
          "ORT needs opset 13 for per-channel QDQ), the same calibration sets, run by ONNX Runtime (graph "
          "optimizations disabled); SQNR and top-1 as above. Islands = nodes tinyc leaves float when it "
          "compiles ORT's QDQ model (ORT quantizes before folding BatchNorm: its Mul/Add stay float).\n")
    print("| model | ORT method | SQNR mean (dB) | SQNR min (dB) | top-1 | tinyc float islands |")
    print("|---|---|---:|---:|---:|---:|")
    for m in PTQ_MODELS:
        p = f"models/{m}/model.onnx"
        sets = sorted(glob.glob(f"{ptq_data(m)}/test_data_set_*"))
        name_in = ort.InferenceSession(p).get_inputs()[0].name
        xs = [load(f"{d}/input_0.pb") for d in sets]
        refs = [load(f"{d}/output_0.pb").astype(np.float64) for d in sets]

        for meth in (CalibrationMethod.MinMax, CalibrationMethod.Percentile, CalibrationMethod.Entropy):
            with tempfile.TemporaryDirectory() as tmp:
                q = os.path.join(tmp, "q.onnx")
                for per_channel in (True, False):
                    try:
                        ort_quantize_static(p, q, name_in, xs, meth, per_channel)
                        break
                    except Exception:
                        continue
                so = ort.SessionOptions()
                so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
                sess = ort.InferenceSession(q, so)
                sq, top = [], []
                for x, r in zip(xs, refs):
                    y = sess.run(None, {name_in: x})[0].astype(np.float64)
                    noise = float(np.sum((y - r) ** 2))
                    sq.append(EXACT_DB if noise == 0 else 10 * np.log10(float(np.sum(r ** 2)) / noise))
                    top.append(int(np.argmax(y) == np.argmax(r)))
                rep = os.path.join(tmp, "r.json")
                tinyc("convert", q, "-o", tmp, "--report", rep, "-q", *PTQ_SHAPES.get(m, []))
                isl = len(json.load(open(rep))["float_islands"]) if os.path.exists(rep) else "?"
            top1 = "n/a" if m in PTQ_REGRESSION else f"{sum(top)}/{len(top)}"
            print(f"| {m} | {meth.name.lower()} | {np.mean(sq):.1f} | {np.min(sq):.1f} | {top1} | {isl} |")


HARNESS = r"""
#include <stdio.h>
#include "m.h"
static unsigned char arena[M_ARENA_SIZE + M_ARENA_ALIGN];
int main(int argc, char **argv) {
  float x[M_INPUT_0_ELEMENTS], y[M_OUTPUT_0_ELEMENTS];
  void *a = arena + (M_ARENA_ALIGN - (size_t)arena % M_ARENA_ALIGN) % M_ARENA_ALIGN;
  FILE *f = fopen(argv[1], "rb");
  (void)argc;
  while (f && fread(x, sizeof x, 1, f) == 1) {
    const void *in[1];
    void *out[1];
    int i, best = 0;
    in[0] = x;
    out[0] = y;
    if (m_run(in, out, a) != 0) return 1;
    for (i = 1; i < M_OUTPUT_0_ELEMENTS; ++i) if (y[i] > y[best]) best = i;
    printf("%d\n", best);
  }
  return 0;
}
"""


def ptq_heldout_table():
    """mobilenetv2_128_050's test sets are seeded normal-random inputs (its PROVENANCE.txt): 16 more
    such inputs calibrate and 128 others test, tinyc's C against ONNX Runtime's quantize_static on the
    same calibration inputs, both against the float model run by ONNX Runtime: at the output (a
    2-class softmax, which saturates: its SQNR swings with a few inputs) and at the logits before it
    (the model cut there and quantized the same way)."""
    import warnings
    import logging
    import onnx.utils
    from onnx import numpy_helper
    from onnxruntime.quantization import CalibrationMethod
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    p = "models/mobilenetv2_128_050/model.onnx"
    logits = "StatefulPartitionedCall/mobilenet_v2_128_0.5/predictions_dense/BiasAdd:0"
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    name_in = ort.InferenceSession(p).get_inputs()[0].name
    draw = lambda seed: np.random.default_rng(seed).standard_normal((1, 3, 128, 128)).astype(np.float32)
    cal, test = [draw(1000 + i) for i in range(16)], [draw(2000 + i) for i in range(128)]

    def sqnr(y, r):
        return 10 * np.log10((r ** 2).sum() / max(((y - r) ** 2).sum(), 1e-30))

    print("\n### Post-training quantization on held-out inputs: mobilenetv2_128_050\n")
    print("16 calibration and 128 test inputs drawn like the model's own test sets (seeded normal noise: "
          "`np.random.default_rng(seed).standard_normal`, seeds 1000-1015 and 2000-2127); SQNR against the float "
          "model at the output (2-class softmax) and at the logits before it (the model cut at "
          "`predictions_dense/BiasAdd:0` and quantized the same way), and arg-max agreement. tinyc: the generated C "
          "(generic); ONNX Runtime: quantize_static (QDQ, int8, per-channel weights), graph optimizations disabled.\n")
    print("| path | method | output SQNR mean (dB) | median | min | logits SQNR mean (dB) | median | min | top-1 |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    rows = {}
    with tempfile.TemporaryDirectory() as w:
        np.savez(f"{w}/cal.npz", x=np.concatenate(cal))
        cut = f"{w}/logits.onnx"
        onnx.utils.extract_model(p, cut, [name_in], [logits])
        for part, model in (("output", p), ("logits", cut)):
            fs = ort.InferenceSession(model, so)
            refs = [fs.run(None, {name_in: x})[0].astype(np.float64) for x in test]
            for k, (x, r) in enumerate(zip(test, refs)):
                d = f"{w}/{part}/test_data_set_{k}"
                os.makedirs(d)
                open(f"{d}/input_0.pb", "wb").write(numpy_helper.from_array(x, name_in).SerializeToString())
                open(f"{d}/output_0.pb", "wb").write(
                    numpy_helper.from_array(r.astype(np.float32), "out").SerializeToString())
            for scheme in ("int8", "int16x8"):
                for meth in ("minmax", "percentile", "mse"):
                    v = json.loads(tinyc("validate", model, "--test-data", f"{w}/{part}", "--calib", f"{w}/cal.npz",
                                         "--calib-method", meth, "--quantize", scheme, "--json").stdout)
                    out = [o["vs_reference"] for st in v["sets"] for o in st["outputs"]]
                    key = (f"tinyc {scheme}", meth + (" (default)" if meth == "mse" else ""))
                    rows.setdefault(key, {})[part] = ([200.0 if o["sqnr_db"] == "inf" else o["sqnr_db"] for o in out],
                                                      [o["top1_agree"] for o in out])
            for meth in (CalibrationMethod.MinMax, CalibrationMethod.Percentile, CalibrationMethod.Entropy):
                q = f"{w}/q.onnx"
                ort_quantize_static(model, q, name_in, cal, meth)
                sess = ort.InferenceSession(q, so)
                ys = [sess.run(None, {name_in: x})[0].astype(np.float64) for x in test]
                key = ("ONNX Runtime quantize_static int8", meth.name.lower())
                rows.setdefault(key, {})[part] = ([sqnr(y, r) for y, r in zip(ys, refs)],
                                                  [int(np.argmax(y)) == int(np.argmax(r)) for y, r in zip(ys, refs)])
    for (path, meth), parts in rows.items():
        cells = []
        for part in ("output", "logits"):
            sq = parts[part][0]
            cells += [f"{np.mean(sq):.1f}", f"{np.median(sq):.1f}", f"{np.min(sq):.1f}"]
        top = parts["output"][1]
        print(f"| {path} | {meth} | {' | '.join(cells)} | {sum(top)}/{len(top)} |")


# How to draw more inputs like each float shared model's own: the random test sets of kws_fp32,
# ad01_fp32 and mobilenetv2_128_050 are N(0, 1) noise (their PROVENANCE.txt), mnist8 reads the
# scikit-learn digits made MNIST-like (real images), hello_sine x in [0, 2 pi] (the sine it learned),
# velardo_lesson9 pairs in [0, 0.5] (the a + b it learned).
HELDOUT_TESTS = 2048  # test inputs per drawn model: 256 left arg-max agreement to a few near ties
HELDOUT_DRAW = {
    "kws_fp32": lambda seed, n: np.random.default_rng(seed).standard_normal((n, 1, 49, 10, 1)).astype(np.float32),
    "ad01_fp32": lambda seed, n: np.random.default_rng(seed).standard_normal((n, 1, 640)).astype(np.float32),
    "mnist8": None,  # models/digits_cnn's calibration and held-out test images (accuracy_table)
    "hello_sine": lambda seed, n: (np.random.default_rng(seed).random((n, 1, 1)) * 2 * np.pi).astype(np.float32),
    "velardo_lesson9": lambda seed, n: (np.random.default_rng(seed).random((n, 1, 2)) * 0.5).astype(np.float32),
}


def heldout_rows(p, name_in, cal, test, per_channel, so):
    """Rows (path, method, SQNR per input, largest error, arg-max agreement per input) of tinyc's four
    calibration methods (the generated C, int8) and ONNX Runtime's quantize_static with its three,
    calibrated on cal and tested on test against the float model (ONNX Runtime, session options so)."""
    from onnx import numpy_helper
    from onnxruntime.quantization import CalibrationMethod
    fs = ort.InferenceSession(p, so)
    refs = [fs.run(None, {name_in: x})[0].astype(np.float64) for x in test]
    rows = []
    with tempfile.TemporaryDirectory() as w:
        np.savez(f"{w}/cal.npz", x=np.concatenate(cal))
        for k, (x, r) in enumerate(zip(test, refs)):
            d = f"{w}/t/test_data_set_{k}"
            os.makedirs(d)
            open(f"{d}/input_0.pb", "wb").write(numpy_helper.from_array(x, name_in).SerializeToString())
            open(f"{d}/output_0.pb", "wb").write(numpy_helper.from_array(r.astype(np.float32), "o").SerializeToString())
        for meth in ("minmax", "percentile", "entropy", "mse"):
            r = tinyc("validate", p, "--test-data", f"{w}/t", "--calib", f"{w}/cal.npz", "--calib-method", meth,
                      "--quantize", "int8", "--json")
            if not r.stdout.strip():
                raise RuntimeError(f"tinyc validate {p} --calib-method {meth}: {r.stderr.strip()}")
            v = json.loads(r.stdout)
            out = [o["vs_reference"] for st in v["sets"] for o in st["outputs"]]
            rows.append(("tinyc int8" + ("" if v["ok"] else " (C != interpreter!)"),
                         meth + (" (default)" if meth == "mse" else ""),
                         [EXACT_DB if o["sqnr_db"] == "inf" else o["sqnr_db"] for o in out],
                         max(o["max_abs_err"] for o in out), [o.get("top1_agree", 0) for o in out]))
        for meth in (CalibrationMethod.MinMax, CalibrationMethod.Percentile, CalibrationMethod.Entropy):
            q = f"{w}/q.onnx"
            ort_quantize_static(p, q, name_in, cal, meth, per_channel)
            sess = ort.InferenceSession(q, so)
            ys = [sess.run(None, {name_in: x})[0].astype(np.float64) for x in test]
            sq = [min(EXACT_DB, 10 * np.log10((r ** 2).sum() / ((y - r) ** 2).sum())) if ((y - r) ** 2).sum() > 0
                  else EXACT_DB for y, r in zip(ys, refs)]
            rows.append(("ONNX Runtime quantize_static int8", meth.name.lower(), sq,
                         max(float(np.abs(y - r).max()) for y, r in zip(ys, refs)),
                         [int(np.argmax(y) == np.argmax(r)) for y, r in zip(ys, refs)]))
    return rows


def ptq_heldout_all_table():
    """Every float shared model (mobilenetv2_128_050: its own table above) calibrated on 32 inputs
    and tested on HELDOUT_TESTS others drawn like its inputs (HELDOUT_DRAW; mnist8: the 497 held-out
    digits images),
    tinyc's C against ONNX Runtime's quantize_static on the same calibration inputs."""
    import warnings
    import logging
    import onnx
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    print("\n### Held-out inputs: every float shared model against ONNX Runtime\n")
    print(f"32 calibration and {HELDOUT_TESTS} test inputs per model, drawn like its inputs (`HELDOUT_DRAW` in "
          "scripts/benchmarks.py: N(0, 1) noise as in kws_fp32's and ad01_fp32's random test sets, mnist8 the "
          "scikit-learn digits made MNIST-like (real images: models/digits_cnn's calibration split and its 497 held-out images), hello_sine x in [0, 2 pi], "
          "velardo_lesson9 pairs in [0, 0.5]); SQNR per input against the float model (ONNX Runtime; an exact "
          "output counts as 150 dB), mean / median / lowest, the largest absolute error, and arg-max agreement for "
          "the classifiers. tinyc: the generated C (generic), int8; ONNX Runtime: quantize_static (QDQ, int8, "
          "per-channel weights where the opset allows: per tensor for mnist8, hello_sine and velardo_lesson9), graph "
          "optimizations disabled.\n")
    print("| model | path | method | SQNR mean (dB) | median | min | max abs error | top-1 |")
    print("|---|---|---|---:|---:|---:|---:|---:|")
    for m, draw in HELDOUT_DRAW.items():
        p = f"models/{m}/model.onnx"
        name_in = ort.InferenceSession(p).get_inputs()[0].name
        if m == "mnist8":
            cal = list(digits_as_mnist(np.load("models/digits_cnn/calib.npz")["x"])[:32, None])
            test = list(digits_as_mnist(np.load("models/digits_cnn/test.npz")["x"])[:, None])
        else:
            cal, test = list(draw(100, 32)), list(draw(200, HELDOUT_TESTS))
        classifier = m not in PTQ_REGRESSION
        per_channel = max(o.version for o in onnx.load(p).opset_import if o.domain in ("", "ai.onnx")) >= 13
        rows = heldout_rows(p, name_in, cal, test, per_channel, so)
        for path, meth, sq, err, top in rows:
            t1 = f"{sum(top)}/{len(top)}" if classifier else "n/a"
            print(f"| {m} | {path} | {meth} | {np.mean(sq):.1f} | {np.median(sq):.1f} | {np.min(sq):.1f} | {err:.3g} "
                  f"| {t1} |")

    # kws_fp32 on noise is rarely confident (near ties decide its arg-max): the same test inputs with
    # two more calibration draws show how much of the agreement is the draw.
    m = "kws_fp32"
    p = f"models/{m}/model.onnx"
    name_in = ort.InferenceSession(p).get_inputs()[0].name
    test = list(HELDOUT_DRAW[m](200, HELDOUT_TESTS))
    print(f"\n{m}, the same {HELDOUT_TESTS} test inputs calibrated on three draws of 32 inputs (seeds 100, 101, 102; "
          "100 is the table above): arg-max agreement / mean SQNR (dB)\n")
    print("| path | method | draw 100 | draw 101 | draw 102 |")
    print("|---|---|---:|---:|---:|")
    cells = {}
    for seed in (100, 101, 102):
        for path, meth, sq, err, top in heldout_rows(p, name_in, list(HELDOUT_DRAW[m](seed, 32)), test, True, so):
            cells.setdefault((path, meth), []).append(f"{sum(top)} / {np.mean(sq):.1f}")
    for (path, meth), c in cells.items():
        print(f"| {path} | {meth} | " + " | ".join(c) + " |")


def c_predictions(model, xs, *convert_args):
    """Arg-max of the generated C (tinyc convert, generic target, cc -O2) on each sample of xs."""
    with tempfile.TemporaryDirectory() as tmp:
        r = tinyc("convert", model, "--name", "m", "-o", tmp, "-q", *convert_args)
        if r.returncode != 0:
            raise RuntimeError(r.stderr)
        open(os.path.join(tmp, "h.c"), "w").write(HARNESS)
        subprocess.run(["cc", "-O2", "-o", os.path.join(tmp, "h"), os.path.join(tmp, "h.c"), os.path.join(tmp, "m.c"),
                        os.path.join(tmp, "m_weights.c"), "-lm"], check=True, cwd=tmp)
        xs.astype(np.float32).tofile(os.path.join(tmp, "x.bin"))
        out = subprocess.run([os.path.join(tmp, "h"), os.path.join(tmp, "x.bin")], check=True, capture_output=True,
                             text=True).stdout
        return np.array([int(v) for v in out.split()])


def digits_as_mnist(x):
    """scikit-learn's 8x8 digits (values 0..1) as MNIST-style 28x28 images (values 0..255, the digit
    in the middle 16x16, each pixel doubled), the input mnist8 takes."""
    big = np.kron(x.reshape(-1, 8, 8).astype(np.float64), np.ones((2, 2)))
    return (np.pad(big, ((0, 0), (6, 6), (6, 6))) * 255).astype(np.float32)[:, None]


def accuracy_table():
    """Held-out accuracy of post-training quantization: models/digits_cnn (trained by its train.py on
    scikit-learn's digits), calibrated on its calib.npz (training images), tested on test.npz (never
    seen), and mnist8 on the same images made MNIST-like (digits_as_mnist); tinyc's int8 C next to
    ONNX Runtime's quantize_static on the same calibration images."""
    import warnings
    import logging
    import onnx
    from onnxruntime.quantization import CalibrationMethod
    warnings.filterwarnings("ignore")
    logging.disable(logging.WARNING)
    print("\n### Post-training quantization on held-out data (digits CNN, mnist8)\n")
    d = "models/digits_cnn"
    test, calib = np.load(f"{d}/test.npz"), np.load(f"{d}/calib.npz")
    print(f"{len(test['x'])} held-out test images, {len(calib['x'])} calibration images (from the training split of "
          "models/digits_cnn); top-1 accuracy against the labels. mnist8 (trained on MNIST, never on these) reads "
          "them as 28x28 images (each pixel doubled, the digit in the middle 16x16, 0..255: `digits_as_mnist` in "
          "scripts/benchmarks.py). tinyc: the generated C (generic target, cc -O2); ONNX Runtime: its "
          "quantize_static (QDQ, int8 activations and per-channel weights, the same calibration images), run by "
          "ONNX Runtime with graph optimizations disabled.\n")
    print("| model | path | calibration | top-1 (%) | drop (points) | agrees with float (%) |")
    print("|---|---|---|---:|---:|---:|")
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    models = (("digits_cnn", f"{d}/model.onnx", test["x"], calib["x"]),
              ("mnist8", "models/mnist8/model.onnx", digits_as_mnist(test["x"]), digits_as_mnist(calib["x"])))
    ys = test["y"]
    for label, p, xs, cx in models:
        name_in = ort.InferenceSession(p).get_inputs()[0].name

        def ort_pred(path):
            sess = ort.InferenceSession(path, so)
            return np.array([int(np.argmax(sess.run(None, {name_in: x[None]})[0])) for x in xs])

        with tempfile.TemporaryDirectory() as tmp:
            cal = os.path.join(tmp, "calib.npz")
            np.savez(cal, x=cx)
            ref = ort_pred(p)
            rows = [("float, ONNX Runtime", "-", ref)]
            rows.append(("float, tinyc C", "-", c_predictions(p, xs)))
            for method in ("minmax", "percentile", "entropy", "mse"):
                rows.append(("int8, tinyc C", method + (" (default)" if method == "mse" else ""),
                             c_predictions(p, xs, "--quantize", "int8", "--calib", cal, "--calib-method", method)))
            rows.append(("int8 without bias correction, tinyc C", "mse (default)",
                         c_predictions(p, xs, "--quantize", "int8", "--calib", cal, "--no-bias-correction")))
            rows.append(("int16x8, tinyc C", "mse (default)", c_predictions(p, xs, "--quantize", "int16x8", "--calib", cal)))
            rows.append(("int8, int4 weights (--weight-bits 4), tinyc C", "mse (default)",
                         c_predictions(p, xs, "--quantize", "int8", "--calib", cal, "--weight-bits", "4")))
            rows.append(("weights-int8, tinyc C", "-", c_predictions(p, xs, "--quantize", "weights-int8")))
            # per-channel QDQ needs opset 13 (mnist8 is opset 8: per tensor there)
            per_channel = max(o.version for o in onnx.load(p).opset_import if o.domain in ("", "ai.onnx")) >= 13
            for meth in (CalibrationMethod.MinMax, CalibrationMethod.Percentile, CalibrationMethod.Entropy):
                q = os.path.join(tmp, "q.onnx")
                ort_quantize_static(p, q, name_in, [x[None] for x in cx], meth, per_channel)
                rows.append(("int8, ONNX Runtime quantize_static" + ("" if per_channel else " (weights per tensor)"),
                             meth.name.lower(), ort_pred(q)))
        base = float(np.mean(ref == ys))
        for name, meth, pred in rows:
            acc = float(np.mean(pred == ys))
            print(f"| {label} | {name} | {meth} | {acc * 100:.2f} | {(base - acc) * 100:+.2f} | "
                  f"{np.mean(pred == ref) * 100:.2f} |")



GREEDY_TARGETS = ["generic", "mcu", "cortex-m4", "cortex-m55"]


def greedy_table():
    """Issue 13's reference: each target's arena (and the kernel scratch live at its peak) against
    greedy-by-size on the unoptimized ONNX graph's tensors (scripts/greedy_arena.py)."""
    extra = sorted(glob.glob(os.path.join(args.extra_models, "*.onnx"))) if args.extra_models else []
    print("| model | greedy on the ONNX graph | " + " | ".join(GREEDY_TARGETS) +
          " | worst / greedy | worst: peak node's scratch |")
    print("|---|---:|" + "---:|" * len(GREEDY_TARGETS) + "---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for p in models + light + extra:
            g = subprocess.run([sys.executable, "scripts/greedy_arena.py", p, "--json"], capture_output=True, text=True)
            if g.returncode != 0:
                print(f"| {name(p)} | {g.stderr.strip()[:60]} |" + " |" * (len(GREEDY_TARGETS) + 2))
                continue
            greedy = json.loads(g.stdout)["greedy_by_size_bytes"]
            cells, worst, worst_scratch = [], 0, 0
            for t in GREEDY_TARGETS:
                rep = os.path.join(tmp, "r.json")
                r = tinyc("convert", p, "--target", t, "-o", os.path.join(tmp, "out"), "--report", rep, "-q")
                if r.returncode != 0:
                    cells.append("fails")
                    continue
                j = json.load(open(rep))
                a = j["arena_bytes"]
                cells.append(f"{a:,}")
                if a > worst:
                    worst, worst_scratch = a, j["peak"]["scratch_bytes"]
            ratio = f"{worst / greedy:.2f}" if greedy else "-"
            print(f"| {name(p)} | {greedy:,} | " + " | ".join(cells) + f" | {ratio} | {worst_scratch:,} |")

def patch_table():
    """Issue 13: the first stage in strips (--patch auto, the default) against --patch off on
    cortex-m4 (and the int8 MobileNetV2): arena and lower bound, strips, extra MACs, instructions on
    the emulated M4 where strips were chosen."""
    extra = sorted(glob.glob(os.path.join(args.extra_models, "*.onnx"))) if args.extra_models else []
    print("| model | arena, --patch off | lower bound | arena, auto | lower bound | ratio | strips (stage nodes) "
          "| extra MACs | M4 instructions, off | auto |")
    print("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|")
    mv2 = [p for p in models if "mobilenetv2" in p]
    cases = [(p, []) for p in models + light + extra]
    cases += [(p, ["--quantize", "int8", "--calib", os.path.dirname(p)]) for p in mv2]
    with tempfile.TemporaryDirectory() as tmp:
        for p, q in cases:
            rep = os.path.join(tmp, "r.json")
            got = {}
            for mode in ("off", "auto"):
                r = tinyc("convert", p, "--target", "cortex-m4", "--patch", mode, "-o", os.path.join(tmp, "out"),
                          "--report", rep, "-q", *q)
                got[mode] = json.load(open(rep)) if r.returncode == 0 else None
            label = name(p) + (" (int8)" if q else "")
            if not got["off"] or not got["auto"]:
                print(f"| {label} | fails |" + " |" * 8)
                continue
            off, auto = got["off"], got["auto"]
            pa = auto["patch"]
            cells = [f"{off['arena_bytes']:,}", f"{off['lower_bound_bytes']:,}", f"{auto['arena_bytes']:,}",
                     f"{auto['lower_bound_bytes']:,}", f"{off['arena_bytes'] / auto['arena_bytes']:.2f}x"]
            if not pa:
                print(f"| {label} | " + " | ".join(cells) + " | none | | | |")
                continue
            ins = []
            for mode in ("off", "auto"):
                b = tinyc("bench", p, "--target", "cortex-m4", "--emulate", "--json", "--patch", mode, *q)
                ins.append(f"{json.loads(b.stdout)['instructions']['median']:,.0f}" if b.returncode == 0 else "fails")
            print(f"| {label} | " + " | ".join(cells) + f" | {pa['strips']} ({pa['stage_nodes']}) | "
                  f"{pa['extra_macs']:,} ({pa['extra_macs'] / off['macs']:.1%}) | {ins[0]} | {ins[1]} |")


def footprint_table():
    """Every bundled model on the emulated Cortex-M4 and M55 (tinyc bench --emulate --json):
    instructions per inference, MACs per instruction, the flash and RAM split."""
    print("\n### Emulated Cortex-M4 and M55: instructions, flash and RAM per model\n")
    print("`tinyc bench models/M/model.onnx --target T --emulate --json` (QEMU -icount; arm-none-eabi-gcc -O2; "
          "docs/emulation.md). Flash = kernels + model code + weights and constants; RAM = arena + measured stack + "
          "the caller's input and output buffers.\n")
    print("| model | target | instructions | MACs | MAC/instr | flash (B) | kernels | model code | weights and constants "
          "| RAM (B) | arena | stack | I/O |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for p in models:
        macs = json.loads(tinyc("inspect", "--json", "-O2", p).stdout)["macs"]
        for t in ("cortex-m4", "cortex-m55"):
            r = tinyc("bench", p, "--target", t, "--emulate", "--json")
            if r.returncode != 0:
                print(f"| {name(p)} | {t} | failed: {r.stderr.strip()[:80]} |")
                continue
            b = json.loads(r.stdout)
            n, f, ram = b["instructions"]["median"], b["flash"], b["ram"]
            print(f"| {name(p)} | {t} | {n:,.0f} | {macs:,} | {macs / n:.3f} | {f['total']:,} | {f['kernels']:,} | "
                  f"{f['model_code']:,} | {f['weights_and_constants']:,} | {ram['total']:,} | {ram['arena']:,} | "
                  f"{ram['stack']:,} | {ram['io_buffers']:,} |")


def pruned_figures(p, extra, held, labels):
    """A pruned model's M4 flash and instructions (bench --emulate), host latency (bench), and its
    accuracy: held-out top-1 of the generated C where held has images for it, else the output SQNR
    against the reference on its own test sets. Strings for the pruning tables."""
    m = name(p)
    b = tinyc("bench", p, "--target", "cortex-m4", "--emulate", "--json", *extra)
    bj = json.loads(b.stdout) if b.returncode == 0 else None
    instr = f"{bj['instructions']['median']:,.0f}" if bj else "failed"
    flash = f"{bj['flash']['total']:,}" if bj else "failed"
    h = tinyc("bench", p, "--json", *PTQ_SHAPES.get(m, []), *extra)
    host = f"{json.loads(h.stdout)['generated_ms']['median'] * 1000:,.1f}" if h.returncode == 0 else "failed"
    if m in held:
        pred = c_predictions(p, held[m], *extra)
        return flash, host, instr, f"top-1 {np.mean(pred == labels) * 100:.2f} %"
    v = tinyc("validate", p, "--test-data", ptq_data(m), "--json", *PTQ_SHAPES.get(m, []), *extra)
    out = [o["vs_reference"] for st in json.loads(v.stdout)["sets"] for o in st["outputs"]] if v.stdout.strip() else []
    sq = [150.0 if o["sqnr_db"] == "inf" else o["sqnr_db"] for o in out]
    return flash, host, instr, f"SQNR {np.mean(sq):.1f} dB" if sq else "failed"


def prune_table():
    """Structured pruning (--prune channels:R, no retraining) of every float shared model and the
    digits CNN: parameters, MACs, weight bytes, arena, instructions on the emulated Cortex-M4, and
    what it costs: held-out top-1 for the digits CNN and mnist8, output SQNR against the float model
    on the models' own test sets for the others."""
    print("\n### Structured pruning (--prune channels:R, no retraining)\n")
    print("`tinyc convert M --prune channels:R --report` (params, MACs, weight bytes, arena on cortex-m4), `tinyc "
          "bench M --prune channels:R --target cortex-m4 --emulate` (flash of the built program, instructions), "
          "`tinyc bench M --prune channels:R --json` (host latency, median); accuracy: top-1 on the 497 "
          "held-out digits images (digits_cnn; mnist8 reads them as 28x28, `digits_as_mnist`) of the generated C "
          "(generic), else the SQNR of the output against the float model on the model's own test sets (`tinyc "
          "validate M --test-data models/M`, mean over the sets).\n")
    print("Rows `max-drop:X`: the accuracy guard (`--prune-max-drop X --prune-data DATA`) chose each layer's fraction "
          "on the 100 calibration images of models/digits_cnn (training images; mnist8 the same made 28x28), "
          "keeping the top-1 agreement with the unpruned model on them within X points; the accuracy column is "
          "measured on the held-out images.\n")
    print("| model | pruning | layers pruned | params | MACs | weights (B) | arena (B) | M4 flash (B) | host (us) | "
          "M4 instructions | accuracy |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    d = "models/digits_cnn"
    test, calib = np.load(f"{d}/test.npz"), np.load(f"{d}/calib.npz")
    held = {"digits_cnn": test["x"], "mnist8": digits_as_mnist(test["x"])}
    guard_tmp = tempfile.TemporaryDirectory()
    guard_data = {"digits_cnn": f"{d}/calib.npz", "mnist8": os.path.join(guard_tmp.name, "mnist8_calib.npz")}
    np.savez(guard_data["mnist8"], x=digits_as_mnist(calib["x"]))
    for p in [m for m in models if "int8" not in m]:
        m = name(p)
        specs = ["", "channels:0.25", "channels:0.5"] + (["max-drop:0.5", "max-drop:2"] if m in guard_data else [])
        for spec in specs:
            extra = (["--prune", spec] if spec.startswith("channels") else
                     ["--prune-max-drop", spec.split(":")[1], "--prune-data", guard_data.get(m, "")] if spec else [])
            with tempfile.TemporaryDirectory() as tmp:
                r = tinyc("convert", p, "--target", "cortex-m4", "-o", tmp, "-q", "--report", f"{tmp}/r.json", *extra)
                if r.returncode != 0:
                    print(f"| {m} | {spec or 'none'} | failed: {r.stderr.strip()[:80]} |")
                    continue
                rep = json.load(open(f"{tmp}/r.json"))
            layers = sum(pr.get("stats", {}).get("layers pruned", 0) for pr in rep.get("passes", []) if pr.get("name") == "prune")
            flash, host, instr, acc = pruned_figures(p, extra, held, test["y"])
            print(f"| {m} | {spec or 'none'} | {layers} | {rep['params']:,} | {rep['macs']:,} | {rep['weights_bytes']:,} | "
                  f"{rep['arena_bytes']:,} | {flash} | {host} | {instr} | {acc} |")


def sparse_table():
    """Unstructured pruning (--prune magnitude:R, no retraining) of every float shared model, the
    digits CNN also quantized to int8: non-zero weights, weight bytes and flash of the built M4
    program, MACs executed, host latency, emulated Cortex-M4 instructions and the accuracy cost,
    with the default --sparse auto and with --sparse smallest and off at 50%."""
    print("\n### Unstructured pruning (--prune magnitude:R, sparse weights, no retraining)\n")
    print("`tinyc convert M --prune magnitude:R --target cortex-m4 --report` (non-zeros, weight bytes, MACs executed: "
          "the dense MACs of each sparse layer times its density), `tinyc bench M --prune magnitude:R --target "
          "cortex-m4 --emulate --json` (flash of the built program, instructions), `tinyc bench M --prune magnitude:R "
          "--json` (host latency of the generated C, median, gcc -O3 -march=native); accuracy as in the structured "
          "table. Rows `max-drop:X`: `--prune magnitude --prune-max-drop X --prune-data models/digits_cnn/calib.npz`, "
          "the accuracy guard choosing each layer's fraction of weights. Command: `.venv/bin/python "
          "scripts/benchmarks.py --sparse-only`.\n")
    print("| model | pruning | sparse | layers sparse | non-zero weights | weights (B) | M4 flash (B) | MACs executed "
          "| host (us) | M4 instructions | accuracy |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    d = "models/digits_cnn"
    test = np.load(f"{d}/test.npz")
    held = {"digits_cnn": test["x"], "mnist8": digits_as_mnist(test["x"])}
    cases = []
    for p in [m for m in models if "int8" not in m and "kws_fp32" not in m]:
        cases += [(p, [], spec, sp) for spec, sp in (("", "auto"), ("magnitude:0.5", "auto"), ("magnitude:0.5", "smallest"),
                                                      ("magnitude:0.75", "auto"), ("magnitude:0.75", "off"))]
    # the int8 shared models (their integer weights behind DequantizeLinear pruned by |q - z| * scale)
    for p in [m for m in models if "int8" in m]:
        cases += [(p, [], spec, sp) for spec, sp in (("", "auto"), ("magnitude:0.5", "smallest"), ("magnitude:0.75", "auto"),
                                                      ("magnitude:0.75", "off"))]
    # the accuracy guard choosing each layer's fraction of weights on the 100 calibration images
    cases += [(f"{d}/model.onnx", [], spec, sp) for spec, sp in (("max-drop:0.5", "auto"), ("max-drop:0.5", "smallest"))]
    q = ["--quantize", "int8", "--calib", f"{d}/calib.npz"]
    cases += [(f"{d}/model.onnx", q, spec, sp) for spec, sp in (("", "auto"), ("magnitude:0.5", "smallest"),
                                                                ("magnitude:0.75", "auto"), ("magnitude:0.75", "off"))]
    for p, quant, spec, sp in cases:
        m = name(p) + (" (int8)" if quant else "")
        guard = (["--prune", "magnitude", "--prune-max-drop", spec.split(":")[1], "--prune-data", f"{d}/calib.npz"]
                 if spec.startswith("max-drop") else [])
        extra = quant + (guard or (["--prune", spec] if spec else [])) + ["--sparse", sp]
        with tempfile.TemporaryDirectory() as tmp:
            r = tinyc("convert", p, "--target", "cortex-m4", "-o", tmp, "-q", "--report", f"{tmp}/r.json", *extra)
            if r.returncode != 0:
                print(f"| {m} | {spec or 'none'} | {sp} | failed: {r.stderr.strip()[:80]} |")
                continue
            rep = json.load(open(f"{tmp}/r.json"))
        pr = rep.get("prune") or {}
        w = sum(x["weights"] for x in pr.get("layers", []))
        nz = f"{sum(x['nonzeros'] for x in pr['layers']) / w:.0%}" if w else "100%"
        flash, host, instr, acc = pruned_figures(p, extra, held, test["y"])
        print(f"| {m} | {spec or 'none'} | {sp} | {len({x['node'].split('_patch')[0] for x in rep['sparse']})} | {nz} | "
              f"{rep['weights_bytes']:,} | {flash} | {rep['macs_executed']:,} of {rep['macs']:,} | {host} | {instr} | {acc} |")


cpu = ""
try:
    cpu = [l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")][0]
except Exception:
    pass
print(f"Measured on: {cpu or platform.processor()}, {os.cpu_count()} cores, {platform.system()} {platform.release()}; "
      f"ONNX Runtime {ort.__version__}; fastest of {args.runs} runs after warm-up in each of "
      f"{args.repeat} processes.\n")

for flag, table in (("footprint_only", footprint_table), ("greedy_only", greedy_table), ("patch_only", patch_table),
                    ("prune_only", prune_table), ("sparse_only", sparse_table), ("accuracy_only", accuracy_table),
                    ("host_only", host_table)):
    if getattr(args, flag):  # --<flag>: that table alone
        table()
        sys.exit(0)
if args.ptq_heldout_only or args.ptq_heldout_models_only:
    if not args.ptq_heldout_models_only:
        ptq_heldout_table()
    ptq_heldout_all_table()
    sys.exit(0)
if args.int8_only:
    int8_table()
    sys.exit(0)

if args.ptq_only:
    ptq_table()
    ort_ptq_table()
    sys.exit(0)

if not args.memory_only:
    print("### Latency: generated C vs ONNX Runtime (1 thread)\n")
    print("| model | tinyc C -O2 (ms) | ONNX Runtime (ms) | C / ORT | tinyc interpreter (ms) |")
    print("|---|---:|---:|---:|---:|")
    o2 = {}
    for p in models:
        b = bench(p, 2)
        o2[p] = b
        if not b:
            print(f"| {name(p)} | failed | | | |")
            continue
        o = ort_ms(p)
        c = b["generated_ms"]["min"]
        print(f"| {name(p)} | {c:.4f} | {o:.4f} | {c / o:.2f} | {b['interpreter_ms']['min']:.3f} |")
    cflags = next((b["cflags"] for b in o2.values() if b), "")
    print(f"\nC compiled with `cc {cflags}` (gcc); ONNX Runtime with all graph optimizations, "
          "intra_op_num_threads=1, sequential execution.\n")

    print("### Graph passes: -O0 vs -O2\n")
    print("| model | nodes -O0 | nodes -O2 | C -O0 (ms) | C -O2 (ms) | speed-up |")
    print("|---|---:|---:|---:|---:|---:|")
    for p in models:
        def nodes(level):
            r = tinyc("inspect", "--json", "-O", str(level), p)
            return json.loads(r.stdout)["nodes_after_passes"] if r.returncode == 0 else "?"
        b0, b2 = bench(p, 0), o2[p]
        if b0 and b2:
            c0, c2 = b0["generated_ms"]["min"], b2["generated_ms"]["min"]
            print(f"| {name(p)} | {nodes(0)} | {nodes(2)} | {c0:.4f} | {c2:.4f} | {c0 / c2:.2f}x |")

if not args.memory_only:
    print("\n### Graph passes on the emulated Cortex-M4: instructions per inference\n")
    print("QEMU mps2-an386 with `-icount shift=0` (`tinyc bench --target cortex-m4 --emulate`): "
          "deterministic counts, not cycles.\n")
    print("| model | nodes -O0 | nodes -O2 | instructions -O0 | instructions -O2 | -O0 / -O2 | arena -O0 | arena -O2 |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for p in models:
        row = {}
        for level in (0, 2):
            r = tinyc("bench", p, "-O", str(level), "--target", "cortex-m4", "--emulate", "--json")
            i = tinyc("inspect", "--json", "-O", str(level), "--target", "cortex-m4", p)
            row[level] = (json.loads(r.stdout) if r.returncode == 0 else None,
                          json.loads(i.stdout)["nodes_after_passes"] if i.returncode == 0 else "?")
        (e0, n0), (e2, n2) = row[0], row[2]
        if not e0 or not e2:
            print(f"| {name(p)} | {n0} | {n2} | failed | | | | |")
            continue
        i0, i2 = e0["instructions"]["median"], e2["instructions"]["median"]
        print(f"| {name(p)} | {n0} | {n2} | {i0:,.0f} | {i2:,.0f} | {i0 / i2:.2f}x | {e0['arena_bytes']:,} "
              f"| {e2['arena_bytes']:,} |")

if not args.memory_only:
    int8_table()

for target in args.targets.split(","):
    print(f"\n### Static memory (arena) at -O2, target {target}\n")
    print("| model | arena bytes | lower bound | arena / bound | greedy-by-size (TFLM) | greedy / bound | planner "
          "| Concat inputs in place | depthwise in place | LRN in place | Transposes |")
    print("|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|")
    with tempfile.TemporaryDirectory() as tmp:
        for p in models + light:
            rep = os.path.join(tmp, "r.json")
            r = tinyc("convert", p, "--target", target, "-o", os.path.join(tmp, "out"), "--report", rep, "-q")
            if r.returncode != 0:
                print(f"| {name(p)} | does not convert: {r.stderr.strip()[len('tinyc: error: '):][:70]} | | | | | | | | | |")
                continue
            j = json.load(open(rep))
            a, lb, g = j["arena_bytes"], j["lower_bound_bytes"], j["greedy_by_size_bytes"]
            mem = j["memory"]
            over = mem["in_place_over_input"]
            transposes = sum(1 for n in j["nodes"] if n.get("op") == "Transpose")
            print(f"| {name(p)} | {a} | {lb} | {a / lb if lb else 1:.3f} | {g} | {g / lb if lb else 1:.3f} | {j['planner']} "
                  f"| {mem['concat_in_place']} | {over.get('Conv', 0)} | {over.get('LRN', 0)} | {transposes} |")
