"""Shrinks a failing difftest graph to a small one that fails the same way (same path, same kind,
same output element type, and not a listed known failure).

Greedy, until nothing applies or the time budget is spent; every candidate must pass onnx.checker
(full check) and ONNX Runtime and fail on the same path with the same kind of failure:
  1. keep one graph output (drop the others and what only they need);
  2. end the graph at a node (its outputs become the graph outputs, everything after it goes);
  3. bypass a node (its readers read its input of the same type and shape instead);
  4. cut an edge: a node reads a new graph input instead of its producer's output;
  5. simplify attributes (drop strides, dilations, pads, auto_pad, ceil_mode, ... to the defaults);
  6. shrink the graph inputs' dims (halve, or to 1).
"""
import collections
import os
import tempfile
import time

import numpy as np
import onnx
from onnx import helper

OPTIONAL_ATTRS = ["strides", "dilations", "pads", "auto_pad", "ceil_mode", "count_include_pad", "output_padding",
                  "alpha", "beta", "transA", "transB", "keepdims", "axis", "perm", "mode", "epsilon",
                  "coordinate_transformation_mode", "nearest_mode"]


def dce(m):
    """Drops nodes, initializers and graph inputs nothing needs."""
    g = m.graph
    need = {o.name for o in g.output}
    keep = []
    for n in reversed(list(g.node)):
        if any(o in need for o in n.output):
            keep.append(n)
            need.update(i for i in n.input if i)
    keep.reverse()
    del g.node[:]
    g.node.extend(keep)
    inits = [i for i in g.initializer if i.name in need]
    del g.initializer[:]
    g.initializer.extend(inits)
    ins = [i for i in g.input if i.name in need]
    del g.input[:]
    g.input.extend(ins)
    return m


def retype(m):
    """Output types from shape inference (after a change of shapes); None when the model is invalid."""
    for o in m.graph.output:
        o.type.tensor_type.ClearField("shape")
    try:
        inf = onnx.shape_inference.infer_shapes(m, strict_mode=True)
    except Exception:  # noqa: BLE001
        return None
    types = {v.name: v for v in list(inf.graph.value_info) + list(inf.graph.output) + list(inf.graph.input)}
    for o in m.graph.output:
        t = types.get(o.name)
        if t is None or not t.type.tensor_type.HasField("shape"):
            return None
        o.type.CopyFrom(t.type)
        if any(d.dim_value <= 0 for d in o.type.tensor_type.shape.dim):
            return None
    try:
        onnx.checker.check_model(m, full_check=True)
    except Exception:  # noqa: BLE001
        return None
    return m


def value_types(m):
    try:
        inf = onnx.shape_inference.infer_shapes(m)
    except Exception:  # noqa: BLE001
        return {}
    return {v.name: v for v in list(inf.graph.value_info) + list(inf.graph.output) + list(inf.graph.input)}


def copy(m):
    c = onnx.ModelProto()
    c.CopyFrom(m)
    return c


