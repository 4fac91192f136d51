// Activation functions: Relu family, Clip, sigmoid-like maps, Elu, Softmax / LogSoftmax.
#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/qmath.h"
#include "ops/qparams.h"
#include "ops/util.h"

namespace tinyc {
namespace {

// ---- shape inference ----------------------------------------------------------------------

bool isSignedInt(DType t) {
  return t == DType::I8 || t == DType::I16 || t == DType::I32 || t == DType::I64;
}

// Output = input 0 (type and shape); input must be a float type.
void inferFloatUnary(InferCtx& c) {
  if (!isFloat(c.dtype(0))) c.fail("input must be a float type (f16, f32, f64), got {}", dtypeName(c.dtype(0)));
  c.setOutput(0, c.dtype(0), c.shape(0));
}

void inferRelu(InferCtx& c) {
  DType t = c.dtype(0);
  if (!isFloat(t) && !isSignedInt(t))
    c.fail("input must be a float or signed integer type, got {}", dtypeName(t));
  c.setOutput(0, t, c.shape(0));
}

void inferPRelu(InferCtx& c) {
  DType t = c.dtype(0);
  if (!isFloat(t) && t != DType::I32 && t != DType::I64 && t != DType::U32 && t != DType::U64)
    c.fail("input must be a float, int32/64 or uint32/64 type, got {}", dtypeName(t));
  if (c.dtype(1) != t) c.fail("slope type {} differs from input type {}", dtypeName(c.dtype(1)), dtypeName(t));
  const Shape& x = c.shape(0);
  const Shape& s = c.shape(1);
  bool ok = s.size() <= x.size();
  for (size_t i = 0; ok && i < s.size(); ++i) {
    int64_t ds = s[s.size() - 1 - i], dx = x[x.size() - 1 - i];
    ok = ds == 1 || ds == dx;
  }
  if (!ok) c.fail("slope shape {} is not unidirectionally broadcastable to input shape {}", shapeStr(s), shapeStr(x));
  c.setOutput(0, t, x);
}

void inferClip(InferCtx& c) {
  DType t = c.dtype(0);
  if (t == DType::Bool || t == DType::Undefined) c.fail("input must be a numeric type, got {}", dtypeName(t));
  for (int i = 1; i <= 2 && i < c.numInputs(); ++i) {
    if (!c.has(i)) continue;
    const char* what = i == 1 ? "min" : "max";
    if (c.dtype(i) != t) c.fail("{} type {} differs from input type {}", what, dtypeName(c.dtype(i)), dtypeName(t));
    if (c.rank(i) > 1 || numElements(c.shape(i)) != 1)
      c.fail("{} must be a scalar, got shape {}", what, shapeStr(c.shape(i)));
  }
  c.setOutput(0, t, c.shape(0));
}

template <bool Log>
void inferSoftmax(InferCtx& c) {
  if (!Log && c.dtype(0) == DType::I8)
    q::checkPerTensorIo(c);  // the quantized form (ops/qparams.h)
  else if (!isFloat(c.dtype(0))) c.fail("input must be a float type (f16, f32, f64), got {}", dtypeName(c.dtype(0)));
  int r = c.rank(0);
  if (r == 0) c.fail("input must have rank >= 1");
  int64_t axis = c.node.attrInt("axis");
  if (axis < -r || axis >= r) c.fail("axis {} is out of range for rank {}", axis, r);
  c.setOutput(0, c.dtype(0), c.shape(0));
}

// ---- tinyc.Lut: y = table[x - min(x's type)] -------------------------------------------------

void inferLut(InferCtx& c) {
  if (c.dtype(0) != DType::I8 && c.dtype(0) != DType::U8) c.fail("input must be int8 or uint8, got {}", dtypeName(c.dtype(0)));
  const Tensor& t = c.requireConst(1, "table");
  if (t.rank() != 1 || t.numel() != 256) c.fail("table must have 256 entries, got shape {}", shapeStr(t.shape()));
  if (t.dtype() != DType::I8 && t.dtype() != DType::U8) c.fail("table must be int8 or uint8, got {}", dtypeName(t.dtype()));
  c.setOutput(0, t.dtype(), c.shape(0));
}

// y = table[x - min(type of x)]: entry 0 is for -128 (int8) or 0 (uint8).
void evalLut(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  const Tensor& t = *c.in[1];
  Tensor& y = *c.out[0];
  const int64_t base = x.dtype() == DType::I8 ? -128 : 0;
  for (int64_t i = 0; i < x.numel(); ++i) y.setI(i, t.getI(x.getI(i) - base));
}

// ---- evaluation helpers -------------------------------------------------------------------

// Float unary map: F32 in float, F64 in double, F16 through float.
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
  } else if (a.dtype() == DType::F16) {
    for (int64_t i = 0; i < a.numel(); ++i) out.setF(i, f(static_cast<float>(a.getF(i))));
  } else {
    c.fail("unsupported input type {}", dtypeName(a.dtype()));
  }
}

