// Expand, Tile, Range, Size, Trilu, DepthToSpace and SpaceToDepth (registered from registerShapeOps in shape.cpp). Range and Size
// produce values known at compile time (their inputs must be); Expand and Tile copy elements.
#include <cmath>
#include <cstring>

#include "ops/shape_plan.h"
#include "ops/util.h"

namespace tinyc {

std::vector<int64_t> shapeConstInts(const InferCtx& c, int i, const char* what);  // shape.cpp

namespace {

using shape_plan::makeOp;

// ---- Expand -------------------------------------------------------------------------------

void inferExpand(InferCtx& c) {
  std::vector<int64_t> dims = shapeConstInts(c, 1, "shape");
  for (int64_t d : dims)
    if (d < 0) c.fail("shape has a negative dim {}", d);
  c.setOutput(0, c.dtype(0), broadcastShapes(c, c.shape(0), Shape(dims.begin(), dims.end())));
}

// Copies input element broadcastOffset(o) to every output element o.
void broadcastCopy(const Tensor& in, Tensor& out) {
  const auto st = broadcastStrides(in.shape(), out.shape());
  const size_t es = dtypeSize(out.dtype());
  const auto* src = static_cast<const uint8_t*>(in.raw());
  auto* dst = static_cast<uint8_t*>(out.raw());
  for (int64_t o = 0; o < out.numel(); ++o)
    std::memcpy(dst + static_cast<size_t>(o) * es, src + static_cast<size_t>(broadcastOffset(o, out.shape(), st)) * es, es);
}

void evalExpand(EvalCtx& c) { broadcastCopy(*c.in[0], *c.out[0]); }

// ---- Tile ---------------------------------------------------------------------------------

void inferTile(InferCtx& c) {
  std::vector<int64_t> rep = shapeConstInts(c, 1, "repeats");
  const Shape& s = c.shape(0);
  if (rep.size() != s.size()) c.fail("repeats has {} values for an input of rank {}", rep.size(), s.size());
  Shape out = s;
  for (size_t i = 0; i < s.size(); ++i) {
    if (rep[i] < 0) c.fail("repeats has a negative value {}", rep[i]);
    out[i] = s[i] * rep[i];
  }
  c.setOutput(0, c.dtype(0), out);
}

void evalTile(EvalCtx& c) {
  const Tensor& in = *c.in[0];
  Tensor& out = *c.out[0];
  const Shape &is = in.shape(), &os = out.shape();
  const auto ist = stridesOf(is);
  const size_t es = dtypeSize(out.dtype());
  const auto* src = static_cast<const uint8_t*>(in.raw());
  auto* dst = static_cast<uint8_t*>(out.raw());
  for (int64_t o = 0; o < out.numel(); ++o) {
    int64_t rem = o, off = 0;
    for (int d = static_cast<int>(os.size()) - 1; d >= 0; --d) {
      const size_t du = static_cast<size_t>(d);
      off += (rem % os[du]) % is[du] * ist[du];
      rem /= os[du];
    }
    std::memcpy(dst + static_cast<size_t>(o) * es, src + static_cast<size_t>(off) * es, es);
  }
}

// ---- Range --------------------------------------------------------------------------------

// Range's element count and values, start + i * delta (computed in double, as numpy's arange).
std::shared_ptr<Tensor> rangeValues(const Node& n, const Tensor& start, const Tensor& limit, const Tensor& delta) {
  const double s = start.getF(0), l = limit.getF(0), d = delta.getF(0);
  if (d == 0 || !std::isfinite(s) || !std::isfinite(l) || !std::isfinite(d))
    modelError("{}: Range needs finite start, limit and a non-zero delta", n.where());
  const double count = std::ceil((l - s) / d);
  if (count > 16777216.0) modelError("{}: Range of {} elements is too large (at most 2^24)", n.where(), count);
  const int64_t m = count > 0 ? static_cast<int64_t>(count) : 0;
  auto t = std::make_shared<Tensor>(start.dtype(), Shape{m});
  // float16 computes in float (stash_type 1, Range-27's default) or double (11), then rounds
  const bool f32 = start.dtype() == DType::F32 || (start.dtype() == DType::F16 && n.attrInt("stash_type") == 1);
  for (int64_t i = 0; i < m; ++i) {
    if (f32)
      t->setF(i, static_cast<float>(s) + static_cast<float>(i) * static_cast<float>(d));
    else if (isFloat(start.dtype()))
      t->setF(i, s + static_cast<double>(i) * d);
    else
      t->setI(i, start.getI(0) + i * delta.getI(0));
  }
  return t;
}

void inferRange(InferCtx& c) {
  const DType t = c.dtype(0);
  if (t != DType::F32 && t != DType::F64 && t != DType::F16 && t != DType::I16 && t != DType::I32 && t != DType::I64)
    c.fail("Range of {} is not supported", dtypeName(t));
  const int64_t stash = c.node.attrInt("stash_type");
  if (stash != 1 && stash != 11) c.fail("stash_type {} is not supported (1: float, 11: double)", stash);
  for (int i = 1; i < 3; ++i)
    if (c.dtype(i) != t) c.fail("input types differ: {} and {}", dtypeName(t), dtypeName(c.dtype(i)));
  const Tensor& s = c.requireConst(0, "start");
  const Tensor& l = c.requireConst(1, "limit");
  const Tensor& d = c.requireConst(2, "delta");
  if (s.numel() != 1 || l.numel() != 1 || d.numel() != 1) c.fail("start, limit and delta must be scalars");
  auto v = rangeValues(c.node, s, l, d);
  c.setOutput(0, t, v->shape());
  if (c.numOutputs() > 0 && c.node.outputs[0]) c.node.outputs[0]->known = v;
}

void evalRange(EvalCtx& c) {
  auto v = rangeValues(c.node, *c.in[0], *c.in[1], *c.in[2]);
  if (v->byteSize()) std::memcpy(c.out[0]->raw(), v->raw(), v->byteSize());
}

// ---- Size ---------------------------------------------------------------------------------

void inferSize(InferCtx& c) {
  c.setOutput(0, DType::I64, {});
  if (c.numOutputs() > 0 && c.node.outputs[0]) {
    auto t = std::make_shared<Tensor>(DType::I64, Shape{});
    t->setI(0, numElements(c.shape(0)));
    c.node.outputs[0]->known = t;
  }
}

void evalSize(EvalCtx& c) { c.out[0]->setI(0, c.in[0]->numel()); }

// ---- Trilu ----------------------------------------------------------------------------------

int64_t triluK(const InferCtx& c) {
  if (!c.has(1)) return 0;
  const Tensor& k = c.requireConst(1, "k");
  if (k.numel() != 1) c.fail("k must be a scalar");
  return k.getI(0);
}

void inferTrilu(InferCtx& c) {
  if (c.rank(0) < 2) c.fail("the input must have rank 2 or more, got {}", c.rank(0));
  triluK(c);
  c.setOutput(0, c.dtype(0), c.shape(0));
}

// Keeps the upper (j - i >= k) or lower (j - i <= k) triangle of the last two dims, zero elsewhere.
void evalTrilu(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  Tensor& out = *c.out[0];
  const int64_t k = c.has(1) ? c.in[1]->getI(0) : 0;
  const bool upper = c.node.attrInt("upper") != 0;
  const Shape& s = x.shape();
  const int64_t rows = s[s.size() - 2], cols = s[s.size() - 1];
  const size_t es = dtypeSize(x.dtype());
  const auto* src = static_cast<const uint8_t*>(x.raw());
  auto* dst = static_cast<uint8_t*>(out.raw());
  for (int64_t e = 0; e < x.numel(); ++e) {
    const int64_t j = e % cols, i = e / cols % rows;
    const bool keep = upper ? j - i >= k : j - i <= k;
    if (keep)
      std::memcpy(dst + static_cast<size_t>(e) * es, src + static_cast<size_t>(e) * es, es);
    else
      std::memset(dst + static_cast<size_t>(e) * es, 0, es);
  }
}

// ---- DepthToSpace / SpaceToDepth ----------------------------------------------------------

template <bool ToSpace>
void inferDepthSpace(InferCtx& c) {
  c.setOutput(0, c.dtype(0), shape_plan::depthSpacePlan(c.node, c.shape(0), ToSpace).out);
}

template <bool ToSpace>
void evalDepthSpace(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  Tensor& out = *c.out[0];
  const auto p = shape_plan::depthSpacePlan(c.node, x.shape(), ToSpace);
  const size_t es = dtypeSize(x.dtype());
  const auto* src = static_cast<const uint8_t*>(x.raw());
  auto* dst = static_cast<uint8_t*>(out.raw());
  for (int64_t o = 0; o < out.numel(); ++o) {
    int64_t rem = o, off = 0;
    for (size_t d = p.dims.size(); d-- > 0;) {
      off += rem % p.dims[d] * p.strides[d];
      rem /= p.dims[d];
    }
    std::memcpy(dst + static_cast<size_t>(o) * es, src + static_cast<size_t>(off) * es, es);
  }
}

}  // namespace

void registerShapeExpandOps(OpRegistry& r) {
  OpDef d2s = makeOp("DepthToSpace", 1, 1, inferDepthSpace<true>, evalDepthSpace<true>,
                     "rearrange channel blocks into spatial blocks (mode DCR or CRD)",
                     {{"blocksize", Attr::Kind::Int, std::nullopt, true}, {"mode", Attr::Kind::String, Attr::Str("DCR")}});
  d2s.quantCarried = true;
  r.add(d2s);
  OpDef s2d = makeOp("SpaceToDepth", 1, 1, inferDepthSpace<false>, evalDepthSpace<false>,
                     "rearrange spatial blocks into channels (mode DCR or CRD)",
                     {{"blocksize", Attr::Kind::Int, std::nullopt, true}, {"mode", Attr::Kind::String, Attr::Str("DCR")}});
  s2d.quantCarried = true;
  r.add(s2d);
  OpDef trilu = makeOp("Trilu", 1, 2, inferTrilu, evalTrilu,
                       "upper (j - i >= k) or lower (j - i <= k) triangle of the last two dims, zeros elsewhere",
                       {{"upper", Attr::Kind::Int, Attr::Int(1)}});
  trilu.quantCarried = false;
  r.add(trilu);
  OpDef expand = makeOp("Expand", 2, 2, inferExpand, evalExpand,
                        "broadcast the input to a compile-time shape (numpy rules, both ways)");
  expand.quantCarried = true;
  r.add(expand);
  OpDef tile = makeOp("Tile", 2, 2, inferTile, evalTile, "repeat the input along each axis (compile-time repeats)");
  tile.quantCarried = true;
  r.add(tile);
  r.add(makeOp("Range", 3, 3, inferRange, evalRange,
               "start, start + delta, ... below limit (compile-time scalars; folded into a constant)",
               {{"stash_type", Attr::Kind::Int, Attr::Int(1)}}));  // (Range-27: only for float16 / bfloat16)
  r.add(makeOp("Size", 1, 1, inferSize, evalSize, "the input's element count as an int64 scalar (a constant)"));
}

}  // namespace tinyc
