# MatMul [1,41] x [41,4] for cortex-m4 / mcu built with clang -O1/-O2 on x86-64 crashed (SIGSEGV): the model file
# declared the 8-byte aligned weights 'extern const float W[164];', clang assumed the ABI's 16 bytes of a large
# array and loaded them with movaps. Fixed: the extern declarations carry TINYC_WALIGN. Graph seed 764097197284745.
scripts/difftest.sh --model tests/difftest/regressions/matmul_clang_weight_align.onnx --path cortex-m4:O2:-O2:cc=clang --path mcu:O1:-O2:cc=clang --path cortex-m0plus:O1:-O2:cc=clang
