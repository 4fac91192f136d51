# long run seed 10, graph 10002426: a two-sided STFT (symmetric about 0) into DynamicQuantizeLinear -> ConvInteger: the zero point is 127.5 exactly, ORT rounds its 127.49995 down (dql_flip)
--path generic:O2:-O2 --path cortex-m4:O2:-O2
