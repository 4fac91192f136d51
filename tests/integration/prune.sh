#!/usr/bin/env bash
# --prune channels:R, --prune-layer and the accuracy guards --prune-max-drop / --prune-min-sqnr (issue 12) from the command line: the pruned digits CNN has fewer parameters,
# MACs and weight bytes in the report and its C equals the interpreter on the pruned graph
# (validate); the output is deterministic; a model whose channels cannot be followed (kws_fp32: its
# convolutions read int8 weights through DequantizeLinear) warns and stays whole; bad specs are
# usage errors (exit 2) that write nothing (--prune magnitude:R: sparse.sh).
#   prune.sh <tinyc> <python> <source dir>
set -euo pipefail
TINYC=$1
PY=$2
cd "$3"
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
m=models/digits_cnn/model.onnx
"$TINYC" convert "$m" -o "$W/a" -q --report "$W/a.json"
"$TINYC" convert "$m" -o "$W/p" -q --report "$W/p.json" --prune channels:0.25
"$TINYC" convert "$m" -o "$W/q" -q --prune channels:0.25
cmp "$W/p/model.c" "$W/q/model.c"
cmp "$W/p/model_weights.c" "$W/q/model_weights.c"
"$PY" - "$W/a.json" "$W/p.json" <<'EOP'
import json, sys
a, p = (json.load(open(f)) for f in sys.argv[1:3])
for k in ("params", "macs", "weights_bytes"):
    assert p[k] < a[k], f"{k}: pruned {p[k]} not below {a[k]}"
st = [r.get("stats", {}) for r in p["passes"] if r["name"] == "prune"]
assert st and st[0].get("layers pruned") == 3, st
print(f"ok: digits_cnn pruned 25%: params {a['params']} -> {p['params']}, MACs {a['macs']} -> {p['macs']}, "
      f"weights {a['weights_bytes']} -> {p['weights_bytes']} bytes")
EOP
"$TINYC" validate "$m" --prune channels:0.5 --prune-norm l2 >"$W/v.log" 2>&1 || { cat "$W/v.log"; exit 1; }
grep -q "validate: ok" "$W/v.log"
"$TINYC" validate "$m" --prune channels:0.25 --target cortex-m4 --emulate >"$W/e.log" 2>&1 || { cat "$W/e.log"; exit 1; }
"$TINYC" convert models/kws_fp32/model.onnx -o "$W/k" -q --prune channels:0.25 2>"$W/k.log"
grep -q "warning: --prune: no layer's channels could be followed" "$W/k.log"
# --prune-layer: that layer alone; the accuracy guard on the digits CNN's calibration images keeps
# the top-1 agreement there within half a point and still removes channels.
"$TINYC" convert "$m" -o "$W/l" -q --report "$W/l.json" --prune-layer /c2/Conv=0.5
"$TINYC" convert "$m" -o "$W/g" -q --report "$W/g.json" --prune-max-drop 0.5 --prune-data models/digits_cnn/calib.npz
"$PY" - "$W/l.json" "$W/g.json" <<'EOP'
import json, sys
l, g = (json.load(open(f))["prune"] for f in sys.argv[1:3])
kept = {x["node"]: (x["channels"], x["kept"]) for x in l["layers"]}
assert kept["/c2/Conv"] == (16, 8) and kept["/c1/Conv"] == (8, 8) and kept["/c3/Conv"] == (16, 16), kept
assert g["top1_agreement"] >= 99.5 and g["samples"] == 100 and g["trials"] > 3, g
assert sum(x["channels"] - x["kept"] for x in g["layers"]) > 0, g
assert all(x["kept"] % 4 == 0 or x["kept"] == x["channels"] for x in g["layers"]), g  # steps of 4 channels
# the sensitivity table: each layer alone at 1/4, 1/2 and 3/4 (/c2/Conv at 1/2 keeps the 8 channels
# --prune-layer /c2/Conv=0.5 kept), and removing more of a layer never adds MACs
rows = {(x["node"], x["ratio"]): x for x in g["sensitivity"]}
assert sorted(rows) == sorted((n, r) for n in kept for r in (0.25, 0.5, 0.75)), sorted(rows)
assert rows[("/c2/Conv", 0.5)]["kept"] == kept["/c2/Conv"][1] == 8, rows
assert all(rows[(n, 0.25)]["macs"] >= rows[(n, 0.5)]["macs"] >= rows[(n, 0.75)]["macs"] for n in kept), rows
assert all(0 <= x["top1_agreement"] <= 100 for x in rows.values()), rows
print(f"ok: the guard kept {g['top1_agreement']} % agreement on {g['samples']} images after {g['trials']} trials: "
      + ", ".join(f"{x['node']} {x['kept']}/{x['channels']}" for x in g["layers"]))