// The comparisons below are written so that NaN propagates (as numpy's maximum does).
void evalRelu(EvalCtx& c) {
  const Tensor& a = *c.in[0];
  if (isFloat(a.dtype())) return mapFloat(c, [](auto x) { return x < 0 ? static_cast<decltype(x)>(0) : x; });
  dispatchAll(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = a.data<T>();
    T* q = c.out[0]->data<T>();
    if constexpr (std::is_signed_v<T>) {
      for (int64_t i = 0; i < a.numel(); ++i) q[i] = p[i] < 0 ? T(0) : p[i];
    } else {
      for (int64_t i = 0; i < a.numel(); ++i) q[i] = p[i];
    }
  });
}

void evalLeakyRelu(EvalCtx& c) {
  const float alpha = c.node.attrFloat("alpha");
  mapFloat(c, [alpha](auto x) {
    using T = decltype(x);
    return x >= 0 ? x : static_cast<T>(alpha) * x;
  });
}

void evalSigmoid(EvalCtx& c) {
  mapFloat(c, [](auto x) {
    using T = decltype(x);
    // Stable for large |x|: never exponentiates a large positive number.
    if (x >= 0) return static_cast<T>(1) / (static_cast<T>(1) + std::exp(-x));
    T e = std::exp(x);
    return e / (static_cast<T>(1) + e);
  });
}

void evalHardSigmoid(EvalCtx& c) {
  const float alpha = c.node.attrFloat("alpha"), beta = c.node.attrFloat("beta");
  mapFloat(c, [alpha, beta](auto x) {
    using T = decltype(x);
    T v = static_cast<T>(alpha) * x + static_cast<T>(beta);
    return std::max(static_cast<T>(0), std::min(static_cast<T>(1), v));
  });
}

void evalHardSwish(EvalCtx& c) {
  mapFloat(c, [](auto x) {
    using T = decltype(x);
    T v = x / static_cast<T>(6) + static_cast<T>(0.5);
    return x * std::max(static_cast<T>(0), std::min(static_cast<T>(1), v));
  });
}

void evalTanh(EvalCtx& c) { mapFloat(c, [](auto x) { return std::tanh(x); }); }

void evalElu(EvalCtx& c) {
  const float alpha = c.node.attrFloat("alpha");
  mapFloat(c, [alpha](auto x) {
    using T = decltype(x);
    return x >= 0 ? x : static_cast<T>(alpha) * (std::exp(x) - static_cast<T>(1));
  });
}

