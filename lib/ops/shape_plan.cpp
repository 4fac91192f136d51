// Plan computations of the data-movement ops (see shape_plan.h); moved here from shape.cpp,
// shape_slice.cpp and shape_cast.cpp so the C backend uses the same code.
#include "ops/shape_plan.h"

#include <algorithm>
#include <cstring>

#include "ops/util.h"

namespace tinyc::shape_plan {

namespace {

template <typename... Args>
[[noreturn]] void failAt(const Node& n, fmt::format_string<Args...> f, Args&&... args) {
  modelError("{}: {}", n.where(), fmt::format(f, std::forward<Args>(args)...));
}

const char* const kConstantAttrs[] = {"value",        "value_float",  "value_floats",   "value_int",
                                      "value_ints",   "value_string", "value_strings",  "sparse_value"};

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

int64_t posMod(int64_t a, int64_t m) {
  int64_t r = a % m;
  return r < 0 ? r + m : r;
}

}  // namespace

OpDef importedOp(const char* name, int minIn, int maxIn, const char* doc, std::vector<AttrSpec> attrs) {
  return makeOp(name, minIn, maxIn, [](InferCtx& c) { c.fail("internal: {} is rewritten by the importer", c.node.opType); },
                [](EvalCtx& c) { c.fail("internal: {} is rewritten by the importer", c.node.opType); }, doc, std::move(attrs));
}

OpDef makeOp(const char* name, int minIn, int maxIn, InferFn infer, EvalFn eval, const char* doc,
             std::vector<AttrSpec> attrs) {
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

std::vector<int64_t> transposePerm(const Node& n, int rank) {
  std::vector<int64_t> perm = n.attrInts("perm");
  if (perm.empty()) {
    for (int i = rank - 1; i >= 0; --i) perm.push_back(i);
    return perm;
  }
  if (static_cast<int>(perm.size()) != rank)
    failAt(n, "perm {} has {} entries but the input has rank {}", shapeStr(perm), perm.size(), rank);
  std::vector<bool> seen(static_cast<size_t>(rank), false);
  for (int64_t& p : perm) {
    if (p < -rank || p >= rank) failAt(n, "perm {} is not a permutation of 0..{}", shapeStr(perm), rank - 1);
    if (p < 0) p += rank;
    if (seen[static_cast<size_t>(p)]) failAt(n, "perm {} repeats axis {}", shapeStr(perm), p);
    seen[static_cast<size_t>(p)] = true;
  }
  return perm;
}

std::pair<int64_t, int64_t> shapeRange(const Node& n, int64_t rank) {
  auto clampEnd = [&](int64_t v) {
    if (v < 0) v += rank;
    return std::clamp<int64_t>(v, 0, rank);
  };
  int64_t start = clampEnd(n.attrInt("start"));
  int64_t end = n.hasAttr("end") ? clampEnd(n.attrInt("end")) : rank;
  return {start, std::max(start, end)};
}

// Sizes of the parts along the axis: from the `split` input, else num_outputs, else equal parts.
std::vector<int64_t> splitSizes(const Node& n, int64_t dim, int numOutputs, const Tensor* split) {
  std::vector<int64_t> sizes;
  if (split && split->numel() > 0) {
    sizes = split->toInts();
    if (static_cast<int>(sizes.size()) != numOutputs)
      failAt(n, "split has {} entries but the node has {} outputs", sizes.size(), numOutputs);
    int64_t sum = 0;
    for (int64_t s : sizes) {
      if (s < 0 || s > dim) failAt(n, "invalid split size {} for a dimension of {}", s, dim);
      sum += s;
      if (sum > dim) break;
    }
    if (sum != dim) failAt(n, "split sizes {} do not add up to the dimension {}", shapeStr(sizes), dim);
    return sizes;
  }
  int64_t parts = numOutputs;
  if (n.hasAttr("num_outputs")) {
    parts = n.attrInt("num_outputs");
    if (parts != numOutputs) failAt(n, "num_outputs is {} but the node has {} outputs", parts, numOutputs);
    int64_t chunk = (dim + parts - 1) / parts;
    if (chunk * (parts - 1) > dim)
      failAt(n, "cannot split a dimension of {} into {} outputs of size {}", dim, parts, chunk);
    sizes.assign(static_cast<size_t>(parts), chunk);
    sizes.back() = dim - chunk * (parts - 1);
    return sizes;
  }
  if (dim % parts != 0) failAt(n, "a dimension of {} cannot be split evenly into {} outputs", dim, parts);
  sizes.assign(static_cast<size_t>(parts), dim / parts);
  return sizes;
}

// The tensor a Constant node produces (built from whichever attribute is set).
DepthSpacePlan depthSpacePlan(const Node& n, const Shape& in, bool toSpace) {
  if (in.size() != 4) modelError("{}: the input must be 4-D [N, C, H, W], got {}", n.where(), shapeStr(in));
  const int64_t b = n.attrInt("blocksize");
  if (b < 1) modelError("{}: blocksize must be positive, got {}", n.where(), b);
  const int64_t N = in[0], C = in[1], H = in[2], W = in[3];
  DepthSpacePlan p;
  if (toSpace) {  // DepthToSpace: C = b * b * C2
    if (C % (b * b)) modelError("{}: {} channels are not a multiple of blocksize^2 = {}", n.where(), C, b * b);
    const int64_t C2 = C / (b * b), hw = H * W;
    p.out = {N, C2, H * b, W * b};
    p.dims = {N, C2, H, b, W, b};  // (n, c2, h, b1, w, b2)
    const std::string& mode = n.attrStr("mode");
    if (mode == "DCR")  // input [N, b1, b2, C2, H, W]
      p.strides = {C * hw, hw, W, b * C2 * hw, 1, C2 * hw};
    else if (mode == "CRD")  // input [N, C2, b1, b2, H, W]
      p.strides = {C * hw, b * b * hw, W, b * hw, 1, hw};
    else
      modelError("{}: mode must be DCR or CRD, got '{}'", n.where(), printable(mode));
  } else {  // SpaceToDepth: input [N, C, H2, b1, W2, b2] -> [N, b1, b2, C, H2, W2] (DCR) or
            // [N, C, b1, b2, H2, W2] (CRD, SpaceToDepth-28's mode)
    if (H % b || W % b) modelError("{}: H and W ({} x {}) must be multiples of blocksize {}", n.where(), H, W, b);
    const int64_t H2 = H / b, W2 = W / b;
    p.out = {N, C * b * b, H2, W2};
    const std::string& mode = n.attrStr("mode");
    if (mode == "DCR") {
      p.dims = {N, b, b, C, H2, W2};
      p.strides = {C * H * W, W, 1, H * W, b * W, b};
    } else if (mode == "CRD") {
      p.dims = {N, C, b, b, H2, W2};
      p.strides = {C * H * W, H * W, W, 1, b * W, b};
    } else {
      modelError("{}: mode must be DCR or CRD, got '{}'", n.where(), printable(mode));
    }
  }
  return p;
}

Tensor constantValue(const Node& n) {
  const char* which = nullptr;
  for (const char* a : kConstantAttrs)
    if (n.hasAttr(a)) {
      if (which) modelError("{}: Constant has both '{}' and '{}'; exactly one value attribute is allowed", n.where(), which, a);
      which = a;
    }
  if (!which) modelError("{}: Constant needs one of the attributes value, value_float(s), value_int(s)", n.where());
  const std::string w = which;
  if (w == "value") {
    const Attr& a = n.attr("value");
    if (!a.t) modelError("{}: attribute 'value' has no tensor", n.where());
    return *a.t;
  }
  if (w == "value_float") {
    Tensor t(DType::F32, {});
    t.data<float>()[0] = n.attrFloat(w);
    return t;
  }
  if (w == "value_floats") {
    const auto& v = n.attrFloats(w);
    Tensor t(DType::F32, {static_cast<int64_t>(v.size())});
    if (!v.empty()) std::memcpy(t.raw(), v.data(), v.size() * sizeof(float));
    return t;
  }
  if (w == "value_int") {
    Tensor t(DType::I64, {});
    t.data<int64_t>()[0] = n.attrInt(w);
    return t;
  }
  if (w == "value_ints") {
    const auto& v = n.attrInts(w);
    Tensor t(DType::I64, {static_cast<int64_t>(v.size())});
    if (!v.empty()) std::memcpy(t.raw(), v.data(), v.size() * sizeof(int64_t));
    return t;
  }
  modelError("{}: Constant with attribute '{}' is not supported (string and sparse tensors are not supported)", n.where(), w);
}

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

std::vector<std::vector<int64_t>> padOffsets(const Node& n, const Shape& in, const Shape& out,
                                             const std::vector<std::pair<int64_t, int64_t>>& plan, PadMode mode) {
  auto st = stridesOf(in);
  std::vector<std::vector<int64_t>> offs(plan.size());
  for (size_t d = 0; d < plan.size(); ++d) {
    const int64_t dim = in[d];
    const int64_t len = paddedDim(n, dim, plan[d], mode);
    if (len != out[d]) failAt(n, "internal: pad shape mismatch");
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
  return offs;
}

// ---- Compress -----------------------------------------------------------------------------

CompressPlan compressPlan(const Node& n, const Shape& x, const Tensor& cond) {
  if (cond.rank() != 1) modelError("{}: condition must be 1-D, got {}", n.where(), shapeStr(cond.shape()));
  CompressPlan p;
  if (n.hasAttr("axis")) {
    const size_t axis = static_cast<size_t>(normAxis(n, n.attrInt("axis"), static_cast<int>(x.size())));
    for (size_t i = 0; i < x.size(); ++i) (i < axis ? p.outer : i > axis ? p.inner : p.dim) *= x[i];
    p.out = x;
    p.axis = static_cast<int64_t>(axis);
  } else {
    p.dim = numElements(x);
  }
  if (cond.numel() > p.dim)
    modelError("{}: condition has {} entries, more than the {} it selects from", n.where(), cond.numel(), p.dim);
  for (int64_t i = 0; i < cond.numel(); ++i)
    if (cond.getI(i) != 0) p.indices.push_back(i);
  if (p.axis >= 0)
    p.out[static_cast<size_t>(p.axis)] = static_cast<int64_t>(p.indices.size());
  else
    p.out = {static_cast<int64_t>(p.indices.size())};
  return p;
}

std::vector<std::pair<int64_t, int64_t>> centerCropPadPlan(const Node& n, const Shape& shape, const Tensor& shapeT) {
  const int64_t rank = static_cast<int64_t>(shape.size());
  std::vector<int64_t> axes;
  if (n.hasAttr("axes")) {
    for (int64_t a : n.attrInts("axes")) {
      if (a < -rank || a >= rank) modelError("{}: axis {} is outside the input's rank {}", n.where(), a, rank);
      axes.push_back(a < 0 ? a + rank : a);
    }
  } else {
    for (int64_t a = 0; a < rank; ++a) axes.push_back(a);
  }
  if (shapeT.rank() != 1 || shapeT.numel() != static_cast<int64_t>(axes.size()))
    modelError("{}: shape must hold {} values (one per axis), got {}", n.where(), axes.size(), shapeStr(shapeT.shape()));
  std::vector<std::pair<int64_t, int64_t>> plan(shape.size(), {0, 0});
  std::vector<bool> seen(shape.size(), false);
  for (size_t i = 0; i < axes.size(); ++i) {
    const size_t a = static_cast<size_t>(axes[i]);
    if (seen[a]) modelError("{}: axis {} is given twice", n.where(), axes[i]);
    seen[a] = true;
    const int64_t want = shapeT.getI(static_cast<int64_t>(i)), d = want - shape[a];
    if (want < 0) modelError("{}: a negative target size {}", n.where(), want);
    // padding: the smaller half before; cropping: the smaller half removed before (the reference)
    plan[a] = d >= 0 ? std::make_pair(d / 2, d - d / 2) : std::make_pair(-((-d) / 2), -((-d) - (-d) / 2));
  }
  return plan;
}

}  // namespace tinyc::shape_plan
