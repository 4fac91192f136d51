// Quantization ops: QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, MatMulInteger,
// QLinearMatMul.
// The convolutions (QLinearConv, ConvInteger) live in quant_conv.cpp.
#include "ops/qmath.h"
#include "ops/qparams.h"
#include "ops/quant_util.h"

namespace tinyc {

void registerQuantConvOps(OpRegistry& r);  // quant_conv.cpp

namespace {

using namespace qutil;

// ONNX TensorProto.DataType code -> DType (Undefined when not representable here).
DType fromOnnxType(int64_t code) {
  switch (code) {
    case 1:
      return DType::F32;
    case 2:
      return DType::U8;
    case 3:
      return DType::I8;
    case 4:
      return DType::U16;
    case 5:
      return DType::I16;
    case 6:
      return DType::I32;
    case 10:
      return DType::F16;
    case 11:
      return DType::F64;
    default:
      return DType::Undefined;
  }
}

// ---- per-tensor / per-axis / blocked parameter layout (QuantizeLinear, DequantizeLinear) -----

// Maps an element of x to the index of its scale / zero point.
struct ParamIndex {
  enum Mode { PerTensor, PerAxis, Blocked } mode = PerTensor;
  int64_t dim = 1, inner = 1, block = 1, scaleDim = 1;
  int64_t operator()(int64_t i) const {
    if (mode == PerTensor) return 0;
    int64_t a = (i / inner) % dim;
    if (mode == PerAxis) return a;
    int64_t outer = i / (inner * dim);
    return (outer * scaleDim + a / block) * inner + i % inner;
  }
};

ParamIndex paramIndex(const Node& n, const Shape& x, const Shape& scale) {
  ParamIndex p;
  int64_t block = n.attrInt("block_size");
  if (block < 0) modelError("{}: block_size must be >= 0, got {}", n.where(), block);
  if (block == 0 && scale.size() <= 1 && numElements(scale) == 1) return p;
  const int r = static_cast<int>(x.size());
  int axis = normAxis(n, n.attrInt("axis"), r);
  if (r == 0) modelError("{}: per-axis quantization needs an input of rank >= 1", n.where());
  p.dim = x[static_cast<size_t>(axis)];
  for (int d = axis + 1; d < r; ++d) p.inner *= x[static_cast<size_t>(d)];
  if (block == 0) {
    if (scale.size() != 1 || scale[0] != p.dim)
      modelError("{}: scale must be a scalar or a 1-D tensor of {} elements (axis {}), got shape {}", n.where(), p.dim,
                 axis, shapeStr(scale));
    p.mode = ParamIndex::PerAxis;
    return p;
  }
  p.mode = ParamIndex::Blocked;
  p.block = block;
  p.scaleDim = (p.dim + block - 1) / block;
  bool ok = scale.size() == x.size();
  for (int d = 0; ok && d < r; ++d)
    ok = scale[static_cast<size_t>(d)] == (d == axis ? p.scaleDim : x[static_cast<size_t>(d)]);
  if (!ok) {
    Shape want = x;
    want[static_cast<size_t>(axis)] = p.scaleDim;
    modelError("{}: blocked quantization (block_size {}, axis {}) needs a scale of shape {}, got {}", n.where(), block,
               axis, shapeStr(want), shapeStr(scale));
  }
  return p;
}

// Zero point (input zi) must match the scale (input 1) in shape.
void checkZeroPointShape(const InferCtx& c, int zi) {
  if (!c.has(zi)) return;
  const Shape& s = c.shape(1);
  const Shape& z = c.shape(zi);
  bool scalarLike = s.size() <= 1 && z.size() <= 1 && numElements(s) == 1 && numElements(z) == 1;
  if (!scalarLike && s != z) c.fail("zero point shape {} does not match scale shape {}", shapeStr(z), shapeStr(s));
}

// ---- QuantizeLinear -----------------------------------------------------------------------

void inferQuantize(InferCtx& c) {
  DType xt = c.dtype(0);
  if (!isFloat(xt) && xt != DType::I32) c.fail("x must be a float or int32 tensor, got {}", dtypeName(xt));
  checkFloatScale(c, 1, "y_scale");
  int64_t od = c.node.attrInt("output_dtype");
  DType out = DType::U8;
  if (od != 0) {
    out = fromOnnxType(od);
    if (!isQuantInt(out)) c.fail("output_dtype {} is not supported (int8/uint8/int16/uint16/int32 are)", od);
  }
  if (c.has(2)) {
    if (od != 0 && c.dtype(2) != out)
      c.fail("output_dtype {} disagrees with the zero point type {}", dtypeName(out), dtypeName(c.dtype(2)));
    out = c.dtype(2);
  }
  if (!isQuantInt(out)) c.fail("quantizing to {} is not supported (int8/uint8/int16/uint16/int32 are)", dtypeName(out));
  int64_t prec = c.node.attrInt("precision");
  if (prec != 0 && fromOnnxType(prec) != DType::F32 && fromOnnxType(prec) != DType::F64)
    c.fail("precision {} is not supported (only float and double are)", prec);
  paramIndex(c.node, c.shape(0), c.shape(1));
  checkZeroPointShape(c, 2);
  c.setOutput(0, out, c.shape(0));
}

void evalQuantize(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  const Tensor& scale = *c.in[1];
  const Tensor* zp = c.has(2) ? c.in[2] : nullptr;
  Tensor& y = *c.out[0];
  ParamIndex pi = paramIndex(c.node, x.shape(), scale.shape());
  DType prec = fromOnnxType(c.node.attrInt("precision"));
  if (prec == DType::Undefined) prec = scale.dtype();
  for (int64_t i = 0; i < x.numel(); ++i) {
    int64_t p = pi(i);
    int64_t z = zp ? zp->getI(p) : 0;
    double q;
    if (prec == DType::F64) {
      q = x.getF(i) / scale.getF(p);
    } else {
      float qf = static_cast<float>(x.getF(i)) / static_cast<float>(scale.getF(p));
      if (prec == DType::F16) qf = halfToFloat(floatToHalf(qf));  // division at half precision
      q = static_cast<double>(qf);
    }
    y.setI(i, quantizeValue(q, z, y.dtype()));
  }
}

// ---- DequantizeLinear ---------------------------------------------------------------------

void inferDequantize(InferCtx& c) {
  if (!isQuantInt(c.dtype(0))) c.fail("x must be int8/uint8/int16/uint16/int32, got {}", dtypeName(c.dtype(0)));
  checkFloatScale(c, 1, "x_scale");
  checkZeroPointType(c, 2, 0, "x_zero_point");
  DType out = c.dtype(1);
  if (int64_t od = c.node.attrInt("output_dtype"); od != 0) {
    out = fromOnnxType(od);
    if (!isFloat(out)) c.fail("output_dtype {} is not supported (float/float16/double are)", od);
  }
  paramIndex(c.node, c.shape(0), c.shape(1));
  checkZeroPointShape(c, 2);
  c.setOutput(0, out, c.shape(0));
}

void evalDequantize(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  const Tensor& scale = *c.in[1];
  const Tensor* zp = c.has(2) ? c.in[2] : nullptr;
  Tensor& y = *c.out[0];
  ParamIndex pi = paramIndex(c.node, x.shape(), scale.shape());
  for (int64_t i = 0; i < x.numel(); ++i) {
    int64_t p = pi(i);
    int64_t d = x.getI(i) - (zp ? zp->getI(p) : 0);
    if (y.dtype() == DType::F64)
      y.setF(i, static_cast<double>(d) * scale.getF(p));
    else if (y.dtype() == DType::F32)
      y.data<float>()[i] = static_cast<float>(d) * static_cast<float>(scale.getF(p));
    else  // F16: the exact product rounded once to half
      y.setF(i, static_cast<double>(d) * scale.getF(p));
  }
}

// ---- DynamicQuantizeLinear ----------------------------------------------------------------
// uint8 quantization with scale / zero point from the data range (extended to include 0).

void inferDynamicQuantize(InferCtx& c) {
  if (c.dtype(0) != DType::F32) c.fail("x must be float32, got {}", dtypeName(c.dtype(0)));
  c.setOutput(0, DType::U8, c.shape(0));
  c.setOutput(1, DType::F32, {});
  c.setOutput(2, DType::U8, {});
}

void evalDynamicQuantize(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  const float* p = x.data<float>();
  float lo = 0, hi = 0;
  for (int64_t i = 0; i < x.numel(); ++i) {
    if (std::isnan(p[i])) c.fail("x contains NaN");
    lo = std::min(lo, p[i]);
    hi = std::max(hi, p[i]);
  }
  const float scale = (hi - lo) / 255.0f;
  // All-zero input: scale 0; every value (and the zero point) quantizes to 0.
  const int64_t zp = scale > 0 ? std::clamp<int64_t>(roundHalfEven(static_cast<double>(0.0f - lo / scale)), 0, 255) : 0;
  for (int64_t i = 0; i < x.numel(); ++i)
    c.out[0]->setI(i, scale > 0 ? quantizeValue(static_cast<double>(p[i] / scale), zp, DType::U8) : 0);
  if (c.out.size() > 1 && c.out[1]) c.out[1]->data<float>()[0] = scale;
  if (c.out.size() > 2 && c.out[2]) c.out[2]->setI(0, zp);
}

// ---- batched integer MatMul (numpy semantics) ---------------------------------------------

struct MatMulGeom {
  Shape out;           // output shape (1-D operands' unit dims removed)
  Shape aFull, bFull;  // operand shapes promoted to rank >= 2
  Shape batch;         // broadcast batch dims
  int64_t M = 0, K = 0, N = 0;
};

MatMulGeom matmulGeom(const InferCtx& c, const Shape& a, const Shape& b) {
  if (a.empty() || b.empty()) c.fail("MatMul operands must have rank >= 1, got {} and {}", shapeStr(a), shapeStr(b));
  MatMulGeom g;
  g.aFull = a.size() == 1 ? Shape{1, a[0]} : a;
  g.bFull = b.size() == 1 ? Shape{b[0], 1} : b;
  size_t ra = g.aFull.size(), rb = g.bFull.size();
  g.M = g.aFull[ra - 2];
  g.K = g.aFull[ra - 1];
  g.N = g.bFull[rb - 1];
  if (g.bFull[rb - 2] != g.K) c.fail("MatMul inner dimensions differ: {} and {}", shapeStr(a), shapeStr(b));
  g.batch = broadcastShapes(c, Shape(g.aFull.begin(), g.aFull.end() - 2), Shape(g.bFull.begin(), g.bFull.end() - 2));
  g.out = g.batch;
  if (a.size() > 1) g.out.push_back(g.M);
  if (b.size() > 1) g.out.push_back(g.N);
  return g;
}

// C[batch, M, N] = A[batch, M, K] * B[batch, K, N] over int32 operands; accumulated in int64 and
// wrapped to int32 (the accumulator type of the ONNX integer ops).
std::vector<int32_t> intMatMul(const MatMulGeom& g, const std::vector<int32_t>& a, const std::vector<int32_t>& b) {
  Shape ab(g.aFull.begin(), g.aFull.end() - 2), bb(g.bFull.begin(), g.bFull.end() - 2);
  auto sa = broadcastStrides(ab, g.batch), sb = broadcastStrides(bb, g.batch);
  int64_t nb = numElements(g.batch);
  std::vector<int32_t> c(static_cast<size_t>(nb * g.M * g.N));
  for (int64_t bi = 0; bi < nb; ++bi) {
    const int32_t* pa = a.data() + broadcastOffset(bi, g.batch, sa) * g.M * g.K;
    const int32_t* pb = b.data() + broadcastOffset(bi, g.batch, sb) * g.K * g.N;
    int32_t* pc = c.data() + bi * g.M * g.N;
    for (int64_t m = 0; m < g.M; ++m)
      for (int64_t n = 0; n < g.N; ++n) {
        int64_t acc = 0;
        for (int64_t k = 0; k < g.K; ++k) acc += int64_t{pa[m * g.K + k]} * pb[k * g.N + n];
        pc[m * g.N + n] = static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(acc)));
      }
  }
  return c;
}

