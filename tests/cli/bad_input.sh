#!/usr/bin/env bash
# One bad-input case per invocation: bad_input.sh TINYC PYTHON CASE
# Checks: exit code (1 bad model/data, 2 bad usage), exactly one line on stderr starting with
# "tinyc: error:", the expected words in it, and no output written.
set -u
TINYC=$1
PY=$2
CASE=$3
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$PY" "$HERE/make_bad_models.py" "$W/m" || { echo "cannot generate models"; exit 1; }
M=$W/m
mkdir -p "$W/wrong/test_data_set_0"
"$PY" - "$W/wrong/test_data_set_0" <<'PYEOF' || { echo "cannot write test data"; exit 1; }
import sys, numpy as np
from onnx import numpy_helper
for n, a in (("input_0", [[-1, 2, -3, 4]]), ("output_0", [[0, 2, 0, 5]])):  # Relu would give 4, not 5
    open(f"{sys.argv[1]}/{n}.pb", "wb").write(numpy_helper.from_array(np.array(a, np.float32), n).SerializeToString())
PYEOF

expect() {  # expect CODE PATTERN -- command...
  local code=$1 pat=$2
  shift 3
  "$@" >"$W/out" 2>"$W/err"
  local rc=$?
  local lines
  lines=$(wc -l <"$W/err")
  if [ "$rc" -ne "$code" ]; then echo "FAIL: exit $rc, expected $code"; cat "$W/err"; exit 1; fi
  if [ "$lines" -ne 1 ]; then echo "FAIL: stderr has $lines lines, expected 1:"; cat "$W/err"; exit 1; fi
  if ! grep -q '^tinyc: error: ' "$W/err"; then echo "FAIL: no 'tinyc: error:' prefix"; cat "$W/err"; exit 1; fi
  if ! grep -Eq -- "$pat" "$W/err"; then echo "FAIL: stderr does not match /$pat/:"; cat "$W/err"; exit 1; fi
  if [ -e "$W/outdir" ] && [ -n "$(ls -A "$W/outdir")" ]; then echo "FAIL: output written"; ls -la "$W/outdir"; exit 1; fi
  echo "ok: $(cat "$W/err")"
}

