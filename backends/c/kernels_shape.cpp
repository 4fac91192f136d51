// C kernels for data movement: Reshape Flatten Squeeze Unsqueeze Identity Dropout (plain
// copies), Transpose, Slice (strided copies, runtime/shape.c), Pad, Concat, Split and Gather.
// Shape/Constant/ConstantOfShape/Cast are in kernels_cast.cpp, Resize in kernels_resize.cpp;
// all are registered from registerShapeKernels below.
//
// Index maps are worked out here at compile time by the same plan functions as the reference
// interpreter (lib/ops/shape_plan.h). Tables are per axis (sum of the dims), never per element.
#include <algorithm>
#include <climits>
#include <optional>

#include "backends/c/c_emit.h"
#include "backends/c/kernels_shape_util.h"
#include "backends/c/runtime/scratch.h"
#include "ops/shape_plan.h"
#include "ops/util.h"

namespace tinyc::c {

namespace {

using namespace shape_kernels;

// The compile-time content of input i, or nullptr when it is absent.
const Tensor* constOf(const Node& n, size_t i) { return n.input(i) ? n.input(i)->constData() : nullptr; }

std::string checkCopy(const Node& n) { return checkSizes(n); }

// Reshape Flatten Squeeze Unsqueeze Identity: the bytes do not change.
void emitCopy(EmitCtx& c) { emitMemcpy(c, c.out(0), c.in(0), bytesOf(c.outValue(0))); }

// ---- Dropout (inference: copy, mask all true) ----------------------------------------------

void emitDropout(EmitCtx& c) {
  emitMemcpy(c, c.out(0), c.in(0), bytesOf(c.outValue(0)));
  const Value* mask = c.outValue(1);
  if (mask && numElements(mask->shape) > 0) c.line(fmt::format("memset({}, 1, {});", c.out(1), bytesOf(mask)));
}

// ---- Transpose ----------------------------------------------------------------------------

// A Transpose computed over its input (runtime/shape.c tinyc_transpose_inplace): the output's
// dims (unit dims dropped, neighbours merged where the input keeps them adjacent) must read as
// [P] [B] [A] [S] of an input laid out [P] [A] [B] [S], i.e. a batch of P matrices of A x B blocks
// of S elements, each transposed. TINYC_TIP_PARAMS (runtime/scratch.h), or nullopt for other
// permutations (they keep the strided copy).
std::optional<std::vector<int64_t>> inPlaceTransposeParams(const Node& n) {
  const Value* x = n.input(0);
  const Value* y = n.outputs.empty() ? nullptr : n.outputs[0];
  if (!x || !y || numElements(y->shape) <= 0) return std::nullopt;
  const auto perm = shape_plan::transposePerm(n, static_cast<int>(x->shape.size()));
  const auto st = stridesOf(x->shape);
  std::vector<int64_t> dims, strides;  // output order, input strides in elements
  for (size_t k = 0; k < perm.size(); ++k) {
    const int64_t d = y->shape[k], s = st[static_cast<size_t>(perm[k])];
    if (d == 1) continue;
    if (!dims.empty() && strides.back() == s * d) {
      dims.back() *= d;
      strides.back() = s;
    } else {
      dims.push_back(d);
      strides.push_back(s);
    }
  }
  int64_t inner = 1;
  if (!dims.empty() && strides.back() == 1) {
    inner = dims.back();
    dims.pop_back();
    strides.pop_back();
  }
  if (dims.size() < 2 || dims.size() > 3) return std::nullopt;
  const size_t b = dims.size() - 2, a = b + 1;  // [P] B A
  const int64_t rows = dims[a], cols = dims[b];
  if (strides[b] != inner || strides[a] != cols * inner || (b == 1 && strides[0] != rows * cols * inner))
    return std::nullopt;
  const int64_t n2 = rows * cols, outer = b == 1 ? dims[0] : 1;
  const int64_t block = inner * static_cast<int64_t>(dtypeSize(y->dtype));
  if (n2 > INT32_MAX || block > INT32_MAX || outer > INT32_MAX) return std::nullopt;
  return std::vector<int64_t>{outer, rows, cols, block};
}

void emitTranspose(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const Value* y = c.outValue(0);
  auto perm = shape_plan::transposePerm(c.node, static_cast<int>(x->shape.size()));
  auto st = stridesOf(x->shape);
  std::vector<int64_t> ost;
  for (int64_t p : perm) ost.push_back(st[static_cast<size_t>(p)]);
  if (c.inPlace(0, 0)) {  // over its input (the planner checked inPlaceTransposeParams)
    const auto p = inPlaceTransposeParams(c.node);
    if (!p) internalError("{}: in-place transpose without its geometry", c.node.where());
    c.require("shape");
    c.line(fmt::format("tinyc_transpose_inplace({}, {}, {});", c.out(0), c.intArray(*p), c.scratch()));
    return;
  }
  emitStrided(c, c.in(0), 0, c.out(0), y->dtype, y->shape, ost);
}

int64_t inPlaceScratchTranspose(const Node& n) {
  const auto p = inPlaceTransposeParams(n);
  if (!p) return -1;
  const std::vector<int32_t> q(p->begin(), p->end());
  return tinyc_transpose_inplace_scratch(q.data());
}

// ---- Slice --------------------------------------------------------------------------------

std::string checkSlice(const Node& n) {
  if (auto s = checkConstInputs(n, 1, 5); !s.empty()) return s;
  return checkSizes(n);
}

void emitSlice(EmitCtx& c) {
  const Node& n = c.node;
  const Value* x = c.inValue(0);
  const Value* y = c.outValue(0);
  auto plan = shape_plan::slicePlan(n, x->shape, *n.input(1)->constData(), *n.input(2)->constData(), constOf(n, 3),
                                    constOf(n, 4));
  auto xs = stridesOf(x->shape);
  int64_t base = 0;
  std::vector<int64_t> ost(plan.size());
  for (size_t d = 0; d < plan.size(); ++d) {
    if (plan[d].count != y->shape[d]) internalError("{}: slice shape mismatch", n.where());
    base += plan[d].start * xs[d];
    ost[d] = plan[d].step * xs[d];
  }
  emitStrided(c, c.in(0), base, c.out(0), y->dtype, y->shape, ost);
}

// ---- Pad ----------------------------------------------------------------------------------

std::string checkPad(const Node& n) {
  const std::string& m = n.attrStr("mode");
  if (m != "constant" && m != "reflect" && m != "edge" && m != "wrap") return fmt::format("unsupported pad mode '{}'", printable(m));
  if (!n.input(1)->constData()) return "pads must be a compile-time constant";
  if (n.input(3) && !n.input(3)->constData()) return "axes must be a compile-time constant";
  return checkSizes(n);
}

void emitPad(EmitCtx& c) {
  const Node& n = c.node;
  const Value* x = c.inValue(0);
  const Value* y = c.outValue(0);
  const shape_plan::PadMode mode = shape_plan::padMode(n);
  auto plan = shape_plan::padPlan(n, x->shape, *n.input(1)->constData(), constOf(n, 3));
  if (numElements(y->shape) == 0) return;
  if (x->shape.empty()) return emitMemcpy(c, c.out(0), c.in(0), bytesOf(y));
  auto offs = shape_plan::padOffsets(n, x->shape, y->shape, plan, mode);
  std::string fill = "NULL";  // zero bytes
  if (mode == shape_plan::PadMode::Constant && n.input(2) && numElements(n.input(2)->shape) > 0) fill = c.in(2);
  emitTableCopy(c, c.in(0), c.out(0), y->dtype, y->shape, offs, fill);
}

std::string checkCenterCropPad(const Node& n) {
  if (!n.input(1) || !n.input(1)->constData()) return "shape must be a compile-time constant";
  return checkCopy(n);
}

void emitCenterCropPad(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const Value* y = c.outValue(0);
  auto plan = shape_plan::centerCropPadPlan(c.node, x->shape, *c.node.input(1)->constData());
  if (numElements(y->shape) == 0) return;
  if (x->shape.empty()) return emitMemcpy(c, c.out(0), c.in(0), bytesOf(y));
  emitTableCopy(c, c.in(0), c.out(0), y->dtype, y->shape,
                shape_plan::padOffsets(c.node, x->shape, y->shape, plan, shape_plan::PadMode::Constant), "NULL");
}

// ---- Concat / Split -----------------------------------------------------------------------

int64_t prodRange(const Shape& s, size_t from, size_t to) {
  int64_t p = 1;
  for (size_t i = from; i < to; ++i) p *= s[i];
  return p;
}

// With nothing before the axis (outer == 1) every input is one contiguous slice of the output:
// the planner may then have the inputs' producers write straight into it.
std::vector<std::optional<int64_t>> concatSlices(const Node& n) {
  const Value* y = n.outputs[0];
  std::vector<std::optional<int64_t>> slices(n.inputs.size());
  const size_t axis = static_cast<size_t>(normAxis(n, n.attrInt("axis"), static_cast<int>(y->shape.size())));
  if (prodRange(y->shape, 0, axis) != 1) return slices;
  const int64_t innerBytes = prodRange(y->shape, axis + 1, y->shape.size()) * static_cast<int64_t>(dtypeSize(y->dtype));
  int64_t off = 0;
  for (size_t i = 0; i < n.inputs.size(); ++i) {
    if (!n.input(i)) return std::vector<std::optional<int64_t>>(n.inputs.size());
    slices[i] = off;
    off += n.input(i)->shape[axis] * innerBytes;
  }
  return slices;
}

void emitConcat(EmitCtx& c) {
  const Value* y = c.outValue(0);
  const size_t axis = static_cast<size_t>(normAxis(c.node, c.node.attrInt("axis"), static_cast<int>(y->shape.size())));
  const int64_t outer = prodRange(y->shape, 0, axis);
  const int64_t innerBytes = prodRange(y->shape, axis + 1, y->shape.size()) * static_cast<int64_t>(dtypeSize(y->dtype));
  const int64_t rowBytes = y->shape[axis] * innerBytes;
  if (outer == 0 || rowBytes == 0) return;
  int64_t off = 0;
  size_t copied = 0;
  for (size_t i = 0; i < c.node.inputs.size(); ++i) {
    const Value* x = c.inValue(i);
    const int64_t chunk = x->shape[axis] * innerBytes;
    if (chunk == 0) continue;
    if (outer == 1 && c.inPlace(i, off)) {  // its producer already wrote it there
      off += chunk;
      continue;
    }
    if (outer == 1 || chunk == rowBytes) {
      emitMemcpy(c, mutPtr(c.out(0), off), c.in(i), outer * chunk);
    } else {
      c.require("shape");
      c.line(fmt::format("tinyc_copy_rows({}, {}, {}, {}, {}, {});", mutPtr(c.out(0), off), rowBytes, c.in(i), chunk,
                         outer, chunk));
    }
    copied++;
    off += chunk;
  }
  if (copied == 0) c.line("/* every input was written in place */");
}

std::string checkSplit(const Node& n) {
  if (auto s = checkConstInputs(n, 1, 2); !s.empty()) return s;
  return checkSizes(n);
}

void emitSplit(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const size_t axis = static_cast<size_t>(normAxis(c.node, c.node.attrInt("axis"), static_cast<int>(x->shape.size())));
  auto sizes = shape_plan::splitSizes(c.node, x->shape[axis], static_cast<int>(c.node.outputs.size()), constOf(c.node, 1));
  if (sizes.size() != c.node.outputs.size()) internalError("{}: split size mismatch", c.node.where());
  const int64_t outer = prodRange(x->shape, 0, axis);
  const int64_t innerBytes = prodRange(x->shape, axis + 1, x->shape.size()) * static_cast<int64_t>(dtypeSize(x->dtype));
  const int64_t rowBytes = x->shape[axis] * innerBytes;
  int64_t off = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    const int64_t chunk = sizes[i] * innerBytes;
    if (c.outValue(i) && chunk > 0 && outer > 0) {
      if (outer == 1 || chunk == rowBytes) {
        emitMemcpy(c, c.out(i), constPtr(c.in(0), off), outer * chunk);
      } else {
        c.require("shape");
        c.line(fmt::format("tinyc_copy_rows({}, {}, {}, {}, {}, {});", c.out(i), chunk, constPtr(c.in(0), off),
                           rowBytes, outer, chunk));
      }
    }
    off += chunk;
  }
}

// ---- Gather -------------------------------------------------------------------------------

std::string checkGather(const Node& n) {
  DType t = n.input(1)->dtype;
  if (t == DType::U64) return "u64 indices are not supported";
  if (!isInteger(t) || t == DType::Bool) return fmt::format("indices of dtype {} are not supported", dtypeName(t));
  return checkSizes(n);
}

// Out-of-range runtime indices make the inference function return 1 (the interpreter fails).
void emitGather(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const Value* ind = c.inValue(1);
  const Value* y = c.outValue(0);
  const size_t axis = static_cast<size_t>(normAxis(c.node, c.node.attrInt("axis"), static_cast<int>(x->shape.size())));
  const int64_t outer = prodRange(x->shape, 0, axis);
  const int64_t chunk = prodRange(x->shape, axis + 1, x->shape.size()) * static_cast<int64_t>(dtypeSize(x->dtype));
  const int64_t n = numElements(ind->shape);
  if (numElements(y->shape) == 0 || chunk == 0) return;
  c.require("shape");
  c.line(fmt::format("if (tinyc_gather_{}({}, {}, {}, {}, {}, {}, {}) != 0) return 1;", EmitCtx::suffix(ind->dtype), c.in(0),
                     c.in(1), c.out(0), outer, x->shape[axis], n, chunk));
}

// Compress (constant condition): a Gather by the indices computed at compile time.
std::string checkCompress(const Node& n) {
  if (!n.input(1) || !n.input(1)->constData()) return "condition must be a compile-time constant";
  if (numElements(n.input(0)->shape) > INT32_MAX) return "tensors of more than 2^31-1 elements are not supported";
  return "";
}
void emitCompress(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const shape_plan::CompressPlan p = shape_plan::compressPlan(c.node, x->shape, *c.inValue(1)->constData());
  const int64_t chunk = p.inner * static_cast<int64_t>(dtypeSize(x->dtype));
  if (p.indices.empty() || chunk == 0 || p.outer == 0) return;
  c.require("shape");
  c.line(fmt::format("if (tinyc_gather_i32({}, {}, {}, {}, {}, {}, {}) != 0) return 1;", c.in(0), c.intArray(p.indices),
                     c.out(0), p.outer, p.dim, p.indices.size(), chunk));
}

// ---- Expand / Tile (table copies: each output index of a dim maps to an input offset) ----------

// Offsets per output dim of an input broadcast (right-aligned, size-1 dims repeated) or tiled
// (index modulo the input dim) into the output's shape.
std::vector<std::vector<int64_t>> repeatOffsets(const Shape& in, const Shape& out, bool tile) {
  std::vector<std::vector<int64_t>> offs(out.size());
  const size_t lead = out.size() - in.size();
  int64_t stride = 1;
  for (size_t k = out.size(); k-- > 0;) {
    offs[k].assign(static_cast<size_t>(out[k]), 0);
    if (k < lead) continue;
    const int64_t d = in[k - lead];
    for (int64_t i = 0; i < out[k]; ++i)
      offs[k][static_cast<size_t>(i)] = (tile ? i % d : (d == 1 ? 0 : i)) * stride;
    stride *= d;
  }
  return offs;
}

template <bool Tile>
void emitRepeat(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const Value* y = c.outValue(0);
  if (numElements(x->shape) == 0) return;
  emitTableCopy(c, c.in(0), c.out(0), y->dtype, y->shape, repeatOffsets(x->shape, y->shape, Tile), "NULL");
}

// Trilu (runtime/shape.c): k from the constant input.
std::string checkTrilu(const Node& n) {
  if (n.input(1) && !n.input(1)->constData()) return "k must be a compile-time constant";
  return checkSizes(n);
}
void emitTrilu(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const Shape& s = x->shape;
  const int64_t k = c.inValue(1) ? c.inValue(1)->constData()->getI(0) : 0;
  c.require("shape");
  c.line(fmt::format("tinyc_trilu({}, {}, {}, {}, {}, {}, {}, {});", c.in(0), c.out(0), dtypeSize(x->dtype), numElements(s),
                     s[s.size() - 2], s[s.size() - 1], std::clamp<int64_t>(k, INT32_MIN / 2, INT32_MAX / 2),
                     c.node.attrInt("upper") != 0 ? 1 : 0));
}

// DepthToSpace / SpaceToDepth: one strided copy (lib/ops/shape_plan.h: depthSpacePlan).
template <bool ToSpace>
void emitDepthSpace(EmitCtx& c) {
  const Value* y = c.outValue(0);
  const auto p = shape_plan::depthSpacePlan(c.node, c.inValue(0)->shape, ToSpace);
  emitStrided(c, c.in(0), 0, c.out(0), y->dtype, Shape(p.dims.begin(), p.dims.end()), p.strides);
}

// GatherElements (runtime/scatter.c): indices checked at run time (return 1 out of range).
std::string checkGatherElements(const Node& n) {
  if (n.outputs[0] && n.outputs[0]->shape.size() > static_cast<size_t>(kMaxRank)) return "rank above 16";
  return checkSizes(n);
}
void emitGatherElements(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const Value* ind = c.inValue(1);
  const int r = static_cast<int>(x->shape.size());
  const int axis = normAxis(c.node, c.node.attrInt("axis"), r);
  std::vector<int64_t> st(x->shape.size(), 1);
  for (int d = r - 2; d >= 0; --d) st[static_cast<size_t>(d)] = st[static_cast<size_t>(d) + 1] * x->shape[static_cast<size_t>(d) + 1];
  c.require("scatter");
  c.line(fmt::format("if (tinyc_gather_elements({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}) != 0) return 1;", c.in(0), c.in(1),
                     ind->dtype == DType::I64 ? 1 : 0, c.out(0), dtypeSize(x->dtype), numElements(ind->shape), r,
                     c.intArray(ind->shape), c.intArray(st), axis, x->shape[static_cast<size_t>(axis)]));
}

// OneHot (runtime/shape.c): depth a compile-time constant, values at run time.
std::string checkOneHot(const Node& n) {
  if (!n.input(1) || !n.input(1)->constData()) return "depth must be a compile-time constant";
  const DType t = n.input(0)->dtype;
  if (t != DType::I32 && t != DType::I64 && t != DType::F32)
    return fmt::format("indices of {} are not supported by the C kernel (int32, int64, float)", dtypeName(t));
  return checkSizes(n);
}
void emitOneHot(EmitCtx& c) {
  const Value* ind = c.inValue(0);
  const Value* y = c.outValue(0);
  const int r = static_cast<int>(ind->shape.size());
  int64_t axis = c.node.attrInt("axis");
  if (axis < 0) axis += r + 1;
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < r; ++d) (d < axis ? outer : inner) *= ind->shape[static_cast<size_t>(d)];
  c.require("shape");
  c.line(fmt::format("tinyc_onehot_{}({}, {}, {}, {}, {}, {}, {});", EmitCtx::suffix(ind->dtype), c.in(0), c.in(2),
                     c.out(0), dtypeSize(y->dtype), outer, y->shape[static_cast<size_t>(axis)], inner));
}

}  // namespace