// Shape to broadcast a zero point of A (per tensor or per row) against A's promoted shape.
// Accepts one element, a 1-D vector of M elements (per row), or a tensor of A's rank whose last
// dim is 1 and which broadcasts to A (e.g. [D1, D2, M, 1]).
Shape rowZeroPointShape(const InferCtx& c, const Shape& z, const MatMulGeom& g, const char* what) {
  if (numElements(z) == 1) return Shape{};
  if (z.size() == 1 && z[0] == g.M) return Shape{g.M, 1};
  if (z.size() >= 2 && z.back() == 1 && z.size() <= g.aFull.size()) {
    Shape t = g.aFull;
    t.back() = 1;
    if (broadcastShapes(c, z, t) == t) return z;
  }
  c.fail("{} must be a scalar or hold one value per row of A ({} rows), got shape {}", what, g.M, shapeStr(z));
}
// Same for B's zero point: one element, a 1-D vector of N (per column), or [.., 1, N].
Shape colZeroPointShape(const InferCtx& c, const Shape& z, const MatMulGeom& g, const char* what) {
  if (numElements(z) == 1) return Shape{};
  if (z.size() == 1 && z[0] == g.N) return z;
  if (z.size() >= 2 && z[z.size() - 2] == 1 && z.size() <= g.bFull.size()) {
    Shape t = g.bFull;
    t[t.size() - 2] = 1;
    if (broadcastShapes(c, z, t) == t) return z;
  }
  c.fail("{} must be a scalar or hold one value per column of B ({} columns), got shape {}", what, g.N, shapeStr(z));
}

