#!/usr/bin/env bash
# --quantize int8 --calib DATA (post-training quantization) from the command line:
#  - usage errors (exit 2, one line): no --calib, --calib without --quantize, no samples, an
#    already quantized model, an unknown method;
#  - every form of calibration data (test_data_set_* folders, a folder of .npy files in float64,
#    one .npy with the samples along the batch axis, .npz stored and deflated; for two inputs a
#    file per input or an .npz keyed by input name) gives byte-identical C, and the same data twice
#    gives byte-identical C (calibration is deterministic);
#  - the report: quantization recorded, no float island, int8 weights at 1 byte per parameter;
#  - validate: the C equals the interpreter exactly;
#  - the per-layer report (SQNR, precision, weight bytes), --keep-float, --min-sqnr and
#    --quantize weights-int8 (int8 weights in flash, float activations: validated within tolerance);
#  - the progress bar: only on a terminal, and not with -q.
#   quantize.sh <tinyc> <python> <models dir>
set -euo pipefail
TINYC=$1
PY=$2
MODELS=$3
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
M=$MODELS/mnist8/model.onnx

usage() {  # expect exit 2 and one error line
  set +e
  "$TINYC" "$@" >"$W/out" 2>"$W/err"
  rc=$?
  set -e
  [ $rc = 2 ] || { echo "FAIL: exit $rc (want 2): $*"; cat "$W/err"; exit 1; }
  [ "$(wc -l <"$W/err")" = 1 ] && grep -q "^tinyc: error: " "$W/err" || { echo "FAIL: not one error line: $*"; cat "$W/err"; exit 1; }
}
mkdir -p "$W/empty"
usage convert "$M" -o "$W/o" --quantize int8
usage convert "$M" -o "$W/o" --calib "$MODELS/mnist8"
usage convert "$M" -o "$W/o" --calib-method mse
usage convert "$M" -o "$W/o" --quantize int8 --calib "$W/empty"
usage convert "$M" -o "$W/o" --quantize int8 --calib "$MODELS/mnist8" --calib-method median
usage convert "$M" -o "$W/o" --quantize int4 --calib "$MODELS/mnist8"
usage convert "$MODELS/kws_int8/model.onnx" -o "$W/o" --quantize int8 --calib "$MODELS/kws_int8"
usage inspect "$M" --quantize int8
grep -q "calibration data: --calib" "$W/err" || { echo "FAIL: message"; cat "$W/err"; exit 1; }
usage convert "$M" -o "$W/o" --quantize int16x8 --calib "$MODELS/mnist8" --io-dtype int8
usage convert "$M" -o "$W/o" --quantize int16x8 --calib "$MODELS/mnist8" --weight-bits 4
[ ! -e "$W/o" ] || { echo "FAIL: output written after a usage error"; exit 1; }
# int16x8: the report says so; every activation of mnist8 is int16 (no float island)
"$TINYC" convert "$M" -o "$W/i16" --quantize int16x8 --calib "$MODELS/mnist8" --report "$W/i16.json" -q
"$PY" - "$W/i16.json" <<'EOP'
import json, sys
r = json.load(open(sys.argv[1]))
q = r["quantization"]
assert q["scheme"] == "int16x8" and q["activations"] == "int16 symmetric per tensor", q
assert r["float_islands"] == [], r["float_islands"]
assert all(l["precision"] == "int16" for l in q["layers"]), q["layers"]
EOP

"$PY" - "$MODELS/mnist8" "$W" <<'EOP'
import glob, os, sys
import numpy as np
from onnx import numpy_helper, TensorProto
src, w = sys.argv[1], sys.argv[2]
xs = []
for d in sorted(glob.glob(os.path.join(src, "test_data_set_*"))):
    t = TensorProto()
    t.ParseFromString(open(os.path.join(d, "input_0.pb"), "rb").read())
    xs.append(numpy_helper.to_array(t))
