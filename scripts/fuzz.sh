#!/usr/bin/env bash
# Fuzzing with libFuzzer + ASan/UBSan (clang), in build-fuzz/. Two targets: importer_fuzz (bytes
# -> importer) and compile_fuzz (bytes -> importer -> -O2 passes -> C backend, as tinyc convert).
#   scripts/fuzz.sh build                   build both fuzz targets
#   scripts/fuzz.sh run [SECONDS] [TARGET]  bounded run (TARGET importer, the default, or compile)
#                                           seeded from the bundled models and some node tests
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=build-fuzz
case "${1:-run}" in
  build)
    CC=clang CXX=clang++ cmake -S . -B "$BUILD" -G Ninja -DTINYC_FUZZ=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DCMAKE_C_FLAGS="-fsanitize=address,undefined" -DCMAKE_CXX_FLAGS="-fsanitize=address,undefined -fsanitize=fuzzer-no-link" >/dev/null
    cmake --build "$BUILD" -j "$(nproc)" --target importer_fuzz compile_fuzz
    ;;
  run)
    secs="${2:-60}"
    bin="$BUILD/tests/fuzz/${3:-importer}_fuzz"
    [ -x "$bin" ] || { echo "fuzz: $bin is missing; run scripts/fuzz.sh build first"; exit 1; }
    corpus=$(mktemp -d)
    trap 'rm -rf "$corpus"' EXIT
    i=0
    for m in models/*/model.onnx; do cp "$m" "$corpus/seed_$((i++)).onnx"; done
    for t in test_conv_with_strides_padding test_gemm_default_no_bias test_lstm_defaults test_resize_upsample_scales_linear \
             test_slice test_split_equal_parts_1d test_reshape_extended_dims test_qlinearconv test_softmax_axis_0 \
             test_lrn test_maxpool_2d_pads test_concat_2d_axis_0; do
      f=/usr/share/libonnx-testdata/data/node/$t/model.onnx
      [ -f "$f" ] && cp "$f" "$corpus/seed_$((i++)).onnx"
    done
    echo "fuzz: $(basename "$bin"), $i seeds, ${secs}s"
    ASAN_OPTIONS=detect_leaks=1 "$bin" "$corpus" -max_total_time="$secs" -rss_limit_mb=4096 -max_len=1048576 \
      -print_final_stats=1 2>&1 | tail -n 25
    ;;
esac
