// Elementwise arithmetic: binary ops with numpy broadcasting, variadic Min/Max, unary math.
#include <cmath>

#include "ops/qmath.h"
#include "ops/qparams.h"
#include "ops/util.h"

namespace tinyc {
namespace {

// ---- binary ops ---------------------------------------------------------------------------

void inferSameTypeBroadcast(InferCtx& c) {
  for (int i = 1; i < c.numInputs(); ++i)
    if (c.has(i) && c.dtype(i) != c.dtype(0))
      c.fail("input types differ: {} and {}", dtypeName(c.dtype(0)), dtypeName(c.dtype(i)));
  c.setOutput(0, c.dtype(0), broadcastInputs(c));
}

template <typename T, typename Op>
void binaryLoop(EvalCtx& c, const Tensor& a, const Tensor& b, Tensor& out, Op op) {
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  T* po = out.data<T>();
  forEachBroadcast2(out.shape(), a.shape(), b.shape(),
                    [&](int64_t o, int64_t ia, int64_t ib) { po[o] = op(pa[ia], pb[ib]); });
  (void)c;
}

// Evaluates a binary op; `Op` is a generic lambda over the element type.
template <typename Op>
void evalBinary(EvalCtx& c, const Tensor& a, const Tensor& b, Tensor& out, Op op) {
  if (a.dtype() == DType::F16) {  // compute in float
    Tensor fa(DType::F32, a.shape()), fb(DType::F32, b.shape()), fo(DType::F32, out.shape());
    for (int64_t i = 0; i < a.numel(); ++i) fa.setF(i, a.getF(i));
    for (int64_t i = 0; i < b.numel(); ++i) fb.setF(i, b.getF(i));
    binaryLoop<float>(c, fa, fb, fo, op);
    for (int64_t i = 0; i < fo.numel(); ++i) out.setF(i, fo.data<float>()[i]);
    return;
  }
  dispatchAll(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    binaryLoop<T>(c, a, b, out, op);
  });
}

template <typename T>
T divide(T x, T y) {
  if constexpr (std::is_integral_v<T>) {
    if (y == 0) return 0;  // undefined in ONNX; avoid the trap
    if constexpr (std::is_signed_v<T>)
      if (y == T(-1)) return static_cast<T>(-static_cast<std::make_unsigned_t<T>>(x) * 1u);
    return static_cast<T>(x / y);
  } else {
    return x / y;
  }
}

// The quantized forms (ops/qparams.h): Add rescales both inputs to the output scale with one
// rounding; Mul requantizes the product of the centred inputs by s_a * s_b / s_y. T: int8_t or
// int16_t (the centred int16 values' product stays below 2^31).
template <typename T>
void evalQuantizedBinary(EvalCtx& c, bool mul) {
  const Node& n = c.node;
  const QuantParams &qa = *n.inputs[0]->quant, &qb = *n.inputs[1]->quant, &qy = *n.outputs[0]->quant;
  const int32_t za = q::zeroAt(qa, 0), zb = q::zeroAt(qb, 0), zy = q::zeroAt(qy, 0);
  const auto range = q::outputRange(n);
  const int32_t lo = range.first, hi = range.second;
  const T* pa = c.in[0]->data<T>();
  const T* pb = c.in[1]->data<T>();
  T* py = c.out[0]->data<T>();
  if (mul) {
    const q::Multiplier m = q::quantizeMultiplier(q::scaleAt(qa, 0) * q::scaleAt(qb, 0) / q::scaleAt(qy, 0), n);
    forEachBroadcast2(c.out[0]->shape(), c.in[0]->shape(), c.in[1]->shape(), [&](int64_t o, int64_t ia, int64_t ib) {
      py[o] = static_cast<T>(q::requantize(int64_t{pa[ia] - za} * (pb[ib] - zb), m, zy, lo, hi, n));
    });
    return;
  }
  const q::AddMultipliers m = q::addMultipliers(n, *n.inputs[0], *n.inputs[1], *n.outputs[0]);
  forEachBroadcast2(c.out[0]->shape(), c.in[0]->shape(), c.in[1]->shape(), [&](int64_t o, int64_t ia, int64_t ib) {
    const int32_t da = pa[ia] - za, db = pb[ib] - zb;
    py[o] = static_cast<T>(sizeof(T) == 1 ? tinyc_qadd(da, db, static_cast<int32_t>(m.ma), static_cast<int32_t>(m.mb), m.n,
                                                       zy, lo, hi)
                                          : tinyc_qadd64(da, db, m.ma, m.mb, m.n, zy, lo, hi));
  });
}

void evalAdd(EvalCtx& c) {
  if (q::isQuantizedBinary(c.node))
    return c.in[0]->dtype() == DType::I16 ? evalQuantizedBinary<int16_t>(c, false) : evalQuantizedBinary<int8_t>(c, false);
  evalBinary(c, *c.in[0], *c.in[1], *c.out[0], [](auto x, auto y) { return static_cast<decltype(x)>(x + y); });
}
void evalSub(EvalCtx& c) {
  evalBinary(c, *c.in[0], *c.in[1], *c.out[0], [](auto x, auto y) { return static_cast<decltype(x)>(x - y); });
}
void evalMul(EvalCtx& c) {
  if (q::isQuantizedBinary(c.node))
    return c.in[0]->dtype() == DType::I16 ? evalQuantizedBinary<int16_t>(c, true) : evalQuantizedBinary<int8_t>(c, true);
  evalBinary(c, *c.in[0], *c.in[1], *c.out[0], [](auto x, auto y) { return static_cast<decltype(x)>(x * y); });
}
void evalDiv(EvalCtx& c) {
  evalBinary(c, *c.in[0], *c.in[1], *c.out[0], [](auto x, auto y) { return divide(x, y); });
}

// Pow: exponent may have a different type than the base.
void inferPow(InferCtx& c) { c.setOutput(0, c.dtype(0), broadcastInputs(c)); }
void evalPow(EvalCtx& c) {
  const Tensor& a = *c.in[0];
  const Tensor& b = *c.in[1];
  Tensor& out = *c.out[0];
  auto sb = broadcastStrides(b.shape(), out.shape());
  auto sa = broadcastStrides(a.shape(), out.shape());
  for (int64_t o = 0; o < out.numel(); ++o) {
    double x = a.getF(broadcastOffset(o, out.shape(), sa));
    double y = b.getF(broadcastOffset(o, out.shape(), sb));
    if (out.dtype() == DType::F32)
      out.data<float>()[o] = std::pow(static_cast<float>(x), static_cast<float>(y));
    else if (isFloat(out.dtype()))
      out.setF(o, std::pow(x, y));
    else {  // integer result: truncate toward zero; out-of-range results (undefined in ONNX) give 0
      double v = std::pow(x, y);
      out.setI(o, v > -9.2e18 && v < 9.2e18 ? static_cast<int64_t>(v) : 0);
    }
  }
}

// ---- variadic Min / Max -------------------------------------------------------------------

// Variadic reductions over inputs: Min, Max, Sum (first input broadcast, then folded in order).
enum class Variadic { Min, Max, Sum };

template <Variadic Kind>
void evalVariadic(EvalCtx& c) {
  Tensor& out = *c.out[0];
  bool first = true;
  for (size_t i = 0; i < c.in.size(); ++i) {
    if (!c.in[i]) continue;
    if (first) {
      // Broadcast input 0 into out.
      auto st = broadcastStrides(c.in[i]->shape(), out.shape());
      dispatchAll(out.dtype(), [&](auto tag) {
        using T = typename decltype(tag)::type;
        const T* p = c.in[i]->data<T>();
        T* po = out.data<T>();
        for (int64_t o = 0; o < out.numel(); ++o) po[o] = p[broadcastOffset(o, out.shape(), st)];
      });
      first = false;
      continue;
    }
    Tensor acc = out;
    evalBinary(c, acc, *c.in[i], out, [](auto x, auto y) {
      if constexpr (std::is_floating_point_v<decltype(x)> && Kind != Variadic::Sum) {
        if (std::isnan(x) || std::isnan(y)) return std::numeric_limits<decltype(x)>::quiet_NaN();
      }
      if constexpr (Kind == Variadic::Max)
        return x > y ? x : y;
      else if constexpr (Kind == Variadic::Min)
        return x < y ? x : y;
      else
        return static_cast<decltype(x)>(x + y);
    });
  }
  if (out.dtype() == DType::F16) {
    // evalBinary handled F16 through float; the first copy above is bitwise; nothing to do.
  }
}

// ---- unary math ---------------------------------------------------------------------------

void inferUnary(InferCtx& c) { c.setOutput(0, c.dtype(0), c.shape(0)); }
void inferUnaryFloat(InferCtx& c) {
  if (!isFloat(c.dtype(0))) c.fail("input must be a float type, got {}", dtypeName(c.dtype(0)));
  c.setOutput(0, c.dtype(0), c.shape(0));
}

// Float unary map; computes F32 in float, F64 in double, F16 through float.
template <typename F>
void mapFloat(EvalCtx& c, F f) {
  const Tensor& a = *c.in[0];
  Tensor& out = *c.out[0];
  if (a.dtype() == DType::F32) {
    const float* p = a.data<float>();
    float* q = out.data<float>();
    for (int64_t i = 0; i < a.numel(); ++i) q[i] = f(p[i]);
  } else if (a.dtype() == DType::F64) {
    const double* p = a.data<double>();
    double* q = out.data<double>();
    for (int64_t i = 0; i < a.numel(); ++i) q[i] = f(p[i]);
  } else {
    for (int64_t i = 0; i < a.numel(); ++i) out.setF(i, f(static_cast<float>(a.getF(i))));
  }
}

// Unary map valid for every numeric type.
template <typename F>
void mapAny(EvalCtx& c, F f) {
  const Tensor& a = *c.in[0];
  if (isFloat(a.dtype())) return mapFloat(c, f);
  dispatchAll(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = a.data<T>();
    T* q = c.out[0]->data<T>();
    for (int64_t i = 0; i < a.numel(); ++i) q[i] = static_cast<T>(f(p[i]));
  });
}

