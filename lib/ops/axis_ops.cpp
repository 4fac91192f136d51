// Ops along one axis that keep the shape: CumSum and Hardmax.
#include <cmath>

#include "ops/util.h"

namespace tinyc {
namespace {

// [outer, n, inner] around an axis.
struct AxisSplit {
  int64_t outer = 1, n = 1, inner = 1;
};
AxisSplit splitAt(const Shape& s, size_t axis) {
  AxisSplit a;
  for (size_t d = 0; d < s.size(); ++d) {
    if (d < axis) a.outer *= s[d];
    else if (d == axis) a.n = s[d];
    else a.inner *= s[d];
  }
  return a;
}

// ---- CumSum -------------------------------------------------------------------------------

int64_t cumsumAxis(const Node& n, const Tensor& axis, int rank) {
  if (axis.numel() != 1 || !isInteger(axis.dtype())) modelError("{}: axis must be an integer scalar", n.where());
  return normAxis(n, axis.getI(0), rank);
}

void inferCumSum(InferCtx& c) {
  const DType t = c.dtype(0);
  if (t == DType::Bool || t == DType::Undefined) c.fail("input type {} is not supported", dtypeName(t));
  if (c.rank(0) < 1) c.fail("the input must have rank 1 or more");
  cumsumAxis(c.node, c.requireConst(1, "axis"), c.rank(0));
  c.setOutput(0, t, c.shape(0));
}

// Running sums in the element type (numpy's cumsum), in input order along the axis (reverse:
// from the end); exclusive: each output leaves its own element out.
void evalCumSum(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  const size_t axis = static_cast<size_t>(cumsumAxis(c.node, *c.in[1], static_cast<int>(x.rank())));
  const bool excl = c.node.attrInt("exclusive") != 0, rev = c.node.attrInt("reverse") != 0;
  const AxisSplit a = splitAt(x.shape(), axis);
  auto run = [&](auto tag, auto load, auto store) {
    using T = typename decltype(tag)::type;
    for (int64_t o = 0; o < a.outer; ++o)
      for (int64_t k = 0; k < a.inner; ++k) {
        T s = T(0);
        for (int64_t j = 0; j < a.n; ++j) {
          const int64_t jj = rev ? a.n - 1 - j : j;
          const int64_t at = (o * a.n + jj) * a.inner + k;
          const T v = load(at);
          if (excl) {
            store(at, s);
            s = static_cast<T>(s + v);
          } else {
            s = static_cast<T>(s + v);
            store(at, s);
          }
        }
      }
  };
  Tensor& out = *c.out[0];
  if (x.dtype() == DType::F16)
    return run(TypeTag<float>{}, [&](int64_t i) { return static_cast<float>(x.getF(i)); },
               [&](int64_t i, float v) { out.setF(i, v); });
  dispatchAll(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = x.data<T>();
    T* q = out.data<T>();
    if constexpr (std::is_integral_v<T>) {  // integers wrap (no signed overflow)
      using U = std::make_unsigned_t<T>;
      run(TypeTag<U>{}, [p](int64_t i) { return static_cast<U>(p[i]); }, [q](int64_t i, U v) { q[i] = static_cast<T>(v); });
    } else {
      run(tag, [p](int64_t i) { return p[i]; }, [q](int64_t i, T v) { q[i] = v; });
    }
  });
}

// ---- Hardmax ------------------------------------------------------------------------------

void inferHardmax(InferCtx& c) {
  if (!isFloat(c.dtype(0))) c.fail("input must be a float type, got {}", dtypeName(c.dtype(0)));
  normAxis(c.node, c.node.attrInt("axis"), std::max(c.rank(0), 1));
  c.setOutput(0, c.dtype(0), c.shape(0));
}

// 1 at the first maximum along the axis, 0 elsewhere (a NaN counts as the maximum, the first one).
void evalHardmax(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  Tensor& out = *c.out[0];
  const int r = static_cast<int>(x.rank());
  const AxisSplit a = r ? splitAt(x.shape(), static_cast<size_t>(normAxis(c.node, c.node.attrInt("axis"), r))) : AxisSplit{};
  for (int64_t i = 0; i < out.numel(); ++i) out.setF(i, 0.0);
  for (int64_t o = 0; o < a.outer; ++o)
    for (int64_t k = 0; k < a.inner; ++k) {
      if (a.n == 0) continue;
      int64_t best = 0;
      double bv = x.getF(o * a.n * a.inner + k);
      for (int64_t j = 1; j < a.n && !std::isnan(bv); ++j) {
        const double v = x.getF((o * a.n + j) * a.inner + k);
        if (std::isnan(v) || v > bv) best = j, bv = v;
      }
      out.setF((o * a.n + best) * a.inner + k, 1.0);
    }
}

}  // namespace

void registerAxisOps(OpRegistry& r) {
  OpDef cs;
  cs.name = "CumSum";
  cs.minInputs = cs.maxInputs = 2;
  cs.infer = inferCumSum;
  cs.eval = evalCumSum;
  cs.doc = "running sum along the constant axis (exclusive, reverse), in the element type";
  cs.attrs = {{"exclusive", Attr::Kind::Int, Attr::Int(0), false}, {"reverse", Attr::Kind::Int, Attr::Int(0), false}};
  r.add(cs);
  OpDef hm;
  hm.name = "Hardmax";
  hm.infer = inferHardmax;
  hm.eval = evalHardmax;
  hm.doc = "1 at the first maximum along axis, 0 elsewhere";
  hm.attrs = {{"axis", Attr::Kind::Int, Attr::Int(-1), false}};
  r.add(hm);
}

}  // namespace tinyc
