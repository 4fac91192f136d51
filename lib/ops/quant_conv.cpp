// Quantized convolutions: QLinearConv and ConvInteger (N-D, groups, dilations, strides, pads,
// auto_pad), exact int32 accumulation.
#include "ops/quant_util.h"

namespace tinyc {

void registerQuantConvOps(OpRegistry& r);

namespace {

using namespace qutil;

struct ConvGeom {
  int64_t N = 0, C = 0, M = 0, group = 1, Cg = 0, Mg = 0;
  int sp = 0;        // number of spatial dims
  Shape in, k, out;  // spatial sizes
  std::vector<int64_t> stride, dil, padBegin;
};

std::vector<int64_t> intsOr(const Node& n, const char* name, size_t count, int64_t def) {
  if (!n.hasAttr(name)) return std::vector<int64_t>(count, def);
  return n.attrInts(name);
}

// Verifies x [N, C, D1..Dn] and w [M, C/group, k1..kn] against the conv attributes.
ConvGeom convGeom(const InferCtx& c, const Shape& x, const Shape& w) {
  const Node& n = c.node;
  ConvGeom g;
  if (x.size() < 3) c.fail("x must have rank >= 3 ([N, C, spatial...]), got {}", shapeStr(x));
  if (w.size() != x.size()) c.fail("w must have the rank of x ({}), got {}", x.size(), shapeStr(w));
  g.sp = static_cast<int>(x.size()) - 2;
  const size_t sp = static_cast<size_t>(g.sp);
  g.N = x[0];
  g.C = x[1];
  g.M = w[0];
  g.group = n.attrInt("group");
  if (g.group < 1) c.fail("group must be >= 1, got {}", g.group);
  if (g.C % g.group != 0 || g.M % g.group != 0)
    c.fail("channels in ({}) and out ({}) must be divisible by group {}", g.C, g.M, g.group);
  g.Cg = g.C / g.group;
  g.Mg = g.M / g.group;
  if (w[1] != g.Cg) c.fail("w has {} input channels per group but x has {} / group {}", w[1], g.C, g.group);
  g.in.assign(x.begin() + 2, x.end());
  g.k.assign(w.begin() + 2, w.end());
  if (n.hasAttr("kernel_shape") && Shape(n.attrInts("kernel_shape")) != g.k)
    c.fail("kernel_shape {} does not match w {}", shapeStr(n.attrInts("kernel_shape")), shapeStr(w));
  g.stride = intsOr(n, "strides", sp, 1);
  g.dil = intsOr(n, "dilations", sp, 1);
  std::vector<int64_t> pads = intsOr(n, "pads", 2 * sp, 0);
  if (g.stride.size() != sp || g.dil.size() != sp || pads.size() != 2 * sp)
    c.fail("strides/dilations need {} values and pads {}, got {}/{}/{}", sp, 2 * sp, g.stride.size(), g.dil.size(),
           pads.size());
  const std::string& autoPad = n.attrStr("auto_pad");
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    c.fail("unknown auto_pad '{}'", printable(autoPad));
  g.padBegin.resize(sp);
  g.out.resize(sp);
  for (size_t d = 0; d < sp; ++d) {
    if (g.stride[d] < 1 || g.dil[d] < 1) c.fail("strides and dilations must be >= 1");
    if (g.k[d] < 1) c.fail("kernel dims must be >= 1, got {}", shapeStr(w));
    int64_t eff = (g.k[d] - 1) * g.dil[d] + 1;
    int64_t pb = pads[d], pe = pads[d + sp];
    if (autoPad == "VALID") {
      pb = pe = 0;
    } else if (autoPad != "NOTSET") {  // SAME_*: output = ceil(in / stride)
      int64_t o = (g.in[d] + g.stride[d] - 1) / g.stride[d];
      int64_t total = std::max<int64_t>(0, (o - 1) * g.stride[d] + eff - g.in[d]);
      pb = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      pe = total - pb;
    }
    if (pb < 0 || pe < 0) c.fail("pads must be >= 0");
    int64_t span = g.in[d] + pb + pe;
    if (span < eff) c.fail("kernel (extent {}) is larger than the padded input ({}) in spatial dim {}", eff, span, d);
    g.padBegin[d] = pb;
    g.out[d] = (span - eff) / g.stride[d] + 1;
  }
  return g;
}

Shape outShape(const ConvGeom& g) {
  Shape s{g.N, g.M};
  s.insert(s.end(), g.out.begin(), g.out.end());
  return s;
}

// Accumulates conv(x, w) + bias exactly (int64) and wraps to int32; x and w already have their zero
// points subtracted, so padding contributes 0 (i.e. pads with the zero point).
std::vector<int32_t> intConv(const ConvGeom& g, const std::vector<int32_t>& x, const std::vector<int32_t>& w,
                             const Tensor* bias) {
  const size_t sp = static_cast<size_t>(g.sp);
  const int64_t inSp = numElements(g.in), outSp = numElements(g.out), kSp = numElements(g.k);
  std::vector<int64_t> kc(static_cast<size_t>(kSp) * sp);  // kernel multi-indices
  for (int64_t kp = 0; kp < kSp; ++kp)
    for (int64_t d = static_cast<int64_t>(sp) - 1, r = kp; d >= 0; --d) {
      kc[static_cast<size_t>(kp) * sp + static_cast<size_t>(d)] = r % g.k[static_cast<size_t>(d)];
      r /= g.k[static_cast<size_t>(d)];
    }
  std::vector<int32_t> out(static_cast<size_t>(g.N * g.M * outSp));
  std::vector<int64_t> oc(sp), idx(static_cast<size_t>(kSp));
  for (int64_t o = 0; o < outSp; ++o) {
    for (int64_t d = static_cast<int64_t>(sp) - 1, r = o; d >= 0; --d) {
      oc[static_cast<size_t>(d)] = r % g.out[static_cast<size_t>(d)];
      r /= g.out[static_cast<size_t>(d)];
    }
    // Input spatial offset of every kernel tap for this output position (-1 = padding).
    for (int64_t kp = 0; kp < kSp; ++kp) {
      int64_t lin = 0;
      for (size_t d = 0; d < sp && lin >= 0; ++d) {
        int64_t ic = oc[d] * g.stride[d] - g.padBegin[d] + kc[static_cast<size_t>(kp) * sp + d] * g.dil[d];
        lin = (ic < 0 || ic >= g.in[d]) ? -1 : lin * g.in[d] + ic;
      }
      idx[static_cast<size_t>(kp)] = lin;
    }
    for (int64_t n = 0; n < g.N; ++n)
      for (int64_t m = 0; m < g.M; ++m) {
        const int64_t grp = m / g.Mg;
        int64_t acc = bias ? bias->getI(m) : 0;
        for (int64_t ci = 0; ci < g.Cg; ++ci) {
          const int32_t* px = x.data() + (n * g.C + grp * g.Cg + ci) * inSp;
          const int32_t* pw = w.data() + (m * g.Cg + ci) * kSp;
          for (int64_t kp = 0; kp < kSp; ++kp)
            if (int64_t i = idx[static_cast<size_t>(kp)]; i >= 0) acc += int64_t{px[i]} * pw[kp];
        }
        out[static_cast<size_t>((n * g.M + m) * outSp + o)] =
            static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(acc)));
      }
  }
  return out;
}

