# A QDQ depthwise 1-D Conv (4096 channels) with a float bias and an output scale up to 8.3x finer than
# s_x * s_w: tinyc rounds the bias to the int32 accumulator scale, up to M/2 = 4 output steps from ONNX
# Runtime (which adds the float bias exactly); the unit check allows 1 + ceil(M/2) steps for such units.
# Long run seed 1, graph 852 (graph seed 1000855), shrunk from 59 nodes.
scripts/difftest.sh --model tests/difftest/regressions/qdq_dwconv_float_bias_fine_scale.onnx --path units:generic:O2:-O2 --path mcu:O2:-O2
