// Ops along one axis: CumSum, CumProd, Hardmax and ReverseSequence (which keep the shape) and TopK.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "ops/shape_plan.h"
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

// Running sums (CumProd: products) in the element type (numpy's cumsum / cumprod), in input
// order along the axis (reverse: from the end); exclusive: each output leaves its own element out
// (its identity, 0 or 1, first).
template <bool Prod>
void evalCumulative(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  const size_t axis = static_cast<size_t>(cumsumAxis(c.node, *c.in[1], static_cast<int>(x.rank())));
  const bool excl = c.node.attrInt("exclusive") != 0, rev = c.node.attrInt("reverse") != 0;
  const AxisSplit a = splitAt(x.shape(), axis);
  auto run = [&](auto tag, auto load, auto store) {
    using T = typename decltype(tag)::type;
    for (int64_t o = 0; o < a.outer; ++o)
      for (int64_t k = 0; k < a.inner; ++k) {
        T s = T(Prod ? 1 : 0);
        for (int64_t j = 0; j < a.n; ++j) {
          const int64_t jj = rev ? a.n - 1 - j : j;
          const int64_t at = (o * a.n + jj) * a.inner + k;
          const T v = load(at);
          if (excl) store(at, s);
          if constexpr (!Prod)
            s = static_cast<T>(s + v);
          else if constexpr (std::is_integral_v<T>)  // in 64 bits: uint16 * uint16 would be an int
            s = static_cast<T>(static_cast<uint64_t>(s) * static_cast<uint64_t>(v));
          else
            s = static_cast<T>(s * v);
          if (!excl) store(at, s);
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

// ---- TopK ---------------------------------------------------------------------------------
// The K largest (or smallest) elements along the axis and their indices (int64), in order; equal
// values keep their index order (the lower index first, as ONNX asks), a NaN counts as larger
// than every number. Each element's place is its rank (how many elements come before it), so the
// interpreter and the C kernel (runtime/axis.c) need no sort and no scratch: O(n^2) per slice.

int64_t topkK(const Node& n, const Tensor& k, int64_t dim) {
  if (k.numel() != 1 || !isInteger(k.dtype())) modelError("{}: K must be a one-element integer tensor", n.where());
  const int64_t v = k.getI(0);
  if (v < 0 || v > dim) modelError("{}: K = {} is outside [0, {}] (the axis' size)", n.where(), v, dim);
  return v;
}

void inferTopK(InferCtx& c) {
  const DType t = c.dtype(0);
  if (t == DType::Bool || t == DType::F16 || t == DType::Undefined) c.fail("input type {} is not supported", dtypeName(t));
  if (c.rank(0) < 1) c.fail("the input must have rank 1 or more");
  const size_t axis = static_cast<size_t>(normAxis(c.node, c.node.attrInt("axis"), c.rank(0)));
  Shape s = c.shape(0);
  s[axis] = topkK(c.node, c.requireConst(1, "K"), s[axis]);
  c.setOutput(0, t, s);
  c.setOutput(1, DType::I64, s);
}

void evalTopK(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  const size_t axis = static_cast<size_t>(normAxis(c.node, c.node.attrInt("axis"), static_cast<int>(x.rank())));
  const AxisSplit a = splitAt(x.shape(), axis);
  const int64_t k = topkK(c.node, *c.in[1], a.n);
  const bool largest = c.node.attrInt("largest") != 0;
  Tensor& vals = *c.out[0];
  Tensor dummy;
  Tensor& idx = c.out.size() > 1 && c.out[1] ? *c.out[1] : dummy;
  dispatchAll(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = x.data<T>();
    T* q = vals.data<T>();
    auto nan = [](T v) {
      if constexpr (std::is_floating_point_v<T>) return std::isnan(v);
      else return (void)v, false;
    };
    // i comes before j (i != j)
    auto before = [&](T vi, int64_t i, T vj, int64_t j) {
      if (nan(vi) || nan(vj)) return nan(vi) && nan(vj) ? i < j : (nan(vi) == largest);
      if (vi == vj) return i < j;
      return largest ? vi > vj : vi < vj;
    };
    for (int64_t o = 0; o < a.outer; ++o)
      for (int64_t in = 0; in < a.inner; ++in) {
        const T* s = p + o * a.n * a.inner + in;
        for (int64_t j = 0; j < a.n; ++j) {
          int64_t rank = 0;
          for (int64_t i = 0; i < a.n && rank < k; ++i)
            rank += i != j && before(s[i * a.inner], i, s[j * a.inner], j);
          if (rank >= k) continue;
          const int64_t at = (o * k + rank) * a.inner + in;
          q[at] = s[j * a.inner];
          if (c.out.size() > 1 && c.out[1]) idx.setI(at, j);
        }
      }
  });
}

// ---- ReverseSequence --------------------------------------------------------------------------
// Per batch entry b, the first sequence_lens[b] steps along the time axis reversed, the rest
// copied; batch and time are axes 0 and 1 (either way round). Lengths outside [0, steps] are an
// error when constant and clamped when they arrive at run time (as the C kernel does).

void reverseAxes(const Node& n, int rank, int64_t* timeAxis, int64_t* batchAxis) {
  *timeAxis = n.attrInt("time_axis");
  *batchAxis = n.attrInt("batch_axis");
  if (rank < 2) modelError("{}: the input must have rank 2 or more", n.where());
  if ((*timeAxis != 0 && *timeAxis != 1) || (*batchAxis != 0 && *batchAxis != 1) || *timeAxis == *batchAxis)
    modelError("{}: time_axis and batch_axis must be 0 and 1 (either way round), got {} and {}", n.where(), *timeAxis,
               *batchAxis);
}

void inferReverseSequence(InferCtx& c) {
  int64_t ta = 0, ba = 0;
  reverseAxes(c.node, c.rank(0), &ta, &ba);
  const Shape& s = c.shape(0);
  if (c.dtype(1) != DType::I64 || c.shape(1) != Shape{s[static_cast<size_t>(ba)]})
    c.fail("sequence_lens must be int64 of shape [{}] (the batch), got {} {}", s[static_cast<size_t>(ba)],
           dtypeName(c.dtype(1)), shapeStr(c.shape(1)));
  if (const Tensor* lens = c.constInput(1))
    for (int64_t i = 0; i < lens->numel(); ++i)
      if (lens->getI(i) < 0 || lens->getI(i) > s[static_cast<size_t>(ta)])
        c.fail("sequence_lens[{}] = {} is outside [0, {}]", i, lens->getI(i), s[static_cast<size_t>(ta)]);
  c.setOutput(0, c.dtype(0), s);
}

void evalReverseSequence(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  const Tensor& lens = *c.in[1];
  int64_t ta = 0, ba = 0;
  reverseAxes(c.node, static_cast<int>(x.rank()), &ta, &ba);
  const Shape& s = x.shape();
  const int64_t a0 = s[0], a1 = s[1], steps = s[static_cast<size_t>(ta)];
  const size_t chunk = static_cast<size_t>(x.numel() / std::max<int64_t>(a0 * a1, 1)) * dtypeSize(x.dtype());
  const auto* src = static_cast<const uint8_t*>(x.raw());
  auto* dst = static_cast<uint8_t*>(c.out[0]->raw());
  for (int64_t i = 0; i < a0; ++i)
    for (int64_t j = 0; j < a1; ++j) {
      const int64_t t = ta == 0 ? i : j, b = ta == 0 ? j : i;
      const int64_t len = std::clamp<int64_t>(lens.getI(b), 0, steps);
      const int64_t from = t < len ? len - 1 - t : t;
      const int64_t si = ta == 0 ? from : i, sj = ta == 0 ? j : from;
      if (chunk) std::memcpy(dst + static_cast<size_t>(i * a1 + j) * chunk, src + static_cast<size_t>(si * a1 + sj) * chunk, chunk);
    }
}

}  // namespace

void registerAxisOps(OpRegistry& r) {
  using shape_plan::makeOp;
  using K = Attr::Kind;
  OpDef rs = makeOp("ReverseSequence", 2, 2, inferReverseSequence, evalReverseSequence,
                    "reverses each batch entry's first sequence_lens[b] steps along time_axis (axes 0 and 1)",
                    {{"batch_axis", K::Int, Attr::Int(1)}, {"time_axis", K::Int, Attr::Int(0)}});
  rs.quantCarried = true;
  r.add(rs);
  OpDef tk = makeOp("TopK", 2, 2, inferTopK, evalTopK,
                    "the K largest (smallest) values along axis, sorted, and their int64 indices; K a constant",
                    {{"axis", K::Int, Attr::Int(-1)}, {"largest", K::Int, Attr::Int(1)}, {"sorted", K::Int, Attr::Int(1)}});
  tk.minOutputs = tk.maxOutputs = 2;
  r.add(tk);
  r.add(makeOp("CumSum", 2, 2, inferCumSum, evalCumulative<false>,
               "running sum along the constant axis (exclusive, reverse), in the element type",
               {{"exclusive", K::Int, Attr::Int(0)}, {"reverse", K::Int, Attr::Int(0)}}));
  r.add(makeOp("CumProd", 2, 2, inferCumSum, evalCumulative<true>,
               "running product along the constant axis (exclusive, reverse), in the element type",
               {{"exclusive", K::Int, Attr::Int(0)}, {"reverse", K::Int, Attr::Int(0)}}));
  r.add(makeOp("Hardmax", 1, 1, inferHardmax, evalHardmax, "1 at the first maximum along axis, 0 elsewhere",
               {{"axis", K::Int, Attr::Int(-1)}}));
}

}  // namespace tinyc
