// AffineGrid (opset 20): the sampling grid of an affine transform theta ([N, 2, 3] or [N, 3, 4]) over
// a constant size ([N, C, H, W] or [N, C, D, H, W]): each output point's (x, y[, z]) = theta applied
// to its base coordinates (-1 + (2 i + 1) / n, or -1 + 2 i / (n - 1) with align_corners; x along
// the last axis), 1. Both AffineGrid and GridSample run in the C kernels of runtime/resize.c.
// GridSample (opsets 16 and 20): output point p of batch n reads X[n, :] at the location that
// grid[n, p] gives in normalized coordinates ([-1, 1] per spatial axis, the last axis first), by
// nearest, (multi)linear or cubic interpolation, with zeros / border / reflection padding. One to
// three spatial axes. The C kernel (backends/c/runtime/resize.c, tinyc_grid_sample) follows this
// code step by step; both follow the ONNX reference (onnx/reference/ops/op_grid_sample.py).
#include <algorithm>
#include <cmath>

#include "ops/util.h"

namespace tinyc {
namespace {

enum Mode { Nearest = 0, Linear = 1, Cubic = 2 };
enum Pad { Zeros = 0, Border = 1, Reflection = 2 };

int gridMode(const Node& n) {
  const std::string& m = n.attrStr("mode");
  if (m == "nearest") return Nearest;
  if (m == "linear" || m == "bilinear") return Linear;  // bilinear / bicubic: opset 16's names
  if (m == "cubic" || m == "bicubic") return Cubic;
  modelError("{}: mode '{}' is not one of nearest, linear (bilinear), cubic (bicubic)", n.where(), printable(m));
}

int gridPad(const Node& n) {
  const std::string& m = n.attrStr("padding_mode");
  if (m == "zeros") return Zeros;
  if (m == "border") return Border;
  if (m == "reflection") return Reflection;
  modelError("{}: padding_mode '{}' is not one of zeros, border, reflection", n.where(), printable(m));
}

// Reflects x by the borders [lo, hi] until it lies inside (the reference's _gs_reflect).
double reflect(double x, double lo, double hi) {
  const double range = hi - lo;
  if (!(range > 0)) return lo;
  if (x < lo) {
    const double dx = lo - x, k = std::floor(dx / range), r = dx - k * range;
    return std::fmod(k, 2.0) == 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const double dx = x - hi, k = std::floor(dx / range), r = dx - k * range;
    return std::fmod(k, 2.0) == 0 ? hi - r : lo + r;
  }
  return x;
}

void cubicCoeffs(double t, double* c) {
  constexpr double a = -0.75;
  const double x0 = t + 1, x1 = t, x2 = 1 - t, x3 = 2 - t;
  c[0] = ((a * x0 - 5 * a) * x0 + 8 * a) * x0 - 4 * a;
  c[1] = ((a + 2) * x1 - (a + 3)) * x1 * x1 + 1;
  c[2] = ((a + 2) * x2 - (a + 3)) * x2 * x2 + 1;
  c[3] = ((a * x3 - 5 * a) * x3 + 8 * a) * x3 - 4 * a;
}

// The interpolated value at a point: the taps of the last axis summed first, then outwards (the
// reference's nesting). idx -1 = a zero outside the input.
double sumTaps(const Tensor& x, int64_t src, int d, int nd, int64_t off, const int64_t (*idx)[4], const double (*w)[4],
               const int* nt, const int64_t* stride) {
  double s = 0;
  for (int t = 0; t < nt[d]; ++t) {
    if (idx[d][t] < 0) continue;
    const int64_t o = off + idx[d][t] * stride[d];
    s += w[d][t] * (d + 1 == nd ? x.getF(src + o) : sumTaps(x, src, d + 1, nd, o, idx, w, nt, stride));
  }
  return s;
}

void inferGridSample(InferCtx& c) {
  gridMode(c.node);
  gridPad(c.node);
  const Shape& x = c.shape(0);
  const Shape& g = c.shape(1);
  if (x.size() < 3 || x.size() > 5) c.fail("X must have 1 to 3 spatial axes (rank 3 to 5), got {}", shapeStr(x));
  if (!isFloat(c.dtype(0)) || !isFloat(c.dtype(1)))
    c.fail("X and grid must be float tensors, got {} and {}", dtypeName(c.dtype(0)), dtypeName(c.dtype(1)));
  const size_t nd = x.size() - 2;
  if (g.size() != x.size() || g[0] != x[0] || g.back() != static_cast<int64_t>(nd))
    c.fail("grid must have shape [{}, <{} output dims>, {}], got {}", x[0], nd, nd, shapeStr(g));
  Shape out{x[0], x[1]};
  out.insert(out.end(), g.begin() + 1, g.end() - 1);
  c.setOutput(0, c.dtype(0), out);
}

void evalGridSample(EvalCtx& c) {
  const Tensor& x = *c.in[0];
  const Tensor& g = *c.in[1];
  Tensor& y = *c.out[0];
  const int mode = gridMode(c.node), pad = gridPad(c.node);
  const bool align = c.node.attrInt("align_corners") != 0;
  const Shape& xs = x.shape();
  const int64_t batch = xs[0], chans = xs[1];
  const int nd = static_cast<int>(xs.size()) - 2;
  int64_t dims[3] = {1, 1, 1}, stride[3] = {0, 0, 0}, plane = 1;
  for (int d = nd - 1; d >= 0; --d) {
    dims[d] = xs[static_cast<size_t>(d) + 2];
    stride[d] = plane;
    plane *= dims[d];
  }
  const int64_t points = numElements(y.shape()) / std::max<int64_t>(batch * chans, 1);
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t p = 0; p < points; ++p) {
      // Per axis: up to 4 taps (input index, or -1 for a zero outside) and their weights.
      int64_t idx[3][4];
      double w[3][4];
      int nt[3];
      for (int d = 0; d < nd; ++d) {
        const double gn = g.getF((b * points + p) * nd + (nd - 1 - d));  // grid holds (x, y, ...)
        const double len = static_cast<double>(dims[d]);
        double v = align ? (gn + 1) / 2 * (len - 1) : ((gn + 1) * len - 1) / 2;
        const double lo = align ? 0.0 : -0.5, hi = align ? len - 1 : len - 0.5;
        if (mode == Nearest) v = std::nearbyint(v);  // halves to even, as PyTorch
        if (v < lo || v > hi) {
          if (pad == Border) v = std::clamp(v, 0.0, len - 1);
          if (pad == Reflection) v = reflect(v, lo, hi);
        }
        double base = 0;
        if (mode == Nearest) {
          nt[d] = 1;
          base = std::trunc(v);
          w[d][0] = 1;
        } else if (mode == Linear) {
          nt[d] = 2;
          base = std::floor(v);
          w[d][0] = 1 - (v - base);
          w[d][1] = v - base;
        } else {
          nt[d] = 4;
          base = std::floor(v);
          cubicCoeffs(v - base, w[d]);
          base -= 1;
        }
        for (int k = 0; k < nt[d]; ++k) {
          // Far outside (a huge or non-finite coordinate) every tap is outside too.
          double i = std::isfinite(base) ? std::clamp(base + k, -4.0 - len, 2 * len + 4) : -1.0;
          if (pad == Border) i = std::clamp(i, 0.0, len - 1);
          if (pad == Reflection) i = std::trunc(reflect(i, lo, hi));
          idx[d][k] = i >= 0 && i < len ? static_cast<int64_t>(i) : -1;
        }
      }
      for (int64_t ch = 0; ch < chans; ++ch) {
        const int64_t src = (b * chans + ch) * plane;
        const double outv = sumTaps(x, src, 0, nd, 0, idx, w, nt, stride);
        y.setF((b * chans + ch) * points + p, outv);
      }
    }
}

// AffineGrid's spatial dims (H, W or D, H, W) from its constant size input.
std::vector<int64_t> affineDims(const Node& n, const Tensor& size, const Shape& theta) {
  if (size.rank() != 1 || (size.numel() != 4 && size.numel() != 5))
    modelError("{}: size must be [N, C, H, W] or [N, C, D, H, W], got {} values", n.where(), size.numel());
  const int64_t nd = size.numel() - 2;
  if (theta != Shape{size.getI(0), nd, nd + 1})
    modelError("{}: theta must be [{}, {}, {}], got {}", n.where(), size.getI(0), nd, nd + 1, shapeStr(theta));
  std::vector<int64_t> dims;
  for (int64_t i = 2; i < size.numel(); ++i) {
    if (size.getI(i) < 1) modelError("{}: size holds {}", n.where(), size.getI(i));
    dims.push_back(size.getI(i));
  }
  return dims;
}

void inferAffineGrid(InferCtx& c) {
  if (!isFloat(c.dtype(0))) c.fail("theta must be a float tensor, got {}", dtypeName(c.dtype(0)));
  const std::vector<int64_t> dims = affineDims(c.node, c.requireConst(1, "size"), c.shape(0));
  Shape out{c.shape(0)[0]};
  out.insert(out.end(), dims.begin(), dims.end());
  out.push_back(static_cast<int64_t>(dims.size()));
  c.setOutput(0, c.dtype(0), out);
}

void evalAffineGrid(EvalCtx& c) {
  const Tensor& theta = *c.in[0];
  const std::vector<int64_t> dims = affineDims(c.node, *c.in[1], theta.shape());
  const bool align = c.node.attrInt("align_corners") != 0;
  const int64_t nd = static_cast<int64_t>(dims.size()), batch = theta.shape()[0];
  int64_t points = 1;
  for (int64_t d : dims) points *= d;
  auto base = [&](int64_t i, int64_t len) {
    return align ? (len > 1 ? -1.0 + 2.0 * static_cast<double>(i) / static_cast<double>(len - 1) : -1.0)
                 : -1.0 + (2.0 * static_cast<double>(i) + 1.0) / static_cast<double>(len);
  };
  for (int64_t b = 0; b < batch; ++b)
    for (int64_t p = 0; p < points; ++p) {
      double h[4] = {0, 0, 0, 1};  // (x, y[, z]) then 1: x along the last axis
      int64_t rest = p;
      for (int64_t d = nd - 1; d >= 0; --d) {
        h[nd - 1 - d] = base(rest % dims[static_cast<size_t>(d)], dims[static_cast<size_t>(d)]);
        rest /= dims[static_cast<size_t>(d)];
      }
      h[nd] = 1;
      for (int64_t r = 0; r < nd; ++r) {
        double v = 0;
        for (int64_t k = 0; k <= nd; ++k) v += theta.getF((b * nd + r) * (nd + 1) + k) * h[k];
        c.out[0]->setF((b * points + p) * nd + r, v);
      }
    }
}

}  // namespace

void registerGridSampleOps(OpRegistry& r) {
  OpDef ag;
  ag.name = "AffineGrid";
  ag.minInputs = ag.maxInputs = 2;
  ag.infer = inferAffineGrid;
  ag.eval = evalAffineGrid;
  ag.doc = "the sampling grid of affine transforms theta over a constant size (2-D or 3-D, align_corners)";
  ag.attrs = {{"align_corners", Attr::Kind::Int, Attr::Int(0)}};
  r.add(ag);
  using K = Attr::Kind;
  OpDef d;
  d.name = "GridSample";
  d.minInputs = d.maxInputs = 2;
  d.infer = inferGridSample;
  d.eval = evalGridSample;
  d.doc = "samples X at the grid's normalized locations (nearest/linear/cubic; zeros/border/reflection padding; 1-3 spatial axes)";
  d.attrs = {{"align_corners", K::Int, Attr::Int(0)},
             {"mode", K::String, Attr::Str("linear")},
             {"padding_mode", K::String, Attr::Str("zeros")}};
  r.add(d);
}

}  // namespace tinyc
