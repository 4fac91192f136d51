# A Gemm's C for cortex-m4 built with gcc 12 '-O1 -fsanitize=address' (+ validate's -Werror): false
# -Warray-bounds / -Wstringop-overflow on tinyc_copy_f32 inlined into the B packing (not with -O0/-O2/-O3,
# UBSan alone or clang); the ASan path of difftest.py now turns those two warnings off. Graph seed 9000077.
scripts/difftest.sh --model tests/difftest/regressions/gemm_asan_gcc_array_bounds.onnx --path cortex-m4:O0:-O1_-g_-fno-omit-frame-pointer_-fsanitize=address,undefined_-fno-sanitize-recover=all_-Wno-array-bounds_-Wno-stringop-overflow
