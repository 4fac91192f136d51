#!/usr/bin/env python3
"""Run tinyc on the models written by make_exporter_models.py and print a table.

    python3 models/check_exporter_models.py FOLDER [--tinyc PATH] [--out DIR]

For every FOLDER/<model>_<mode>.onnx:
  1. tinyc convert MODEL -o OUT/<model>_<mode> -q
  2. tinyc validate MODEL --random 2 --target T, for every T of --targets
     (generated C vs tinyc's interpreter; default generic and cortex-m4: the
     channels-last layout and the DSP kernels)
  3. with FOLDER/<model>_<mode>.npz (torch reference input/output): tinyc run on
     the torch input and compare with the torch output; on a tinyc without the
     run subcommand, tinyc validate -i on the torch input instead (then only the
     generated C vs the interpreter is checked, on the torch input).
Prints: model, mode, convert, validate, torch (reference check), error (first
line). Models/modes missing from FOLDER (skipped or failed exports) get a row too.
Exit status 0 when every present model passed every step, else 1.
Needs numpy; onnx is used when importable (else a minimal TensorProto reader).
"""

import argparse
import glob
import os
import struct
import subprocess
import sys
import tempfile

import numpy as np

try:
    import onnx
    from onnx import numpy_helper
except Exception:
    onnx = None

MODES = ["ts_default", "ts_opset13", "dynamo", "dynamo_noopt"]


def split_name(stem):
    for mode in sorted(MODES, key=len, reverse=True):
        if stem.endswith("_" + mode):
            return stem[: -len(mode) - 1], mode
    return stem, "?"


def run(cmd, timeout=600):
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           universal_newlines=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return 124, "timeout after %ds" % timeout
    return p.returncode, p.stderr + "\n" + p.stdout


def error_line(text):
    """The most telling line of tinyc's output: its 'tinyc: ...'/'error' line, else
    a failing comparison line, else the first non-empty line."""
    lines = [l.strip() for l in text.splitlines() if l.strip()]
    for pred in (lambda l: "error" in l.lower() or l.startswith("tinyc:"),
                 lambda l: "FAIL" in l or "mismatch" in l.lower()):
        for l in lines:
            if pred(l):
                return l
    return lines[0] if lines else "(no output)"


# -- minimal TensorProto reader (used only without the onnx package) ---------

def _varint(b, i):
    v = shift = 0
    while True:
        c = b[i]
        i += 1
        v |= (c & 0x7F) << shift
        shift += 7
        if not c & 0x80:
            return v, i


_DTYPES = {1: np.float32, 2: np.uint8, 3: np.int8, 5: np.int16, 6: np.int32,
           7: np.int64, 9: np.bool_, 11: np.float64}


