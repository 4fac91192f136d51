// Helpers shared by the quantized ops (quant.cpp, quant_conv.cpp). Private to lib/ops.
#pragma once
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "ops/util.h"

namespace tinyc::qutil {

// Integer types a quantized tensor may have.
inline bool isQuantInt(DType t) {
  return t == DType::I8 || t == DType::U8 || t == DType::I16 || t == DType::U16 || t == DType::I32;
}
inline bool is8Bit(DType t) { return t == DType::I8 || t == DType::U8; }

inline int64_t qmin(DType t) {
  switch (t) {
    case DType::I8:
      return -128;
    case DType::I16:
      return -32768;
    case DType::I32:
      return INT32_MIN;
    default:
      return 0;
  }
}
inline int64_t qmax(DType t) {
  switch (t) {
    case DType::I8:
      return 127;
    case DType::U8:
      return 255;
    case DType::I16:
      return 32767;
    case DType::U16:
      return 65535;
    default:
      return INT32_MAX;
  }
}

// Rounds half to even (the default FE_TONEAREST mode) and converts to int64, saturating huge
// values; NaN becomes 0.
inline int64_t roundHalfEven(double v) {
  if (std::isnan(v)) return 0;
  double r = std::nearbyint(v);
  if (r > 4e18) return INT64_C(4000000000000000000);
  if (r < -4e18) return -INT64_C(4000000000000000000);
  return static_cast<int64_t>(r);
}

// round_half_even(v) + zp, saturated to the range of t.
inline int64_t quantizeValue(double v, int64_t zp, DType t) {
  int64_t q = roundHalfEven(v);
  q = std::clamp<int64_t>(q, -(INT64_C(1) << 40), INT64_C(1) << 40) + zp;
  return std::clamp(q, qmin(t), qmax(t));
}

// Requantizes an int32 accumulator with a float multiplier: computed in float like the usual
// runtimes (acc * (in_scale * w_scale / out_scale)), rounded half to even, then + zp, saturated.
inline int64_t requantize(int32_t acc, float multiplier, int64_t zp, DType t) {
  float v = static_cast<float>(acc) * multiplier;
  return quantizeValue(static_cast<double>(v), zp, t);
}

// Values of a scale / zero-point tensor that is either per-tensor (one element) or a 1-D vector of
// `n` elements; returns n values (broadcasting the per-tensor one). Absent => n zeros.
inline std::vector<int64_t> perChannelInts(const Tensor* t, int64_t n) {
  std::vector<int64_t> v(static_cast<size_t>(n), 0);
  if (!t) return v;
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = t->getI(t->numel() == 1 ? 0 : i);
  return v;
}
inline std::vector<float> perChannelFloats(const Tensor& t, int64_t n) {
  std::vector<float> v(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i) v[static_cast<size_t>(i)] = static_cast<float>(t.getF(t.numel() == 1 ? 0 : i));
  return v;
}

// Verifies that input i is a scale/zero-point that is per-tensor (one element, rank <= 1) or a
// 1-D vector of `n` elements (when n > 0 is allowed); `what` names it in errors.
inline void checkPerChannel(const InferCtx& c, int i, int64_t n, const char* what) {
  if (!c.has(i)) return;
  const Shape& s = c.shape(i);
  if (s.size() <= 1 && numElements(s) == 1) return;
  if (n > 0 && s.size() == 1 && s[0] == n) return;
  if (n > 0) c.fail("{} must be a scalar or a 1-D tensor of {} elements, got shape {}", what, n, shapeStr(s));
  c.fail("{} must be a scalar (per-tensor), got shape {}", what, shapeStr(s));
}

inline void checkFloatScale(const InferCtx& c, int i, const char* what) {
  if (!isFloat(c.dtype(i))) c.fail("{} must be a float tensor, got {}", what, dtypeName(c.dtype(i)));
}

// Zero point input zi (if present) must have the dtype of input xi.
inline void checkZeroPointType(const InferCtx& c, int zi, int xi, const char* what) {
  if (c.has(zi) && c.dtype(zi) != c.dtype(xi))
    c.fail("{} must have the type of its tensor ({}), got {}", what, dtypeName(c.dtype(xi)), dtypeName(c.dtype(zi)));
}

// Tensor contents minus a zero point broadcast over it, as int32 (exact for 8/16-bit inputs).
// zp may be nullptr; zpShape is the (already validated) shape used to broadcast it.
inline std::vector<int32_t> subtractZeroPoint(const Tensor& x, const Tensor* zp, const Shape& zpShape) {
  std::vector<int32_t> r(static_cast<size_t>(x.numel()));
  if (!zp) {
    for (int64_t i = 0; i < x.numel(); ++i) r[static_cast<size_t>(i)] = static_cast<int32_t>(x.getI(i));
    return r;
  }
  auto st = broadcastStrides(zpShape, x.shape());
  for (int64_t i = 0; i < x.numel(); ++i)
    r[static_cast<size_t>(i)] = static_cast<int32_t>(x.getI(i) - zp->getI(broadcastOffset(i, x.shape(), st)));
  return r;
}

}  // namespace tinyc::qutil
