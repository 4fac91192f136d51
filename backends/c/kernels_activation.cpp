// C kernels for activations (runtime/activation.c): Relu LeakyRelu PRelu Clip Sigmoid
// HardSigmoid HardSwish Tanh Elu Softplus Softsign Mish Selu Celu ThresholdedRelu Shrink Softmax LogSoftmax. Semantics follow lib/ops/activation.cpp.
#include <cstdint>

#include "backends/c/c_emit.h"
#include "backends/c/emit_util.h"
#include "backends/c/runtime/scratch.h"

namespace tinyc::c {

namespace {

std::string checkSize(const Node& n) {
  for (const Value* v : n.inputs)
    if (v && numElements(v->shape) > INT32_MAX) return "tensors of more than 2^31-1 elements are not supported";
  for (const Value* v : n.outputs)
    if (v && numElements(v->shape) > INT32_MAX) return "tensors of more than 2^31-1 elements are not supported";
  return "";
}

// An empty output: no code, but the output's pointer is referenced (an unused graph-output
// variable would fail -Werror).
void markEmpty(EmitCtx& c) { c.line(fmt::format("(void){};", c.out(0))); }

std::string checkFloatMap(const Node& n) {
  std::string why = requireDTypes(n, {DType::F32, DType::F64, DType::F16});
  return why.empty() ? checkSize(n) : why;
}

std::string checkRelu(const Node& n) {
  std::string why = requireDTypes(n, {DType::F32, DType::F64, DType::F16, DType::I8, DType::I16, DType::I32, DType::I64});
  return why.empty() ? checkSize(n) : why;
}

// A literal of a float parameter in the kernel's parameter type (f16 kernels take float).
std::string paramLit(DType t, float v) {
  return t == DType::F64 ? EmitCtx::doubleLit(static_cast<double>(v)) : EmitCtx::floatLit(v);
}

// y = f(x, p0, p1) elementwise; `name` is the kernel family, attribute names give p0 / p1.
template <const char* Name, const char* P0, const char* P1>
void emitMap(EmitCtx& c) {
  c.require("activation");
  const DType t = c.outValue(0)->dtype;
  std::string p0 = "0", p1 = "0";
  if (*P0) p0 = paramLit(t, c.node.attrFloat(P0));
  if (*P1) p1 = paramLit(t, c.node.attrFloat(P1));
  c.line(fmt::format("tinyc_{}_{}({}, {}, {}, {}, {});", Name, EmitCtx::suffix(t), c.in(0), c.out(0),
                     numElements(c.outValue(0)->shape), p0, p1));
}

constexpr char kNone[] = "", kAlpha[] = "alpha", kBeta[] = "beta", kGamma[] = "gamma", kLambd[] = "lambd",
               kBias[] = "bias";
constexpr char kRelu[] = "relu", kLeaky[] = "leakyrelu", kSigmoid[] = "sigmoid", kHardSigmoid[] = "hardsigmoid",
               kHardSwish[] = "hardswish", kTanh[] = "tanh", kElu[] = "elu", kSoftplus[] = "softplus",
               kSoftsign[] = "softsign", kMish[] = "mish", kSelu[] = "selu", kCelu[] = "celu", kThresholdedRelu[] = "thresholdedrelu",
               kShrink[] = "shrink", kSwish[] = "swish";

// SwiGLU: Swish of A into Y, then Y * B (runtime/activation.c, elementwise.c).
std::string checkSwiGLU(const Node& n) {
  if (auto why = requireDTypes(n, {DType::F32, DType::F64}); !why.empty()) return why;
  return checkFloatMap(n);
}
void emitSwiGLU(EmitCtx& c) {
  c.require("activation");
  c.require("elementwise");
  const DType t = c.outValue(0)->dtype;
  const int64_t n = numElements(c.outValue(0)->shape);
  c.line(fmt::format("tinyc_swish_{}({}, {}, {}, {}, 0);", EmitCtx::suffix(t), c.in(0), c.out(0), n,
                     paramLit(t, c.node.attrFloat("alpha"))));
  c.line(fmt::format("tinyc_mul_{}({}, {}, {}, {});", EmitCtx::suffix(t), c.out(0), c.in(1), c.out(0), n));
}

// Gelu: the erf form or the tanh approximation (attribute approximate).
void emitGelu(EmitCtx& c) {
  c.require("activation");
  const DType t = c.outValue(0)->dtype;
  c.line(fmt::format("tinyc_{}_{}({}, {}, {}, 0, 0);", c.node.attrStr("approximate") == "tanh" ? "gelutanh" : "gelu",
                     EmitCtx::suffix(t), c.in(0), c.out(0), numElements(c.outValue(0)->shape)));
}

// ---- PRelu --------------------------------------------------------------------------------

std::string checkPRelu(const Node& n) {
  const Value* x = n.input(0);
  const Value* s = n.input(1);
  if (!x || !s) return "inputs X and slope are required";
  DType t = x->dtype;
  if (t != DType::F32 && t != DType::F64 && t != DType::F16 && t != DType::I32 && t != DType::I64 &&
      t != DType::U32 && t != DType::U64)
    return fmt::format("dtype {} is not supported by the C kernel", dtypeName(t));
  if (s->dtype != t) return "slope and X dtypes differ";
  return checkSize(n);
}

void emitPRelu(EmitCtx& c) {
  c.require("activation");
  const Value* x = c.inValue(0);
  const Value* s = c.inValue(1);
  const Value* y = c.outValue(0);
  const int64_t n = numElements(y->shape);
  if (n == 0) return markEmpty(c);
  if (y->dtype == DType::U32 || y->dtype == DType::U64) {  // x >= 0 always: a copy
    c.line(fmt::format("memcpy({}, {}, {});", c.out(0), c.in(0), n * static_cast<int64_t>(dtypeSize(y->dtype))));
    return;
  }
  const std::string k = "tinyc_prelu_" + EmitCtx::suffix(y->dtype);
  int64_t chans = 0, inner = 0;
  if (y->dtype != DType::F16) {
    if (s->shape == x->shape || (numElements(s->shape) == n && bcastStrides(s->shape, y->shape) ==
                                                                   bcastStrides(y->shape, y->shape))) {
      c.line(fmt::format("{}({}, {}, {}, {});", k, c.in(0), c.in(1), c.out(0), n));
      return;
    }
    if (numElements(s->shape) == 1) {
      c.line(fmt::format("{}_scalar({}, {}, {}, {});", k, c.in(0), c.in(1), c.out(0), n));
      return;
    }
    if (channelBroadcast(s->shape, y->shape, &chans, &inner)) {
      c.line(fmt::format("{}_chan({}, {}, {}, {}, {}, {});", k, c.in(0), c.in(1), c.out(0), n / (chans * inner),
                         chans, inner));
      return;
    }
  }
  c.line(fmt::format("{}_bcast({}, {}, {}, {}, {}, {}, {});", k, c.in(0), c.in(1), c.out(0), n, y->shape.size(),
                     c.intArray(y->shape), c.intArray(bcastStrides(s->shape, y->shape))));
}

// ---- Clip ---------------------------------------------------------------------------------

std::string checkClip(const Node& n) {
  const Value* x = n.input(0);
  if (!x) return "input 0 is missing";
  if (x->dtype == DType::Bool || dtypeSize(x->dtype) == 0 || EmitCtx::ctype(x->dtype) == "void")
    return fmt::format("dtype {} is not supported by the C kernel", dtypeName(x->dtype));
  for (size_t i = 1; i <= 2; ++i) {
    const Value* b = n.input(i);
    if (!b) continue;
    if (b->dtype != x->dtype) return fmt::format("{} and X dtypes differ", i == 1 ? "min" : "max");
    if (numElements(b->shape) != 1) return fmt::format("{} must be a scalar", i == 1 ? "min" : "max");
  }
  return checkSize(n);
}

void emitClip(EmitCtx& c) {
  c.require("activation");
  const Value* y = c.outValue(0);
  const int64_t n = numElements(y->shape);
  if (n == 0) return markEmpty(c);
  c.line(fmt::format("tinyc_clip_{}({}, {}, {}, {}, {});", EmitCtx::suffix(y->dtype), c.in(0), c.out(0), n,
                     c.in(1), c.in(2)));
}

// ---- Softmax / LogSoftmax ------------------------------------------------------------------

struct SoftmaxDims {
  int64_t outer = 1, n = 1, inner = 1;
};

SoftmaxDims softmaxDims(const Node& node) {
  const Shape& s = node.input(0)->shape;
  const int64_t r = static_cast<int64_t>(s.size());
  int64_t axis = node.attrInt("axis");
  if (axis < 0) axis += r;
  SoftmaxDims d;
  for (int64_t i = 0; i < r; ++i) {
    const int64_t v = s[static_cast<size_t>(i)];
    if (i < axis) d.outer *= v;
    else if (i == axis) d.n = v;
    else d.inner *= v;
  }
  return d;
}

std::string checkSoftmax(const Node& n) {
  std::string why = checkFloatMap(n);
  if (!why.empty()) return why;
  const int64_t r = static_cast<int64_t>(n.input(0)->shape.size());
  const int64_t axis = n.attrInt("axis");
  if (r == 0 || axis < -r || axis >= r) return fmt::format("axis {} is out of range for rank {}", axis, r);
  return "";
}

int64_t softmaxScratch(const Node& n) {
  const DType t = n.input(0)->dtype;
  if (t == DType::F16) return 0;
  const SoftmaxDims d = softmaxDims(n);
  return tinyc_softmax_scratch(d.outer, d.n, d.inner, static_cast<int64_t>(dtypeSize(t)));
}

template <int Log>
void emitSoftmax(EmitCtx& c) {
  c.require("activation");
  const DType t = c.outValue(0)->dtype;
  if (numElements(c.outValue(0)->shape) == 0) return markEmpty(c);
  const SoftmaxDims d = softmaxDims(c.node);
  if (t == DType::F16) {
    c.line(fmt::format("tinyc_softmax_f16({}, {}, {}, {}, {}, {});", c.in(0), c.out(0), d.outer, d.n, d.inner, Log));
    return;
  }
  const std::string ws =
      softmaxScratch(c.node) > 0 ? fmt::format("({} *){}", EmitCtx::ctype(t), c.scratch()) : std::string("NULL");
  c.line(fmt::format("tinyc_softmax_{}({}, {}, {}, {}, {}, {}, {});", EmitCtx::suffix(t), c.in(0), c.out(0), d.outer,
                     d.n, d.inner, Log, ws));
}

}  // namespace

void registerActivationKernels(KernelTable& t) {
  t.add({"Relu", checkRelu, emitMap<kRelu, kNone, kNone>, nullptr, false, true});
  t.add({"LeakyRelu", checkFloatMap, emitMap<kLeaky, kAlpha, kNone>, nullptr, false, true});
  t.add({"PRelu", checkPRelu, emitPRelu});
  t.add({"Clip", checkClip, emitClip, nullptr, false, true});
  t.add({"Sigmoid", checkFloatMap, emitMap<kSigmoid, kNone, kNone>, nullptr, false, true});
  t.add({"HardSigmoid", checkFloatMap, emitMap<kHardSigmoid, kAlpha, kBeta>, nullptr, false, true});
  t.add({"HardSwish", checkFloatMap, emitMap<kHardSwish, kNone, kNone>, nullptr, false, true});
  t.add({"Tanh", checkFloatMap, emitMap<kTanh, kNone, kNone>, nullptr, false, true});
  t.add({"Elu", checkFloatMap, emitMap<kElu, kAlpha, kNone>, nullptr, false, true});
  t.add({"Softplus", checkFloatMap, emitMap<kSoftplus, kNone, kNone>, nullptr, false, true});
  t.add({"Softsign", checkFloatMap, emitMap<kSoftsign, kNone, kNone>, nullptr, false, true});
  t.add({"Mish", checkFloatMap, emitMap<kMish, kNone, kNone>, nullptr, false, true});
  t.add({"Gelu", checkFloatMap, emitGelu, nullptr, false, true});
  t.add({"Swish", checkFloatMap, emitMap<kSwish, kAlpha, kNone>, nullptr, false, true});
  t.add({"SwiGLU", checkSwiGLU, emitSwiGLU});
  t.add({"Selu", checkFloatMap, emitMap<kSelu, kAlpha, kGamma>, nullptr, false, true});
  t.add({"Celu", checkFloatMap, emitMap<kCelu, kAlpha, kNone>, nullptr, false, true});
  t.add({"ThresholdedRelu", checkFloatMap, emitMap<kThresholdedRelu, kAlpha, kNone>, nullptr, false, true});
  t.add({"Shrink", checkFloatMap, emitMap<kShrink, kLambd, kBias>, nullptr, false, true});
  t.add({"Softmax", checkSoftmax, emitSoftmax<0>, softmaxScratch});
  t.add({"LogSoftmax", checkSoftmax, emitSoftmax<1>, softmaxScratch});
}

}  // namespace tinyc::c
