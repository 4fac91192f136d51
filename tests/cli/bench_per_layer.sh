#!/usr/bin/env bash
# tinyc bench --emulate --per-layer (QEMU -icount): one row per node that runs, the MACs of the
# rows add up to the model's, their instructions to the inference's within 2% (the marks between
# steps cost a few instructions each), the rows are sorted by cost; --per-layer without --emulate
# is a usage error. And the report's kernel scratch per node and at the peak.
#   bench_per_layer.sh <tinyc> <python> <models dir>
set -euo pipefail
TINYC=$1
PY=$2
M=$3/kws_int8/model.onnx
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
set +e
"$TINYC" bench "$M" --per-layer >/dev/null 2>"$W/err"
rc=$?
set -e
[ $rc = 2 ] && grep -q "needs --emulate" "$W/err" || { echo "FAIL: --per-layer without --emulate: exit $rc"; cat "$W/err"; exit 1; }
"$TINYC" bench "$M" --target cortex-m4 --emulate --per-layer --json >"$W/b.json"
"$TINYC" convert "$M" --target cortex-m4 -o "$W/out" --report "$W/r.json" -q
"$PY" - "$W/b.json" "$W/r.json" <<'EOP'
import json, sys
b, r = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
layers = b["layers"]
total = b["instructions"]["median"]
assert len(layers) == 13, len(layers)  # kws_int8's 14 nodes on cortex-m4, one folded
assert sum(l["macs"] for l in layers) == r["macs"], (sum(l["macs"] for l in layers), r["macs"])
s = sum(l["instructions"] for l in layers)
assert abs(s - total) <= 0.02 * total, (s, total)
assert [l["instructions"] for l in layers] == sorted((l["instructions"] for l in layers), reverse=True)
assert all(l["instructions"] > 0 for l in layers if l["macs"] > 0), layers
# the report's kernel scratch per node (cortex-m4: for the SMLAD convolutions four receptive fields
# of K bytes, none for a 1x1 convolution that reads its input in place, and their widened quads,
# 32 ceil(K / 8) * 2 bytes: 160 + 320 for the first (K = 40), 0 + 512 for the pointwise ones
# (K = 64); a row of C zero points for the depthwise ones) and at the peak
sc = {n["name"]: n.get("scratch_bytes", 0) for n in r["nodes"]}
convs = [n for n in r["nodes"] if n["op"] == "Conv"]
assert len(convs) == 9 and all(sc[n["name"]] in (160 + 320, 0 + 512, 64) for n in convs), [sc[n["name"]] for n in convs]
assert r["peak"]["scratch_bytes"] == sc[r["peak"]["node"]], r["peak"]
print(f"ok: {len(layers)} layers, {s:.0f} instructions in the measurement build vs {total:.0f} per inference")
EOP
