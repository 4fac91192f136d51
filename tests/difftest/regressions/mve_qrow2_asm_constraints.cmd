# An int8 Gemm of one row ([1,30] x [8,30]^T, per-channel weights) for cortex-m55: gcc 12 -O2 made a
# constant-propagated copy of tinyc_qrow2_mve_i8 and rejected its inline assembly ("'asm' operand
# has impossible constraints": eight even-register sums, three walked pointers and the end
# pointer as a plain input). The end pointer is now an in-out operand. Long run seed 32 (graph
# seed 32002717), shrunk.
scripts/difftest.sh --model tests/difftest/regressions/mve_qrow2_asm_constraints.onnx --path cortex-m55:O2::emulate --path cortex-m55:O2:-O2
