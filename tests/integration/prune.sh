#!/usr/bin/env bash
# --prune channels:R (issue 12) from the command line: the pruned digits CNN has fewer parameters,
# MACs and weight bytes in the report and its C equals the interpreter on the pruned graph
# (validate); the output is deterministic; a model whose channels cannot be followed (kws_fp32: its
# convolutions read int8 weights through DequantizeLinear) warns and stays whole; bad specs and
# the unimplemented unstructured form are usage errors (exit 2) that write nothing.
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
for bad in magnitude:0.5 channels:0 channels:1 channels:x filters:0.3; do
  rc=0
  "$TINYC" convert "$m" -o "$W/bad" -q --prune "$bad" 2>"$W/bad.log" || rc=$?
  [ "$rc" = 2 ] || { echo "--prune $bad: exit $rc, expected 2"; cat "$W/bad.log"; exit 1; }
  [ ! -e "$W/bad" ] || { echo "--prune $bad wrote output"; exit 1; }
  [ "$(wc -l < "$W/bad.log")" = 1 ] || { echo "--prune $bad: not a one-line error"; cat "$W/bad.log"; exit 1; }
done
echo "ok: --prune on the command line"
