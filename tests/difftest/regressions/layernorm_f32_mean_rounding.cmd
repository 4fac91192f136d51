# Fixed 2026-12-05 (was known failure layernorm-f32-acc): LayerNormalization -> Erf -> Conv on --target mcu,
# 3 of 210 outputs 1.5e-5 * max|ref| off: the float rounding of a nearly constant row's mean, magnified by
# 1/sqrt(var + epsilon). The single-precision kernel now corrects the mean (corrected two-pass form).
# Shrunk from graph seed 6000059 (difftest --seed 6).
scripts/difftest.sh --model tests/difftest/regressions/layernorm_f32_mean_rounding.onnx --path mcu:O2:-Os
