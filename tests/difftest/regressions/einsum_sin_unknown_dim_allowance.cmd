# Sin of an Einsum 'ij,ij->i' dot product near 4,943: cortex-m55 at -O0 computes the argument one
# float step (4.9e-4) from the interpreter, which moves sin by 1.4e-4. argument_allowance measured
# 0: shape inference gives the Einsum output's dimension as unknown (0), so the perturbation was
# empty. The allowances now take the shapes the interpreter computes (value_shapes).
# Long run seed 16 (graph seed 16007140).
scripts/difftest.sh --model tests/difftest/regressions/einsum_sin_unknown_dim_allowance.onnx --path cortex-m55:O2:-O0:patch=5 --path generic:O2:-O2