// Validates A/B types and shapes and the zero points at inputs azi / bzi; returns the geometry.
MatMulGeom checkIntMatMul(const InferCtx& c, int ai, int azi, int bi, int bzi) {
  if (!is8Bit(c.dtype(ai))) c.fail("A must be int8 or uint8, got {}", dtypeName(c.dtype(ai)));
  if (!is8Bit(c.dtype(bi))) c.fail("B must be int8 or uint8, got {}", dtypeName(c.dtype(bi)));
  checkZeroPointType(c, azi, ai, "A's zero point");
  checkZeroPointType(c, bzi, bi, "B's zero point");
  MatMulGeom g = matmulGeom(c, c.shape(ai), c.shape(bi));
  if (c.has(azi)) rowZeroPointShape(c, c.shape(azi), g, "A's zero point");
  if (c.has(bzi)) colZeroPointShape(c, c.shape(bzi), g, "B's zero point");
  return g;
}

// A - a_zp and B - b_zp as int32, with the geometry (re-derived; inference already verified it).
struct IntOperands {
  MatMulGeom g;
  std::vector<int32_t> a, b;
};
IntOperands intOperands(const EvalCtx& e, int ai, int azi, int bi, int bzi) {
  Node& n = const_cast<Node&>(e.node);  // InferCtx needs a Node&; nothing is modified here
  InferCtx ic(n);
  IntOperands r;
  r.g = matmulGeom(ic, e.in[static_cast<size_t>(ai)]->shape(), e.in[static_cast<size_t>(bi)]->shape());
  const Tensor* az = e.has(azi) ? e.in[static_cast<size_t>(azi)] : nullptr;
  const Tensor* bz = e.has(bzi) ? e.in[static_cast<size_t>(bzi)] : nullptr;
  Tensor a = *e.in[static_cast<size_t>(ai)], b = *e.in[static_cast<size_t>(bi)];
  a.reshape(r.g.aFull);
  b.reshape(r.g.bFull);
  r.a = subtractZeroPoint(a, az, az ? rowZeroPointShape(ic, az->shape(), r.g, "a_zero_point") : Shape{});
  r.b = subtractZeroPoint(b, bz, bz ? colZeroPointShape(ic, bz->shape(), r.g, "b_zero_point") : Shape{});
  return r;
}

