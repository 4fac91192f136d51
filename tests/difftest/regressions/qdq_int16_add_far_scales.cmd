# An int16 QDQ Add whose input scales are 3.7e6 apart: the shared 31-bit multipliers left the small
# side 9 fraction bits, 6 LSB off ORT (C == interpreter). int16 Adds now take 47-bit multipliers
# (tinyc_qadd64), and a ratio so large that it saturates any nonzero input is capped first.
# Long run seed 16 (graph seed 16003379).
scripts/difftest.sh --model tests/difftest/regressions/qdq_int16_add_far_scales.onnx --path units:generic:O2:-O2 --path generic:O0:-O0
