# A Gemm [3,2] x [32,2]^T on generic built with gcc 12 -O3 -march=native (AVX-512: 32-column
# panels): gcc proved "iteration 63 invokes undefined behavior" (-Werror=aggressive-loop-
# optimizations) in tinyc_gemm_pack_b's column-wise loop that zero-pads a transposed B panel, a
# path this shape never takes; the padding is now one memset per row. Long run seed 32 (graph
# seed 32002397), shrunk.
scripts/difftest.sh --model tests/difftest/regressions/gemm_pack_zero_columns_o3_native.onnx --path generic:O2:-O3_-march=native --path generic:O0:-O0