void evalSqrt(EvalCtx& c) { mapFloat(c, [](auto x) { return std::sqrt(x); }); }
void evalExp(EvalCtx& c) { mapFloat(c, [](auto x) { return std::exp(x); }); }
void evalLog(EvalCtx& c) { mapFloat(c, [](auto x) { return std::log(x); }); }
void evalErf(EvalCtx& c) { mapFloat(c, [](auto x) { return std::erf(x); }); }
void evalReciprocal(EvalCtx& c) { mapFloat(c, [](auto x) { return static_cast<decltype(x)>(1) / x; }); }
void evalFloor(EvalCtx& c) { mapFloat(c, [](auto x) { return std::floor(x); }); }
void evalCeil(EvalCtx& c) { mapFloat(c, [](auto x) { return std::ceil(x); }); }
void evalRound(EvalCtx& c) { mapFloat(c, [](auto x) { return std::nearbyint(x); }); }  // half to even
void evalSign(EvalCtx& c) {
  mapFloat(c, [](auto x) {
    using T = decltype(x);
    return x > 0 ? static_cast<T>(1) : x < 0 ? static_cast<T>(-1) : x;  // (0 and NaN as they are)
  });
}
void evalSin(EvalCtx& c) { mapFloat(c, [](auto x) { return std::sin(x); }); }
void evalCos(EvalCtx& c) { mapFloat(c, [](auto x) { return std::cos(x); }); }
void evalTan(EvalCtx& c) { mapFloat(c, [](auto x) { return std::tan(x); }); }
void evalAsin(EvalCtx& c) { mapFloat(c, [](auto x) { return std::asin(x); }); }
void evalAcos(EvalCtx& c) { mapFloat(c, [](auto x) { return std::acos(x); }); }
void evalAtan(EvalCtx& c) { mapFloat(c, [](auto x) { return std::atan(x); }); }
void evalSinh(EvalCtx& c) { mapFloat(c, [](auto x) { return std::sinh(x); }); }
void evalCosh(EvalCtx& c) { mapFloat(c, [](auto x) { return std::cosh(x); }); }
void evalAsinh(EvalCtx& c) { mapFloat(c, [](auto x) { return std::asinh(x); }); }
void evalAcosh(EvalCtx& c) { mapFloat(c, [](auto x) { return std::acosh(x); }); }
void evalAtanh(EvalCtx& c) { mapFloat(c, [](auto x) { return std::atanh(x); }); }
void evalAbs(EvalCtx& c) {
  mapAny(c, [](auto x) {
    using T = decltype(x);
    if constexpr (std::is_unsigned_v<T>)
      return x;
    else
      return static_cast<T>(x < 0 ? -x : x);
  });
}
void evalNeg(EvalCtx& c) {
  mapAny(c, [](auto x) {
    using T = decltype(x);
    if constexpr (std::is_integral_v<T>)
      return static_cast<T>(0u - static_cast<std::make_unsigned_t<T>>(x));
    else
      return -x;
  });
}

