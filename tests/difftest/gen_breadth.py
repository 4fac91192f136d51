"""Builders for the ops of issue 15 (ONNX breadth): comparisons and logic with Where, integer
streams (Mod, BitShift, ArgMax), shape producers (Expand, Tile, Range, Size, EyeLike, OneHot),
axis ops (CumSum, Trilu, Hardmax, DepthToSpace), gathers and scatters, losses, and the reductions.
gen.py appends BREADTH_OPS to its float table (float graphs only).

Exactness rule, as in gen.py for the step functions: a value that decides a step (a comparison, a
truncation to an integer, an argmax) is read only from graph inputs, which every path holds
bit-for-bit; a float that one path computes one rounding apart from another could land on the
other side. Integer tensors come from Cast(graph input * 3) (a single float product is exact on
every path) and are turned back to float (Cast) before they join the float chain; some of them,
and some boolean masks, are also graph outputs (g.side_outputs).
"""
import numpy as np
from onnx import TensorProto, helper, numpy_helper

from gen import F32, I32, I64, Reject, bcast_shape, broadcastable, f_binary, f_reduce, other_operand, positive

BOOL = TensorProto.BOOL
U8 = TensorProto.UINT8
U32 = TensorProto.UINT32
U64 = TensorProto.UINT64
INT_TYPES = {I32: np.int32, I64: np.int64}


def graph_input(g):
    cands = [i for i in g.inputs if g.t[i].dtype == F32]
    if not cands:
        raise Reject("no float graph input")
    return g.pick(cands)


def side_output(g, t, prob=0.15):
    """Sometimes an integer or boolean intermediate is a graph output as well."""
    if g.p(prob):
        g.side_outputs.append(t)
        g.feat(f"graph.output_{'bool' if g.t[t].dtype == BOOL else 'int'}")
    return t


def ints(g, dtype=None):
    """An integer tensor from a graph input: Cast(in * 3), values mostly in [-6, 6] with ties."""
    dtype = dtype or g.pick([I32, I64])
    a = graph_input(g)
    s = g.emit("Mul", [a, g.const(np.float32(3.0))]) if g.p(0.7) else a
    return g.emit("Cast", [s], to=dtype)


def to_float(g, t):
    return g.emit("Cast", [t], to=F32)


def join(g, x, y, std):
    """y (float) into the chain: x + y when y broadcasts to x, else y itself."""
    if broadcastable(g.t[y].shape, g.t[x].shape) and g.p(0.7):
        return g.emit(g.pick(["Add", "Mul"]), [x, y]), g.t[x].std + std
    return y, std


def int_const_like(g, shape, lo, hi, dtype, nonzero=False):
    bs, kind = bcast_shape(g, shape)
    g.feat(f"broadcast.{kind}")
    v = g.rng.integers(lo, hi + 1, size=bs)
    if nonzero:
        v = np.where(v == 0, 1, v)
    return g.const(np.asarray(v, INT_TYPES.get(dtype, np.int64)) if bs else INT_TYPES.get(dtype, np.int64)(v), dtype)


# ------------------------------------------------------------------ masks and Where
def condition(g):
    """A boolean tensor decided by graph inputs only."""
    r = g.rng.random()
    if r < 0.35:  # a float graph input against a constant
        a = graph_input(g)
        op = g.pick(["Less", "Greater", "LessOrEqual", "GreaterOrEqual"])
        bs, kind = bcast_shape(g, g.t[a].shape)
        b = g.const((g.rng.standard_normal(bs) * 0.7).astype(np.float32) if bs else np.float32(g.rng.standard_normal()))
        c = g.emit(op, [a, b] if g.p(0.7) else [b, a])
    elif r < 0.7:  # integers (ties: Equal is true often)
        dt = g.pick([I32, I64])
        a = ints(g, dt)
        op = g.pick(["Equal", "Equal", "Less", "Greater", "LessOrEqual", "GreaterOrEqual"])
        if g.p(0.3):
            b = ints(g, dt)
            if not (broadcastable(g.t[b].shape, g.t[a].shape) or broadcastable(g.t[a].shape, g.t[b].shape)):
                b = int_const_like(g, g.t[a].shape, -2, 2, dt)
        else:
            b = int_const_like(g, g.t[a].shape, -2, 2, dt)
        c = g.emit(op, [a, b])
    elif r < 0.85:  # NaN from the square root or the log of a negative input
        a = graph_input(g)
        c = g.emit("IsNaN", [g.emit(g.pick(["Sqrt", "Log"]), [a])])
    else:  # +-inf from a division by zero
        a = graph_input(g)
        inf = g.emit("Div", [a, g.const(np.float32(0.0))])
        attrs = {}
        if g.p(0.5):
            attrs = g.pick([{"detect_negative": 0}, {"detect_positive": 0}])
            g.feat("IsInf.one_sign")
        c = g.emit("IsInf", [inf], **attrs)
    if g.p(0.3):
        d = condition(g)
        c = g.emit(g.pick(["And", "Or", "Xor"]), [c, d] if g.p(0.5) else [d, c])
    if g.p(0.2):
        c = g.emit("Not", [c])
    return c


def f_where(g, x):
    c = side_output(g, condition(g))
    o = other_operand(g, x)
    if g.p(0.2):  # a mask as a float factor
        g.feat("Where.cast_mask")
        return g.emit("Mul", [x, to_float(g, c)]), g.t[x].std
    return g.emit("Where", [c, x, o] if g.p(0.6) else [c, o, x]), g.t[x].std


# ------------------------------------------------------------------ integer streams
def f_mod(g, x):
    if g.p(0.4):  # float fmod of a graph input
        a = graph_input(g)
        bs, _ = bcast_shape(g, g.t[a].shape)
        mag = g.rng.uniform(0.3, 2.0, size=bs) * np.where(g.rng.random(bs) < 0.3, -1, 1)
        y = g.emit("Mod", [a, g.const(np.asarray(mag, np.float32) if bs else np.float32(mag))], fmod=1)
        g.feat("Mod.float")
        return join(g, x, y, 1.0)
    dt = g.pick([I32, I64])
    a = ints(g, dt)
    fmod = g.r(0, 1)
    if fmod:
        g.feat("Mod.fmod_int")
    b = int_const_like(g, g.t[a].shape, -5, 5, dt, nonzero=True)
    y = side_output(g, g.emit("Mod", [a, b], fmod=fmod))
    return join(g, x, to_float(g, y), 3.0)


