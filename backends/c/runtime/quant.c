/* tinyc runtime: QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear, quantized rounding. requires: common */

/* Element types of the any-dtype kernels (the emitter passes these names). */
#define TINYC_QT_F32 1
#define TINYC_QT_F64 2
#define TINYC_QT_F16 3
#define TINYC_QT_I8 4
#define TINYC_QT_U8 5
#define TINYC_QT_I16 6
#define TINYC_QT_U16 7
#define TINYC_QT_I32 8

/* round_half_even(v) + zp saturated to [lo, hi]; NaN gives zp. For outputs of at most 16 bits
   (|lo - zp|, |hi - zp| < 2^22). Exact and independent of the FPU rounding mode: below 2^22 the
   float v - trunc(v) is exact. */
TINYC_KERNEL int32_t tinyc_qround_small(float v, int32_t zp, int32_t lo, int32_t hi) {
  int32_t t;
  float f;
  if (v != v) {
    t = 0;
  } else if (!(v > -4194304.0f && v < 4194304.0f)) {
    return v < 0.0f ? lo : hi;
  } else {
    t = (int32_t)v;
    f = v - (float)t;
    if (f > 0.5f || (f == 0.5f && t % 2 != 0)) ++t;
    else if (f < -0.5f || (f == -0.5f && t % 2 != 0)) --t;
  }
  t += zp;
  return t < lo ? lo : (t > hi ? hi : t);
}

/* The same for any output range (int32 included) and double inputs. */
TINYC_KERNEL int32_t tinyc_qround_wide(double v, int32_t zp, int32_t lo, int32_t hi) {
  int64_t t;
  double f;
  if (v != v) {
    t = 0;
  } else if (!(v > -1099511627776.0 && v < 1099511627776.0)) { /* |v| >= 2^40: saturates */
    return v < 0.0 ? lo : hi;
  } else {
    t = (int64_t)v;
    f = v - (double)t;
    if (f > 0.5 || (f == 0.5 && t % 2 != 0)) ++t;
    else if (f < -0.5 || (f == -0.5 && t % 2 != 0)) --t;
  }
  t += zp;
  return t < lo ? lo : (t > hi ? hi : (int32_t)t);
}

TINYC_KERNEL double tinyc_qload_f(const void *p, int32_t t, int32_t i) {
  switch (t) {
    case TINYC_QT_F32: return (double)((const float *)p)[i];
    case TINYC_QT_F64: return ((const double *)p)[i];
    case TINYC_QT_F16: return (double)tinyc_h2f(((const uint16_t *)p)[i]);
    case TINYC_QT_I8: return (double)((const int8_t *)p)[i];
    case TINYC_QT_U8: return (double)((const uint8_t *)p)[i];
    case TINYC_QT_I16: return (double)((const int16_t *)p)[i];
    case TINYC_QT_U16: return (double)((const uint16_t *)p)[i];
    case TINYC_QT_I32: return (double)((const int32_t *)p)[i];
    default: return 0.0;
  }
}

/* Integer element i (0 when p is NULL: an omitted zero point). */
TINYC_KERNEL int32_t tinyc_qload_i(const void *p, int32_t t, int32_t i) {
  if (!p) return 0;
  switch (t) {
    case TINYC_QT_I8: return ((const int8_t *)p)[i];
    case TINYC_QT_U8: return ((const uint8_t *)p)[i];
    case TINYC_QT_I16: return ((const int16_t *)p)[i];
    case TINYC_QT_U16: return ((const uint16_t *)p)[i];
    case TINYC_QT_I32: return ((const int32_t *)p)[i];
    default: return 0;
  }
}

TINYC_KERNEL void tinyc_qrange(int32_t t, int32_t *lo, int32_t *hi) {
  switch (t) {
    case TINYC_QT_I8: *lo = -128; *hi = 127; break;
    case TINYC_QT_U8: *lo = 0; *hi = 255; break;
    case TINYC_QT_I16: *lo = -32768; *hi = 32767; break;
    case TINYC_QT_U16: *lo = 0; *hi = 65535; break;
    default: *lo = INT32_MIN; *hi = INT32_MAX; break;
  }
}

