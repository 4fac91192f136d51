# Resize nearest (asymmetric, round_prefer_ceil) of width 7 to 2: output 1 reads x = 1 / (2/7) = 3.5,
# an exact tie: tinyc and the ONNX reference evaluator (double) take pixel 4, ONNX Runtime 1.19
# (single precision: 3.4999998) pixel 3. Not a tinyc bug: the checker leaves ORT out on such ties
# (nearest_tie in difftest.py); the interpreter and the C must still agree. Graph seed 1874354325046195.
scripts/difftest.sh --model tests/difftest/regressions/resize_nearest_tie_ort.onnx --path generic:O2:-O2 --path mcu:O2:-O2
