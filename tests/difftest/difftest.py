"""Differential testing of tinyc (issue 17): seeded random graphs (gen.py) through every path.

  difftest.py --tinyc build/apps/tinyc --graphs N --seed S [--jobs J] [--out DIR] [--no-shrink]
  difftest.py --tinyc ... --model FILE.onnx [--path SPEC ...]     one model (a saved repro)
  difftest.py --tinyc ... --graph-seed G                          one generated graph again (G from a FAIL line)

For each graph (seed S*1000003 + i):

  oracle   ONNX Runtime (1 thread, graph optimizations off) runs it, when installed; a graph ORT
           rejects is skipped (counted as "ort-rejected"); without ORT the reference is `tinyc run`.
  interp   `tinyc run` (the reference interpreter on the unoptimized graph) against ORT.
  paths    `tinyc validate --json --keep` on the same inputs for several (target, -O, CFLAGS,
           emulate) combinations drawn from the graph's seed: always generic -O2 with cc -O2, plus
           one of mcu / cortex-m0plus / m3 / m4 / m7 / m33 / m55 at a random -O0/-O1/-O2 and cc
           -O0/-O2/-Os; every 8th graph (by seed) also under ASan+UBSan, every 12th on an emulated
           Cortex-M3/M4/M55 (QEMU). Each path checks validate's own verdict (the C against the
           interpreter on the same optimized graph: floats within validate's tolerance, integers
           bit-exact) and the C's outputs against the unoptimized interpreter (catches wrong
           graph rewrites) and against ORT.
  units    quantized graphs only: the graph cut at every QuantizeLinear output (each node unit
           reads ORT's own int8 values, tests/oracle/qdq_units.py's idea on whole graphs); every
           unit's output from `tinyc run` and from the generated C (one path) is within 1 LSB of ORT.

Tolerances (floats; r = reference, K = the graph's longest reduction, s = max(1, sqrt(K/256))):
  C vs unoptimized interpreter   |c - r| <= 1e-4 |r| + 1e-4 s max|r|
  tinyc (interp or C) vs ORT     |c - r| <= 1e-3 |r| + 1e-3 s max|r|   (ORT's exp/tanh/erf are approximations)
  integers (quantized)           validate: bit-exact; per unit vs ORT: <= 1 LSB; end to end vs ORT and
                                 the unoptimized interpreter: reported (errors of 1 LSB per unit compound).

A failure is shrunk (shrink.py) unless --no-shrink, and saved under --out with its command line.
The last line is `N passed, M failed` (exit 1 when M > 0).
"""
import argparse
import collections
import concurrent.futures as cf
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np
import onnx
from onnx import helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gen  # noqa: E402

try:
    import onnxruntime as ort
    ort.set_default_logger_severity(4)
except ImportError:  # the interpreter is then the only reference
    ort = None

MCU_TARGETS = ["mcu", "cortex-m0plus", "cortex-m3", "cortex-m4", "cortex-m7", "cortex-m33", "cortex-m55"]
EMULATED = ["cortex-m4", "cortex-m55", "cortex-m3", "cortex-m7", "cortex-m33"]
# gcc 12 at -O1 with -fsanitize=address reports false -Warray-bounds/-Wstringop-overflow on the
# generated copy loops (validate builds with -Werror); both warnings stay on in every other path.
ASAN = ("-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all -DTINYC_CHECK_SCRATCH "
        "-Wno-array-bounds -Wno-stringop-overflow")


class Failure(Exception):
    def __init__(self, path, kind, detail, rel=None, dtype=None):
        super().__init__(f"{path}: {kind}: {detail}")
        self.path, self.kind, self.detail = path, kind, detail
        self.rel = rel  # a float mismatch: max abs error / max|reference|
        self.dtype = dtype  # a mismatch: the output's element type (the shrinker keeps it)


class Known:
    """tests/difftest/known_failures.txt: failures that are understood and reported, not failed."""

    def __init__(self, path):
        self.entries = []
        if path and os.path.exists(path):
            for line in open(path):
                line = line.strip()
                if not line or line.startswith("#"):
                    continue
                f = [x.strip() for x in line.split(" | ", 5)]
                self.entries.append({"id": f[0], "path": re.compile(f[1]), "ops": [o for o in f[2].split(",") if o],
                                     "kind": f[3], "rel": None if f[4] == "-" else float(f[4]), "reason": f[5]})

    def match(self, failure, model):
        ops = {n.op_type for n in model.graph.node}
        for e in self.entries:
            need = [o for o in e["ops"] if not o.startswith("dtype:")]
            dtypes = [o[6:] for o in e["ops"] if o.startswith("dtype:")]
            if dtypes and failure.dtype not in dtypes:
                continue
            if (e["path"].search(failure.path) and all(o in ops for o in need) and e["kind"] == failure.kind and
                    (e["rel"] is None or (failure.rel is not None and failure.rel <= e["rel"]))):
                return e["id"]
        return None


class Skip(Exception):
    pass


# ------------------------------------------------------------------ helpers
def np_dtype(elem):
    return helper.tensor_dtype_to_np_dtype(elem)


def random_inputs(model, rng):
    feeds = {}
    for vi in model.graph.input:
        tt = vi.type.tensor_type
        shape = [d.dim_value for d in tt.shape.dim]
        dt = np_dtype(tt.elem_type)
        if np.issubdtype(dt, np.floating):
            feeds[vi.name] = rng.standard_normal(shape).astype(dt)
        else:
            info = np.iinfo(dt)
            feeds[vi.name] = rng.integers(info.min, int(info.max) + 1, size=shape).astype(dt)
    return feeds


def run_ort(model_path, feeds, outputs=None):
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    so.intra_op_num_threads = 1
    so.inter_op_num_threads = 1
    sess = ort.InferenceSession(model_path, so, providers=["CPUExecutionProvider"])
    return sess.run(outputs, feeds)


def save_inputs(d, model, feeds):
    os.makedirs(d, exist_ok=True)
    files = []
    for k, vi in enumerate(model.graph.input):
        p = os.path.join(d, f"input_{k}.pb")
        onnx.save_tensor(numpy_helper.from_array(feeds[vi.name], vi.name), p)
        files.append(p)
    return files


def save_outputs(d, model, outs):
    for k, (vi, v) in enumerate(zip(model.graph.output, outs)):
        onnx.save_tensor(numpy_helper.from_array(v, vi.name), os.path.join(d, f"output_{k}.pb"))


def sh(cmd, env=None, timeout=300):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(cmd, -999, "", f"timeout after {timeout} s")


def crashed(rc):
    return rc < 0 or rc >= 3 or rc == -999


def first_error(stderr):
    for line in stderr.splitlines():
        if "error" in line:
            return line.strip()[:300]
    return stderr.strip()[:300]


def reduction_scale(k):
    return max(1.0, (k / 256.0) ** 0.5)


def compare(got, want, what, rtol, atol_rel, scale=1.0, extra=0.0):
    """None when within tolerance, else a one-line reason. extra: an absolute allowance on top
    (floats; argument_allowance)."""
    if got.shape != want.shape:
        return f"{what}: shape {got.shape} vs {want.shape}"
    if got.dtype != want.dtype:
        return f"{what}: dtype {got.dtype} vs {want.dtype}"
    if got.size == 0:
        return None
    got, want = got.reshape(-1), want.reshape(-1)
    if np.issubdtype(want.dtype, np.floating):
        g64, w64 = got.astype(np.float64), want.astype(np.float64)
        nan_g, nan_w = np.isnan(g64), np.isnan(w64)
        if (nan_g != nan_w).any():
            i = int(np.argmax(nan_g != nan_w))
            return f"{what}: NaN mismatch at {i}: {g64.flat[i]} vs {w64.flat[i]}"
        fin = ~nan_w
        ref_max = float(np.abs(w64[fin]).max(initial=0.0))
        tol = rtol * np.abs(w64) + atol_rel * scale * ref_max + extra
        err = np.abs(g64 - w64)
        err[~fin] = 0
        bad = err > tol
        if bad.any():
            i = int(np.argmax(np.where(bad, err - tol, -1)))
            return (f"{what}: {int(bad.sum())} of {got.size} outside tolerance, worst at {i}: {g64.flat[i]:.7g} vs "
                    f"{w64.flat[i]:.7g} (max|ref| {ref_max:.3g})")
        return None
    d = np.abs(got.astype(np.int64) - want.astype(np.int64))
    allow = np.asarray(atol_rel, dtype=np.float64)  # (integers: steps, one value or one per element)
    allow = allow.reshape(-1) if allow.ndim else allow
    bad = d > allow
    if bad.any():
        i = int(np.argmax(np.where(bad, d - allow, -1)))
        return (f"{what}: {int(bad.sum())} of {got.size} differ by more than {float(np.max(allow)):g}, "
                f"worst at {i}: {got.flat[i]} vs {want.flat[i]}")
    return None


def rel_err(got, want):
    if got.shape != want.shape or not np.issubdtype(want.dtype, np.floating) or not want.size:
        return None
    d = np.abs(got.astype(np.float64) - want.astype(np.float64))
    d = d[~np.isnan(d)]
    return float(d.max(initial=0)) / max(float(np.nanmax(np.abs(want.astype(np.float64)), initial=0)), 1e-30)


def lsb_stats(got, want, model, j):
    """Difference in LSBs of a quantized output (int: the integers; float: divided by the DequantizeLinear scale)."""
    if not np.issubdtype(want.dtype, np.floating):
        d = np.abs(got.astype(np.int64) - want.astype(np.int64))
        return int(d.max(initial=0)), float((d > 1).mean()) if d.size else 0.0
    return None, None