def f_bitshift(g, x):
    dt = g.pick([U8, U32, U64])
    a = graph_input(g)
    s = g.emit("Mul", [g.emit("Abs", [a]), g.const(np.float32(g.pick([3.0, 20.0])))])
    u = g.emit("Cast", [s], to=dt)  # (values in [0, 80]: a left shift by up to 2 stays inside uint8)
    direction = g.pick(["LEFT", "RIGHT"])
    npdt = {U8: np.uint8, U32: np.uint32, U64: np.uint64}[dt]
    bs, _ = bcast_shape(g, g.t[u].shape)
    sh = g.rng.integers(0, 3, size=bs).astype(npdt) if bs else npdt(g.r(0, 2))
    g.feat(f"BitShift.{direction}")
    y = side_output(g, g.emit("BitShift", [u, g.const(sh, dt)], direction=direction))
    return join(g, x, to_float(g, y), 20.0)


def f_bitwise(g, x):
    """BitwiseAnd/Or/Xor/Not of integers from a graph input (signed ones too: negative bit patterns)."""
    dt = g.pick([I32, I64])
    a = ints(g, dt)
    op = g.pick(["BitwiseAnd", "BitwiseOr", "BitwiseXor", "BitwiseNot"])
    if op == "BitwiseNot":
        y = g.emit(op, [a])
    else:
        y = g.emit(op, [a, ints(g, dt) if g.p(0.5) else int_const_like(g, g.t[a].shape, -8, 8, dt)])
    g.feat(f"{op}")
    return join(g, x, to_float(g, side_output(g, y)), 4.0)


def f_arg(g, x):
    op = g.pick(["ArgMax", "ArgMin"])
    a = graph_input(g) if g.p(0.5) else ints(g)  # integers: ties, select_last_index decides
    rank = len(g.t[a].shape)
    attrs = {"axis": g.r(-rank, rank - 1), "keepdims": g.r(0, 1)}
    if g.p(0.4):
        attrs["select_last_index"] = 1
        g.feat(f"{op}.select_last_index")
    y = side_output(g, g.emit(op, [a], **attrs))
    return join(g, x, to_float(g, y), 2.0)


def f_topk(g, x):
    a = graph_input(g) if g.p(0.6) else ints(g)  # integers: ties, which keep their index order
    rank = len(g.t[a].shape)
    axis = g.r(-rank, rank - 1)
    k = g.r(1, min(g.t[a].shape[axis % rank], 5))
    attrs = {"axis": axis} if g.p(0.7) or axis != -1 else {}
    if g.p(0.4):
        attrs["largest"] = 0
        g.feat("TopK.smallest")
    vals, idx = g.emit("TopK", [a, g.const(np.array([k]), I64)], n_out=2, **attrs)
    side_output(g, idx, 0.3)
    return join(g, x, vals if g.t[vals].dtype == F32 else to_float(g, vals), 1.0)


def f_reverse_sequence(g, x):
    sh = g.t[x].shape
    ta = g.r(0, 1)
    lens = g.rng.integers(1, sh[ta] + 1, size=sh[1 - ta])
    g.feat(f"ReverseSequence.time_axis{ta}")
    return g.emit("ReverseSequence", [x, g.const(lens, I64)], time_axis=ta, batch_axis=1 - ta), g.t[x].std


