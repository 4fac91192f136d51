#!/usr/bin/env bash
# Sparse weights and --prune magnitude:R (issue 12) from the command line:
# - models pruned in training (make_sparse_models.py: exact zeros in every weighted layer) convert
#   without any flag to fewer weight bytes than with --sparse off, and their C (zero-skipping
#   kernels: Conv 1-D/2-D with groups, depthwise, dilation, strides; Gemm; MatMul) matches ONNX
#   Runtime's outputs on generic, mcu, cortex-m0plus and on the emulated M4 and M55; quantized to
#   int8 it is bit-identical to the interpreter (generic, emulated M4 and M55);
# - --prune magnitude:0.75 on the digits CNN: the report's layers keep about a quarter of their
#   weights, the weight bytes and executed MACs drop, the C equals the interpreter on the pruned
#   graph (host and emulated M4, float and int8), the output is byte-identical run to run;
#   --prune-layer gives one layer its own fraction;
# - bad specs are usage errors (exit 2, one line) that write nothing.
#   sparse.sh <tinyc> <python> <source dir>
set -euo pipefail
TINYC=$1
PY=$2
cd "$3"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$PY" tests/integration/make_sparse_models.py "$W/m" >/dev/null
check() {  # check <log> <what>: the validate log says ok
  grep -q "validate: ok" "$1" || { echo "FAIL: $2"; cat "$1"; exit 1; }
}
exact() {  # exact <json> <what>: every output of every set equals the interpreter's
  "$PY" -c '
import json, sys
j = json.load(open(sys.argv[1]))
errs = [o["vs_interpreter"]["max_abs_err"] for s in j["sets"] for o in s["outputs"]]
assert j["ok"] and errs and all(e == 0 for e in errs), (sys.argv[2], errs)' "$1" "$2"
}
for m in sparse_cnn sparse_1d; do
  d=$W/m/$m
  "$TINYC" convert "$d/model.onnx" -o "$W/s" -q --report "$W/s.json"
  "$TINYC" convert "$d/model.onnx" -o "$W/d" -q --report "$W/d.json" --sparse off
  "$TINYC" convert "$d/model.onnx" -o "$W/a" -q --report "$W/a.json" --sparse smallest
  "$PY" - "$W/s.json" "$W/d.json" "$m" "$W/a.json" <<'EOP'
import json, sys
s, d, a = (json.load(open(f)) for f in sys.argv[1:3] + sys.argv[4:5])
# auto: only layers whose bitmap at most halves them; smallest: every layer it shrinks
assert all(2 * l["bytes"] <= l["dense_bytes"] for l in s["sparse"]), s["sparse"]
assert len(a["sparse"]) >= len(s["sparse"]) and a["weights_bytes"] <= s["weights_bytes"], (a["sparse"], s["sparse"])
layers = s["sparse"]
assert len(layers) >= 3 and not d["sparse"], (layers, d["sparse"])
assert s["weights_bytes"] < 0.5 * d["weights_bytes"], (s["weights_bytes"], d["weights_bytes"])
assert all(l["bytes"] < l["dense_bytes"] and l["nonzeros"] < l["weights"] for l in layers), layers
assert s["macs_executed"] < s["macs"] == d["macs"] == d["macs_executed"], (s["macs_executed"], s["macs"])
print(f"ok: {sys.argv[3]} pruned in training: {len(layers)} layers sparse, weights {d['weights_bytes']} -> "
      f"{s['weights_bytes']} bytes, MACs executed {s['macs']} -> {s['macs_executed']}")
