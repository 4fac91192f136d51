// Reductions in the opset-18 form: axes is an optional int64 input that must be known at
// compile time; attributes keepdims and noop_with_empty_axes.
#include <algorithm>
#include <cmath>
#include <limits>
#include <type_traits>

#include "ops/util.h"

namespace tinyc {
namespace {

enum class ReduceKind { Sum, Mean, Max };

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
  if (!supportedType(c.dtype(0)) && !(K == ReduceKind::Max && c.dtype(0) == DType::Bool))
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

}  // namespace

void registerReduceOps(OpRegistry& r) {
  r.add(reduceOp("ReduceSum", inferReduce<ReduceKind::Sum>, evalReduce<ReduceKind::Sum>,
                 "sum over the constant axes input (all axes when empty)"));
  r.add(reduceOp("ReduceMean", inferReduce<ReduceKind::Mean>, evalReduce<ReduceKind::Mean>,
                 "mean over the constant axes input (all axes when empty)"));
  r.add(reduceOp("ReduceMax", inferReduce<ReduceKind::Max>, evalReduce<ReduceKind::Max>,
                 "maximum over the constant axes input (all axes when empty)"));
}

}  // namespace tinyc
