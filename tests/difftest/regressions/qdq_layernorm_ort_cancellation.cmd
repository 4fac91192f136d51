# A QDQ LayerNormalization island over 3072 nearly equal values (mean 0.62, variance 2.9e-5): ONNX Runtime
# computes E[x^2] - E[x]^2 in float and is 16 LSB off; the unit check now skips ORT for such units.
# Long run seed 2, graph 1216 (graph seed 2001222), shrunk to 4 nodes.
scripts/difftest.sh --model tests/difftest/regressions/qdq_layernorm_ort_cancellation.onnx --path units:interp --path units:mcu:O2:-O2
