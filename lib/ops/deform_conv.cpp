// DeformConv (opset 19), 2-D: a convolution whose kernel taps sample X at positions moved by
// `offset` ([N, offset_group * KH * KW * 2, OH, OW]: per offset group, tap and output pixel the
// (dy, dx) added to the tap's position) by bilinear interpolation with zeros outside, each tap's
// product also scaled by `mask` ([N, offset_group * KH * KW, OH, OW], 1 when absent), plus the
// bias. Groups and offset groups (input channel c uses offset group c / (C / offset_group)). As
// the ONNX reference (onnx/reference/ops/op_deform_conv.py, which samples by GridSample with
// align_corners: the same pixel positions). The C kernel: runtime/resize.c, tinyc_deform_conv_f32.
#include <cmath>

#include "ops/nn_common.h"

namespace tinyc {
namespace {

struct DeformGeom {
  int64_t n = 0, c = 0, h = 0, w = 0, m = 0, oh = 0, ow = 0, kh = 0, kw = 0, sh = 1, sw = 1, dh = 1, dw = 1, pt = 0,
          pl = 0, group = 1, offsetGroup = 1;
};

DeformGeom geometry(const Node& n, const Shape& x, const Shape& w, const Shape& off, const Shape* mask,
                    const Shape* bias) {
  auto fail = [&](const std::string& why) { modelError("{}: {}", n.where(), why); };
  if (x.size() != 4 || w.size() != 4)
    fail(fmt::format("only 2-D DeformConv is supported: X {} and W {} must be rank 4", shapeStr(x), shapeStr(w)));
  DeformGeom g;
  g.n = x[0], g.c = x[1], g.h = x[2], g.w = x[3], g.m = w[0];
  g.group = n.attrInt("group"), g.offsetGroup = n.attrInt("offset_group");
  if (g.group < 1 || g.offsetGroup < 1) fail("group and offset_group must be at least 1");
  if (w[1] * g.group != g.c || g.m % g.group)
    fail(fmt::format("W {} does not fit X's {} channels in {} groups", shapeStr(w), g.c, g.group));
  if (g.c % g.offsetGroup) fail(fmt::format("{} channels do not divide into {} offset groups", g.c, g.offsetGroup));
  std::vector<int64_t> k = n.attrs.count("kernel_shape") ? n.attrInts("kernel_shape") : std::vector<int64_t>{w[2], w[3]};
  if (k.size() != 2 || k[0] != w[2] || k[1] != w[3])
    fail(fmt::format("kernel_shape must be W's spatial dims {}x{}", w[2], w[3]));
  const nn::Window win = nn::forwardWindow(n, x, k, false);
  g.oh = win.out[1], g.ow = win.out[2], g.kh = k[0], g.kw = k[1];
  g.sh = win.s[1], g.sw = win.s[2], g.dh = win.d[1], g.dw = win.d[2], g.pt = win.pb[1], g.pl = win.pb[2];
  const Shape want{g.n, g.offsetGroup * g.kh * g.kw * 2, g.oh, g.ow};
  if (off != want) fail(fmt::format("offset must be {}, got {}", shapeStr(want), shapeStr(off)));
  if (mask && *mask != Shape{g.n, g.offsetGroup * g.kh * g.kw, g.oh, g.ow})
    fail(fmt::format("mask must be [{}, {}, {}, {}], got {}", g.n, g.offsetGroup * g.kh * g.kw, g.oh, g.ow, shapeStr(*mask)));
  if (bias && *bias != Shape{g.m}) fail(fmt::format("B must be [{}], got {}", g.m, shapeStr(*bias)));
  return g;
}

DeformGeom geometryOf(const Node& n) {
  return geometry(n, n.input(0)->shape, n.input(1)->shape, n.input(2)->shape,
                  n.input(4) ? &n.input(4)->shape : nullptr, n.input(3) ? &n.input(3)->shape : nullptr);
}

void inferDeformConv(InferCtx& c) {
  const DType t = c.dtype(0);
  if (!isFloat(t)) c.fail("X must be a float type, got {}", dtypeName(t));
  for (int i = 1; i < c.numInputs(); ++i)
    if (c.has(i) && c.dtype(i) != t) c.fail("input {} must have X's type {}, got {}", i, dtypeName(t), dtypeName(c.dtype(i)));
  const DeformGeom g = geometryOf(c.node);
  c.setOutput(0, t, {g.n, g.m, g.oh, g.ow});
}

// X's bilinear value at (y, x) of plane `base`, zeros outside (the 4 taps each checked).
double sample(const Tensor& x, int64_t base, int64_t h, int64_t w, double y, double xx) {
  const double fy = std::floor(y), fx = std::floor(xx);
  if (!(std::fabs(fy) < 1e15) || !(std::fabs(fx) < 1e15)) return 0;  // far outside or NaN
  const int64_t y0 = static_cast<int64_t>(fy), x0 = static_cast<int64_t>(fx);
  const double ly = y - fy, lx = xx - fx;
  double s = 0;
  for (int a = 0; a < 2; ++a) {
    const int64_t yy = y0 + a;
    if (yy < 0 || yy >= h) continue;
    double row = 0;
    for (int b = 0; b < 2; ++b) {
      const int64_t xi = x0 + b;
      if (xi >= 0 && xi < w) row += (b ? lx : 1 - lx) * x.getF(base + yy * w + xi);
    }
    s += (a ? ly : 1 - ly) * row;
  }
  return s;
}

void evalDeformConv(EvalCtx& c) {
  const DeformGeom g = geometryOf(c.node);
  const Tensor &x = *c.in[0], &w = *c.in[1], &off = *c.in[2];
  const Tensor* bias = c.in.size() > 3 ? c.in[3] : nullptr;
  const Tensor* mask = c.in.size() > 4 ? c.in[4] : nullptr;
  const int64_t cg = g.c / g.group, mg = g.m / g.group, cog = g.c / g.offsetGroup, taps = g.kh * g.kw;
  for (int64_t b = 0; b < g.n; ++b)
    for (int64_t o = 0; o < g.m; ++o)
      for (int64_t i = 0; i < g.oh; ++i)
        for (int64_t j = 0; j < g.ow; ++j) {
          double acc = bias ? bias->getF(o) : 0.0;
          const int64_t grp = o / mg;
          for (int64_t ci = grp * cg; ci < (grp + 1) * cg; ++ci) {
            const int64_t og = ci / cog;
            for (int64_t p = 0; p < g.kh; ++p)
              for (int64_t q = 0; q < g.kw; ++q) {
                const int64_t tap = p * g.kw + q;
                const int64_t oo = ((b * g.offsetGroup + og) * taps + tap) * 2;
                const double dy = off.getF((oo * g.oh + i) * g.ow + j), dx = off.getF(((oo + 1) * g.oh + i) * g.ow + j);
                const double y = static_cast<double>(i * g.sh - g.pt + p * g.dh) + dy;
                const double xx = static_cast<double>(j * g.sw - g.pl + q * g.dw) + dx;
                double v = w.getF(((o * cg + (ci - grp * cg)) * g.kh + p) * g.kw + q) *
                           sample(x, (b * g.c + ci) * g.h * g.w, g.h, g.w, y, xx);
                if (mask) v *= mask->getF((((b * g.offsetGroup + og) * taps + tap) * g.oh + i) * g.ow + j);
                acc += v;
              }
          }
          c.out[0]->setF(((b * g.m + o) * g.oh + i) * g.ow + j, acc);
        }
}

int64_t macsDeformConv(const Node& n) {
  const DeformGeom g = geometryOf(n);
  return g.m * g.oh * g.ow * (g.c / g.group) * g.kh * g.kw;  // batch 1
}

}  // namespace

std::vector<int64_t> deformConvParams(const Node& n) {
  const DeformGeom g = geometryOf(n);
  return {g.n, g.c, g.h, g.w, g.m, g.oh, g.ow, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw, g.pt, g.pl, g.group, g.offsetGroup};
}

void registerDeformConvOps(OpRegistry& r) {
  using K = Attr::Kind;
  OpDef d;
  d.name = "DeformConv";
  d.minInputs = 3;
  d.maxInputs = 5;
  d.infer = inferDeformConv;
  d.eval = evalDeformConv;
  d.macs = macsDeformConv;
  d.doc = "2-D convolution whose taps sample X bilinearly at learned offsets (mask, groups, offset groups)";
  d.attrs = {{"dilations", K::Ints, std::nullopt}, {"group", K::Int, Attr::Int(1)},
             {"kernel_shape", K::Ints, std::nullopt}, {"offset_group", K::Int, Attr::Int(1)},
             {"pads", K::Ints, std::nullopt}, {"strides", K::Ints, std::nullopt}};
  r.add(d);
}

}  // namespace tinyc
