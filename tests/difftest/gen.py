"""Seeded random valid ONNX graphs for differential testing (issue 17).

generate(seed) -> (onnx.ModelProto, info): the same seed always gives the same model. A graph is
either float or quantized (QDQ: DequantizeLinear -> op -> QuantizeLinear units, int8 or uint8
activations, per-tensor and per-channel weight scales, random and extreme scales and zero points).
Graphs are chains and DAGs: each node reads the newest tensor or, often, an older one (branches),
residual Adds/Muls join two tensors of one shape, Concats join tensors along an axis, Splits fork.
Every unconsumed tensor becomes a graph output. Every node's output shape comes from ONNX shape
inference on that node (an attribute draw that is invalid for the input is redrawn), and the whole
model passes onnx.checker (full check, strict shape inference).

info: {"seed", "kind" ("float"/"quant"), "opset", "ops" (Counter of op types), "features" (Counter
of attribute features such as "Conv.depthwise" or "MaxPool.ceil_mode")}.
"""
import collections

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

F32 = TensorProto.FLOAT
I8 = TensorProto.INT8
U8 = TensorProto.UINT8
I16 = TensorProto.INT16
I4 = TensorProto.INT4
I32 = TensorProto.INT32
I64 = TensorProto.INT64
NP = {F32: np.float32, I8: np.int8, U8: np.uint8, I16: np.int16, I32: np.int32, I64: np.int64,
      TensorProto.UINT32: np.uint32, TensorProto.UINT64: np.uint64}
OPSETS = [13, 17, 19, 21]


class Reject(Exception):
    """This draw does not fit the tensor (invalid attributes, empty output): draw again."""


class Info:
    def __init__(self, shape, dtype, std=1.0, q=None):
        self.shape, self.dtype, self.std, self.q = list(shape), dtype, std, q  # q = (scale, zero point)
        self.sq = None  # a DequantizeLinear output: its input's (scale, zero point)


class Graph:
    def __init__(self, rng, opset, quant, max_elems):
        self.rng, self.opset, self.quant, self.max_elems = rng, opset, quant, max_elems
        self.nodes, self.inits, self.inputs = [], {}, []
        self.t = {}  # tensor name -> Info
        self.live = []  # tensors a new node may read (graph inputs and node outputs)
        self.uses = collections.Counter()
        self.k = 0
        self.ops = collections.Counter()
        self.features = collections.Counter()
        self.qtype = I8
        self.side_outputs = []  # integer/boolean intermediates that are graph outputs too (gen_breadth)

    # ----- basics
    def r(self, lo, hi):  # integer in [lo, hi]
        return int(self.rng.integers(lo, hi + 1))

    def p(self, prob):
        return bool(self.rng.random() < prob)

    def pick(self, seq):
        return seq[int(self.rng.integers(0, len(seq)))]

    def name(self, prefix):
        self.k += 1
        return f"{prefix}{self.k}"

    def feat(self, *names):
        for n in names:
            self.features[n] += 1

    def const(self, a, dtype=F32):
        n = self.name("c")
        if dtype == I4:  # (numpy has no int4: helper.make_tensor packs the values)
            a = np.asarray(a)
            self.inits[n] = helper.make_tensor(n, I4, a.shape, a.flatten().astype(int).tolist())
            return n
        self.inits[n] = numpy_helper.from_array(np.asarray(a).astype(NP[dtype]), n)
        return n

    def input(self, shape, dtype, std=1.0, q=None):
        n = f"in{len(self.inputs)}"
        self.inputs.append(n)
        self.t[n] = Info(shape, dtype, std, q)
        self.live.append(n)
        return n

    def emit(self, op, ins, n_out=1, **attrs):
        """Adds one node; its outputs' types come from ONNX shape inference (Reject when invalid)."""
        outs = [self.name("t") for _ in range(n_out)]
        node = helper.make_node(op, ins, outs, name=f"{op}_{self.k}", **attrs)
        vis = [helper.make_tensor_value_info(i, self.t[i].dtype, self.t[i].shape) for i in dict.fromkeys(ins)
               if i and i not in self.inits]
        inits = [self.inits[i] for i in dict.fromkeys(ins) if i in self.inits]
        g = helper.make_graph([node], "n", vis, [onnx.ValueInfoProto(name=o) for o in outs], inits)
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", self.opset)])
        try:
            m = onnx.shape_inference.infer_shapes(m, strict_mode=True)
        except Exception as e:  # noqa: BLE001 (onnx raises several kinds)
            raise Reject(str(e)) from None
        infos = []
        for o in m.graph.output:
            tt = o.type.tensor_type
            if not tt.HasField("shape") or tt.elem_type == 0:
                raise Reject("no shape")
            dims = [d.dim_value if d.HasField("dim_value") else -1 for d in tt.shape.dim]
            if any(d <= 0 for d in dims) or int(np.prod(dims)) > self.max_elems:
                raise Reject(f"shape {dims}")
            infos.append(Info(dims, tt.elem_type))
        self.nodes.append(node)
        self.ops[op] += 1
        for i in ins:
            if i and i not in self.inits:
                self.uses[i] += 1
        for o, inf in zip(outs, infos):
            self.t[o] = inf
        return outs if n_out > 1 else outs[0]

    def emit_known(self, op, ins, shape, dtype, **attrs):
        """Adds one node whose output shape ONNX shape inference cannot see from the node alone
        (it depends on input values that are fixed here, e.g. ConstantOfShape of a Shape)."""
        out = self.name("t")
        self.nodes.append(helper.make_node(op, ins, [out], name=f"{op}_{self.k}", **attrs))
        self.ops[op] += 1
        for i in ins:
            if i and i not in self.inits:
                self.uses[i] += 1
        self.t[out] = Info(shape, dtype)
        return out

    def add_live(self, name, std=None, q=None):
        if std is not None:
            self.t[name].std = std
        if q is not None:
            self.t[name].q = q
        self.live.append(name)
        return name

    # ----- quantization helpers
    def qrange(self):
        return {I8: (-128, 127), U8: (0, 255), I16: (-32768, 32767)}[self.qtype]

    def zp(self, extreme=0.15):
        if self.qtype == I16:  # int16 activations are symmetric (tinyc's int16 form; other zero points stay float)
            return 0
        lo, hi = self.qrange()
        mid = (lo + hi + 1) // 2
        r = self.rng.random()
        if r < extreme:
            return self.pick([lo, hi])
        if r < 0.5:
            return mid
        return int(np.clip(mid + self.rng.integers(-40, 41), lo, hi))

    def out_scale(self, std):
        """A scale covering about +-4 std in 127 steps (int16: 32767), randomly off by up to 3x; 8% extreme."""
        s = max(std, 1e-6) * 4 / (32767 if self.qtype == I16 else 127) * 10 ** self.rng.uniform(-0.5, 0.5)
        if self.p(0.08):
            self.feat("quant.extreme_scale")
            s *= 10 ** float(self.pick([-3, -2, 2, 3]))
        return float(np.float32(s))

    def dq(self, x):
        s, z = self.t[x].q
        y = self.emit("DequantizeLinear", [x, self.const(np.float32(s)), self.const(z, self.t[x].dtype)])
        self.t[y].std = self.t[x].std
        self.t[y].sq = (s, z)
        return y

    def q(self, y, std, s=None, z=None):
        s = self.out_scale(std) if s is None else s
        z = self.zp() if z is None else z
        out = self.emit("QuantizeLinear", [y, self.const(np.float32(s)), self.const(z, self.qtype)])
        return self.add_live(out, std=std, q=(s, z))

    def sparse(self, w):
        """Weights as a model pruned in training holds them, now and then: most of them exact zeros
        (55-95%, at least one left), so that the zero-skipping kernels (sparse-weights pass) run."""
        if w.size < 8 or not self.p(0.2):
            return w
        self.feat("sparse_weights")
        w = np.array(w)
        flat = w.reshape(-1)
        drop = self.rng.permutation(flat.size)[:min(flat.size - 1, int(flat.size * self.rng.uniform(0.55, 0.95)))]
        flat[drop] = 0
        return w

    def qweights(self, shape, axis):
        """int8 weights (zero point 0, or uint8 with zero point 128 in a uint8 graph), per-tensor or per-channel."""
        wtype = U8 if self.qtype == U8 else I8  # (int16 graphs: int8 weights)
        if self.qtype == U8:
            w = self.rng.integers(1, 256, size=shape)
            zpv = 128
        elif self.opset >= 21 and self.p(0.25):  # ONNX INT4 weights (tinyc packs them two per byte)
            self.feat("quant.int4_weights")
            wtype = I4
            w = self.rng.integers(-8, 8, size=shape)
            zpv = 0
        else:
            w = self.sparse(self.rng.integers(-127, 128, size=shape))
            zpv = 0
        per_channel = self.p(0.6)
        n = shape[axis]
        if per_channel:
            self.feat("quant.per_channel")
            s = (10 ** self.rng.uniform(-1.5, 0.5, size=n) / 73 / np.sqrt(np.prod(shape) / n)).astype(np.float32)
            if self.p(0.1):
                self.feat("quant.extreme_weight_scale")
                s[self.r(0, n - 1)] *= float(self.pick([1e-4, 1e3]))
            ws = self.emit("DequantizeLinear", [self.const(w, wtype), self.const(s),
                                                self.const(np.full(n, zpv), wtype)], axis=axis)
        else:
            s = np.float32(10 ** self.rng.uniform(-1.5, 0.5) / 73 / np.sqrt(np.prod(shape) / n))
            ws = self.emit("DequantizeLinear", [self.const(w, wtype), self.const(s), self.const(zpv, wtype)])
        return ws, s

    # ----- the model
    def model(self, outputs):
        outs = []
        for o in outputs:
            outs.append(helper.make_tensor_value_info(o, self.t[o].dtype, self.t[o].shape))
        ins = [helper.make_tensor_value_info(i, self.t[i].dtype, self.t[i].shape) for i in self.inputs]
        g = helper.make_graph(self.nodes, "difftest", ins, outs, list(self.inits.values()))
        m = helper.make_model(g, opset_imports=[helper.make_opsetid("", self.opset)], producer_name="tinyc-difftest")
        m.ir_version = 8 if self.opset < 21 else 10
        return m


