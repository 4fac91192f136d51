# A QDQ graph whose unit (cut at the QuantizeLinear outputs) holds a channels-last float depthwise Conv
# with channel multiplier 2 and its weights as a graph input, on mcu: gcc 12 -O2
# -Werror=maybe-uninitialized on the per-pixel tap list (ti[t]): the generated C did not compile. The
# pixel kernel now walks the in-input column range [kx0, kx1) instead of a list filled under a condition.
# Long run seed 12 (graph seed 12001866).
scripts/difftest.sh --model tests/difftest/regressions/qdq_dw_mult_maybe_uninitialized.onnx --path units:mcu:O2:-O2 --path mcu:O2:-O2 --path cortex-m4:O2:-Os
