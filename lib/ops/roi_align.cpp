// RoiAlign (opsets 10 and 16): for each region of interest r (rois[r] = x1, y1, x2, y2 in the
// input's coordinates times spatial_scale, of image batch_indices[r]) an output_height x
// output_width grid of bins over X's plane, each bin the average (or the maximum) of
// sampling_ratio x sampling_ratio bilinear samples (ceil(bin size) per axis when
// sampling_ratio is 0). Follows the ONNX reference (onnx/reference/ops/op_roi_align.py, which
// follows ONNX Runtime) step by step, including its "max" mode, which takes the largest of the
// four weighted taps of each sample rather than the largest interpolated value. Opset 10 has no
// coordinate_transformation_mode and behaves as "output_half_pixel" (lib/onnx/upgrade.cpp).
// tinyc's choices where the reference is undefined: a batch index outside [0, N) gives a bin of
// zeros, a NaN sample position counts as outside the plane (zero weights), and at most 2^20
// samples per axis of a bin. The C kernel: backends/c/runtime/resize.c, tinyc_roi_align_f32.
#include <algorithm>
#include <cmath>

#include "ops/util.h"

namespace tinyc {
namespace {

constexpr int64_t kMaxGrid = int64_t(1) << 20;

bool halfPixel(const Node& n) {
  const std::string& m = n.attrStr("coordinate_transformation_mode");
  if (m == "half_pixel") return true;
  if (m == "output_half_pixel") return false;
  modelError("{}: coordinate_transformation_mode '{}' is not half_pixel or output_half_pixel", n.where(), printable(m));
}

bool maxMode(const Node& n) {
  const std::string& m = n.attrStr("mode");
  if (m == "avg") return false;
  if (m == "max") return true;
  modelError("{}: mode '{}' is not avg or max", n.where(), printable(m));
}

void inferRoiAlign(InferCtx& c) {
  halfPixel(c.node);
  maxMode(c.node);
  const Shape& x = c.shape(0);
  const Shape& rois = c.shape(1);
  const Shape& idx = c.shape(2);
  if (x.size() != 4) c.fail("X must be [N, C, H, W], got {}", shapeStr(x));
  if (!isFloat(c.dtype(0)) || c.dtype(1) != c.dtype(0))
    c.fail("X and rois must be float tensors of one type, got {} and {}", dtypeName(c.dtype(0)), dtypeName(c.dtype(1)));
  if (c.dtype(2) != DType::I64) c.fail("batch_indices must be int64, got {}", dtypeName(c.dtype(2)));
  if (rois.size() != 2 || rois[1] != 4) c.fail("rois must be [num_rois, 4], got {}", shapeStr(rois));
  if (idx.size() != 1 || idx[0] != rois[0])
    c.fail("batch_indices must be [{}] (one per roi), got {}", rois[0], shapeStr(idx));
  const int64_t oh = c.node.attrInt("output_height"), ow = c.node.attrInt("output_width");
  if (oh < 1 || ow < 1) c.fail("output_height and output_width must be at least 1, got {} and {}", oh, ow);
  if (c.node.attrInt("sampling_ratio") < 0) c.fail("sampling_ratio must be >= 0, got {}", c.node.attrInt("sampling_ratio"));
  c.setOutput(0, c.dtype(0), {rois[0], x[1], oh, ow});
}

// Samples per axis of a bin: sampling_ratio, or ceil(roi size / bins) (truncated towards zero as
// the reference's int(); 0 or less: no samples).
int64_t gridOf(int64_t ratio, double size, int64_t bins) {
  if (ratio > 0) return ratio;
  const double g = std::ceil(size / static_cast<double>(bins));
  if (!(g > 0)) return 0;
  return g > static_cast<double>(kMaxGrid) ? kMaxGrid : static_cast<int64_t>(g);
}

void evalRoiAlign(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  const Tensor& rois = *c.in[1];
  const Tensor& bidx = *c.in[2];
  Tensor& y = *c.out[0];
  const bool half = halfPixel(c.node), isMax = maxMode(c.node);
  const int64_t n = x.shape()[0], chans = x.shape()[1], h = x.shape()[2], w = x.shape()[3];
  const int64_t nr = rois.shape()[0], oh = c.node.attrInt("output_height"), ow = c.node.attrInt("output_width");
  const int64_t ratio = c.node.attrInt("sampling_ratio");
  const double scale = c.node.attrFloat("spatial_scale"), offset = half ? 0.5 : 0.0;
  for (int64_t r = 0; r < nr; ++r) {
    const double x1 = rois.getF(r * 4) * scale - offset, y1 = rois.getF(r * 4 + 1) * scale - offset;
    const double x2 = rois.getF(r * 4 + 2) * scale - offset, y2 = rois.getF(r * 4 + 3) * scale - offset;
    double rw = x2 - x1, rh = y2 - y1;
    if (!half) rw = std::max(rw, 1.0), rh = std::max(rh, 1.0);  // malformed rois as 1 x 1
    const double bh = rh / static_cast<double>(oh), bw = rw / static_cast<double>(ow);
    const int64_t gh = gridOf(ratio, rh, oh), gw = gridOf(ratio, rw, ow);
    const double count = static_cast<double>(std::max<int64_t>(gh * gw, 1));
    const int64_t b = bidx.getI(r);
    for (int64_t ch = 0; ch < chans; ++ch) {
      const int64_t plane = (b * chans + ch) * h * w;
      for (int64_t ph = 0; ph < oh; ++ph)
        for (int64_t pw = 0; pw < ow; ++pw) {
          double out = 0;
          bool first = true;
          for (int64_t iy = 0; iy < gh && b >= 0 && b < n; ++iy) {
            const double yy = y1 + static_cast<double>(ph) * bh + (static_cast<double>(iy) + 0.5) * bh / static_cast<double>(gh);
            for (int64_t ix = 0; ix < gw; ++ix) {
              const double xx = x1 + static_cast<double>(pw) * bw + (static_cast<double>(ix) + 0.5) * bw / static_cast<double>(gw);
              int64_t pos[4] = {0, 0, 0, 0};
              double wt[4] = {0, 0, 0, 0};
              if (!(yy < -1.0 || yy > static_cast<double>(h) || xx < -1.0 || xx > static_cast<double>(w)) &&
                  !std::isnan(yy) && !std::isnan(xx)) {
                double sy = std::max(yy, 0.0), sx = std::max(xx, 0.0);
                int64_t ylo = static_cast<int64_t>(sy), xlo = static_cast<int64_t>(sx), yhi, xhi;
                if (ylo >= h - 1) yhi = ylo = h - 1, sy = static_cast<double>(ylo);
                else yhi = ylo + 1;
                if (xlo >= w - 1) xhi = xlo = w - 1, sx = static_cast<double>(xlo);
                else xhi = xlo + 1;
                const double ly = sy - static_cast<double>(ylo), lx = sx - static_cast<double>(xlo);
                const double hy = 1.0 - ly, hx = 1.0 - lx;
                pos[0] = ylo * w + xlo, pos[1] = ylo * w + xhi, pos[2] = yhi * w + xlo, pos[3] = yhi * w + xhi;
                wt[0] = hy * hx, wt[1] = hy * lx, wt[2] = ly * hx, wt[3] = ly * lx;
              }
              if (!isMax) {
                out += wt[0] * x.getF(plane + pos[0]) + wt[1] * x.getF(plane + pos[1]) +
                       wt[2] * x.getF(plane + pos[2]) + wt[3] * x.getF(plane + pos[3]);
              } else {
                double v = wt[0] * x.getF(plane + pos[0]);
                for (int k = 1; k < 4; ++k) v = std::max(v, wt[k] * x.getF(plane + pos[k]));
                out = first ? v : std::max(out, v);
                first = false;
              }
            }
          }
          if (!isMax) out /= count;
          y.setF(((r * chans + ch) * oh + ph) * ow + pw, out);
        }
    }
  }
}

}  // namespace

void registerRoiAlignOps(OpRegistry& r) {
  using K = Attr::Kind;
  OpDef d;
  d.name = "RoiAlign";
  d.minInputs = d.maxInputs = 3;
  d.infer = inferRoiAlign;
  d.eval = evalRoiAlign;
  d.doc = "average (or max) of bilinear samples over a grid of bins in each region of interest (half_pixel or output_half_pixel)";
  d.attrs = {{"coordinate_transformation_mode", K::String, Attr::Str("half_pixel")},
             {"mode", K::String, Attr::Str("avg")},
             {"output_height", K::Int, Attr::Int(1)},
             {"output_width", K::Int, Attr::Int(1)},
             {"sampling_ratio", K::Int, Attr::Int(0)},
             {"spatial_scale", K::Float, Attr::Float(1.0f)}};
  r.add(d);
}

}  // namespace tinyc
