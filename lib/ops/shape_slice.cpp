// Slice, Pad and Gather (registered from registerShapeOps in shape.cpp).
#include <algorithm>
#include <cstring>
#include <limits>

#include "ops/shape_plan.h"
#include "ops/util.h"

namespace tinyc {

// Defined in shape.cpp.
void shapeAxisCopy(const Tensor& in, Tensor& out, const std::vector<std::vector<int64_t>>& offs, const void* fill);
std::vector<int64_t> shapeConstInts(const InferCtx& c, int i, const char* what);

namespace {

using shape_plan::PadMode;
using shape_plan::padMode;
using shape_plan::paddedDim;
using shape_plan::padPlan;
using shape_plan::slicePlan;
using shape_plan::CompressPlan;
using shape_plan::compressPlan;
using shape_plan::makeOp;

// ---- Slice --------------------------------------------------------------------------------

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

void evalPad(EvalCtx& c) {
  const Tensor& a = *c.in[0];
  Tensor& out = *c.out[0];
  PadMode mode = padMode(c.node);
  auto plan = padPlan(c.node, a.shape(), *c.in[1], c.has(3) ? c.in[3] : nullptr);
  if (out.numel() == 0) return;  // (dims may be huge when another one is 0)
  auto offs = shape_plan::padOffsets(c.node, a.shape(), out.shape(), plan, mode);
  // The fill element: constant_value (same dtype) or zero bytes.
  uint64_t zero = 0;
  const void* fill = &zero;
  if (c.has(2) && c.in[2]->numel() > 0) fill = c.in[2]->raw();
  shapeAxisCopy(a, out, offs, fill);
}

// ---- CenterCropPad ------------------------------------------------------------------------
// A Pad with zeros whose (possibly negative) pads center the input in the target shape.

void inferCenterCropPad(InferCtx& c) {
  if (!isInteger(c.dtype(1)) || c.dtype(1) == DType::Bool) c.fail("shape must be int32 or int64");
  auto plan = shape_plan::centerCropPadPlan(c.node, c.shape(0), c.requireConst(1, "shape"));
  Shape out = c.shape(0);
  for (size_t a = 0; a < out.size(); ++a) out[a] += plan[a].first + plan[a].second;
  c.setOutput(0, c.dtype(0), out);
}

void evalCenterCropPad(EvalCtx& c) {
  const Tensor& a = *c.in[0];
  Tensor& out = *c.out[0];
  auto plan = shape_plan::centerCropPadPlan(c.node, a.shape(), *c.in[1]);
  if (out.numel() == 0) return;
  uint64_t zero = 0;
  shapeAxisCopy(a, out, shape_plan::padOffsets(c.node, a.shape(), out.shape(), plan, PadMode::Constant), &zero);
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

// ---- Compress: the slices along `axis` (no axis: elements of the flattened input) where the
// constant condition is true; a condition shorter than the axis drops the rest. A gather by
// compile-time indices (the C backend emits it as Gather).

void inferCompress(InferCtx& c) {
  const Tensor& cond = c.requireConst(1, "condition");
  if (cond.dtype() != DType::Bool) c.fail("condition must be bool, got {}", dtypeName(cond.dtype()));
  if (c.rank(0) < 1) c.fail("the input must have rank 1 or more");
  c.setOutput(0, c.dtype(0), compressPlan(c.node, c.shape(0), cond).out);
}

void evalCompress(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  const CompressPlan p = compressPlan(c.node, x.shape(), *c.in[1]);
  const size_t chunk = static_cast<size_t>(p.inner) * dtypeSize(x.dtype());
  const auto* src = static_cast<const uint8_t*>(x.raw());
  auto* dst = static_cast<uint8_t*>(c.out[0]->raw());
  for (int64_t o = 0; o < p.outer; ++o)
    for (int64_t i : p.indices) {
      std::memcpy(dst, src + static_cast<size_t>(o * p.dim + i) * chunk, chunk);
      dst += chunk;
    }
}

}  // namespace

void registerShapeSliceOps(OpRegistry& r) {
  OpDef compress = makeOp("Compress", 2, 2, inferCompress, evalCompress,
                          "the slices along axis (no axis: the flattened elements) where the constant condition is true",
                          {{"axis", Attr::Kind::Int, std::nullopt}});
  compress.quantCarried = true;
  r.add(compress);
  using K = Attr::Kind;
  OpDef slice = makeOp("Slice", 3, 5, inferSlice, evalSlice,
                       "strided slice with compile-time starts/ends/axes/steps (clamped, negative steps allowed)");
  slice.quantCarried = true;
  r.add(slice);
  OpDef pad = makeOp("Pad", 2, 4, inferPad, evalPad, "pad (or crop with negative pads): constant, reflect, edge or wrap",
                     {{"mode", K::String, Attr::Str("constant")}});
  pad.quantCarried = true;
  pad.quantFillInput = 2;
  r.add(pad);
  r.add(makeOp("CenterCropPad", 2, 2, inferCenterCropPad, evalCenterCropPad,
               "crops or zero-pads to a compile-time shape, centered (the smaller half before)",
               {{"axes", K::Ints, std::nullopt}}));
  OpDef gather = makeOp("Gather", 2, 2, inferGather, evalGather,
                        "take slices along an axis at the given (possibly negative) indices", {{"axis", K::Int, Attr::Int(0)}});
  gather.quantCarried = true;
  r.add(gather);
}

}  // namespace tinyc