EOP
  grep -q "tinyc_sparse_conv_f32(" "$W/s/model.c" || { echo "FAIL: $m: no sparse kernel call"; exit 1; }
  for t in generic mcu cortex-m0plus; do
    "$TINYC" validate "$d/model.onnx" --test-data "$d" --target $t >"$W/v.log" 2>&1 || true
    check "$W/v.log" "$m --target $t vs ONNX Runtime"
  done
  for t in cortex-m4 cortex-m55; do
    "$TINYC" validate "$d/model.onnx" --test-data "$d" --target $t --emulate >"$W/v.log" 2>&1 || true
    check "$W/v.log" "$m --target $t --emulate vs ONNX Runtime"
    "$TINYC" validate "$d/model.onnx" --test-data "$d" --target $t --emulate --quantize int8 --calib "$d/calib.npz" \
      --json >"$W/q.json" 2>"$W/q.log" || { cat "$W/q.log"; exit 1; }
    exact "$W/q.json" "$m int8 --target $t"
  done
  "$TINYC" validate "$d/model.onnx" --test-data "$d" --quantize int8 --calib "$d/calib.npz" --json >"$W/q.json" 2>/dev/null
  exact "$W/q.json" "$m int8 generic"
  # the kernels' scratch as declared (runtime/scratch.h): a -DTINYC_CHECK_SCRATCH build traps on a shortfall
  for t in generic mcu; do
    CFLAGS="-O1 -DTINYC_CHECK_SCRATCH" "$TINYC" validate "$d/model.onnx" --test-data "$d" --target $t >"$W/v.log" 2>&1 || true
    check "$W/v.log" "$m --target $t with the scratch checks"
    CFLAGS="-O1 -DTINYC_CHECK_SCRATCH" "$TINYC" validate "$d/model.onnx" --test-data "$d" --target $t --quantize int8 \
      --calib "$d/calib.npz" >"$W/v.log" 2>&1 || true
    check "$W/v.log" "$m int8 --target $t with the scratch checks"
  done
  "$TINYC" convert "$d/model.onnx" -o "$W/q" -q --quantize int8 --calib "$d/calib.npz" --target cortex-m4
  grep -q "tinyc_sparse_qconv_i8(" "$W/q/model.c" || { echo "FAIL: $m int8: no sparse kernel call"; exit 1; }
  echo "ok: $m validates (float vs ONNX Runtime; int8 bit-exact) on generic, mcu, cortex-m0plus, M4 and M55"
done

m=models/digits_cnn/model.onnx
"$TINYC" convert "$m" -o "$W/a" -q --report "$W/a.json"
"$TINYC" convert "$m" -o "$W/p" -q --report "$W/p.json" --prune magnitude:0.75
"$TINYC" convert "$m" -o "$W/p2" -q --prune magnitude:0.75
cmp "$W/p/model.c" "$W/p2/model.c"
cmp "$W/p/model_weights.c" "$W/p2/model_weights.c"
"$TINYC" convert "$m" -o "$W/l" -q --report "$W/l.json" --prune magnitude:0.5 --prune-layer /c3/Conv=0.9 \
  --prune-data models/digits_cnn/calib.npz
"$PY" - "$W/a.json" "$W/p.json" "$W/l.json" <<'EOP'
import json, sys
a, p, l = (json.load(open(f)) for f in sys.argv[1:4])
pr = p["prune"]
assert pr["kind"] == "magnitude" and pr["ratio"] == 0.75, pr
total = sum(x["weights"] for x in pr["layers"])
nz = sum(x["nonzeros"] for x in pr["layers"])
assert total == 3688 and nz == total - int(0.75 * total), (total, nz)
assert p["weights_bytes"] < 0.4 * a["weights_bytes"], (p["weights_bytes"], a["weights_bytes"])
assert p["macs_executed"] < 0.5 * p["macs"], (p["macs_executed"], p["macs"])
own = {x["node"]: x for x in l["prune"]["layers"]}
assert own["/c3/Conv"]["nonzeros"] == 2304 - int(0.9 * 2304), own["/c3/Conv"]
# --prune-data with a fixed fraction: the accuracy after against before, on those samples
assert l["prune"]["samples"] == 100 and 0 < l["prune"]["top1_agreement"] < 100 and l["prune"]["sqnr_db"] < 60, l["prune"]
print(f"ok: digits_cnn --prune magnitude:0.75: {nz} of {total} weights left, weights {a['weights_bytes']} -> "
      f"{p['weights_bytes']} bytes, MACs executed {p['macs']} -> {p['macs_executed']}")
