/* tinyc runtime: Cast between element types (and the conversions Resize stores with). requires: common */

/* Conversions follow the reference interpreter (lib/ops/shape_cast.cpp) and never rely on
   undefined behaviour: float -> integer truncates toward zero, NaN gives 0 and out-of-range
   values saturate; integer -> integer wraps (two's complement); -> bool is "!= 0" (NaN is true);
   double -> float overflows to infinity; -> f16 rounds once to nearest even. */

/* The kernel names take the element type's name as a macro argument (tinyc_cast_bool_f32): a
   `bool` macro from <stdbool.h> in the same file (arm_mve.h includes it, runtime/arm_mve/) would
   turn them into tinyc_cast__Bool_f32. */
#ifdef bool
#undef bool
#endif

/* double -> float, round to nearest; overflow gives +-infinity. */
TINYC_KERNEL float tinyc_d2f(double d) {
  if (d != d) return signbit(d) ? -NAN : NAN;
  if (d >= 0x1.ffffffp127) return INFINITY; /* FLT_MAX + half an ulp rounds up */
  if (d <= -0x1.ffffffp127) return -INFINITY;
  return (float)d;
}

/* double -> half with a single rounding: narrow to float rounding to odd, then to half. */
TINYC_KERNEL uint16_t tinyc_d2h(double d) {
  float f = tinyc_d2f(d);
  if (isfinite(f) && (double)f != d) {
    uint32_t bits;
    memcpy(&bits, &f, 4);
    if (fabs((double)f) > fabs(d)) bits--; /* truncate toward zero */
    bits |= 1u;                            /* sticky bit */
    memcpy(&f, &bits, 4);
  }
  return tinyc_f2h(f);
}

/* double -> integer: truncate toward zero, NaN -> 0, saturate (HI = 2^bits, exact). */
#define TINYC_D2INT(SUF, T, HI, LO, MAX)                                  \
  TINYC_KERNEL T tinyc_d2##SUF(double x) {                                \
    if (x != x) return 0;                                                 \
    if (x >= HI) return MAX;                                              \
    if (x <= LO) return (T)(LO);                                          \
    return (T)x;                                                          \
  }
TINYC_D2INT(i8, int8_t, 128.0, -128.0, INT8_MAX)
TINYC_D2INT(u8, uint8_t, 256.0, 0.0, UINT8_MAX)
TINYC_D2INT(i16, int16_t, 32768.0, -32768.0, INT16_MAX)
TINYC_D2INT(u16, uint16_t, 65536.0, 0.0, UINT16_MAX)
TINYC_D2INT(i32, int32_t, 2147483648.0, -2147483648.0, INT32_MAX)
TINYC_D2INT(u32, uint32_t, 4294967296.0, 0.0, UINT32_MAX)
TINYC_D2INT(i64, int64_t, 9223372036854775808.0, -9223372036854775808.0, INT64_MAX)
TINYC_D2INT(u64, uint64_t, 18446744073709551616.0, 0.0, UINT64_MAX)
TINYC_KERNEL double tinyc_d2f64(double x) { return x; }
TINYC_KERNEL float tinyc_d2f32(double x) { return tinyc_d2f(x); }
TINYC_KERNEL uint16_t tinyc_d2f16(double x) { return tinyc_d2h(x); }
TINYC_KERNEL uint8_t tinyc_d2bool(double x) { return (uint8_t)(x != 0); }

/* uint64 bits -> integer, wrapping (modulo 2^bits) without implementation-defined conversions. */
TINYC_KERNEL int8_t tinyc_u2i8(uint64_t u) {
  int b = (int)(u & 0xffu);
  return (int8_t)(b < 128 ? b : b - 256);
}
TINYC_KERNEL int16_t tinyc_u2i16(uint64_t u) {
  int32_t b = (int32_t)(u & 0xffffu);
  return (int16_t)(b < 32768 ? b : b - 65536);
}
TINYC_KERNEL int32_t tinyc_u2i32(uint64_t u) {
  uint32_t b = (uint32_t)(u & 0xffffffffu);
  return b <= 0x7fffffffu ? (int32_t)b : -(int32_t)(0xffffffffu - b) - 1;
}
TINYC_KERNEL int64_t tinyc_u2i64(uint64_t u) {
  return u <= (uint64_t)INT64_MAX ? (int64_t)u : -(int64_t)(UINT64_MAX - u) - 1;
}
TINYC_KERNEL uint8_t tinyc_u2u8(uint64_t u) { return (uint8_t)u; }
TINYC_KERNEL uint16_t tinyc_u2u16(uint64_t u) { return (uint16_t)u; }
TINYC_KERNEL uint32_t tinyc_u2u32(uint64_t u) { return (uint32_t)u; }
TINYC_KERNEL uint64_t tinyc_u2u64(uint64_t u) { return u; }
TINYC_KERNEL uint8_t tinyc_u2bool(uint64_t u) { return (uint8_t)(u != 0); }
TINYC_KERNEL float tinyc_u2f32(uint64_t u) { return (float)u; }
TINYC_KERNEL double tinyc_u2f64(uint64_t u) { return (double)u; }
TINYC_KERNEL uint16_t tinyc_u2f16(uint64_t u) { return tinyc_d2h((double)u); }

