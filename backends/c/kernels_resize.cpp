// C kernel for Resize: nearest through per-axis offset tables (runtime/shape.c), linear and
// cubic through per-axis taps and weights (runtime/resize.c). The plan and taps come from
// lib/ops/resize_plan.h, shared with the reference interpreter. Registered from
// registerShapeKernels (kernels_shape.cpp).
#include <algorithm>

#include "backends/c/c_emit.h"
#include "backends/c/kernels_shape_util.h"
#include "ops/resize_plan.h"
#include "ops/util.h"

namespace tinyc::c::shape_kernels {

namespace {

using namespace resize_plan;

const Tensor* nonEmptyConst(const Node& n, size_t i) {
  const Value* v = n.input(i);
  if (!v || numElements(v->shape) == 0) return nullptr;
  return v->constData();
}

std::string checkResize(const Node& n) {
  const std::string& ctm = n.attrStr("coordinate_transformation_mode");
  if (ctm == "tf_crop_and_resize" && n.input(1) && numElements(n.input(1)->shape) > 0 && !n.input(1)->constData())
    return "roi must be a compile-time constant";
  for (size_t i = 2; i <= 3; ++i)
    if (n.input(i) && numElements(n.input(i)->shape) > 0 && !n.input(i)->constData())
      return fmt::format("input {} must be a compile-time constant", i);
  return checkSizes(n);
}

void emitResize(EmitCtx& c) {
  const Node& n = c.node;
  const Value* x = c.inValue(0);
  const Value* y = c.outValue(0);
  Plan p = resizePlan(n, x->shape, nonEmptyConst(n, 1), nonEmptyConst(n, 2), nonEmptyConst(n, 3));
  for (size_t d = 0; d < p.axes.size(); ++d)
    if (p.axes[d].out != y->shape[d]) internalError("{}: resize shape mismatch", n.where());
  if (numElements(y->shape) == 0) return;
  if (x->shape.empty()) return emitMemcpy(c, c.out(0), c.in(0), bytesOf(y));
  std::vector<Taps> taps;
  for (const Axis& a : p.axes) taps.push_back(axisTaps(n, p, a));

  if (p.mode == Mode::Nearest) {
    auto offs = nearestOffsets(p, taps, x->shape);
    bool anyOutside = false;
    for (const Taps& t : taps)
      if (std::find(t.outside.begin(), t.outside.end(), 1) != t.outside.end()) anyOutside = true;
    if (!anyOutside) return emitTableCopy(c, c.in(0), c.out(0), y->dtype, y->shape, offs, "NULL");
    Tensor fill(y->dtype, {});
    storeValue(fill, 0, p.extrapolation);
    c.line("{");
    c.line(fmt::format("  static const {} fill = {};", EmitCtx::ctype(y->dtype), elemLit(fill, 0)));
    emitTableCopy(c, c.in(0), c.out(0), y->dtype, y->shape, offs, "&fill");
    c.line("}");
    return;
  }

  std::vector<int64_t> ntaps, idx;
  std::vector<double> w;
  for (size_t d = 0; d < taps.size(); ++d) {
    const Taps& t = taps[d];
    if (t.identity) {
      ntaps.push_back(0);
      continue;
    }
    ntaps.push_back(t.n);
    for (int64_t o = 0; o < p.axes[d].out; ++o) {
      const size_t b = static_cast<size_t>(o) * static_cast<size_t>(t.n);
      for (size_t k = 0; k < static_cast<size_t>(t.n); ++k) {
        idx.push_back(t.outside[static_cast<size_t>(o)] ? (k == 0 ? -1 : 0) : t.idx[b + k]);
        w.push_back(t.w[b + k]);
      }
    }
  }
  if (w.empty()) return emitMemcpy(c, c.out(0), c.in(0), bytesOf(y));  // every axis unchanged
  std::string items;
  for (size_t i = 0; i < w.size(); ++i) items += (i ? (i % 6 == 0 ? ",\n      " : ", ") : "") + c.accLit(w[i]);
  c.require("resize");
  c.line("{");
  c.line(fmt::format("  static const tinyc_acc w[{}] = {{{}}};", w.size(), items));
  c.line(fmt::format("  tinyc_resize_{}({}, {}, {}, {}, {}, {}, {}, w, {});", EmitCtx::suffix(y->dtype), c.in(0), c.out(0),
                     x->shape.size(), c.intArray(x->shape), c.intArray(y->shape), c.intArray(ntaps), c.intArray(idx),
                     c.accLit(p.extrapolation)));
  c.line("}");
}

std::string checkGridSample(const Node& n) {
  if (n.input(0)->dtype != DType::F32 || n.input(1)->dtype != DType::F32)
    return "only float32 X and grid are supported";
  if (numElements(n.input(0)->shape) > INT32_MAX || numElements(n.input(1)->shape) > INT32_MAX)
    return "tensors of more than 2^31-1 elements are not supported";
  return "";
}

// GridSample (lib/ops/grid_sample.cpp): runtime/resize.c's tinyc_grid_sample_f32.
void emitGridSample(EmitCtx& c) {
  const Shape& x = c.inValue(0)->shape;
  const Shape& y = c.outValue(0)->shape;
  const std::string& m = c.node.attrStr("mode");
  const std::string& pad = c.node.attrStr("padding_mode");
  const int mode = m == "nearest" ? 0 : (m == "linear" || m == "bilinear") ? 1 : 2;
  const int padding = pad == "zeros" ? 0 : pad == "border" ? 1 : 2;
  const int64_t points = numElements(y) / std::max<int64_t>(y[0] * y[1], 1);
  c.require("resize");
  c.line(fmt::format("tinyc_grid_sample_f32({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {});", c.in(0), c.in(1), c.out(0),
                     x[0], x[1], x.size() - 2, c.intArray(Shape(x.begin() + 2, x.end())), points, mode, padding,
                     c.node.attrInt("align_corners") != 0 ? 1 : 0));
}

std::string checkAffineGrid(const Node& n) {
  if (n.input(0)->dtype != DType::F32) return "only float32 theta is supported";
  if (!n.input(1)->constData()) return "size must be a compile-time constant";
  if (numElements(n.outputs[0]->shape) > INT32_MAX) return "tensors of more than 2^31-1 elements are not supported";
  return "";
}

// AffineGrid (lib/ops/grid_sample.cpp): runtime/resize.c's tinyc_affine_grid_f32.
void emitAffineGrid(EmitCtx& c) {
  const Shape& y = c.outValue(0)->shape;
  const Shape dims(y.begin() + 1, y.end() - 1);
  c.require("resize");
  c.line(fmt::format("tinyc_affine_grid_f32({}, {}, {}, {}, {}, {});", c.in(0), c.out(0), y[0], dims.size(),
                     c.intArray(dims), c.node.attrInt("align_corners") != 0 ? 1 : 0));
}

std::string checkRoiAlign(const Node& n) {
  if (n.input(0)->dtype != DType::F32 || n.input(1)->dtype != DType::F32) return "only float32 X and rois are supported";
  for (const Value* v : {n.input(0), n.input(1), n.outputs[0]})
    if (numElements(v->shape) > INT32_MAX) return "tensors of more than 2^31-1 elements are not supported";
  return "";
}

// RoiAlign (lib/ops/roi_align.cpp): runtime/resize.c's tinyc_roi_align_f32.
void emitRoiAlign(EmitCtx& c) {
  const Shape& x = c.inValue(0)->shape;
  const Shape& y = c.outValue(0)->shape;
  const Node& n = c.node;
  c.require("resize");
  c.line(fmt::format("tinyc_roi_align_f32({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {});", c.in(0), c.in(1),
                     c.in(2), c.out(0), x[0], x[1], x[2], x[3], y[0], y[2], y[3], n.attrInt("sampling_ratio"),
                     c.accLit(n.attrFloat("spatial_scale")),
                     n.attrStr("coordinate_transformation_mode") == "half_pixel" ? 1 : 0, n.attrStr("mode") == "max" ? 1 : 0));
}

std::string checkDeformConv(const Node& n) {
  for (const Value* v : n.inputs)
    if (v && v->dtype != DType::F32) return fmt::format("only float32 is supported, an input has {}", dtypeName(v->dtype));
  for (const Value* v : {n.input(0), n.input(2), n.outputs[0]})
    if (numElements(v->shape) > INT32_MAX) return "tensors of more than 2^31-1 elements are not supported";
  return "";
}

// DeformConv (lib/ops/deform_conv.cpp): runtime/resize.c's tinyc_deform_conv_f32.
void emitDeformConv(EmitCtx& c) {
  auto in = [&](size_t i) { return c.inValue(i) ? c.in(i) : std::string("NULL"); };
  c.require("resize");
  c.line(fmt::format("tinyc_deform_conv_f32({}, {}, {}, {}, {}, {}, {});", c.in(0), c.in(1), c.in(2), in(3), in(4),
                     c.out(0), c.intArray(deformConvParams(c.node))));
}

}  // namespace

void registerResizeKernels(KernelTable& t) {
  t.add({"AffineGrid", checkAffineGrid, emitWithEmpty<emitAffineGrid>});
  t.add({"Resize", checkResize, emitWithEmpty<emitResize>});
  t.add({"GridSample", checkGridSample, emitWithEmpty<emitGridSample>});
  t.add({"RoiAlign", checkRoiAlign, emitWithEmpty<emitRoiAlign>});
  t.add({"DeformConv", checkDeformConv, emitWithEmpty<emitDeformConv>});
}

}  // namespace tinyc::c::shape_kernels
