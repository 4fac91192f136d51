#!/usr/bin/env bash
# Builds and runs examples/make and examples/cmake against this build of tinyc, then checks that
# touching the model regenerates the C (depfile / DEPENDS wiring), that the depfile names the
# tinyc executable (a new compiler regenerates the C), and that find_package(tinyc) also works
# from the build tree without installing (-Dtinyc_DIR=<build> and CMAKE_PREFIX_PATH=<build>).
#   examples.sh <make|cmake> <tinyc build dir> <source dir>
set -euo pipefail
KIND=$1
BUILD=$(cd "$2" && pwd)
SRC=$(cd "$3" && pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
cp "$SRC/models/hello_sine/model.onnx" "$W/sine.onnx"

case "$KIND" in
  make)
    cp -r "$SRC/examples/make" "$W/ex"
    make -s -C "$W/ex" TINYC="$BUILD/apps/tinyc" MODEL="$W/sine.onnx"
    "$W/ex/build/sine"
    grep -q "sine.onnx" "$W/ex/build/sine.d" || { echo "FAIL: depfile does not name the model"; exit 1; }
    grep -qF " $(readlink -f "$BUILD/apps/tinyc")" "$W/ex/build/sine.d" ||
      { echo "FAIL: depfile does not name the tinyc executable:"; cat "$W/ex/build/sine.d"; exit 1; }
    before=$(stat -c %Y.%N "$W/ex/build/sine.c" 2>/dev/null || stat -c %Y "$W/ex/build/sine.c")
    sleep 1.1
    touch "$W/sine.onnx"
    out=$(make -C "$W/ex" TINYC="$BUILD/apps/tinyc" MODEL="$W/sine.onnx")
    echo "$out" | grep -q "tinyc.*convert" || { echo "FAIL: touching the model did not regenerate:"; echo "$out"; exit 1; }
    echo "ok: make example built, ran, and regenerated after the model changed"
    ;;
  cmake)
    cmake --install "$BUILD" --prefix "$W/prefix" --component Unspecified >/dev/null
    cp -r "$SRC/examples/cmake" "$W/ex"
    cmake -S "$W/ex" -B "$W/b" -G Ninja -DCMAKE_PREFIX_PATH="$W/prefix" -DTINYC_EXAMPLE_MODEL="$W/sine.onnx" >/dev/null
    cmake --build "$W/b" >/dev/null
    "$W/b/sine"
    sleep 1.1
    touch "$W/sine.onnx"
    out=$(cmake --build "$W/b" 2>&1)
    echo "$out" | grep -q "tinyc: generating C for sine" || { echo "FAIL: touching the model did not regenerate:"; echo "$out"; exit 1; }
    grep -qF " $(readlink -f "$W/prefix/bin/tinyc")" "$W/b/tinyc_models/sine/sine.d" ||
      { echo "FAIL: depfile does not name the tinyc executable:"; cat "$W/b/tinyc_models/sine/sine.d"; exit 1; }
    # From the build tree, without installing: both routes.
    for how in "-Dtinyc_DIR=$BUILD" "-DCMAKE_PREFIX_PATH=$BUILD"; do
      rm -rf "$W/bt"
      cmake -S "$W/ex" -B "$W/bt" -G Ninja "$how" -DTINYC_EXAMPLE_MODEL="$W/sine.onnx" >"$W/log" 2>&1 ||
        { echo "FAIL: configure with $how"; cat "$W/log"; exit 1; }
      cmake --build "$W/bt" >"$W/log" 2>&1 || { echo "FAIL: build with $how"; cat "$W/log"; exit 1; }
      "$W/bt/sine" >/dev/null
      grep -qF " $(readlink -f "$BUILD/apps/tinyc")" "$W/bt/tinyc_models/sine/sine.d" ||
        { echo "FAIL: $how: depfile does not name the build tree's tinyc:"; cat "$W/bt/tinyc_models/sine/sine.d"; exit 1; }
    done
    echo "ok: cmake example found tinyc (installed, and from the build tree), built, ran, and regenerated after the model changed"
    ;;
esac
