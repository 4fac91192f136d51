# long run seed 22, graph 450 (seed 22000516): a Conv with computed weights, auto_pad SAME_UPPER and a stride above the window (negative total padding, ORT shifts the windows): ort_unreliable now takes the kernel shape from the weights' inferred shape
--path units:interp --path generic:O2:-O2
