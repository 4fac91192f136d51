# ConvTranspose [1,2,1,1] with a 4x2 kernel on the generic target: gcc -O2 rejected the generated C
# ('iteration 2147483643 invokes undefined behavior', -Werror=aggressive-loop-optimizations) in the
# zero fill of tinyc_gemm_pack_a (a loop continuing the previous one's counter); the fill now runs
# over the panel's rows. Graph seed 3154059267149436.
scripts/difftest.sh --model tests/difftest/regressions/convtranspose_gemm_pack_ub.onnx --path generic:O2:-O2 --path generic:O2:-O3