// log(exp(x) + 1) without overflow: x + log1p(exp(-x)) for x > 0 (ONNX Runtime's value; the
// formula as written gives inf above ~88 in float).
void evalSoftplus(EvalCtx& c) {
  mapFloat(c, [](auto x) { return x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x)); });
}
// Mish (opset 18): x * tanh(softplus(x)), softplus as above.
void evalMish(EvalCtx& c) {
  mapFloat(c, [](auto x) { return x * std::tanh(x > 0 ? x + std::log1p(std::exp(-x)) : std::log1p(std::exp(x))); });
}
// Gelu (opset 20): x * Phi(x), exactly with erf, or with the tanh approximation.
void inferGelu(InferCtx& c) {
  const std::string& a = c.node.attrStr("approximate");
  if (a != "none" && a != "tanh") c.fail("approximate must be 'none' or 'tanh', got '{}'", printable(a));
  inferFloatUnary(c);
}
void evalGelu(EvalCtx& c) {
  if (c.node.attrStr("approximate") == "tanh")
    return mapFloat(c, [](auto x) {
      using T = decltype(x);
      const T k = static_cast<T>(0.7978845608028654), h = static_cast<T>(0.5);
      return h * x * (static_cast<T>(1) + std::tanh(k * (x + static_cast<T>(0.044715) * x * x * x)));
    });
  mapFloat(c, [](auto x) {
    using T = decltype(x);
    return static_cast<T>(0.5) * x * (static_cast<T>(1) + std::erf(x * static_cast<T>(0.7071067811865476)));
  });
}
void evalSwish(EvalCtx& c) {
  const float alpha = c.node.attrFloat("alpha");
  mapFloat(c, [alpha](auto x) {
    using T = decltype(x);
    const T v = static_cast<T>(alpha) * x;
    const T s = v >= 0 ? static_cast<T>(1) / (static_cast<T>(1) + std::exp(-v)) : std::exp(v) / (static_cast<T>(1) + std::exp(v));
    return x * s;
  });
}
void evalSoftsign(EvalCtx& c) {
  mapFloat(c, [](auto x) { return x / (static_cast<decltype(x)>(1) + std::fabs(x)); });
}
void evalSelu(EvalCtx& c) {
  const float alpha = c.node.attrFloat("alpha"), gamma = c.node.attrFloat("gamma");
  mapFloat(c, [alpha, gamma](auto x) {
    using T = decltype(x);
    const T a = static_cast<T>(alpha), g = static_cast<T>(gamma);
    return x > 0 ? g * x : g * (a * std::exp(x) - a);
  });
}
void evalCelu(EvalCtx& c) {
  const float alpha = c.node.attrFloat("alpha");
  mapFloat(c, [alpha](auto x) {
    using T = decltype(x);
    const T a = static_cast<T>(alpha), v = a * (std::exp(x / a) - static_cast<T>(1));
    return (static_cast<T>(0) < x ? x : static_cast<T>(0)) + (v < static_cast<T>(0) ? v : static_cast<T>(0));
  });
}
void evalThresholdedRelu(EvalCtx& c) {
  const float alpha = c.node.attrFloat("alpha");
  mapFloat(c, [alpha](auto x) {
    using T = decltype(x);
    return x > static_cast<T>(alpha) ? x : static_cast<T>(0);
  });
}
void evalShrink(EvalCtx& c) {
  const float lambd = c.node.attrFloat("lambd"), bias = c.node.attrFloat("bias");
  mapFloat(c, [lambd, bias](auto x) {
    using T = decltype(x);
    const T l = static_cast<T>(lambd), b = static_cast<T>(bias);
    return x < -l ? x + b : x > l ? x - b : static_cast<T>(0);
  });
}

void evalPRelu(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  const Tensor& s = *c.in[1];
  Tensor& out = *c.out[0];
  if (x.dtype() == DType::F16) {
    forEachBroadcast2(out.shape(), x.shape(), s.shape(), [&](int64_t o, int64_t ix, int64_t is) {
      float v = static_cast<float>(x.getF(ix));
      out.setF(o, v < 0 ? static_cast<float>(s.getF(is)) * v : v);
    });
    return;
  }
  dispatchAll(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* px = x.data<T>();
    const T* ps = s.data<T>();
    T* po = out.data<T>();
    forEachBroadcast2(out.shape(), x.shape(), s.shape(), [&](int64_t o, int64_t ix, int64_t is) {
      T v = px[ix];
      if constexpr (std::is_signed_v<T>) v = v < T(0) ? static_cast<T>(ps[is] * v) : v;
      po[o] = v;
    });
  });
}

void evalClip(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  Tensor& out = *c.out[0];
  const bool hasMin = c.has(1), hasMax = c.has(2);
  if (x.dtype() == DType::F16) {
    float lo = hasMin ? static_cast<float>(c.in[1]->getF(0)) : -std::numeric_limits<float>::infinity();
    float hi = hasMax ? static_cast<float>(c.in[2]->getF(0)) : std::numeric_limits<float>::infinity();
    for (int64_t i = 0; i < x.numel(); ++i) {
      float v = static_cast<float>(x.getF(i));
      v = v < lo ? lo : v;  // NaN passes through
      v = v > hi ? hi : v;
      out.setF(i, v);
    }
    return;
  }
  dispatchAll(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = x.data<T>();
    T* q = out.data<T>();
    using L = std::numeric_limits<T>;
    const T lo = hasMin ? c.in[1]->data<T>()[0] : L::has_infinity ? -L::infinity() : L::lowest();
    const T hi = hasMax ? c.in[2]->data<T>()[0] : L::has_infinity ? L::infinity() : L::max();
    for (int64_t i = 0; i < x.numel(); ++i) {
      T v = p[i];
      v = v < lo ? lo : v;  // NaN passes through; min > max gives max (as in ONNX)
      v = v > hi ? hi : v;
      q[i] = v;
    }
  });
}

