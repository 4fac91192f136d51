# A QDQ depthwise Conv of 3 channels on cortex-m4 at -Os: gcc -Werror=array-bounds on the four-channel
# block reading bias[c + 3] (a block that never runs): the generated C did not compile. The emitter now
# pads the per-channel arrays to a multiple of four. Long run seed 2, graph 902 (graph seed 2000908).
scripts/difftest.sh --model tests/difftest/regressions/qdq_dw3_array_bounds.onnx --path cortex-m4:O2:-Os --path cortex-m7:O2:-O2