case "$CASE" in
  empty) : >"$W/e.onnx"; expect 1 "empty" -- "$TINYC" inspect "$W/e.onnx" ;;
  truncated)
    head -c 20000 "$ROOT/models/mnist8/model.onnx" >"$W/t.onnx"
    expect 1 "not a valid ONNX model|truncated" -- "$TINYC" inspect "$W/t.onnx" ;;
  random_bytes)
    head -c 4096 /dev/urandom >"$W/r.onnx"
    expect 1 "ONNX|model|graph|opset" -- "$TINYC" inspect "$W/r.onnx" ;;
  not_onnx) expect 1 "not a valid ONNX model|not an ONNX model" -- "$TINYC" inspect "$ROOT/README.md" ;;
  missing_file) expect 1 "cannot open" -- "$TINYC" inspect "$W/nope.onnx" ;;
  directory) expect 1 "directory" -- "$TINYC" inspect "$W" ;;
  cycle) expect 1 "cycle.*'r[12]' \(Relu\)" -- "$TINYC" inspect "$M/cycle.onnx" ;;
  dangling) expect 1 "'add' \(Add\).*'ghost'" -- "$TINYC" inspect "$M/dangling.onnx" ;;
  mismatched_shapes) expect 1 "'add_bad' \(Add\).*broadcast" -- "$TINYC" inspect "$M/mismatch.onnx" ;;
  conv_channels) expect 1 "'conv1' \(Conv\)" -- "$TINYC" inspect "$M/conv_channels.onnx" ;;
  negative_dim) expect 1 "negative" -- "$TINYC" inspect "$M/negative_dim.onnx" ;;
  overflow_dims) expect 1 "overflow|too large" -- "$TINYC" inspect "$M/overflow_dims.onnx" ;;
  huge_initializer) expect 1 "'big'.*bytes" -- "$TINYC" inspect "$M/huge_initializer.onnx" ;;
  unknown_ops) expect 1 "BarOp.*FooOp" -- "$TINYC" run "$M/unknown_ops.onnx" -i "$M/good_input.npy" --output-dir "$W/outdir" ;;
  external_escape) expect 1 "\.\." -- "$TINYC" inspect "$M/external_escape.onnx" ;;
  opset_99) expect 1 "opset 99" -- "$TINYC" inspect "$M/opset_99.onnx" ;;
  symbolic_dim) expect 1 "dim 1 \('C'\).*--input-shape" -- "$TINYC" inspect "$M/symbolic_dim.onnx" ;;
  hostile_names)
    # Names are printed escaped: no raw control characters reach the terminal.
    "$TINYC" inspect "$M/hostile_names.onnx" >"$W/out" 2>&1 || { echo "FAIL: inspect failed"; cat "$W/out"; exit 1; }
    if LC_ALL=C grep -q $'\x1b' "$W/out"; then echo "FAIL: escape character printed raw"; exit 1; fi
    grep -q '\\x1b' "$W/out" || { echo "FAIL: escaped name not shown"; cat "$W/out"; exit 1; }
    echo ok ;;
  wrong_input_shape)
    expect 1 "expects f32\[1,4\]" -- "$TINYC" run "$M/good.onnx" -i "$W/m/wrong_input.npy" --output-dir "$W/outdir" ;;
  bad_input_file) expect 1 "neither a TensorProto" -- "$TINYC" run "$M/good.onnx" -i "$ROOT/README.md" --output-dir "$W/outdir" ;;
  wrong_input_count) expect 2 "1 input, 2 given" -- "$TINYC" run "$M/good.onnx" -i "$M/good_input.npy" -i "$M/good_input.npy" --output-dir "$W/outdir" ;;
  compile_error)
    # The compiler's own error line (here gcc's -Wframe-larger-than), not only its "In function" lines.
    CFLAGS="-O2 -Wframe-larger-than=8" expect 1 "does not compile with .*error: the frame size of [0-9]+ bytes is larger than 8 bytes" -- \
      "$TINYC" validate "$ROOT/models/mnist8/model.onnx" --random 1 ;;
  usage_no_subcommand)
    # The help on stdout, one error line on stderr, exit 2.
    expect 2 "a subcommand is required" -- "$TINYC"
    grep -q "^Subcommands:" "$W/out" && grep -q "^  convert " "$W/out" || { echo "FAIL: no help on stdout"; cat "$W/out"; exit 1; } ;;
  usage_unknown_flag) expect 2 "--frobnicate" -- "$TINYC" inspect "$M/good.onnx" --frobnicate ;;
  usage_bad_input_shape) expect 2 "input-shape" -- "$TINYC" inspect "$M/good.onnx" --input-shape x=1,a ;;
  arena_budget)
    expect 1 "arena needs [0-9]+ bytes but --arena-budget is 1024 \(lower bound [0-9]+ bytes; peak at node" -- \
      "$TINYC" convert "$ROOT/models/mnist8/model.onnx" -o "$W/outdir" --arena-budget 1K
    "$TINYC" convert "$ROOT/models/mnist8/model.onnx" -o "$W/ok" --arena-budget 1M -q || { echo "FAIL: 1M budget"; exit 1; } ;;
  usage_emulate_generic)
    expect 2 "no emulated machine for target 'generic'" -- "$TINYC" validate "$M/good.onnx" --emulate --random 1 ;;
  usage_bad_budget) expect 2 "arena-budget" -- "$TINYC" convert "$M/good.onnx" -o "$W/outdir" --arena-budget lots ;;
  usage_bad_io_layout) expect 2 "io-layout: nchwc not in" -- "$TINYC" convert "$M/good.onnx" -o "$W/outdir" --io-layout nchwc ;;
  usage_unknown_target)
    expect 2 "unknown target 'cortex-m1' \(targets: generic, cortex-m0plus, cortex-m3, cortex-m4" -- \
      "$TINYC" convert "$M/good.onnx" -o "$W/outdir" --target cortex-m1
    expect 2 "unknown target 'x'" -- "$TINYC" inspect "$M/good.onnx" --target x ;;
  plan_svg)
    "$TINYC" convert "$ROOT/models/kws_fp32/model.onnx" -o "$W/o" --plan-svg "$W/plan.svg" -q
    grep -q '^<svg ' "$W/plan.svg" || { echo "FAIL: no svg"; exit 1; }
    boxes=$(grep -c '<rect x=' "$W/plan.svg")
    [ "$boxes" -ge 10 ] || { echo "FAIL: only $boxes boxes"; exit 1; }
    grep -q 'peak</text>' "$W/plan.svg" || { echo "FAIL: peak not marked"; exit 1; }
    "$PY" -c "import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])" "$W/plan.svg" || { echo "FAIL: not XML"; exit 1; }
    echo "ok: plan SVG with $boxes boxes and the peak marked" ;;
  convert_atomic)
    # A failing convert (unknown op) leaves nothing in the output folder.
    mkdir -p "$W/outdir"
    expect 1 "unsupported ops" -- "$TINYC" convert "$M/unknown_ops.onnx" -o "$W/outdir" --report "$W/outdir/r.json" ;;
  run_ok)
    "$TINYC" run "$M/good.onnx" -i "$M/good_input.npy" --output-dir "$W/outdir" || exit 1
    "$PY" - "$W/outdir/output_0.pb" <<'PYEOF' || exit 1
