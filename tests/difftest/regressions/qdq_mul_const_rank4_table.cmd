# QDQ Mul(DequantizeLinear(c of shape [1,1,1,1]), DequantizeLinear(x)) lowered to a table crashed tinyc
# (heap corruption): once constants were bound in any position, the one-element rank-4 constant
# broadcast the 256-entry table to rank 4 inside a {256} output. It is now bound as a scalar.
# Graph seed 2029773907303594 (the test command's bounded run, seed 2029767818).
scripts/difftest.sh --model tests/difftest/regressions/qdq_mul_const_rank4_table.onnx --path generic:O2:-O2 --path units:mcu:O2:-O2
