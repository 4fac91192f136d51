#!/usr/bin/env bash
# Post-training quantization on held-out data (issue 10): models/digits_cnn (trained by its
# train.py on scikit-learn's digits) quantized with --quantize int8 on its 100 calibration images;
# the generated C's top-1 on the 497 held-out images (never seen in training or calibration) must
# be within 0.5 points of the float model's with every calibration method, and at least ONNX
# Runtime's quantize_static (same calibration images, MinMax) on the same images; with
# --weight-bits 4 (int4 weights) within 1 point.
# Prints the table of scripts/benchmarks.py.
#   ptq_accuracy.sh <tinyc> <python> <source dir>
set -euo pipefail
TINYC=$1
PY=$2
cd "$3"
out=$("$PY" scripts/benchmarks.py --tinyc "$TINYC" --accuracy-only)
echo "$out" | grep -E '^\| (digits_cnn|mnist8)'
row() { echo "$out" | grep "^| digits_cnn | $1 | $2 " | awk -F'|' '{gsub(/ /, "", $5); print $5}'; }
float=$(row "float, ONNX Runtime" "-")
c_float=$(row "float, tinyc C" "-")
int8=$(row "int8, tinyc C" "mse (default)")
ort=$(row "int8, ONNX Runtime quantize_static" "minmax")
int4=$(row "int8, int4 weights (--weight-bits 4), tinyc C" "mse (default)")
others=$(for m in minmax percentile entropy; do row "int8, tinyc C" "$m"; done | paste -sd,)
mrow() { echo "$out" | grep "^| mnist8 | $1 | $2 " | awk -F'|' '{gsub(/ /, "", $5); print $5}'; }
mnist=$(mrow "float, ONNX Runtime" "-"),$(mrow "int8, tinyc C" "mse (default)")
"$PY" - "$float" "$c_float" "$int8" "$ort" "$int4" "$others" "$mnist" <<'EOP'
import sys
f, cf, q, o, q4 = map(float, sys.argv[1:6])
mf, mq = map(float, sys.argv[7].split(","))
assert mf - mq <= 0.5, f"mnist8 on the digits as MNIST images: int8 drop {mf - mq:.2f} points > 0.5"
for m, v in zip(("minmax", "percentile", "entropy"), map(float, sys.argv[6].split(","))):
    assert f - v <= 0.5, f"int8 with {m} calibration: drop {f - v:.2f} points > 0.5"

assert cf == f, f"float C {cf} != ONNX Runtime {f}"
assert f - q <= 0.5, f"int8 drop {f - q:.2f} points > 0.5"
assert q >= o, f"tinyc int8 {q} below ONNX Runtime's quantize_static {o}"
assert f - q4 <= 1.0, f"int4 weights: drop {f - q4:.2f} points > 1.0"
print(f"ok: digits_cnn held-out top-1 float {f:.2f}%, tinyc int8 {q:.2f}% (drop {f - q:.2f}), ORT quantize_static {o:.2f}%, "
      f"int4 weights {q4:.2f}% (drop {f - q4:.2f})")
EOP