void registerShapeKernels(KernelTable& t) {
  t.add({"GatherElements", checkGatherElements, emitWithEmpty<emitGatherElements>});
  t.add({"OneHot", checkOneHot, emitWithEmpty<emitOneHot>});
  t.add({"DepthToSpace", checkCopy, emitWithEmpty<emitDepthSpace<true>>});
  t.add({"SpaceToDepth", checkCopy, emitWithEmpty<emitDepthSpace<false>>});
  t.add({"Trilu", checkTrilu, emitWithEmpty<emitTrilu>});
  t.add({"Expand", checkCopy, emitWithEmpty<emitRepeat<false>>});
  t.add({"Tile", checkCopy, emitWithEmpty<emitRepeat<true>>});
  t.add({"Reshape", checkCopy, emitWithEmpty<emitCopy>, nullptr, true});
  t.add({"Flatten", checkCopy, emitWithEmpty<emitCopy>, nullptr, true});
  t.add({"Squeeze", checkCopy, emitWithEmpty<emitCopy>, nullptr, true});
  t.add({"Unsqueeze", checkCopy, emitWithEmpty<emitCopy>, nullptr, true});
  t.add({"Identity", checkCopy, emitWithEmpty<emitCopy>, nullptr, true});
  t.add({"Dropout", checkCopy, emitWithEmpty<emitDropout>, nullptr, true});
  {
    CKernel k{"Transpose", checkCopy, emitWithEmpty<emitTranspose>};
    k.inPlaceScratch = inPlaceScratchTranspose;
    k.inPlaceWhenSmaller = true;  // the cycle-following copy is slower than the strided one
    t.add(k);
  }
  t.add({"Slice", checkSlice, emitWithEmpty<emitSlice>});
  t.add({"Pad", checkPad, emitWithEmpty<emitPad>});
  t.add({"CenterCropPad", checkCenterCropPad, emitWithEmpty<emitCenterCropPad>});
  t.add({"Concat", checkCopy, emitWithEmpty<emitConcat>, nullptr, false, false, concatSlices});
  t.add({"Split", checkSplit, emitWithEmpty<emitSplit>});
  t.add({"Gather", checkGather, emitWithEmpty<emitGather>});
  t.add({"Compress", checkCompress, emitWithEmpty<emitCompress>});
  shape_kernels::registerCastKernels(t);  // Shape Constant ConstantOfShape Cast
  shape_kernels::registerResizeKernels(t);
}

}  // namespace tinyc::c