def read_tensor_pb(path):
    data = open(path, "rb").read()
    if onnx is not None:
        t = onnx.TensorProto()
        t.ParseFromString(data)
        return numpy_helper.to_array(t)
    dims, dtype, raw, floats = [], 1, None, []
    i = 0
    while i < len(data):
        key, i = _varint(data, i)
        field, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(data, i)
            if field == 1:
                dims.append(v)
            elif field == 2:
                dtype = v
        elif wt == 2:
            n, i = _varint(data, i)
            chunk = data[i:i + n]
            i += n
            if field == 1:  # packed dims
                j = 0
                while j < len(chunk):
                    v, j = _varint(chunk, j)
                    dims.append(v)
            elif field == 9:
                raw = chunk
            elif field == 4:
                floats.extend(struct.unpack("<%df" % (len(chunk) // 4), chunk))
        elif wt == 5:
            if field == 4:
                floats.append(struct.unpack("<f", data[i:i + 4])[0])
            i += 4
        elif wt == 1:
            i += 8
        else:
            raise ValueError("%s: unsupported protobuf wire type %d" % (path, wt))
    if raw is not None:
        arr = np.frombuffer(raw, dtype=_DTYPES[dtype]).copy()
    else:
        arr = np.array(floats, dtype=np.float32)
    return arr.reshape(dims)


def graph_io(model_path, npz):
    """Graph input and output names (from the model, else from the .npz order:
    make_exporter_models.py writes the single input first)."""
    if onnx is not None:
        m = onnx.load(model_path, load_external_data=False)
        inits = {t.name for t in m.graph.initializer}
        return ([i.name for i in m.graph.input if i.name not in inits],
                [o.name for o in m.graph.output])
    keys = list(npz.keys())
    return keys[:1], keys[1:]


def check_torch_ref(tinyc, has_run, model, npz_path, rtol, atol):
    """(ok, message) comparing tinyc with the torch reference."""
    npz = np.load(npz_path)
    ins, outs = graph_io(model, npz)
    missing = [n for n in ins + outs if n not in npz.files]
    if missing:
        return False, "npz lacks arrays %s" % missing
    with tempfile.TemporaryDirectory(prefix="tinyc_ref_") as tmp:
        files = []
        for k, name in enumerate(ins):
            f = os.path.join(tmp, "input_%d.npy" % k)
            np.save(f, npz[name])
            files.append(f)
        if not has_run:
            rc, text = run([tinyc, "validate", model, "-q", "-i"] + files)
            return rc == 0, ("validate on torch input ok (no run subcommand)"
                             if rc == 0 else error_line(text))
        rc, text = run([tinyc, "run", model, "--output-dir", tmp, "-i"] + files)
        if rc != 0:
            return False, error_line(text)
        worst = 0.0
        for k, name in enumerate(outs):
            pb = os.path.join(tmp, "output_%d.pb" % k)
            if not os.path.exists(pb):
                return False, "tinyc run wrote no %s" % os.path.basename(pb)
            got, ref = read_tensor_pb(pb), npz[name]
            if got.shape != ref.shape:
                return False, "output %s: shape %s, torch %s" % (name, got.shape, ref.shape)
            err = float(np.max(np.abs(got.astype(np.float64) - ref))) if ref.size else 0.0
            scale = max(1.0, float(np.max(np.abs(ref)))) if ref.size else 1.0
            if not np.allclose(got, ref, rtol=rtol, atol=atol * scale):
                return False, "output %s differs from torch: max_abs %.3g" % (name, err)
            worst = max(worst, err)
        return True, "max_abs vs torch %.2g" % worst


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", help="folder of <model>_<mode>.onnx (+ .npz)")
    ap.add_argument("--tinyc", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                   "..", "build", "apps", "tinyc"))
    ap.add_argument("--out", default=os.path.join(tempfile.gettempdir(), "expout"),
                    help="where convert writes (one subfolder per model)")
    ap.add_argument("--targets", default="generic,cortex-m4",
                    help="comma-separated targets to validate on")
    ap.add_argument("--rtol", type=float, default=1e-3)
    ap.add_argument("--atol", type=float, default=1e-4,
                    help="absolute tolerance vs torch, times max(1, max|torch output|)")
    args = ap.parse_args()

    rc, help_text = run([args.tinyc, "--help"])
    if rc != 0:
        sys.exit("cannot run %s --help: %s" % (args.tinyc, error_line(help_text)))
    has_run = any(l.split()[:1] == ["run"] for l in help_text.splitlines())

    stems = sorted(os.path.basename(p)[:-5] for p in glob.glob(os.path.join(args.folder, "*.onnx")))
    present = {split_name(s): s for s in stems}
    models = []
    for s in stems:
        m = split_name(s)[0]
        if m not in models:
            models.append(m)

    rows, all_ok = [], True
    for m in models:
        for mode in MODES + sorted({md for (mm, md) in present if mm == m and md not in MODES}):
            stem = present.get((m, mode))
            if stem is None:
                rows.append((m, mode, "-", "-", "-", "not exported"))
                continue
            model = os.path.join(args.folder, stem + ".onnx")
            conv = val = ref = "-"
            msg = ""
            rc, text = run([args.tinyc, "convert", model, "-o", os.path.join(args.out, stem), "-q"])
            conv = "ok" if rc == 0 else "FAIL"
            if rc != 0:
                msg = error_line(text)
            else:
                val = "ok"
                for target in args.targets.split(","):
                    rc, text = run([args.tinyc, "validate", model, "--random", "2", "-q", "--target", target])
                    if rc != 0:
                        val = "FAIL"
                        msg = msg or "%s: %s" % (target, error_line(text))
                npz = os.path.join(args.folder, stem + ".npz")
                if os.path.exists(npz):
                    ok, note = check_torch_ref(args.tinyc, has_run, model, npz,
                                               args.rtol, args.atol)
                    ref = "ok" if ok else "FAIL"
                    if not ok and not msg:
                        msg = note
                    elif ok and not msg:
                        msg = note
            all_ok &= conv == "ok" and val == "ok" and ref in ("ok", "-")
            rows.append((m, mode, conv, val, ref, msg))
            print("  %s: convert %s, validate %s, torch %s" % (stem, conv, val, ref),
                  file=sys.stderr, flush=True)

    head = ("model", "mode", "convert", "validate", "torch", "error / note")
    widths = [max(len(str(r[i])) for r in rows + [head]) for i in range(5)]
    fmt = "  ".join("%%-%ds" % w for w in widths) + "  %s"
    print(fmt % head)
    print(fmt % tuple("-" * w for w in widths + [12]))
    for r in rows:
        print(fmt % r)
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
