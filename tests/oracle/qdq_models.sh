#!/usr/bin/env bash
# int8 models quantized by ONNX Runtime's quantize_static (tests/oracle/make_qdq_models.py) through
# tinyc's integer path, against ONNX Runtime (tests/oracle/qdq_units.py).
#   qdq_models.sh <tinyc> <python>
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
"$2" "$HERE/make_qdq_models.py" "$W" 2>/dev/null >/dev/null
"$2" "$HERE/qdq_units.py" "$1" "$W"
