// Reductions in the opset-18 form: axes is an optional int64 input that must be known at
// compile time; attributes keepdims and noop_with_empty_axes.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "ops/util.h"

namespace tinyc {
namespace {

enum class ReduceKind { Sum, Mean, Max, Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare };

// Which dimensions to reduce. identity = noop_with_empty_axes with empty axes.
struct ReducePlan {
  bool identity = false;
  std::vector<bool> reduce;  // per input dim
  Shape keptShape;           // input shape with reduced dims set to 1
  Shape outShape;            // keptShape, or with reduced dims dropped when keepdims = 0
  int64_t count = 1;         // elements folded into each output
};

// Validates the node and computes the plan. `fail` reports a problem naming the node.
template <typename Fail>
ReducePlan planReduce(const Node& n, const Shape& in, const Tensor* axesT, bool axesGiven, Fail fail) {
  const int r = static_cast<int>(in.size());
  const int64_t keepdims = n.attrInt("keepdims");
  const int64_t noop = n.attrInt("noop_with_empty_axes");
  if (keepdims != 0 && keepdims != 1) fail("keepdims must be 0 or 1, got " + std::to_string(keepdims));
  if (noop != 0 && noop != 1) fail("noop_with_empty_axes must be 0 or 1, got " + std::to_string(noop));
  std::vector<int64_t> axes;
  if (axesGiven) {
    if (!isInteger(axesT->dtype()) || axesT->dtype() == DType::Bool)
      fail(std::string("axes must be int64, got ") + dtypeName(axesT->dtype()));
    if (axesT->rank() > 1) fail("axes must be a 1-D tensor, got shape " + shapeStr(axesT->shape()));
    axes = axesT->toInts();
  }
  ReducePlan p;
  p.reduce.assign(static_cast<size_t>(r), axes.empty());
  if (axes.empty() && noop) {
    p.identity = true;
    p.reduce.assign(static_cast<size_t>(r), false);
  }
  if (!axes.empty()) {
    for (int64_t a : axes) {
      if (a < -r || a >= r)
        fail("axis " + std::to_string(a) + " is out of range for rank " + std::to_string(r));
      size_t d = static_cast<size_t>(a < 0 ? a + r : a);
      if (p.reduce[d]) fail("axis " + std::to_string(a) + " appears more than once in axes");
      p.reduce[d] = true;
    }
  }
  for (size_t d = 0; d < in.size(); ++d) {
    if (p.reduce[d]) {
      p.count *= in[d];
      p.keptShape.push_back(1);
      if (keepdims) p.outShape.push_back(1);
    } else {
      p.keptShape.push_back(in[d]);
      p.outShape.push_back(in[d]);
    }
  }
  return p;
}

bool supportedType(DType t) { return t != DType::Undefined && t != DType::Bool; }

template <ReduceKind K>
void inferReduce(InferCtx& c) {
  if (!supportedType(c.dtype(0)) && !((K == ReduceKind::Max || K == ReduceKind::Min) && c.dtype(0) == DType::Bool))
    c.fail("input type {} is not supported", dtypeName(c.dtype(0)));
  const bool given = c.has(1);
  const Tensor* axes = given ? &c.requireConst(1, "axes") : nullptr;
  ReducePlan p = planReduce(c.node, c.shape(0), axes, given, [&](const std::string& m) { c.fail("{}", m); });
  c.setOutput(0, c.dtype(0), p.identity ? c.shape(0) : p.outShape);
}

// Reduction in element type T with accumulator A.
template <ReduceKind K, typename T, typename A>
void reduceLoop(const T* in, T* out, const Shape& inShape, const ReducePlan& p) {
  const int64_t outN = numElements(p.keptShape);
  std::vector<A> acc(static_cast<size_t>(outN));
  for (auto& a : acc) {
    if constexpr (K == ReduceKind::Max) {
      if constexpr (std::numeric_limits<A>::has_infinity)
        a = -std::numeric_limits<A>::infinity();
      else
        a = std::numeric_limits<T>::lowest();
    } else {
      a = A(0);
    }
  }
  forEachBroadcast2(inShape, p.keptShape, inShape, [&](int64_t, int64_t o, int64_t i) {
    A v = static_cast<A>(in[i]);
    A& a = acc[static_cast<size_t>(o)];
    if constexpr (K == ReduceKind::Max) {
      if constexpr (std::is_floating_point_v<A>) {
        if (std::isnan(v) || std::isnan(a))
          a = std::numeric_limits<A>::quiet_NaN();
        else if (v > a)
          a = v;
      } else if (v > a) {
        a = v;
      }
    } else if constexpr (std::is_integral_v<A>) {
      a = static_cast<A>(static_cast<uint64_t>(a) + static_cast<uint64_t>(v));  // wraps, no UB
    } else {
      a += v;
    }
  });
  for (int64_t o = 0; o < outN; ++o) {
    A a = acc[static_cast<size_t>(o)];
    if constexpr (K == ReduceKind::Mean) {
      if constexpr (std::is_floating_point_v<A>)
        a = a / static_cast<A>(p.count);  // NaN for an empty reduction, as numpy
      else
        a = p.count ? static_cast<A>(a / static_cast<A>(p.count)) : A(0);  // truncates toward zero
    }
    out[o] = static_cast<T>(a);
  }
}

// The other reductions (Min, Prod, L1, L2, LogSum, LogSumExp, SumSquare): every type through
// double (integers exact below 2^53), folded in increasing input order; LogSumExp shifted by the
// maximum (finite where exp overflows). An empty reduction gives the kind's identity: +inf (or
// the type's max) for Min, 1 for Prod, 0 for L1/L2/SumSquare, -inf for LogSum/LogSumExp.
template <ReduceKind K>
void reduceViaDouble(const Tensor& x, Tensor& out, const ReducePlan& p) {
  const int64_t outN = numElements(p.keptShape);
  std::vector<double> acc(static_cast<size_t>(outN)), mx;
  const double init = K == ReduceKind::Min ? std::numeric_limits<double>::infinity() : K == ReduceKind::Prod ? 1.0 : 0.0;
  std::fill(acc.begin(), acc.end(), init);
  if constexpr (K == ReduceKind::LogSumExp) {
    mx.assign(static_cast<size_t>(outN), -std::numeric_limits<double>::infinity());
    forEachBroadcast2(x.shape(), p.keptShape, x.shape(), [&](int64_t, int64_t o, int64_t i) {
      const double v = x.getF(i);
      double& m = mx[static_cast<size_t>(o)];
      if (std::isnan(v) || std::isnan(m)) m = std::numeric_limits<double>::quiet_NaN();
      else if (v > m) m = v;
    });
  }
  forEachBroadcast2(x.shape(), p.keptShape, x.shape(), [&](int64_t, int64_t o, int64_t i) {
    const double v = isFloat(x.dtype()) ? x.getF(i) : static_cast<double>(x.getI(i));
    double& a = acc[static_cast<size_t>(o)];
    if constexpr (K == ReduceKind::Min) {
      if (std::isnan(v) || std::isnan(a)) a = std::numeric_limits<double>::quiet_NaN();
      else if (v < a) a = v;
    } else if constexpr (K == ReduceKind::Prod) {
      a *= v;
    } else if constexpr (K == ReduceKind::L1) {
      a += std::fabs(v);
    } else if constexpr (K == ReduceKind::L2 || K == ReduceKind::SumSquare) {
      a += v * v;
    } else if constexpr (K == ReduceKind::LogSum) {
      a += v;
    } else {  // LogSumExp
      const double m = mx[static_cast<size_t>(o)];
      a += std::isinf(m) ? std::exp(v) : std::exp(v - m);
    }
  });
  for (int64_t o = 0; o < outN; ++o) {
    double a = acc[static_cast<size_t>(o)];
    if constexpr (K == ReduceKind::L2) a = std::sqrt(a);
    if constexpr (K == ReduceKind::LogSum) a = std::log(a);
    if constexpr (K == ReduceKind::LogSumExp) {
      const double m = mx[static_cast<size_t>(o)];
      a = std::isinf(m) ? std::log(a) : m + std::log(a);
    }
    if (isFloat(out.dtype())) {
      out.setF(o, a);
    } else if (K == ReduceKind::Min && std::isinf(a)) {  // empty: the type's largest value
      dispatchAll(out.dtype(), [&](auto tag) {
        using T = typename decltype(tag)::type;
        out.data<T>()[o] = std::numeric_limits<T>::max();
      });
    } else {
      out.setI(o, std::isfinite(a) ? static_cast<int64_t>(a) : 0);
    }
  }
}

template <ReduceKind K>
void evalReduce(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  Tensor& out = *c.out[0];
  ReducePlan p = planReduce(c.node, x.shape(), c.has(1) ? c.in[1] : nullptr, c.has(1),
                            [&](const std::string& m) { c.fail("{}", m); });
  if (p.identity) {
    std::copy_n(static_cast<const char*>(x.raw()), x.byteSize(), static_cast<char*>(out.raw()));
    return;
  }
  if constexpr (K != ReduceKind::Sum && K != ReduceKind::Mean && K != ReduceKind::Max) {
    return reduceViaDouble<K>(x, out, p);
  }
  if (x.dtype() == DType::F16) {
    std::vector<float> a(static_cast<size_t>(x.numel())), b(static_cast<size_t>(out.numel()));
    for (int64_t i = 0; i < x.numel(); ++i) a[static_cast<size_t>(i)] = static_cast<float>(x.getF(i));
    reduceLoop<K, float, double>(a.data(), b.data(), x.shape(), p);
    for (int64_t i = 0; i < out.numel(); ++i) out.setF(i, b[static_cast<size_t>(i)]);
    return;
  }
  dispatchAll(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    using A = std::conditional_t<std::is_floating_point_v<T>, double,
                                 std::conditional_t<std::is_signed_v<T>, int64_t, uint64_t>>;
    reduceLoop<K, T, A>(x.data<T>(), out.data<T>(), x.shape(), p);
  });
}

OpDef reduceOp(const char* name, InferFn infer, EvalFn eval, const char* doc) {
  OpDef d;
  d.name = name;
  d.minInputs = 1;
  d.maxInputs = 2;
  d.infer = infer;
  d.eval = eval;
  d.doc = doc;
  d.attrs = {{"keepdims", Attr::Kind::Int, Attr::Int(1), false},
             {"noop_with_empty_axes", Attr::Kind::Int, Attr::Int(0), false}};
  return d;
}

// ---- ArgMax / ArgMin ------------------------------------------------------------------------

void inferArg(InferCtx& c) {
  const int r = c.rank(0);
  if (!supportedType(c.dtype(0))) c.fail("input type {} is not supported", dtypeName(c.dtype(0)));
  const int axis = normAxis(c.node, c.node.attrInt("axis"), std::max(r, 1));
  Shape out;
  for (int d = 0; d < r; ++d) {
    if (d != axis) out.push_back(c.shape(0)[static_cast<size_t>(d)]);
    else if (c.node.attrInt("keepdims")) out.push_back(1);
  }
  if (r > 0 && c.shape(0)[static_cast<size_t>(axis)] == 0) c.fail("cannot take the arg of an empty axis");
  c.setOutput(0, DType::I64, out);
}

// The index of the first (select_last_index: last) maximum / minimum along the axis; a NaN ranks
// above every number (numpy's argmax and argmin both return the first NaN).
template <bool IsMin>
void evalArg(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  const int r = static_cast<int>(x.rank());
  const size_t axis = static_cast<size_t>(normAxis(c.node, c.node.attrInt("axis"), std::max(r, 1)));
  const bool last = c.node.attrInt("select_last_index") != 0;
  int64_t outer = 1, n = 1, inner = 1;
  for (size_t d = 0; d < static_cast<size_t>(r); ++d) {
    if (d < axis) outer *= x.shape()[d];
    else if (d == axis) n = x.shape()[d];
    else inner *= x.shape()[d];
  }
  int64_t* y = c.out[0]->data<int64_t>();
  auto run = [&](auto tag, auto load) {
    using T = typename decltype(tag)::type;
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t k = 0; k < inner; ++k) {
        int64_t best = 0;
        T bv = load(o * n * inner + k);
        for (int64_t j = 1; j < n; ++j) {
          const T v = load((o * n + j) * inner + k);
          bool better;
          if constexpr (std::is_floating_point_v<T>) {
            if (std::isnan(v) || std::isnan(bv)) better = std::isnan(v) && (!std::isnan(bv) || last);
            else better = IsMin ? (last ? v <= bv : v < bv) : (last ? v >= bv : v > bv);
          } else {
            better = IsMin ? (last ? v <= bv : v < bv) : (last ? v >= bv : v > bv);
          }
          if (better) best = j, bv = v;
        }
        y[o * inner + k] = best;
      }
  };
  if (x.dtype() == DType::F16)
    return run(TypeTag<float>{}, [&](int64_t i) { return static_cast<float>(x.getF(i)); });
  dispatchAll(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = x.data<T>();
    run(tag, [p](int64_t i) { return p[i]; });
  });
}