# ------------------------------------------------------------------ paths
class PathSpec:
    """One way through tinyc: target, -O level, $CFLAGS, --emulate, and extras: 'nhwc' (--io-layout
    nhwc), 'arena' (--io-in-arena), 'shared' (--runtime shared), 'small' (--kernels small: the
    compact kernels, on the channels-last targets), 'planner=NAME' (--mem-planner),
    'cc=NAME' ($CC), 'iodtype=float|int8' (--io-dtype), 'patch=auto|N' (--patch: the C of the graph
    computed in strips against the unpatched interpreter and ONNX Runtime), 'prune=R' (--prune
    channels:R: another model, so only validate's verdict, the C against the interpreter on the
    pruned graph). Text form (--path, repro commands): [units:]TARGET:O<level>:<cflags, '_' for ' '>
    [:emulate][:nhwc][:arena][:shared][:small][:planner=NAME][:cc=NAME][:iodtype=T][:patch=P][:prune=R]."""

    def __init__(self, target="generic", olevel=2, cflags="-O2", emulate=False, cut=False, extra=()):
        self.target, self.olevel, self.cflags, self.emulate, self.cut = target, olevel, cflags, emulate, cut
        self.extra = list(extra)

    def __str__(self):
        s = f"{'units:' if self.cut else ''}{self.target}:O{self.olevel}:{self.cflags.replace(' ', '_')}"
        return s + (":emulate" if self.emulate else "") + "".join(":" + e for e in self.extra)

    def args(self):
        a = ["--emulate"] if self.emulate else []
        for e in self.extra:
            if e == "nhwc":
                a += ["--io-layout", "nhwc"]
            elif e == "arena":
                a.append("--io-in-arena")
            elif e == "shared":
                a += ["--runtime", "shared"]
            elif e == "small":
                a += ["--kernels", "small"]
            elif e.startswith("planner="):
                a += ["--mem-planner", e.split("=", 1)[1]]
            elif e.startswith("iodtype="):
                a += ["--io-dtype", e.split("=", 1)[1]]
            elif e.startswith("patch="):
                a += ["--patch", e.split("=", 1)[1]]
            elif e.startswith("prune="):
                a += ["--prune", "channels:" + e.split("=", 1)[1]]
        return a

    def pruned(self):
        """--prune makes another model: only validate's verdict is checked (not the unoptimized
        interpreter or ONNX Runtime, which run the model as it was)."""
        return any(e.startswith("prune=") for e in self.extra)

    def io_dtype(self):
        """--io-dtype float|int8 changes the API's element types: validate draws its own inputs and
        only its verdict (the C against the interpreter on the same compiled graph) is checked."""
        return any(e.startswith("iodtype=") for e in self.extra)

    @staticmethod
    def parse(text):
        parts = text.split(":")
        cut = parts[0] == "units"
        if cut:
            parts = parts[1:]
        extra = [p for p in parts[3:] if p and p != "emulate"]
        return PathSpec(parts[0], int(parts[1][1:]), parts[2].replace("_", " "), "emulate" in parts[3:], cut, extra)


PATCH_SHARE = float(os.environ.get("TINYC_DIFFTEST_PATCH_SHARE", "0.25"))  # paths with --patch
PRUNE_SHARE = float(os.environ.get("TINYC_DIFFTEST_PRUNE_SHARE", "0.1"))  # paths with --prune


# The host's own vector kernels (gemm.c: 512-bit register tiles under gcc with AVX-512) are only
# compiled with the host's instruction set: a share of the generic paths build with it.
NATIVE = "-O3 -march=native" if os.uname().machine == "x86_64" else "-O2"


def choose_paths(rng, quant, index):
    paths = [PathSpec("generic", 2, NATIVE if rng.random() < 0.25 else "-O2")]
    t = MCU_TARGETS[int(rng.integers(0, len(MCU_TARGETS)))]
    olevel = int(rng.choice([0, 1, 2, 2]))
    cflags = str(rng.choice(["-O0", "-O2", "-Os"]))
    second = PathSpec(t, olevel, cflags)
    paths.append(second)
    if rng.random() < 1 / 8:
        paths.append(PathSpec(str(rng.choice(["generic", "mcu", "cortex-m4"])), int(rng.choice([0, 2])), ASAN))
    if rng.random() < 1 / 12:
        paths.append(PathSpec(EMULATED[int(rng.integers(0, len(EMULATED)))], int(rng.choice([0, 2])), "", emulate=True))
    if quant:
        paths.append(PathSpec(str(rng.choice(["generic", "mcu"])), 2, "-O2", cut=True))
    # API and planner variants on the second path
    if rng.random() < 0.15:
        second.extra.append("nhwc")
    if rng.random() < 0.15:
        second.extra.append("arena")
    if rng.random() < 0.2:
        second.extra.append("planner=" + str(rng.choice(["greedy-by-size", "greedy-by-conflicts", "first-fit"])))
    if rng.random() < 0.2 and shutil.which("clang"):
        second.extra.append("cc=clang")
    if rng.random() < 0.15:
        second.extra.append("shared")
    if quant and rng.random() < 0.2:
        second.extra.append("iodtype=" + str(rng.choice(["float", "int8"])))
    if rng.random() < PATCH_SHARE:
        second.extra.append("patch=" + str(rng.choice(["auto", "2", "3", "5"])))
    if not quant and rng.random() < PRUNE_SHARE:
        second.extra.append("prune=" + str(rng.choice(["0.25", "0.5"])))
    if rng.random() < 0.15:
        second.extra.append("small")
    return paths


def validate(tinyc, model_path, input_files, spec, work):
    cmd = [tinyc, "validate", model_path, "--target", spec.target, "-O", str(spec.olevel), "--json", "--keep"]
    if spec.io_dtype():
        cmd += ["--random", "2"]
    elif input_files:
        cmd += ["-i", *input_files]
    cmd += spec.args()
    env = dict(os.environ)
    for e in spec.extra:
        if e.startswith("cc="):
            env["CC"] = e.split("=", 1)[1]
    if spec.cflags:
        env["CFLAGS"] = spec.cflags
    if "sanitize" in spec.cflags:
        env["ASAN_OPTIONS"] = "detect_leaks=0:abort_on_error=0"
        env["UBSAN_OPTIONS"] = "print_stacktrace=1"
    r = sh(cmd, env=env)
    if r.returncode == -999:  # once more: on a loaded machine a whole shared runtime under emulation
        r = sh(cmd, env=env)   # outlasted 300 s (long run seed 5, three graphs; each passes in 5-8 s alone)
    kept = re.search(r"kept in (\S+)", r.stderr)
    kept = kept.group(1) if kept else None
    try:
        if crashed(r.returncode):
            raise Failure(str(spec), "crash", f"validate exited {r.returncode}: {first_error(r.stderr)}")
        try:
            rep = json.loads(r.stdout)
        except json.JSONDecodeError:
            msg = first_error(r.stderr)
            if ("does not compile" in msg or "does not cross-compile" in msg or "failed to run" in msg or "emulat" in msg
                    or "qemu" in msg.lower()):
                raise Failure(str(spec), "build-or-run", msg) from None
            raise Failure(str(spec), "rejected", msg) from None
        outs = []
        for j in range(len(rep["sets"][0]["outputs"])):
            p = os.path.join(kept, "run0", f"out{j}.bin")
            outs.append(open(p, "rb").read() if os.path.exists(p) else None)
        return rep, outs
    finally:
        if kept and kept.startswith("/tmp/tinyc-validate-"):
            shutil.rmtree(kept, ignore_errors=True)


def interp_run(tinyc, model_path, input_files, work, model):
    od = os.path.join(work, "interp_out")
    shutil.rmtree(od, ignore_errors=True)
    cmd = [tinyc, "run", model_path, "--output-dir", od]
    if input_files:
        cmd += ["-i", *input_files]
    r = sh(cmd)
    if crashed(r.returncode):
        raise Failure("interp", "crash", f"tinyc run exited {r.returncode}: {first_error(r.stderr)}")
    if r.returncode != 0:
        raise Failure("interp", "rejected", first_error(r.stderr))
    return [numpy_helper.to_array(onnx.load_tensor(os.path.join(od, f"output_{k}.pb")))
            for k in range(len(model.graph.output))]