TINYC_KERNEL void tinyc_qstore_i(void *p, int32_t t, int32_t i, int32_t v) {
  switch (t) {
    case TINYC_QT_I8: ((int8_t *)p)[i] = (int8_t)v; break;
    case TINYC_QT_U8: ((uint8_t *)p)[i] = (uint8_t)v; break;
    case TINYC_QT_I16: ((int16_t *)p)[i] = (int16_t)v; break;
    case TINYC_QT_U16: ((uint16_t *)p)[i] = (uint16_t)v; break;
    default: ((int32_t *)p)[i] = v; break;
  }
}

/* Parameter layout of Quantize/DequantizeLinear: x is [outer, dim, inner]; the scale and zero
   point of element (o, a, j) are at o * so + (a / block) * sa + j * si. Per tensor: so = sa =
   si = 0; per axis: block = 1, sa = 1; blocked: so = ceil(dim / block) * inner, sa = inner, si = 1. */

/* QuantizeLinear with float32 x and scale, 8/16-bit output: y = sat(round(x / scale) + zp). */
#define TINYC_QUANTIZE_F32(SUF, T, LO, HI)                                                             \
  TINYC_KERNEL void tinyc_quantize_f32_##SUF(const float *x, const float *s, const T *zp, T *y, int32_t outer, \
                                             int32_t dim, int32_t inner, int32_t block, int32_t so, int32_t sa, \
                                             int32_t si) {                                            \
    int32_t o, a, j;                                                                                   \
    for (o = 0; o < outer; ++o)                                                                        \
      for (a = 0; a < dim; ++a) {                                                                      \
        const int32_t p0 = o * so + (a / block) * sa;                                                  \
        const size_t base = ((size_t)o * (size_t)dim + (size_t)a) * (size_t)inner;                    \
        const float *px = x + base;                                                                    \
        T *py = y + base;                                                                              \
        if (si == 0) {                                                                                 \
          const float sc = s[p0];                                                                      \
          const int32_t z = zp ? (int32_t)zp[p0] : 0;                                                  \
          for (j = 0; j < inner; ++j) py[j] = (T)tinyc_qround_small(px[j] / sc, z, LO, HI);           \
        } else {                                                                                       \
          for (j = 0; j < inner; ++j) {                                                                \
            const int32_t p = p0 + j * si;                                                             \
            py[j] = (T)tinyc_qround_small(px[j] / s[p], zp ? (int32_t)zp[p] : 0, LO, HI);             \
          }                                                                                            \
        }                                                                                              \
      }                                                                                                \
  }
TINYC_QUANTIZE_F32(i8, int8_t, -128, 127)
TINYC_QUANTIZE_F32(u8, uint8_t, 0, 255)
TINYC_QUANTIZE_F32(i16, int16_t, -32768, 32767)
TINYC_QUANTIZE_F32(u16, uint16_t, 0, 65535)

/* QuantizeLinear for any x (f32/f64/f16/i32), scale (f32/f64/f16) and output type. prec: the
   division's precision (F32: float, F16: float rounded to half, F64: double). */
TINYC_KERNEL void tinyc_quantize_any(const void *x, int32_t xt, const void *s, int32_t st, const void *zp, void *y,
                                     int32_t yt, int32_t prec, int32_t outer, int32_t dim, int32_t inner,
                                     int32_t block, int32_t so, int32_t sa, int32_t si) {
  int32_t o, a, j, lo, hi;
  tinyc_qrange(yt, &lo, &hi);
  for (o = 0; o < outer; ++o)
    for (a = 0; a < dim; ++a)
      for (j = 0; j < inner; ++j) {
        const int32_t i = (o * dim + a) * inner + j;
        const int32_t p = o * so + (a / block) * sa + j * si;
        const int32_t z = tinyc_qload_i(zp, yt, p);
        double q;
        if (prec == TINYC_QT_F64) {
          q = tinyc_qload_f(x, xt, i) / tinyc_qload_f(s, st, p);
        } else {
          float qf = (float)tinyc_qload_f(x, xt, i) / (float)tinyc_qload_f(s, st, p);
          if (prec == TINYC_QT_F16) qf = tinyc_h2f(tinyc_f2h(qf));
          q = (double)qf;
        }
        tinyc_qstore_i(y, yt, i, tinyc_qround_wide(q, z, lo, hi));
      }
}