os.makedirs(os.path.join(w, "npy"))
for k, x in enumerate(xs):
    np.save(os.path.join(w, "npy", f"s{k:02d}.npy"), x.astype(np.float64))  # converted to float32
np.save(os.path.join(w, "batch.npy"), np.concatenate(xs))                  # [6, 1, 28, 28]
np.savez(os.path.join(w, "stored.npz"), a=np.stack(xs[:3]), b=np.stack(xs[3:]))  # [3, 1, 1, 28, 28] each
np.savez_compressed(os.path.join(w, "deflated.npz"), x=np.stack(xs))
EOP

convert() {  # convert <out> <extra args...>
  local out=$1
  shift
  "$TINYC" convert "$M" -o "$W/c_$out" --name m --quantize int8 --report "$W/$out.json" -q "$@"
}
convert ref --calib "$MODELS/mnist8"
convert again --calib "$MODELS/mnist8"
convert npy --calib "$W/npy"
convert batch --calib "$W/batch.npy"
convert stored --calib "$W/stored.npz"
convert deflated --calib "$W/deflated.npz"
for d in again npy batch stored deflated; do
  diff -r "$W/c_ref" "$W/c_$d" >"$W/diff" || { echo "FAIL: --calib $d gives other C than the test_data_set_* folders"; head "$W/diff"; exit 1; }
done
# --calib-samples takes the first N in name order, whatever the form.
convert first2 --calib "$MODELS/mnist8" --calib-samples 2
convert first2npz --calib "$W/deflated.npz" --calib-samples 2
diff -r "$W/c_first2" "$W/c_first2npz" >/dev/null || { echo "FAIL: --calib-samples 2 differs between forms"; exit 1; }
! diff -r "$W/c_ref" "$W/c_first2" >/dev/null || { echo "FAIL: --calib-samples 2 changed nothing"; exit 1; }
# Another method gives other scales.
convert minmax --calib "$MODELS/mnist8" --calib-method minmax
! diff -r "$W/c_ref" "$W/c_minmax" >/dev/null || { echo "FAIL: --calib-method minmax = the default's output"; exit 1; }

# A model with two inputs ("a" and "in:b"): a folder with one file per input, named after it ("in:b"
# as in_b.npy), gives the C of an .npz keyed by the input names; a missing file is an error.
"$PY" - "$W" <<'EOP'
import os, sys
import numpy as np
import onnx
from onnx import helper, numpy_helper, TensorProto
w = sys.argv[1]
rng = np.random.default_rng(0)
g = helper.make_graph(
    [helper.make_node("Add", ["a", "in:b"], ["s"]),
     helper.make_node("Gemm", ["s", "W", "B"], ["y"], transB=1)],
    "two", [helper.make_tensor_value_info("a", TensorProto.FLOAT, [1, 8]),
            helper.make_tensor_value_info("in:b", TensorProto.FLOAT, [1, 8])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 4])],
    [numpy_helper.from_array(rng.standard_normal((4, 8)).astype(np.float32), "W"),
     numpy_helper.from_array(rng.standard_normal(4).astype(np.float32), "B")])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)]), os.path.join(w, "two.onnx"))
a, b = rng.standard_normal((5, 1, 8)), rng.standard_normal((5, 1, 8)) * 3
os.makedirs(os.path.join(w, "two_files"))
np.save(os.path.join(w, "two_files", "a.npy"), a)
np.save(os.path.join(w, "two_files", "in_b.npy"), b)
np.savez(os.path.join(w, "two.npz"), **{"a": a, "in:b": b})
os.makedirs(os.path.join(w, "two_missing"))
np.save(os.path.join(w, "two_missing", "a.npy"), a)
EOP
for form in two_files two.npz; do
  "$TINYC" convert "$W/two.onnx" -o "$W/c_$form" --name m --quantize int8 --calib "$W/$form" -q
