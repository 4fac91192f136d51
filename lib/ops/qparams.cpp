#include "ops/qparams.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "ops/op.h"
#include "ops/qmath.h"
#include "ops/util.h"

namespace tinyc::q {

Multiplier quantizeMultiplier(double m, const Node& n) {
  if (!std::isfinite(m) || m <= 0)
    modelError("{}: requantization multiplier {} is not a positive finite number (check the scales)", n.where(), m);
  int e = 0;
  const double frac = std::frexp(m, &e);  // m = frac * 2^e, frac in [0.5, 1)
  int64_t mult = std::llround(frac * 2147483648.0);
  if (mult == (INT64_C(1) << 31)) {
    mult /= 2;
    ++e;
  }
  int64_t rshift = 31 - e;
  if (rshift < 1) modelError("{}: requantization multiplier {} is too large (>= 2^30)", n.where(), m);
  if (rshift > 62) {  // tiny multiplier: fewer mantissa bits, the product still fits
    const int64_t extra = rshift - 62;
    mult = extra >= 63 ? 0 : (mult + (INT64_C(1) << (extra - 1))) >> extra;
    rshift = 62;
  }
  return {static_cast<int32_t>(mult), static_cast<int32_t>(rshift)};
}

bool isQInt8(const Value* v) { return v && v->dtype == DType::I8 && v->quant && !v->quant->scale.empty(); }
bool isQInt8PerTensor(const Value* v) { return isQInt8(v) && v->quant->perTensor() && v->quant->scale.size() == 1; }
bool isQInt16PerTensor(const Value* v) {
  return v && v->dtype == DType::I16 && v->quant && v->quant->perTensor() && v->quant->scale.size() == 1 &&
         zeroAt(*v->quant, 0) == 0;
}
bool isQAct(const Value* v) { return isQInt8PerTensor(v) || isQInt16PerTensor(v); }
std::pair<int32_t, int32_t> typeRange(DType t) {
  return t == DType::I16 ? std::pair<int32_t, int32_t>{-32768, 32767} : std::pair<int32_t, int32_t>{-128, 127};
}

double scaleAt(const QuantParams& q, int64_t i) {
  return q.scale.size() == 1 ? q.scale[0] : q.scale.at(static_cast<size_t>(i));
}
int32_t zeroAt(const QuantParams& q, int64_t i) {
  if (q.zeroPoint.empty()) return 0;
  return static_cast<int32_t>(q.zeroPoint.size() == 1 ? q.zeroPoint[0] : q.zeroPoint.at(static_cast<size_t>(i)));
}

namespace {

// Real value v quantized with y's parameters (round half to even), clamped to y's type.
int32_t quantizeReal(double v, const QuantParams& y, DType t) {
  const double r = std::nearbyint(v / y.scale[0]) + y.zeroPoint[0];
  return static_cast<int32_t>(std::clamp<double>(r, typeRange(t).first, typeRange(t).second));
}

}  // namespace

bool activationHasIntegerForm(const Node& n) {
  auto it = n.attrs.find(kFusedActivationAttr);
  return it == n.attrs.end() || it->second.s == "Relu" || it->second.s == "Clip";
}

std::pair<int32_t, int32_t> outputRange(const Node& n) {
  const Value* y = n.outputs.at(0);
  std::pair<int32_t, int32_t> r = typeRange(y->dtype);
  auto it = n.attrs.find(kFusedActivationAttr);
  if (it == n.attrs.end()) return r;
  if (!isQAct(y)) modelError("{}: a fused activation needs a per-tensor quantized output", n.where());
  if (it->second.s == "Relu") {
    r.first = std::max<int32_t>(r.first, zeroAt(*y->quant, 0));
    return r;
  }
  auto p = n.attrs.find(kFusedActivationParamsAttr);
  if (it->second.s == "Clip" && p != n.attrs.end() && p->second.floats.size() == 2) {
    r.first = std::max(r.first, quantizeReal(p->second.floats[0], *y->quant, y->dtype));
    r.second = std::min(r.second, quantizeReal(p->second.floats[1], *y->quant, y->dtype));
    if (r.first > r.second) r.first = r.second;
    return r;
  }
  modelError("{}: fused activation '{}' has no integer form", n.where(), printable(it->second.s));
}

std::vector<Multiplier> productMultipliers(const Node& n, const Value& x, const Value& w, const Value& y,
                                           int64_t channels) {
  std::vector<Multiplier> m;
  for (int64_t c = 0; c < channels; ++c)
    m.push_back(quantizeMultiplier(scaleAt(*x.quant, 0) * scaleAt(*w.quant, c) / scaleAt(*y.quant, 0), n));
  return m;
}

Multiplier averageMultiplier(const Node& n, const Value& x, const Value& y, int64_t count) {
  return quantizeMultiplier(scaleAt(*x.quant, 0) / (scaleAt(*y.quant, 0) * static_cast<double>(count)), n);
}

std::vector<Multiplier> averageMultipliers(const Node& n, const Value& x, const Value& y, int64_t maxCount) {
  std::vector<Multiplier> m(1);  // entry 0 unused
  for (int64_t c = 1; c <= maxCount; ++c) m.push_back(averageMultiplier(n, x, y, c));
  return m;
}

AddMultipliers addMultipliers(const Node& n, const Value& a, const Value& b, const Value& y) {
  double ra = scaleAt(*a.quant, 0) / scaleAt(*y.quant, 0), rb = scaleAt(*b.quant, 0) / scaleAt(*y.quant, 0);
  const bool wide = y.dtype == DType::I16;
  // |centred input| <= dmax; an exact sum beyond `sat` saturates every output of the type whatever
  // the zero point. When ra > rb * dmax + sat + 1, every da != 0 gives |sum| > sat with da's sign,
  // for ra and for that bound alike.
  const double dmax = wide ? 32768.0 : 255.0, sat = wide ? 131072.0 : 1024.0;
  ra = std::min(ra, rb * dmax + sat + 1.0);
  rb = std::min(rb, ra * dmax + sat + 1.0);
  const double limit = wide ? 140737488355328.0 : 2147483648.0;  // 2^47 or 2^31
  int e = 0;
  std::frexp(std::max(ra, rb), &e);  // max = f * 2^e, f in [0.5, 1)
  for (int shift = std::min(62, (wide ? 47 : 31) - e);; --shift) {
    if (shift < 1) modelError("{}: input scales too large for the output scale ({} and {} times)", n.where(), ra, rb);
    const double fa = std::nearbyint(std::ldexp(ra, shift)), fb = std::nearbyint(std::ldexp(rb, shift));
    if (fa < limit && fb < limit) return {static_cast<int64_t>(fa), static_cast<int64_t>(fb), shift};
  }
}

bool isQuantizedBinary(const Node& n) {
  if (n.inputs.size() != 2 || n.outputs.empty() || !isQAct(n.outputs[0])) return false;
  const DType t = n.outputs[0]->dtype;
  return isQAct(n.input(0)) && isQAct(n.input(1)) && n.inputs[0]->dtype == t && n.inputs[1]->dtype == t;
}

std::vector<int32_t> softmaxTable(double sx) {
  std::vector<int32_t> t(256);
  for (int d = 0; d < 256; ++d) t[static_cast<size_t>(d)] = static_cast<int32_t>(std::llround(std::exp(-sx * d) * 1073741824.0));
  return t;
}

Multiplier softmaxMultiplier(const Node& n, const Value& y) {
  return quantizeMultiplier(1.0 / (1073741824.0 * scaleAt(*y.quant, 0)), n);
}

void checkPerTensorIo(const InferCtx& c) {
  const Value* x = c.node.inputs.at(0);
  const Value* y = c.node.outputs.at(0);
  if (!isQAct(x)) c.fail("an int8 input needs per-tensor quantization parameters (int16: zero point 0)");
  if (!y || !isQAct(y) || y->dtype != x->dtype)
    c.fail("an integer op needs per-tensor quantization parameters on its output, of its input's type");
}

void checkProductOperands(const InferCtx& c, int wAxis, int64_t channels) {
  const Value* x = c.node.inputs.at(0);
  const Value* w = c.node.input(1);
  const Value* b = c.node.input(2);
  const Value* y = c.node.outputs.at(0);
  if (!isQAct(x)) c.fail("int8 input X needs per-tensor quantization parameters (int16: zero point 0)");
  if (!w || !isQInt8(w)) c.fail("an int8 product needs int8 weights with quantization parameters");
  const QuantParams& wq = *w->quant;
  if (!wq.perTensor() && (wq.axis != wAxis || static_cast<int64_t>(wq.scale.size()) != channels))
    c.fail("weights must be quantized per tensor or per output channel (axis {}, {} scales)", wAxis, channels);
  for (int64_t z : wq.zeroPoint)
    if (z != 0) c.fail("int8 weights must be symmetric (zero point 0), got {}", z);
  if (wq.bits != 8 && wq.bits != 4) c.fail("weights of {} bits are not supported (8 or 4)", wq.bits);
  if (wq.bits == 4 && w->constant)
    for (int64_t i = 0; i < w->constant->numel(); ++i)
      if (w->constant->getI(i) < -8 || w->constant->getI(i) > 7)
        c.fail("int4 weights must lie in [-8, 7], element {} is {}", i, w->constant->getI(i));
  if (b) {
    if (b->dtype != DType::I32 && !(b->dtype == DType::I64 && x->dtype == DType::I16))
      c.fail("the bias of an integer product must be int32 (int16 data: or int64), got {}", dtypeName(b->dtype));
    if (numElements(b->shape) != channels) c.fail("the int32 bias must have {} elements", channels);
  }
  if (!y || !isQAct(y) || y->dtype != x->dtype)
    c.fail("an integer product needs per-tensor quantization parameters on its output, of its input's type");
  if (!activationHasIntegerForm(c.node)) c.fail("the fused activation has no integer form");
}

int32_t requantize(int64_t acc, const Multiplier& m, int32_t zp, int32_t lo, int32_t hi, const Node& n) {
  if (acc < INT32_MIN || acc > INT32_MAX) modelError("{}: int32 accumulator overflow ({})", n.where(), acc);
  return tinyc_requant(static_cast<int32_t>(acc), m.mult, m.rshift, zp, lo, hi);
}

int32_t requantize64(int64_t acc, const Multiplier& m, int32_t zp, int32_t lo, int32_t hi, const Node& n) {
  if (acc <= -(INT64_C(1) << 47) || acc >= (INT64_C(1) << 47))
    modelError("{}: int64 accumulator beyond 2^47 ({})", n.where(), acc);
  if (m.rshift < 17) modelError("{}: an int16 requantization multiplier must be below 2^14", n.where());
  return tinyc_requant64(acc, m.mult, m.rshift, zp, lo, hi);
}

// ---- annotation -----------------------------------------------------------------------------

namespace {

std::optional<QuantParams> paramsOf(const Node& n, const Value* data) {
  const Value* s = n.input(1);
  const Value* z = n.input(2);
  if (!s || !s->constant || !data) return std::nullopt;
  if (n.hasAttr("block_size") && n.attrInt("block_size") != 0) return std::nullopt;
  if (z && !z->constant) return std::nullopt;
  QuantParams q;
  const int64_t k = s->constant->numel();
  if (k < 1 || (z && z->constant->numel() != 1 && z->constant->numel() != k)) return std::nullopt;
  for (int64_t i = 0; i < k; ++i) q.scale.push_back(static_cast<float>(s->constant->getF(i)));
  for (int64_t i = 0; i < k; ++i) q.zeroPoint.push_back(z ? z->constant->getI(z->constant->numel() == 1 ? 0 : i) : 0);
  if (k != 1) {
    const int r = static_cast<int>(data->shape.size());
    int64_t a = n.hasAttr("axis") ? n.attrInt("axis") : 1;
    if (a < 0) a += r;
    if (a < 0 || a >= r || data->shape[static_cast<size_t>(a)] != k) return std::nullopt;
    q.axis = static_cast<int>(a);
  }
  for (float v : q.scale)
    if (!std::isfinite(v) || v <= 0) return std::nullopt;
  return q;
}

}  // namespace

void annotateQuantParams(Graph& g) {
  const OpRegistry& reg = OpRegistry::instance();
  const OpDef* dq = reg.find("DequantizeLinear");
  const OpDef* qz = reg.find("QuantizeLinear");
  for (auto& n : g.nodes) {
    if (n->op == dq && n->input(0) && !n->input(0)->quant) {
      if (auto p = paramsOf(*n, n->input(0))) {
        if (n->inputs[0]->storageBits == 4) p->bits = 4;  // INT4 weights: packed again by the C backend
        n->inputs[0]->quant = p;
      }
    } else if (n->op == qz && !n->outputs.empty() && n->outputs[0] && !n->outputs[0]->quant) {
      if (auto p = paramsOf(*n, n->outputs[0])) n->outputs[0]->quant = p;
    }
  }
  // Through ops that only move elements (OpDef::quantCarried): both ends share the parameters.
  for (bool more = true; more;) {
    more = false;
    for (auto& n : g.nodes) {
      if (!carriesQuant(*n) || n->outputs.empty() || !n->outputs[0] || !n->input(0)) continue;
      Value* x = n->inputs[0];
      Value* y = n->outputs[0];
      if (x->dtype != y->dtype || isFloat(x->dtype)) continue;
      auto perTensor = [](const Value* v) { return v->quant && v->quant->perTensor(); };
      if (perTensor(y) && !x->quant && !x->constant) {
        x->quant = y->quant;
        more = true;
      } else if (perTensor(x) && !y->quant) {
        y->quant = x->quant;
        more = true;
      }
    }
  }
}

}  // namespace tinyc::q
