#!/usr/bin/env bash
# README command (a), scripts/quickstart.sh, builds only what it runs (issue 14 point 9): it must
# build the tinyc target only (not every test binary) and not create the Python venv. Runs the
# script in a copy of the scripts with `cmake` replaced by a recorder (which links this build's
# tinyc into place), the real setup.sh (packages already installed) and the real tinyc.
#   quickstart.sh <tinyc> <source dir>
set -euo pipefail
TINYC=$(readlink -f "$1")
SRC=$(cd "$2" && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
mkdir -p "$W/repo/scripts" "$W/repo/models" "$W/bin"
cp "$SRC"/scripts/{quickstart.sh,setup.sh,build.sh,requirements-test.txt} "$W/repo/scripts/"
cp -r "$SRC/models/mnist8" "$W/repo/models/"
cat >"$W/bin/cmake" <<EOS
#!/usr/bin/env bash
echo "cmake \$*" >>"$W/cmake.log"
if [ "\${1:-}" = --build ]; then mkdir -p build/apps && ln -sf "$TINYC" build/apps/tinyc; fi
EOS
chmod +x "$W/bin/cmake"
PATH="$W/bin:$PATH" bash "$W/repo/scripts/quickstart.sh" >"$W/out" 2>&1 || { echo "FAIL: quickstart.sh"; cat "$W/out"; exit 1; }
[ ! -e "$W/repo/.venv" ] || { echo "FAIL: quickstart.sh created .venv, which it does not use"; exit 1; }
b=$(grep -- "--build" "$W/cmake.log")
echo "$b" | grep -qE -- "--target tinyc( |$)" || { echo "FAIL: quickstart.sh builds more than tinyc: $b"; exit 1; }
grep -q "validate: ok" "$W/out" || { echo "FAIL: quickstart.sh did not validate"; cat "$W/out"; exit 1; }
echo "ok: quickstart.sh builds only tinyc, creates no venv, and validates mnist8"
