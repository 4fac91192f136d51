#!/usr/bin/env bash
# python.wheel: the wheel scripts/wheel.sh built (build/dist) installs into a fresh venv of the
# machine's stock Python (no system site-packages, no TINYC_BINARY) and works there without the
# Debian C++ libraries: the tag is manylinux, every shared library the installed executable loads
# is glibc's, libstdc++/libgcc/zlib (the manylinux policy's) or one the wheel carries; `tinyc
# --version`, `import tinyc` and a conversion (CLI and API) give what the build tree's tinyc gives.
#   wheel_install.sh <source dir> <build tree's tinyc>
set -euo pipefail
SRC=$(cd "$1" && pwd)
REF=$(cd "$(dirname "$2")" && pwd)/$(basename "$2")
fail() { echo "FAIL: $*" >&2; exit 1; }
shopt -s nullglob
wheels=("$SRC"/build/dist/tinyc-*.whl)
[ ${#wheels[@]} -eq 1 ] || fail "expected one wheel in build/dist (scripts/wheel.sh builds it), found ${#wheels[@]}"
WHL=${wheels[0]}
case "$(basename "$WHL")" in *-py3-none-manylinux_*_x86_64.whl) ;; *) fail "not a manylinux py3 wheel: $WHL" ;; esac
echo "wheel: $(basename "$WHL") ($(stat -c %s "$WHL") bytes)"

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
unset TINYC_BINARY PYTHONPATH
cd "$TMP"
/usr/bin/python3 -m venv venv
venv/bin/python -m pip install -q --disable-pip-version-check "$WHL" || fail "pip install of the wheel"
SITE=$(realpath "$(venv/bin/python -c "import sysconfig; print(sysconfig.get_paths()['platlib'])")")
EXE=$SITE/tinyc/bin/tinyc
[ -x "$EXE" ] || fail "no executable at $EXE"

# Shared libraries: the policy's system ones or the wheel's own copies (tinyc.libs).
ldd "$EXE" >ldd.txt
cat ldd.txt
if grep -q "not found" ldd.txt; then fail "a library is not found"; fi
while read -r lib _ path _; do
  case "$lib" in
    linux-vdso.so.*|/lib64/ld-linux-x86-64.so.2|libc.so.6|libm.so.6|libstdc++.so.6|libgcc_s.so.1|libz.so.1|libpthread.so.0|libdl.so.2|librt.so.1) continue ;;
  esac
  case "$(realpath "$path")" in "$SITE"/tinyc.libs/*) ;; *) fail "$lib is loaded from $path, outside the wheel" ;; esac
done <ldd.txt
grep -q "tinyc.libs/libonnx_proto" ldd.txt || fail "onnx_proto is not the wheel's copy"
grep -q "tinyc.libs/libprotobuf" ldd.txt || fail "protobuf is not the wheel's copy"

# The `tinyc` command (the entry point runs the packaged executable) and the module.
venv/bin/tinyc --version | tee version.txt
grep -q "^tinyc [0-9]" version.txt && grep -q "ONNX opsets" version.txt && grep -q "git revision" version.txt \
  || fail "tinyc --version"
diff <(venv/bin/tinyc --version) <("$REF" --version) || fail "the wheel's tinyc is not the build tree's"
venv/bin/python -c "import tinyc, sys; print('import tinyc:', tinyc.version(), tinyc.binary())" | tee import.txt
grep -q "$SITE/tinyc/bin/tinyc" import.txt || fail "the module does not run the packaged executable"
set +e
venv/bin/tinyc convert "$SRC/models/mnist8/model.onnx" --target nope -o bad 2>err.txt
rc=$?
set -e
[ $rc -eq 2 ] && grep -q "unknown target 'nope'" err.txt || fail "exit code $rc for a bad target (2 expected)"

# A conversion through the CLI and through the API gives the build tree's files, byte for byte.
M=$SRC/models/mnist8/model.onnx
"$REF" convert "$M" -o ref --target cortex-m4 --name m8 --quiet
venv/bin/tinyc convert "$M" -o cli --target cortex-m4 --name m8 --quiet
venv/bin/python - "$M" <<'PY'
import pathlib, sys
import tinyc
r = tinyc.convert(sys.argv[1], "api", target="cortex-m4", name="m8")
assert sorted(r["files"]) == ["m8.c", "m8.h", "m8_weights.c"], sorted(r["files"])
assert r["report"]["target"] == "cortex-m4" and r["report"]["arena_bytes"] > 0
for n, text in r["files"].items():
    assert pathlib.Path("api", n).read_text() == text, n
print("api: converted,", r["report"]["arena_bytes"], "bytes of arena")
PY
diff -r ref cli >/dev/null || fail "the wheel's CLI output differs from the build tree's"
diff -r ref api >/dev/null || fail "the API's output differs from the build tree's"
# The installed executable builds and runs the C on the host (its runtime sources are inside it).
venv/bin/tinyc validate "$M" --test-data "$SRC/models/mnist8" -q || fail "validate with the wheel's tinyc"
echo "ok: the wheel installs into a fresh venv of $(/usr/bin/python3 --version) and converts without the Debian libraries"
