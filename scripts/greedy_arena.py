#!/usr/bin/env python3
"""The reference figure of issue 13: TensorFlow Lite Micro's greedy-by-size arena planner run on the
ONNX graph as given (no fusion, no in-place ops, no kernel scratch), over the same buffers tinyc's
arena holds: every tensor a node computes except the graph's inputs and outputs (caller-owned in
tinyc's API) constants (initializers, Constant nodes and what they alone compute, such as the DequantizeLinear
of an int8 weight) and tensors no node reads. A tensor lives from the node that
computes it to its last reader in the model's node order. Greedy-by-size: the buffers from the
largest down, each at the lowest offset where it overlaps no placed buffer that is live at the
same time. Symbolic dimensions are set to 1 (or --input-shape NAME=D,D,...); shapes that ONNX
shape inference leaves open come from one ONNX Runtime run.

  scripts/greedy_arena.py MODEL.onnx [--input-shape NAME=1,3,32,32] [--json]
prints the arena in bytes (and the peak of the live bytes, a lower bound for any planner)."""
import argparse
import json
import sys

import numpy as np
import onnx
from onnx import helper, shape_inference

SIZES = {onnx.TensorProto.FLOAT: 4, onnx.TensorProto.UINT8: 1, onnx.TensorProto.INT8: 1,
         onnx.TensorProto.UINT16: 2, onnx.TensorProto.INT16: 2, onnx.TensorProto.INT32: 4,
         onnx.TensorProto.INT64: 8, onnx.TensorProto.BOOL: 1, onnx.TensorProto.FLOAT16: 2,
         onnx.TensorProto.DOUBLE: 8, onnx.TensorProto.UINT32: 4, onnx.TensorProto.UINT64: 8,
         onnx.TensorProto.BFLOAT16: 2}


def fixed_inputs(model, shapes):
    for vi in model.graph.input:
        dims = vi.type.tensor_type.shape.dim
        if vi.name in shapes:
            for d, v in zip(dims, shapes[vi.name]):
                d.Clear()
                d.dim_value = v
        for d in dims:
            if not d.HasField("dim_value"):
                d.Clear()
                d.dim_value = 1


def ort_shapes(model, names):
    """Shapes of `names` from one ONNX Runtime run on zeros (where shape inference leaves a
    dimension open: a Slice whose bounds come from Shape ops)."""
    import onnxruntime as ort
    m = onnx.ModelProto()
    m.CopyFrom(model)
    del m.graph.output[:]
    for x in names:
        m.graph.output.append(helper.make_empty_tensor_value_info(x))
    so = ort.SessionOptions()
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    sess = ort.InferenceSession(m.SerializeToString(), so, providers=["CPUExecutionProvider"])
    feeds = {}
    for i in sess.get_inputs():
        dt = {"tensor(float)": np.float32, "tensor(int64)": np.int64, "tensor(int32)": np.int32,
              "tensor(uint8)": np.uint8, "tensor(int8)": np.int8}.get(i.type, np.float32)
        feeds[i.name] = np.zeros([d if isinstance(d, int) else 1 for d in i.shape], dt)
    return {x: (list(v.shape), v.dtype.itemsize) for x, v in zip(names, sess.run(None, feeds))}


def buffers(model):
    """(bytes, first step, last step) of every non-constant tensor a node computes and another
    node reads, except graph outputs."""
    inf = shape_inference.infer_shapes(model, data_prop=True)
    types = {v.name: v.type.tensor_type for v in list(inf.graph.value_info) + list(inf.graph.output)}
    outputs = {o.name for o in model.graph.output}
    read = {x for n in model.graph.node for x in n.input}
    # constants: initializers, Constant nodes and what constants alone compute (a DequantizeLinear
    # of an int8 weight); not ConstantOfShape, whose output is materialized at run time (the ONNX
    # light models rebuild their weights so, and tinyc keeps them in the arena too)
    const = {i.name for i in model.graph.initializer} | {""}
    first, last, size, unknown = {}, {}, {}, []
    for step, n in enumerate(model.graph.node):
        for x in n.input:
            if x in first:
                last[x] = step
        if n.op_type != "ConstantOfShape" and all(x in const for x in n.input):
            const.update(n.output)
            continue
        for y in n.output:
            if not y or y in outputs or y not in read:
                continue
            t = types.get(y)
            if t is None or not t.HasField("shape") or any(not d.HasField("dim_value") for d in t.shape.dim):
                unknown.append(y)
            else:
                size[y] = int(np.prod([d.dim_value for d in t.shape.dim], dtype=np.int64)) * SIZES.get(t.elem_type, 4)
            first[y] = last[y] = step
    if unknown:
        for y, (shape, item) in ort_shapes(model, unknown).items():
            size[y] = int(np.prod(shape, dtype=np.int64)) * item
    return [(size[y], first[y], last[y]) for y in first]


def greedy_by_size(bufs):
    placed = []  # (offset, size, first, last)
    top = 0
    for size, a, b in sorted(bufs, key=lambda t: (-t[0], t[1])):
        live = sorted((o, s) for o, s, fa, fb in placed if not (fb < a or b < fa))
        off = 0
        for o, s in live:
            if off + size <= o:
                break
            off = max(off, o + s)
        placed.append((off, size, a, b))
        top = max(top, off + size)
    return top


def peak_live(bufs):
    steps = max((b for _, _, b in bufs), default=-1) + 1
    return max((sum(s for s, a, b in bufs if a <= t <= b) for t in range(steps)), default=0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model")
    ap.add_argument("--input-shape", action="append", default=[])
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    shapes = {}
    for s in a.input_shape:
        name, dims = s.rsplit("=", 1)
        shapes[name] = [int(d) for d in dims.split(",")]
    model = onnx.load(a.model)
    fixed_inputs(model, shapes)
    bufs = buffers(model)
    res = {"greedy_by_size_bytes": greedy_by_size(bufs), "peak_live_bytes": peak_live(bufs), "buffers": len(bufs)}
    print(json.dumps(res) if a.json else f"{res['greedy_by_size_bytes']} bytes (peak live {res['peak_live_bytes']})")


if __name__ == "__main__":
    sys.exit(main())