# ---------------------------------------------------------------- op builders
# Each builder takes (g, x) and returns the new live tensor, or raises Reject. Float builders work on
# float tensors; in a quantized graph, `unit` wraps them into DequantizeLinear -> op -> QuantizeLinear.

def rank_is(*ranks):
    return lambda g, x: len(g.t[x].shape) in ranks


def spatial(g, x):
    return len(g.t[x].shape) >= 3


def conv_attrs(g, x, k_max=5, pool=False, allow_dilation=True):
    sh = g.t[x].shape
    nsp = len(sh) - 2
    attrs = {}
    ks = [g.r(1, min(k_max, max(1, d + 2))) for d in sh[2:]]
    attrs["kernel_shape"] = ks
    if g.p(0.5):
        attrs["strides"] = [g.r(1, 3) for _ in range(nsp)]
        if any(s > 1 for s in attrs["strides"]):
            g.feat(f"{'pool' if pool else 'conv'}.strides")
    if allow_dilation and g.p(0.3):
        attrs["dilations"] = [g.r(1, 3) for _ in range(nsp)]
        if any(d > 1 for d in attrs["dilations"]):
            g.feat(f"{'pool' if pool else 'conv'}.dilations")
    r = g.rng.random()
    if r < 0.25:
        ap = g.pick(["SAME_UPPER", "SAME_LOWER", "VALID"])
        attrs["auto_pad"] = ap
        g.feat(f"{'pool' if pool else 'conv'}.auto_pad_{ap}")
    elif r < 0.75:
        attrs["pads"] = [g.r(0, k - 1) for k in ks] + [g.r(0, k - 1) for k in ks]
        if any(attrs["pads"]):
            g.feat(f"{'pool' if pool else 'conv'}.pads")
            if attrs["pads"][:nsp] != attrs["pads"][nsp:]:
                g.feat(f"{'pool' if pool else 'conv'}.asymmetric_pads")
    return attrs


def check_fits(g, x, attrs, ks):
    """Reject a window larger than the (padded) input: ONNX shape inference (1.16) truncates the
    negative quotient to an output of 1 instead of failing."""
    sh = g.t[x].shape[2:]
    n = len(sh)
    dil = attrs.get("dilations", [1] * n)
    pads = attrs.get("pads", [0] * 2 * n)
    if attrs.get("auto_pad", "NOTSET") in ("SAME_UPPER", "SAME_LOWER"):
        return
    for i in range(n):
        if sh[i] + pads[i] + pads[i + n] < dil[i] * (ks[i] - 1) + 1:
            raise Reject("window larger than the input")