EOP
# Residual blocks (issue 12): MobileNetV2's projection convolutions joined by Adds are pruned together
# (35 of its 53 layers at 25%, where without the groups 20 were), and its C still equals the interpreter.
mb=models/mobilenetv2_128_050/model.onnx
"$TINYC" convert "$mb" -o "$W/mb" -q --report "$W/mb.json" --prune channels:0.25 --target cortex-m4
"$PY" - "$W/mb.json" <<'EOP'
import json, sys
r = json.load(open(sys.argv[1]))
cut = [x for x in r["prune"]["layers"] if x["kept"] < x["channels"]]
assert len(cut) >= 30, len(cut)
names = {x["node"].split("/")[-2] for x in cut}
assert {"LAYER_6", "LAYER_14", "LAYER_22"} <= names, sorted(names)  # a stage's projections, joined by its Adds
print(f"ok: mobilenetv2 at 25%: {len(cut)} layers pruned (residual groups together), params {r['params']:,}")
EOP
"$TINYC" validate "$mb" --prune channels:0.25 --target cortex-m4 --random 1 >"$W/mb.log" 2>&1 || { cat "$W/mb.log"; exit 1; }
grep -q "validate: ok" "$W/mb.log"
# The SQNR guard (any model): the ad01 autoencoder (its output is not a classifier's) keeps the SQNR
# of its outputs against the unpruned model's on its 4 test inputs at 8 dB or more and still prunes;
# --prune-max-drop on it is a usage error that names --prune-min-sqnr.
a=models/ad01_fp32
"$TINYC" convert "$a/model.onnx" -o "$W/s" -q --report "$W/s.json" --prune-min-sqnr 8 --prune-data "$a"
"$PY" - "$W/s.json" <<'EOP'
import json, sys
g = json.load(open(sys.argv[1]))["prune"]
assert g["min_sqnr"] == 8 and 8 <= g["sqnr_db"] < 999 and g["samples"] == 4, g
assert sum(x["channels"] - x["kept"] for x in g["layers"]) > 0, g["layers"]
assert all("sqnr_db" in x for x in g["sensitivity"]) and len(g["sensitivity"]) == 3 * len(g["layers"]), g["sensitivity"]
print(f"ok: the SQNR guard kept {g['sqnr_db']:.1f} dB (bound 8) after {g['trials']} trials: "
      f"{sum(x['kept'] for x in g['layers'])} of {sum(x['channels'] for x in g['layers'])} channels")
EOP
"$PY" -c 'import numpy as np, sys; np.savez(sys.argv[1], dense_2_input=np.linspace(0, 6, 8, dtype=np.float32).reshape(8, 1))' "$W/sine.npz"
rc=0
"$TINYC" convert models/hello_sine/model.onnx -o "$W/bad" -q --prune-max-drop 1 --prune-data "$W/sine.npz" 2>"$W/bad.log" || rc=$?
[ "$rc" = 2 ] && grep -q -- "--prune-min-sqnr" "$W/bad.log" || { echo "FAIL: --prune-max-drop on a regression model: exit $rc"; cat "$W/bad.log"; exit 1; }
for bad in magnitude:1.5 channels:0 channels:1 channels:x filters:0.3; do
  rc=0
  "$TINYC" convert "$m" -o "$W/bad" -q --prune "$bad" 2>"$W/bad.log" || rc=$?
  [ "$rc" = 2 ] || { echo "--prune $bad: exit $rc, expected 2"; cat "$W/bad.log"; exit 1; }
  [ ! -e "$W/bad" ] || { echo "--prune $bad wrote output"; exit 1; }
  [ "$(wc -l < "$W/bad.log")" = 1 ] || { echo "--prune $bad: not a one-line error"; cat "$W/bad.log"; exit 1; }
done
for bad in "--prune-max-drop 1" "--prune-data models/digits_cnn/calib.npz" \
           "--prune channels:0.25 --prune-max-drop 1 --prune-data models/digits_cnn/calib.npz" "--prune-layer c2" \
           "--prune-layer /c2/Conv=2" "--prune-min-sqnr 8" \
           "--prune-max-drop 1 --prune-min-sqnr 8 --prune-data models/digits_cnn/calib.npz"; do
  rc=0
  # shellcheck disable=SC2086
  "$TINYC" convert "$m" -o "$W/bad" -q $bad 2>"$W/bad.log" || rc=$?
  [ "$rc" = 2 ] || { echo "$bad: exit $rc, expected 2"; cat "$W/bad.log"; exit 1; }
  [ ! -e "$W/bad" ] || { echo "$bad wrote output"; exit 1; }
done
echo "ok: --prune on the command line"
