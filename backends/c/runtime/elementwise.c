/* tinyc runtime: elementwise arithmetic (Add Sub Mul Div Pow Min Max, unary math). requires: common */

/* Binary kernels in four shapes: same shape (n), scalar second operand, per-channel second
   operand (b[(i / inner) % c]), and general broadcasting (strides sa/sb over output shape shp).
   Integer arithmetic wraps (computed in the unsigned type UT), as the reference interpreter. */
#define TINYC_BINARY(NAME, T, UT, EXPR)                                                              \
  TINYC_KERNEL void tinyc_##NAME(const T *a, const T *b, T *y, int32_t n) {                          \
    int32_t i;                                                                                       \
    for (i = 0; i < n; ++i) { T x0 = a[i], x1 = b[i]; y[i] = (T)(EXPR); }                            \
  }                                                                                                  \
  TINYC_KERNEL void tinyc_##NAME##_scalar(const T *a, const T *b, T *y, int32_t n) {                 \
    int32_t i;                                                                                       \
    const T x1 = b[0];                                                                               \
    for (i = 0; i < n; ++i) { T x0 = a[i]; y[i] = (T)(EXPR); }                                       \
  }                                                                                                  \
  TINYC_KERNEL void tinyc_##NAME##_chan(const T *a, const T *b, T *y, int32_t n, int32_t c, int32_t inner) { \
    int32_t i;                                                                                       \
    for (i = 0; i < n; ++i) { T x0 = a[i], x1 = b[(i / inner) % c]; y[i] = (T)(EXPR); }              \
  }                                                                                                  \
  TINYC_KERNEL void tinyc_##NAME##_bcast(const T *a, const T *b, T *y, int32_t n, int32_t r,         \
                                         const int32_t *shp, const int32_t *sa, const int32_t *sb) { \
    int32_t i;                                                                                       \
    for (i = 0; i < n; ++i) {                                                                        \
      T x0 = a[tinyc_bcast_offset(i, r, shp, sa)], x1 = b[tinyc_bcast_offset(i, r, shp, sb)];        \
      y[i] = (T)(EXPR);                                                                              \
    }                                                                                                \
  }

/* f16 tensors: compute in float (as the interpreter does). */
#define TINYC_BINARY_F16(NAME, EXPR)                                                                 \
  TINYC_KERNEL void tinyc_##NAME##_bcast(const uint16_t *a, const uint16_t *b, uint16_t *y, int32_t n, int32_t r, \
                                         const int32_t *shp, const int32_t *sa, const int32_t *sb) { \
    int32_t i;                                                                                       \
    for (i = 0; i < n; ++i) {                                                                        \
      float x0 = tinyc_h2f(a[tinyc_bcast_offset(i, r, shp, sa)]);                                    \
      float x1 = tinyc_h2f(b[tinyc_bcast_offset(i, r, shp, sb)]);                                    \
      y[i] = tinyc_f2h((float)(EXPR));                                                               \
    }                                                                                                \
  }

