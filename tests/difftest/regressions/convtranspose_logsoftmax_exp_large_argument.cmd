# long run seed 10, graph 1412 (seed 10001442): ReduceSumSquare over 3,072 values -> ConvTranspose -> LogSoftmax -> Neg -> Exp at 9.8: the single-precision sums' absolute error becomes Exp's relative error (argument_allowance, back through LogSoftmax and Neg)
--path cortex-m4:O2:-O2 --path generic:O2:-O2
