// GatherND, ScatterND, ScatterElements (and Scatter, its deprecated opset-9/10 name): indexed
// reads and writes. An index outside its dim (after adding the dim to a negative one) is an
// error. Reductions of the scatters (none, add, mul, max, min) apply in index order.
#include <cstring>

#include "ops/shape_plan.h"
#include "ops/util.h"

namespace tinyc {
namespace {

void requireIndices(InferCtx& c, int i) {
  if (c.dtype(i) != DType::I64 && c.dtype(i) != DType::I32) c.fail("indices must be int64 or int32, got {}", dtypeName(c.dtype(i)));
}

int64_t wrapIndex(const Node& n, int64_t v, int64_t dim) {
  if (v < -dim || v >= dim) modelError("{}: index {} is out of range for a dim of {}", n.where(), v, dim);
  return v < 0 ? v + dim : v;
}

// ---- GatherND -----------------------------------------------------------------------------

void inferGatherND(InferCtx& c) {
  requireIndices(c, 1);
  const Shape &d = c.shape(0), &ind = c.shape(1);
  const int64_t b = c.node.attrInt("batch_dims");
  if (ind.empty()) c.fail("indices must have rank 1 or more");
  const int64_t k = ind.back();
  if (b < 0 || b >= static_cast<int64_t>(ind.size()) || b + k > static_cast<int64_t>(d.size()) || k < 1)
    c.fail("indices of shape {} (batch_dims {}) do not fit data of shape {}", shapeStr(ind), b, shapeStr(d));
  for (int64_t i = 0; i < b; ++i)
    if (d[static_cast<size_t>(i)] != ind[static_cast<size_t>(i)]) c.fail("batch dims of data and indices differ");
  Shape out(ind.begin(), ind.end() - 1);
  out.insert(out.end(), d.begin() + b + k, d.end());
  c.setOutput(0, c.dtype(0), out);
}

void evalGatherND(EvalCtx& c) {
  const Tensor &x = *c.in[0], &ind = *c.in[1];
  const Shape &d = x.shape(), &is = ind.shape();
  const size_t b = static_cast<size_t>(c.node.attrInt("batch_dims"));
  const size_t k = static_cast<size_t>(is.back());
  int64_t nb = 1, slice = 1;
  for (size_t i = 0; i < b; ++i) nb *= d[i];
  for (size_t i = b + k; i < d.size(); ++i) slice *= d[i];
  const int64_t tuples = numElements(is) / static_cast<int64_t>(k) / nb;
  const int64_t batchElems = numElements(d) / nb;
  const size_t es = dtypeSize(x.dtype());
  const auto* src = static_cast<const uint8_t*>(x.raw());
  auto* dst = static_cast<uint8_t*>(c.out[0]->raw());
  for (int64_t bi = 0; bi < nb; ++bi)
    for (int64_t t = 0; t < tuples; ++t) {
      int64_t off = 0;
      for (size_t j = 0; j < k; ++j) {
        const int64_t v = wrapIndex(c.node, ind.getI((bi * tuples + t) * static_cast<int64_t>(k) + static_cast<int64_t>(j)), d[b + j]);
        off = off * d[b + j] + v;
      }
      std::memcpy(dst + static_cast<size_t>((bi * tuples + t) * slice) * es,
                  src + static_cast<size_t>(bi * batchElems + off * slice) * es, static_cast<size_t>(slice) * es);
    }
}

// ---- the scatters -------------------------------------------------------------------------

enum class Red { None, Add, Mul, Max, Min };
Red reductionOf(const Node& n) {
  if (!n.hasAttr("reduction")) return Red::None;
  const std::string& r = n.attrStr("reduction");
  if (r == "none") return Red::None;
  if (r == "add") return Red::Add;
  if (r == "mul") return Red::Mul;
  if (r == "max") return Red::Max;
  if (r == "min") return Red::Min;
  modelError("{}: reduction must be none, add, mul, max or min, got '{}'", n.where(), printable(r));
}

// out[o] (op)= upd[u], elementwise in the data's type.
void applyAt(Tensor& out, int64_t o, const Tensor& upd, int64_t u, Red red) {
  if (red == Red::None) {
    const size_t es = dtypeSize(out.dtype());
    std::memcpy(static_cast<uint8_t*>(out.raw()) + static_cast<size_t>(o) * es,
                static_cast<const uint8_t*>(upd.raw()) + static_cast<size_t>(u) * es, es);
    return;
  }
  if (isFloat(out.dtype())) {
    const double a = out.getF(o), v = upd.getF(u);
    out.setF(o, red == Red::Add ? a + v : red == Red::Mul ? a * v : red == Red::Max ? std::max(a, v) : std::min(a, v));
  } else {
    const int64_t a = out.getI(o), v = upd.getI(u);
    out.setI(o, red == Red::Add ? static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(v))
                : red == Red::Mul ? static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(v))
                : red == Red::Max ? std::max(a, v) : std::min(a, v));
  }
}

