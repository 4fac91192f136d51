# A Conv [1, 2] with pads after a Compress, on mcu with --patch 2: host gcc 12 -O2 rejected the
# row-run convolution's C (runtime/nhwc_rows.c) with -Werror=maybe-uninitialized on its per-pixel
# row arrays (it cannot see that rows r < nr were filled); they are initialized now. Found by the
# bounded difftest of the thirteenth session's fresh-clone test run (graph seed 1145862095576089).
scripts/difftest.sh --model tests/difftest/regressions/conv_rows_maybe_uninitialized.onnx --path mcu:O2:-O2:patch=2 --path cortex-m4:O2:-O2
