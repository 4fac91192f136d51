# difftest seed 7373, graph 105 (seed 7373022224): a Conv 5x3 with only bottom padding (3) on the host's direct convolution, first version: it read the input in place past its last row (the padding's zeros) - 1.56 off
--path generic:O2:-O2
