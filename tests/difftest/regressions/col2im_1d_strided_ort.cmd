# graph seed 5477 (seventeenth session, the new Col2Im generator): a 1-D Col2Im with stride 3 over 3 channels: ORT 1.19 returns denormal garbage for channels 1 and 2, the ONNX reference evaluator and tinyc the columns' values (ort_unreliable: Col2Im over 1 or 3 spatial axes)
--path generic:O2:-O2
