# difftest long run seed 26 (pinned e19d4e0), graph 1776 (seed 26001854): AveragePool -> Conv 2x1
# over 2 channels on the emulated Cortex-M4 gave 8 of 8 outputs wrong (0.23 off). The row-run
# convolution's inline assembly (runtime/arm_fpu/vldm.c, tinyc_taps4/8_vldm) declared its walked
# pointers and row count "+r" without early clobber; when gcc -O2 specialized the driver for the
# constant geometry (IPA-CP) the row count nr and the run length len were both the constant 2, and
# gcc gave them one register: the asm's `subs nr` then changed len. Every in-out asm operand is
# "+&r" now (vldm.c, dw3.c, qint_mve.c). Fails on the old code only emulated (host C has no asm).
scripts/difftest.sh --model tests/difftest/regressions/conv_rows_asm_inout_early_clobber.onnx --path cortex-m4:O2::emulate --path cortex-m55:O2::emulate
