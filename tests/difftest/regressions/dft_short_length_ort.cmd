# long run seed 12, graph 2858 (seed 12002894): an inverse DFT-19 with dft_length 7 over an axis of 55: ORT 1.19 gives zeros, the ONNX reference and tinyc truncate the signal (ort_unreliable)
--path generic:O2:-O2 --path cortex-m4:O2:-O2