// ---- MatMulInteger ------------------------------------------------------------------------

void inferMatMulInteger(InferCtx& c) {
  MatMulGeom g = checkIntMatMul(c, 0, 2, 1, 3);
  c.setOutput(0, DType::I32, g.out);
}

void evalMatMulInteger(EvalCtx& c) {
  IntOperands ops = intOperands(c, 0, 2, 1, 3);
  std::vector<int32_t> r = intMatMul(ops.g, ops.a, ops.b);
  std::copy(r.begin(), r.end(), c.out[0]->data<int32_t>());
}

int64_t macsMatMul(const Node& n) {
  const Value* a = n.input(0);
  const Value* y = n.outputs.empty() ? nullptr : n.outputs[0];
  if (!a || !y || a->shape.empty()) return 0;
  int64_t k = a->shape.back();
  return numElements(y->shape) * k;
}

// ---- QLinearMatMul ------------------------------------------------------------------------
// Inputs: a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point.

void inferQLinearMatMul(InferCtx& c) {
  MatMulGeom g = checkIntMatMul(c, 0, 2, 3, 5);
  for (auto [i, what] : {std::pair<int, const char*>{1, "a_scale"}, {4, "b_scale"}, {6, "y_scale"}})
    checkFloatScale(c, i, what);
  if (!is8Bit(c.dtype(7))) c.fail("y_zero_point must be int8 or uint8, got {}", dtypeName(c.dtype(7)));
  // Scales: per tensor, or per row of A (a_scale, y_scale, y_zero_point) / per column of B (b_scale).
  checkPerChannel(c, 1, g.M, "a_scale");
  checkPerChannel(c, 2, g.M, "a_zero_point");
  checkPerChannel(c, 4, g.N, "b_scale");
  checkPerChannel(c, 5, g.N, "b_zero_point");
  checkPerChannel(c, 6, g.M, "y_scale");
  checkPerChannel(c, 7, g.M, "y_zero_point");
  c.setOutput(0, c.dtype(7), g.out);
}