// Shape used to broadcast a per-output-channel (or per-tensor) weight zero point over w.
Shape weightZeroPointShape(const Tensor* z, const Shape& w) {
  if (!z || z->numel() == 1) return Shape{};
  Shape s(w.size(), 1);
  s[0] = w[0];
  return s;
}

// Geometry + zero-point-corrected operands for evaluation (inference already verified them).
struct ConvOperands {
  ConvGeom g;
  std::vector<int32_t> x, w;
};
ConvOperands convOperands(const EvalCtx& e, int xi, int xzi, int wi, int wzi) {
  InferCtx ic(const_cast<Node&>(e.node));  // only used to report errors; nothing is modified
  const Tensor& x = *e.in[static_cast<size_t>(xi)];
  const Tensor& w = *e.in[static_cast<size_t>(wi)];
  const Tensor* xz = e.has(xzi) ? e.in[static_cast<size_t>(xzi)] : nullptr;
  const Tensor* wz = e.has(wzi) ? e.in[static_cast<size_t>(wzi)] : nullptr;
  ConvOperands r;
  r.g = convGeom(ic, x.shape(), w.shape());
  r.x = subtractZeroPoint(x, xz, Shape{});
  r.w = subtractZeroPoint(w, wz, weightZeroPointShape(wz, w.shape()));
  return r;
}

// ---- QLinearConv --------------------------------------------------------------------------
// Inputs: x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, B?.

void inferQLinearConv(InferCtx& c) {
  if (!is8Bit(c.dtype(0))) c.fail("x must be int8 or uint8, got {}", dtypeName(c.dtype(0)));
  if (!is8Bit(c.dtype(3))) c.fail("w must be int8 or uint8, got {}", dtypeName(c.dtype(3)));
  if (!is8Bit(c.dtype(7))) c.fail("y_zero_point must be int8 or uint8, got {}", dtypeName(c.dtype(7)));
  checkZeroPointType(c, 2, 0, "x_zero_point");
  checkZeroPointType(c, 5, 3, "w_zero_point");
  for (auto [i, what] : {std::pair<int, const char*>{1, "x_scale"}, {4, "w_scale"}, {6, "y_scale"}})
    checkFloatScale(c, i, what);
  ConvGeom g = convGeom(c, c.shape(0), c.shape(3));
  checkPerChannel(c, 1, 0, "x_scale");
  checkPerChannel(c, 2, 0, "x_zero_point");
  checkPerChannel(c, 4, g.M, "w_scale");
  checkPerChannel(c, 5, g.M, "w_zero_point");
  checkPerChannel(c, 6, 0, "y_scale");
  checkPerChannel(c, 7, 0, "y_zero_point");
  if (c.has(8)) {
    if (c.dtype(8) != DType::I32) c.fail("B must be int32, got {}", dtypeName(c.dtype(8)));
    if (c.shape(8) != Shape{g.M}) c.fail("B must have shape [{}], got {}", g.M, shapeStr(c.shape(8)));
  }
  c.setOutput(0, c.dtype(7), outShape(g));
}