int64_t macsPerElement(const Node& n) { return n.outputs[0] ? numElements(n.outputs[0]->shape) : 0; }

OpDef binary(const char* name, EvalFn eval, const char* doc) {
  OpDef d;
  d.name = name;
  d.minInputs = d.maxInputs = 2;
  d.infer = inferSameTypeBroadcast;
  d.eval = eval;
  d.doc = doc;
  d.elementwise = true;
  return d;
}

OpDef unary(const char* name, InferFn infer, EvalFn eval, const char* doc) {
  OpDef d;
  d.name = name;
  d.infer = infer;
  d.eval = eval;
  d.doc = doc;
  d.elementwise = true;
  return d;
}

}  // namespace

void registerElementwiseOps(OpRegistry& r) {
  OpDef add = binary("Add", evalAdd, "A + B with numpy broadcasting");
  add.fusableActivation = true;
  r.add(add);
  r.add(binary("Sub", evalSub, "A - B with numpy broadcasting"));
  r.add(binary("Mul", evalMul, "A * B with numpy broadcasting"));
  r.add(binary("Div", evalDiv, "A / B with numpy broadcasting (integer division truncates)"));
  OpDef pow = binary("Pow", evalPow, "A ^ B with numpy broadcasting");
  pow.infer = inferPow;
  r.add(pow);
  for (auto [name, eval] : {std::pair<const char*, EvalFn>{"Min", evalVariadic<Variadic::Min>},
                            {"Max", evalVariadic<Variadic::Max>},
                            {"Sum", evalVariadic<Variadic::Sum>}}) {
    OpDef d;
    d.name = name;
    d.minInputs = 1;
    d.maxInputs = 64;
    d.infer = inferSameTypeBroadcast;
    d.eval = eval;
    d.doc = "elementwise over any number of inputs, numpy broadcasting";
    d.elementwise = true;
    r.add(d);
  }
  r.add(unary("Sqrt", inferUnaryFloat, evalSqrt, "square root"));
  r.add(unary("Exp", inferUnaryFloat, evalExp, "exponential"));
  r.add(unary("Log", inferUnaryFloat, evalLog, "natural logarithm"));
  r.add(unary("Erf", inferUnaryFloat, evalErf, "error function"));
  r.add(unary("Reciprocal", inferUnaryFloat, evalReciprocal, "1 / x"));
  r.add(unary("Floor", inferUnaryFloat, evalFloor, "largest integer <= x"));
  r.add(unary("Ceil", inferUnaryFloat, evalCeil, "smallest integer >= x"));
  r.add(unary("Round", inferUnaryFloat, evalRound, "nearest integer, halves to even"));
  r.add(unary("Sign", inferUnaryFloat, evalSign, "-1, 0 or 1 (float; NaN stays NaN)"));
  r.add(unary("Sin", inferUnaryFloat, evalSin, "sine"));
  r.add(unary("Cos", inferUnaryFloat, evalCos, "cosine"));
  r.add(unary("Tan", inferUnaryFloat, evalTan, "tangent"));
  r.add(unary("Asin", inferUnaryFloat, evalAsin, "arcsine (NaN outside [-1, 1])"));
  r.add(unary("Acos", inferUnaryFloat, evalAcos, "arccosine (NaN outside [-1, 1])"));
  r.add(unary("Atan", inferUnaryFloat, evalAtan, "arctangent"));
  r.add(unary("Sinh", inferUnaryFloat, evalSinh, "hyperbolic sine"));
  r.add(unary("Cosh", inferUnaryFloat, evalCosh, "hyperbolic cosine"));
  r.add(unary("Asinh", inferUnaryFloat, evalAsinh, "inverse hyperbolic sine"));
  r.add(unary("Acosh", inferUnaryFloat, evalAcosh, "inverse hyperbolic cosine (NaN below 1)"));
  r.add(unary("Atanh", inferUnaryFloat, evalAtanh, "inverse hyperbolic tangent (NaN outside [-1, 1])"));
  r.add(unary("Abs", inferUnary, evalAbs, "absolute value"));
  r.add(unary("Neg", inferUnary, evalNeg, "negation"));
  (void)macsPerElement;
}

}  // namespace tinyc