def f_conv(g, x):
    sh = g.t[x].shape
    cin = sh[1]
    attrs = conv_attrs(g, x)
    check_fits(g, x, attrs, attrs["kernel_shape"])
    r = g.rng.random()
    group = 1
    if r < 0.25:
        group, cout = cin, cin * g.pick([1, 1, 2])
        g.feat("Conv.depthwise")
    elif r < 0.4 and cin > 1:
        divs = [d for d in range(2, cin + 1) if cin % d == 0]
        group = g.pick(divs)
        cout = group * g.r(1, 3)
        g.feat("Conv.group")
    else:
        cout = g.r(1, 24)
    if group > 1:
        attrs["group"] = group
    ks = attrs["kernel_shape"]
    if g.p(0.2):
        del attrs["kernel_shape"]  # inferred from W
        g.feat("Conv.no_kernel_shape")
    fan_in = cin // group * int(np.prod(ks))
    if g.quant:
        w, s_w = g.qweights([cout, cin // group] + ks, 0)
        xs = g.t[x].sq[0]
        ins = [x, w]
        if g.p(0.8):
            if g.p(0.7):  # an int32 bias at s_x * s_w, as quantizers write it
                bs = (np.float32(xs) * np.asarray(s_w, np.float32) * np.ones(cout, np.float32)).astype(np.float32)
                b = g.rng.integers(-3000, 3000, size=cout)
                ins.append(g.emit("DequantizeLinear", [g.const(b, I32), g.const(bs), g.const(np.zeros(cout), I32)],
                                  axis=0))
            else:
                ins.append(g.const(g.rng.standard_normal(cout) * 0.2))
                g.feat("Conv.float_bias")
        y = g.emit("Conv", ins, **attrs)
        std = g.t[x].std * 73 * float(np.mean(s_w)) * np.sqrt(fan_in)
        return y, std
    w = g.sparse(g.rng.standard_normal([cout, cin // group] + ks) / np.sqrt(fan_in))
    ins = [x, g.const(w)]
    if g.p(0.7):
        ins.append(g.const(g.rng.standard_normal(cout) * 0.1))
        g.feat("Conv.bias")
    return g.emit("Conv", ins, **attrs), g.t[x].std


def f_convtranspose(g, x):
    sh = g.t[x].shape
    cin = sh[1]
    nsp = len(sh) - 2
    group = cin if g.p(0.2) else 1
    cout = g.r(1, 8) * (group if group > 1 else 1)
    ks = [g.r(1, 4) for _ in range(nsp)]
    attrs = {"kernel_shape": ks}
    if group > 1:
        attrs["group"] = group
        g.feat("ConvTranspose.group")
    if g.p(0.5):
        attrs["strides"] = [g.r(1, 3) for _ in range(nsp)]
        g.feat("ConvTranspose.strides")
    if g.p(0.2):
        attrs["dilations"] = [g.r(1, 2) for _ in range(nsp)]
        g.feat("ConvTranspose.dilations")
    if g.p(0.4):
        attrs["pads"] = [g.r(0, k - 1) for k in ks] * 2
        g.feat("ConvTranspose.pads")
    if g.p(0.2) and "strides" in attrs:
        attrs["output_padding"] = [g.r(0, s - 1) for s in attrs["strides"]]
        g.feat("ConvTranspose.output_padding")
    w = g.rng.standard_normal([cin, cout // group] + ks) / np.sqrt(cin * np.prod(ks) / max(1, np.prod(attrs.get("strides", [1]))))
    ins = [x, g.const(w)]
    if g.p(0.5):
        ins.append(g.const(g.rng.standard_normal(cout) * 0.1))
    return g.emit("ConvTranspose", ins, **attrs), g.t[x].std


def f_pool(op):
    def build(g, x):
        attrs = conv_attrs(g, x, k_max=4, pool=True, allow_dilation=(op == "MaxPool" or g.opset >= 19))
        check_fits(g, x, attrs, attrs["kernel_shape"])
        check_windows_hit(g, x, attrs)
        if g.p(0.3) and attrs.get("auto_pad") is None:
            attrs["ceil_mode"] = 1
            g.feat(f"{op}.ceil_mode")
            ceil_window_check(g, x, attrs)
            check_windows_hit(g, x, attrs)
        if op == "AveragePool" and g.p(0.5):
            attrs["count_include_pad"] = 1
            g.feat("AveragePool.count_include_pad")
        return g.emit(op, [x], **attrs), g.t[x].std
    return build


def check_windows_hit(g, x, attrs):
    """Leaves out pools with a window entirely in the padding (dilations larger than the input):
    MaxPool gives -FLT_MAX there, which a later float sum overflows to -inf on the single-precision
    targets but not in the interpreter's double (graph seed 10000594), AveragePool 0/0."""
    sh = g.t[x].shape[2:]
    n = len(sh)
    ks = attrs["kernel_shape"]
    st = attrs.get("strides", [1] * n)
    dl = attrs.get("dilations", [1] * n)
    pads = list(attrs.get("pads", [0] * 2 * n))
    ap = attrs.get("auto_pad", "NOTSET")
    for i in range(n):
        dk = dl[i] * (ks[i] - 1) + 1
        if ap in ("SAME_UPPER", "SAME_LOWER"):
            out = -(-sh[i] // st[i])
            total = max(0, (out - 1) * st[i] + dk - sh[i])
            pads[i] = total // 2 if ap == "SAME_UPPER" else total - total // 2
        elif ap == "VALID":
            pads[i] = 0
            out = (sh[i] - dk) // st[i] + 1
        else:
            span = sh[i] + pads[i] + pads[i + n] - dk
            out = (-(-span // st[i]) if attrs.get("ceil_mode") else span // st[i]) + 1
        for o in range(out):
            start = o * st[i] - pads[i]
            if not any(0 <= start + k * dl[i] < sh[i] for k in range(ks[i])):
                raise Reject("a window entirely in the padding")


def ceil_window_check(g, x, attrs):
    """Known-failures list, 'ceil_mode-last-window': with ceil_mode, a last window that starts past the
    input and its left padding is dropped by ONNX >= opset 19 shape inference, the ONNX reference and
    tinyc, but kept by ONNX's AveragePool-11 shape inference and ORT 1.19 (which then outputs -FLT_MAX
    or 0/0 for it): the semantics are version-dependent, so the generator leaves that case out."""
    sh = g.t[x].shape[2:]
    n = len(sh)
    ks = attrs["kernel_shape"]
    st = attrs.get("strides", [1] * n)
    dil = attrs.get("dilations", [1] * n)
    pads = attrs.get("pads", [0] * 2 * n)
    for i in range(n):
        span = sh[i] + pads[i] + pads[i + n] - dil[i] * (ks[i] - 1) - 1
        out = -(-span // st[i]) + 1
        if (out - 1) * st[i] >= sh[i] + pads[i]:
            raise Reject("ceil_mode: last window past the input")


def f_global(op):
    return lambda g, x: (g.emit(op, [x]), g.t[x].std)


def f_unary(op, **fixed):
    def build(g, x):
        attrs = {}
        if op == "LeakyRelu":
            attrs["alpha"] = float(g.pick([0.01, 0.1, 0.3, 1.5, -0.5]))
        elif op in ("Elu", "Celu"):
            attrs["alpha"] = float(g.pick([1.0, 0.5, 2.0]))
        elif op == "Selu" and g.p(0.5):
            attrs["alpha"], attrs["gamma"] = float(g.rng.uniform(0.5, 2)), float(g.rng.uniform(0.5, 2))
        elif op == "ThresholdedRelu" and g.p(0.7):
            attrs["alpha"] = float(g.rng.uniform(-1, 1.5))
        elif op == "Shrink" and g.p(0.7):
            attrs["lambd"], attrs["bias"] = float(g.rng.uniform(0, 1)), float(g.rng.uniform(-0.5, 0.5))
        elif op == "HardSigmoid" and g.p(0.5):
            attrs["alpha"], attrs["beta"] = float(g.rng.uniform(0.05, 0.5)), float(g.rng.uniform(0, 1))
        elif op in ("Softmax", "LogSoftmax"):
            rank = len(g.t[x].shape)
            attrs["axis"] = g.r(-rank, rank - 1)
        y = g.emit(op, [x], **attrs)
        return y, g.t[x].std
    return build


def f_bounded_unary(g, x):
    """Asin, Acos or Atanh of 0.9 * Tanh(x): inside (-1, 1), away from the poles."""
    t = g.emit("Mul", [g.emit("Tanh", [x]), g.const(np.float32(0.9))])
    return g.emit(g.pick(["Asin", "Acos", "Atanh"]), [t]), 1.0


def f_clip(g, x):
    lo = float(g.rng.uniform(-3, 0))
    hi = lo + float(g.rng.uniform(0.2, 6))
    r = g.rng.random()
    if r < 0.2:
        ins = [x, "", g.const(np.float32(hi))]
        g.feat("Clip.max_only")
    elif r < 0.3:
        ins = [x, g.const(np.float32(lo))]
        g.feat("Clip.min_only")
    else:
        ins = [x, g.const(np.float32(lo)), g.const(np.float32(hi))]
    return g.emit("Clip", ins), g.t[x].std


def positive(g, x):
    """Abs(x) + c with c in [0.5, 2]: a float tensor bounded away from zero."""
    a = g.emit("Abs", [x])
    return g.emit("Add", [a, g.const(np.float32(g.rng.uniform(0.5, 2)))])


def f_positive_unary(op):
    def build(g, x):
        return g.emit(op, [positive(g, x)]), 1.0
    return build


def f_pow(g, x):
    e = float(g.pick([0.5, 2.0, 3.0, -1.0, 1.5, -0.5]))
    return g.emit("Pow", [positive(g, x), g.const(np.float32(e))]), 2.0


def bcast_shape(g, shape):
    """A shape that broadcasts to `shape` (numpy rules), with the feature it exercises."""
    rank = len(shape)
    r = g.rng.random()
    if r < 0.3:
        return list(shape), "same"
    if r < 0.45:
        return [], "scalar"
    if r < 0.7 and rank >= 2:
        return [shape[1]] + [1] * (rank - 2), "channel"  # [C, 1, 1]
    if r < 0.85:
        k = g.r(1, rank)
        return list(shape[rank - k:]), "suffix"
    return [d if g.p(0.5) else 1 for d in shape], "ones"


def other_operand(g, x):
    """A second operand for a binary op: another live tensor of a broadcastable shape, else a constant."""
    sh = g.t[x].shape
    cands = [t for t in g.live if t != x and g.t[t].dtype == g.t[x].dtype and g.t[t].q is None and
             broadcastable(g.t[t].shape, sh)]
    if cands and g.p(0.6):
        g.feat("binary.two_tensors")
        same = [t for t in cands if g.t[t].shape == sh]
        if same and g.p(0.7):
            g.feat("binary.residual")
            return g.pick(same)
        return g.pick(cands)
    bs, kind = bcast_shape(g, sh)
    g.feat(f"broadcast.{kind}")
    return g.const(g.rng.standard_normal(bs).astype(np.float32) if bs else np.float32(g.rng.standard_normal()))


def broadcastable(a, b):
    """a broadcasts to b without changing b (unidirectional)."""
    if len(a) > len(b):
        return False
    return all(x == 1 or x == y for x, y in zip(a[::-1], b[::-1]))


def f_binary(op):
    def build(g, x):
        o = other_operand(g, x)
        if op == "Div":
            o = positive(g, o)
        ins = [x, o] if g.p(0.7) or op in ("Div", "PRelu") else [o, x]
        if op in ("Sum", "Mean") and g.p(0.3):
            ins.append(other_operand(g, x))
            g.feat(f"{op}.three")
        y = g.emit(op, ins)
        return y, g.t[x].std * (1.4 if op in ("Add", "Sub", "Sum") else 1)
    return build


def f_prelu(g, x):
    sh = g.t[x].shape
    if len(sh) >= 2 and g.p(0.6):
        slope = g.rng.uniform(-0.5, 0.5, size=[sh[1]] + [1] * (len(sh) - 2))
        g.feat("PRelu.channel")
    else:
        slope = np.float32(g.rng.uniform(-0.5, 0.5))
    return g.emit("PRelu", [x, g.const(slope)]), g.t[x].std


def f_batchnorm(g, x):
    c = g.t[x].shape[1]
    ins = [x, g.const(g.rng.uniform(0.5, 1.5, c)), g.const(g.rng.standard_normal(c) * 0.1),
           g.const(g.rng.standard_normal(c) * 0.1), g.const(g.rng.uniform(0.5, 2, c))]
    return g.emit("BatchNormalization", ins, epsilon=float(g.pick([1e-5, 1e-3]))), g.t[x].std


def f_layernorm(g, x):
    sh = g.t[x].shape
    rank = len(sh)
    axis = g.r(-rank, rank - 1)
    a = axis % rank
    ins = [x, g.const(g.rng.uniform(0.5, 1.5, sh[a:]))]
    if g.p(0.6):
        ins.append(g.const(g.rng.standard_normal(sh[a:]) * 0.1))
    if int(np.prod(sh[a:])) < 2:
        raise Reject("normalizing a single element")
    return g.emit("LayerNormalization", ins, axis=axis), 1.0


def f_lrn(g, x):
    return g.emit("LRN", [x], size=g.pick([1, 2, 3, 5]), alpha=float(g.pick([1e-4, 0.01, 0.5])),
                  beta=float(g.pick([0.75, 0.5, 1.0])), bias=float(g.pick([1.0, 2.0]))), g.t[x].std


def f_gemm(g, x):
    m, k = g.t[x].shape
    n = g.r(1, 32)
    tb = g.r(0, 1)
    if g.quant:
        w, s_w = g.qweights([n, k] if tb else [k, n], 0 if tb else 1)
        ins = [x, w]
        if g.p(0.7):
            ins.append(g.const(g.rng.standard_normal(n) * 0.2))
        y = g.emit("Gemm", ins, transB=tb)
        if tb:
            g.feat("Gemm.transB")
        return y, g.t[x].std * 73 * float(np.mean(s_w)) * np.sqrt(k)
    attrs = {}
    ta = g.r(0, 1) if g.p(0.2) else 0
    a = x
    if ta:  # Gemm(A^T): feed the transposed tensor
        a = g.emit("Transpose", [x], perm=[1, 0])
        attrs["transA"] = 1
        g.feat("Gemm.transA")
    if tb:
        attrs["transB"] = 1
        g.feat("Gemm.transB")
    w = g.sparse(g.rng.standard_normal([n, k] if tb else [k, n]) / np.sqrt(k))
    ins = [a, g.const(w)]
    if g.p(0.7):
        cshape = g.pick([[n], [1, n], [m, n], []])
        ins.append(g.const(g.rng.standard_normal(cshape) * 0.1 if cshape else np.float32(0.1)))
        g.feat("Gemm.bias")
    if g.p(0.2):
        attrs["alpha"], attrs["beta"] = float(g.pick([0.5, 2.0])), float(g.pick([0.5, 1.0, 2.0]))
        g.feat("Gemm.alpha_beta")
    return g.emit("Gemm", ins, **attrs), g.t[x].std


def f_matmul(g, x):
    sh = g.t[x].shape
    k = sh[-1]
    if g.quant:
        if len(sh) != 2:
            raise Reject("int8 MatMul by a constant: 2-D")
        w, s_w = g.qweights([k, g.r(1, 32)], 1)
        return g.emit("MatMul", [x, w]), g.t[x].std * 73 * float(np.mean(s_w)) * np.sqrt(k)
    cands = [t for t in g.live if t != x and g.t[t].q is None and g.t[t].dtype == F32 and len(g.t[t].shape) >= 2
             and g.t[t].shape[-2] == k and broadcastable(g.t[t].shape[:-2], sh[:-2])]
    if cands and g.p(0.4):
        g.feat("MatMul.two_tensors")
        b = g.pick(cands)
        return g.emit("MatMul", [x, b]), g.t[x].std * g.t[b].std * np.sqrt(k)
    bshape = [k, g.r(1, 24)]
    if len(sh) > 2 and g.p(0.3):
        bshape = sh[:-2] + bshape
        g.feat("MatMul.batched_constant")
    return g.emit("MatMul", [x, g.const(g.sparse(g.rng.standard_normal(bshape) / np.sqrt(k)))]), g.t[x].std


def f_flatten(g, x):
    rank = len(g.t[x].shape)
    axis = 1 if g.p(0.7) else g.r(0, rank)
    return g.emit("Flatten", [x], axis=axis), g.t[x].std


def f_reshape(g, x):
    sh = g.t[x].shape
    n = int(np.prod(sh))
    divs = [d for d in range(1, n + 1) if n % d == 0]
    r = g.rng.random()
    if r < 0.4 and len(sh) == 4:  # regroup channels: [N, C, H, W] -> [N, C/a, a*H, W] style
        new = [sh[0], -1] + sh[2:]
        new[2] = sh[2]
        target = [sh[0], sh[1], sh[2] * sh[3]] if g.p(0.5) else [sh[0], -1]
    elif r < 0.7 and not g.quant:
        a = g.pick(divs)
        target = [a, -1] if g.p(0.5) else [a, n // a]
    else:
        a = g.pick(divs)
        b = g.pick([d for d in range(1, n // a + 1) if (n // a) % d == 0])
        target = [1, a, b, n // a // b] if not g.quant or sh[0] == 1 else [sh[0], -1]
    if g.p(0.3) and len(target) <= len(sh) and target[0] == sh[0] and target[0] != -1:
        target = [0] + list(target[1:])
        g.feat("Reshape.zero")
    if -1 in target:
        g.feat("Reshape.infer")
    return g.emit("Reshape", [x, g.const(np.array(target), I64)]), g.t[x].std


def f_col2im(g, x):
    """Col2Im over 1-3 spatial axes: x's first C * prod(block) * L values (Flatten, Slice) as the
    columns [1, C * prod(block), L] of a random geometry (blocks, strides, dilations, pads)."""
    n = int(np.prod(g.t[x].shape))
    for _ in range(30):
        d = g.pick([1, 2, 2, 3])
        block = [g.r(1, 3) for _ in range(d)]
        dil = [g.pick([1, 1, 2]) for _ in range(d)]
        stride = [g.pick([1, 1, 2, 3]) for _ in range(d)]
        pads = [g.pick([0, 0, 1, 2]) for _ in range(2 * d)]
        image = [g.r(1, 7) for _ in range(d)]
        grid = [(image[j] + pads[j] + pads[j + d] - (dil[j] * (block[j] - 1) + 1)) // stride[j] + 1
                for j in range(d)]
        if min(grid) < 1 or min(image[j] + pads[j] + pads[j + d] - (dil[j] * (block[j] - 1) + 1) for j in range(d)) < 0:
            continue
        c = g.r(1, 3)
        cols, length = c * int(np.prod(block)), int(np.prod(grid))
        if cols * length <= n:
            break
    else:
        d, block, dil, stride, pads, image, c, cols, length = 1, [1], [1], [1], [0, 0], [1], 1, 1, 1
    if d == 3:
        g.feat("Col2Im.3d")
    if max(stride) > 1:
        g.feat("Col2Im.strides")
    if max(dil) > 1:
        g.feat("Col2Im.dilations")
    if max(pads) > 0:
        g.feat("Col2Im.pads")
    flat = g.emit("Flatten", [x], axis=0)
    if cols * length < n:
        flat = g.emit("Slice", [flat, g.const(np.array([0]), I64), g.const(np.array([cols * length]), I64),
                                g.const(np.array([1]), I64)])
    col = g.emit("Reshape", [flat, g.const(np.array([1, cols, length]), I64)])
    y = g.emit("Col2Im", [col, g.const(np.array(image), I64), g.const(np.array(block), I64)],
               strides=stride, dilations=dil, pads=pads)
    return y, g.t[x].std * float(np.sqrt(np.prod(block)))


def f_transpose(g, x):
    rank = len(g.t[x].shape)
    if g.p(0.15):
        g.feat("Transpose.default_perm")
        return g.emit("Transpose", [x]), g.t[x].std
    perm = list(g.rng.permutation(rank))
    return g.emit("Transpose", [x], perm=[int(p) for p in perm]), g.t[x].std


def f_squeeze_unsqueeze(g, x):
    sh = g.t[x].shape
    ones = [i for i, d in enumerate(sh) if d == 1]
    if ones and g.p(0.5):
        axes = sorted(set(g.pick(ones) for _ in range(g.r(1, len(ones)))))
        if g.opset >= 13:
            return g.emit("Squeeze", [x, g.const(np.array(axes), I64)]), g.t[x].std
    if len(sh) >= 5:
        raise Reject("rank")
    ax = g.r(-(len(sh) + 1), len(sh))
    return g.emit("Unsqueeze", [x, g.const(np.array([ax]), I64)]), g.t[x].std


def f_slice(g, x):
    sh = g.t[x].shape
    rank = len(sh)
    axes = sorted(set(g.r(0, rank - 1) for _ in range(g.r(1, rank))))
    starts, ends, steps = [], [], []
    for a in axes:
        d = sh[a]
        step = g.pick([1, 1, 1, 2, 3, -1, -2])
        if step > 0:
            s = g.r(0, d - 1)
            e = g.r(s + 1, d) if not g.p(0.1) else 2 ** 31
            if g.p(0.2):
                s -= d  # negative start
                g.feat("Slice.negative_index")
        else:
            s = g.r(0, d - 1)
            e = g.r(-1, s - 1) if s > 0 else -1
            if e == -1:
                e = -(2 ** 31)  # to the beginning
            g.feat("Slice.negative_step")
        starts.append(s)
        ends.append(e)
        steps.append(step)
    ins = [x, g.const(np.array(starts), I64), g.const(np.array(ends), I64)]
    if g.p(0.8):
        ins.append(g.const(np.array([a - rank if g.p(0.3) else a for a in axes]), I64))
        ins.append(g.const(np.array(steps), I64))
    elif any(s != 1 for s in steps) or axes != list(range(len(axes))):
        raise Reject("default axes and steps")
    return g.emit("Slice", ins), g.t[x].std


def f_pad(g, x):
    sh = g.t[x].shape
    rank = len(sh)
    mode = g.pick(["constant", "constant", "reflect", "edge"] + (["wrap"] if g.opset >= 19 else []))
    pads = []
    for side in range(2):
        for a in range(rank):
            if a < 2 and rank >= 3 and g.p(0.8):
                pads.append(0)
                continue
            lim = sh[a] - 1 if mode in ("reflect",) else sh[a] if mode == "wrap" else 3
            lo = -min(2, sh[a] - 1) if mode == "constant" and g.p(0.15) else 0
            pads.append(g.r(lo, max(lo, min(lim, 3))))
    if any(p < 0 for p in pads):
        g.feat("Pad.negative")
    g.feat(f"Pad.{mode}")
    ins = [x, g.const(np.array(pads), I64)]
    if mode == "constant" and g.p(0.4) and not g.quant:
        ins.append(g.const(np.float32(g.rng.standard_normal())))
        g.feat("Pad.value")
    return g.emit("Pad", ins, mode=mode), g.t[x].std


def f_reduce(op):
    def build(g, x):
        rank = len(g.t[x].shape)
        keep = g.r(0, 1)
        attrs = {"keepdims": keep}
        if not keep:
            g.feat("Reduce.keepdims0")
        if g.p(0.15):
            axes = None
            g.feat("Reduce.all_axes")
        else:
            axes = sorted(set(g.r(-rank, rank - 1) % rank for _ in range(g.r(1, rank))))
            axes = [a - rank if g.p(0.3) else a for a in axes]
        new_api = op == "ReduceSum" or g.opset >= 18
        if axes is None:
            y = g.emit(op, [x], **attrs)
        elif new_api:
            y = g.emit(op, [x, g.const(np.array(axes), I64)], **attrs)
        else:
            y = g.emit(op, [x], axes=axes, **attrs)
        return y, g.t[x].std * (3 if op == "ReduceSum" else 1)
    return build


def f_gather(g, x):
    sh = g.t[x].shape
    rank = len(sh)
    axis = g.r(0, rank - 1)
    d = sh[axis]
    idx = g.rng.integers(-d, d, size=g.pick([[g.r(1, 4)], [], [2, 2]]))
    if np.ndim(idx) != 1:
        g.feat("Gather.indices_rank")
    return g.emit("Gather", [x, g.const(idx, I64)], axis=axis if g.p(0.7) else axis - rank), g.t[x].std


def f_resize(g, x):
    sh = g.t[x].shape
    if len(sh) != 4:
        raise Reject("rank")
    mode = g.pick(["nearest", "linear", "cubic"])
    attrs = {"mode": mode}
    if mode == "nearest":
        attrs["nearest_mode"] = g.pick(["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"])
    ctm = g.pick(["half_pixel", "asymmetric", "align_corners", "pytorch_half_pixel"])
    if ctm == "align_corners" and mode == "nearest":
        ctm = "asymmetric"
    attrs["coordinate_transformation_mode"] = ctm
    g.feat(f"Resize.{mode}", f"Resize.{ctm}")
    if g.p(0.5):
        scales = [1.0, 1.0, float(g.pick([0.5, 2.0, 1.5, 3.0])), float(g.pick([0.5, 2.0, 1.5]))]
        ins = [x, "", g.const(np.array(scales, np.float32))]
    else:
        sizes = [sh[0], sh[1], g.r(1, 2 * sh[2] + 1), g.r(1, 2 * sh[3] + 1)]
        ins = [x, "", "", g.const(np.array(sizes), I64)]
        g.feat("Resize.sizes")
    return g.emit("Resize", ins, **attrs), g.t[x].std


def f_rnn(op):
    """RNN/GRU/LSTM over a rank-3 tensor read as [seq, batch, input] (layout 0) or [batch, seq, input]
    (layout 1); the output read further is Y_h (or Y reshaped to rank 3 by a Squeeze of directions)."""
    gates = {"RNN": 1, "GRU": 3, "LSTM": 4}[op]

    def build(g, x):
        sh = g.t[x].shape
        inp = sh[2]
        hid = g.r(1, 12)
        direction = g.pick(["forward", "forward", "reverse", "bidirectional"])
        nd = 2 if direction == "bidirectional" else 1
        attrs = {"hidden_size": hid, "direction": direction}
        g.feat(f"{op}.{direction}")
        if g.p(0.15) and g.opset >= 14:  # ORT 1.19 does not run layout 1 (no ORT oracle then)
            attrs["layout"] = 1
            g.feat(f"{op}.layout1")
        if g.p(0.2):
            attrs["clip"] = float(g.pick([0.5, 1.0, 3.0]))
            g.feat(f"{op}.clip")
        if op == "GRU" and g.p(0.5):
            attrs["linear_before_reset"] = 1
            g.feat("GRU.linear_before_reset")
        sc = 1 / np.sqrt(inp + hid)
        ins = [x, g.const(g.rng.standard_normal([nd, gates * hid, inp]) * sc),
               g.const(g.rng.standard_normal([nd, gates * hid, hid]) * sc)]
        if g.p(0.7):
            ins.append(g.const(g.rng.standard_normal([nd, 2 * gates * hid]) * 0.1))
            g.feat(f"{op}.bias")
        outs = g.emit(op, ins, n_out=2, **attrs)
        y, yh = outs
        if g.p(0.5):
            return yh, 1.0
        g.live.append(yh)  # both outputs (Y_h possibly unused: a graph output)
        # Y: [seq, dirs, batch, hidden] (layout 0) or [batch, seq, dirs, hidden]: flatten to rank 3
        ys = g.t[y].shape
        r = g.emit("Reshape", [y, g.const(np.array([ys[0], ys[1], -1]), I64)])
        return r, 1.0
    return build


def f_cast_roundtrip(g, x):
    """Cast to int32 and back. A float outside int32's range has no defined conversion (ONNX, C):
    the value is clipped to +-1e6 first (long run seed 7, graph 50: 2.1e9 became INT_MIN in ORT and
    INT_MAX in the interpreter)."""
    x = g.emit("Clip", [x, g.const(np.float32(-1e6)), g.const(np.float32(1e6))])
    y = g.emit("Cast", [x], to=I32)
    return g.emit("Cast", [y], to=F32), g.t[x].std


def f_identity(g, x):
    op = g.pick(["Identity", "Dropout"])
    return g.emit(op, [x]), g.t[x].std


def f_dynamic_quant(g, x):
    """ONNX Runtime's dynamic quantization: DynamicQuantizeLinear (uint8, scale and zero point from
    the tensor's range) -> MatMulInteger / ConvInteger with constant weights and zero points ->
    Cast to float -> times the input scale and the weight scale."""
    sh = g.t[x].shape
    if len(sh) == 2:
        k = sh[1]
        wdt = g.pick([U8, I8])
        n = g.r(1, 24)
        wz = 128 if wdt == U8 else 0
        w = g.rng.integers(0, 256, size=[k, n]) if wdt == U8 else g.rng.integers(-127, 128, size=[k, n])
        op, attrs = "MatMulInteger", {}
        fan_in = k
    elif len(sh) == 4:
        wdt, wz = U8, int(g.pick([128, 120, 0]))
        attrs = conv_attrs(g, x)
        check_fits(g, x, attrs, attrs["kernel_shape"])
        ks = attrs["kernel_shape"]
        n = g.r(1, 16)
        w = g.rng.integers(max(0, wz - 100), min(255, wz + 100) + 1, size=[n, sh[1]] + ks)
        op = "ConvInteger"
        fan_in = sh[1] * int(np.prod(ks))
    else:
        raise Reject("MatMulInteger on 2-D, ConvInteger on 4-D")
    yq, ys, yz = g.emit("DynamicQuantizeLinear", [x], n_out=3)
    ins = [yq, g.const(w, wdt), yz]
    if g.p(0.8):
        ins.append(g.const(np.uint8(wz) if wdt == U8 else np.int8(wz), wdt))
        g.feat(f"{op}.w_zero_point")
    acc = g.emit(op, ins, **attrs)
    wscale = np.float32(10 ** g.rng.uniform(-2.5, -1.5))
    f = g.emit("Cast", [acc], to=F32)
    scale = g.emit("Mul", [ys, g.const(wscale)])
    return g.emit("Mul", [f, scale]), g.t[x].std * float(wscale) * 60 * np.sqrt(fan_in)


def f_shape_consts(g, x):
    """Shape, ConstantOfShape and Constant nodes as exporters write them (tinyc folds them)."""
    sh = g.t[x].shape
    r = g.rng.random()
    if r < 0.4:  # x + ConstantOfShape(Shape(x), value)
        s = g.emit("Shape", [x])
        v = helper.make_tensor("value", F32, [1], [float(np.float32(g.rng.uniform(-1, 1)))])
        c = g.emit_known("ConstantOfShape", [s], sh, F32, value=v)
        g.feat("ConstantOfShape.from_shape")
        return g.emit(g.pick(["Add", "Mul"]), [x, c]), g.t[x].std
    if r < 0.7 and len(sh) >= 2:  # PyTorch's flatten: Reshape(x, Concat(Shape(x)[0:1], [-1]))
        s = g.emit("Shape", [x])
        head = g.emit("Slice", [s, g.const([0], I64), g.const([1], I64)])
        minus1 = g.emit("Constant", [], value=numpy_helper.from_array(np.array([-1], np.int64), "v"))
        target = g.emit("Concat", [head, minus1], axis=0)
        g.feat("Shape.flatten")
        return g.emit_known("Reshape", [x, target], [sh[0], int(np.prod(sh[1:]))], F32), g.t[x].std
    # x op Constant (a broadcastable tensor in a Constant node, not an initializer)
    cshape, _ = bcast_shape(g, sh)
    c = g.emit("Constant", [], value=numpy_helper.from_array(
        (g.rng.standard_normal(cshape) * 0.5).astype(np.float32), "v"))
    g.feat("Constant.operand")
    return g.emit(g.pick(["Add", "Sub", "Mul"]), [x, c]), g.t[x].std


FLOAT_OPS = [
    # (weight, op name, builder, applicable)
    (10, "Conv", f_conv, spatial),
    (2, "ConvTranspose", f_convtranspose, rank_is(3, 4)),
    (4, "MaxPool", f_pool("MaxPool"), spatial),
    (4, "AveragePool", f_pool("AveragePool"), spatial),
    (2, "GlobalAveragePool", f_global("GlobalAveragePool"), spatial),
    (1, "GlobalMaxPool", f_global("GlobalMaxPool"), spatial),
    (2, "BatchNormalization", f_batchnorm, spatial),
    (1, "LayerNormalization", f_layernorm, lambda g, x: g.opset >= 17),
    (1, "LRN", f_lrn, rank_is(4)),
    (3, "Relu", f_unary("Relu"), None),
    (1, "LeakyRelu", f_unary("LeakyRelu"), None),
    (1, "Sigmoid", f_unary("Sigmoid"), None),
    (1, "Tanh", f_unary("Tanh"), None),
    (1, "HardSigmoid", f_unary("HardSigmoid"), None),
    (1, "HardSwish", f_unary("HardSwish"), None),
    (1, "Elu", f_unary("Elu"), None),
    (1, "Abs", f_unary("Abs"), None),
    (1, "Neg", f_unary("Neg"), None),
    (1, "Erf", f_unary("Erf"), None),
    (1, "Softmax", f_unary("Softmax"), None),
    (1, "LogSoftmax", f_unary("LogSoftmax"), None),
    (2, "Clip", f_clip, None),
    (1, "Sqrt", f_positive_unary("Sqrt"), None),
    (1, "Log", f_positive_unary("Log"), None),
    (1, "Reciprocal", f_positive_unary("Reciprocal"), None),
    (1, "Exp", f_unary("Exp"), None),
    (1, "Softplus", f_unary("Softplus"), None),
    (1, "Mish", f_unary("Mish"), lambda g, x: g.opset >= 18),
    (1, "Softsign", f_unary("Softsign"), None),
    (1, "Selu", f_unary("Selu"), None),
    (1, "Celu", f_unary("Celu"), None),
    (1, "ThresholdedRelu", f_unary("ThresholdedRelu"), lambda g, x: x in g.inputs),
    (1, "Shrink", f_unary("Shrink"), lambda g, x: x in g.inputs),
    (1, "Atan/Sinh/Cosh/Asinh", lambda g, x: f_unary(g.pick(["Atan", "Sinh", "Cosh", "Asinh"]))(g, x), None),
    (1, "Asin/Acos/Atanh", f_bounded_unary, None),
    (1, "Acosh", lambda g, x: f_unary("Acosh")(g, g.emit("Add", [g.emit("Abs", [x]), g.const(np.float32(1.0))])), None),
    (1, "Tan", f_unary("Tan"), lambda g, x: x in g.inputs),
    (1, "Sin", f_unary("Sin"), None),
    (1, "Cos", f_unary("Cos"), None),
    # steps: only on a graph input, whose values every path has exactly (one float rounding apart,
    # a computed value could land on the other side of a step)
    (1, "Floor", f_unary("Floor"), lambda g, x: x in g.inputs),
    (1, "Ceil", f_unary("Ceil"), lambda g, x: x in g.inputs),
    (1, "Round", f_unary("Round"), lambda g, x: x in g.inputs),
    (1, "Sign", f_unary("Sign"), lambda g, x: x in g.inputs),
    (1, "Pow", f_pow, None),
    (4, "Add", f_binary("Add"), None),
    (1, "Sub", f_binary("Sub"), None),
    (2, "Mul", f_binary("Mul"), None),
    (1, "Div", f_binary("Div"), None),
    (1, "Max", f_binary("Max"), None),
    (1, "Min", f_binary("Min"), None),
    (1, "Sum", f_binary("Sum"), None),
    (1, "PRelu", f_prelu, None),
    (3, "Gemm", f_gemm, rank_is(2)),
    (2, "MatMul", f_matmul, rank_is(2, 3, 4)),
    (2, "Flatten", f_flatten, None),
    (2, "Reshape", f_reshape, None),
    (1, "Col2Im", f_col2im, lambda g, x: g.opset >= 18),
    (2, "Transpose", f_transpose, rank_is(2, 3, 4)),
    (1, "Squeeze/Unsqueeze", f_squeeze_unsqueeze, None),
    (2, "Slice", f_slice, None),
    (2, "Pad", f_pad, None),
    (1, "ReduceSum", f_reduce("ReduceSum"), None),
    (1, "ReduceMean", f_reduce("ReduceMean"), None),
    (1, "ReduceMax", f_reduce("ReduceMax"), None),
    (1, "Gather", f_gather, None),
    (1, "Resize", f_resize, rank_is(4)),
    (1, "Cast", f_cast_roundtrip, None),
    (1, "LSTM", f_rnn("LSTM"), rank_is(3)),
    (1, "GRU", f_rnn("GRU"), rank_is(3)),
    (1, "RNN", f_rnn("RNN"), rank_is(3)),
    (1, "Identity", f_identity, None),
    (2, "DynamicQuantizeLinear+MatMulInteger/ConvInteger", f_dynamic_quant, rank_is(2, 4)),
    (1, "Shape/ConstantOfShape/Constant", f_shape_consts, None),
]


# ------------------------------------------------------------- quantized units
def q_compute(fn, fuse=True):
    """DequantizeLinear -> fn (Conv/Gemm/MatMul/pools/...) [-> Relu/Clip] -> QuantizeLinear."""
    def build(g, x):
        xf = g.dq(x)
        y, std = fn(g, xf)
        if fuse and g.p(0.35):
            if g.p(0.6):
                y = g.emit("Relu", [y])
                g.feat("quant.fused_relu")
            else:
                lo = float(g.rng.uniform(-2, 0)) * std
                y = g.emit("Clip", [y, g.const(np.float32(lo)), g.const(np.float32(lo + std * g.rng.uniform(0.5, 4)))])
                g.feat("quant.fused_clip")
        return ("q", y, std)
    return build


def q_moving(fn):
    """Ops that only move elements: the same scale and zero point on both sides (or a requantization)."""
    def build(g, x):
        xf = g.dq(x)
        y, _ = fn(g, xf)
        s, z = g.t[x].q
        if g.p(0.15):
            g.feat("quant.requantize_moving")
            return ("q", y, g.t[x].std)
        return ("qsame", y, (s, z))
    return build


def q_table(op):
    def build(g, x):
        xf = g.dq(x)
        attrs = {"alpha": float(g.pick([0.01, 0.1, 0.3]))} if op == "LeakyRelu" else {}
        if op == "Clip":
            y, std = f_clip(g, xf)
        else:
            y = g.emit(op, [xf], **attrs)
            std = {"Sigmoid": 0.3, "Tanh": 0.6, "Exp": 2.0}.get(op, g.t[x].std)
        return ("q", y, std)
    return build


def q_binary(op):
    def build(g, x):
        sh = g.t[x].shape
        cands = [t for t in g.live if t != x and g.t[t].q is not None and broadcastable(g.t[t].shape, sh)]
        xf = g.dq(x)
        if cands and g.p(0.75):
            o = g.pick(cands)
            if g.t[o].shape == sh:
                g.feat("binary.residual")
            of = g.dq(o)
            std_o = g.t[o].std
        else:  # a quantized constant operand
            bs, kind = bcast_shape(g, sh)
            g.feat(f"broadcast.{kind}")
            lo, hi = g.qrange()
            s, z = g.out_scale(1.0), g.zp()
            of = g.emit("DequantizeLinear", [g.const(g.rng.integers(lo, hi + 1, size=bs), g.qtype), g.const(np.float32(s)),
                                             g.const(z, g.qtype)])
            std_o = s * (10000 if g.qtype == I16 else 40)
        ins = [xf, of] if g.p(0.6) else [of, xf]
        y = g.emit(op, ins)
        std = g.t[x].std + std_o if op == "Add" else g.t[x].std * std_o
        if op == "Add" and g.p(0.3):
            y = g.emit("Relu", [y])
            g.feat("quant.fused_relu")
        return ("q", y, std)
    return build


def q_softmax(g, x):
    xf = g.dq(x)
    rank = len(g.t[x].shape)
    y = g.emit("Softmax", [xf], axis=g.r(-rank, rank - 1) if g.p(0.3) else -1)
    if g.qtype == I16:
        return ("qfix", y, (float(g.pick([1 / 32767, g.out_scale(0.2)])), 0))
    lo, _ = g.qrange()
    return ("qfix", y, (float(g.pick([1 / 256, 1 / 255, g.out_scale(0.2)])), lo))


def q_concat(g, x):
    return concat(g, x, quant=True)


def q_island(fn):
    """An op without an integer form: a float island between int8 tensors."""
    def build(g, x):
        xf = g.dq(x)
        y, std = fn(g, xf)
        g.feat("quant.float_island")
        return ("q", y, std)
    return build


def q_qlinear(op):
    """QLinearConv / QLinearMatMul: the quantized op in one node (int8 in, int8 out)."""
    def build(g, x):
        s_x, z_x = g.t[x].q
        lo, hi = g.qrange()
        if op == "QLinearConv":
            if len(g.t[x].shape) not in (3, 4) or g.t[x].shape[0] != 1:
                raise Reject("int8 conv: batch 1, 1-D or 2-D")
            cin = g.t[x].shape[1]
            attrs = conv_attrs(g, x)
            check_fits(g, x, attrs, attrs["kernel_shape"])
            group = cin if g.p(0.3) else 1
            cout = cin if group > 1 else g.r(1, 16)
            if group > 1:
                attrs["group"] = group
                g.feat("QLinearConv.depthwise")
            ks = attrs["kernel_shape"]
            wshape = [cout, cin // group] + ks
            axis_len = cout
            k = cin // group * int(np.prod(ks))
        else:
            if len(g.t[x].shape) != 2:
                raise Reject("2-D")
            k = g.t[x].shape[1]
            n = g.r(1, 24)
            wshape = [k, n]
            axis_len = n
        if g.qtype == U8:
            w = g.rng.integers(1, 256, size=wshape)
            wz = 128
        else:
            w = g.rng.integers(-127, 128, size=wshape)
            wz = 0
        per_channel = op == "QLinearConv" and g.p(0.5)
        base = 10 ** g.rng.uniform(-1.5, 0.5) / 73 / np.sqrt(k)
        w_s = (base * 10 ** g.rng.uniform(-0.5, 0.5, size=axis_len)).astype(np.float32) if per_channel else np.float32(base)
        if per_channel:
            g.feat(f"{op}.per_channel")
        w_z = np.full(axis_len, wz) if per_channel else wz
        std = g.t[x].std * 73 * float(np.mean(w_s)) * np.sqrt(k)
        s_y, z_y = g.out_scale(std), g.zp()
        ins = [x, g.const(np.float32(s_x)), g.const(z_x, g.qtype), g.const(w, g.qtype), g.const(w_s),
               g.const(w_z, g.qtype), g.const(np.float32(s_y)), g.const(z_y, g.qtype)]
        if op == "QLinearConv" and g.p(0.7):
            ins.append(g.const(g.rng.integers(-3000, 3000, size=cout), I32))
        y = g.emit(op, ins, **(attrs if op == "QLinearConv" else {}))
        return ("qdone", y, (s_y, z_y, std))
    return build


QUANT_OPS = [
    (12, "Conv", q_compute(f_conv), lambda g, x: len(g.t[x].shape) in (3, 4) and g.t[x].shape[0] == 1),
    (4, "Gemm", q_compute(f_gemm), rank_is(2)),
    (2, "MatMul", q_compute(f_matmul), rank_is(2)),
    (3, "AveragePool", q_compute(f_pool("AveragePool"), fuse=False), lambda g, x: len(g.t[x].shape) in (3, 4) and g.t[x].shape[0] == 1),
    (2, "GlobalAveragePool", q_compute(f_global("GlobalAveragePool"), fuse=False), lambda g, x: len(g.t[x].shape) in (3, 4) and g.t[x].shape[0] == 1),
    (3, "MaxPool", q_moving(f_pool("MaxPool")), rank_is(3, 4)),
    (4, "Add", q_binary("Add"), None),
    (2, "Mul", q_binary("Mul"), None),
    (2, "Softmax", q_softmax, None),
    (3, "Concat", q_concat, None),
    (1, "Sigmoid", q_table("Sigmoid"), None),
    (1, "Tanh", q_table("Tanh"), None),
    (1, "HardSwish", q_table("HardSwish"), None),
    (1, "LeakyRelu", q_table("LeakyRelu"), None),
    (1, "Exp", q_table("Exp"), None),
    (1, "Sin", q_table("Sin"), None),
    (1, "Floor", q_table("Floor"), None),
    (1, "Softplus", q_table("Softplus"), None),
    (1, "Mish", q_table("Mish"), lambda g, x: g.opset >= 18),
    (1, "Relu", q_table("Relu"), None),
    (1, "Clip", q_table("Clip"), None),
    (1, "Reshape", q_moving(f_reshape), None),
    (1, "Flatten", q_moving(f_flatten), None),
    (1, "Transpose", q_moving(f_transpose), rank_is(2, 3, 4)),
    (1, "Slice", q_moving(f_slice), None),
    (1, "Pad", q_moving(f_pad), None),
    (1, "Squeeze/Unsqueeze", q_moving(f_squeeze_unsqueeze), None),
    (1, "Gather", q_moving(f_gather), None),
    (2, "QLinearConv", q_qlinear("QLinearConv"), lambda g, x: g.qtype != I16),
    (1, "QLinearMatMul", q_qlinear("QLinearMatMul"), lambda g, x: g.opset < 21 and g.qtype != I16),  # ORT 1.19: no QLinearMatMul-21
    (1, "LayerNormalization", q_island(f_layernorm), lambda g, x: g.opset >= 17),
    (1, "Sigmoid*Mul", q_island(lambda g, x: (g.emit("Mul", [x, g.emit("Sigmoid", [x])]), g.t[x].std)), None),
]


def concat(g, x, quant=False):
    sh = g.t[x].shape
    rank = len(sh)
    axis = 1 if rank >= 2 and g.p(0.6) else g.r(0, rank - 1)
    parts = [x]
    for t in g.live:
        if t != x and len(parts) < 4 and (g.t[t].q is not None) == quant and g.t[t].dtype == g.t[x].dtype:
            o = g.t[t].shape
            if len(o) == rank and all(o[i] == sh[i] for i in range(rank) if i != axis) and g.p(0.6):
                parts.append(t)
    if len(parts) == 1:
        parts.append(x)  # Concat of a tensor with itself
        g.feat("Concat.same_input")
    g.rng.shuffle(parts)
    if quant:
        same = all(g.t[p].q == g.t[parts[0]].q for p in parts)
        fl = [g.dq(p) for p in parts]
        y = g.emit("Concat", fl, axis=axis if g.p(0.7) else axis - rank)
        g.feat("Concat.quant_same_params" if same else "Concat.quant_requantize")
        if same and g.p(0.7):
            return ("qsame", y, g.t[parts[0]].q)
        return ("q", y, max(g.t[p].std for p in parts))
    y = g.emit("Concat", parts, axis=axis if g.p(0.7) else axis - rank)
    g.feat(f"Concat.{len(parts)}_inputs")
    return y, max(g.t[p].std for p in parts)


def f_split(g, x):
    sh = g.t[x].shape
    rank = len(sh)
    axes = [a for a in range(rank) if sh[a] >= 2]
    if not axes:
        raise Reject("nothing to split")
    axis = g.pick(axes)
    d = sh[axis]
    n = g.r(2, min(4, d))
    if g.p(0.5) or g.opset < 18:
        cuts = sorted(g.rng.choice(np.arange(1, d), size=n - 1, replace=False))
        sizes = np.diff([0] + [int(c) for c in cuts] + [d])
        outs = g.emit("Split", [x, g.const(np.array(sizes), I64)], n_out=n, axis=axis)
        g.feat("Split.sizes")
    else:
        outs = g.emit("Split", [x], n_out=n, axis=axis, num_outputs=n)
        g.feat("Split.num_outputs")
    return outs


FLOAT_OPS += [(2, "Concat", concat, None), (1, "Split", f_split, None)]
if __name__ != "__main__":  # (run as a script, the module imports itself as `gen` below)
    from gen_breadth import BREADTH_OPS, LEGACY_OPS, LEGACY_OPSET  # noqa: E402 (issue 15's ops; it imports the helpers above)
    FLOAT_OPS += BREADTH_OPS


def choose(g, table):
    weights = np.array([w for w, *_ in table], float)
    i = int(g.rng.choice(len(table), p=weights / weights.sum()))
    return table[i]


def pick_operand(g, ok):
    cands = [t for t in g.live if g.t[t].shape and (ok is None or ok(g, t))]
    if not cands:
        return None
    if g.p(0.6) or len(cands) == 1:
        return cands[-1]  # the chain
    g.feat("graph.branch")
    return g.pick(cands)


def input_shape(g):
    r = g.rng.random()
    n = 1 if g.p(0.85) or g.quant else 2
    if r < 0.6:  # images: tiny to MCU-sized
        size = g.pick(["tiny", "small", "small", "mcu"])
        if size == "tiny":
            return [n, g.r(1, 3), g.r(1, 4), g.r(1, 4)]
        if size == "small":
            return [n, g.r(1, 8), g.r(3, 16), g.r(3, 16)]
        g.features["shape.mcu"] += 1
        return g.pick([[1, 3, 32, 32], [1, 1, 49, 10], [1, 8, 24, 24], [1, 16, 16, 16], [1, 3, 64, 48]])
    if r < 0.8:
        return [n, g.r(1, 8), g.r(2, 40)]  # 1-D signals
    return [n, g.r(1, 64)]  # features


def generate(seed, max_nodes=None):
    rng = np.random.default_rng(seed)
    while True:  # a draw that ends with an invalid model is retried with the next draws
        m, info = _generate(rng, seed, max_nodes)
        if m is not None:
            return m, info


def _generate(rng, seed, max_nodes):
    quant = bool(rng.random() < 0.4)
    opset = int(rng.choice(OPSETS))
    legacy = not quant and rng.random() < 0.02
    if legacy:
        opset = LEGACY_OPSET
    g = Graph(rng, opset, quant, max_elems=20000)
    if quant:
        g.qtype = U8 if g.p(0.2) else I16 if opset >= 21 and g.p(0.5) else I8  # (int16 Q/DQ: opset 21)
        if g.qtype == U8:
            g.feat("quant.uint8")
        if g.qtype == I16:
            g.feat("quant.int16")
    n_in = 1 if g.p(0.8) else 2
    shape0 = input_shape(g)
    for i in range(n_in):
        shape = shape0 if i == 0 or g.p(0.7) else input_shape(g)
        if quant:
            if g.p(0.7):
                s = float(np.float32(10 ** rng.uniform(-3, 0)))
                g.input(shape, g.qtype, std=s * (15000 if g.qtype == I16 else 60), q=(s, g.zp()))
            else:  # a float input quantized by the graph
                g.feat("quant.float_input")
                x = g.input(shape, F32)
                g.live.remove(x)
                g.q(x, 1.0)
        else:
            g.input(shape, F32)
    n_nodes = g.r(1, max_nodes or g.pick([3, 6, 10, 16]))
    table = QUANT_OPS if quant else LEGACY_OPS if legacy else FLOAT_OPS
    steps, attempts = 0, 0
    while steps < n_nodes and attempts < n_nodes * 12:
        attempts += 1
        _, op, fn, ok = choose(g, table)
        x = pick_operand(g, ok)
        if x is None:
            continue
        snapshot = (len(g.nodes), dict(g.inits), dict(g.t), list(g.live), g.uses.copy(), g.k, g.ops.copy(),
                    g.features.copy(), list(g.side_outputs))
        try:
            res = fn(g, x)
            if quant:
                kind, y, extra = res
                if kind == "q":
                    g.q(y, extra)
                elif kind == "qdone":  # the op wrote its quantized output itself
                    g.add_live(y, std=extra[2], q=(extra[0], extra[1]))
                elif kind == "qsame":
                    g.q(y, g.t[x].std, s=extra[0], z=extra[1])
                else:  # qfix: fixed output parameters
                    g.q(y, 0.2, s=extra[0], z=extra[1])
        except (Reject, ValueError):  # ValueError: a draw from an empty range
            (n, g.inits, g.t, g.live, g.uses, g.k, g.ops, g.features, g.side_outputs) = snapshot
            del g.nodes[n:]
            continue
        if quant:
            pass
        elif isinstance(res, list):
            for o in res:
                g.add_live(o, std=g.t[x].std)
        else:
            y, std = res
            g.add_live(y, std=std)
        steps += 1
    if steps == 0:
        return None, None
    outputs = [t for t in g.live if g.uses[t] == 0 and t not in g.inputs]
    if not outputs:
        return None, None
    if len(outputs) > 1 and g.p(0.2):
        g.feat("graph.intermediate_output")
    extra = [t for t in g.live if g.uses[t] > 0 and t not in g.inputs]
    if extra and g.p(0.15):
        outputs.append(g.pick(extra))  # an output that other nodes read too
        g.feat("graph.consumed_output")
    if quant and g.p(0.3):  # a float output: DequantizeLinear at the edge
        outputs = [g.dq(o) if g.t[o].q is not None else o for o in outputs]
        g.feat("quant.float_output")
    outputs += [t for t in g.side_outputs if t not in outputs]
    if len(outputs) > 1:
        g.feat("graph.multi_output")
    m = g.model(outputs)
    try:
        onnx.checker.check_model(m, full_check=True)
    except Exception:  # noqa: BLE001
        return None, None
    info = {"seed": seed, "kind": "quant" if quant else "float", "opset": opset, "ops": g.ops,
            "features": g.features, "nodes": len(g.nodes)}
    return m, info


if __name__ == "__main__":
    import sys
    import gen
    for s in range(int(sys.argv[1]) if len(sys.argv) > 1 else 5):
        m, info = gen.generate(s)
        print(s, info["kind"], info["opset"], info["nodes"], dict(info["ops"]))
