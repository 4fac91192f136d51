// Data movement ops: Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Concat, Split, Identity,
// Dropout (inference) and Shape. Slice/Pad/Gather live in shape_slice.cpp, Constant/
// ConstantOfShape/Cast in shape_cast.cpp and Resize in shape_resize.cpp; all are registered from
// registerShapeOps below. Every op here moves bytes, so it works for every dtype.
#include <algorithm>
#include <cstring>

#include "ops/shape_plan.h"
#include "ops/util.h"

namespace tinyc {

// ---- helpers shared by the shape*.cpp files (declared again where they are used) -----------

// out[i_0..i_{r-1}] = in[sum_k offs[k][i_k]] (offsets in elements), or *fill when any
// offs[k][i_k] is negative. offs has one table per output axis, sized like that axis.
void shapeAxisCopy(const Tensor& in, Tensor& out, const std::vector<std::vector<int64_t>>& offs, const void* fill);
// The elements of a compile-time known integer input (fails when it is not known).
std::vector<int64_t> shapeConstInts(const InferCtx& c, int i, const char* what);

namespace {

template <typename... Args>
[[noreturn]] void failAt(const Node& n, fmt::format_string<Args...> f, Args&&... args) {
  modelError("{}: {}", n.where(), fmt::format(f, std::forward<Args>(args)...));
}

template <size_t N>
void axisCopyN(const uint8_t* src, uint8_t* dst, const Shape& shape, const std::vector<std::vector<int64_t>>& offs,
               const uint8_t* fill) {
  const size_t r = shape.size();
  const int64_t total = numElements(shape);
  if (total == 0) return;
  if (r == 0) {
    std::memcpy(dst, src, N);
    return;
  }
  const int64_t inner = shape[r - 1];
  const std::vector<int64_t>& last = offs[r - 1];
  std::vector<int64_t> idx(r, 0);
  for (int64_t o = 0; o < total; o += inner) {
    int64_t base = 0;
    bool bad = false;
    for (size_t k = 0; k + 1 < r; ++k) {
      int64_t v = offs[k][static_cast<size_t>(idx[k])];
      if (v < 0) bad = true;
      base += v;
    }
    uint8_t* d = dst + static_cast<size_t>(o) * N;
    for (int64_t i = 0; i < inner; ++i, d += N) {
      int64_t v = last[static_cast<size_t>(i)];
      if (bad || v < 0)
        std::memcpy(d, fill, N);
      else
        std::memcpy(d, src + static_cast<size_t>(base + v) * N, N);
    }
    for (size_t k = r - 1; k-- > 0;) {
      if (++idx[k] < shape[k]) break;
      idx[k] = 0;
    }
  }
}

}  // namespace

void shapeAxisCopy(const Tensor& in, Tensor& out, const std::vector<std::vector<int64_t>>& offs, const void* fill) {
  const auto* src = static_cast<const uint8_t*>(in.raw());
  auto* dst = static_cast<uint8_t*>(out.raw());
  const auto* f = static_cast<const uint8_t*>(fill);
  switch (dtypeSize(out.dtype())) {
    case 1: axisCopyN<1>(src, dst, out.shape(), offs, f); break;
    case 2: axisCopyN<2>(src, dst, out.shape(), offs, f); break;
    case 4: axisCopyN<4>(src, dst, out.shape(), offs, f); break;
    case 8: axisCopyN<8>(src, dst, out.shape(), offs, f); break;
    default: modelError("unsupported element size for dtype {}", dtypeName(out.dtype()));
  }
}

std::vector<int64_t> shapeConstInts(const InferCtx& c, int i, const char* what) {
  const Tensor& t = c.requireConst(i, what);
  if (!isInteger(t.dtype()) || t.dtype() == DType::Bool)
    c.fail("{} (input {}) must be an integer tensor, got {}", what, i, dtypeName(t.dtype()));
  if (t.rank() > 1) c.fail("{} (input {}) must be 1-D, got shape {}", what, i, shapeStr(t.shape()));
  return t.toInts();
}

namespace {

using shape_plan::shapeRange;
using shape_plan::splitSizes;
using shape_plan::transposePerm;
using shape_plan::makeOp;

void copyAll(EvalCtx& c) {
  const Tensor& a = *c.in[0];
  Tensor& out = *c.out[0];
  if (a.byteSize() != out.byteSize()) c.fail("internal: output size does not match the input");
  if (a.byteSize()) std::memcpy(out.raw(), a.raw(), a.byteSize());
}

int64_t prodRange(const Shape& s, size_t from, size_t to) {
  int64_t p = 1;
  for (size_t i = from; i < to; ++i) p = checkedMul(p, s[i], "tensor size");
  return p;
}

// ---- Reshape ------------------------------------------------------------------------------

void inferReshape(InferCtx& c) {
  std::vector<int64_t> spec = shapeConstInts(c, 1, "the target shape");
  const Shape& in = c.shape(0);
  const bool allowZero = c.node.attrInt("allowzero") != 0;
  Shape out(spec.size());
  int inferAt = -1;
  bool hasZero = false;
  for (size_t i = 0; i < spec.size(); ++i) {
    int64_t d = spec[i];
    if (d == -1) {
      if (inferAt >= 0) c.fail("the target shape {} has more than one -1", shapeStr(spec));
      inferAt = static_cast<int>(i);
      out[i] = 1;
    } else if (d == 0 && !allowZero) {
      if (i >= in.size())
        c.fail("target shape {} copies dimension {} (0) but the input {} has rank {}", shapeStr(spec), i,
               shapeStr(in), in.size());
      out[i] = in[i];
    } else if (d < 0) {
      c.fail("invalid dimension {} in the target shape {}", d, shapeStr(spec));
    } else {
      if (d == 0) hasZero = true;
      out[i] = d;
    }
  }
  if (allowZero && hasZero && inferAt >= 0)
    c.fail("the target shape {} has both 0 and -1 with allowzero=1", shapeStr(spec));
  const int64_t total = numElements(in);
  if (inferAt >= 0) {
    int64_t known = numElements(out);
    if (known == 0) c.fail("cannot infer the -1 dimension of {} for an input of shape {}", shapeStr(spec), shapeStr(in));
    if (total % known != 0)
      c.fail("cannot reshape {} ({} elements) to {}", shapeStr(in), total, shapeStr(spec));
    out[static_cast<size_t>(inferAt)] = total / known;
  }
  if (numElements(out) != total)
    c.fail("cannot reshape {} ({} elements) to {} ({} elements)", shapeStr(in), total, shapeStr(out),
           numElements(out));
  c.setOutput(0, c.dtype(0), out);
}

// ---- Flatten ------------------------------------------------------------------------------

void inferFlatten(InferCtx& c) {
  const int r = c.rank(0);
  int64_t axis = c.node.attrInt("axis");
  if (axis < -r || axis > r) c.fail("axis {} is out of range for rank {}", axis, r);
  if (axis < 0) axis += r;
  const Shape& s = c.shape(0);
  c.setOutput(0, c.dtype(0),
              {prodRange(s, 0, static_cast<size_t>(axis)), prodRange(s, static_cast<size_t>(axis), s.size())});
}

// ---- Transpose ----------------------------------------------------------------------------

void inferTranspose(InferCtx& c) {
  auto perm = transposePerm(c.node, c.rank(0));
  Shape out;
  for (int64_t p : perm) out.push_back(c.shape(0)[static_cast<size_t>(p)]);
  c.setOutput(0, c.dtype(0), out);
}

void evalTranspose(EvalCtx& c) {
  const Tensor& a = *c.in[0];
  Tensor& out = *c.out[0];
  auto perm = transposePerm(c.node, a.rank());
  if (out.numel() == 0) return;  // (dims may be huge when another one is 0)
  auto st = stridesOf(a.shape());
  std::vector<std::vector<int64_t>> offs(perm.size());
  for (size_t k = 0; k < perm.size(); ++k) {
    size_t p = static_cast<size_t>(perm[k]);
    offs[k].resize(static_cast<size_t>(a.shape()[p]));
    for (size_t i = 0; i < offs[k].size(); ++i) offs[k][i] = static_cast<int64_t>(i) * st[p];
  }
  shapeAxisCopy(a, out, offs, nullptr);
}

// ---- Squeeze / Unsqueeze ------------------------------------------------------------------

// Normalizes axes against `rank` and rejects duplicates.
std::vector<int> uniqueAxes(const InferCtx& c, const std::vector<int64_t>& axes, int rank) {
  std::vector<int> out;
  for (int64_t a : axes) {
    if (a < -rank || a >= rank) c.fail("axis {} is out of range for rank {}", a, rank);
    int n = static_cast<int>(a < 0 ? a + rank : a);
    if (std::find(out.begin(), out.end(), n) != out.end()) c.fail("axis {} is repeated in axes", a);
    out.push_back(n);
  }
  return out;
}

void inferSqueeze(InferCtx& c) {
  const Shape& in = c.shape(0);
  const int r = c.rank(0);
  std::vector<bool> drop(in.size(), false);
  std::vector<int64_t> axes;
  if (c.has(1)) axes = shapeConstInts(c, 1, "the axes");
  if (axes.empty()) {
    for (size_t i = 0; i < in.size(); ++i) drop[i] = in[i] == 1;
  } else {
    for (int a : uniqueAxes(c, axes, r)) {
      if (in[static_cast<size_t>(a)] != 1)
        c.fail("cannot squeeze axis {} of shape {}: its size is not 1", a, shapeStr(in));
      drop[static_cast<size_t>(a)] = true;
    }
  }
  Shape out;
  for (size_t i = 0; i < in.size(); ++i)
    if (!drop[i]) out.push_back(in[i]);
  c.setOutput(0, c.dtype(0), out);
}

void inferUnsqueeze(InferCtx& c) {
  const Shape& in = c.shape(0);
  std::vector<int64_t> axes = shapeConstInts(c, 1, "the axes");
  if (axes.empty()) c.fail("axes must not be empty");
  if (axes.size() > 64) c.fail("too many axes ({})", axes.size());
  const int outRank = static_cast<int>(in.size() + axes.size());
  std::vector<int> ax = uniqueAxes(c, axes, outRank);
  Shape out(static_cast<size_t>(outRank), 0);
  std::vector<bool> isNew(out.size(), false);
  for (int a : ax) isNew[static_cast<size_t>(a)] = true;
  size_t j = 0;
  for (size_t i = 0; i < out.size(); ++i) out[i] = isNew[i] ? 1 : in[j++];
  c.setOutput(0, c.dtype(0), out);
}

// ---- Identity / Dropout -------------------------------------------------------------------

void inferIdentity(InferCtx& c) { c.setOutput(0, c.dtype(0), c.shape(0)); }

// Training mode with a non-zero ratio drops random elements: not supported. With ratio 0 (or
// training_mode false) the op is the identity with an all-true mask.
void inferDropout(InferCtx& c) {
  if (c.has(1) && !isFloat(c.dtype(1))) c.fail("ratio must be a float tensor, got {}", dtypeName(c.dtype(1)));
  if (c.has(2)) {
    const Tensor& t = c.requireConst(2, "training_mode");
    if (t.numel() != 1) c.fail("training_mode must be a scalar, got shape {}", shapeStr(t.shape()));
    if (t.getF(0) != 0) {
      const Tensor* ratio = c.constInput(1);
      if (!ratio || ratio->numel() != 1 || ratio->getF(0) != 0)
        c.fail("training_mode=true with a non-zero ratio is not supported (tinyc compiles for inference)");
    }
  }
  c.setOutput(0, c.dtype(0), c.shape(0));
  c.setOutput(1, DType::Bool, c.shape(0));
}

void evalDropout(EvalCtx& c) {
  if (c.has(2) && c.in[2]->numel() > 0 && c.in[2]->getF(0) != 0 &&
      !(c.has(1) && c.in[1]->numel() == 1 && c.in[1]->getF(0) == 0))
    c.fail("training_mode=true with a non-zero ratio is not supported (tinyc compiles for inference)");
  copyAll(c);
  if (c.out.size() > 1 && c.out[1]) {
    Tensor& mask = *c.out[1];
    if (mask.byteSize()) std::memset(mask.raw(), 1, mask.byteSize());
  }
}

// ---- Shape --------------------------------------------------------------------------------

void evalShape(EvalCtx& c) {
  const Shape& s = c.in[0]->shape();
  auto [start, end] = shapeRange(c.node, static_cast<int64_t>(s.size()));
  for (int64_t i = start; i < end; ++i) c.out[0]->data<int64_t>()[i - start] = s[static_cast<size_t>(i)];
}

void inferShape(InferCtx& c) {
  const Shape& s = c.shape(0);
  auto [start, end] = shapeRange(c.node, static_cast<int64_t>(s.size()));
  c.setOutput(0, DType::I64, {end - start});
  // The content only depends on the (static) input shape: make it known to later ops.
  if (c.numOutputs() > 0 && c.node.outputs[0]) {
    auto t = std::make_shared<Tensor>(DType::I64, Shape{end - start});
    for (int64_t i = start; i < end; ++i) t->data<int64_t>()[i - start] = s[static_cast<size_t>(i)];
    c.node.outputs[0]->known = t;
  }
}

// ---- Concat -------------------------------------------------------------------------------

void inferConcat(InferCtx& c) {
  const int r = c.rank(0);
  if (r == 0) c.fail("cannot concatenate scalars");
  const int axis = normAxis(c.node, c.node.attrInt("axis"), r);
  Shape out = c.shape(0);
  for (int i = 1; i < c.numInputs(); ++i) {
    if (c.dtype(i) != c.dtype(0))
      c.fail("input types differ: {} and {}", dtypeName(c.dtype(0)), dtypeName(c.dtype(i)));
    const Shape& s = c.shape(i);
    if (c.rank(i) != r) c.fail("input {} has shape {} but input 0 has shape {}", i, shapeStr(s), shapeStr(c.shape(0)));
    for (int d = 0; d < r; ++d)
      if (d != axis && s[static_cast<size_t>(d)] != out[static_cast<size_t>(d)])
        c.fail("input {} has shape {}, incompatible with {} for concatenation on axis {}", i, shapeStr(s),
               shapeStr(c.shape(0)), axis);
    out[static_cast<size_t>(axis)] = checkedAdd(out[static_cast<size_t>(axis)], s[static_cast<size_t>(axis)], "concat size");
  }
  c.setOutput(0, c.dtype(0), out);
}

void evalConcat(EvalCtx& c) {
  Tensor& out = *c.out[0];
  const size_t axis = static_cast<size_t>(normAxis(c.node, c.node.attrInt("axis"), out.rank()));
  const int64_t outer = prodRange(out.shape(), 0, axis);
  const size_t innerBytes = static_cast<size_t>(prodRange(out.shape(), axis + 1, out.shape().size())) * dtypeSize(out.dtype());
  auto* dst = static_cast<uint8_t*>(out.raw());
  for (int64_t o = 0; o < outer; ++o)
    for (const Tensor* t : c.in) {
      size_t chunk = static_cast<size_t>(t->shape()[axis]) * innerBytes;
      if (chunk) std::memcpy(dst, static_cast<const uint8_t*>(t->raw()) + static_cast<size_t>(o) * chunk, chunk);
      dst += chunk;
    }
}

// ---- Split --------------------------------------------------------------------------------

void inferSplit(InferCtx& c) {
  const int r = c.rank(0);
  if (r == 0) c.fail("cannot split a scalar");
  const int axis = normAxis(c.node, c.node.attrInt("axis"), r);
  const Tensor* split = nullptr;
  if (c.has(1)) {
    split = &c.requireConst(1, "split");
    if (!isInteger(split->dtype()) || split->rank() > 1) c.fail("split must be a 1-D integer tensor");
  }
  auto sizes = splitSizes(c.node, c.shape(0)[static_cast<size_t>(axis)], c.numOutputs(), split);
  for (int i = 0; i < c.numOutputs(); ++i) {
    Shape s = c.shape(0);
    s[static_cast<size_t>(axis)] = sizes[static_cast<size_t>(i)];
    c.setOutput(i, c.dtype(0), s);
  }
}

void evalSplit(EvalCtx& c) {
  const Tensor& a = *c.in[0];
  const size_t axis = static_cast<size_t>(normAxis(c.node, c.node.attrInt("axis"), a.rank()));
  auto sizes = splitSizes(c.node, a.shape()[axis], static_cast<int>(c.out.size()), c.has(1) ? c.in[1] : nullptr);
  const int64_t outer = prodRange(a.shape(), 0, axis);
  const size_t innerBytes = static_cast<size_t>(prodRange(a.shape(), axis + 1, a.shape().size())) * dtypeSize(a.dtype());
  const size_t rowBytes = static_cast<size_t>(a.shape()[axis]) * innerBytes;
  size_t off = 0;
  for (size_t i = 0; i < c.out.size(); ++i) {
    size_t chunk = static_cast<size_t>(sizes[i]) * innerBytes;
    if (c.out[i] && chunk)
      for (int64_t o = 0; o < outer; ++o)
        std::memcpy(static_cast<uint8_t*>(c.out[i]->raw()) + static_cast<size_t>(o) * chunk,
                    static_cast<const uint8_t*>(a.raw()) + static_cast<size_t>(o) * rowBytes + off, chunk);
    off += chunk;
  }
}

// ---- registration -------------------------------------------------------------------------

}  // namespace

void registerShapeSliceOps(OpRegistry& r);
void registerShapeCastOps(OpRegistry& r);
void registerShapeResizeOps(OpRegistry& r);
void registerShapeExpandOps(OpRegistry& r);

void registerShapeOps(OpRegistry& r) {
  using K = Attr::Kind;
  auto carried = [](OpDef d) {
    d.quantCarried = true;
    return d;
  };
  r.add(carried(makeOp("Reshape", 2, 2, inferReshape, copyAll,
                       "reshape to a compile-time shape (0 copies a dim, -1 infers one)",
                       {{"allowzero", K::Int, Attr::Int(0)}})));
  r.add(carried(makeOp("Flatten", 1, 1, inferFlatten, copyAll, "reshape to 2-D [prod(dims[:axis]), prod(dims[axis:])]",
                       {{"axis", K::Int, Attr::Int(1)}})));
  r.add(carried(makeOp("Transpose", 1, 1, inferTranspose, evalTranspose, "permute axes (default: reverse them)",
                       {{"perm", K::Ints, Attr::Ints({})}})));
  r.add(carried(makeOp("Squeeze", 1, 2, inferSqueeze, copyAll,
                       "remove size-1 axes (given by the optional axes input, else all)")));
  r.add(carried(makeOp("Unsqueeze", 2, 2, inferUnsqueeze, copyAll, "insert size-1 axes at the given output positions")));
  r.add(carried(makeOp("Identity", 1, 1, inferIdentity, copyAll, "copy the input")));
  OpDef dropout = makeOp("Dropout", 1, 3, inferDropout, evalDropout, "inference dropout: copy the input, mask all true",
                     {{"seed", K::Int, std::nullopt}});
  dropout.maxOutputs = 2;
  r.add(dropout);
  OpDef shape = makeOp("Shape", 1, 1, inferShape, evalShape, "the input's shape (dims start..end) as int64",
                   {{"start", K::Int, Attr::Int(0)}, {"end", K::Int, std::nullopt}});
  r.add(shape);
  OpDef concat = makeOp("Concat", 1, 65536, inferConcat, evalConcat, "concatenate inputs along an axis",
                        {{"axis", K::Int, std::nullopt, true}});
  concat.layoutAxisAttr = "axis";
  concat.quantCarried = true;
  r.add(concat);
  OpDef split = makeOp("Split", 1, 2, inferSplit, evalSplit, "split along an axis into sizes given by `split` or num_outputs",
                   {{"axis", K::Int, Attr::Int(0)}, {"num_outputs", K::Int, std::nullopt}});
  split.maxOutputs = 65536;
  split.quantCarried = true;
  r.add(split);
  registerShapeSliceOps(r);
  registerShapeCastOps(r);
  registerShapeResizeOps(r);
  registerShapeExpandOps(r);
}

}  // namespace tinyc
