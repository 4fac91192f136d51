// Resize (opset 19 form: X, roi?, scales?, sizes?), registered from registerShapeOps.
// Follows the ONNX reference implementation: per axis, each output coordinate is mapped to an
// input coordinate x_ori; nearest picks one neighbour, linear/cubic weight 2/4 neighbours
// (more with antialias when downsampling), with edge clamping. The N-D result is the tensor
// product of the per-axis weights, computed one axis at a time.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "ops/resize_plan.h"
#include "ops/util.h"
#include "ops/shape_plan.h"

namespace tinyc {

void shapeAxisCopy(const Tensor& in, Tensor& out, const std::vector<std::vector<int64_t>>& offs, const void* fill);  // shape.cpp

namespace {

using namespace resize_plan;

void resizeNearest(const Plan& p, const std::vector<Taps>& taps, const Tensor& x, Tensor& out) {
  Tensor fill(x.dtype(), {});
  storeValue(fill, 0, p.extrapolation);
  shapeAxisCopy(x, out, nearestOffsets(p, taps, x.shape()), fill.raw());
}

void resizeInterp(const Plan& p, const std::vector<Taps>& taps, const Tensor& x, Tensor& out) {
  std::vector<double> cur = x.toDoubles(), next;
  Shape shape = x.shape();
  // Innermost axis first, like the reference's recursion.
  for (size_t d = taps.size(); d-- > 0;) {
    const Taps& t = taps[d];
    if (t.identity) continue;
    int64_t outer = 1, inner = 1;
    for (size_t i = 0; i < d; ++i) outer *= shape[i];
    for (size_t i = d + 1; i < shape.size(); ++i) inner *= shape[i];
    const int64_t inLen = shape[d], outLen = p.axes[d].out;
    next.assign(static_cast<size_t>(outer * outLen * inner), 0.0);
    const size_t n = static_cast<size_t>(t.n);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t xo = 0; xo < outLen; ++xo) {
        double* dst = &next[static_cast<size_t>((o * outLen + xo) * inner)];
        if (t.outside[static_cast<size_t>(xo)]) {
          std::fill(dst, dst + inner, p.extrapolation);
          continue;
        }
        for (size_t k = 0; k < n; ++k) {
          const size_t tk = static_cast<size_t>(xo) * n + k;
          const double w = t.w[tk];
          const double* src = &cur[static_cast<size_t>((o * inLen + t.idx[tk]) * inner)];
          for (int64_t i = 0; i < inner; ++i) dst[i] += w * src[i];
        }
      }
    cur.swap(next);
    shape[d] = outLen;
  }
  if (static_cast<int64_t>(cur.size()) != out.numel()) modelError("internal: resize size mismatch");
  for (int64_t i = 0; i < out.numel(); ++i) storeValue(out, i, cur[static_cast<size_t>(i)]);
}

const Tensor* nonEmpty(const Tensor* t) { return t && t->numel() > 0 ? t : nullptr; }

void inferResize(InferCtx& c) {
  auto present = [&](int i) { return c.has(i) && numElements(c.shape(i)) > 0; };
  const Tensor* roi = nullptr;
  if (present(1) && c.node.attrStr("coordinate_transformation_mode") == "tf_crop_and_resize")
    roi = &c.requireConst(1, "roi");
  const Tensor* scales = present(2) ? &c.requireConst(2, "scales") : nullptr;
  const Tensor* sizes = present(3) ? &c.requireConst(3, "sizes") : nullptr;
  if (scales && !isFloat(scales->dtype())) c.fail("scales must be a float tensor, got {}", dtypeName(scales->dtype()));
  if (sizes && (!isInteger(sizes->dtype()) || sizes->dtype() == DType::Bool))
    c.fail("sizes must be an integer tensor, got {}", dtypeName(sizes->dtype()));
  Plan p = resizePlan(c.node, c.shape(0), roi, scales, sizes);
  Shape out;
  for (const Axis& a : p.axes) out.push_back(a.out);
  c.setOutput(0, c.dtype(0), out);
}

void evalResize(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  Tensor& out = *c.out[0];
  const Tensor* roi = c.has(1) ? nonEmpty(c.in[1]) : nullptr;
  Plan p = resizePlan(c.node, x.shape(), roi, c.has(2) ? nonEmpty(c.in[2]) : nullptr,
                      c.has(3) ? nonEmpty(c.in[3]) : nullptr);
  for (size_t d = 0; d < p.axes.size(); ++d)
    if (p.axes[d].out != out.shape()[d]) c.fail("internal: resize shape mismatch");
  if (out.numel() == 0) return;
  std::vector<Taps> taps;
  for (const Axis& a : p.axes) taps.push_back(axisTaps(c.node, p, a));
  if (p.mode == Mode::Nearest)
    resizeNearest(p, taps, x, out);
  else
    resizeInterp(p, taps, x, out);
}

}  // namespace

void registerShapeResizeOps(OpRegistry& r) {
  using K = Attr::Kind;
  OpDef d;
  d.name = "Resize";
  d.minInputs = 1;
  d.maxInputs = 4;
  d.infer = inferResize;
  d.eval = evalResize;
  d.doc = "resize with nearest/linear/cubic interpolation to compile-time scales or sizes";
  // Nearest copies elements, so it runs on quantized integers as they are, unless an extrapolated
  // value (tf_crop_and_resize) is written.
  d.layoutPerAxisInputs = {1, 2, 3};  // roi, scales, sizes (without the axes attribute)
  d.quantCarried = true;
  d.quantCarriedIf = [](const Node& n) {
    return n.attrStr("mode") == "nearest" && n.attrStr("coordinate_transformation_mode") != "tf_crop_and_resize";
  };
  d.attrs = {{"antialias", K::Int, Attr::Int(0)},
             {"axes", K::Ints, std::nullopt},
             {"coordinate_transformation_mode", K::String, Attr::Str("half_pixel")},
             {"cubic_coeff_a", K::Float, Attr::Float(-0.75f)},
             {"exclude_outside", K::Int, Attr::Int(0)},
             {"extrapolation_value", K::Float, Attr::Float(0.0f)},
             {"keep_aspect_ratio_policy", K::String, Attr::Str("stretch")},
             {"mode", K::String, Attr::Str("nearest")},
             {"nearest_mode", K::String, Attr::Str("round_prefer_floor")}};
  r.add(d);
  // Upsample (opsets 7-9) never reaches the graph: the importer writes it as Resize-10
  // (lib/onnx/upgrade.cpp). Listed so that `tinyc ops` and the node tests know it.
  r.add(shape_plan::importedOp("Upsample", 1, 2, "deprecated (opsets 7-9): imported as Resize (asymmetric, nearest rounds down)",
                               {{"mode", K::String, Attr::Str("nearest")}, {"scales", K::Floats, std::nullopt}}));
}

}  // namespace tinyc
