# long run seed 19, graph 19000830: STFT -> DynamicQuantizeLinear -> ConvInteger on mcu (single precision): two quantized values a level apart from the interpreter, times weights up to 255 (c_dql_flip)
--path mcu:O0:-O2 --path generic:O2:-O2
