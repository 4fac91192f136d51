# Long run seed 4, graph 1336 (cortex-m7 -Os, --io-dtype int8): a LayerNormalization float island in
# single precision moves two values across a rounding boundary of the int16 QuantizeLinear after it;
# one step of 0.00036019942 measures 0.00036025 at 1.1458 after both sides round q * scale to float,
# which the checker's one-step allowance did not leave room for (now: + 4 ulps of the output).
# (The full graph, where an integer Conv after the island spreads the step over 9 output steps, is
# the known failure layernorm-f32-acc; its rel was not computed on validate's random sets.)
scripts/difftest.sh --model tests/difftest/regressions/qdq_int16_island_step_f32.onnx --path cortex-m7:O2:-Os:iodtype=int8