void inferScatterND(InferCtx& c) {
  requireIndices(c, 1);
  const Shape &d = c.shape(0), &ind = c.shape(1), &u = c.shape(2);
  if (ind.empty() || ind.back() < 1 || ind.back() > static_cast<int64_t>(d.size())) c.fail("indices do not fit data");
  Shape want(ind.begin(), ind.end() - 1);
  want.insert(want.end(), d.begin() + ind.back(), d.end());
  if (u != want) c.fail("updates must have shape {}, got {}", shapeStr(want), shapeStr(u));
  if (c.dtype(2) != c.dtype(0)) c.fail("updates must have data's type");
  reductionOf(c.node);
  c.setOutput(0, c.dtype(0), d);
}

void evalScatterND(EvalCtx& c) {
  const Tensor &x = *c.in[0], &ind = *c.in[1], &upd = *c.in[2];
  Tensor& out = *c.out[0];
  if (x.byteSize()) std::memcpy(out.raw(), x.raw(), x.byteSize());
  const Shape& d = x.shape();
  const size_t k = static_cast<size_t>(ind.shape().back());
  int64_t slice = 1;
  for (size_t i = k; i < d.size(); ++i) slice *= d[i];
  const int64_t tuples = ind.numel() / static_cast<int64_t>(k);
  const Red red = reductionOf(c.node);
  for (int64_t t = 0; t < tuples; ++t) {
    int64_t off = 0;
    for (size_t j = 0; j < k; ++j) off = off * d[j] + wrapIndex(c.node, ind.getI(t * static_cast<int64_t>(k) + static_cast<int64_t>(j)), d[j]);
    for (int64_t e = 0; e < slice; ++e) applyAt(out, off * slice + e, upd, t * slice + e, red);
  }
}

void inferScatterElements(InferCtx& c) {
  requireIndices(c, 1);
  if (c.rank(1) != c.rank(0) || c.shape(2) != c.shape(1)) c.fail("indices and updates must have one shape, of data's rank");
  if (c.dtype(2) != c.dtype(0)) c.fail("updates must have data's type");
  normAxis(c.node, c.node.attrInt("axis"), std::max(c.rank(0), 1));
  reductionOf(c.node);
  c.setOutput(0, c.dtype(0), c.shape(0));
}

void evalScatterElements(EvalCtx& c) {
  const Tensor &x = *c.in[0], &ind = *c.in[1], &upd = *c.in[2];
  Tensor& out = *c.out[0];
  if (x.byteSize()) std::memcpy(out.raw(), x.raw(), x.byteSize());
  const size_t axis = static_cast<size_t>(normAxis(c.node, c.node.attrInt("axis"), static_cast<int>(x.rank())));
  const auto xs = stridesOf(x.shape());
  const Shape& is = ind.shape();
  const Red red = reductionOf(c.node);
  for (int64_t u = 0; u < ind.numel(); ++u) {
    int64_t rem = u, off = 0;
    for (size_t d = is.size(); d-- > 0;) {
      int64_t coord = rem % is[d];
      rem /= is[d];
      if (d == axis) coord = wrapIndex(c.node, ind.getI(u), x.shape()[d]);
      off += coord * xs[d];
    }
    applyAt(out, off, upd, u, red);
  }
}

}  // namespace

void registerScatterOps(OpRegistry& r) {
  using K = Attr::Kind;
  using shape_plan::makeOp;
  r.add(makeOp("GatherND", 2, 2, inferGatherND, evalGatherND, "slices of data at index tuples (batch_dims)",
           {{"batch_dims", K::Int, Attr::Int(0), false}}));
  r.add(makeOp("ScatterND", 3, 3, inferScatterND, evalScatterND, "data with slices at index tuples replaced or reduced by updates",
           {{"reduction", K::String, Attr::Str("none"), false}}));
  r.add(makeOp("ScatterElements", 3, 3, inferScatterElements, evalScatterElements,
           "data with elements at indices along axis replaced or reduced by updates",
           {{"axis", K::Int, Attr::Int(0), false}, {"reduction", K::String, Attr::Str("none"), false}}));
  r.add(makeOp("Scatter", 3, 3, inferScatterElements, evalScatterElements, "ScatterElements' deprecated name (opsets 9-10)",
           {{"axis", K::Int, Attr::Int(0), false}}));
}

}  // namespace tinyc