#define TINYC_ARITH_INT(SUF, T, UT)                                                                  \
  TINYC_BINARY(add_##SUF, T, UT, (UT)x0 + (UT)x1)                                                    \
  TINYC_BINARY(sub_##SUF, T, UT, (UT)x0 - (UT)x1)                                                    \
  TINYC_BINARY(mul_##SUF, T, UT, (UT)x0 * (UT)x1)                                                    \
  TINYC_BINARY(min_##SUF, T, UT, x0 < x1 ? x0 : x1)                                                  \
  TINYC_BINARY(max_##SUF, T, UT, x0 > x1 ? x0 : x1)

#define TINYC_ARITH_FLOAT(SUF, T, POW)                                                               \
  TINYC_BINARY(add_##SUF, T, T, x0 + x1)                                                             \
  TINYC_BINARY(sub_##SUF, T, T, x0 - x1)                                                             \
  TINYC_BINARY(mul_##SUF, T, T, x0 * x1)                                                             \
  TINYC_BINARY(div_##SUF, T, T, x0 / x1)                                                             \
  TINYC_BINARY(pow_##SUF, T, T, POW(x0, x1))                                                         \
  TINYC_BINARY(min_##SUF, T, T, (x0 != x0 || x1 != x1) ? (T)NAN : (x0 < x1 ? x0 : x1))             \
  TINYC_BINARY(max_##SUF, T, T, (x0 != x0 || x1 != x1) ? (T)NAN : (x0 > x1 ? x0 : x1))

TINYC_ARITH_FLOAT(f32, float, powf)
TINYC_ARITH_FLOAT(f64, double, pow)
TINYC_ARITH_INT(i8, int8_t, uint32_t)
TINYC_ARITH_INT(u8, uint8_t, uint32_t)
TINYC_ARITH_INT(i16, int16_t, uint32_t)
TINYC_ARITH_INT(u16, uint16_t, uint32_t)
TINYC_ARITH_INT(i32, int32_t, uint32_t)
TINYC_ARITH_INT(u32, uint32_t, uint32_t)
TINYC_ARITH_INT(i64, int64_t, uint64_t)
TINYC_ARITH_INT(u64, uint64_t, uint64_t)

/* Integer division truncates; division by zero gives 0 and INT_MIN / -1 wraps (never traps). */
#define TINYC_DIV_SIGNED(SUF, T, UT) \
  TINYC_BINARY(div_##SUF, T, UT, x1 == 0 ? (T)0 : (x1 == (T)-1 ? (T)(0u - (UT)x0) : (T)(x0 / x1)))
#define TINYC_DIV_UNSIGNED(SUF, T) TINYC_BINARY(div_##SUF, T, T, x1 == 0 ? (T)0 : (T)(x0 / x1))
TINYC_DIV_SIGNED(i8, int8_t, uint32_t)
TINYC_DIV_SIGNED(i16, int16_t, uint32_t)
TINYC_DIV_SIGNED(i32, int32_t, uint32_t)
TINYC_DIV_SIGNED(i64, int64_t, uint64_t)
TINYC_DIV_UNSIGNED(u8, uint8_t)
TINYC_DIV_UNSIGNED(u16, uint16_t)
TINYC_DIV_UNSIGNED(u32, uint32_t)
TINYC_DIV_UNSIGNED(u64, uint64_t)

TINYC_BINARY_F16(add_f16, x0 + x1)
TINYC_BINARY_F16(sub_f16, x0 - x1)
TINYC_BINARY_F16(mul_f16, x0 * x1)
TINYC_BINARY_F16(div_f16, x0 / x1)
TINYC_BINARY_F16(min_f16, (x0 != x0 || x1 != x1) ? NAN : (x0 < x1 ? x0 : x1))
TINYC_BINARY_F16(max_f16, (x0 != x0 || x1 != x1) ? NAN : (x0 > x1 ? x0 : x1))

/* Copies a broadcast into the output shape (first operand of variadic Min/Max). */
TINYC_KERNEL void tinyc_bcast_copy(const void *a, void *y, int32_t esize, int32_t n, int32_t r, const int32_t *shp,
                                   const int32_t *sa) {
  int32_t i;
  for (i = 0; i < n; ++i)
    memcpy((unsigned char *)y + (size_t)i * (size_t)esize,
           (const unsigned char *)a + (size_t)tinyc_bcast_offset(i, r, shp, sa) * (size_t)esize, (size_t)esize);
}

/* Unary maps. */
#define TINYC_UNARY(NAME, T, EXPR)                                     \
  TINYC_KERNEL void tinyc_##NAME(const T *a, T *y, int32_t n) {        \
    int32_t i;                                                         \
    for (i = 0; i < n; ++i) { T x = a[i]; y[i] = (T)(EXPR); }          \
  }
#define TINYC_UNARY_F16(NAME, EXPR)                                              \
  TINYC_KERNEL void tinyc_##NAME(const uint16_t *a, uint16_t *y, int32_t n) {    \
    int32_t i;                                                                   \
    for (i = 0; i < n; ++i) { float x = tinyc_h2f(a[i]); y[i] = tinyc_f2h((float)(EXPR)); } \
  }
TINYC_UNARY(sqrt_f32, float, sqrtf(x))
TINYC_UNARY(exp_f32, float, expf(x))
TINYC_UNARY(log_f32, float, logf(x))
TINYC_UNARY(erf_f32, float, erff(x))
TINYC_UNARY(reciprocal_f32, float, 1.0f / x)
TINYC_UNARY(sqrt_f64, double, sqrt(x))
TINYC_UNARY(exp_f64, double, exp(x))
TINYC_UNARY(log_f64, double, log(x))
TINYC_UNARY(erf_f64, double, erf(x))
TINYC_UNARY(reciprocal_f64, double, 1.0 / x)
TINYC_UNARY_F16(sqrt_f16, sqrtf(x))
TINYC_UNARY_F16(exp_f16, expf(x))
TINYC_UNARY_F16(log_f16, logf(x))
TINYC_UNARY_F16(erf_f16, erff(x))
TINYC_UNARY_F16(reciprocal_f16, 1.0f / x)
#define TINYC_UNARY_FLOATS(NAME, EXPRF, EXPRD)   \
  TINYC_UNARY(NAME##_f32, float, EXPRF)            \
  TINYC_UNARY(NAME##_f64, double, EXPRD)           \
  TINYC_UNARY_F16(NAME##_f16, EXPRF)
TINYC_UNARY_FLOATS(floor, floorf(x), floor(x))
TINYC_UNARY_FLOATS(ceil, ceilf(x), ceil(x))
TINYC_UNARY_FLOATS(round, nearbyintf(x), nearbyint(x)) /* the default rounding: halves to even */
TINYC_UNARY_FLOATS(sign, x > 0 ? 1 : x < 0 ? -1 : x, x > 0 ? 1 : x < 0 ? -1 : x)
TINYC_UNARY_FLOATS(sin, sinf(x), sin(x))
TINYC_UNARY_FLOATS(cos, cosf(x), cos(x))
TINYC_UNARY_FLOATS(tan, tanf(x), tan(x))
TINYC_UNARY_FLOATS(asin, asinf(x), asin(x))
TINYC_UNARY_FLOATS(acos, acosf(x), acos(x))
TINYC_UNARY_FLOATS(atan, atanf(x), atan(x))
TINYC_UNARY_FLOATS(sinh, sinhf(x), sinh(x))
TINYC_UNARY_FLOATS(cosh, coshf(x), cosh(x))
TINYC_UNARY_FLOATS(asinh, asinhf(x), asinh(x))
TINYC_UNARY_FLOATS(acosh, acoshf(x), acosh(x))
TINYC_UNARY_FLOATS(atanh, atanhf(x), atanh(x))
TINYC_UNARY(abs_f32, float, fabsf(x))
TINYC_UNARY(abs_f64, double, fabs(x))
TINYC_UNARY(neg_f32, float, -x)
TINYC_UNARY(neg_f64, double, -x)
#define TINYC_INT_UNARY(SUF, T, UT)                                       \
  TINYC_UNARY(abs_##SUF, T, x < 0 ? (T)(0u - (UT)x) : x)                  \
  TINYC_UNARY(neg_##SUF, T, (T)(0u - (UT)x))
TINYC_INT_UNARY(i8, int8_t, uint32_t)
TINYC_INT_UNARY(i16, int16_t, uint32_t)
TINYC_INT_UNARY(i32, int32_t, uint32_t)
TINYC_INT_UNARY(i64, int64_t, uint64_t)
TINYC_UNARY(abs_u8, uint8_t, x)
TINYC_UNARY(abs_u16, uint16_t, x)
TINYC_UNARY(abs_u32, uint32_t, x)
TINYC_UNARY(abs_u64, uint64_t, x)

/* Pow for any combination of numeric types, as the interpreter: f32 results use powf on float
   operands, f64 results pow, integer results pow in double truncated toward zero. Types are
   TINYC_DTYPE_* codes (see NAME.h). */
TINYC_KERNEL double tinyc_pow_load(const void *p, int t, int32_t i) {
  switch (t) {
    case 1: return ((const float *)p)[i];
    case 2: return ((const double *)p)[i];
    case 4: return ((const int8_t *)p)[i];
    case 5: return ((const uint8_t *)p)[i];
    case 6: return ((const int16_t *)p)[i];
    case 7: return ((const uint16_t *)p)[i];
    case 8: return ((const int32_t *)p)[i];
    case 9: return ((const uint32_t *)p)[i];
    case 10: return (double)((const int64_t *)p)[i];
    case 11: return (double)((const uint64_t *)p)[i];
    default: return 0.0;
  }
}
TINYC_KERNEL void tinyc_pow_any(const void *a, int ta, const void *b, int tb, void *y, int ty, int32_t n, int32_t r,
                                const int32_t *shp, const int32_t *sa, const int32_t *sb) {
  int32_t i;
  for (i = 0; i < n; ++i) {
    double x0 = tinyc_pow_load(a, ta, tinyc_bcast_offset(i, r, shp, sa));
    double x1 = tinyc_pow_load(b, tb, tinyc_bcast_offset(i, r, shp, sb));
    double v;
    int64_t iv;
    if (ty == 1) { ((float *)y)[i] = powf((float)x0, (float)x1); continue; }
    if (ty == 2) { ((double *)y)[i] = pow(x0, x1); continue; }
    v = pow(x0, x1);
    iv = (v > -9.2e18 && v < 9.2e18) ? (int64_t)v : 0;
    switch (ty) {
      case 4: ((int8_t *)y)[i] = (int8_t)iv; break;
      case 5: ((uint8_t *)y)[i] = (uint8_t)iv; break;
      case 6: ((int16_t *)y)[i] = (int16_t)iv; break;
      case 7: ((uint16_t *)y)[i] = (uint16_t)iv; break;
      case 8: ((int32_t *)y)[i] = (int32_t)iv; break;
      case 9: ((uint32_t *)y)[i] = (uint32_t)iv; break;
      case 10: ((int64_t *)y)[i] = iv; break;
      case 11: ((uint64_t *)y)[i] = (uint64_t)iv; break;
      default: break;
    }
  }
}