def candidates(m):
    g = m.graph
    inits = {i.name for i in g.initializer}
    types = value_types(m)
    # 1. one graph output
    if len(g.output) > 1:
        for k in range(len(g.output)):
            c = copy(m)
            keep = c.graph.output[k]
            del c.graph.output[:]
            c.graph.output.append(keep)
            yield "keep output " + keep.name, dce(c)
    nodes = list(g.node)
    # 2. end at a node
    for n in reversed(nodes):
        outs = [o for o in n.output if o and o in types]
        if not outs or set(outs) <= {o.name for o in g.output}:
            continue
        c = copy(m)
        del c.graph.output[:]
        for o in outs:
            vi = onnx.ValueInfoProto()
            vi.CopyFrom(types[o])
            c.graph.output.append(vi)
        yield f"end at {n.name}", dce(c)
    # 3. bypass a node
    for n in nodes:
        if len(n.output) != 1 or n.output[0] not in types:
            continue
        ot = types[n.output[0]].type
        for i in n.input:
            if i and i not in inits and i in types and types[i].type == ot:
                c = copy(m)
                for cn in c.graph.node:
                    for k, x in enumerate(cn.input):
                        if x == n.output[0]:
                            cn.input[k] = i
                for o in c.graph.output:
                    if o.name == n.output[0]:
                        o.name = i
                if len({o.name for o in c.graph.output}) != len(c.graph.output):
                    continue
                yield f"bypass {n.name}", dce(c)
                break
    # 4. cut an edge
    produced = {o: n for n in nodes for o in n.output}
    graph_in = {i.name for i in g.input}
    for n in reversed(nodes):
        for k, i in enumerate(n.input):
            if i in produced and i in types and i not in graph_in:
                c = copy(m)
                new = "cut_" + i
                for cn in c.graph.node:
                    for kk, x in enumerate(cn.input):
                        if x == i:
                            cn.input[kk] = new
                vi = onnx.ValueInfoProto()
                vi.CopyFrom(types[i])
                vi.name = new
                c.graph.input.append(vi)
                yield f"cut {i} before {n.name}", dce(c)
    # 5. attributes
    for idx, n in enumerate(nodes):
        for a in n.attribute:
            if a.name in OPTIONAL_ATTRS:
                c = copy(m)
                cn = c.graph.node[idx]
                keep = [x for x in cn.attribute if x.name != a.name]
                del cn.attribute[:]
                cn.attribute.extend(keep)
                yield f"drop {n.name}.{a.name}", c
    # 6. input dims
    for k, vi in enumerate(g.input):
        dims = vi.type.tensor_type.shape.dim
        for d in range(len(dims)):
            v = dims[d].dim_value
            for new in sorted({1, v // 2}):
                if 0 < new < v:
                    c = copy(m)
                    c.graph.input[k].type.tensor_type.shape.dim[d].dim_value = new
                    yield f"input {vi.name} dim {d}: {v} -> {new}", c


def size(m):
    return (len(m.graph.node), sum(int(np.prod([d.dim_value for d in i.type.tensor_type.shape.dim]))
                                   for i in m.graph.input))


def tensor_values(model, feeds):
    """Every tensor's value on the failing inputs (ORT with every node output exposed): a cut edge's
    new graph input gets the value it had, a shrunk input a slice of its value."""
    import difftest
    if difftest.ort is None:
        return dict(feeds)
    m = copy(model)
    types = value_types(m)
    have = {o.name for o in m.graph.output}
    for n in m.graph.node:
        for o in n.output:
            if o and o in types and o not in have:
                m.graph.output.append(types[o])
    try:
        with tempfile.TemporaryDirectory() as d:
            p = os.path.join(d, "all.onnx")
            onnx.save(m, p)
            vals = dict(zip([o.name for o in m.graph.output], difftest.run_ort(p, feeds)))
    except Exception:  # noqa: BLE001
        vals = {}
    vals.update(feeds)
    return vals


def feeds_for(m, values, rng):
    import difftest
    feeds = difftest.random_inputs(m, rng)
    for vi in m.graph.input:
        v = values.get(vi.name[4:] if vi.name.startswith("cut_") else vi.name)
        shape = tuple(d.dim_value for d in vi.type.tensor_type.shape.dim)
        if v is None or v.ndim != len(shape) or v.dtype != feeds[vi.name].dtype:
            continue
        if all(a <= b for a, b in zip(shape, v.shape)):
            feeds[vi.name] = np.ascontiguousarray(v[tuple(slice(0, a) for a in shape)])
    return feeds


def shrink(tinyc, model, failure, work, budget=float(os.environ.get("DIFFTEST_SHRINK_SECONDS", 300)), feeds=None,
           known=None):
    import difftest  # the checks
    values = tensor_values(model, feeds) if feeds is not None else {}

    spec_text = failure.path
    paths = []
    if spec_text not in ("interp", "units:interp"):
        paths = [difftest.PathSpec.parse(spec_text)]
    elif spec_text == "units:interp":
        paths = [difftest.PathSpec("generic", 2, "-O2", cut=True)]

    def fails(m):
        feeds = feeds_for(m, values, np.random.default_rng(0))
        res = difftest.Result()
        d = tempfile.mkdtemp(prefix="shrink-", dir=work)
        try:
            difftest.check_model(tinyc, m, feeds, paths, d, res)
        except difftest.Failure as f:
            # the same path, kind and output type, and not a known failure (which would hide the cause)
            return (f.path == failure.path and f.kind == failure.kind and f.dtype == failure.dtype and
                    not (known and known.match(f, m)))
        except Exception:  # noqa: BLE001 (Skip: ORT rejects the candidate)
            return False
        finally:
            import shutil
            shutil.rmtree(d, ignore_errors=True)
        return False

    t0 = time.time()
    cur = copy(model)
    if not fails(cur):
        return cur, feeds_for(cur, values, np.random.default_rng(0)), "not shrunk: the failure does not reproduce"
    steps = collections.Counter()
    progress = True
    while progress and time.time() - t0 < budget:
        progress = False
        for what, c in candidates(cur):
            if time.time() - t0 > budget:
                break
            c = retype(c)
            if c is None or size(c) >= size(cur) and not what.startswith("drop"):
                continue
            if fails(c):
                cur = c
                steps[what.split()[0]] += 1
                progress = True
                break
    n0, e0 = size(model)
    n1, e1 = size(cur)
    return cur, feeds_for(cur, values, np.random.default_rng(0)), (f"{n0} -> {n1} nodes, {e0} -> {e1} input elements in {time.time() - t0:.0f} s "
                 f"({', '.join(f'{k} x{v}' for k, v in steps.items())})")
