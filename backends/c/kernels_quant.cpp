// C kernels for the quantization ops (runtime/quant.c, runtime/qlinear.c): QuantizeLinear,
// DequantizeLinear, DynamicQuantizeLinear, MatMulInteger, QLinearMatMul, ConvInteger, QLinearConv.
// Bit-exact with lib/ops/quant.cpp and quant_conv.cpp.
#include <algorithm>

#include "backends/c/c_emit.h"
#include "backends/c/emit_util.h"
#include "backends/c/runtime/scratch.h"

namespace tinyc::c {

namespace {

bool is8Bit(DType t) { return t == DType::I8 || t == DType::U8; }
bool isQuantInt(DType t) {
  return t == DType::I8 || t == DType::U8 || t == DType::I16 || t == DType::U16 || t == DType::I32;
}
bool isFloatT(DType t) { return t == DType::F32 || t == DType::F64 || t == DType::F16; }

// TINYC_QT_* name of a dtype (runtime/quant.c).
std::string qt(DType t) {
  switch (t) {
    case DType::F32: return "TINYC_QT_F32";
    case DType::F64: return "TINYC_QT_F64";
    case DType::F16: return "TINYC_QT_F16";
    case DType::I8: return "TINYC_QT_I8";
    case DType::U8: return "TINYC_QT_U8";
    case DType::I16: return "TINYC_QT_I16";
    case DType::U16: return "TINYC_QT_U16";
    case DType::I32: return "TINYC_QT_I32";
    default: return "0";
  }
}

// ---- Quantize/DequantizeLinear parameter layout -------------------------------------------

// x seen as [outer, dim, inner]; the parameter of element (o, a, j) is o*so + (a/block)*sa + j*si.
struct QLayout {
  int64_t outer = 1, dim = 1, inner = 1, block = 1, so = 0, sa = 0, si = 0;
};

// As paramIndex in lib/ops/quant.cpp; "" or the reason the layout is not supported.
std::string qlayout(const Node& n, const Shape& x, const Shape& scale, QLayout* L) {
  const int64_t block = n.hasAttr("block_size") ? n.attrInt("block_size") : 0;
  if (block < 0) return "block_size must be >= 0";
  if (block == 0 && scale.size() <= 1 && numElements(scale) == 1) {
    L->inner = numElements(x);
    return "";
  }
  const int64_t r = static_cast<int64_t>(x.size());
  if (r == 0) return "per-axis quantization needs an input of rank >= 1";
  int64_t axis = n.hasAttr("axis") ? n.attrInt("axis") : 1;
  if (axis < 0) axis += r;
  if (axis < 0 || axis >= r) return fmt::format("axis {} is out of range for rank {}", n.attrInt("axis"), r);
  L->dim = x[static_cast<size_t>(axis)];
  L->outer = 1;
  L->inner = 1;
  for (int64_t d = 0; d < axis; ++d) L->outer *= x[static_cast<size_t>(d)];
  for (int64_t d = axis + 1; d < r; ++d) L->inner *= x[static_cast<size_t>(d)];
  if (block == 0) {
    if (scale.size() != 1 || scale[0] != L->dim) return "scale must be a scalar or a 1-D tensor along axis";
    L->sa = 1;
    return "";
  }
  const int64_t scaleDim = (L->dim + block - 1) / block;
  bool ok = scale.size() == x.size();
  for (int64_t d = 0; ok && d < r; ++d)
    ok = scale[static_cast<size_t>(d)] == (d == axis ? scaleDim : x[static_cast<size_t>(d)]);
  if (!ok) return "blocked scale has an unexpected shape";
  L->block = block;
  L->so = scaleDim * L->inner;
  L->sa = L->inner;
  L->si = 1;
  return "";
}

std::string layoutArgs(const QLayout& L) {
  return fmt::format("{}, {}, {}, {}, {}, {}, {}", L.outer, L.dim, L.inner, L.block, L.so, L.sa, L.si);
}

std::string checkInt32Size(const Node& n) {
  for (const Value* v : n.inputs)
    if (v && numElements(v->shape) > INT32_MAX) return "tensor too large for the C kernel's int32 indices";
  for (const Value* v : n.outputs)
    if (v && numElements(v->shape) > INT32_MAX) return "tensor too large for the C kernel's int32 indices";
  return "";
}

// ---- QuantizeLinear -----------------------------------------------------------------------

// Precision of the division (F32, F16 or F64), as evalQuantize.
DType quantizePrecision(const Node& n) {
  const int64_t p = n.hasAttr("precision") ? n.attrInt("precision") : 0;
  if (p == 1) return DType::F32;
  if (p == 11) return DType::F64;
  return n.input(1)->dtype;
}

std::string checkQuantize(const Node& n) {
  const Value* x = n.input(0);
  const Value* s = n.input(1);
  const Value* y = n.outputs.empty() ? nullptr : n.outputs[0];
  if (!x || !s || !y) return "x, y_scale and y are required";
  if (!isFloatT(x->dtype) && x->dtype != DType::I32)
    return fmt::format("x of {} is not supported", dtypeName(x->dtype));
  if (!isFloatT(s->dtype)) return fmt::format("y_scale of {} is not supported", dtypeName(s->dtype));
  if (!isQuantInt(y->dtype)) return fmt::format("quantizing to {} is not supported", dtypeName(y->dtype));
  if (n.input(2) && n.input(2)->dtype != y->dtype) return "y_zero_point must have the output type";
  const int64_t p = n.hasAttr("precision") ? n.attrInt("precision") : 0;
  if (p != 0 && p != 1 && p != 11) return fmt::format("precision {} is not supported", p);
  QLayout L;
  if (auto why = qlayout(n, x->shape, s->shape, &L); !why.empty()) return why;
  return checkInt32Size(n);
}

void emitQuantize(EmitCtx& c) {
  c.require("quant");
  const Value* x = c.inValue(0);
  const Value* s = c.inValue(1);
  const Value* y = c.outValue(0);
  QLayout L;
  qlayout(c.node, x->shape, s->shape, &L);
  const DType prec = quantizePrecision(c.node);
  if (x->dtype == DType::F32 && s->dtype == DType::F32 && prec == DType::F32 && y->dtype != DType::I32) {
    c.line(fmt::format("tinyc_quantize_f32_{}({}, {}, {}, {}, {});", EmitCtx::suffix(y->dtype), c.in(0), c.in(1),
                       c.in(2), c.out(0), layoutArgs(L)));
    return;
  }
  c.line(fmt::format("tinyc_quantize_any({}, {}, {}, {}, {}, {}, {}, {}, {});", c.in(0), qt(x->dtype), c.in(1),
                     qt(s->dtype), c.in(2), c.out(0), qt(y->dtype), qt(prec), layoutArgs(L)));
}

// ---- DequantizeLinear ---------------------------------------------------------------------

std::string checkDequantize(const Node& n) {
  const Value* x = n.input(0);
  const Value* s = n.input(1);
  const Value* y = n.outputs.empty() ? nullptr : n.outputs[0];
  if (!x || !s || !y) return "x, x_scale and y are required";
  if (!isQuantInt(x->dtype)) return fmt::format("x of {} is not supported", dtypeName(x->dtype));
  if (!isFloatT(s->dtype)) return fmt::format("x_scale of {} is not supported", dtypeName(s->dtype));
  if (!isFloatT(y->dtype)) return fmt::format("output of {} is not supported", dtypeName(y->dtype));
  if (n.input(2) && n.input(2)->dtype != x->dtype) return "x_zero_point must have the type of x";
  QLayout L;
  if (auto why = qlayout(n, x->shape, s->shape, &L); !why.empty()) return why;
  return checkInt32Size(n);
}

void emitDequantize(EmitCtx& c) {
  c.require("quant");
  const Value* x = c.inValue(0);
  const Value* s = c.inValue(1);
  const Value* y = c.outValue(0);
  QLayout L;
  qlayout(c.node, x->shape, s->shape, &L);
  if (s->dtype == DType::F32 && y->dtype == DType::F32) {
    c.line(fmt::format("tinyc_dequantize_{}_f32({}, {}, {}, {}, {});", EmitCtx::suffix(x->dtype), c.in(0), c.in(1),
                       c.in(2), c.out(0), layoutArgs(L)));
    return;
  }
  c.line(fmt::format("tinyc_dequantize_any({}, {}, {}, {}, {}, {}, {}, {});", c.in(0), qt(x->dtype), c.in(1),
                     qt(s->dtype), c.in(2), c.out(0), qt(y->dtype), layoutArgs(L)));
}

// ---- DynamicQuantizeLinear ----------------------------------------------------------------

std::string checkDynamicQuantize(const Node& n) {
  if (!n.input(0) || n.input(0)->dtype != DType::F32) return "x must be float32";
  return checkInt32Size(n);
}

void emitDynamicQuantize(EmitCtx& c) {
  c.require("quant");
  c.line(fmt::format("tinyc_dynamic_quantize_f32({}, {}, {}, {}, {});", c.in(0), c.out(0), c.out(1), c.out(2),
                     numElements(c.inValue(0)->shape)));
}

// ---- batched integer MatMul ---------------------------------------------------------------

struct MMGeom {
  Shape aFull, bFull, batch;
  int64_t M = 0, K = 0, N = 0;
  std::vector<int64_t> ab, bb;  // A / B batch index per output batch
};

int64_t offsetIn(int64_t i, const Shape& shape, const std::vector<int64_t>& strides) {
  int64_t off = 0;
  for (int d = static_cast<int>(shape.size()) - 1; d >= 0; --d) {
    off += (i % shape[static_cast<size_t>(d)]) * strides[static_cast<size_t>(d)];
    i /= shape[static_cast<size_t>(d)];
  }
  return off;
}

std::string mmGeom(const Shape& a, const Shape& b, MMGeom* g) {
  if (a.empty() || b.empty()) return "MatMul operands must have rank >= 1";
  g->aFull = a.size() == 1 ? Shape{1, a[0]} : a;
  g->bFull = b.size() == 1 ? Shape{b[0], 1} : b;
  const size_t ra = g->aFull.size(), rb = g->bFull.size();
  g->M = g->aFull[ra - 2];
  g->K = g->aFull[ra - 1];
  g->N = g->bFull[rb - 1];
  if (g->bFull[rb - 2] != g->K) return "MatMul inner dimensions differ";
  Shape abt(g->aFull.begin(), g->aFull.end() - 2), bbt(g->bFull.begin(), g->bFull.end() - 2);
  const size_t r = std::max(abt.size(), bbt.size());
  g->batch.assign(r, 1);
  for (size_t i = 0; i < r; ++i) {
    int64_t da = i + abt.size() >= r ? abt[i + abt.size() - r] : 1;
    int64_t db = i + bbt.size() >= r ? bbt[i + bbt.size() - r] : 1;
    if (da != db && da != 1 && db != 1) return "MatMul batch dimensions do not broadcast";
    g->batch[i] = da == 1 ? db : da;
  }
  const auto sa = bcastStrides(abt, g->batch), sb = bcastStrides(bbt, g->batch);
  const int64_t nb = numElements(g->batch);
  for (int64_t i = 0; i < nb; ++i) {
    g->ab.push_back(offsetIn(i, g->batch, sa));
    g->bb.push_back(offsetIn(i, g->batch, sb));
  }
  return "";
}

// Index table argument: NULL when every entry is 0.
std::string tableOrNull(EmitCtx& c, const std::vector<int64_t>& v) {
  for (int64_t x : v)
    if (x != 0) return c.intArray(v);
  return "NULL";
}

// Zero point of A: per tensor, [M] or [..., M, 1] broadcast against A; offsets per A batch + row stride.
std::string rowZeroPoint(const Shape& z, const MMGeom& g, std::vector<int64_t>* off, int64_t* rowStride) {
  const Shape zs = numElements(z) == 1 ? Shape{} : (z.size() == 1 && z[0] == g.M) ? Shape{g.M, 1} : z;
  Shape t = g.aFull;
  t.back() = 1;
  if (zs.size() > t.size()) return "a_zero_point has an unexpected shape";
  for (size_t i = 0; i < zs.size(); ++i) {
    int64_t d = zs[zs.size() - 1 - i], td = t[t.size() - 1 - i];
    if (d != 1 && d != td) return "a_zero_point has an unexpected shape";
  }
  const auto st = bcastStrides(zs, t);
  Shape batch(t.begin(), t.end() - 2);
  std::vector<int64_t> bst(st.begin(), st.end() - 2);
  off->clear();
  for (int64_t i = 0; i < numElements(batch); ++i) off->push_back(offsetIn(i, batch, bst));
  *rowStride = st[st.size() - 2];
  return "";
}

std::string colZeroPoint(const Shape& z, const MMGeom& g, std::vector<int64_t>* off, int64_t* colStride) {
  Shape zs = numElements(z) == 1 ? Shape{} : z;
  Shape t = g.bFull;
  t[t.size() - 2] = 1;
  if (zs.size() > t.size()) return "b_zero_point has an unexpected shape";
  for (size_t i = 0; i < zs.size(); ++i) {
    int64_t d = zs[zs.size() - 1 - i], td = t[t.size() - 1 - i];
    if (d != 1 && d != td) return "b_zero_point has an unexpected shape";
  }
  const auto st = bcastStrides(zs, t);
  Shape batch(t.begin(), t.end() - 2);
  std::vector<int64_t> bst(st.begin(), st.end() - 2);
  off->clear();
  for (int64_t i = 0; i < numElements(batch); ++i) off->push_back(offsetIn(i, batch, bst));
  *colStride = st.back();
  return "";
}

std::string mmTypes(DType a, DType b) { return EmitCtx::suffix(a) + "_" + EmitCtx::suffix(b); }

std::string checkMatMulInteger(const Node& n) {
  const Value* a = n.input(0);
  const Value* b = n.input(1);
  if (!a || !b) return "A and B are required";
  if (!is8Bit(a->dtype) || !is8Bit(b->dtype)) return "A and B must be int8 or uint8";
  if (n.input(2) && n.input(2)->dtype != a->dtype) return "a_zero_point must have the type of A";
  if (n.input(3) && n.input(3)->dtype != b->dtype) return "b_zero_point must have the type of B";
  MMGeom g;
  if (auto why = mmGeom(a->shape, b->shape, &g); !why.empty()) return why;
  std::vector<int64_t> off;
  int64_t s = 0;
  if (n.input(2))
    if (auto why = rowZeroPoint(n.input(2)->shape, g, &off, &s); !why.empty()) return why;
  if (n.input(3))
    if (auto why = colZeroPoint(n.input(3)->shape, g, &off, &s); !why.empty()) return why;
  return checkInt32Size(n);
}

void emitMatMulInteger(EmitCtx& c) {
  c.require("qlinear");
  const Value* a = c.inValue(0);
  const Value* b = c.inValue(1);
  MMGeom g;
  mmGeom(a->shape, b->shape, &g);
  std::vector<int64_t> azo, bzo;
  int64_t azm = 0, bzn = 0;
  if (c.inValue(2)) rowZeroPoint(c.inValue(2)->shape, g, &azo, &azm);
  if (c.inValue(3)) colZeroPoint(c.inValue(3)->shape, g, &bzo, &bzn);
  c.line(fmt::format("tinyc_matmul_integer_{}({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {});",
                     mmTypes(a->dtype, b->dtype), c.in(0), c.in(2), c.in(1), c.in(3), c.out(0), g.ab.size(),
                     tableOrNull(c, g.ab), tableOrNull(c, g.bb), g.M, g.K, g.N, tableOrNull(c, azo), azm,
                     tableOrNull(c, bzo), bzn));
}

// ---- float16 scales of the QLinear kernels --------------------------------------------------

// The C name of scale input i as float32: the input itself, a float array converted at compile time
// (a constant float16 scale), or a block-local float array converted at run time (a float16 graph
// input; the emitter then opens a block that closeScaleBlock ends). The kernels compute in float,
// as the interpreter does with float16 scales (widened exactly).
std::string floatScale(EmitCtx& c, size_t i, bool* opened) {
  const Value* v = c.inValue(i);
  if (v->dtype == DType::F32) return c.in(i);
  if (const Tensor* t = v->constData()) {
    std::vector<float> f;
    for (int64_t k = 0; k < t->numel(); ++k) f.push_back(static_cast<float>(t->getF(k)));
    return c.floatArray(f);
  }
  if (!*opened) c.line("{");
  *opened = true;
  const int64_t n = std::max<int64_t>(numElements(v->shape), 1);
  const std::string name = fmt::format("scale{}", i);
  c.require("cast");
  c.line(fmt::format("  float {}[{}];", name, n));
  c.line(fmt::format("  tinyc_cast_f16_f32({}, {}, {});", c.in(i), name, n));
  return name;
}
void closeScaleBlock(EmitCtx& c, bool opened) {
  if (opened) c.line("}");
}
bool floatOrHalf(DType t) { return t == DType::F32 || t == DType::F16; }

// ---- QLinearMatMul ------------------------------------------------------------------------
// Inputs: a, a_scale, a_zero_point, b, b_scale, b_zero_point, y_scale, y_zero_point.

// Stride of a per-tensor (0) or per-row/column (1) parameter of n values; -1 if neither.
int64_t perChannelStride(const Value* v, int64_t n) {
  if (!v) return 0;
  if (v->shape.size() <= 1 && numElements(v->shape) == 1) return 0;
  if (v->shape.size() == 1 && v->shape[0] == n) return 1;
  return -1;
}

std::string checkQLinearMatMul(const Node& n) {
  const Value* a = n.input(0);
  const Value* b = n.input(3);
  const Value* y = n.outputs.empty() ? nullptr : n.outputs[0];
  if (!a || !b || !y || !n.input(1) || !n.input(4) || !n.input(6) || !n.input(7))
    return "a, a_scale, b, b_scale, y_scale and y_zero_point are required";
  if (!is8Bit(a->dtype) || !is8Bit(b->dtype) || !is8Bit(y->dtype)) return "a, b and y must be int8 or uint8";
  for (int i : {1, 4, 6})
    if (!floatOrHalf(n.input(static_cast<size_t>(i))->dtype))
      return fmt::format("scales of {} are not supported (float32 and float16 are)",
                         dtypeName(n.input(static_cast<size_t>(i))->dtype));
  if (n.input(2) && n.input(2)->dtype != a->dtype) return "a_zero_point must have the type of a";
  if (n.input(5) && n.input(5)->dtype != b->dtype) return "b_zero_point must have the type of b";
  if (n.input(7)->dtype != y->dtype) return "y_zero_point must have the type of y";
  MMGeom g;
  if (auto why = mmGeom(a->shape, b->shape, &g); !why.empty()) return why;
  const int64_t per[6] = {g.M, g.M, g.N, g.N, g.M, g.M};
  const int idx[6] = {1, 2, 4, 5, 6, 7};
  for (int i = 0; i < 6; ++i)
    if (perChannelStride(n.input(static_cast<size_t>(idx[i])), per[i]) < 0)
      return "scales and zero points must be per tensor, per row of a or per column of b";
  return checkInt32Size(n);
}

void emitQLinearMatMul(EmitCtx& c) {
  c.require("qlinear");
  const Value* a = c.inValue(0);
  const Value* b = c.inValue(3);
  MMGeom g;
  mmGeom(a->shape, b->shape, &g);
  std::vector<int64_t> st;
  const int64_t per[6] = {g.M, g.M, g.N, g.N, g.M, g.M};
  const int idx[6] = {1, 2, 4, 5, 6, 7};
  for (int i = 0; i < 6; ++i) st.push_back(perChannelStride(c.inValue(static_cast<size_t>(idx[i])), per[i]));
  bool opened = false;
  const std::string s1 = floatScale(c, 1, &opened), s4 = floatScale(c, 4, &opened), s6 = floatScale(c, 6, &opened);
  c.line(fmt::format("{}tinyc_qlinear_matmul_{}_{}({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {});",
                     opened ? "  " : "", mmTypes(a->dtype, b->dtype), EmitCtx::suffix(c.outValue(0)->dtype), c.in(0), s1,
                     c.in(2), c.in(3), s4, c.in(5), s6, c.in(7), c.out(0), g.ab.size(), tableOrNull(c, g.ab),
                     tableOrNull(c, g.bb), g.M, g.K, g.N, c.intArray(st)));
  closeScaleBlock(c, opened);
}

// ---- ConvInteger / QLinearConv ------------------------------------------------------------

struct ConvGeom {
  int64_t N = 0, C = 0, M = 0, group = 1;
  size_t sp = 0;
  std::vector<int64_t> in, k, out, stride, dil, padBegin;
  int64_t kElems() const {
    int64_t n = 1;
    for (int64_t v : k) n *= v;
    return n;
  }
  // The runtime's geometry array.
  std::vector<int64_t> packed() const {
    std::vector<int64_t> g{N, C, M, group, static_cast<int64_t>(sp)};
    for (const auto* v : {&in, &k, &out, &stride, &dil, &padBegin}) g.insert(g.end(), v->begin(), v->end());
    return g;
  }
};

std::vector<int64_t> intsOr(const Node& n, const char* name, size_t count, int64_t def) {
  if (!n.hasAttr(name)) return std::vector<int64_t>(count, def);
  return n.attrInts(name);
}

// As convGeom in lib/ops/quant_conv.cpp.
std::string convGeom(const Node& n, const Shape& x, const Shape& w, ConvGeom* g) {
  if (x.size() < 3 || w.size() != x.size()) return "x and w must have the same rank >= 3";
  g->sp = x.size() - 2;
  const size_t sp = g->sp;
  g->N = x[0];
  g->C = x[1];
  g->M = w[0];
  g->group = n.hasAttr("group") ? n.attrInt("group") : 1;
  if (g->group < 1 || g->C % g->group != 0 || g->M % g->group != 0 || w[1] != g->C / g->group)
    return "channels do not match group";
  g->in.assign(x.begin() + 2, x.end());
  g->k.assign(w.begin() + 2, w.end());
  g->stride = intsOr(n, "strides", sp, 1);
  g->dil = intsOr(n, "dilations", sp, 1);
  std::vector<int64_t> pads = intsOr(n, "pads", 2 * sp, 0);
  if (g->stride.size() != sp || g->dil.size() != sp || pads.size() != 2 * sp) return "bad strides/dilations/pads";
  const std::string autoPad = n.hasAttr("auto_pad") ? n.attrStr("auto_pad") : "NOTSET";
  if (autoPad != "NOTSET" && autoPad != "VALID" && autoPad != "SAME_UPPER" && autoPad != "SAME_LOWER")
    return "unknown auto_pad";
  g->padBegin.resize(sp);
  g->out.resize(sp);
  for (size_t d = 0; d < sp; ++d) {
    if (g->stride[d] < 1 || g->dil[d] < 1 || g->k[d] < 1) return "bad strides, dilations or kernel";
    const int64_t eff = (g->k[d] - 1) * g->dil[d] + 1;
    int64_t pb = pads[d], pe = pads[d + sp];
    if (autoPad == "VALID") {
      pb = pe = 0;
    } else if (autoPad != "NOTSET") {
      const int64_t o = (g->in[d] + g->stride[d] - 1) / g->stride[d];
      const int64_t total = std::max<int64_t>(0, (o - 1) * g->stride[d] + eff - g->in[d]);
      pb = autoPad == "SAME_UPPER" ? total / 2 : total - total / 2;
      pe = total - pb;
    }
    if (pb < 0 || pe < 0) return "pads must be >= 0";
    const int64_t span = g->in[d] + pb + pe;
    if (span < eff) return "kernel is larger than the padded input";
    g->padBegin[d] = pb;
    g->out[d] = (span - eff) / g->stride[d] + 1;
  }
  return "";
}

std::string checkConvCommon(const Node& n, int xi, int wi, ConvGeom* g) {
  const Value* x = n.input(static_cast<size_t>(xi));
  const Value* w = n.input(static_cast<size_t>(wi));
  if (!x || !w) return "x and w are required";
  if (!is8Bit(x->dtype) || !is8Bit(w->dtype)) return "x and w must be int8 or uint8";
  if (auto why = convGeom(n, x->shape, w->shape, g); !why.empty()) return why;
  return checkInt32Size(n);
}

int64_t convScratch(const ConvGeom& g, bool withMult) {
  const auto p = g.packed();
  const std::vector<int32_t> q(p.begin(), p.end());
  return tinyc_qlinear_conv_scratch(q.data(), withMult ? 1 : 0);
}

// Per-tensor (0) or per-output-channel (1) stride of a weight zero point / scale; -1 if neither.
int64_t perOutputChannel(const Value* v, int64_t M) {
  if (!v || numElements(v->shape) == 1) return 0;
  if (v->shape.size() == 1 && v->shape[0] == M) return 1;
  return -1;
}

// ConvInteger: x, w, x_zero_point?, w_zero_point?.
std::string checkConvInteger(const Node& n) {
  ConvGeom g;
  if (auto why = checkConvCommon(n, 0, 1, &g); !why.empty()) return why;
  if (n.input(2) && (n.input(2)->dtype != n.input(0)->dtype || numElements(n.input(2)->shape) != 1))
    return "x_zero_point must be a scalar of x's type";
  if (n.input(3) && (n.input(3)->dtype != n.input(1)->dtype || perOutputChannel(n.input(3), g.M) < 0))
    return "w_zero_point must be per tensor or per output channel, of w's type";
  return "";
}

int64_t scratchConvInteger(const Node& n) {
  ConvGeom g;
  convGeom(n, n.input(0)->shape, n.input(1)->shape, &g);
  return convScratch(g, false);
}

void emitConvInteger(EmitCtx& c) {
  c.require("qlinear");
  ConvGeom g;
  convGeom(c.node, c.inValue(0)->shape, c.inValue(1)->shape, &g);
  c.line(fmt::format("tinyc_conv_integer_{}({}, {}, {}, {}, {}, {}, {}, {});",
                     mmTypes(c.inValue(0)->dtype, c.inValue(1)->dtype), c.in(0), c.in(2), c.in(1), c.in(3),
                     perOutputChannel(c.inValue(3), g.M), c.out(0), c.intArray(g.packed()), c.scratch()));
}

// QLinearConv: x, x_scale, x_zero_point, w, w_scale, w_zero_point, y_scale, y_zero_point, B?.
std::string checkQLinearConv(const Node& n) {
  ConvGeom g;
  if (auto why = checkConvCommon(n, 0, 3, &g); !why.empty()) return why;
  const Value* y = n.outputs.empty() ? nullptr : n.outputs[0];
  if (!y || !is8Bit(y->dtype)) return "y must be int8 or uint8";
  for (int i : {1, 4, 6}) {
    const Value* s = n.input(static_cast<size_t>(i));
    if (!s) return "x_scale, w_scale and y_scale are required";
    if (!floatOrHalf(s->dtype))
      return fmt::format("scales of {} are not supported (float32 and float16 are)", dtypeName(s->dtype));
  }
  if (numElements(n.input(1)->shape) != 1 || numElements(n.input(6)->shape) != 1)
    return "x_scale and y_scale must be scalars";
  if (perOutputChannel(n.input(4), g.M) < 0) return "w_scale must be per tensor or per output channel";
  if (n.input(2) && (n.input(2)->dtype != n.input(0)->dtype || numElements(n.input(2)->shape) != 1))
    return "x_zero_point must be a scalar of x's type";
  if (n.input(5) && (n.input(5)->dtype != n.input(3)->dtype || perOutputChannel(n.input(5), g.M) < 0))
    return "w_zero_point must be per tensor or per output channel, of w's type";
  if (!n.input(7) || n.input(7)->dtype != y->dtype || numElements(n.input(7)->shape) != 1)
    return "y_zero_point must be a scalar of y's type";
  if (const Value* b = n.input(8); b && (b->dtype != DType::I32 || numElements(b->shape) != g.M))
    return "B must be int32 with one value per output channel";
  return "";
}

int64_t scratchQLinearConv(const Node& n) {
  ConvGeom g;
  convGeom(n, n.input(0)->shape, n.input(3)->shape, &g);
  return convScratch(g, true);
}

void emitQLinearConv(EmitCtx& c) {
  c.require("qlinear");
  ConvGeom g;
  convGeom(c.node, c.inValue(0)->shape, c.inValue(3)->shape, &g);
  bool opened = false;
  const std::string s1 = floatScale(c, 1, &opened), s4 = floatScale(c, 4, &opened), s6 = floatScale(c, 6, &opened);
  c.line(fmt::format("{}tinyc_qlinear_conv_{}_{}({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {});", opened ? "  " : "",
                     mmTypes(c.inValue(0)->dtype, c.inValue(3)->dtype), EmitCtx::suffix(c.outValue(0)->dtype), c.in(0),
                     s1, c.in(2), c.in(3), s4, perOutputChannel(c.inValue(4), g.M), c.in(5),
                     perOutputChannel(c.inValue(5), g.M), s6, c.in(7), c.in(8), c.out(0), c.intArray(g.packed()),
                     c.scratch()));
  closeScaleBlock(c, opened);
}

}  // namespace

void registerQuantKernels(KernelTable& t) {
  t.add({"QuantizeLinear", checkQuantize, emitQuantize});
  t.add({"DequantizeLinear", checkDequantize, emitDequantize});
  t.add({"DynamicQuantizeLinear", checkDynamicQuantize, emitDynamicQuantize});
  t.add({"MatMulInteger", checkMatMulInteger, emitMatMulInteger});
  t.add({"QLinearMatMul", checkQLinearMatMul, emitQLinearMatMul});
  t.add({"ConvInteger", checkConvInteger, emitConvInteger, scratchConvInteger});
  t.add({"QLinearConv", checkQLinearConv, emitQLinearConv, scratchQLinearConv});
}

}  // namespace tinyc::c