/* DequantizeLinear with a float32 scale and output: y = (float)(x - zp) * scale. */
#define TINYC_DEQUANTIZE_F32(SUF, T, DT)                                                               \
  TINYC_KERNEL void tinyc_dequantize_##SUF##_f32(const T *x, const float *s, const T *zp, float *y, int32_t outer, \
                                                 int32_t dim, int32_t inner, int32_t block, int32_t so, \
                                                 int32_t sa, int32_t si) {                            \
    int32_t o, a, j;                                                                                   \
    for (o = 0; o < outer; ++o)                                                                        \
      for (a = 0; a < dim; ++a) {                                                                      \
        const int32_t p0 = o * so + (a / block) * sa;                                                  \
        const size_t base = ((size_t)o * (size_t)dim + (size_t)a) * (size_t)inner;                    \
        const T *px = x + base;                                                                        \
        float *py = y + base;                                                                          \
        if (si == 0) {                                                                                 \
          const float sc = s[p0];                                                                      \
          const DT z = zp ? (DT)zp[p0] : 0;                                                            \
          for (j = 0; j < inner; ++j) py[j] = (float)((DT)px[j] - z) * sc;                             \
        } else {                                                                                       \
          for (j = 0; j < inner; ++j) {                                                                \
            const int32_t p = p0 + j * si;                                                             \
            py[j] = (float)((DT)px[j] - (zp ? (DT)zp[p] : 0)) * s[p];                                  \
          }                                                                                            \
        }                                                                                              \
      }                                                                                                \
  }
TINYC_DEQUANTIZE_F32(i8, int8_t, int32_t)
TINYC_DEQUANTIZE_F32(u8, uint8_t, int32_t)
TINYC_DEQUANTIZE_F32(i16, int16_t, int32_t)
TINYC_DEQUANTIZE_F32(u16, uint16_t, int32_t)
TINYC_DEQUANTIZE_F32(i32, int32_t, int64_t)

/* DequantizeLinear for any x, scale (f32/f64/f16) and output (f32: (float)d * (float)scale, f64:
   (double)d * scale, f16: the double product rounded to float, then to half). */
TINYC_KERNEL void tinyc_dequantize_any(const void *x, int32_t xt, const void *s, int32_t st, const void *zp, void *y,
                                       int32_t yt, int32_t outer, int32_t dim, int32_t inner, int32_t block,
                                       int32_t so, int32_t sa, int32_t si) {
  int32_t o, a, j;
  for (o = 0; o < outer; ++o)
    for (a = 0; a < dim; ++a)
      for (j = 0; j < inner; ++j) {
        const int32_t i = (o * dim + a) * inner + j;
        const int32_t p = o * so + (a / block) * sa + j * si;
        const int64_t d = (int64_t)tinyc_qload_i(x, xt, i) - (int64_t)tinyc_qload_i(zp, xt, p);
        const double sc = tinyc_qload_f(s, st, p);
        if (yt == TINYC_QT_F64)
          ((double *)y)[i] = (double)d * sc;
        else if (yt == TINYC_QT_F32)
          ((float *)y)[i] = (float)d * (float)sc;
        else
          ((uint16_t *)y)[i] = tinyc_f2h((float)((double)d * sc));
      }
}

/* DynamicQuantizeLinear: uint8 with scale = (max(x, 0) - min(x, 0)) / 255 and zero point
   round(-min / scale) clamped to [0, 255]; an all-zero x gives scale 0 and y = 0. */
TINYC_KERNEL void tinyc_dynamic_quantize_f32(const float *x, uint8_t *y, float *yscale, uint8_t *yzp, int32_t n) {
  float lo = 0.0f, hi = 0.0f, scale;
  int32_t i, zp = 0;
  for (i = 0; i < n; ++i) {
    if (x[i] < lo) lo = x[i];
    if (hi < x[i]) hi = x[i];
  }
  scale = (hi - lo) / 255.0f;
  if (scale > 0.0f) {
    zp = tinyc_qround_wide((double)(0.0f - lo / scale), 0, 0, 255);
    for (i = 0; i < n; ++i) y[i] = (uint8_t)tinyc_qround_small(x[i] / scale, zp, 0, 255);
  } else {
    for (i = 0; i < n; ++i) y[i] = 0;
  }
  if (yscale) yscale[0] = scale;
  if (yzp) yzp[0] = (uint8_t)zp;
}
