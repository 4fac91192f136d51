#!/usr/bin/env bash
# Differential testing (issue 17): seeded random ONNX graphs (float and QDQ int8) through the
# reference interpreter, ONNX Runtime and the generated C for every target; a failure is shrunk
# to a minimal graph. See docs/conformance.md.
#   scripts/difftest.sh --graphs N [--seed S] [--jobs J] [--out DIR] [--time-limit SEC] [--no-shrink] [-v]
#   scripts/difftest.sh --graph-seed G                                   one graph of a run again
#   scripts/difftest.sh --model FILE.onnx [--path TARGET:O2:-O2 ...]     re-check one saved repro
#   scripts/difftest.sh --regressions tests/difftest/regressions           every saved repro
# The last line is "N passed, M failed"; the exit status is 1 when M > 0.
# Environment: TINYC (default build/apps/tinyc), PYTHON (default .venv/bin/python).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TINYC=${TINYC:-$ROOT/build/apps/tinyc}
PY=${PYTHON:-$ROOT/.venv/bin/python}
[ -x "$PY" ] || PY=python3
exec "$PY" "$ROOT/tests/difftest/difftest.py" --tinyc "$TINYC" "$@"
