// Comparison, logic and selection: Equal, Less, Greater, LessOrEqual, GreaterOrEqual (bool out),
// And, Or, Xor, Not (bool), Where, IsNaN, IsInf, Mod, BitShift, BitwiseAnd/Or/Xor/Not, Mean.
// Broadcasting as numpy.
#include <cmath>
#include <cstring>

#include "ops/shape_plan.h"
#include "ops/util.h"

namespace tinyc {
namespace {

void requireSameTypes(InferCtx& c, int first, int last) {
  for (int i = first + 1; i <= last; ++i)
    if (c.dtype(i) != c.dtype(first))
      c.fail("input types differ: {} and {}", dtypeName(c.dtype(first)), dtypeName(c.dtype(i)));
}

// ---- comparisons ----------------------------------------------------------------------------

void inferCompare(InferCtx& c) {
  requireSameTypes(c, 0, 1);
  c.setOutput(0, DType::Bool, broadcastInputs(c));
}

// Calls f(a, b) on every broadcast pair as double (exact for every integer type up to 2^53) or,
// for 64-bit integers, as the integers themselves; writes the bool results.
template <typename F>
void compareLoop(EvalCtx& c, F f) {
  const Tensor &a = *c.in[0], &b = *c.in[1];
  uint8_t* po = c.out[0]->data<uint8_t>();
  if (a.dtype() == DType::F16) {
    forEachBroadcast2(c.out[0]->shape(), a.shape(), b.shape(),
                      [&](int64_t o, int64_t ia, int64_t ib) { po[o] = f(a.getF(ia), b.getF(ib)) ? 1 : 0; });
    return;
  }
  dispatchAll(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    forEachBroadcast2(c.out[0]->shape(), a.shape(), b.shape(),
                      [&](int64_t o, int64_t ia, int64_t ib) { po[o] = f(pa[ia], pb[ib]) ? 1 : 0; });
  });
}

void evalEqual(EvalCtx& c) { compareLoop(c, [](auto x, auto y) { return x == y; }); }
void evalLess(EvalCtx& c) { compareLoop(c, [](auto x, auto y) { return x < y; }); }
void evalGreater(EvalCtx& c) { compareLoop(c, [](auto x, auto y) { return x > y; }); }
void evalLessOrEqual(EvalCtx& c) { compareLoop(c, [](auto x, auto y) { return x <= y; }); }
void evalGreaterOrEqual(EvalCtx& c) { compareLoop(c, [](auto x, auto y) { return x >= y; }); }

// ---- logic ----------------------------------------------------------------------------------

void inferLogic(InferCtx& c) {
  for (int i = 0; i < c.numInputs(); ++i)
    if (c.dtype(i) != DType::Bool) c.fail("input {} must be bool, got {}", i, dtypeName(c.dtype(i)));
  c.setOutput(0, DType::Bool, c.numInputs() == 1 ? c.shape(0) : broadcastInputs(c));
}

template <typename F>
void logicLoop(EvalCtx& c, F f) {
  const uint8_t* pa = c.in[0]->data<uint8_t>();
  const uint8_t* pb = c.in[1]->data<uint8_t>();
  uint8_t* po = c.out[0]->data<uint8_t>();
  forEachBroadcast2(c.out[0]->shape(), c.in[0]->shape(), c.in[1]->shape(),
                    [&](int64_t o, int64_t ia, int64_t ib) { po[o] = f(pa[ia] != 0, pb[ib] != 0) ? 1 : 0; });
}
void evalAnd(EvalCtx& c) { logicLoop(c, [](bool x, bool y) { return x && y; }); }
void evalOr(EvalCtx& c) { logicLoop(c, [](bool x, bool y) { return x || y; }); }
void evalXor(EvalCtx& c) { logicLoop(c, [](bool x, bool y) { return x != y; }); }
void evalNot(EvalCtx& c) {
  const uint8_t* p = c.in[0]->data<uint8_t>();
  uint8_t* q = c.out[0]->data<uint8_t>();
  for (int64_t i = 0; i < c.in[0]->numel(); ++i) q[i] = p[i] ? 0 : 1;
}

// ---- Where ----------------------------------------------------------------------------------

void inferWhere(InferCtx& c) {
  if (c.dtype(0) != DType::Bool) c.fail("condition must be bool, got {}", dtypeName(c.dtype(0)));
  requireSameTypes(c, 1, 2);
  c.setOutput(0, c.dtype(1), broadcastInputs(c));
}

void evalWhere(EvalCtx& c) {
  Tensor& out = *c.out[0];
  const Shape& os = out.shape();
  const auto sc = broadcastStrides(c.in[0]->shape(), os), sx = broadcastStrides(c.in[1]->shape(), os),
             sy = broadcastStrides(c.in[2]->shape(), os);
  const uint8_t* cond = c.in[0]->data<uint8_t>();
  const size_t es = dtypeSize(out.dtype());
  const uint8_t* px = static_cast<const uint8_t*>(c.in[1]->raw());
  const uint8_t* py = static_cast<const uint8_t*>(c.in[2]->raw());
  uint8_t* po = static_cast<uint8_t*>(out.raw());
  for (int64_t o = 0; o < out.numel(); ++o) {
    const bool pick = cond[broadcastOffset(o, os, sc)] != 0;
    const uint8_t* src = pick ? px + static_cast<size_t>(broadcastOffset(o, os, sx)) * es
                              : py + static_cast<size_t>(broadcastOffset(o, os, sy)) * es;
    std::memcpy(po + static_cast<size_t>(o) * es, src, es);
  }
}

// ---- IsNaN / IsInf --------------------------------------------------------------------------

void inferFloatTest(InferCtx& c) {
  if (!isFloat(c.dtype(0))) c.fail("input must be a float type, got {}", dtypeName(c.dtype(0)));
  c.setOutput(0, DType::Bool, c.shape(0));
}
void evalIsNaN(EvalCtx& c) {
  uint8_t* q = c.out[0]->data<uint8_t>();
  for (int64_t i = 0; i < c.in[0]->numel(); ++i) q[i] = std::isnan(c.in[0]->getF(i)) ? 1 : 0;
}
void evalIsInf(EvalCtx& c) {
  const bool neg = c.node.attrInt("detect_negative") != 0, pos = c.node.attrInt("detect_positive") != 0;
  uint8_t* q = c.out[0]->data<uint8_t>();
  for (int64_t i = 0; i < c.in[0]->numel(); ++i) {
    const double v = c.in[0]->getF(i);
    q[i] = std::isinf(v) && ((v > 0 && pos) || (v < 0 && neg)) ? 1 : 0;
  }
}

// ---- Mod ------------------------------------------------------------------------------------

void inferMod(InferCtx& c) {
  requireSameTypes(c, 0, 1);
  if (c.dtype(0) == DType::Bool) c.fail("bool is not supported");
  c.setOutput(0, c.dtype(0), broadcastInputs(c));
}

// fmod = 0: the remainder takes the divisor's sign (Python's %: a - floor(a / b) * b; for floats
// Mod-28's rules: a zero result takes b's sign); fmod = 1: the dividend's (C's fmod). An integer
// zero divisor (undefined in ONNX) gives 0; so does x % -1 (the INT_MIN trap).
template <typename T>
T modulo(T a, T b, bool fmod) {
  if constexpr (std::is_floating_point_v<T>) {
    T r = std::fmod(a, b);
    if (!fmod) {
      if (r != 0 && ((r < 0) != (b < 0))) r += b;
      if (r == 0) r = std::copysign(T(0), b);
    }
    return r;
  } else {
    if (b == 0) return 0;
    if constexpr (std::is_signed_v<T>) {
      if (b == T(-1)) return 0;
      T r = static_cast<T>(a % b);
      if (!fmod && r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
      return r;
    } else {
      return static_cast<T>(a % b);
    }
  }
}

void evalMod(EvalCtx& c) {
  const Tensor &a = *c.in[0], &b = *c.in[1];
  Tensor& out = *c.out[0];
  const bool fm = c.node.attrInt("fmod") != 0;
  if (a.dtype() == DType::F16) {
    forEachBroadcast2(out.shape(), a.shape(), b.shape(), [&](int64_t o, int64_t ia, int64_t ib) {
      out.setF(o, modulo<float>(static_cast<float>(a.getF(ia)), static_cast<float>(b.getF(ib)), fm));
    });
    return;
  }
  dispatchAll(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* po = out.data<T>();
    forEachBroadcast2(out.shape(), a.shape(), b.shape(),
                      [&](int64_t o, int64_t ia, int64_t ib) { po[o] = modulo<T>(pa[ia], pb[ib], fm); });
  });
}

// ---- BitwiseAnd, BitwiseOr, BitwiseXor, BitwiseNot ---------------------------------------------
// On the bits of integers of any width: byte by byte, as the C kernel (runtime/logic.c).

void inferBitwise(InferCtx& c) {
  requireSameTypes(c, 0, c.numInputs() - 1);
  const DType t = c.dtype(0);
  if (!isInteger(t) || t == DType::Bool) c.fail("{} takes integers, got {}", c.node.opType, dtypeName(t));
  c.setOutput(0, t, c.numInputs() == 1 ? c.shape(0) : broadcastInputs(c));
}

template <int Op>  // 0 and, 1 or, 2 xor, 3 not
void evalBitwise(EvalCtx& c) {
  const Tensor& a = *c.in[0];
  const size_t es = dtypeSize(a.dtype());
  const auto* pa = static_cast<const uint8_t*>(a.raw());
  auto* po = static_cast<uint8_t*>(c.out[0]->raw());
  if (Op == 3) {
    for (size_t i = 0; i < a.byteSize(); ++i) po[i] = static_cast<uint8_t>(~pa[i]);
    return;
  }
  const auto* pb = static_cast<const uint8_t*>(c.in[1]->raw());
  forEachBroadcast2(c.out[0]->shape(), a.shape(), c.in[1]->shape(), [&](int64_t o, int64_t ia, int64_t ib) {
    for (size_t k = 0; k < es; ++k) {
      const uint8_t x = pa[static_cast<size_t>(ia) * es + k], y = pb[static_cast<size_t>(ib) * es + k];
      po[static_cast<size_t>(o) * es + k] = static_cast<uint8_t>(Op == 0 ? x & y : Op == 1 ? x | y : x ^ y);
    }
  });
}

// ---- BitShift -------------------------------------------------------------------------------

void inferBitShift(InferCtx& c) {
  requireSameTypes(c, 0, 1);
  DType t = c.dtype(0);
  if (!isInteger(t) || t == DType::Bool) c.fail("BitShift takes integers, got {}", dtypeName(t));
  const std::string d = c.node.attrStr("direction");
  if (d != "LEFT" && d != "RIGHT") c.fail("direction must be LEFT or RIGHT, got '{}'", printable(d));
  c.setOutput(0, t, broadcastInputs(c));
}

void evalBitShift(EvalCtx& c) {
  const bool left = c.node.attrStr("direction") == "LEFT";
  const Tensor &a = *c.in[0], &b = *c.in[1];
  dispatchAll(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* pa = a.data<T>();
    const T* pb = b.data<T>();
    T* po = c.out[0]->data<T>();
    if constexpr (std::is_integral_v<T>) {
      using U = std::make_unsigned_t<T>;
      constexpr int64_t bits = sizeof(T) * 8;
      forEachBroadcast2(c.out[0]->shape(), a.shape(), b.shape(), [&](int64_t o, int64_t ia, int64_t ib) {
        const T x = pa[ia];
        const int64_t s = static_cast<int64_t>(pb[ib]);
        const bool neg = std::is_signed_v<T> && x < 0;
        if (s < 0 || s >= bits)
          po[o] = !left && neg ? static_cast<T>(-1) : T(0);
        else if (left)
          po[o] = static_cast<T>(static_cast<U>(static_cast<U>(x) << s));
        else  // arithmetic for signed types (the complement trick: portable C)
          po[o] = neg ? static_cast<T>(~static_cast<T>(static_cast<T>(~x) >> s)) : static_cast<T>(x >> s);
      });
    }
  });
}

