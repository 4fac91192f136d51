# A float island (LayerNormalization over all 4,096 values, between QuantizeLinear and
# DequantizeLinear) compiled for cortex-m55 with --io-dtype int8: the C sums in single precision
# (the MCU targets' accumulation), the interpreter in double, and 2 values land one integer step
# apart after the QuantizeLinear. The checker's one_step took the DequantizeLinear's scale as the
# step, but with --io-dtype int8 the output is the integers themselves (one step is 1). Long run
# seed 32 (graph seed 32000496), shrunk.
scripts/difftest.sh --model tests/difftest/regressions/layernorm_island_int8_io.onnx --path cortex-m55:O1:-O2:iodtype=int8