void evalQLinearMatMul(EvalCtx& c) {
  IntOperands ops = intOperands(c, 0, 2, 3, 5);
  const MatMulGeom& g = ops.g;
  std::vector<int32_t> acc = intMatMul(g, ops.a, ops.b);
  auto sa = perChannelFloats(*c.in[1], g.M), sb = perChannelFloats(*c.in[4], g.N), sy = perChannelFloats(*c.in[6], g.M);
  auto yz = perChannelInts(c.in[7], g.M);
  Tensor& y = *c.out[0];
  for (size_t i = 0; i < acc.size(); ++i) {
    size_t n = i % static_cast<size_t>(g.N), m = (i / static_cast<size_t>(g.N)) % static_cast<size_t>(g.M);
    float mult = sa[m] * sb[n] / sy[m];
    y.setI(static_cast<int64_t>(i), requantize(acc[i], mult, yz[m], y.dtype()));
  }
}

// ---- tinyc.Requantize (ops/op.h) ----------------------------------------------------------

void inferRequantize(InferCtx& c) {
  const Value* x = c.node.inputs.at(0);
  if (!q::isQAct(x)) c.fail("input must be a quantized int8 tensor, or int16 with zero point 0");
  DType to = DType::Undefined;
  if (!dtypeFromName(c.node.attrStr("to"), &to) || (to != DType::I8 && to != DType::I16))
    c.fail("'to' must be i8 or i16, got '{}'", printable(c.node.attrStr("to")));
  c.setOutput(0, to, c.shape(0));
}

template <typename X, typename Y>
void requantizeAll(EvalCtx& c, const q::Multiplier& m, int32_t zx, int32_t zy, std::pair<int32_t, int32_t> r) {
  const X* px = c.in[0]->data<X>();
  Y* py = c.out[0]->data<Y>();
  for (int64_t i = 0; i < c.in[0]->numel(); ++i)
    py[i] = static_cast<Y>(tinyc_requant(px[i] - zx, m.mult, m.rshift, zy, r.first, r.second));
}