// ---- Mean -----------------------------------------------------------------------------------

void inferMean(InferCtx& c) {
  for (int i = 1; i < c.numInputs(); ++i)
    if (c.dtype(i) != c.dtype(0)) c.fail("input types differ: {} and {}", dtypeName(c.dtype(0)), dtypeName(c.dtype(i)));
  if (!isFloat(c.dtype(0))) c.fail("input must be a float type, got {}", dtypeName(c.dtype(0)));
  c.setOutput(0, c.dtype(0), broadcastInputs(c));
}

// The inputs summed in order in the element type (as ONNX's reference does), then divided by
// their count.
void evalMean(EvalCtx& c) {
  Tensor& out = *c.out[0];
  const Shape& os = out.shape();
  const int64_t count = static_cast<int64_t>(c.in.size());
  auto sum = [&](auto tag) {
    using T = typename decltype(tag)::type;
    std::vector<T> acc(static_cast<size_t>(out.numel()), T(0));
    for (const Tensor* t : c.in) {
      const auto st = broadcastStrides(t->shape(), os);
      for (int64_t o = 0; o < out.numel(); ++o)
        acc[static_cast<size_t>(o)] = static_cast<T>(acc[static_cast<size_t>(o)] +
                                                     static_cast<T>(t->getF(broadcastOffset(o, os, st))));
    }
    for (int64_t o = 0; o < out.numel(); ++o) out.setF(o, acc[static_cast<size_t>(o)] / static_cast<T>(count));
  };
  if (out.dtype() == DType::F64)
    sum(TypeTag<double>{});
  else
    sum(TypeTag<float>{});
}

