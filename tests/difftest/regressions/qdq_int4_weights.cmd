# A QDQ Conv whose weights are an ONNX INT4 initializer (opset 21, per-channel scales): imported as
# int8 values with QuantParams::bits = 4, packed again two per byte, run by tinyc_qconv_i4 on the
# MCU targets; the unit must match ONNX Runtime (checked here with the interpreter and the C).
scripts/difftest.sh --model tests/difftest/regressions/qdq_int4_weights.onnx --path generic:O2:-O2 --path cortex-m4:O2:-O2 --path units:mcu:O2:-O2