OpDef argOp(const char* name, EvalFn eval, const char* doc) {
  OpDef d;
  d.name = name;
  d.infer = inferArg;
  d.eval = eval;
  d.doc = doc;
  d.attrs = {{"axis", Attr::Kind::Int, Attr::Int(0), false},
             {"keepdims", Attr::Kind::Int, Attr::Int(1), false},
             {"select_last_index", Attr::Kind::Int, Attr::Int(0), false}};
  return d;
}

}  // namespace

void registerReduceOps(OpRegistry& r) {
  r.add(argOp("ArgMax", evalArg<false>, "index (int64) of the first maximum along axis (select_last_index: the last)"));
  r.add(argOp("ArgMin", evalArg<true>, "index (int64) of the first minimum along axis (select_last_index: the last)"));
  r.add(reduceOp("ReduceSum", inferReduce<ReduceKind::Sum>, evalReduce<ReduceKind::Sum>,
                 "sum over the constant axes input (all axes when empty)"));
  r.add(reduceOp("ReduceMean", inferReduce<ReduceKind::Mean>, evalReduce<ReduceKind::Mean>,
                 "mean over the constant axes input (all axes when empty)"));
  r.add(reduceOp("ReduceMax", inferReduce<ReduceKind::Max>, evalReduce<ReduceKind::Max>,
                 "maximum over the constant axes input (all axes when empty)"));
  r.add(reduceOp("ReduceMin", inferReduce<ReduceKind::Min>, evalReduce<ReduceKind::Min>,
                 "minimum over the constant axes input (all axes when empty)"));
  r.add(reduceOp("ReduceProd", inferReduce<ReduceKind::Prod>, evalReduce<ReduceKind::Prod>,
                 "product over the constant axes input (all axes when empty)"));
  r.add(reduceOp("ReduceL1", inferReduce<ReduceKind::L1>, evalReduce<ReduceKind::L1>, "sum of |x| over the axes"));
  r.add(reduceOp("ReduceL2", inferReduce<ReduceKind::L2>, evalReduce<ReduceKind::L2>, "sqrt of the sum of x^2 over the axes"));
  r.add(reduceOp("ReduceLogSum", inferReduce<ReduceKind::LogSum>, evalReduce<ReduceKind::LogSum>,
                 "log of the sum over the axes"));
  r.add(reduceOp("ReduceLogSumExp", inferReduce<ReduceKind::LogSumExp>, evalReduce<ReduceKind::LogSumExp>,
                 "log of the sum of exp(x) over the axes (shifted by the maximum)"));
  r.add(reduceOp("ReduceSumSquare", inferReduce<ReduceKind::SumSquare>, evalReduce<ReduceKind::SumSquare>,
                 "sum of x^2 over the axes"));
}

}  // namespace tinyc
