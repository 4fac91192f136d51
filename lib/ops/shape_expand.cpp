// Expand, Tile, Range, Size, Trilu, DepthToSpace, SpaceToDepth, GatherElements, OneHot and EyeLike (registered from registerShapeOps in shape.cpp). Range and Size
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

// ---- GatherElements -------------------------------------------------------------------------

void inferGatherElements(InferCtx& c) {
  const int r = c.rank(0);
  if (r < 1) c.fail("data must have rank 1 or more");
  if (c.rank(1) != r) c.fail("indices must have the rank of data ({}), got {}", r, c.rank(1));
  if (c.dtype(1) != DType::I32 && c.dtype(1) != DType::I64) c.fail("indices must be int32 or int64");
  normAxis(c.node, c.node.attrInt("axis"), r);
  c.setOutput(0, c.dtype(0), c.shape(1));
}

// out[i] = data[i with its axis coordinate replaced by indices[i]] (negative: from the end).
void evalGatherElements(EvalCtx& c) {
  const Tensor &x = *c.in[0], &ind = *c.in[1];
  Tensor& out = *c.out[0];
  const size_t axis = static_cast<size_t>(normAxis(c.node, c.node.attrInt("axis"), static_cast<int>(x.rank())));
  const auto xs = stridesOf(x.shape());
  const Shape& is = ind.shape();
  const size_t es = dtypeSize(x.dtype());
  const int64_t dim = x.shape()[axis];
  for (int64_t o = 0; o < out.numel(); ++o) {
    int64_t rem = o, off = 0;
    for (size_t d = is.size(); d-- > 0;) {
      int64_t coord = rem % is[d];
      rem /= is[d];
      if (d == axis) {
        coord = ind.getI(o);
        if (coord < -dim || coord >= dim) c.fail("index {} is out of range for a dim of {}", coord, dim);
        if (coord < 0) coord += dim;
      }
      off += coord * xs[d];
    }
    std::memcpy(static_cast<uint8_t*>(out.raw()) + static_cast<size_t>(o) * es,
                static_cast<const uint8_t*>(x.raw()) + static_cast<size_t>(off) * es, es);
  }
}

// ---- OneHot -----------------------------------------------------------------------------------

int64_t oneHotDepth(const Node& n, const Tensor& d) {
  if (d.numel() != 1) modelError("{}: depth must hold one value", n.where());
  const double v = isFloat(d.dtype()) ? d.getF(0) : static_cast<double>(d.getI(0));
  if (!(v >= 1 && v <= 1e9)) modelError("{}: depth must be at least 1, got {}", n.where(), v);
  return static_cast<int64_t>(v);
}

void inferOneHot(InferCtx& c) {
  const int64_t depth = oneHotDepth(c.node, c.requireConst(1, "depth"));
  if (numElements(c.shape(2)) != 2) c.fail("values must hold two elements [off, on]");
  const int r = c.rank(0);
  int64_t axis = c.node.attrInt("axis");
  if (axis < -(r + 1) || axis > r) c.fail("axis {} is out of range for rank {}", axis, r + 1);
  if (axis < 0) axis += r + 1;
  Shape out = c.shape(0);
  out.insert(out.begin() + axis, depth);
  c.setOutput(0, c.dtype(2), out);
}

void evalOneHot(EvalCtx& c) {
  const Tensor &ind = *c.in[0], &vals = *c.in[2];
  Tensor& out = *c.out[0];
  const int64_t depth = oneHotDepth(c.node, *c.in[1]);
  const int r = static_cast<int>(ind.rank());
  int64_t axis = c.node.attrInt("axis");
  if (axis < 0) axis += r + 1;
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < r; ++d) (d < axis ? outer : inner) *= ind.shape()[static_cast<size_t>(d)];
  const size_t es = dtypeSize(out.dtype());
  const auto* v = static_cast<const uint8_t*>(vals.raw());
  auto* dst = static_cast<uint8_t*>(out.raw());
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t j = 0; j < depth; ++j)
      for (int64_t k = 0; k < inner; ++k) {
        const double raw = isFloat(ind.dtype()) ? ind.getF(o * inner + k) : static_cast<double>(ind.getI(o * inner + k));
        int64_t idx = static_cast<int64_t>(raw);  // (float indices truncate)
        if (idx < 0) idx += depth;
        std::memcpy(dst + static_cast<size_t>((o * depth + j) * inner + k) * es, v + (idx == j ? es : 0), es);
      }
}

// ---- EyeLike ----------------------------------------------------------------------------------

DType eyeLikeType(const InferCtx& c) {
  if (!c.node.hasAttr("dtype")) return c.dtype(0);
  static const std::pair<int64_t, DType> codes[] = {{1, DType::F32}, {2, DType::U8},  {3, DType::I8},   {4, DType::U16},
                                                    {5, DType::I16}, {6, DType::I32}, {7, DType::I64},  {9, DType::Bool},
                                                    {10, DType::F16}, {11, DType::F64}, {12, DType::U32}, {13, DType::U64}};
  for (const auto& [code, t] : codes)
    if (code == c.node.attrInt("dtype")) return t;
  c.fail("dtype {} is not supported", c.node.attrInt("dtype"));
}

// Ones on the diagonal shifted by k (column = row + k), zeros elsewhere: known at compile time.
std::shared_ptr<Tensor> eyeValues(const Node& n, DType t, const Shape& s) {
  auto e = std::make_shared<Tensor>(t, s);
  const int64_t k = n.attrInt("k");
  for (int64_t i = 0; i < s[0]; ++i)
    if (i + k >= 0 && i + k < s[1]) {
      if (isFloat(t)) e->setF(i * s[1] + i + k, 1.0);
      else e->setI(i * s[1] + i + k, 1);
    }
  return e;
}

void inferEyeLike(InferCtx& c) {
  if (c.rank(0) != 2) c.fail("the input must be 2-D, got rank {}", c.rank(0));
  const DType t = eyeLikeType(c);
  c.setOutput(0, t, c.shape(0));
  if (c.node.outputs[0] && numElements(c.shape(0)) <= (int64_t{1} << 24)) c.node.outputs[0]->known = eyeValues(c.node, t, c.shape(0));
}

void evalEyeLike(EvalCtx& c) {
  auto e = eyeValues(c.node, c.out[0]->dtype(), c.out[0]->shape());
  if (e->byteSize()) std::memcpy(c.out[0]->raw(), e->raw(), e->byteSize());
}

}  // namespace

void registerShapeExpandOps(OpRegistry& r) {
  OpDef ge = makeOp("GatherElements", 2, 2, inferGatherElements, evalGatherElements,
                    "data at indices along axis, element by element (output of the indices' shape)",
                    {{"axis", Attr::Kind::Int, Attr::Int(0)}});
  r.add(ge);
  r.add(makeOp("OneHot", 3, 3, inferOneHot, evalOneHot,
               "values[1] where an index equals the position along the new axis, values[0] elsewhere (compile-time depth)",
               {{"axis", Attr::Kind::Int, Attr::Int(-1)}}));
  r.add(makeOp("EyeLike", 1, 1, inferEyeLike, evalEyeLike,
               "a 2-D identity of the input's shape, diagonal shifted by k (a constant)",
               {{"dtype", Attr::Kind::Int, std::nullopt}, {"k", Attr::Kind::Int, Attr::Int(0)}}));
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
