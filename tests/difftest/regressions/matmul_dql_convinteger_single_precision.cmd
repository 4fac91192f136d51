# long run seed 19, graph 19002010: MatMul -> DynamicQuantizeLinear -> ConvInteger on cortex-m33 with NHWC io (single precision): 9 of 4104 sums a level apart (c_dql_flip)
--path cortex-m33:O0:-O2:nhwc --path generic:O2:-O2