EOP
"$TINYC" validate "$m" --prune magnitude:0.75 --random 2 >"$W/v.log" 2>&1 || true
check "$W/v.log" "digits_cnn --prune magnitude:0.75"
"$TINYC" validate "$m" --prune magnitude:0.75 --target cortex-m4 --emulate --random 2 >"$W/v.log" 2>&1 || true
check "$W/v.log" "digits_cnn --prune magnitude:0.75 --target cortex-m4 --emulate"
"$TINYC" validate "$m" --prune magnitude:0.75 --quantize int8 --calib models/digits_cnn/calib.npz --target cortex-m4 \
  --emulate --random 2 --json >"$W/q.json" 2>/dev/null
exact "$W/q.json" "digits_cnn --prune magnitude:0.75 int8 M4"

# A model quantized before tinyc (int8 weights behind DequantizeLinear): magnitude |q - z| * scale,
# pruned weights become zeros of the int8 form, stored sparse; the C stays bit-exact on the M4.
k=models/kws_int8/model.onnx
"$TINYC" convert "$k" -o "$W/k0" -q --report "$W/k0.json" --target cortex-m4
"$TINYC" convert "$k" -o "$W/k" -q --report "$W/k.json" --target cortex-m4 --prune magnitude:0.75
"$PY" - "$W/k0.json" "$W/k.json" <<'EOP'
import json, sys
a, p = (json.load(open(f)) for f in sys.argv[1:3])
nz, total = sum(x["nonzeros"] for x in p["prune"]["layers"]), sum(x["weights"] for x in p["prune"]["layers"])
assert total == 22016 and nz == total - int(0.75 * total), (nz, total)
assert p["weights_bytes"] < 0.6 * a["weights_bytes"] and p["sparse"], (p["weights_bytes"], a["weights_bytes"])
print(f"ok: kws_int8 --prune magnitude:0.75: weights {a['weights_bytes']} -> {p['weights_bytes']} bytes")
EOP
"$TINYC" validate "$k" --prune magnitude:0.75 --target cortex-m4 --emulate --random 2 --json >"$W/q.json" 2>/dev/null
exact "$W/q.json" "kws_int8 --prune magnitude:0.75 M4"
# The accuracy guard on weights: --prune magnitude with --prune-max-drop chooses each layer's fraction
# of its weights (steps of 1/8 up to 7/8) keeping the top-1 agreement on the calibration images.
"$TINYC" convert "$m" -o "$W/g" -q --report "$W/g.json" --prune magnitude --prune-max-drop 0.5 \
  --prune-data models/digits_cnn/calib.npz
"$PY" - "$W/g.json" <<'EOP'
import json, sys
r = json.load(open(sys.argv[1]))
g = r["prune"]
assert g["kind"] == "magnitude" and g["top1_agreement"] >= 99.5 and g["samples"] == 100, g
total, nz = sum(x["weights"] for x in g["layers"]), sum(x["nonzeros"] for x in g["layers"])
assert nz < 0.6 * total and r["weights_bytes"] < 0.7 * 14952, (nz, total, r["weights_bytes"])
rows = g["sensitivity"]
assert len(rows) == 3 * len(g["layers"]) and all("nonzeros" in x and "model_nonzeros" in x for x in rows), rows
print(f"ok: the guard on weights kept {g['top1_agreement']} % agreement with {nz} of {total} weights "
      f"({r['weights_bytes']} bytes) after {g['trials']} trials")
EOP
for bad in "--prune magnitude:0" "--prune magnitude:1" "--prune magnitude:" "--sparse on" "--prune magnitude" \
           "--prune magnitude:0.5 --prune-max-drop 1 --prune-data models/digits_cnn/calib.npz"; do
  rc=0
  # shellcheck disable=SC2086
  "$TINYC" convert "$m" -o "$W/bad" -q $bad 2>"$W/bad.log" || rc=$?
  [ "$rc" = 2 ] || { echo "$bad: exit $rc, expected 2"; cat "$W/bad.log"; exit 1; }
  [ ! -e "$W/bad" ] || { echo "$bad wrote output"; exit 1; }
  [ "$(wc -l <"$W/bad.log")" = 1 ] || { echo "$bad: not a one-line error"; cat "$W/bad.log"; exit 1; }
done
echo "ok: sparse weights and --prune magnitude on the command line"
