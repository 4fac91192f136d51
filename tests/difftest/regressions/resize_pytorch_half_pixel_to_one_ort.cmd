# bounded run seed 1206, graph 78 (seed 1206003696): linear pytorch_half_pixel Resize of width 3 by 0.5 (1.5 -> one element): ORT 1.19 samples x = 0, the ONNX reference and tinyc x = 0.5 (ort_unreliable)
--path generic:O2:-O2
