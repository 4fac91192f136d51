# QDQ Mul(DequantizeLinear(constant), DequantizeLinear(x)) lowered to a table: the table builder fed x
# to input 0 (the constant) too, so the table was x * x (C == interpreter, both wrong; 1 LSB check
# against ONNX Runtime per unit caught it). Constants are now bound in any position. Seed 3154059267149464.
scripts/difftest.sh --model tests/difftest/regressions/qdq_mul_const_first_table.onnx --path units:mcu:O2:-O2 --path units:generic:O2:-O2
