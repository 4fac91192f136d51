# An int16 Conv unit (float bias; inputs up to 2e4, weights up to 1e-2, outputs up to 1.4e3 at an
# int16 scale of 3.1e-5): ONNX Runtime runs the unit in single precision, whose sums are 20 int16
# steps from the exact value that tinyc's interpreter computes. The units check now allows
# 1 + ceil(K 2^-23 sum|x w| / scale) steps (float_sum_allowance in difftest.py). Long run seed 6,
# graph 2752 (graph seed 6002770), shrunk to 3 nodes.
scripts/difftest.sh --model tests/difftest/regressions/qdq_int16_conv_ort_float32_sums.onnx --path units:interp
