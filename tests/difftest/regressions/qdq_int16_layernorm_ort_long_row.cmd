# long run seed 10, graph 150 (seed 10000180): LayerNormalization over one row of 18,361 values into an int16 QuantizeLinear: ORT's single-precision sums put the output 3 steps off (ln_cancellation's running-sum estimate)
--path units:interp --path generic:O2:-O2
