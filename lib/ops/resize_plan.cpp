// Resize plan and taps (see resize_plan.h); moved here from shape_resize.cpp so the C backend
// uses the same code.
#include "ops/resize_plan.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "ops/util.h"

namespace tinyc::resize_plan {

namespace {

template <typename... Args>
[[noreturn]] void failAt(const Node& n, fmt::format_string<Args...> f, Args&&... args) {
  modelError("{}: {}", n.where(), fmt::format(f, std::forward<Args>(args)...));
}

constexpr int64_t kMaxDim = int64_t(1) << 53;  // exact in double; real tensors are far smaller

// Input coordinate of output coordinate x; sets *outside for tf_crop_and_resize extrapolation.
double sourceCoord(const Plan& p, const Axis& a, int64_t xi, bool* outside) {
  const double x = static_cast<double>(xi), in = static_cast<double>(a.in), ow = a.outWidth;
  *outside = false;
  switch (p.ctm) {
    case Ctm::AlignCorners: return ow == 1 ? 0.0 : x * (in - 1) / (ow - 1);
    case Ctm::Asymmetric: return x / a.scale;
    case Ctm::TfHalfPixelForNn: return (x + 0.5) / a.scale;
    case Ctm::PytorchHalfPixel: return ow == 1 ? 0.0 : (x + 0.5) / a.scale - 0.5;
    case Ctm::HalfPixel: return (x + 0.5) / a.scale - 0.5;
    case Ctm::HalfPixelSymmetric: {
      double adjustment = static_cast<double>(a.out) / ow;
      double center = in / 2;
      double offset = center * (1 - adjustment);
      return offset + (x + 0.5) / a.scale - 0.5;
    }
    case Ctm::TfCropAndResize: {
      double xo = ow == 1 ? (a.roiEnd - a.roiStart) * (in - 1) / 2 : x * (a.roiEnd - a.roiStart) * (in - 1) / (ow - 1);
      xo += a.roiStart * (in - 1);
      if (xo < 0 || xo > in - 1) *outside = true;
      return xo;
    }
  }
  return 0;
}

}  // namespace

Plan resizePlan(const Node& n, const Shape& in, const Tensor* roi, const Tensor* scales, const Tensor* sizes) {
  Plan p;
  const std::string& mode = n.attrStr("mode");
  if (mode == "nearest") p.mode = Mode::Nearest;
  else if (mode == "linear") p.mode = Mode::Linear;
  else if (mode == "cubic") p.mode = Mode::Cubic;
  else failAt(n, "unsupported mode '{}' (expected nearest, linear or cubic)", printable(mode));
  const std::string& ctm = n.attrStr("coordinate_transformation_mode");
  if (ctm == "half_pixel") p.ctm = Ctm::HalfPixel;
  else if (ctm == "half_pixel_symmetric") p.ctm = Ctm::HalfPixelSymmetric;
  else if (ctm == "pytorch_half_pixel") p.ctm = Ctm::PytorchHalfPixel;
  else if (ctm == "align_corners") p.ctm = Ctm::AlignCorners;
  else if (ctm == "asymmetric") p.ctm = Ctm::Asymmetric;
  else if (ctm == "tf_crop_and_resize") p.ctm = Ctm::TfCropAndResize;
  else if (ctm == "tf_half_pixel_for_nn") p.ctm = Ctm::TfHalfPixelForNn;  // removed in opset 13
  else failAt(n, "unsupported coordinate_transformation_mode '{}'", printable(ctm));
  const std::string& nm = n.attrStr("nearest_mode");
  if (nm == "round_prefer_floor") p.nearest = NearestMode::RoundPreferFloor;
  else if (nm == "round_prefer_ceil") p.nearest = NearestMode::RoundPreferCeil;
  else if (nm == "floor") p.nearest = NearestMode::Floor;
  else if (nm == "ceil") p.nearest = NearestMode::Ceil;
  else failAt(n, "unsupported nearest_mode '{}'", printable(nm));
  const std::string& policy = n.attrStr("keep_aspect_ratio_policy");
  if (policy != "stretch" && policy != "not_larger" && policy != "not_smaller")
    failAt(n, "unsupported keep_aspect_ratio_policy '{}'", printable(policy));
  p.cubicA = n.attrFloat("cubic_coeff_a");
  p.excludeOutside = n.attrInt("exclude_outside") != 0;
  p.extrapolation = n.attrFloat("extrapolation_value");
  p.antialias = n.attrInt("antialias") != 0;
  if (p.antialias && p.mode == Mode::Nearest) failAt(n, "antialias is not supported with mode nearest");

  const int rank = static_cast<int>(in.size());
  std::vector<size_t> axes;
  if (n.hasAttr("axes")) {
    for (int64_t a : n.attrInts("axes")) {
      size_t ax = static_cast<size_t>(normAxis(n, a, rank));
      if (std::find(axes.begin(), axes.end(), ax) != axes.end()) failAt(n, "axis {} is repeated in axes", a);
      axes.push_back(ax);
    }
  } else {
    for (size_t i = 0; i < in.size(); ++i) axes.push_back(i);
  }
  p.axes.resize(in.size());
  for (size_t d = 0; d < in.size(); ++d) p.axes[d] = {in[d], in[d], 1.0, static_cast<double>(in[d]), 0, 1};

  if (scales && sizes) failAt(n, "only one of scales and sizes may be given");
  if (!scales && !sizes) failAt(n, "one of scales and sizes must be given");
  if (p.ctm == Ctm::TfCropAndResize) {
    if (!roi) failAt(n, "roi is required with coordinate_transformation_mode tf_crop_and_resize");
    auto v = roi->toDoubles();
    if (v.size() != 2 * axes.size()) failAt(n, "roi has {} values, expected {}", v.size(), 2 * axes.size());
    for (size_t i = 0; i < axes.size(); ++i) {
      if (!std::isfinite(v[i]) || !std::isfinite(v[i + axes.size()])) failAt(n, "roi values must be finite");
      p.axes[axes[i]].roiStart = v[i];
      p.axes[axes[i]].roiEnd = v[i + axes.size()];
    }
  }
  if (scales) {
    auto v = scales->toDoubles();
    if (v.size() != axes.size()) failAt(n, "scales has {} values, expected {}", v.size(), axes.size());
    for (size_t i = 0; i < axes.size(); ++i) {
      Axis& a = p.axes[axes[i]];
      if (!(v[i] > 0) || !std::isfinite(v[i])) failAt(n, "scale {} must be a positive finite number", v[i]);
      a.scale = v[i];
      a.outWidth = v[i] * static_cast<double>(a.in);
      double o = std::floor(a.outWidth);
      if (o > static_cast<double>(kMaxDim)) failAt(n, "scale {} gives a too large output dimension", v[i]);
      a.out = static_cast<int64_t>(o);
    }
  } else {
    auto v = sizes->toInts();
    if (v.size() != axes.size()) failAt(n, "sizes has {} values, expected {}", v.size(), axes.size());
    for (size_t i = 0; i < axes.size(); ++i) {
      if (v[i] < 0 || v[i] > kMaxDim) failAt(n, "invalid output size {}", v[i]);
      if (p.axes[axes[i]].in == 0 && v[i] != 0) failAt(n, "cannot resize an empty dimension to {}", v[i]);
    }
    if (policy == "stretch") {
      for (size_t i = 0; i < axes.size(); ++i) {
        Axis& a = p.axes[axes[i]];
        a.out = v[i];
        a.outWidth = static_cast<double>(v[i]);
        if (a.in > 0) a.scale = static_cast<double>(v[i]) / static_cast<double>(a.in);
      }
    } else {
      double s = policy == "not_larger" ? std::numeric_limits<double>::infinity() : 0;
      for (size_t i = 0; i < axes.size(); ++i) {
        const Axis& a = p.axes[axes[i]];
        if (a.in == 0) failAt(n, "keep_aspect_ratio_policy {} needs non-empty input dimensions", policy);
        double r = static_cast<double>(v[i]) / static_cast<double>(a.in);
        s = policy == "not_larger" ? std::min(s, r) : std::max(s, r);
      }
      for (size_t i = 0; i < axes.size(); ++i) {
        Axis& a = p.axes[axes[i]];
        a.scale = s;
        a.outWidth = s * static_cast<double>(a.in);
        double o = std::floor(a.outWidth + 0.5);
        if (o > static_cast<double>(kMaxDim)) failAt(n, "output dimension is too large");
        a.out = static_cast<int64_t>(o);
      }
    }
  }
  for (const Axis& a : p.axes)
    if (a.out > 0 && !(a.scale > 0)) failAt(n, "invalid scale for a non-empty output");
  return p;
}



Taps axisTaps(const Node& node, const Plan& p, const Axis& a) {
  Taps t;
  const double s = p.antialias ? std::min(a.scale, 1.0) : 1.0;
  int64_t jstart = 0;  // taps are left + j for j in [jstart, jstart + n)
  if (p.mode == Mode::Linear) {
    jstart = p.antialias ? static_cast<int64_t>(std::floor(-1 / s) + 1) : 0;
  } else if (p.mode == Mode::Cubic) {
    jstart = p.antialias ? static_cast<int64_t>(std::floor(-2 / s) + 1) : -1;
  }
  if (p.mode != Mode::Nearest) {
    if (jstart < -(int64_t(1) << 12)) failAt(node, "antialias filter is too wide for scale {}", a.scale);
    t.n = static_cast<int>(2 - 2 * jstart);
  }
  const size_t n = static_cast<size_t>(t.n);
  const size_t total = static_cast<size_t>(a.out) * n;
  if (total > (size_t(1) << 24)) failAt(node, "resize needs too many interpolation taps");
  t.idx.assign(total, 0);
  t.w.assign(total, 0.0);
  t.outside.assign(static_cast<size_t>(a.out), 0);
  if (a.out != a.in) t.identity = false;
  std::vector<double> w(n);
  for (int64_t x = 0; x < a.out; ++x) {
    const size_t base = static_cast<size_t>(x) * n;
    bool outside = false;
    double xo = sourceCoord(p, a, x, &outside);
    if (outside || !std::isfinite(xo)) {
      t.outside[static_cast<size_t>(x)] = 1;
      t.identity = false;
      continue;
    }
    // Reference convention: ratio in (0, 1]; left is the neighbour at or below x_ori - ratio.
    double fl = std::floor(xo);
    double ratio = xo == fl ? 1.0 : xo - fl;
    fl = std::clamp(fl, -2.0 * static_cast<double>(kMaxDim), 2.0 * static_cast<double>(kMaxDim));
    const int64_t left = static_cast<int64_t>(fl) - (xo == std::floor(xo) ? 1 : 0);
    if (p.mode == Mode::Nearest) {
      bool right;
      if (ratio == 1.0) right = true;
      else if (p.nearest == NearestMode::RoundPreferFloor) right = ratio > 0.5;
      else if (p.nearest == NearestMode::RoundPreferCeil) right = ratio >= 0.5;
      else right = p.nearest == NearestMode::Ceil;
      t.idx[base] = std::clamp<int64_t>(left + (right ? 1 : 0), 0, a.in - 1);
      t.w[base] = 1;
      if (t.idx[base] != x) t.identity = false;
      continue;
    }
    const double A = p.cubicA;
    if (!p.antialias) {
      if (p.mode == Mode::Linear) {
        w[0] = 1 - ratio;
        w[1] = ratio;
      } else {
        const double r = ratio;
        w[0] = ((A * (r + 1) - 5 * A) * (r + 1) + 8 * A) * (r + 1) - 4 * A;
        w[1] = ((A + 2) * r - (A + 3)) * r * r + 1;
        w[2] = ((A + 2) * (1 - r) - (A + 3)) * (1 - r) * (1 - r) + 1;
        w[3] = ((A * ((1 - r) + 1) - 5 * A) * ((1 - r) + 1) + 8 * A) * ((1 - r) + 1) - 4 * A;
      }
    } else {
      double sum = 0;
      for (size_t k = 0; k < n; ++k) {
        double arg = (static_cast<double>(jstart + static_cast<int64_t>(k)) - ratio) * s;
        double v;
        if (p.mode == Mode::Linear) {
          v = std::clamp(1 - std::fabs(arg), 0.0, 1.0);
        } else {
          double ax = std::fabs(arg), x2 = ax * ax, x3 = ax * x2;
          v = ax <= 1 ? (A + 2) * x3 - (A + 3) * x2 + 1 : ax < 2 ? A * x3 - 5 * A * x2 + 8 * A * ax - 4 * A : 0.0;
        }
        w[k] = v;
        sum += v;
      }
      for (double& v : w) v /= sum;
    }
    if (p.excludeOutside) {
      double sum = 0;
      for (size_t k = 0; k < n; ++k) {
        int64_t i = left + jstart + static_cast<int64_t>(k);
        if (i < 0 || i >= a.in) w[k] = 0;
        sum += w[k];
      }
      if (sum != 0)
        for (double& v : w) v /= sum;
    }
    for (size_t k = 0; k < n; ++k) {
      t.idx[base + k] = std::clamp<int64_t>(left + jstart + static_cast<int64_t>(k), 0, a.in - 1);
      t.w[base + k] = w[k];
      if (w[k] != 0 && (w[k] != 1 || t.idx[base + k] != x)) t.identity = false;
    }
  }
  return t;
}

void storeValue(Tensor& out, int64_t i, double v) {
  const DType t = out.dtype();
  if (isFloat(t) || t == DType::Bool) {
    out.setF(i, v);
    return;
  }
  dispatchAll(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T r;
    if (std::isnan(v)) r = 0;
    else if (v >= std::ldexp(1.0, std::numeric_limits<T>::digits)) r = std::numeric_limits<T>::max();
    else if (v <= static_cast<double>(std::numeric_limits<T>::lowest())) r = std::numeric_limits<T>::lowest();
    else r = static_cast<T>(v);
    out.data<T>()[i] = r;
  });
}

std::vector<std::vector<int64_t>> nearestOffsets(const Plan& p, const std::vector<Taps>& taps, const Shape& in) {
  auto st = stridesOf(in);
  std::vector<std::vector<int64_t>> offs(taps.size());
  for (size_t d = 0; d < taps.size(); ++d) {
    offs[d].resize(static_cast<size_t>(p.axes[d].out));
    for (size_t o = 0; o < offs[d].size(); ++o) offs[d][o] = taps[d].outside[o] ? -1 : taps[d].idx[o] * st[d];
  }
  return offs;
}

}  // namespace tinyc::resize_plan
