# long run seed 6, graph 3521 (seed 6003539): Conv of inputs up to 3,560 into Sin; a few float roundings of the argument move sin by 1.75e-4 (periodic_allowance)
--path cortex-m3:O2:-O0:planner=greedy-by-conflicts:cc=clang --path generic:O2:-O2
