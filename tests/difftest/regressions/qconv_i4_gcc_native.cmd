# difftest seed 6262, graph 38 (seed 6262018824): an int4-weight QDQ Conv (K = 18) on generic built with gcc 12 -O3 -march=native (AVX-512 Rocket Lake): gcc vectorized the nibble sign extension (v ^ 8) - 8 of tinyc_qmk1x4_i4 into wrong sums for K >= 16 (up to 117 LSB off); now v - 2 * (v & 8)
--path generic:O2:-O3_-march=native