def cut_model(model):
    """Every QuantizeLinear (QLinearConv, QLinearMatMul) output that other nodes read becomes a graph input (cut_<name>) for
    its readers and a graph output: each node unit then reads its inputs from the feed."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    inits = {i.name for i in m.graph.initializer}
    qouts = [n.output[0] for n in m.graph.node
             if n.op_type in ("QuantizeLinear", "QLinearConv", "QLinearMatMul") and n.output[0] not in inits]
    readers = collections.Counter(i for n in m.graph.node for i in n.input)
    cuts = [q for q in qouts if readers[q] > 0]
    types = {}
    inferred = onnx.shape_inference.infer_shapes(model)
    for vi in list(inferred.graph.value_info) + list(inferred.graph.output) + list(inferred.graph.input):
        types[vi.name] = vi
    for n in m.graph.node:
        for k, i in enumerate(n.input):
            if i in cuts:
                n.input[k] = "cut_" + i
    out_names = [o.name for o in m.graph.output]
    for q in cuts:
        vi = onnx.ValueInfoProto()
        vi.CopyFrom(types[q])
        vi.name = "cut_" + q
        m.graph.input.append(vi)
        if q not in out_names:
            o = onnx.ValueInfoProto()
            o.CopyFrom(types[q])
            m.graph.output.append(o)
    return m, cuts


# ------------------------------------------------------------------ one graph
class Result:
    def __init__(self):
        self.paths = []  # paths compared
        self.failures = []
        self.notes = []
        self.lsb = []  # end-to-end quantized differences (max LSB) vs ORT: interpreter
        self.lsb_c = []  # ... and the generated C (integer kernels)
        self.status = "passed"
        self.ort_issue = None  # ORT could not serve as the oracle for this graph (why)


def check_model(tinyc, model, feeds, paths, work, res, info=None):
    """Runs every check on one model; raises Failure at the first failing path."""
    os.makedirs(work, exist_ok=True)
    mpath = os.path.join(work, "model.onnx")
    onnx.save(model, mpath)
    files = save_inputs(os.path.join(work, "data"), model, feeds)
    quant = any(n.op_type == "QuantizeLinear" for n in model.graph.node)
    ref = None
    if ort is not None and ort_unreliable(model):
        res.ort_issue = ort_unreliable(model)
    elif ort is not None:
        try:
            ref = run_ort(mpath, feeds)
            declared = [tuple(d.dim_value for d in o.type.tensor_type.shape.dim) for o in model.graph.output]
            if [tuple(r.shape) for r in ref] != declared:
                # e.g. ORT 1.19 keeps ceil_mode windows that start past the input (-FLT_MAX outputs)
                res.ort_issue = "ORT's output shapes differ from ONNX shape inference"
                ref = None
            else:
                res.paths.append("ort")
        except Exception as e:  # noqa: BLE001 (e.g. ORT: "Dilation not supported for AutoPadType::SAME_UPPER")
            res.ort_issue = "ORT rejects the model: " + re.sub(r"Name:'[^']*' ", "", str(e).splitlines()[0])[:200]
            ref = None
    raw = interp_run(tinyc, mpath, files, work, model)
    res.paths.append("interp")
    ort_apart = set()  # outputs where ORT is a DynamicQuantizeLinear level from the interpreter (dql_flip)
    if ref is not None:
        for j, (a, b) in enumerate(zip(raw, ref)):
            if a.shape != b.shape or a.dtype != b.dtype:
                raise Failure("interp", "mismatch", f"output {j} ({model.graph.output[j].name}) interp vs ORT: "
                              f"{a.dtype}{list(a.shape)} vs {b.dtype}{list(b.shape)}")
            if quant:
                if not np.issubdtype(b.dtype, np.floating):
                    d, _ = lsb_stats(a, b, model, j)
                    res.lsb.append(d)
                continue  # per unit below
            why = compare(a, b, f"output {j} ({model.graph.output[j].name}) interp vs ORT", 1e-3, 1e-3,
                          extra=spectral_allowance(model, feeds) + expm1_allowance(model, j))
            if why and dql_sites(model):
                m2, _ = with_dql_outputs(model)
                if dql_flip(tinyc, model, run_ort(write_model(m2, work, "dql_ort.onnx"), feeds), j, b, work, files,
                            1e-3, 1e-3):
                    res.notes.append(f"ORT: output {j}: a DynamicQuantizeLinear level apart")
                    ort_apart.add(j)
                    continue
            if why and ln_cancellation(model, feeds, work):
                res.ort_issue = ln_cancellation(model, feeds, work)
                ref = None
                break
            if why and mean_cancellation(model, feeds, work):
                res.ort_issue = mean_cancellation(model, feeds, work)
                ref = None
                break
            if why:
                raise Failure("interp", "mismatch", why, rel_err(a, b), b.dtype.name)
    for spec in paths:
        if spec.cut:
            check_units(tinyc, model, feeds, spec, work, res)
            continue
        rep, outs = validate(tinyc, mpath, files, spec, work)
        res.paths.append(str(spec))
        k = rep["tolerance"]["longest_reduction"]
        if spec.io_dtype():  # every random set of validate's own (set 0 is checked below as usual)
            for st in rep["sets"][1:]:
                for j, o in enumerate(st["outputs"]):
                    if not o["vs_interpreter"]["ok"] and quant and \
                            one_step(tinyc, mpath, model, spec, j, o["vs_interpreter"]["max_abs_err"], work, magnitude(raw[j]), files):
                        res.notes.append(f"{spec}: output {j}: one quantization step off after a float island")
                    elif not o["vs_interpreter"]["ok"]:
                        mag = magnitude(raw[j])  # (set 0's: validate's random sets are drawn alike)
                        raise Failure(str(spec), "mismatch", f"output {j} ({o['output']}) C vs interpreter: "
                                      f"{o['vs_interpreter'].get('why', '')}",
                                      o["vs_interpreter"]["max_abs_err"] / mag if mag else None, raw[j].dtype.name)
        extra = {}  # output -> argument_allowance, when validate's own check failed
        for j, o in enumerate(rep["sets"][0]["outputs"]):
            if not o["vs_interpreter"]["ok"] and quant and \
                    one_step(tinyc, mpath, model, spec, j, o["vs_interpreter"]["max_abs_err"], work, magnitude(raw[j]), files):
                res.notes.append(f"{spec}: output {j}: one quantization step off after a float island")
            elif not o["vs_interpreter"]["ok"] and not quant and \
                    o["vs_interpreter"]["max_abs_err"] <= 1e-4 * max(1.0, magnitude(raw[j])) + \
                    extra.setdefault(j, argument_allowance(tinyc, model, spec, j, work, files) +
                                     cancel_allowance(model, feeds, work, j)):
                res.notes.append(f"{spec}: output {j}: within the error a Sin/Cos/Exp argument or a cancelling "
                                 f"sum carries ({extra[j]:.3g})")
            elif not o["vs_interpreter"]["ok"] and not quant and outs[j] is not None and \
                    c_dql_flip(tinyc, model, spec, j, c_output(outs[j], raw[j], spec), work, files, k):
                res.notes.append(f"{spec}: output {j}: a DynamicQuantizeLinear level apart")
                continue  # (dql_flip compared it with the interpreter given the path's levels)
            elif not o["vs_interpreter"]["ok"]:
                rel = None
                if np.issubdtype(raw[j].dtype, np.floating) and raw[j].size:
                    rel = o["vs_interpreter"]["max_abs_err"] / max(float(np.abs(raw[j]).max()), 1e-30)
                raise Failure(str(spec), "mismatch", f"output {j} ({o['output']}) C vs interpreter (optimized graph): "
                              f"{o['vs_interpreter'].get('why', '')}", rel, raw[j].dtype.name)
            if spec.io_dtype() or spec.pruned():
                continue
            if outs[j] is None:
                raise Failure(str(spec), "build-or-run", f"validate kept no output file for output {j}")
            got = c_output(outs[j], raw[j], spec)
            if quant:  # integer results differ from the float QDQ graph by design; see the unit check
                if ref is not None and not np.issubdtype(ref[j].dtype, np.floating):
                    res.lsb_c.append(int(np.abs(got.astype(np.int64) - ref[j].astype(np.int64)).max(initial=0)))
                continue
            why = compare(got, raw[j], f"output {j} ({o['output']}) C vs interpreter (unoptimized graph)", 1e-4, 1e-4,
                          reduction_scale(k), extra.get(j, 0.0))
            if why:
                raise Failure(str(spec), "mismatch", why, rel_err(got, raw[j]), raw[j].dtype.name)
            if ref is not None and j not in ort_apart:
                why = compare(got, ref[j], f"output {j} ({o['output']}) C vs ORT", 1e-3, 1e-3, reduction_scale(k),
                              extra.get(j, 0.0) + spectral_allowance(model, feeds) + expm1_allowance(model, j))
                if why:
                    raise Failure(str(spec), "mismatch", why, rel_err(got, ref[j]), ref[j].dtype.name)


def spectral_allowance(model, feeds):
    """An absolute allowance for outputs of a DFT/STFT that are zero in exact arithmetic (the
    imaginary part of a real signal's DC bin, ...): single-precision sums leave rounding noise of
    about eps * L * max|x| there, different in ORT and tinyc (long run seed 13, graph 13001444: a
    Trilu of an STFT, all of whose kept values were such zeros: tinyc 0, ORT 4.6e-6). L: the
    largest graph input's size (a bound on the transform's length), 4 eps for the twiddles."""
    if not any(n.op_type in ("DFT", "STFT") for n in model.graph.node):
        return 0.0
    floats = [np.asarray(v) for v in feeds.values() if np.issubdtype(np.asarray(v).dtype, np.floating)]
    if not floats:
        return 0.0
    return 4 * float(np.finfo(np.float32).eps) * max(v.size for v in floats) * max(magnitude(v) for v in floats)


# The factor of exp(x) - 1 in the ops whose negative side ORT computes that way.
EXP_MINUS_ONE = {
    "Elu": lambda a: a.get("alpha", 1.0),
    "Celu": lambda a: a.get("alpha", 1.0),
    "Selu": lambda a: a.get("gamma", 1.05070102214813232421875) * a.get("alpha", 1.67326319217681884765625),
}


def expm1_allowance(model, j):
    """An absolute allowance for output j when an Elu, Celu or Selu computes it (through views):
    ORT 1.19 takes exp(x) - 1 in single precision, which cancels near x = 0 and leaves up to about
    an ulp of 1 (2^-24 to 2^-23) times the op's factor, while tinyc's value is exact to a few ulps
    (long run seed 28, graph 2281: Selu(-1.4e-6) with gamma 1.49, ORT 8.8e-8 from the exact value,
    the tolerance 7e-8 on an output whose largest value was 7.2e-5). 4 * factor * 2^-24."""
    prod = {o: n for n in model.graph.node for o in n.output}
    n = prod.get(model.graph.output[j].name)
    while n is not None and n.op_type in ("Identity", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Transpose"):
        n = prod.get(n.input[0])
    if n is None or n.op_type not in EXP_MINUS_ONE:
        return 0.0
    attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
    return 4 * abs(float(EXP_MINUS_ONE[n.op_type](attrs))) * 2.0 ** -24


def magnitude(a):
    """The largest finite |value| of a float array (0 for other types or no value)."""
    if not np.issubdtype(a.dtype, np.floating) or not a.size:
        return 0.0
    f = np.abs(a[np.isfinite(a)])
    return float(f.max()) if f.size else 0.0


def c_output(data, like, spec):
    """The harness's raw output bytes shaped like `like` (4-D outputs are NHWC with --io-layout nhwc)."""
    a = np.frombuffer(data, dtype=like.dtype)
    if "nhwc" in spec.extra and like.ndim == 4:
        n, c, h, w = like.shape
        return a.reshape(n, h, w, c).transpose(0, 3, 1, 2)
    return a.reshape(like.shape)


def one_step(tinyc, mpath, model, spec, j, max_abs_err, work, mag=0.0, files=None):
    """True when a quantized graph's output j differs from the interpreter's only as far as one
    quantization step at the QuantizeLinear after a float island explains: the island's float
    arithmetic differs from the interpreter's by rounding (the MCU targets accumulate in single
    precision, docs/conformance.md; every target's float Conv/Gemm sums in another order), which can
    move a value across a rounding boundary of that QuantizeLinear (graph seed 2276740586201339: a
    uint8 Conv island, generic). The allowance is one step of the output, or, when the integer
    layers after the island scale a step up (long run seed 4, graph 4125: an int16 requantization
    to a 3.2 times finer scale, then a Mul), island_allowance's measured propagation of one step.
    mag: the output's magnitude; one step of a float output is q * scale rounded to single
    precision on each side, so up to a few ulps of it more (long run seed 4, graph 1336: an int16
    step of 0.00036019942 measured as 0.00036025 at 1.1458). With --io-dtype int8 the outputs are
    the integers themselves, one step 1 (long run seed 32, graph 496: a LayerNormalization island
    over 4,096 values summed in single precision on cortex-m55)."""
    out = model.graph.output[j].name
    prod = next((n for n in model.graph.node if out in n.output), None)
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    step = 1.0  # (with --io-dtype int8 a dequantized output is given as its integers: one step is 1)
    if prod is not None and prod.op_type == "DequantizeLinear" and not spec.io_dtype():
        if prod.input[1] not in inits:
            return False
        step = float(np.max(inits[prod.input[1]])) * (1 + 1e-6) + 4 * 2.0 ** -24 * mag
    rep = os.path.join(work, "islands.json")
    r = sh([tinyc, "convert", mpath, "--target", spec.target, "-O", str(spec.olevel), "-o", os.path.join(work, "c"),
            "--report", rep, "-q"])
    if r.returncode != 0:
        return False
    islands = {i["name"] for i in json.load(open(rep)).get("float_islands", [])}
    if not islands:
        return False
    if max_abs_err <= step:
        return True
    return max_abs_err <= step + island_allowance(tinyc, model, islands, j, work, files)


