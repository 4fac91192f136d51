# long run seed 11, graph 2217 (seed 11002250): AffineGrid with align_corners over a height of 1: ORT 1.19 puts the row at y = +1, the ONNX reference, PyTorch and tinyc at -1 (ort_unreliable)
--path generic:O2:-O2