def f_det(g, x):
    n = int(np.prod(g.t[x].shape))
    m = g.pick([mm for mm in (1, 2, 3) if n % (mm * mm) == 0 and n // (mm * mm) <= 64] or [0])
    if not m:
        raise Reject("no square split")
    sq = g.emit("Reshape", [x, g.const(np.array([n // (m * m), m, m]), I64)])
    # + 3 std I: a chain of repeated values (Expand, Tile, broadcasts) makes singular matrices, whose
    # determinant is 0 exactly in one path and rounding noise in another (graph seed 940: ORT's
    # 3e-13 against 0 with no scale to compare to)
    sq = g.emit("Add", [sq, g.const(np.eye(m, dtype=np.float32) * np.float32(3 * g.t[x].std))])
    g.feat(f"Det.{m}x{m}")
    return g.emit("Det", [sq]), (4 * g.t[x].std) ** m


def f_maxunpool(g, x):
    """MaxPool's values and Indices of a 4-D graph input (exact: the argmax of computed values could
    differ by a rounding), then MaxUnpool, sometimes into a larger output_shape."""
    a = graph_input(g)
    sh = g.t[a].shape
    if len(sh) != 4:
        raise Reject("rank")
    # windows that tile the input exactly, (H - k) % s == 0: MaxPool's indices (into its input)
    # then fit the unpooled tensor, whose shape MaxUnpool decodes them in (ORT 1.19 aborts the
    # process on an index past it)
    st = [g.r(1, 3), g.r(1, 3)]
    k = []
    for i in range(2):
        fits = [kk for kk in range(1, min(3, sh[2 + i]) + 1) if (sh[2 + i] - kk) % st[i] == 0]
        if not fits:
            raise Reject("no exact window")
        k.append(g.pick(fits))
    y, idx = g.emit("MaxPool", [a], n_out=2, kernel_shape=k, strides=st)
    ins = [y, idx]
    out = [sh[0], sh[1]] + [(g.t[y].shape[2 + i] - 1) * st[i] + k[i] for i in range(2)]
    if g.p(0.3):
        out = out[:2] + [out[2] + g.r(0, 2), out[3] + g.r(0, 2)]
        ins.append(g.const(np.array(out), I64))
        g.feat("MaxUnpool.output_shape")
    return g.emit("MaxUnpool", ins, kernel_shape=k, strides=st), 1.0


def f_einsum(g, x):
    sh = g.t[x].shape
    r = len(sh)
    forms = []
    if r == 2:
        n = g.r(1, 8)
        forms = [("ij,jk->ik", [x, g.const(g.rng.standard_normal([sh[1], n]) / np.sqrt(sh[1]))]), ("ij->ji", [x]),
                 ("ij,jk", [x, g.const(g.rng.standard_normal([sh[1], n]) / np.sqrt(sh[1]))]), ("ij,ij->i", [x, x])]
    elif r == 3:
        n = g.r(1, 6)
        forms = [("bij,bjk->bik", [x, g.const(g.rng.standard_normal([sh[0], sh[2], n]) / np.sqrt(sh[2]))]),
                 ("...ij->...ji", [x]), ("bij,bij->bj", [x, x])]
    elif r == 4:
        forms = [("nchw->nhwc", [x]), ("...hw,...hw->...h", [x, x]), ("nchw,c->nhw", [x, g.const(g.rng.standard_normal(sh[1]))])]
    if r >= 2 and sh[-1] == sh[-2]:
        forms.append(("...ii->...i", [x]))  # diagonals
    if not forms:
        raise Reject("rank")
    # (no plain sums of the data: a sum that cancels to near zero is single-precision noise
    # relative to its size on the MCU targets, beyond the tolerance; ReduceSum draws sums)
    eq, ins = forms[g.r(0, len(forms) - 1)]
    g.feat("Einsum." + ("implicit" if "->" not in eq else "ellipsis" if "..." in eq else "explicit"))
    # (ONNX shape inference gives Einsum's rank, not its dims: numpy's einsum does)
    shapes = [g.t[i].shape if i in g.t else list(numpy_helper.to_array(g.inits[i]).shape) for i in ins]
    out = list(np.einsum(eq, *[np.zeros(sh_) for sh_ in shapes]).shape)
    if not out or int(np.prod(out)) > g.max_elems:
        raise Reject("scalar or too large")
    return g.emit_known("Einsum", ins, out, F32, equation=eq), g.t[x].std


def f_hardmax(g, x):
    a = graph_input(g)
    rank = len(g.t[a].shape)
    y = g.emit("Hardmax", [a], axis=g.r(-rank, rank - 1))
    return join(g, x, y, 1.0)


def f_castlike(g, x):
    if g.p(0.5):
        return g.emit("CastLike", [x, g.const(np.float32(0))]), g.t[x].std
    i = g.emit("CastLike", [graph_input(g), g.const(np.int32(0), I32)])
    return join(g, x, g.emit("CastLike", [i, g.const(np.float32(0))]), 1.0)


# ------------------------------------------------------------------ shape producers
def f_expand(g, x):
    sh = g.t[x].shape
    new = [g.r(2, 4) if d == 1 and g.p(0.6) else d for d in sh]
    new = [1 if g.p(0.15) else d for d in new]  # a 1 keeps the input's dimension
    if len(new) < 5 and g.p(0.3):
        new = [g.r(1, 3)] + new
        g.feat("Expand.new_axis")
    return g.emit("Expand", [x, g.const(np.array(new), I64)]), g.t[x].std


def f_tile(g, x):
    reps = [g.pick([1, 1, 2, 3]) for _ in g.t[x].shape]
    return g.emit("Tile", [x, g.const(np.array(reps), I64)]), g.t[x].std


def f_range(g, x):
    n = g.t[x].shape[-1]
    if g.p(0.5):
        start, delta = float(np.float32(g.rng.uniform(-2, 2))), float(np.float32(g.pick([0.25, -0.5, 0.125, 1.0])))
        limit = float(np.float32(start + (n - 0.5) * delta))
        ins = [g.const(np.float32(start)), g.const(np.float32(limit)), g.const(np.float32(delta))]
        y = g.emit_known("Range", ins, [n], F32)
    else:
        start, delta = g.r(-5, 5), g.pick([1, 2, -1, -3])
        limit = start + n * delta
        dt = g.pick([I32, I64])
        npdt = INT_TYPES[dt]
        ins = [g.const(npdt(start), dt), g.const(npdt(limit), dt), g.const(npdt(delta), dt)]
        y = to_float(g, g.emit_known("Range", ins, [n], dt))
        g.feat("Range.int")
    return g.emit("Add", [x, y]), g.t[x].std + n


def f_size(g, x):
    n = to_float(g, g.emit("Size", [x]))
    return g.emit("Div", [x, n]), g.t[x].std


def f_eyelike(g, x):
    attrs = {}
    if g.p(0.6):
        attrs["k"] = g.r(-2, 2)
    if g.p(0.3):
        attrs["dtype"] = I32
        e = to_float(g, g.emit("EyeLike", [x], **attrs))
    else:
        e = g.emit("EyeLike", [x], **attrs)
    return g.emit("Add", [x, e]), g.t[x].std


def f_onehot(g, x):
    dt = g.pick([I32, I64])
    if g.p(0.7):
        idx = ints(g, dt)
        rank = len(g.t[idx].shape)
    else:
        idx, rank = g.const(g.rng.integers(-4, 5, size=g.t[x].shape[-1:]), dt), 1
    if rank >= 5:
        raise Reject("rank")
    depth = g.r(2, 6)
    values = np.array([float(g.rng.uniform(-1, 0)), float(g.rng.uniform(0.5, 2))], np.float32)
    attrs = {"axis": g.r(-rank - 1, rank)} if g.p(0.7) else {}
    ishape = g.t[idx].shape if idx in g.t else g.t[x].shape[-1:]
    a = attrs.get("axis", -1) % (rank + 1)
    oshape = ishape[:a] + [depth] + ishape[a:]
    if int(np.prod(oshape)) > g.max_elems:
        raise Reject("size")
    y = g.emit_known("OneHot", [idx, g.const(np.int64(depth), I64), g.const(values)], oshape, F32, **attrs)
    return join(g, x, y, 1.0)


# ------------------------------------------------------------------ axis ops
def f_cumsum(g, x):
    rank = len(g.t[x].shape)
    axis = g.r(-rank, rank - 1)
    attrs = {}
    for a in ("exclusive", "reverse"):
        if g.p(0.3):
            attrs[a] = 1
            g.feat(f"CumSum.{a}")
    dt = g.pick([I32, I64])
    return g.emit("CumSum", [x, g.const(INT_TYPES[dt](axis), dt)], **attrs), g.t[x].std * 3


def f_trilu(g, x):
    attrs = {"upper": g.r(0, 1)}
    ins = [x]
    if g.p(0.6):
        ins.append(g.const(np.int64(g.r(-3, 3)), I64))
        g.feat("Trilu.k")
    return g.emit("Trilu", ins, **attrs), g.t[x].std


def f_instance_norm(g, x):
    c = g.t[x].shape[1]
    ins = [x, g.const(g.rng.uniform(0.5, 1.5, c)), g.const(g.rng.standard_normal(c) * 0.1)]
    if int(np.prod(g.t[x].shape[2:])) < 2:
        raise Reject("normalizing a single element")
    return g.emit("InstanceNormalization", ins, epsilon=float(g.pick([1e-5, 1e-3]))), 1.0


def f_mvn(g, x):
    """MeanVarianceNormalization of a graph input (random values: a computed group can be nearly
    constant, where ORT 1.19's E[x^2] - E[x]^2 cancels to noise or a negative variance, NaN) over
    the default axes (0, 2, 3: 4-D) or a random set that keeps more than one element per group."""
    y, x = x, graph_input(g)
    sh = g.t[x].shape
    attrs = {}
    if len(sh) != 4 or g.p(0.4):
        axes = sorted(set(g.r(0, len(sh) - 1) for _ in range(g.r(1, len(sh)))))
        attrs["axes"] = axes
        g.feat("MeanVarianceNormalization.axes")
    else:
        axes = [0, 2, 3]
    if int(np.prod([sh[a] for a in axes])) < 4:
        raise Reject("groups of fewer than 4 elements")
    return join(g, y, g.emit("MeanVarianceNormalization", [x], **attrs), 1.0)


def f_depth_space(g, x):
    n, c, h, w = g.t[x].shape
    if g.p(0.5):
        b = g.pick([b for b in (2, 3) if c % (b * b) == 0] or [0])
        if not b:  # four copies of the channels
            x, b = g.emit("Concat", [x] * 4, axis=1), 2
        mode = g.pick(["DCR", "CRD"])
        g.feat(f"DepthToSpace.{mode}")
        return g.emit("DepthToSpace", [x], blocksize=b, mode=mode), g.t[x].std
    b = g.pick([b for b in (2, 3) if h % b == 0 and w % b == 0] or [0])
    if not b:
        raise Reject("size")
    return g.emit("SpaceToDepth", [x], blocksize=b), g.t[x].std


def f_grid_sample(g, x):
    """GridSample of the chain at a constant grid (reaching up to 20% past the borders). For
    nearest, grid points whose input coordinate is within 0.02 of a tie (x.5) are moved: a path
    computing the coordinate in single precision could round the other way."""
    n, c, h, w = g.t[x].shape
    ho, wo = g.r(1, 6), g.r(1, 6)
    mode = g.pick(["nearest", "linear", "cubic"])
    pad = g.pick(["zeros", "border", "reflection"])
    align = g.r(0, 1)
    grid = g.rng.uniform(-1.2, 1.2, size=(n, ho, wo, 2)).astype(np.float32)
    if mode == "nearest":
        for k, length in ((0, w), (1, h)):
            gv = grid[..., k].astype(np.float64)
            v = (gv + 1) / 2 * (length - 1) if align else ((gv + 1) * length - 1) / 2
            near = np.abs(v - np.floor(v) - 0.5) < 0.02
            grid[..., k] = np.where(near, grid[..., k] + np.float32(0.05 / length), grid[..., k])
    g.feat(f"GridSample.{mode}", f"GridSample.{pad}", f"GridSample.align_corners{align}")
    legacy = {"linear": "bilinear", "cubic": "bicubic"}
    name = legacy.get(mode, mode) if g.opset < 20 else mode
    return g.emit("GridSample", [x, g.const(grid)], mode=name, padding_mode=pad, align_corners=align), g.t[x].std


def f_affine_grid(g, x):
    """A spatial transformer: AffineGrid of a constant theta near the identity over the chain's size,
    then GridSample of the chain at that computed grid (linear or cubic: continuous in the grid, so a
    coordinate one rounding apart moves the value by a rounding too)."""
    n, c, h, w = g.t[x].shape
    theta = (np.tile(np.array([[1, 0, 0], [0, 1, 0]], np.float32), (n, 1, 1)) +
             g.rng.uniform(-0.3, 0.3, size=(n, 2, 3)).astype(np.float32))
    align = g.r(0, 1)
    grid = g.emit("AffineGrid", [g.const(theta), g.const(np.array([n, c, h, w], np.int64), I64)], align_corners=align)
    mode = g.pick(["linear", "cubic"])
    g.feat(f"AffineGrid.align_corners{align}")
    return g.emit("GridSample", [x, grid], mode=mode, padding_mode=g.pick(["zeros", "border", "reflection"]),
                  align_corners=align), g.t[x].std


def f_roi_align(g, x):
    """RoiAlign of the chain over 1-4 constant regions (some past the borders, some malformed),
    avg or max, 1-4 x 1-4 bins, a fixed or automatic sampling grid. Kept away from the two places
    where the output jumps: the automatic grid's ceil(roi size / bins) near a whole number (a
    path in single precision could take one sample more), and a sample within 1e-3 of the
    plane's outer limits (-1 and H or W, past which it counts zero)."""
    n, c, h, w = g.t[x].shape
    half = g.opset >= 16 and g.r(0, 1) == 1
    mode, ratio = g.pick(["avg", "max"]), g.pick([0, 0, 1, 2, 3])
    oh, ow, scale = g.r(1, 4), g.r(1, 4), float(g.pick([1.0, 0.5, 0.25, 2.0]))
    off = 0.5 if half else 0.0
    rois = []
    for _ in range(g.r(1, 4)):
        for _attempt in range(50):
            r = g.rng.uniform([-0.2 * w, -0.2 * h, 0, 0], [w, h, 1.2 * w, 1.2 * h]).astype(np.float32) / np.float32(scale)
            if g.rng.uniform() < 0.8:  # mostly well formed: x1 < x2, y1 < y2
                r = np.array([min(r[0], r[2]), min(r[1], r[3]), max(r[0], r[2]), max(r[1], r[3])], np.float32)
            s = r.astype(np.float64) * scale - off
            rw, rh = s[2] - s[0], s[3] - s[1]
            if not half:
                rw, rh = max(rw, 1.0), max(rh, 1.0)
            ok = True
            if ratio == 0:
                for size, bins in ((rh, oh), (rw, ow)):
                    q = size / bins
                    ok = ok and (q <= 0 or 0.05 < q - np.floor(q) < 0.95)
            gh = ratio or max(int(np.ceil(rh / oh)), 0)
            gw = ratio or max(int(np.ceil(rw / ow)), 0)
            ys = [s[1] + p * rh / oh + (i + 0.5) * (rh / oh) / gh for p in range(oh) for i in range(gh)]
            xs = [s[0] + p * rw / ow + (i + 0.5) * (rw / ow) / gw for p in range(ow) for i in range(gw)]
            ok = ok and gh * gw <= 64 and all(min(abs(v + 1), abs(v - lim)) > 1e-3 for vs, lim in ((ys, h), (xs, w))
                                              for v in vs)
            if ok:
                break
        else:
            raise Reject("roi samples near a border")
        rois.append(r)
    rois = np.array(rois, np.float32)
    idx = g.rng.integers(0, n, size=len(rois)).astype(np.int64)
    attrs = dict(mode=mode, output_height=oh, output_width=ow, sampling_ratio=ratio, spatial_scale=scale)
    if g.opset >= 16:
        attrs["coordinate_transformation_mode"] = "half_pixel" if half else "output_half_pixel"
    g.feat(f"RoiAlign.{mode}", f"RoiAlign.{'half_pixel' if half else 'output_half_pixel'}",
           f"RoiAlign.sampling{'auto' if ratio == 0 else 'fixed'}")
    return g.emit("RoiAlign", [x, g.const(rois), g.const(idx, I64)], **attrs), g.t[x].std


def f_dft(g, x):
    """DFT of the chain as a real ([..., 1]) or complex ([..., 2]) signal along one axis, with a
    dft_length that pads or truncates, onesided or inverse (not both: DFT-17/20's inverse of a
    one-sided spectrum changed meaning between onnx releases)."""
    sh = g.t[x].shape
    u = g.emit("Unsqueeze", [x, g.const(np.array([-1], np.int64), I64)])
    if g.p(0.5):
        u = g.emit("Concat", [u, g.emit("Mul", [u, g.const(np.float32(g.rng.uniform(-2, 2)))])], axis=-1)
        g.feat("DFT.complex")
    axis = g.r(0, len(sh) - 1)
    n = sh[axis]
    ins = [u]
    if g.p(0.4):
        ins.append(g.const(np.int64(g.r(1, 2 * n)), I64))
        g.feat("DFT.dft_length")
    attrs = {}
    if g.p(0.3):
        attrs["inverse"] = 1
    elif g.p(0.3):
        attrs["onesided"] = 1
    if g.opset >= 20:
        if len(ins) == 1:
            ins.append("")
        ins.append(g.const(np.int64(axis - len(sh) - 1 if g.p(0.5) else axis), I64))
    else:
        attrs["axis"] = axis
    g.feat(*(f"DFT.{k}" for k in attrs if k != "axis"))
    length = int(numpy_helper.to_array(g.inits[ins[1]])) if len(ins) > 1 and ins[1] else n
    std = g.t[x].std * np.sqrt(min(n, length)) / (length if attrs.get("inverse") else 1)
    return g.emit("DFT", ins, **attrs), std


def f_stft(g, x):
    """STFT of the chain read as one signal [1, numel, 1], windowed or not."""
    total = int(np.prod(g.t[x].shape))
    if total < 2:
        raise Reject("short signal")
    sig = g.emit("Reshape", [x, g.const(np.array([1, total, 1], np.int64), I64)])
    frame = g.r(1, min(total, 24))
    step = g.r(1, max(1, frame))
    ins = [sig, g.const(np.int64(step), I64)]
    if g.p(0.3):  # a window function of the frame's size (folded into a constant)
        op = g.pick(["HannWindow", "HammingWindow", "BlackmanWindow"])
        ins.append(g.emit(op, [g.const(np.int64(frame), I64)], periodic=g.r(0, 1)))
        g.feat(f"STFT.{op}")
    elif g.p(0.6):
        ins.append(g.const(g.rng.uniform(0.1, 1.0, size=frame).astype(np.float32)))
        g.feat("STFT.window")
        if g.p(0.5):
            ins.append(g.const(np.int64(frame), I64))
    else:
        ins += ["", g.const(np.int64(frame), I64)]
    onesided = g.r(0, 1)
    g.feat(f"STFT.onesided{onesided}")
    return g.emit("STFT", ins, onesided=onesided), g.t[x].std * np.sqrt(frame)


def f_tfidf(g, x):
    """TfIdfVectorizer over integer tokens from a graph input ([C] or [B, C]) with a pool of distinct
    n-grams of 1 to 3 tokens in [-3, 3] (the tokens' common values, so that some match)."""
    idx = ints(g)
    sh = g.t[idx].shape
    shape = [int(np.prod(sh))] if len(sh) == 1 or g.p(0.4) else [int(np.prod(sh[:-1])), sh[-1]]
    tok = g.emit("Reshape", [idx, g.const(np.array(shape, np.int64), I64)])
    counts, pool = [], []
    for size in (1, 2, 3):
        counts.append(len(pool))
        grams = {tuple(int(v) for v in g.rng.integers(-3, 4, size=size)) for _ in range(g.r(0, 4))}
        for gram in sorted(grams):
            pool += gram
    n_grams = sum(len({tuple(pool[a:a + k + 1]) for a in range(counts[k], (counts[k + 1] if k < 2 else len(pool)),
                                                                  k + 1)}) for k in range(3))
    if not pool:
        raise Reject("empty pool")
    lo = g.r(1, 3)
    hi = g.r(lo, 3)
    cols = g.r(1, max(1, n_grams))
    attrs = dict(mode=g.pick(["TF", "IDF", "TFIDF"]), min_gram_length=lo, max_gram_length=hi,
                 max_skip_count=g.r(0, 3), ngram_counts=counts, pool_int64s=pool,
                 ngram_indexes=[int(v) for v in g.rng.integers(0, cols, size=n_grams)])
    if g.p(0.5):
        attrs["weights"] = [float(v) for v in g.rng.uniform(0.1, 2.0, size=n_grams)]  # one per n-gram (ORT checks)
    g.feat(f"TfIdfVectorizer.{attrs['mode']}", f"TfIdfVectorizer.skip{attrs['max_skip_count']}")
    y = g.emit("TfIdfVectorizer", [tok], **attrs)
    return join(g, x, y, 1.0)


def f_melspec(g, x):
    """A log-mel front end on the chain read as one signal: STFT (a window function, onesided), power,
    MatMul with a MelWeightMatrix (folded into a constant), Log(+ 1)."""
    total = int(np.prod(g.t[x].shape))
    frame = 2 * g.r(4, 16)
    if total < frame:
        raise Reject("short signal")
    sig = g.emit("Reshape", [x, g.const(np.array([1, total, 1], np.int64), I64)])
    win = g.emit(g.pick(["HannWindow", "HammingWindow", "BlackmanWindow"]), [g.const(np.int64(frame), I64)])
    spec = g.emit("STFT", [sig, g.const(np.int64(g.r(frame // 2, frame)), I64), win], onesided=1)
    power = g.emit("ReduceSumSquare", [spec, g.const(np.array([-1], np.int64), I64)], keepdims=0)
    rate = g.pick([8000, 16000])
    mels = g.r(1, frame // 4)
    mel = g.emit("MelWeightMatrix", [g.const(np.int64(mels), I64), g.const(np.int64(frame), I64),
                                     g.const(np.int64(rate), I64), g.const(np.float32(g.rng.uniform(0, 100))),
                                     g.const(np.float32(rate / 2 - g.rng.uniform(0, 500)))])
    y = g.emit("MatMul", [power, mel])
    g.feat("MelWeightMatrix.log_mel")
    return g.emit("Log", [g.emit("Add", [y, g.const(np.float32(1.0))])]), 1.0


def f_groupnorm(g, x):
    """GroupNormalization: scale / bias per channel (opset 21) or per group (opset 18's form)."""
    sh = g.t[x].shape
    c = sh[1]
    groups = g.pick([k for k in range(1, c + 1) if c % k == 0])
    n = c if g.opset >= 21 else groups
    scale = g.const(g.rng.uniform(0.5, 1.5, size=n).astype(np.float32))
    bias = g.const(g.rng.uniform(-0.5, 0.5, size=n).astype(np.float32))
    g.feat("GroupNormalization.per_channel" if g.opset >= 21 else "GroupNormalization.per_group")
    eps = float(g.pick([1e-5, 1e-2]))
    # (onnx 1.16 infers no shape for this function op: the output has X's)
    return g.emit_known("GroupNormalization", [x, scale, bias], list(sh), F32, num_groups=groups, epsilon=eps), 1.5


def f_lppool(g, x):
    """LpPool of a 1-D..3-D chain (p 1, 2 or 3), kernels, strides, pads, dilations (opset 18)."""
    sp = g.t[x].shape[2:]
    k = [g.r(1, min(3, d)) for d in sp]
    attrs = dict(kernel_shape=k, p=g.r(1, 3))
    if g.p(0.5):
        attrs["strides"] = [g.r(1, 2) for _ in sp]
    if g.p(0.4):
        attrs["pads"] = [g.r(0, kk - 1) for kk in k] * 2
    if g.opset >= 18 and g.p(0.3):
        attrs["dilations"] = [g.r(1, 2) for _ in sp]
    g.feat(f"LpPool.p{attrs['p']}")
    return g.emit("LpPool", [x], **attrs), g.t[x].std * 2


def f_center_crop_pad(g, x):
    """CenterCropPad to sizes 2 below to 2 above the input's, on all axes or some (maybe negative)."""
    sh = g.t[x].shape
    rank = len(sh)
    axes = sorted(g.rng.choice(rank, size=g.r(1, rank), replace=False).tolist())
    target = [max(1, sh[a] + g.r(-2, 2)) for a in axes]
    out = list(sh)
    for a, t in zip(axes, target):
        out[a] = t
    attrs = {}
    if len(axes) < rank or g.p(0.5):
        attrs["axes"] = [a - rank if g.p(0.3) else a for a in axes]
    else:
        target = [target[axes.index(a)] for a in range(rank)]
    g.feat("CenterCropPad.axes" if attrs else "CenterCropPad.all")
    # (onnx 1.16 infers no shape for this function op)
    return g.emit_known("CenterCropPad", [x, g.const(np.array(target, np.int64), I64)], out, F32, **attrs), g.t[x].std


def f_lpnorm(g, x):
    """LpNormalization of a graph input: it is scale-free, so a computed vector of rounding noise
    (an STFT's imaginary parts of 0 against 1e-8) normalizes to anything (graph seed 278)."""
    a = graph_input(g)
    rank = len(g.t[a].shape)
    p = g.r(1, 2)
    g.feat(f"LpNormalization.p{p}")
    return join(g, x, g.emit("LpNormalization", [a], axis=g.r(-rank, rank - 1), p=p), 1.0)


# ------------------------------------------------------------------ gathers and scatters
def f_compress(g, x):
    sh = g.t[x].shape
    rank = len(sh)
    if g.p(0.8):
        axis = g.r(-rank, rank - 1)
        dim = sh[axis % rank]
    else:
        axis, dim = None, int(np.prod(sh))
    n = g.r(1, dim)  # (shorter than the axis: the rest dropped)
    cond = g.rng.random(n) < 0.6
    if not cond.any():
        cond[g.r(0, n - 1)] = True
    out = list(sh) if axis is not None else []
    if axis is not None:
        out[axis % rank] = int(cond.sum())
    else:
        out = [int(cond.sum())]
        g.feat("Compress.flattened")
    attrs = {"axis": axis} if axis is not None else {}
    c = g.name("c")
    g.inits[c] = helper.make_tensor(c, TensorProto.BOOL, [n], cond.tolist())
    return g.emit_known("Compress", [x, c], out, F32, **attrs), g.t[x].std


def f_gather_elements(g, x):
    sh = g.t[x].shape
    rank = len(sh)
    axis = g.r(0, rank - 1)
    ishape = [g.r(1, sh[a]) if a != axis else g.r(1, 4) for a in range(rank)]
    idx = g.rng.integers(-sh[axis], sh[axis], size=ishape)
    dt = g.pick([I32, I64])
    return g.emit("GatherElements", [x, g.const(idx, dt)], axis=axis if g.p(0.7) else axis - rank), g.t[x].std


def f_gather_nd(g, x):
    sh = g.t[x].shape
    rank = len(sh)
    b = 1 if rank >= 2 and g.p(0.3) else 0
    k = g.r(1, rank - b)
    m = g.r(1, 4)
    idx = np.stack([g.rng.integers(-sh[b + j] if g.p(0.2) else 0, sh[b + j], size=sh[:b] + [m]) for j in range(k)], -1)
    attrs = {"batch_dims": b} if b else {}
    if b:
        g.feat("GatherND.batch_dims")
    return g.emit("GatherND", [x, g.const(idx, I64)], **attrs), g.t[x].std


def reduction(g, op):
    red = ["none"] + (["add", "mul"] if g.opset >= 16 else []) + (["max", "min"] if g.opset >= 18 else [])
    r = g.pick(red)
    if r != "none":
        g.feat(f"{op}.reduction_{r}")
    return r


def f_scatter_nd(g, x):
    sh = g.t[x].shape
    rank = len(sh)
    k = g.r(1, rank)
    red = reduction(g, "ScatterND")
    cells = int(np.prod(sh[:k]))
    m = g.r(1, min(6, cells))
    flat = g.rng.choice(cells, size=m, replace=red != "none") if red != "none" else g.rng.choice(cells, size=m, replace=False)
    idx = np.stack(np.unravel_index(flat, sh[:k]), -1).astype(np.int64)
    upd = g.rng.standard_normal([m] + sh[k:]) * (0.5 if red == "mul" else 1.0)
    attrs = {"reduction": red} if red != "none" else {}
    return g.emit("ScatterND", [x, g.const(idx, I64), g.const(upd)], **attrs), g.t[x].std


def f_scatter_elements(g, x, op="ScatterElements"):
    sh = g.t[x].shape
    rank = len(sh)
    axis = g.r(0, rank - 1)
    red = reduction(g, op) if op == "ScatterElements" else "none"
    ishape = [g.r(1, d) for d in sh]
    # along the axis: distinct positions per line for "none" (a permutation's prefix), any for a reduction
    lines = np.moveaxis(np.zeros(ishape, np.int64), axis, -1)
    flat = lines.reshape(-1, ishape[axis])
    for row in flat:
        row[:] = (g.rng.permutation(sh[axis])[:ishape[axis]] if red == "none"
                  else g.rng.integers(0, sh[axis], size=ishape[axis]))
    idx = np.moveaxis(flat.reshape(lines.shape), -1, axis)
    if g.p(0.3):
        idx = np.where(g.rng.random(idx.shape) < 0.5, idx - sh[axis], idx)  # negative indices
        g.feat("ScatterElements.negative_index")
    upd = g.rng.standard_normal(ishape) * (0.5 if red == "mul" else 1.0)
    attrs = {"axis": axis if g.p(0.7) else axis - rank}
    if red != "none":
        attrs["reduction"] = red
    dt = g.pick([I32, I64])
    return g.emit(op, [x, g.const(idx, dt), g.const(upd)], **attrs), g.t[x].std


# ------------------------------------------------------------------ losses
def loss_inputs(g, x, op):
    sh = g.t[x].shape
    n, c = sh[0], sh[1]
    tshape = [n] + sh[2:]
    target = g.rng.integers(0, c, size=tshape)
    attrs = {}
    if g.p(0.3):
        ig = g.r(0, c - 1) if g.p(0.7) else -1
        attrs["ignore_index"] = ig
        g.feat(f"{op}.ignore_index")
        if ig >= 0 and np.all(target == ig):
            target.flat[0] = (ig + 1) % c if c > 1 else ig
        if np.all(target == ig):
            raise Reject("every target ignored")
    red = g.pick(["none", "sum", "mean"])
    attrs["reduction"] = red
    g.feat(f"{op}.{red}")
    ins = [x, g.const(target, I64)]
    if g.p(0.4):
        ins.append(g.const(g.rng.uniform(0.2, 2.0, size=c)))
        g.feat(f"{op}.weight")
    return ins, attrs


def f_nll(g, x):
    ins, attrs = loss_inputs(g, x, "NegativeLogLikelihoodLoss")
    return g.emit("NegativeLogLikelihoodLoss", ins, **attrs), g.t[x].std


def f_sce(g, x):
    ins, attrs = loss_inputs(g, x, "SoftmaxCrossEntropyLoss")
    if g.p(0.4):
        loss, logp = g.emit("SoftmaxCrossEntropyLoss", ins, n_out=2, **attrs)
        g.feat("SoftmaxCrossEntropyLoss.log_prob")
        g.live.append(loss)
        return logp, 1.0
    return g.emit("SoftmaxCrossEntropyLoss", ins, **attrs), 1.0


# ------------------------------------------------------------------ reductions
def f_reduce_more(op):
    def build(g, x):
        if op == "ReduceLogSum":
            x = positive(g, x)
        elif op == "ReduceProd":  # factors in [0.7, 1.3] over at most 64 elements
            x = g.emit("Add", [g.emit("Mul", [g.emit("Tanh", [x]), g.const(np.float32(0.3))]), g.const(np.float32(1.0))])
        y, std = f_reduce(op)(g, x)
        if op == "ReduceProd" and int(np.prod(g.t[x].shape)) // max(1, int(np.prod(g.t[y].shape))) > 64:
            raise Reject("a product of more than 64 factors")
        return y, std
    return build


def at_least(opset):
    return lambda g, x: g.opset >= opset


def rank_at_least(r, opset=0):
    return lambda g, x: len(g.t[x].shape) >= r and g.opset >= opset


BREADTH_OPS = [
    (3, "Where/compare/logic", f_where, at_least(16)),
    (1, "Mod", f_mod, None),
    (1, "BitShift", f_bitshift, None),
    (1, "ArgMax/ArgMin", f_arg, None),
    (1, "Hardmax", f_hardmax, None),
    (1, "TopK", f_topk, None),
    (1, "Det", f_det, None),
    (1, "Einsum", f_einsum, lambda g, x: g.opset >= 13),
    (1, "MaxUnpool", f_maxunpool, None),
    (1, "ReverseSequence", f_reverse_sequence, lambda g, x: len(g.t[x].shape) >= 2),
    (1, "CastLike", f_castlike, at_least(15)),
    (1, "Mean", f_binary("Mean"), None),
    (1, "Gelu", lambda g, x: (g.emit("Gelu", [x], **({"approximate": "tanh"} if g.p(0.4) else {})), g.t[x].std),
     at_least(20)),
    (1, "Expand", f_expand, None),
    (1, "Tile", f_tile, None),
    (1, "Range", f_range, None),
    (1, "Size", f_size, None),
    (1, "EyeLike", f_eyelike, lambda g, x: len(g.t[x].shape) == 2),
    (1, "OneHot", f_onehot, None),
    (1, "CumSum", f_cumsum, None),
    (1, "Trilu", f_trilu, rank_at_least(2, 14)),
    (1, "MeanVarianceNormalization", f_mvn, None),
    (1, "InstanceNormalization", f_instance_norm, lambda g, x: len(g.t[x].shape) >= 3),
    (1, "DepthToSpace/SpaceToDepth", f_depth_space, lambda g, x: len(g.t[x].shape) == 4),
    (1, "GridSample", f_grid_sample, lambda g, x: len(g.t[x].shape) == 4 and g.opset >= 16),
    (1, "DFT", f_dft, at_least(17)),
    (1, "RoiAlign", f_roi_align, lambda g, x: len(g.t[x].shape) == 4 and g.opset >= 10),
    (1, "AffineGrid", f_affine_grid, lambda g, x: len(g.t[x].shape) == 4 and g.opset >= 20),
    (1, "STFT", f_stft, at_least(17)),
    (1, "MelWeightMatrix", f_melspec, at_least(18)),
    (1, "LpNormalization", f_lpnorm, None),
    (1, "CenterCropPad", f_center_crop_pad, at_least(18)),
    (1, "LpPool", f_lppool, lambda g, x: 3 <= len(g.t[x].shape) <= 5 and g.opset >= 11),
    (1, "GroupNormalization", f_groupnorm, lambda g, x: len(g.t[x].shape) >= 3 and g.opset >= 18),
    (1, "BitwiseAnd/Or/Xor/Not", f_bitwise, at_least(18)),
    (1, "TfIdfVectorizer", f_tfidf, None),
    (1, "GatherElements", f_gather_elements, None),
    (1, "Compress", f_compress, None),
    (1, "GatherND", f_gather_nd, None),
    (1, "ScatterND", f_scatter_nd, None),
    (1, "ScatterElements", f_scatter_elements, None),
    (1, "NegativeLogLikelihoodLoss", f_nll, rank_at_least(2)),
    (1, "SoftmaxCrossEntropyLoss", f_sce, rank_at_least(2)),
    (2, "ReduceMin/Prod/L1/L2/LogSum/LogSumExp/SumSquare",
     lambda g, x: f_reduce_more(g.pick(["ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2", "ReduceLogSum",
                                         "ReduceLogSumExp", "ReduceSumSquare"]))(g, x), None),
]


def f_upsample(g, x):
    """Upsample-9 (deprecated at 10): scales 1 on N and C, 1-3 on H and W; nearest or linear."""
    s = [1.0, 1.0, float(g.pick([1, 2, 3, 1.5])), float(g.pick([1, 2, 3]))]
    mode = g.pick(["nearest", "linear"])
    g.feat(f"Upsample.{mode}")
    return g.emit("Upsample", [x, g.const(np.array(s, np.float32))], mode=mode), g.t[x].std


# Opset 9 graphs (2% of the float graphs) for Scatter and Upsample, deprecated at opsets 11 and 10:
# a few ops whose opset-9 forms the builders above and in gen.py write the same way.
LEGACY_OPSET = 9
LEGACY_OPS = [
    (3, "Scatter", lambda g, x: f_scatter_elements(g, x, "Scatter"), None),
    (2, "Upsample", f_upsample, lambda g, x: len(g.t[x].shape) == 4),
    (2, "Add", f_binary("Add"), None),
    (1, "Mul", f_binary("Mul"), None),
    (1, "Relu", lambda g, x: (g.emit("Relu", [x]), g.t[x].std), None),
    (1, "Sigmoid", lambda g, x: (g.emit("Sigmoid", [x]), 0.3), None),
]
