# The same for QDQ Add(DequantizeLinear(constant), DequantizeLinear(x)). Graph seed 3154059267149536.
scripts/difftest.sh --model tests/difftest/regressions/qdq_add_const_first_table.onnx --path units:mcu:O2:-O2 --path units:generic:O2:-O2