void evalQLinearConv(EvalCtx& c) {
  ConvOperands ops = convOperands(c, 0, 2, 3, 5);
  const ConvGeom& g = ops.g;
  std::vector<int32_t> acc = intConv(g, ops.x, ops.w, c.has(8) ? c.in[8] : nullptr);
  const float xs = static_cast<float>(c.in[1]->getF(0)), ys = static_cast<float>(c.in[6]->getF(0));
  std::vector<float> ws = perChannelFloats(*c.in[4], g.M);
  std::vector<float> mult(static_cast<size_t>(g.M));
  for (size_t m = 0; m < mult.size(); ++m) mult[m] = xs * ws[m] / ys;
  const int64_t yz = c.in[7]->getI(0);
  const int64_t outSp = numElements(g.out);
  Tensor& y = *c.out[0];
  for (size_t i = 0; i < acc.size(); ++i) {
    size_t m = (i / static_cast<size_t>(outSp)) % static_cast<size_t>(g.M);
    y.setI(static_cast<int64_t>(i), requantize(acc[i], mult[m], yz, y.dtype()));
  }
}

// ---- ConvInteger --------------------------------------------------------------------------
// Inputs: x, w, x_zero_point?, w_zero_point?; int32 output.

void inferConvInteger(InferCtx& c) {
  if (!is8Bit(c.dtype(0))) c.fail("x must be int8 or uint8, got {}", dtypeName(c.dtype(0)));
  if (!is8Bit(c.dtype(1))) c.fail("w must be int8 or uint8, got {}", dtypeName(c.dtype(1)));
  checkZeroPointType(c, 2, 0, "x_zero_point");
  checkZeroPointType(c, 3, 1, "w_zero_point");
  ConvGeom g = convGeom(c, c.shape(0), c.shape(1));
  checkPerChannel(c, 2, 0, "x_zero_point");
  checkPerChannel(c, 3, g.M, "w_zero_point");
  c.setOutput(0, DType::I32, outShape(g));
}

void evalConvInteger(EvalCtx& c) {
  ConvOperands ops = convOperands(c, 0, 2, 1, 3);
  std::vector<int32_t> acc = intConv(ops.g, ops.x, ops.w, nullptr);
  std::copy(acc.begin(), acc.end(), c.out[0]->data<int32_t>());
}

template <int WeightInput>
int64_t macsConv(const Node& n) {
  const Value* w = n.input(WeightInput);
  const Value* y = n.outputs.empty() ? nullptr : n.outputs[0];
  if (!w || !y || w->shape.size() < 2) return 0;
  int64_t perOut = 1;
  for (size_t d = 1; d < w->shape.size(); ++d) perOut *= w->shape[d];
  return numElements(y->shape) * perOut;
}

std::vector<AttrSpec> convAttrs() {
  using K = Attr::Kind;
  return {{"auto_pad", K::String, Attr::Str("NOTSET")},
          {"dilations", K::Ints, std::nullopt},
          {"group", K::Int, Attr::Int(1)},
          {"kernel_shape", K::Ints, std::nullopt},
          {"pads", K::Ints, std::nullopt},
          {"strides", K::Ints, std::nullopt}};
}

}  // namespace

void registerQuantConvOps(OpRegistry& r) {
  OpDef q;
  q.name = "QLinearConv";
  q.minInputs = 8;
  q.maxInputs = 9;
  q.attrs = convAttrs();
  q.infer = inferQLinearConv;
  q.eval = evalQLinearConv;
  q.macs = macsConv<3>;
  q.doc = "quantized Conv: int32 accumulation (+ int32 bias), requantized per tensor or output channel";
  r.add(q);
  OpDef ci;
  ci.name = "ConvInteger";
  ci.minInputs = 2;
  ci.maxInputs = 4;
  ci.attrs = convAttrs();
  ci.infer = inferConvInteger;
  ci.eval = evalConvInteger;
  ci.macs = macsConv<1>;
  ci.doc = "int32 Conv of (x - x_zero_point) and (w - w_zero_point)";
  r.add(ci);
}

}  // namespace tinyc