def island_qs(model, islands):
    """The QuantizeLinear nodes that read a float island's result: those whose input a node of the
    report's float_islands computes, else (a pass renamed the island) every one whose input some
    float node other than DequantizeLinear computes."""
    producer = {o: n for n in model.graph.node for o in n.output}
    qs = [n for n in model.graph.node if n.op_type == "QuantizeLinear" and n.input[0] in producer]
    named = [q for q in qs if producer[q.input[0]].name in islands]
    return named or [q for q in qs if producer[q.input[0]].op_type not in ("DequantizeLinear", "QuantizeLinear")]


def island_allowance(tinyc, model, islands, j, work, files):
    """How far output j moves in the interpreter when every element after the float islands'
    QuantizeLinear nodes moves by one step (perturbed_change). 0 when there is nothing to perturb."""
    qs = island_qs(model, islands)
    if not qs:
        return 0.0
    shapes = value_shapes(tinyc, model, [q.input[0] for q in qs], work, files)
    inits = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    sites = []
    for q in qs:
        dims = shapes[q.input[0]]
        scale = inits.get(q.input[1])
        if scale is None:
            return 0.0
        axis = next((a.i for a in q.attribute if a.name == "axis"), 1)
        s = np.asarray(scale, np.float64)
        if s.ndim == 1 and len(dims) > 1:
            shape = [1] * len(dims)
            shape[axis % len(dims)] = s.size
            s = s.reshape(shape)
        sites.append((q, dims, s))
    return perturbed_change(tinyc, model, sites, j, work, files)


