#include "ops/nn_common.h"

#include <algorithm>

namespace tinyc::nn {

AutoPad autoPad(const Node& n) {
  if (!n.hasAttr("auto_pad")) return AutoPad::NotSet;
  const std::string& s = n.attrStr("auto_pad");
  if (s == "NOTSET" || s.empty()) return AutoPad::NotSet;
  if (s == "SAME_UPPER") return AutoPad::SameUpper;
  if (s == "SAME_LOWER") return AutoPad::SameLower;
  if (s == "VALID") return AutoPad::Valid;
  modelError("{}: auto_pad must be NOTSET, SAME_UPPER, SAME_LOWER or VALID, got '{}'", n.where(), printable(s));
}

std::vector<int64_t> spatialInts(const Node& n, const char* name, int nd, int64_t def, int64_t minValue) {
  if (!n.hasAttr(name)) return std::vector<int64_t>(static_cast<size_t>(nd), def);
  const auto& v = n.attrInts(name);
  if (static_cast<int>(v.size()) != nd)
    modelError("{}: attribute '{}' has {} values but the input has {} spatial dims", n.where(), name, v.size(), nd);
  for (int64_t x : v)
    if (x < minValue) modelError("{}: attribute '{}' values must be >= {}, got {}", n.where(), name, minValue, x);
  return v;
}

std::vector<int64_t> padsAttr(const Node& n, int nd) {
  if (!n.hasAttr("pads")) return std::vector<int64_t>(static_cast<size_t>(2 * nd), 0);
  const auto& v = n.attrInts("pads");
  if (static_cast<int>(v.size()) != 2 * nd)
    modelError("{}: attribute 'pads' has {} values, expected {} (begin and end for {} spatial dims)", n.where(),
               v.size(), 2 * nd, nd);
  for (int64_t x : v)
    if (x < 0) modelError("{}: attribute 'pads' values must be >= 0, got {}", n.where(), x);
  return v;
}

int spatialDims(const Node& n, const Shape& x, const char* what) {
  int r = static_cast<int>(x.size());
  if (r < 3) modelError("{}: {} must have rank >= 3 (N, C, spatial...), got shape {}", n.where(), what, shapeStr(x));
  if (r - 2 > kMaxSpatial)
    modelError("{}: only 1D, 2D and 3D are supported, {} has {} spatial dims", n.where(), what, r - 2);
  return r - 2;
}

bool Window::noPadding() const {
  for (int i = 0; i < kMaxSpatial; ++i)
    if (pb[i] || pe[i]) return false;
  return true;
}

Shape Window::outSpatial() const { return Shape(out + kMaxSpatial - nd, out + kMaxSpatial); }

Window transposedWindow(const Node& n, const Shape& x, const std::vector<int64_t>& k) {
  const int nd = spatialDims(n, x, "input X");
  if (static_cast<int>(k.size()) != nd)
    modelError("{}: kernel has {} dims but the input has {} spatial dims", n.where(), k.size(), nd);
  AutoPad ap = autoPad(n);
  auto strides = spatialInts(n, "strides", nd, 1, 1);
  auto dil = spatialInts(n, "dilations", nd, 1, 1);
  auto outPad = spatialInts(n, "output_padding", nd, 0, 0);
  auto pads = padsAttr(n, nd);
  std::vector<int64_t> outShape;
  if (n.hasAttr("output_shape")) {
    outShape = n.attrInts("output_shape");
    if (static_cast<int>(outShape.size()) == nd + 2) outShape.erase(outShape.begin(), outShape.begin() + 2);
    if (static_cast<int>(outShape.size()) != nd)
      modelError("{}: output_shape has {} values but the input has {} spatial dims", n.where(),
                 n.attrInts("output_shape").size(), nd);
  }
  Window w;
  w.nd = nd;
  for (int i = 0; i < nd; ++i) {
    const size_t iu = static_cast<size_t>(i);
    const int j = kMaxSpatial - nd + i;
    const int64_t in = x[iu + 2], kk = k[iu], s = strides[iu], d = dil[iu];
    if (kk < 1) modelError("{}: kernel dims must be >= 1, got {}", n.where(), kk);
    if (outPad[iu] >= std::max(s, d))
      modelError("{}: output_padding {} must be smaller than the stride or dilation along spatial dim {}",
                 n.where(), outPad[iu], i);
    const int64_t full = s * (in - 1) + outPad[iu] + (kk - 1) * d + 1;
    int64_t pb = 0, pe = 0, out = 0;
    if (!outShape.empty() || ap == AutoPad::SameUpper || ap == AutoPad::SameLower) {
      out = outShape.empty() ? in * s : outShape[iu];
      const int64_t total = full - out;  // negative: extra output beyond the full result
      if (ap == AutoPad::SameUpper) {
        pb = floorDiv(total, 2);
        pe = total - pb;
      } else {
        pe = floorDiv(total, 2);
        pb = total - pe;
      }
    } else if (ap == AutoPad::Valid) {
      out = full;
    } else {
      pb = pads[iu];
      pe = pads[iu + static_cast<size_t>(nd)];
      out = full - pb - pe;
    }
    if (out < 1) modelError("{}: output spatial dim {} would be {}", n.where(), i, out);
    w.in[j] = in;
    w.out[j] = out;
    w.k[j] = kk;
    w.s[j] = s;
    w.d[j] = d;
    w.pb[j] = pb;
    w.pe[j] = pe;
  }
  return w;
}

Window forwardWindow(const Node& n, const Shape& x, const std::vector<int64_t>& kernel, bool ceilMode) {
  Window w;
  w.nd = spatialDims(n, x, "input X");
  const int nd = w.nd;
  if (static_cast<int>(kernel.size()) != nd)
    modelError("{}: kernel has {} dims but the input has {} spatial dims", n.where(), kernel.size(), nd);
  AutoPad ap = autoPad(n);
  auto strides = spatialInts(n, "strides", nd, 1, 1);
  auto dil = spatialInts(n, "dilations", nd, 1, 1);
  auto pads = padsAttr(n, nd);  // validated even when auto_pad overrides them
  for (int i = 0; i < nd; ++i) {
    const size_t iu = static_cast<size_t>(i);
    const int j = kMaxSpatial - nd + i;
    const int64_t in = x[iu + 2], k = kernel[iu], s = strides[iu], d = dil[iu];
    if (k < 1) modelError("{}: kernel dims must be >= 1, got {}", n.where(), k);
    if (in < 1) modelError("{}: spatial dim {} of the input is {}", n.where(), i, in);
    const int64_t dk = (k - 1) * d + 1;
    int64_t pb = 0, pe = 0, out = 0;
    switch (ap) {
      case AutoPad::NotSet: {
        pb = pads[iu];
        pe = pads[iu + static_cast<size_t>(nd)];
        int64_t span = in + pb + pe - dk;
        if (span < 0)
          modelError("{}: kernel extent {} is larger than the padded input {} along spatial dim {}", n.where(), dk,
                     in + pb + pe, i);
        out = (ceilMode ? ceilDiv(span, s) : span / s) + 1;
        // In ceil mode a window that would start inside the end padding is dropped.
        if (ceilMode && (out - 1) * s >= in + pb) --out;
        break;
      }
      case AutoPad::Valid:
        if (in < dk)
          modelError("{}: kernel extent {} is larger than the input {} along spatial dim {}", n.where(), dk, in, i);
        out = (in - dk) / s + 1;
        break;
      case AutoPad::SameUpper:
      case AutoPad::SameLower: {
        out = ceilDiv(in, s);
        int64_t total = std::max<int64_t>(0, (out - 1) * s + dk - in);
        if (ap == AutoPad::SameUpper) {
          pb = total / 2;
          pe = total - pb;
        } else {
          pe = total / 2;
          pb = total - pe;
        }
        break;
      }
    }
    if (out < 1) modelError("{}: output spatial dim {} would be {}", n.where(), i, out);
    w.in[j] = in;
    w.out[j] = out;
    w.k[j] = k;
    w.s[j] = s;
    w.d[j] = d;
    w.pb[j] = pb;
    w.pe[j] = pe;
  }
  return w;
}

bool anyF16(const EvalCtx& c) {
  for (const Tensor* t : c.in)
    if (t && t->dtype() == DType::F16) return true;
  return false;
}

void evalViaF32(EvalCtx& c, EvalFn f) {
  std::vector<Tensor> ins(c.in.size()), outs(c.out.size());
  EvalCtx c32{c.node, c.in, c.out};
  for (size_t i = 0; i < c.in.size(); ++i) {
    const Tensor* t = c.in[i];
    if (!t || t->dtype() != DType::F16) continue;
    ins[i] = Tensor(DType::F32, t->shape());
    float* p = ins[i].data<float>();
    const uint16_t* h = t->data<uint16_t>();
    for (int64_t e = 0; e < t->numel(); ++e) p[e] = halfToFloat(h[e]);
    c32.in[i] = &ins[i];
  }
  for (size_t i = 0; i < c.out.size(); ++i) {
    Tensor* t = c.out[i];
    if (!t || t->dtype() != DType::F16) continue;
    outs[i] = Tensor(DType::F32, t->shape());
    c32.out[i] = &outs[i];
  }
  f(c32);
  for (size_t i = 0; i < c.out.size(); ++i) {
    Tensor* t = c.out[i];
    if (!t || t->dtype() != DType::F16) continue;
    const float* p = outs[i].data<float>();
    uint16_t* h = t->data<uint16_t>();
    for (int64_t e = 0; e < t->numel(); ++e) h[e] = floatToHalf(p[e]);
  }
}

int64_t perBatch(const Value* v) {
  if (!v) return 0;
  int64_t n = numElements(v->shape);
  if (!v->shape.empty() && v->shape[0] > 0) n /= v->shape[0];
  return n;
}

}  // namespace tinyc::nn