void evalRequantize(EvalCtx& c) {
  const Value* x = c.node.inputs[0];
  const Value* y = c.node.outputs[0];
  if (!q::isQAct(y) || y->dtype != c.out[0]->dtype()) c.fail("the output must carry int8 or int16 parameters");
  const q::Multiplier m = q::quantizeMultiplier(q::scaleAt(*x->quant, 0) / q::scaleAt(*y->quant, 0), c.node);
  const int32_t zx = q::zeroAt(*x->quant, 0), zy = q::zeroAt(*y->quant, 0);
  const auto r = q::typeRange(y->dtype);
  const bool x16 = x->dtype == DType::I16, y16 = y->dtype == DType::I16;
  if (x16 && y16) return requantizeAll<int16_t, int16_t>(c, m, zx, zy, r);
  if (x16) return requantizeAll<int16_t, int8_t>(c, m, zx, zy, r);
  if (y16) return requantizeAll<int8_t, int16_t>(c, m, zx, zy, r);
  requantizeAll<int8_t, int8_t>(c, m, zx, zy, r);
}

// ---- registration -------------------------------------------------------------------------

OpDef op(const char* name, int minIn, int maxIn, InferFn infer, EvalFn eval, const char* doc) {
  OpDef d;
  d.name = name;
  d.minInputs = minIn;
  d.maxInputs = maxIn;
  d.infer = infer;
  d.eval = eval;
  d.doc = doc;
  return d;
}

}  // namespace

void registerQuantOps(OpRegistry& r) {
  using K = Attr::Kind;
  OpDef q = op("QuantizeLinear", 2, 3, inferQuantize, evalQuantize,
               "y = saturate(round_half_even(x / scale) + zero_point), per tensor, axis or block");
  q.attrs = {{"axis", K::Int, Attr::Int(1)},
             {"block_size", K::Int, Attr::Int(0)},
             {"output_dtype", K::Int, Attr::Int(0)},
             {"precision", K::Int, Attr::Int(0)},
             {"saturate", K::Int, Attr::Int(1)}};  // only meaningful for float8 outputs
  q.layoutAxisAttr = "axis";  // per tensor, per axis or blocked along `axis`: otherwise layout-free
  r.add(q);
  OpDef dq = op("DequantizeLinear", 2, 3, inferDequantize, evalDequantize,
                "y = (x - zero_point) * scale, per tensor, axis or block");
  dq.attrs = {
      {"axis", K::Int, Attr::Int(1)}, {"block_size", K::Int, Attr::Int(0)}, {"output_dtype", K::Int, Attr::Int(0)}};
  dq.layoutAxisAttr = "axis";
  r.add(dq);
  OpDef dyn = op("DynamicQuantizeLinear", 1, 1, inferDynamicQuantize, evalDynamicQuantize,
                 "uint8 quantization with scale / zero point computed from the data range");
  dyn.minOutputs = dyn.maxOutputs = 3;
  r.add(dyn);
  OpDef mi = op("MatMulInteger", 2, 4, inferMatMulInteger, evalMatMulInteger,
                "int32 (A - a_zero_point) x (B - b_zero_point), numpy MatMul batching");
  mi.macs = macsMatMul;
  r.add(mi);
  OpDef qm = op("QLinearMatMul", 8, 8, inferQLinearMatMul, evalQLinearMatMul,
                "quantized MatMul: int32 accumulation, requantized to y_scale / y_zero_point");
  qm.macs = macsMatMul;
  r.add(qm);
  OpDef rq = op(kRequantizeOp, 1, 1, inferRequantize, evalRequantize,
                "tinyc-internal: a quantized int8/int16 tensor to another type and parameters (lower-quant)");
  rq.attrs = {{"to", K::String, std::nullopt, true}};
  rq.pointwise = true;
  r.add(rq);
  registerQuantConvOps(r);
}

}  // namespace tinyc
