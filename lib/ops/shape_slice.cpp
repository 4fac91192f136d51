// Slice, Pad and Gather (registered from registerShapeOps in shape.cpp).
#include <algorithm>
#include <cstring>
#include <limits>

#include "ops/util.h"

namespace tinyc {

// Defined in shape.cpp.
void shapeAxisCopy(const Tensor& in, Tensor& out, const std::vector<std::vector<int64_t>>& offs, const void* fill);
std::vector<int64_t> shapeConstInts(const InferCtx& c, int i, const char* what);

namespace {

template <typename... Args>
[[noreturn]] void failAt(const Node& n, fmt::format_string<Args...> f, Args&&... args) {
  modelError("{}: {}", n.where(), fmt::format(f, std::forward<Args>(args)...));
}

std::vector<int64_t> intsOf(const Node& n, const Tensor& t, const char* what) {
  if (!isInteger(t.dtype()) || t.dtype() == DType::Bool)
    failAt(n, "{} must be an integer tensor, got {}", what, dtypeName(t.dtype()));
  if (t.rank() > 1) failAt(n, "{} must be 1-D, got shape {}", what, shapeStr(t.shape()));
  return t.toInts();
}

// Normalized axes (default 0..count-1); rejects out-of-range and repeated axes.
std::vector<size_t> axesOf(const Node& n, const Tensor* axesT, size_t count, int rank) {
  std::vector<size_t> axes;
  if (!axesT) {
    if (count > static_cast<size_t>(rank)) failAt(n, "{} values given for a tensor of rank {}", count, rank);
    for (size_t i = 0; i < count; ++i) axes.push_back(i);
    return axes;
  }
  std::vector<int64_t> raw = intsOf(n, *axesT, "axes");
  if (raw.size() != count) failAt(n, "axes has {} entries, expected {}", raw.size(), count);
  for (int64_t a : raw) {
    size_t ax = static_cast<size_t>(normAxis(n, a, rank));
    if (std::find(axes.begin(), axes.end(), ax) != axes.end()) failAt(n, "axis {} is repeated in axes", a);
    axes.push_back(ax);
  }
  return axes;
}

// ---- Slice --------------------------------------------------------------------------------

struct SliceDim {
  int64_t start = 0, step = 1, count = 0;
};

std::vector<SliceDim> slicePlan(const Node& n, const Shape& shape, const Tensor& startsT, const Tensor& endsT,
                                const Tensor* axesT, const Tensor* stepsT) {
  const int rank = static_cast<int>(shape.size());
  std::vector<SliceDim> plan(shape.size());
  for (size_t d = 0; d < shape.size(); ++d) plan[d] = {0, 1, shape[d]};
  auto starts = intsOf(n, startsT, "starts");
  auto ends = intsOf(n, endsT, "ends");
  if (starts.size() != ends.size()) failAt(n, "starts has {} entries but ends has {}", starts.size(), ends.size());
  auto axes = axesOf(n, axesT, starts.size(), rank);
  std::vector<int64_t> steps(starts.size(), 1);
  if (stepsT) {
    steps = intsOf(n, *stepsT, "steps");
    if (steps.size() != starts.size()) failAt(n, "steps has {} entries, expected {}", steps.size(), starts.size());
  }
  for (size_t i = 0; i < starts.size(); ++i) {
    const int64_t dim = shape[axes[i]];
    int64_t start = starts[i], end = ends[i], step = steps[i];
    if (step == 0) failAt(n, "slice step must not be 0");
    if (start < 0) start += dim;
    if (end < 0) end += dim;
    int64_t count = 0;
    if (step > 0) {
      start = std::clamp<int64_t>(start, 0, dim);
      end = std::clamp<int64_t>(end, 0, dim);
      step = std::min(step, dim + 1);  // same result, no overflow below
      count = end > start ? (end - start - 1) / step + 1 : 0;
    } else if (dim > 0) {
      start = std::clamp<int64_t>(start, 0, dim - 1);
      end = std::clamp<int64_t>(end, -1, dim - 1);
      step = std::max(step, -(dim + 1));
      count = start > end ? (start - end - 1) / -step + 1 : 0;
    }
    plan[axes[i]] = {count ? start : 0, step, count};
  }
  return plan;
}

void inferSlice(InferCtx& c) {
  const Tensor& starts = c.requireConst(1, "starts");
  const Tensor& ends = c.requireConst(2, "ends");
  const Tensor* axes = c.has(3) ? &c.requireConst(3, "axes") : nullptr;
  const Tensor* steps = c.has(4) ? &c.requireConst(4, "steps") : nullptr;
  auto plan = slicePlan(c.node, c.shape(0), starts, ends, axes, steps);
  Shape out;
  for (const auto& p : plan) out.push_back(p.count);
  c.setOutput(0, c.dtype(0), out);
}

void evalSlice(EvalCtx& c) {
  const Tensor& a = *c.in[0];
  auto plan = slicePlan(c.node, a.shape(), *c.in[1], *c.in[2], c.has(3) ? c.in[3] : nullptr,
                        c.has(4) ? c.in[4] : nullptr);
  if (c.out[0]->numel() == 0) return;  // (dims may be huge when another one is 0)
  auto st = stridesOf(a.shape());
  std::vector<std::vector<int64_t>> offs(plan.size());
  for (size_t d = 0; d < plan.size(); ++d) {
    if (plan[d].count != c.out[0]->shape()[d]) c.fail("internal: slice shape mismatch");
    offs[d].resize(static_cast<size_t>(plan[d].count));
    for (int64_t i = 0; i < plan[d].count; ++i) offs[d][static_cast<size_t>(i)] = (plan[d].start + i * plan[d].step) * st[d];
  }
  shapeAxisCopy(a, *c.out[0], offs, nullptr);
}

// ---- Pad ----------------------------------------------------------------------------------

enum class PadMode { Constant, Reflect, Edge, Wrap };

PadMode padMode(const Node& n) {
  const std::string& m = n.attrStr("mode");
  if (m == "constant") return PadMode::Constant;
  if (m == "reflect") return PadMode::Reflect;
  if (m == "edge") return PadMode::Edge;
  if (m == "wrap") return PadMode::Wrap;
  failAt(n, "unsupported pad mode '{}'", printable(m));
}

// Per axis: (pad before, pad after).
std::vector<std::pair<int64_t, int64_t>> padPlan(const Node& n, const Shape& shape, const Tensor& padsT,
                                                 const Tensor* axesT) {
  auto pads = intsOf(n, padsT, "pads");
  const int rank = static_cast<int>(shape.size());
  if (pads.size() % 2) failAt(n, "pads has an odd number of entries ({})", pads.size());
  size_t count = pads.size() / 2;
  if (!axesT && count != shape.size())
    failAt(n, "pads has {} entries but the input has rank {} (expected {})", pads.size(), rank, 2 * rank);
  auto axes = axesOf(n, axesT, count, rank);
  std::vector<std::pair<int64_t, int64_t>> plan(shape.size(), {0, 0});
  for (size_t i = 0; i < count; ++i) plan[axes[i]] = {pads[i], pads[i + count]};
  return plan;
}

// Output extent of one padded axis, checked.
int64_t paddedDim(const Node& n, int64_t dim, std::pair<int64_t, int64_t> p, PadMode mode) {
  const int64_t lim = int64_t(1) << 40;
  if (p.first < -lim || p.first > lim || p.second < -lim || p.second > lim)
    failAt(n, "pad amounts ({}, {}) are out of range", p.first, p.second);
  int64_t out = dim + p.first + p.second;
  if (out < 0) failAt(n, "pads ({}, {}) remove more than the dimension {}", p.first, p.second, dim);
  int64_t kept = dim - std::max<int64_t>(0, -p.first) - std::max<int64_t>(0, -p.second);
  if (kept < 0) failAt(n, "pads ({}, {}) crop more than the dimension {}", p.first, p.second, dim);
  if (kept == 0 && out > 0 && mode != PadMode::Constant)
    failAt(n, "cannot pad an empty dimension in this mode (pads {}, {})", p.first, p.second);
  return out;
}

void inferPad(InferCtx& c) {
  const Tensor& pads = c.requireConst(1, "pads");
  const Tensor* axes = c.has(3) ? &c.requireConst(3, "axes") : nullptr;
  if (c.has(2)) {
    if (c.dtype(2) != c.dtype(0))
      c.fail("constant_value has type {} but the data is {}", dtypeName(c.dtype(2)), dtypeName(c.dtype(0)));
    if (numElements(c.shape(2)) > 1) c.fail("constant_value must be a scalar, got {}", shapeStr(c.shape(2)));
  }
  PadMode mode = padMode(c.node);
  auto plan = padPlan(c.node, c.shape(0), pads, axes);
  Shape out = c.shape(0);
  for (size_t d = 0; d < out.size(); ++d) out[d] = paddedDim(c.node, out[d], plan[d], mode);
  c.setOutput(0, c.dtype(0), out);
}

int64_t posMod(int64_t a, int64_t m) {
  int64_t r = a % m;
  return r < 0 ? r + m : r;
}

void evalPad(EvalCtx& c) {
  const Tensor& a = *c.in[0];
  Tensor& out = *c.out[0];
  PadMode mode = padMode(c.node);
  auto plan = padPlan(c.node, a.shape(), *c.in[1], c.has(3) ? c.in[3] : nullptr);
  if (out.numel() == 0) return;  // (dims may be huge when another one is 0)
  auto st = stridesOf(a.shape());
  std::vector<std::vector<int64_t>> offs(plan.size());
  for (size_t d = 0; d < plan.size(); ++d) {
    const int64_t dim = a.shape()[d];
    const int64_t len = paddedDim(c.node, dim, plan[d], mode);
    if (len != out.shape()[d]) c.fail("internal: pad shape mismatch");
    // Negative pads crop first; the remaining window [skip, skip + kept) is then padded.
    const int64_t skip = std::max<int64_t>(0, -plan[d].first);
    const int64_t kept = dim - skip - std::max<int64_t>(0, -plan[d].second);
    const int64_t before = std::max<int64_t>(0, plan[d].first);
    offs[d].resize(static_cast<size_t>(len));
    for (int64_t o = 0; o < len; ++o) {
      int64_t j = o - before;
      if (j < 0 || j >= kept) {
        switch (mode) {
          case PadMode::Constant: j = -1; break;
          case PadMode::Edge: j = std::clamp<int64_t>(j, 0, kept - 1); break;
          case PadMode::Wrap: j = posMod(j, kept); break;
          case PadMode::Reflect:
            if (kept == 1) {
              j = 0;
            } else {
              j = posMod(j, 2 * (kept - 1));
              if (j >= kept) j = 2 * (kept - 1) - j;
            }
            break;
        }
      }
      offs[d][static_cast<size_t>(o)] = j < 0 ? -1 : (skip + j) * st[d];
    }
  }
  // The fill element: constant_value (same dtype) or zero bytes.
  uint64_t zero = 0;
  const void* fill = &zero;
  if (c.has(2) && c.in[2]->numel() > 0) fill = c.in[2]->raw();
  shapeAxisCopy(a, out, offs, fill);
}

// ---- Gather -------------------------------------------------------------------------------

void inferGather(InferCtx& c) {
  const int r = c.rank(0);
  if (r == 0) c.fail("cannot gather from a scalar");
  if (!isInteger(c.dtype(1)) || c.dtype(1) == DType::Bool)
    c.fail("indices must be int32 or int64, got {}", dtypeName(c.dtype(1)));
  const size_t axis = static_cast<size_t>(normAxis(c.node, c.node.attrInt("axis"), r));
  const Shape& s = c.shape(0);
  if (const Tensor* idx = c.constInput(1)) {
    for (int64_t i = 0; i < idx->numel(); ++i) {
      int64_t v = idx->getI(i);
      if (v < -s[axis] || v >= s[axis]) c.fail("index {} is out of range for a dimension of {}", v, s[axis]);
    }
  }
  Shape out(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(axis));
  out.insert(out.end(), c.shape(1).begin(), c.shape(1).end());
  out.insert(out.end(), s.begin() + static_cast<std::ptrdiff_t>(axis) + 1, s.end());
  c.setOutput(0, c.dtype(0), out);
}

void evalGather(EvalCtx& c) {
  const Tensor& a = *c.in[0];
  const Tensor& idx = *c.in[1];
  const size_t axis = static_cast<size_t>(normAxis(c.node, c.node.attrInt("axis"), a.rank()));
  const int64_t dim = a.shape()[axis];
  int64_t outer = 1, inner = 1;
  for (size_t i = 0; i < axis; ++i) outer *= a.shape()[i];
  for (size_t i = axis + 1; i < a.shape().size(); ++i) inner *= a.shape()[i];
  const size_t chunk = static_cast<size_t>(inner) * dtypeSize(a.dtype());
  const int64_t n = idx.numel();
  if (c.out[0]->byteSize() != static_cast<size_t>(outer * n) * chunk) c.fail("internal: gather shape mismatch");
  const auto* src = static_cast<const uint8_t*>(a.raw());
  auto* dst = static_cast<uint8_t*>(c.out[0]->raw());
  for (int64_t k = 0; k < n; ++k) {
    int64_t v = idx.getI(k);
    if (v < -dim || v >= dim) c.fail("index {} is out of range for a dimension of {}", v, dim);
  }
  if (chunk == 0) return;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k = 0; k < n; ++k) {
      int64_t v = idx.getI(k);
      if (v < 0) v += dim;
      std::memcpy(dst, src + static_cast<size_t>(o * dim + v) * chunk, chunk);
      dst += chunk;
    }
}

OpDef op(const char* name, int minIn, int maxIn, InferFn infer, EvalFn eval, const char* doc,
         std::vector<AttrSpec> attrs = {}) {
  OpDef d;
  d.name = name;
  d.minInputs = minIn;
  d.maxInputs = maxIn;
  d.infer = infer;
  d.eval = eval;
  d.doc = doc;
  d.attrs = std::move(attrs);
  return d;
}

}  // namespace

void registerShapeSliceOps(OpRegistry& r) {
  using K = Attr::Kind;
  r.add(op("Slice", 3, 5, inferSlice, evalSlice,
           "strided slice with compile-time starts/ends/axes/steps (clamped, negative steps allowed)"));
  r.add(op("Pad", 2, 4, inferPad, evalPad, "pad (or crop with negative pads): constant, reflect, edge or wrap",
           {{"mode", K::String, Attr::Str("constant")}}));
  r.add(op("Gather", 2, 2, inferGather, evalGather, "take slices along an axis at the given (possibly negative) indices",
           {{"axis", K::Int, Attr::Int(0)}}));
}

}  // namespace tinyc