done
diff -r "$W/c_two_files" "$W/c_two.npz" >/dev/null || { echo "FAIL: two inputs: files and .npz give other C"; exit 1; }
set +e
"$TINYC" convert "$W/two.onnx" -o "$W/c_two_missing" --quantize int8 --calib "$W/two_missing" -q 2>"$W/err"; rc=$?
set -e
[ $rc != 0 ] && grep -q "no file named after input 'in:b'" "$W/err" || { echo "FAIL: missing input file ($rc)"; cat "$W/err"; exit 1; }

"$PY" - "$W/ref.json" <<'EOP'
import json, sys
r = json.load(open(sys.argv[1]))
q = r["quantization"]
assert q["scheme"] == "int8" and q["calibration_samples"] == 6 and q["calibration_method"] == "mse", q
assert r["float_islands"] == [], r["float_islands"]
# mnist8: 8x1x5x5 + 16x8x5x5 + 10x256 int8 weights = 5960 bytes (the generic target's convolution
# pads the first one's rows of 25 to 28: + 24), plus the int32 biases of 34 channels and the
# Reshape's shape: at most 5960 + 24 + 4 * 34 + 64 bytes.
assert 5960 <= r["weights_bytes"] <= 5960 + 24 + 4 * 34 + 64, r["weights_bytes"]
EOP

"$TINYC" validate "$M" --quantize int8 --calib "$MODELS/mnist8" --test-data "$MODELS/mnist8" --json >"$W/v.json"
"$PY" - "$W/v.json" <<'EOP'
import json, sys
v = json.load(open(sys.argv[1]))
assert v["ok"] and v["vs_interpreter"] == "exact", v
for s in v["sets"]:
    for o in s["outputs"]:
        assert o["vs_interpreter"]["max_abs_err"] == 0, o
        assert o["vs_reference"]["informational"], o
EOP