import sys, onnx, numpy as np
from onnx import numpy_helper
t = onnx.load_tensor(sys.argv[1])
assert t.name == "y", t.name
np.testing.assert_array_equal(numpy_helper.to_array(t), np.array([[0, 2, 0, 4]], np.float32))
print("ok")
PYEOF
    ;;
  run_no_inputs)
    # A graph without inputs (a Constant) runs without -i; its output is the constant.
    "$TINYC" run "$M/constant_only.onnx" --output-dir "$W/ok" || { echo "FAIL: run without inputs"; exit 1; }
    "$PY" - "$W/ok/output_0.pb" <<'PYEOF' || exit 1
import sys, onnx, numpy as np
from onnx import numpy_helper
np.testing.assert_array_equal(numpy_helper.to_array(onnx.load_tensor(sys.argv[1])), np.array([[1.5, -2.0, 3.25]], np.float32))
print("ok: run on a graph without inputs")
PYEOF
    expect 2 "0 inputs, 1 given" -- "$TINYC" run "$M/constant_only.onnx" -i "$M/good_input.npy" --output-dir "$W/outdir"
    expect 2 "1 input, 0 given" -- "$TINYC" run "$M/good.onnx" --output-dir "$W/outdir" ;;
  validate_quiet)
    # -q: nothing on stdout or stderr on success; a failure still prints the comparison.
    "$TINYC" validate "$M/good.onnx" --random 1 -q >"$W/out" 2>&1 || { echo "FAIL: validate -q"; cat "$W/out"; exit 1; }
    [ ! -s "$W/out" ] || { echo "FAIL: validate -q printed:"; cat "$W/out"; exit 1; }
    "$TINYC" validate "$M/good.onnx" --test-data "$W/wrong" -q >"$W/out" 2>&1 && { echo "FAIL: wrong reference passed"; exit 1; }
    grep -q "vs ref       FAIL" "$W/out" && grep -q "validate: FAILED" "$W/out" || { echo "FAIL: -q hid the failure:"; cat "$W/out"; exit 1; }
    # ... with its reason (without --json): the worst element, got and expected.
    grep -q "^  1 of 4 elements differ; worst at 3: got 4 expected 5" "$W/out" || { echo "FAIL: no reason:"; cat "$W/out"; exit 1; }
    echo "ok: validate -q silent on success, prints a failure and its reason" ;;
  report_missing_dir)
    # --report into a missing folder fails before anything is written: no (empty) -o folder.
    expect 1 "cannot write '.*r\.json': folder '.*missing/dir' does not exist" -- \
      "$TINYC" convert "$M/good.onnx" -o "$W/outdir/new" --report "$W/missing/dir/r.json"
    [ ! -e "$W/outdir" ] || { echo "FAIL: output folder created"; ls -laR "$W/outdir"; exit 1; }
    expect 1 "cannot write" -- "$TINYC" convert "$M/good.onnx" -o "$W/outdir" --depfile "$W/missing/m.d"
    [ ! -e "$W/outdir" ] || { echo "FAIL: output folder created"; exit 1; }
    # Into -o itself or a folder that -o creates is fine.
    "$TINYC" convert "$M/good.onnx" -o "$W/new/out/" --depfile "$W/new/out/m.d" --report "$W/new/r.json" -q &&
      [ -s "$W/new/out/m.d" ] && [ -s "$W/new/r.json" ] || { echo "FAIL: --depfile/--report into the new -o"; exit 1; }
    echo "ok: missing folders refused before writing; -o's own folders accepted" ;;
  *) echo "unknown case $CASE"; exit 1 ;;
esac