// Softmax (Log = false) or LogSoftmax (Log = true) along one axis, computed in T.
template <bool Log, typename T>
void softmaxLoop(const T* in, T* out, int64_t outer, int64_t n, int64_t inner) {
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t k = 0; k < inner; ++k) {
      const T* p = in + o * n * inner + k;
      T* q = out + o * n * inner + k;
      T mx = -std::numeric_limits<T>::infinity();
      for (int64_t j = 0; j < n; ++j) mx = std::max(mx, p[j * inner]);
      T sum = 0;
      for (int64_t j = 0; j < n; ++j) {
        T e = std::exp(p[j * inner] - mx);
        sum += e;
        if (!Log) q[j * inner] = e;
      }
      if (Log) {
        T ls = std::log(sum);
        for (int64_t j = 0; j < n; ++j) q[j * inner] = p[j * inner] - mx - ls;
      } else {
        for (int64_t j = 0; j < n; ++j) q[j * inner] /= sum;
      }
    }
  }
}

template <bool Log>
void evalSoftmax(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  Tensor& out = *c.out[0];
  const int r = x.rank();
  const int axis = normAxis(c.node, c.node.attrInt("axis"), r);
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d) outer *= x.shape()[static_cast<size_t>(d)];
  for (int d = axis + 1; d < r; ++d) inner *= x.shape()[static_cast<size_t>(d)];
  const int64_t n = x.shape()[static_cast<size_t>(axis)];
  if (x.numel() == 0) return;
  if (!Log && x.dtype() == DType::I8) {  // the quantized form: exp table and fixed point (ops/qmath.h)
    const auto lut = q::softmaxTable(q::scaleAt(*c.node.inputs[0]->quant, 0));
    const q::Multiplier m = q::softmaxMultiplier(c.node, *c.node.outputs[0]);
    const int32_t zy = q::zeroAt(*c.node.outputs[0]->quant, 0);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i)
        tinyc_softmax_row_i8(x.data<int8_t>() + o * n * inner + i, out.data<int8_t>() + o * n * inner + i,
                             static_cast<int32_t>(n), static_cast<int32_t>(inner), lut.data(), m.mult, m.rshift, zy);
    return;
  }
  switch (x.dtype()) {
    case DType::F32: softmaxLoop<Log>(x.data<float>(), out.data<float>(), outer, n, inner); break;
    case DType::F64: softmaxLoop<Log>(x.data<double>(), out.data<double>(), outer, n, inner); break;
    case DType::F16: {
      std::vector<float> a(static_cast<size_t>(x.numel())), b(a.size());
      for (int64_t i = 0; i < x.numel(); ++i) a[static_cast<size_t>(i)] = static_cast<float>(x.getF(i));
      softmaxLoop<Log>(a.data(), b.data(), outer, n, inner);
      for (int64_t i = 0; i < x.numel(); ++i) out.setF(i, b[static_cast<size_t>(i)]);
      break;
    }
    default: c.fail("unsupported input type {}", dtypeName(x.dtype()));
  }
}

// SwiGLU (opset 28): Swish_alpha(a) * b for a and b of one shape and type (no broadcasting).
void inferSwiGLU(InferCtx& c) {
  if (!isFloat(c.dtype(0))) c.fail("inputs must be a float type, got {}", dtypeName(c.dtype(0)));
  if (c.dtype(1) != c.dtype(0) || c.shape(1) != c.shape(0))
    c.fail("A and B must have one shape and type (no broadcasting), got {} {} and {} {}", dtypeName(c.dtype(0)),
           shapeStr(c.shape(0)), dtypeName(c.dtype(1)), shapeStr(c.shape(1)));
  c.setOutput(0, c.dtype(0), c.shape(0));
}
void evalSwiGLU(EvalCtx& c) {
  const double alpha = c.node.attrFloat("alpha");
  const Tensor &a = *c.in[0], &b = *c.in[1];
  for (int64_t i = 0; i < a.numel(); ++i) {
    const double x = a.getF(i), v = alpha * x;
    const double s = v >= 0 ? 1 / (1 + std::exp(-v)) : std::exp(v) / (1 + std::exp(v));
    c.out[0]->setF(i, x * s * b.getF(i));
  }
}

OpDef unaryOp(const char* name, InferFn infer, EvalFn eval, const char* doc, std::vector<AttrSpec> attrs = {}) {
  OpDef d;
  d.name = name;
  d.infer = infer;
  d.eval = eval;
  d.doc = doc;
  d.attrs = std::move(attrs);
  d.elementwise = true;
  return d;
}

AttrSpec floatAttr(const char* name, float def) { return {name, Attr::Kind::Float, Attr::Float(def), false}; }

}  // namespace