// An elementwise op (OpDef::elementwise: the layout pass may move it) unless said otherwise.
OpDef make(const char* name, int minIn, int maxIn, InferFn infer, EvalFn eval, const char* doc,
           std::vector<AttrSpec> attrs = {}, bool elementwise = true) {
  OpDef d = shape_plan::makeOp(name, minIn, maxIn, infer, eval, doc, std::move(attrs));
  d.elementwise = elementwise;
  return d;
}

}  // namespace

void registerLogicOps(OpRegistry& r) {
  using K = Attr::Kind;
  r.add(make("Equal", 2, 2, inferCompare, evalEqual, "A == B (bool), numpy broadcasting"));
  r.add(make("Less", 2, 2, inferCompare, evalLess, "A < B (bool), numpy broadcasting"));
  r.add(make("Greater", 2, 2, inferCompare, evalGreater, "A > B (bool), numpy broadcasting"));
  r.add(make("LessOrEqual", 2, 2, inferCompare, evalLessOrEqual, "A <= B (bool), numpy broadcasting"));
  r.add(make("GreaterOrEqual", 2, 2, inferCompare, evalGreaterOrEqual, "A >= B (bool), numpy broadcasting"));
  r.add(make("And", 2, 2, inferLogic, evalAnd, "logical and of bools, numpy broadcasting"));
  r.add(make("Or", 2, 2, inferLogic, evalOr, "logical or of bools, numpy broadcasting"));
  r.add(make("Xor", 2, 2, inferLogic, evalXor, "logical xor of bools, numpy broadcasting"));
  r.add(make("Not", 1, 1, inferLogic, evalNot, "logical not of bools"));
  r.add(make("Where", 3, 3, inferWhere, evalWhere, "X where the condition holds, else Y; numpy broadcasting of all three"));
  r.add(make("IsNaN", 1, 1, inferFloatTest, evalIsNaN, "whether each element is NaN (bool)"));
  r.add(make("IsInf", 1, 1, inferFloatTest, evalIsInf, "whether each element is +inf / -inf (bool; detect_positive, detect_negative)",
             {{"detect_negative", K::Int, Attr::Int(1)}, {"detect_positive", K::Int, Attr::Int(1)}}));
  r.add(make("Mod", 2, 2, inferMod, evalMod,
             "remainder: fmod = 0 takes the divisor's sign (integers), fmod = 1 the dividend's; x % 0 gives 0",
             {{"fmod", K::Int, Attr::Int(0)}}));
  r.add(make("BitShift", 2, 2, inferBitShift, evalBitShift, "shift LEFT or RIGHT (signed: arithmetic right shift); shifts < 0 or >= the width give 0 (-1 right of a negative)",
             {{"direction", K::String, std::nullopt, true}}));
  r.add(make("BitwiseAnd", 2, 2, inferBitwise, evalBitwise<0>, "bitwise and of integers, numpy broadcasting"));
  r.add(make("BitwiseOr", 2, 2, inferBitwise, evalBitwise<1>, "bitwise or of integers, numpy broadcasting"));
  r.add(make("BitwiseXor", 2, 2, inferBitwise, evalBitwise<2>, "bitwise xor of integers, numpy broadcasting"));
  r.add(make("BitwiseNot", 1, 1, inferBitwise, evalBitwise<3>, "bitwise not of integers"));
  r.add(make("Mean", 1, 64, inferMean, evalMean, "elementwise mean of any number of float inputs, numpy broadcasting"));
}

}  // namespace tinyc