/* Signed source values: integer targets wrap like their uint64 bits; float targets convert the value. */
TINYC_KERNEL int8_t tinyc_s2i8(int64_t v) { return tinyc_u2i8((uint64_t)v); }
TINYC_KERNEL uint8_t tinyc_s2u8(int64_t v) { return (uint8_t)(uint64_t)v; }
TINYC_KERNEL int16_t tinyc_s2i16(int64_t v) { return tinyc_u2i16((uint64_t)v); }
TINYC_KERNEL uint16_t tinyc_s2u16(int64_t v) { return (uint16_t)(uint64_t)v; }
TINYC_KERNEL int32_t tinyc_s2i32(int64_t v) { return tinyc_u2i32((uint64_t)v); }
TINYC_KERNEL uint32_t tinyc_s2u32(int64_t v) { return (uint32_t)(uint64_t)v; }
TINYC_KERNEL int64_t tinyc_s2i64(int64_t v) { return v; }
TINYC_KERNEL uint64_t tinyc_s2u64(int64_t v) { return (uint64_t)v; }
TINYC_KERNEL uint8_t tinyc_s2bool(int64_t v) { return (uint8_t)(v != 0); }
TINYC_KERNEL float tinyc_s2f32(int64_t v) { return (float)v; }
TINYC_KERNEL double tinyc_s2f64(int64_t v) { return (double)v; }
TINYC_KERNEL uint16_t tinyc_s2f16(int64_t v) { return tinyc_d2h((double)v); }

/* tinyc_cast_<src>_<dst>(a, y, n): LOAD reads a source element as the argument of the converter
   family F (d: double, s: int64, u: uint64). */
#define TINYC_CAST1(SSUF, S, F, LOAD, DSUF, D)                                   \
  TINYC_KERNEL void tinyc_cast_##SSUF##_##DSUF(const S *a, D *y, int32_t n) {   \
    int32_t i;                                                                   \
    for (i = 0; i < n; ++i) y[i] = tinyc_##F##2##DSUF(LOAD(a[i]));               \
  }
#define TINYC_CAST_FROM(SSUF, S, F, LOAD)              \
  TINYC_CAST1(SSUF, S, F, LOAD, f32, float)            \
  TINYC_CAST1(SSUF, S, F, LOAD, f64, double)           \
  TINYC_CAST1(SSUF, S, F, LOAD, f16, uint16_t)         \
  TINYC_CAST1(SSUF, S, F, LOAD, i8, int8_t)            \
  TINYC_CAST1(SSUF, S, F, LOAD, u8, uint8_t)           \
  TINYC_CAST1(SSUF, S, F, LOAD, i16, int16_t)          \
  TINYC_CAST1(SSUF, S, F, LOAD, u16, uint16_t)         \
  TINYC_CAST1(SSUF, S, F, LOAD, i32, int32_t)          \
  TINYC_CAST1(SSUF, S, F, LOAD, u32, uint32_t)         \
  TINYC_CAST1(SSUF, S, F, LOAD, i64, int64_t)          \
  TINYC_CAST1(SSUF, S, F, LOAD, u64, uint64_t)         \
  TINYC_CAST1(SSUF, S, F, LOAD, bool, uint8_t)

#define TINYC_CAST_LOAD_D(x) ((double)(x))
#define TINYC_CAST_LOAD_H(x) ((double)tinyc_h2f(x))
#define TINYC_CAST_LOAD_S(x) ((int64_t)(x))
#define TINYC_CAST_LOAD_U(x) ((uint64_t)(x))
#define TINYC_CAST_LOAD_B(x) ((uint64_t)((x) != 0))
TINYC_CAST_FROM(f32, float, d, TINYC_CAST_LOAD_D)
TINYC_CAST_FROM(f64, double, d, TINYC_CAST_LOAD_D)
TINYC_CAST_FROM(f16, uint16_t, d, TINYC_CAST_LOAD_H)
TINYC_CAST_FROM(i8, int8_t, s, TINYC_CAST_LOAD_S)
TINYC_CAST_FROM(i16, int16_t, s, TINYC_CAST_LOAD_S)
TINYC_CAST_FROM(i32, int32_t, s, TINYC_CAST_LOAD_S)
TINYC_CAST_FROM(i64, int64_t, s, TINYC_CAST_LOAD_S)
TINYC_CAST_FROM(u8, uint8_t, u, TINYC_CAST_LOAD_U)
TINYC_CAST_FROM(u16, uint16_t, u, TINYC_CAST_LOAD_U)
TINYC_CAST_FROM(u32, uint32_t, u, TINYC_CAST_LOAD_U)
TINYC_CAST_FROM(u64, uint64_t, u, TINYC_CAST_LOAD_U)
TINYC_CAST_FROM(bool, uint8_t, u, TINYC_CAST_LOAD_B)