# Per-layer report, --keep-float, --min-sqnr, --quantize weights-int8.
usage convert "$M" -o "$W/o" --quantize int8 --calib "$MODELS/mnist8" --keep-float NoSuchNode
usage convert "$M" -o "$W/o" --quantize weights-int8 --calib "$MODELS/mnist8"
usage convert "$M" -o "$W/o" --keep-float Times212
"$TINYC" convert "$M" -o "$W/kf" --quantize int8 --calib "$MODELS/mnist8" --keep-float Times212 --report "$W/kf.json" -q
"$TINYC" convert "$M" -o "$W/ms" --quantize int8 --calib "$MODELS/mnist8" --min-sqnr 42 --report "$W/ms.json" -q
"$TINYC" convert "$M" -o "$W/wo" --quantize weights-int8 --report "$W/wo.json" -q
"$TINYC" convert "$M" -o "$W/fl" --report "$W/fl.json" -q
"$PY" - "$W" <<'EOP'
import json, math, os, sys
W = sys.argv[1]
load = lambda n: json.load(open(os.path.join(W, n)))
ref, kf, ms, wo, fl = load("ref.json"), load("kf.json"), load("ms.json"), load("wo.json"), load("fl.json")
# every layer with weights, in order, with a finite SQNR and its weight bytes
layers = ref["quantization"]["layers"]
assert [l["node"] for l in layers] == ["Convolution28", "Convolution110", "Times212"], layers
assert all(l["precision"] == "int8" and 20 < l["sqnr_db"] < 80 for l in layers), layers
# int8 weights (1 byte) and int32 biases: 8x1x5x5 + 8, 16x8x5x5 + 16, 256x10 + 10
assert [l["weight_bytes"] for l in layers] == [200 + 4 * 8, 3200 + 4 * 16, 2560 + 4 * 10], layers
# --keep-float: that node stays float (a float island, 4 bytes per weight), the others int8
k = {l["node"]: l for l in kf["quantization"]["layers"]}
assert k["Times212"]["precision"] == "float" and k["Times212"]["weight_bytes"] == 4 * (256 * 10 + 10), k
assert k["Convolution28"]["precision"] == "int8", k
assert [i["name"] for i in kf["float_islands"]] == ["Times212"], kf["float_islands"]
# --min-sqnr 42: the layers below 42 dB at int8 (Convolution110 here) end up float (via int16),
# and every layer left in int8 reaches the bound
m = ms["quantization"]["layers"]
low = [l["node"] for l in layers if l["sqnr_db"] < 42]
assert low and all(l["precision"] == "float" for l in m if l["node"] == low[0]), (low, m)
assert all(l["sqnr_db"] >= 42 for l in m if l["precision"] == "int8"), m
assert ms["quantization"]["keep_float"] == sorted(l["node"] for l in m if l["precision"] == "float"), ms
# ... and the layers that reach it at int16 activations run in int16 (mixed int8/int16 model)
assert all(l["sqnr_db"] >= 42 for l in m if l["precision"] == "int16"), m
assert [l["precision"] for l in m] == ["int8", "float", "int16"], m
assert ms["quantization"]["int16_layers"] == ["Convolution110", "Times212"], ms["quantization"]
# weights-int8: weights 1 byte per parameter (plus float biases and per-channel scales), no
# calibration recorded, activations float
q = wo["quantization"]
assert q["activations"] == "float" and "calibration_samples" not in q, q
assert all(l["precision"] == "int8" for l in q["layers"]), q
assert 5960 <= wo["weights_bytes"] <= 5960 + 3 * 4 * 34 + 64 and 4 * 5960 < fl["weights_bytes"], (wo["weights_bytes"], fl["weights_bytes"])
EOP
# inspect --json lists the layers too, and inspect runs --min-sqnr's rounds as convert does
"$TINYC" inspect "$M" --quantize int8 --calib "$MODELS/mnist8" -O2 --min-sqnr 40 --json 2>/dev/null >"$W/insp.json"
"$PY" - "$W/insp.json" "$W/ms.json" <<'EOP'
import json, sys
i = json.load(open(sys.argv[1]))["quantization"]["layers"]
assert [l["precision"] for l in i] == ["int8", "int16", "int16"], i
EOP
# the summaries of convert and inspect (not -q) for a weights-only and a --min-sqnr model
"$TINYC" convert "$M" -o "$W/wo2" --quantize weights-int8 >"$W/wo2.out"
grep -q "quantized weights-int8 (weights only" "$W/wo2.out" || { echo "FAIL: convert summary"; cat "$W/wo2.out"; exit 1; }
"$TINYC" inspect "$M" --quantize weights-int8 -O2 | grep -q "^quantized: weights-int8 (activations float" ||
  { echo "FAIL: inspect summary"; exit 1; }
"$TINYC" convert "$M" -o "$W/ms2" --quantize int8 --calib "$MODELS/mnist8" --min-sqnr 42 >"$W/ms2.out" 2>"$W/ms2.err"
# one step at a time: Convolution110 (about 39 dB at int8) to int16 activations (still below 42:
# its int8 weights limit it), then float; Times212 to int16
grep -Eq "int16 activations for Convolution110 \(SQNR (3[0-9]|4[01])\.[0-9] dB\)" "$W/ms2.err" &&
  grep -Eq "keeping float Convolution110 \(SQNR (3[0-9]|4[01])\.[0-9] dB\)" "$W/ms2.err" &&
  grep -q "int16 activations for Times212" "$W/ms2.err" || { echo "FAIL: --min-sqnr messages"; cat "$W/ms2.err"; exit 1; }
# --weight-bits 4: the summary counts the int4 layers; --min-sqnr moves an int4 layer to int8
# weights first; --weight-bits needs --quantize int8
"$TINYC" convert "$M" -o "$W/w4" --quantize int8 --calib "$MODELS/mnist8" --weight-bits 4 --min-sqnr 22 \
  --report "$W/w4.json" >"$W/w4.out" 2>"$W/w4.err"