void registerActivationOps(OpRegistry& r) {
  r.add(unaryOp("Relu", inferRelu, evalRelu, "max(x, 0)"));
  r.add(unaryOp("LeakyRelu", inferFloatUnary, evalLeakyRelu, "x >= 0 ? x : alpha * x",
                {floatAttr("alpha", 0.01f)}));
  OpDef prelu = unaryOp("PRelu", inferPRelu, evalPRelu, "x >= 0 ? x : slope * x, slope broadcast to x");
  prelu.minInputs = prelu.maxInputs = 2;
  r.add(prelu);
  OpDef clip = unaryOp("Clip", inferClip, evalClip, "clamps x to the optional scalar inputs [min, max]");
  clip.maxInputs = 3;
  r.add(clip);
  r.add(unaryOp("Sigmoid", inferFloatUnary, evalSigmoid, "1 / (1 + exp(-x))"));
  r.add(unaryOp("HardSigmoid", inferFloatUnary, evalHardSigmoid, "max(0, min(1, alpha * x + beta))",
                {floatAttr("alpha", 0.2f), floatAttr("beta", 0.5f)}));
  r.add(unaryOp("HardSwish", inferFloatUnary, evalHardSwish, "x * max(0, min(1, x / 6 + 0.5))"));
  r.add(unaryOp("Tanh", inferFloatUnary, evalTanh, "hyperbolic tangent"));
  r.add(unaryOp("Elu", inferFloatUnary, evalElu, "x >= 0 ? x : alpha * (exp(x) - 1)", {floatAttr("alpha", 1.0f)}));
  r.add(unaryOp("Softplus", inferFloatUnary, evalSoftplus, "log(exp(x) + 1), without overflow"));
  r.add(unaryOp("Softsign", inferFloatUnary, evalSoftsign, "x / (1 + |x|)"));
  r.add(unaryOp("Mish", inferFloatUnary, evalMish, "x * tanh(softplus(x)) (opset 18)"));
  r.add(unaryOp("Swish", inferFloatUnary, evalSwish, "x * sigmoid(alpha * x)", {floatAttr("alpha", 1.0f)}));
  OpDef swiglu = unaryOp("SwiGLU", inferSwiGLU, evalSwiGLU, "a * sigmoid(alpha * a) * b (opset 28; one shape)",
                         {floatAttr("alpha", 1.0f)});
  swiglu.minInputs = swiglu.maxInputs = 2;
  r.add(swiglu);
  r.add(unaryOp("Gelu", inferGelu, evalGelu, "x * Phi(x) (erf), or its tanh approximation",
                {{"approximate", Attr::Kind::String, Attr::Str("none"), false}}));
  r.add(unaryOp("Selu", inferFloatUnary, evalSelu, "x > 0 ? gamma * x : gamma * (alpha * exp(x) - alpha)",
                {floatAttr("alpha", 1.67326319217681884765625f), floatAttr("gamma", 1.05070102214813232421875f)}));
  r.add(unaryOp("Celu", inferFloatUnary, evalCelu, "max(0, x) + min(0, alpha * (exp(x / alpha) - 1))",
                {floatAttr("alpha", 1.0f)}));
  r.add(unaryOp("ThresholdedRelu", inferFloatUnary, evalThresholdedRelu, "x > alpha ? x : 0", {floatAttr("alpha", 1.0f)}));
  r.add(unaryOp("Shrink", inferFloatUnary, evalShrink, "x < -lambd ? x + bias : x > lambd ? x - bias : 0",
                {floatAttr("bias", 0.0f), floatAttr("lambd", 0.5f)}));
  OpDef lut = unaryOp(kLookupTableOp, inferLut, evalLut,
                      "tinyc-internal: 8-bit elementwise function as a 256-entry table (lower-quant)");
  lut.minInputs = lut.maxInputs = 2;
  lut.elementwise = false;  // the table is not broadcast against x
  lut.pointwise = true;
  r.add(lut);
  AttrSpec axis{"axis", Attr::Kind::Int, Attr::Int(-1), false};
  for (bool log : {false, true}) {
    OpDef d = unaryOp(log ? "LogSoftmax" : "Softmax", log ? inferSoftmax<true> : inferSoftmax<false>, log ? evalSoftmax<true> : evalSoftmax<false>,
                      log ? "log of Softmax along one axis" : "exp(x) / sum(exp(x)) along one axis", {axis});
    d.elementwise = false;  // (opset < 13 coerces to 2-D from `axis`: not even one-axis)
    r.add(d);
  }
}

}  // namespace tinyc