def value_shapes(tinyc, model, names, work, files):
    """The shapes the interpreter gives the named tensors on these inputs (shape inference may leave a
    dimension unknown: long run seed 16, graph 7140, an Einsum 'ij,ij->i' whose output inferred as
    [0] made the perturbation empty)."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    outs = [o.name for o in m.graph.output]
    for x in names:
        if x not in outs:
            m.graph.output.append(helper.make_tensor_value_info(x, onnx.TensorProto.FLOAT, None))
            outs.append(x)
    got = interp_run(tinyc, write_model(m, work, "shapes.onnx"), files, work, m)
    return {x: list(got[outs.index(x)].shape) for x in names}


def perturbed_change(tinyc, model, sites, j, work, files):
    """The largest change of output j in the interpreter when the first input x of each site's node
    becomes x + sign * step (sites: (node, dims of x, step broadcastable to dims); sign all up, all
    down, alternating, two seeded random patterns)."""
    base = interp_run(tinyc, write_model(model, work, "base.onnx"), files, work, model)[j].astype(np.float64)
    rng = np.random.default_rng(17)
    worst = 0.0
    for pattern in ("up", "down", "alternate", "random", "random"):
        m = onnx.ModelProto()
        m.CopyFrom(model)
        for k, (node, dims, step) in enumerate(sites):
            x = node.input[0]
            sign = {"up": np.ones(dims), "down": -np.ones(dims),
                    "alternate": np.resize([1.0, -1.0], int(np.prod(dims))).reshape(dims)}.get(pattern)
            if sign is None:
                sign = rng.choice([-1.0, 1.0], size=dims)
            delta = (sign * step).astype(np.float32)
            name = f"perturb_{k}"
            m.graph.initializer.append(numpy_helper.from_array(delta, name))
            at = next(i for i, n in enumerate(m.graph.node) if list(n.output) == list(node.output))
            m.graph.node[at].input[0] = name + "_x"
            m.graph.node.insert(at, helper.make_node("Add", [x, name], [name + "_x"]))  # producers first
        got = interp_run(tinyc, write_model(m, work, f"{pattern}.onnx"), files, work, model)[j].astype(np.float64)
        worst = max(worst, float(np.abs(got - base).max(initial=0.0)))
    return worst


def argument_allowance(tinyc, model, spec, j, work, files):
    """Sin, Cos and Exp carry their argument's absolute error d on unchanged or turn it into a
    relative one (|sin(x + d) - sin x| <= |d|; exp(x + d) = exp(x) (1 + d)): a path that computes a
    large argument a few float roundings apart from the interpreter moves the output by more than a
    tolerance relative to the output allows (long run seed 6, graph 3521: a Conv whose inputs reach
    3,560 into Sin, cortex-m3 at -O0 with clang, 3.3e-4 off; long run seed 10, graph 1412: a
    ConvTranspose of a ReduceSumSquare over 3,072 values into Exp at 9.8, cortex-m4, 1.9e-4 relative).
    The allowance: every such argument of a float graph is made an output too and checked on the
    same path (it must pass its own tolerance), then output j's change in the interpreter when
    those arguments move by their measured error (perturbed_change). 0 when the graph has none of
    these ops or an argument itself is off."""
    nodes = [n for n in model.graph.node if n.op_type in ("Sin", "Cos", "Exp")]
    if not nodes:
        return 0.0
    types = all_types(model)
    producer = {o: n for n in model.graph.node for o in n.output}
    inputs = {i.name for i in model.graph.input}
    m = onnx.ModelProto()
    m.CopyFrom(model)
    outs = [o.name for o in m.graph.output]
    chains = []  # per argument: (node reading x, x) from the op back through ops that pass an absolute error on
    for n in nodes:
        chain, node = [], n
        while node is not None and node.input[0] in types and node.input[0] not in inputs:
            x = node.input[0]
            chain.append((node, x))
            if x not in outs:
                m.graph.output.append(types[x])
                outs.append(x)
            p = producer.get(x)
            node = p if p is not None and p.op_type in ABS_ERROR_OPS else None
        if chain:
            chains.append(chain)
    if not chains:
        return 0.0
    rep, _ = validate(tinyc, write_model(m, work, "arguments.onnx"), files, spec, work)
    got = rep["sets"][0]["outputs"]
    sites = []
    for chain in chains:
        # the argument, else the first tensor back along the chain that passes its own check (long run
        # seed 10, graph 1412: ConvTranspose -> LogSoftmax -> Neg -> Exp: the LogSoftmax output's
        # smaller elements carry the ConvTranspose output's absolute error, beyond their own tolerance)
        ok = [(node, x) for node, x in chain if got[outs.index(x)]["vs_interpreter"]["ok"]]
        if not ok:
            return 0.0
        node, x = ok[0]
        sites.append((node, x, np.float64(got[outs.index(x)]["vs_interpreter"]["max_abs_err"]) * 1.01))
    shapes = value_shapes(tinyc, model, [x for _, x, _ in sites], work, files)
    sites = [(node, shapes[x], step) for node, x, step in sites]
    return perturbed_change(tinyc, model, sites, j, work, files)


# single-input ops whose output carries their input's absolute error on (at most) unchanged
ABS_ERROR_OPS = {"Neg", "LogSoftmax", "Identity", "Reshape", "Flatten", "Transpose", "Squeeze", "Unsqueeze",
                 "Relu", "Abs"}


def dql_sites(model):
    """DynamicQuantizeLinear nodes of a float graph that quantize computed values (a graph input's
    values are exact on every path)."""
    ins = {i.name for i in model.graph.input}
    return [n for n in model.graph.node if n.op_type == "DynamicQuantizeLinear" and n.input[0] not in ins]


def with_dql_outputs(model):
    """The model with each dql_sites node's outputs (y, y_scale, y_zero_point) also graph outputs
    (after the model's own), and for each node the indices of its three outputs."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    have = [o.name for o in m.graph.output]
    types = (onnx.TensorProto.UINT8, onnx.TensorProto.FLOAT, onnx.TensorProto.UINT8)
    idx = []
    for n in dql_sites(model):
        for x, t in zip(n.output, types):
            if x not in have:
                m.graph.output.append(helper.make_tensor_value_info(x, t, None))
                have.append(x)
        idx.append([have.index(x) for x in n.output])
    return m, idx


def dql_flip(tinyc, model, path_outs, j, got, work, files, rtol, atol_rel, scale=1.0):
    """True when output j of a path (got) differs from the interpreter's only because a
    DynamicQuantizeLinear rounded a computed value to the neighbouring level: a value (or the zero
    point, -min / scale) that the path computes a few float roundings apart from the interpreter lies
    on a rounding boundary (long run seed 10, graph 10002426: a two-sided STFT's spectrum, symmetric
    about 0, into DQL -> ConvInteger: the zero point 127.49995 in ORT, 127.5 in the interpreter).
    path_outs: the path's outputs of with_dql_outputs(model). The check: each quantized value
    relative to its zero point is the interpreter's within one level at no more than 1% of the
    elements, something differs, and the interpreter given the path's DQL outputs in place of its
    own reproduces got within the tolerance."""
    m2, idx = with_dql_outputs(model)
    if not idx:
        return False
    mine = interp_run(tinyc, write_model(m2, work, "dql_interp.onnx"), files, work, m2)
    moved = 0
    for iy, isc, iz in idx:
        ys, zs = np.asarray(path_outs[iy]), np.asarray(path_outs[iz])
        if ys.shape != mine[iy].shape:
            return False
        d = np.abs((ys.astype(np.int64) - zs.astype(np.int64)) - (mine[iy].astype(np.int64) - mine[iz].astype(np.int64)))
        if d.max(initial=0) > 1 or d.sum() > max(1, ys.size // 100) or abs(int(zs) - int(mine[iz])) > 1:
            return False
        moved += int(d.sum()) + abs(int(zs) - int(mine[iz])) + int(path_outs[isc] != mine[isc])
    if moved == 0:
        return False
    m3 = onnx.ModelProto()
    m3.CopyFrom(model)
    for k, ix in enumerate(idx):
        x = m2.graph.output[ix[0]].name
        node = next(n for n in m3.graph.node if n.output[0] == x)
        for o, i in enumerate(ix):
            name = node.output[o]
            node.output[o] = f"dql_unused_{k}_{o}"
            m3.graph.initializer.append(numpy_helper.from_array(np.asarray(path_outs[i]), name))
    want = interp_run(tinyc, write_model(m3, work, "dql_subst.onnx"), files, work, m3)[j]
    return compare(got, want, "", rtol, atol_rel, scale) is None


def c_dql_flip(tinyc, model, spec, j, got, work, files, k):
    """dql_flip for a C path: the path's own DynamicQuantizeLinear outputs, from the same path built
    with them as graph outputs too. A single-precision path (the MCU targets; long run seed 19,
    graph 19000830: an STFT on mcu -O0, graph 19002010: a MatMul on cortex-m33) computes the
    quantized values a rounding apart and one of them crosses a level, which ConvInteger multiplies
    by a weight of up to 255."""
    if not dql_sites(model):
        return False
    m2, _ = with_dql_outputs(model)
    p2 = write_model(m2, work, "dql_c.onnx")
    like = interp_run(tinyc, p2, files, work, m2)
    try:
        _, outs = validate(tinyc, p2, files, spec, work)
    except Failure:
        return False
    if any(x is None for x in outs):
        return False
    path_outs = [c_output(x, lk, spec) for x, lk in zip(outs, like)]
    if compare(path_outs[j], got, "", 0.0, 0.0) is not None:  # the extra outputs changed what the path computes
        return False
    return dql_flip(tinyc, model, path_outs, j, got, work, files, 1e-4, 1e-4, reduction_scale(k))


def write_model(model, work, name):
    p = os.path.join(work, name)
    onnx.save(model, p)
    return p


def all_types(model):
    """Every tensor's type: inferred value_info, graph inputs and outputs."""
    inf = onnx.shape_inference.infer_shapes(model)
    return {v.name: v for v in list(inf.graph.value_info) + list(inf.graph.input) + list(inf.graph.output)}


def ort_inputs(model, nodes, feeds, work, name):
    """ONNX Runtime's values of the nodes' first inputs (and the graph outputs), by name: the model
    with those tensors made outputs, saved as work/name; None when ORT cannot run it."""
    m = onnx.ModelProto()
    m.CopyFrom(model)
    have = {o.name for o in m.graph.output}
    for n in nodes:
        if n.input[0] not in have:
            m.graph.output.append(helper.make_tensor_value_info(n.input[0], onnx.TensorProto.FLOAT, None))
            have.add(n.input[0])
    try:
        return dict(zip([o.name for o in m.graph.output], run_ort(write_model(m, work, name), feeds)))
    except Exception:  # noqa: BLE001
        return None


def reduce_axes(n, ndim, consts):
    """The axes a GlobalAveragePool, ReduceMean or ReduceSum node n reduces over an input of rank ndim."""
    attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
    if n.op_type == "GlobalAveragePool":
        return tuple(range(2, ndim))
    if "axes" in attrs:
        return tuple(a % ndim for a in attrs["axes"])
    if len(n.input) > 1 and n.input[1] in consts:
        return tuple(int(a) % ndim for a in consts[n.input[1]].ravel())
    return tuple(range(ndim))


def mean_cancellation(model, feeds, work):
    """A GlobalAveragePool, ReduceMean or ReduceSum whose summands nearly cancel: a single-precision
    sum then carries an error of about 2^-23 sum|x|, far above the checker's 1e-3 of the tiny exact
    result (long run seed 16, graph 7271: five values near 1 averaging 1.49e-9; tinyc's interpreter,
    in double, gives it exactly, ORT's float sum 5.96e-9). The reason when a reduction of this graph
    has a row whose 2^-23 sum|x| exceeds 1e-4 |sum x|, else None."""
    reds = [n for n in model.graph.node if n.op_type in ("GlobalAveragePool", "ReduceMean", "ReduceSum")]
    if not reds:
        return None
    vals = ort_inputs(model, reds, feeds, work, "mean_inputs.onnx")
    if vals is None:
        return None
    consts = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    for n in reds:
        x = vals.get(n.input[0])
        if x is None or not np.issubdtype(x.dtype, np.floating) or x.size == 0:
            continue
        x = x.astype(np.float64)
        axes = reduce_axes(n, x.ndim, consts)
        if not axes:
            continue
        exact = np.abs(x.sum(axis=axes))
        noise = 2.0 ** -23 * np.abs(x).sum(axis=axes)
        if np.any(noise > 1e-4 * exact):
            return ("ORT sums a " + n.op_type + " whose summands nearly cancel in single precision (2^-23 sum|x| "
                    "above 1e-4 of the exact result; tinyc's interpreter sums in double)")
    return None


def cancel_allowance(model, feeds, work, j):
    """An absolute allowance for output j of a single-precision path (the MCU targets sum in float)
    when it is a GlobalAveragePool, ReduceMean or ReduceSum (through ABS_ERROR_OPS) whose summands
    nearly cancel (mean_cancellation's class): the float sum of n terms is within about
    sqrt(n) 2^-24 sum|x| of the exact one, so 2 sqrt(n) 2^-23 sum|x| (divided by n for the means),
    the largest over the rows (long run seed 20, graph 2886: a GlobalAveragePool of 17 values
    averaging 3.8e-9 on cortex-m3, -1.05e-8 in C). 0 when output j is not such a reduction."""
    prod = {o: n for n in model.graph.node for o in n.output}
    node = prod.get(model.graph.output[j].name)
    while node is not None and node.op_type in ABS_ERROR_OPS and node.input:
        node = prod.get(node.input[0])
    if node is None or node.op_type not in ("GlobalAveragePool", "ReduceMean", "ReduceSum") or \
            not mean_cancellation(model, feeds, work):
        return 0.0
    vals = ort_inputs(model, [node], feeds, work, "cancel_inputs.onnx")
    x = vals.get(node.input[0]) if vals else None
    if x is None or not np.issubdtype(x.dtype, np.floating) or x.size == 0:
        return 0.0
    x = np.abs(x.astype(np.float64))
    axes = reduce_axes(node, x.ndim, {i.name: numpy_helper.to_array(i) for i in model.graph.initializer})
    n = int(np.prod([x.shape[a] for a in axes])) if axes else 1
    scale = 1.0 if node.op_type == "ReduceSum" else 1.0 / max(n, 1)
    return float(2 * np.sqrt(n) * 2.0 ** -23 * x.sum(axis=axes).max(initial=0.0) * scale)


def ln_cancellation(model, feeds, work):
    """ORT 1.19's LayerNormalization computes the variance as E[x^2] - E[x]^2 in single precision:
    on a nearly constant row whose mean^2 is large against var + epsilon the cancellation leaves a
    relative error of about mean^2 * 2^-23 / (var + epsilon) (long run seed 1, graph 1546: a row
    (0.97606, 0.97626), 0.6% off; tinyc's interpreter, in double, gives the exact value). The
    reason when a LayerNormalization input of this graph has such a row (above 1e-4, counting the
    rounding of the row's sums too, and 4 times the error of running single-precision sums), else None."""
    lns = [n for n in model.graph.node if n.op_type == "LayerNormalization"]
    if not lns:
        return None
    vals = ort_inputs(model, lns, feeds, work, "ln_inputs.onnx")
    if vals is None:
        return None
    for n in lns:
        x = vals[n.input[0]].astype(np.float64)
        attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
        axis = attrs.get("axis", -1) % x.ndim
        eps = attrs.get("epsilon", 1e-5)
        axes = tuple(range(axis, x.ndim))
        mean = x.mean(axis=axes)
        var = x.var(axis=axes)
        n_row = int(np.prod([x.shape[a] for a in axes]))
        # the cancellation, and the rounding of its single-precision sums over the row (sqrt(n)
        # roundings of E[x^2]: seed 607, graph 123, a 480-element row of mean -1.83 and variance
        # 0.056 came out 3 int16 steps (6.5e-4 of the output) from the exact value)
        cancel = mean ** 2 * 2.0 ** -23 / (var + eps)
        sums = (mean ** 2 + var) * np.sqrt(n_row) * 2.0 ** -23 / (var + eps)
        # and the sums as a single-precision running sum gives them, the relative error of the
        # output's scale 1/sqrt(var + eps) (long run seed 10, graph 150: one row of 18,361 values,
        # mean 0.357, variance 0.160: the running sums' variance is 1.6e-4 off, the output 8e-5 =
        # 3 int16 steps; the sqrt(n) estimate above says 2.9e-5; x4: an int16 unit allows one step,
        # 1.5e-5 of the range, and ORT's vectorized sums round differently from this running sum)
        rows = vals[n.input[0]].reshape(int(np.prod(x.shape[:axis], dtype=np.int64)), n_row).astype(np.float32)
        s1 = np.cumsum(rows, axis=1, dtype=np.float32)[:, -1].astype(np.float64) / n_row
        s2 = np.cumsum(rows * rows, axis=1, dtype=np.float32)[:, -1].astype(np.float64) / n_row
        running = 0.5 * np.abs(s2 - s1 * s1 - var.reshape(-1)) / (var.reshape(-1) + eps)
        if max(np.max(np.maximum(cancel, sums), initial=0.0), np.max(running, initial=0.0) * 4) > 1e-4:
            return ("ORT computes LayerNormalization's variance as E[x^2] - E[x]^2 in single precision "
                    "(cancellation on a nearly constant row, or the rounding of long sums)")
    return None


def nearest_tie(model, n, attrs):
    """True when some output index of nearest Resize n maps, in exact arithmetic, to a source
    coordinate that is a tie between two pixels (fraction 1/2)."""
    from fractions import Fraction
    vi = all_types(model).get(n.input[0])
    if vi is None:
        return True
    dims = [d.dim_value for d in vi.type.tensor_type.shape.dim]
    init = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    sizes = init.get(n.input[3]) if len(n.input) > 3 and n.input[3] else None
    scales = init.get(n.input[2]) if len(n.input) > 2 and n.input[2] else None
    mode = attrs.get("coordinate_transformation_mode", b"half_pixel")
    for a, d in enumerate(dims):
        if d <= 0:  # unknown to shape inference (after an op whose output shape it cannot see)
            return True
        if sizes is not None and len(sizes) == len(dims):
            out = int(sizes[a])
            scale = Fraction(out, d)
        elif scales is not None and len(scales) == len(dims):
            scale = Fraction(float(scales[a]))
            out = int(d * scale)
        else:
            return True
        if out == d or scale == 0:
            continue
        for k in range(out):
            if mode == b"asymmetric":
                x = k / scale
            elif mode == b"align_corners":
                x = Fraction(k * (d - 1), out - 1) if out > 1 else Fraction(0)
            elif mode == b"tf_half_pixel_for_nn":
                x = (k + Fraction(1, 2)) / scale
            else:  # half_pixel, pytorch_half_pixel
                x = (k + Fraction(1, 2)) / scale - Fraction(1, 2)
            if x - (x.numerator // x.denominator) == Fraction(1, 2):
                return True
    return False


def ort_unreliable(model):
    """Graphs where ONNX Runtime 1.19 is known to compute something else than the ONNX spec (and
    tinyc): ceil_mode AveragePool windows past the padding with count_include_pad (the divisor);
    align_corners Resize with scales whose output size is fractional; pytorch_half_pixel Resize to one
    element from a fractional size;
    nearest Resize on an exact tie (nearest_tie); auto_pad SAME_* with dilations; auto_pad SAME_* whose total padding (out - 1) * stride +
    dilation * (k - 1) + 1 - in is negative (a stride larger than the window): ORT does not clamp the
    padding to 0 and shifts every window by it (the ONNX reference evaluator fails on it); Col2Im
    over 1 or 3 spatial axes."""
    types = None
    for n in model.graph.node:
        attrs = {a.name: helper.get_attribute_value(a) for a in n.attribute}
        if n.op_type == "Col2Im":
            shp = next((numpy_helper.to_array(i) for i in model.graph.initializer if i.name == n.input[1]), None)
            if shp is None or shp.size != 2:
                return ("ORT 1.19's Col2Im over 1 or 3 spatial axes gives other values than the ONNX reference "
                        "evaluator (and tinyc), or fails (math_cpu.cc NextPosition), on most strided or padded "
                        "geometries; over 2 axes it agrees (graph seed 5477)")
        if n.op_type == "AveragePool" and attrs.get("ceil_mode") == 1 and attrs.get("count_include_pad") == 1:
            if types is None:
                types = all_types(model)
            vi = types.get(n.input[0])
            dims = [d.dim_value for d in vi.type.tensor_type.shape.dim][2:] if vi is not None else []
            nd = len(dims)
            ks, st = attrs["kernel_shape"], attrs.get("strides", [1] * nd)
            dl, pads = attrs.get("dilations", [1] * nd), attrs.get("pads", [0] * 2 * nd)
            for i, d in enumerate(dims):
                span = d + pads[i] + pads[i + nd] - dl[i] * (ks[i] - 1) - 1
                out = -(-span // st[i]) + 1
                if (out - 1) * st[i] + dl[i] * (ks[i] - 1) + 1 > d + pads[i] + pads[i + nd]:
                    return ("ORT 1.19 (and onnx 1.16's reference) divide a ceil_mode AveragePool window that runs "
                            "past the padding by the whole kernel (count_include_pad); PyTorch, later ORT releases and "
                            "tinyc by its taps inside the padded input")
        ctm = attrs.get("coordinate_transformation_mode")
        if n.op_type == "Resize" and ctm in (b"align_corners", b"pytorch_half_pixel") and len(n.input) > 2 and n.input[2]:
            sc = next((numpy_helper.to_array(i) for i in model.graph.initializer if i.name == n.input[2]), None)
            if types is None:
                types = all_types(model)
            vi = types.get(n.input[0])
            sizes = ([d.dim_value * float(s) for d, s in zip(vi.type.tensor_type.shape.dim, sc)]
                     if sc is not None and vi is not None else [])
            if ctm == b"align_corners" and any(abs(x - round(x)) > 1e-6 for x in sizes):
                return ("ORT 1.19 maps align_corners Resize coordinates with the integer output size where "
                        "the ONNX reference and tinyc use input size * scale (a fractional scale)")
            if ctm == b"pytorch_half_pixel" and any(int(np.floor(x)) == 1 and x > 1 for x in sizes):
                return ("ORT 1.19 maps pytorch_half_pixel Resize coordinates to 0 when the integer output size "
                        "is 1 where the ONNX reference and tinyc use input size * scale > 1, as PyTorch does "
                        "with a scale factor (graph seed 1206003696)")
        if n.op_type == "DFT" and len(n.input) > 1 and n.input[1]:
            length = next((numpy_helper.to_array(i) for i in model.graph.initializer if i.name == n.input[1]), None)
            if types is None:
                types = all_types(model)
            vi = types.get(n.input[0])
            axis = next((a.i for a in n.attribute if a.name == "axis"), 1)
            if len(n.input) > 2 and n.input[2]:
                av = next((numpy_helper.to_array(i) for i in model.graph.initializer if i.name == n.input[2]), None)
                axis = int(av) if av is not None else axis
            dims = [d.dim_value for d in vi.type.tensor_type.shape.dim] if vi is not None else []
            if length is None or not dims or int(length) < dims[axis % len(dims)]:
                return ("ORT 1.19's DFT with a dft_length shorter than the axis gives zeros where the ONNX "
                        "reference and tinyc truncate the signal (long run seed 12, graph 2858)")
        if n.op_type == "AffineGrid" and attrs.get("align_corners", 0) == 1:
            size = next((numpy_helper.to_array(i) for i in model.graph.initializer if i.name == n.input[1]), None)
            if size is None or any(int(d) == 1 for d in np.asarray(size).ravel()[2:]):
                return ("ORT 1.19's AffineGrid with align_corners puts a spatial size of 1 at +1 where the ONNX "
                        "reference, PyTorch (linspace(-1, 1, 1)) and tinyc put it at -1 (long run seed 11, graph 2217)")
        if (n.op_type == "GridSample" and attrs.get("mode") in (b"cubic", b"bicubic") and
                attrs.get("padding_mode") in (b"border", b"reflection")):
            return ("ORT 1.19 (as PyTorch) clamps or reflects each cubic GridSample tap where the ONNX reference (and "
                    "tinyc) clamps or reflects the sampling coordinate first (graph seed 2655)")
        if n.op_type == "Resize" and attrs.get("mode", b"nearest") == b"nearest" and nearest_tie(model, n, attrs):
            return ("ORT 1.19 computes a nearest Resize's source coordinate in single precision: where it is an "
                    "exact tie (x.5; tinyc and the ONNX reference in double) it may round the other way")
        ap = attrs.get("auto_pad", b"NOTSET")
        if ap not in (b"SAME_UPPER", b"SAME_LOWER"):
            continue
        if any(d > 1 for d in attrs.get("dilations", [])):
            return ("ORT 1.19 ignores the dilations in the auto_pad SAME padding of pools (a smaller output; "
                    "Conv: rejected)")
        if types is None:
            types = all_types(model)
        vi = types.get(n.input[0])
        if vi is None:
            return "ORT: auto_pad SAME (shape unknown)"
        dims = [d.dim_value for d in vi.type.tensor_type.shape.dim][2:]
        ks = attrs.get("kernel_shape")
        if ks is None:  # Conv: from W (an initializer, or computed: its inferred shape; long run seed 22, graph 450)
            w = next((i for i in model.graph.initializer if i.name == n.input[1]), None)
            if w is not None:
                ks = list(w.dims[2:])
            else:
                wv = types.get(n.input[1])
                wd = [d.dim_value for d in wv.type.tensor_type.shape.dim][2:] if wv is not None else []
                if not wd or any(d <= 0 for d in wd):
                    return "ORT: auto_pad SAME (kernel shape unknown)"
                ks = wd
        st = attrs.get("strides", [1] * len(dims))
        dl = attrs.get("dilations", [1] * len(dims))
        for i, d in enumerate(dims):
            out = -(-d // st[i])
            if (out - 1) * st[i] + dl[i] * (ks[i] - 1) + 1 - d < 0:
                return "ORT 1.19 shifts auto_pad SAME windows when the total padding is negative (stride > window)"
    return None


def check_units(tinyc, model, feeds, spec, work, res):
    if ort is None or res.ort_issue:
        return
    cm, cuts = cut_model(model)
    if not cuts:
        return
    d = os.path.join(work, "units")
    os.makedirs(d, exist_ok=True)
    full = onnx.ModelProto()
    full.CopyFrom(model)
    have = {o.name for o in full.graph.output}
    for q in cuts:
        if q not in have:
            vi = next(v for v in cm.graph.output if v.name == q)
            full.graph.output.append(vi)
    fpath = os.path.join(d, "all_q.onnx")
    onnx.save(full, fpath)
    vals = dict(zip([o.name for o in full.graph.output], run_ort(fpath, feeds)))
    cfeeds = dict(feeds)
    for q in cuts:
        cfeeds["cut_" + q] = vals[q]
    cpath = os.path.join(d, "model.onnx")
    onnx.save(cm, cpath)
    why_not = ln_cancellation(cm, cfeeds, d)
    if why_not:  # ORT's units are not a reference here (see ln_cancellation)
        res.ort_issue = why_not
        return
    files = save_inputs(os.path.join(d, "data"), cm, cfeeds)
    want = [vals[o.name] for o in cm.graph.output]
    raw = interp_run(tinyc, cpath, files, d, cm)
    res.paths.append("units:interp")
    for j, (a, b) in enumerate(zip(raw, want)):
        why = unit_compare(a, b, cm, j, cfeeds, d)
        if why:
            raise Failure("units:interp", "mismatch", f"unit output {j} ({cm.graph.output[j].name}) interp vs ORT: {why}",
                          dtype=b.dtype.name)
    rep, outs = validate(tinyc, cpath, files, spec, d)
    res.paths.append(str(spec))
    for j, o in enumerate(rep["sets"][0]["outputs"]):
        if not o["vs_interpreter"]["ok"] and one_step(tinyc, cpath, cm, spec, j, o["vs_interpreter"]["max_abs_err"], d, 0.0, files):
            res.notes.append(f"{spec}: unit output {j}: one quantization step off after a float island")
        elif not o["vs_interpreter"]["ok"] and island_sums(cm, j, outs[j], raw[j], spec, cfeeds, d):
            res.notes.append(f"{spec}: unit output {j}: within the single-precision rounding of a float island's sums")
        elif not o["vs_interpreter"]["ok"]:
            raise Failure(str(spec), "mismatch", f"unit output {j} ({o['output']}) C vs interpreter: "
                          f"{o['vs_interpreter'].get('why', '')}", dtype=want[j].dtype.name)
        if outs[j] is None:
            continue
        got = c_output(outs[j], want[j], spec)
        why = unit_compare(got, want[j], cm, j, cfeeds, d)
        if why:
            raise Failure(str(spec), "mismatch", f"unit output {j} ({o['output']}) C vs ORT: {why}",
                          dtype=want[j].dtype.name)


def island_sums(cm, j, out, ref, spec, feeds, work):
    """True when a unit's integer output j from the C (raw bytes `out`) is within
    float_sum_allowance of the interpreter's (ref): the C computes a float island's Conv / Gemm /
    MatMul in single precision, the interpreter in double; at an int16 scale the float32 rounding
    of a long sum is several steps (regressions/qdq_int16_conv_ort_float32_sums: 4 steps once the
    generic GEMM's blocks split the sum differently, 2026-12-06)."""
    if out is None or np.issubdtype(ref.dtype, np.floating):
        return False
    allow = float_sum_allowance(cm, cm.graph.output[j].name, feeds, work)
    return bool(np.max(allow, initial=0) > 1) and compare(c_output(out, ref, spec), ref, "", 0, allow) is None


def unit_compare(got, want, cm, j, feeds=None, work=None):
    if np.issubdtype(want.dtype, np.floating):
        # a DequantizeLinear at the edge: within one LSB of its scale (1e-3 relative for float islands)
        return compare(got, want, "", 1e-3, 1e-2)
    allow = float_bias_allowance(cm, cm.graph.output[j].name)
    allow = np.maximum(allow, function_allowance(cm, cm.graph.output[j].name, want))
    if feeds is not None:
        allow = np.maximum(allow, float_sum_allowance(cm, cm.graph.output[j].name, feeds, work))
    return compare(got, want, "", 0, allow)


def float_sum_allowance(cm, name, feeds, work):
    """Steps a unit's integer output may differ from ORT's when its QuantizeLinear reads a Conv /
    Gemm / MatMul: ORT runs the unit in single precision (DequantizeLinear, the float op, then
    QuantizeLinear), tinyc in integers or, for a float island, in double, and an int16 scale can be
    finer than the float32 rounding of a long sum with cancellation (long run seed 6, graph 2752:
    an int16 Conv with a float bias, inputs up to 2e4 and weights up to 1e-2: 20 int16 steps of
    float32 error; for int8 scales the allowance stays one step).
    Per element: 1 + ceil(K 2^-23 sum|x w| / scale), sum|x w| from the same op on |x|, |w| (ORT);
    0 when the output is not such a unit."""
    prod = {o: n for n in cm.graph.node for o in n.output}
    inits = {t.name: numpy_helper.to_array(t) for t in cm.graph.initializer}
    q = prod.get(name)
    if q is None or q.op_type != "QuantizeLinear" or q.input[1] not in inits:
        return 0
    n = prod.get(q.input[0])
    if n is None or n.op_type not in ("Conv", "Gemm", "MatMul"):
        return 0
    m = onnx.ModelProto()
    m.CopyFrom(cm)
    g = m.graph
    absn = onnx.helper.make_node
    node = next(x for x in g.node if x.output and x.output[0] == n.output[0])
    for k in range(len(node.input)):
        if node.input[k]:
            a = f"__abs_{k}"
            g.node.append(absn("Abs", [node.input[k]], [a]))
            node.input[k] = a
    # Abs nodes were appended after their consumer: put them first (topological order)
    abs_nodes = [x for x in g.node if x.op_type == "Abs" and x.output[0].startswith("__abs_")]
    rest = [x for x in g.node if x not in abs_nodes]
    del g.node[:]
    g.node.extend(abs_nodes + rest)
    del g.output[:]
    g.output.append(helper.make_tensor_value_info(n.output[0], onnx.TensorProto.FLOAT, None))
    path = os.path.join(work, "float_sum.onnx")
    try:
        onnx.save(m, path)
        mag = run_ort(path, feeds)[0].astype(np.float64)
    except Exception:  # noqa: BLE001
        return 0
    w = dict((t.name, t) for t in g.input)
    wshape = inits[n.input[1]].shape if n.input[1] in inits else None
    if wshape is None and n.input[1] in w:
        wshape = [d.dim_value for d in w[n.input[1]].type.tensor_type.shape.dim]
    k = int(np.prod(wshape[1:])) if n.op_type == "Conv" and wshape is not None else 1024
    scale = float(np.min(np.abs(inits[q.input[1]])))
    return 1 + np.ceil(k * 2.0 ** -23 * np.abs(mag) / scale)


# ONNX Runtime 1.19's float functions against the exact value, measured over [-30, 30] (and
# [-1, 1] finely) with the ops run one by one: error <= A + R |y|, twice the largest seen. MLAS's
# Sigmoid is a rational approximation with an absolute error (1.5e-7, relative 5 at y = 2e-8),
# Gelu's tail is 4.5e-7 off, the others are within a few ulps (Tanh 2.7e-7 at y = -1).
ORT_FUNCTION_ERROR = {  # op: (A, R)
    "Sigmoid": (3.2e-7, 4e-7), "Tanh": (0, 6e-7), "Gelu": (1e-6, 4e-7), "Exp": (0, 3e-7),
    "Log": (5e-7, 3e-7), "Erf": (1.2e-7, 3e-7), "Softplus": (1e-6, 3e-7), "HardSigmoid": (1e-7, 3e-7),
    "Softsign": (0, 3e-7), "Elu": (1e-7, 3e-7), "Selu": (1e-7, 3e-7), "Sqrt": (0, 5e-7),
    "HardSwish": (1e-7, 3e-7), "Mish": (1e-6, 6e-7),
}


def unit_source(cm, name):
    """For a unit output `name` made by a QuantizeLinear with a constant scale: (producers by
    output, initializers as arrays, that QuantizeLinear, the op it quantizes past Relu/Clip, or
    None); q is None when the output is not such a unit."""
    prod = {o: n for n in cm.graph.node for o in n.output}
    inits = {t.name: numpy_helper.to_array(t) for t in cm.graph.initializer}
    q = prod.get(name)
    if q is None or q.op_type != "QuantizeLinear" or q.input[1] not in inits:
        return prod, inits, None, None
    n = prod.get(q.input[0])
    while n is not None and n.op_type in ("Relu", "Clip"):
        n = prod.get(n.input[0])
    return prod, inits, q, n


def function_allowance(cm, name, want):
    """Steps a unit's integer output may differ from ORT's when its QuantizeLinear reads a float
    function that ORT approximates (ORT_FUNCTION_ERROR): at a fine int16 scale the approximation
    is more than one step (long run seed 8, graph 2120: Sigmoid at a scale of 5.6e-8, 1.1e-7 off at
    0.0016, 2 steps). Per element 1 + ceil((A + R |y|) / scale), y the dequantized output; 1 when
    the output is not such a unit."""
    prod, inits, q, n = unit_source(cm, name)
    if q is None:
        return 1
    if n is None or n.op_type not in ORT_FUNCTION_ERROR:
        return 1
    a, r = ORT_FUNCTION_ERROR[n.op_type]
    scale = np.abs(inits[q.input[1]].astype(np.float64))
    zp = inits[q.input[2]].astype(np.float64) if len(q.input) > 2 and q.input[2] in inits else 0.0
    y = np.abs(want.astype(np.float64) - np.max(zp)) * float(np.max(scale))
    return 1 + np.ceil((a + r * y) / float(np.min(scale)))


def float_bias_allowance(cm, name):
    """LSBs a unit's int8 output may differ from ORT's: 1, or for a Conv/Gemm with a float bias
    1 + ceil(M / 2), M = s_x * max(s_w) / s_y. tinyc rounds a float bias to the int32 accumulator's
    scale s_x * s_w (docs/quantization.md), half a step of which is M / 2 output steps; ORT adds the
    float bias exactly (it runs such a unit in float)."""
    prod, inits, q, n = unit_source(cm, name)
    if q is None:
        return 1
    if n is None or n.op_type not in ("Conv", "Gemm") or len(n.input) < 3 or n.input[2] not in inits:
        return 1  # no bias, or an int32 bias behind DequantizeLinear: exact in the accumulator
    dx, dw = prod.get(n.input[0]), prod.get(n.input[1])
    if not dx or not dw or dx.op_type != "DequantizeLinear" or dw.op_type != "DequantizeLinear":
        return 1
    if dx.input[1] not in inits or dw.input[1] not in inits:
        return 1
    m = float(inits[dx.input[1]]) * float(np.max(inits[dw.input[1]])) / float(inits[q.input[1]])
    return 1 + int(np.ceil(m / 2)) if m > 1 else 1


# ------------------------------------------------------------------ driver
def graph_seed(seed, i):
    return (seed * 1000003 + i) % (2 ** 63)


def path_class(p):
    """'cortex-m4:O0:-Os' -> 'cortex-m4 -O0', with ' emulated' / ' asan' / ' native' / 'units: ' marks."""
    parts = p.split(":")
    if len(parts) < 3:
        return p
    pre = ""
    if parts[0] == "units":
        pre, parts = "units:", parts[1:]
        if len(parts) < 3:
            return "units:" + parts[0]
    return (pre + f"{parts[0]} -{parts[1]}" + (" asan" if "sanitize" in parts[2] else "") +
            (" native" if "march=native" in parts[2] else "") +
            (" emulated" if "emulate" in parts[3:] else ""))


def run_one(args, i, out_dir, known):
    gs = args.graph_seed if args.graph_seed is not None else graph_seed(args.seed, i)
    model, info = gen.generate(gs)
    rng = np.random.default_rng(gs ^ 0x5EED)
    feeds = random_inputs(model, rng)
    paths = choose_paths(rng, info["kind"] == "quant", i)
    res = Result()
    res.info = info
    work = tempfile.mkdtemp(prefix=f"g{i}-", dir=args.work)
    try:
        check_model(args.tinyc, model, feeds, paths, work, res, info)
    except Skip as e:
        res.status = "skipped"
        res.notes.append(str(e))
    except Failure as f:
        if f.kind == "rejected":
            res.status = "rejected"
            res.notes.append(str(f))
        elif known and known.match(f, model):
            res.status = "known"
            res.notes.append(f"{known.match(f, model)}: {f}")
        else:
            res.status = "failed"
            res.failures.append(f)
            save_failure(args, i, gs, model, feeds, f, out_dir, paths)
    except Exception as e:  # noqa: BLE001 (a bug of the test itself: reported, not hidden)
        import traceback
        res.status = "failed"
        res.failures.append(Failure("harness", "error", traceback.format_exc(limit=3).replace("\n", " | ")))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return i, gs, res


def save_failure(args, i, gs, model, feeds, f, out_dir, paths):
    """DIR/seedN.onnx + seedN.npz (its inputs) + seedN.txt (what failed, how to reproduce), and the
    shrunk seedN.min.onnx + seedN.min.npz."""
    os.makedirs(out_dir, exist_ok=True)
    base = os.path.join(out_dir, f"seed{gs}")
    onnx.save(model, base + ".onnx")
    np.savez(base + ".npz", **feeds)
    spec = f.path
    with open(base + ".txt", "w") as fh:
        fh.write(f"{f}\n")
        fh.write(f"reproduce: scripts/difftest.sh --model {base}.onnx --path {spec}\n")
    if not args.no_shrink:
        import shrink
        try:
            small, sfeeds, note = shrink.shrink(args.tinyc, model, f, args.work, feeds=feeds, known=args.known)
            onnx.save(small, base + ".min.onnx")
            np.savez(base + ".min.npz", **sfeeds)
            with open(base + ".txt", "a") as fh:
                fh.write(f"shrunk: {note}\n"
                         f"reproduce: scripts/difftest.sh --model {base}.min.onnx --path {spec}\n")
        except Exception as e:  # noqa: BLE001
            with open(base + ".txt", "a") as fh:
                fh.write(f"shrinking failed: {e}\n")


def parse_paths(texts):
    specs = []
    for p in texts:
        if p == "interp":
            continue
        specs.append(PathSpec("generic", 2, "-O2", cut=True) if p == "units:interp" else PathSpec.parse(p))
    return specs


def model_feeds(path, model, seed):
    """The inputs saved next to a model (NAME.npz), else seeded random ones."""
    npz = os.path.splitext(path)[0] + ".npz"
    feeds = random_inputs(model, np.random.default_rng(seed))
    if os.path.exists(npz):
        with np.load(npz) as z:
            for k in z.files:
                if k in feeds and z[k].shape == feeds[k].shape:
                    feeds[k] = z[k]
    return feeds


def check_one_model(args, path, path_texts, expect_fail=None):
    """One saved model through the given paths (default: generic -O2 and mcu -O2). Returns True
    when it passes (or, with expect_fail, when it fails as expected)."""
    model = onnx.load(path)
    feeds = model_feeds(path, model, args.seed)
    specs = parse_paths(path_texts) if path_texts else [PathSpec("generic", 2, "-O2"), PathSpec("mcu", 2, "-O2")]
    res = Result()
    work = tempfile.mkdtemp(prefix="model-", dir=args.work)
    try:
        check_model(args.tinyc, model, feeds, specs, work, res)
    except Failure as f:
        if expect_fail:
            got = Known(args.known_failures).match(f, model)
            if got != expect_fail:
                print(f"FAIL {path}: fails, but not as known failure {expect_fail} (matches: {got}): {f}")
                return False
            print(f"ok   {path}: fails as known ({expect_fail}): {f}")
            return True
        print(f"FAIL {path}: {f}")
        return False
    except Skip as e:
        print(f"skip {path}: {e}")
        return True
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if expect_fail:
        print(f"FAIL {path}: passes now, but is listed as known failure {expect_fail}: "
              f"remove it from known_failures.txt and its repro's '# known:' line")
        return False
    print(f"ok   {path}: {', '.join(res.paths)}")
    return True


def run_regressions(args):
    """Every DIR/NAME.onnx with its DIR/NAME.cmd: one line of difftest.py arguments (--path ...),
    optionally a line '# known: ID' (a known failure: it must still fail)."""
    ok = fail = 0
    for name in sorted(os.listdir(args.regressions)):
        if not name.endswith(".onnx"):
            continue
        p = os.path.join(args.regressions, name)
        cmd = os.path.splitext(p)[0] + ".cmd"
        paths, expect = [], None
        if os.path.exists(cmd):
            for line in open(cmd):
                if line.startswith("# known:"):
                    expect = line.split(":", 1)[1].strip()
                elif not line.startswith("#"):
                    words = line.split()
                    paths += [words[k + 1] for k, w in enumerate(words) if w == "--path"]
        if check_one_model(args, p, paths, expect):
            ok += 1
        else:
            fail += 1
    print(f"{ok} passed, {fail} failed")
    return 1 if fail else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tinyc", required=True)
    ap.add_argument("--graphs", type=int, default=100)
    ap.add_argument("--seed", type=int, default=None, help="default: a new one (printed)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--out", default="difftest-failures", help="folder for failing graphs and their minimal repros")
    ap.add_argument("--work", default=None, help="scratch folder (default: a temporary one)")
    ap.add_argument("--no-shrink", action="store_true")
    ap.add_argument("--model", help="check this one model instead of generating graphs")
    ap.add_argument("--graph-seed", type=int, help="run only this graph (the seed a FAIL line names), with its paths")
    ap.add_argument("--regressions", help="check every saved repro (NAME.onnx + NAME.cmd) in this folder")
    ap.add_argument("--path", action="append", help="with --model: the path(s) to run, e.g. mcu:O2:-O2 or cortex-m4:O0::emulate")
    ap.add_argument("--time-limit", type=float, default=0, help="stop starting new graphs after this many seconds")
    ap.add_argument("--known-failures", default=os.path.join(HERE, "known_failures.txt"))
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    if args.seed is None:
        args.seed = int.from_bytes(os.urandom(4), "little")
    if shutil.which("ccache") and "TINYC_CC_LAUNCHER" not in os.environ:
        # every graph's C build goes through ccache: the --runtime shared paths compile the same
        # 300 KB runtime each time (about 9 s at -O2; the largest cost of a run without the cache)
        os.environ["TINYC_CC_LAUNCHER"] = "ccache"
        os.environ.setdefault("CCACHE_DIR", os.path.join(tempfile.gettempdir(), "tinyc-difftest-ccache"))
        os.environ.setdefault("CCACHE_NOHASHDIR", "1")  # (the sanitizer paths' -g would hash the folder)
    own_work = args.work is None
    if own_work:
        args.work = tempfile.mkdtemp(prefix="difftest-")
    try:
        if args.model:
            ok = check_one_model(args, args.model, args.path or [])
            print(f"{int(ok)} passed, {int(not ok)} failed")
            return 0 if ok else 1
        if args.regressions:
            return run_regressions(args)
        if args.graph_seed is not None:
            args.graphs = 1
        return run_many(args)
    finally:
        if own_work:
            shutil.rmtree(args.work, ignore_errors=True)


def run_many(args):
    known = Known(args.known_failures)
    args.known = known
    known_ids = collections.Counter()
    print(f"difftest: {args.graphs} graphs, seed {args.seed}, {args.jobs} jobs, "
          f"ORT {'%s' % ort.__version__ if ort else 'not installed (interpreter only)'}", flush=True)
    t0 = time.time()
    counts = collections.Counter()
    paths = collections.Counter()
    ops, feats, kinds = collections.Counter(), collections.Counter(), collections.Counter()
    rejects = collections.Counter()
    skips = collections.Counter()
    ort_issues = collections.Counter()
    lsb = collections.Counter()
    lsb_c = collections.Counter()
    extras, cflags = collections.Counter(), collections.Counter()
    lock = threading.Lock()
    done = 0
    with cf.ThreadPoolExecutor(max_workers=args.jobs) as ex:
        futs = []
        for i in range(args.graphs):
            futs.append(ex.submit(lambda i=i: None if args.time_limit and time.time() - t0 > args.time_limit
                                  else run_one(args, i, args.out, known)))
        for fu in cf.as_completed(futs):
            r = fu.result()
            if r is None:
                counts["not run (time limit)"] += 1
                continue
            i, gs, res = r
            with lock:
                done += 1
                counts[res.status] += 1
                for p in res.paths:
                    paths[path_class(p)] += 1
                    parts = p.split(":")[1:] if p.startswith("units:") else p.split(":")
                    if len(parts) >= 3:
                        cflags[parts[2].split("_")[0] or "(arm)"] += 1
                        for e in parts[3:]:
                            if e and e != "emulate":
                                extras[{"nhwc": "--io-layout nhwc", "arena": "--io-in-arena",
                                        "shared": "--runtime shared", "small": "--kernels small"}.get(e, e)] += 1
                kinds[res.info["kind"]] += 1
                if res.ort_issue:
                    ort_issues[re.sub(r"\d+", "_", res.ort_issue)[:160]] += 1
                ops.update(res.info["ops"])
                feats.update(res.info["features"])
                for d in res.lsb:
                    lsb[d] += 1
                for d in res.lsb_c:
                    lsb_c[min(d, 10)] += 1
                if res.status == "failed":
                    print(f"FAIL graph {i} (seed {gs}, {res.info['kind']}): {res.failures[0]}", flush=True)
                elif res.status == "rejected":
                    rejects[re.sub(r"'[^']*'|\d+", "_", res.notes[0])[:160]] += 1
                    if args.verbose:
                        print(f"rejected graph {i} (seed {gs}): {res.notes[0]}", flush=True)
                elif res.status == "known":
                    known_ids[res.notes[0].split(":")[0]] += 1
                    if args.verbose:
                        print(f"known failure, graph {i} (seed {gs}): {res.notes[0]}", flush=True)
                elif res.status == "skipped":
                    skips[re.sub(r"\d+", "_", res.notes[0])[:120]] += 1
                    if args.verbose:
                        print(f"skipped graph {i} (seed {gs}): {res.notes[0]}", flush=True)
                elif args.verbose:
                    print(f"{res.status} graph {i} (seed {gs}, {res.info['kind']}, {res.info['nodes']} nodes): "
                          f"{' '.join(res.paths)}", flush=True)
    dt = time.time() - t0
    print(f"graphs: {dict(kinds)}; {sum(paths.values())} path runs: {dict(sorted(paths.items()))}")
    print(f"path options: {dict(sorted(extras.items()))}; C compiler levels: {dict(sorted(cflags.items()))}")
    print(f"ops: {len(ops)} op types: {dict(sorted(ops.items()))}")
    print(f"features: {len(feats)}: {dict(sorted(feats.items()))}")
    if lsb:
        print(f"quantized, end to end vs ORT, max LSB per output (informational): interpreter "
              f"{dict(sorted(lsb.items()))}, generated C {dict(sorted(lsb_c.items()))} (10 = 10 or more)")
    for why, n in rejects.most_common():
        print(f"rejected by tinyc ({n}): {why}")
    for kid, n in known_ids.most_common():
        print(f"known failure {kid} ({n} graphs): see {args.known_failures}")
    for why, n in ort_issues.most_common():
        print(f"without the ORT oracle ({n}): {why}")
    for why, n in skips.most_common():
        print(f"skipped ({n}): {why}")
    other = {k: v for k, v in counts.items() if k not in ("passed", "failed")}
    print(f"seed {args.seed}, {dt:.0f} s{', ' + str(other) if other else ''}")
    if counts["failed"]:
        print(f"failing graphs and minimal repros in {os.path.abspath(args.out)}")
    print(f"{counts['passed']} passed, {counts['failed']} failed")
    return 1 if counts["failed"] else 0


if __name__ == "__main__":
    sys.exit(main())