grep -q "int4 weights on 1 of 3 layers with weights" "$W/w4.out" || { echo "FAIL: int4 summary"; cat "$W/w4.out"; exit 1; }
grep -q "int8 weights for Convolution110" "$W/w4.err" || { echo "FAIL: --min-sqnr int4 -> int8"; cat "$W/w4.err"; exit 1; }
grep -q '"keep_int8_weights": \[' "$W/w4.json" || { echo "FAIL: keep_int8_weights in the report"; exit 1; }
set +e
"$TINYC" convert "$M" -o "$W/w4x" --quantize weights-int8 --weight-bits 4 2>"$W/w4x.err"; rc=$?
"$TINYC" convert "$M" -o "$W/w4y" --weight-bits 4 2>"$W/w4y.err"; rc2=$?
set -e
[ "$rc" = 2 ] && grep -q "works with --quantize int8 only" "$W/w4x.err" || { echo "FAIL: weights-int8 + --weight-bits 4 ($rc)"; cat "$W/w4x.err"; exit 1; }
[ "$rc2" = 2 ] && grep -q "need --quantize" "$W/w4y.err" || { echo "FAIL: --weight-bits without --quantize ($rc2)"; exit 1; }
[ ! -e "$W/w4x" ] || [ -z "$(ls -A "$W/w4x")" ] || { echo "FAIL: partial output after a usage error"; exit 1; }
"$TINYC" validate "$M" --quantize weights-int8 --test-data "$MODELS/mnist8" -q
"$TINYC" validate "$M" --quantize weights-int8 --target cortex-m4 --test-data "$MODELS/mnist8" -q
"$TINYC" validate "$M" --quantize int8 --calib "$MODELS/mnist8" --min-sqnr 40 --test-data "$MODELS/mnist8" -q

# Progress bar (shown after TINYC_PROGRESS_DELAY seconds, default 1): MobileNetV2 on 12 samples.
"$PY" - "$MODELS/mobilenetv2_128_050" "$W" <<'EOP'
import glob, os, sys
import numpy as np
from onnx import numpy_helper, TensorProto
xs = []
for d in sorted(glob.glob(os.path.join(sys.argv[1], "test_data_set_*"))):
    t = TensorProto()
    t.ParseFromString(open(os.path.join(d, "input_0.pb"), "rb").read())
    xs.append(numpy_helper.to_array(t))
np.save(os.path.join(sys.argv[2], "many.npy"), np.concatenate(xs * 4))
EOP
MB=$MODELS/mobilenetv2_128_050/model.onnx
TINYC_PROGRESS_DELAY=0 "$TINYC" convert "$MB" -o "$W/mb1" --quantize int8 --calib "$W/many.npy" 2>"$W/err1" >/dev/null
! grep -q "calibrating" "$W/err1" || { echo "FAIL: progress bar without a terminal"; cat "$W/err1"; exit 1; }
if command -v script >/dev/null; then
  script -qec "TINYC_PROGRESS_DELAY=0 '$TINYC' convert '$MB' -o '$W/mb2' --quantize int8 --calib '$W/many.npy' -q" "$W/tty1" >/dev/null
  ! grep -q "calibrating" "$W/tty1" || { echo "FAIL: progress bar with -q"; exit 1; }
  script -qec "TINYC_PROGRESS_DELAY=0 '$TINYC' convert '$MB' -o '$W/mb3' --quantize int8 --calib '$W/many.npy'" "$W/tty2" >/dev/null
  grep -q "calibrating: pass 2/2, 12/12 samples" "$W/tty2" || { echo "FAIL: no progress bar on a terminal"; cat "$W/tty2"; exit 1; }
fi
echo "ok: --quantize usage errors, calibration data forms, determinism, report, validate, per-layer report, --keep-float, --min-sqnr, weights-int8, progress bar"
