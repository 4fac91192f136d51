/* tinyc runtime: comparison and logic (Equal Less Greater LessOrEqual GreaterOrEqual And Or Xor Not), Where, IsNaN, IsInf, Mod, BitShift. requires: common */

/* Every binary kernel here broadcasts: operand k is read at tinyc_bcast_offset(i, r, shp, sk)
   for output element i, or at i when its strides are NULL (the output's shape). Bools are
   uint8_t 0 / 1. Each output element is written after its inputs are read (in place is safe). */
#define TINYC_AT(S, I) ((S) ? tinyc_bcast_offset((I), r, shp, (S)) : (I))

/* Comparisons, op: 0 ==, 1 <, 2 >, 3 <=, 4 >=. f16 compares as float (LD converts). */
#define TINYC_LD_SAME(P, K) ((P)[K])
#define TINYC_LD_HALF(P, K) tinyc_h2f((P)[K])
#define TINYC_CMP(SUF, T, V, LD)                                                                          \
  TINYC_KERNEL void tinyc_cmp_##SUF(const T *a, const T *b, uint8_t *y, int32_t op, int32_t n, int32_t r,  \
                                    const int32_t *shp, const int32_t *sa, const int32_t *sb) {           \
    int32_t i;                                                                                            \
    for (i = 0; i < n; ++i) {                                                                             \
      const V x0 = LD(a, TINYC_AT(sa, i)), x1 = LD(b, TINYC_AT(sb, i));                                   \
      y[i] = (uint8_t)(op == 0   ? x0 == x1                                                               \
                       : op == 1 ? x0 < x1                                                                \
                       : op == 2 ? x0 > x1                                                                \
                       : op == 3 ? x0 <= x1                                                               \
                                 : x0 >= x1);                                                             \
    }                                                                                                     \
  }
TINYC_CMP(f32, float, float, TINYC_LD_SAME)
TINYC_CMP(f64, double, double, TINYC_LD_SAME)
TINYC_CMP(f16, uint16_t, float, TINYC_LD_HALF)
TINYC_CMP(i8, int8_t, int8_t, TINYC_LD_SAME)
TINYC_CMP(u8, uint8_t, uint8_t, TINYC_LD_SAME)
TINYC_CMP(i16, int16_t, int16_t, TINYC_LD_SAME)
TINYC_CMP(u16, uint16_t, uint16_t, TINYC_LD_SAME)
TINYC_CMP(i32, int32_t, int32_t, TINYC_LD_SAME)
TINYC_CMP(u32, uint32_t, uint32_t, TINYC_LD_SAME)
TINYC_CMP(i64, int64_t, int64_t, TINYC_LD_SAME)
TINYC_CMP(u64, uint64_t, uint64_t, TINYC_LD_SAME)

/* And, Or, Xor (op 0, 1, 2) of bools; Not. */
TINYC_KERNEL void tinyc_logic(const uint8_t *a, const uint8_t *b, uint8_t *y, int32_t op, int32_t n, int32_t r,
                              const int32_t *shp, const int32_t *sa, const int32_t *sb) {
  int32_t i;
  for (i = 0; i < n; ++i) {
    const int x0 = a[TINYC_AT(sa, i)] != 0, x1 = b[TINYC_AT(sb, i)] != 0;
    y[i] = (uint8_t)(op == 0 ? (x0 && x1) : op == 1 ? (x0 || x1) : (x0 != x1));
  }
}
TINYC_KERNEL void tinyc_not(const uint8_t *a, uint8_t *y, int32_t n) {
  int32_t i;
  for (i = 0; i < n; ++i) y[i] = (uint8_t)(a[i] == 0);
}

/* BitwiseAnd, BitwiseOr, BitwiseXor (op 0, 1, 2) of integers of esize bytes, byte by byte (the
   same bits as on the integers); BitwiseNot over nbytes. */
TINYC_KERNEL void tinyc_bitwise(const uint8_t *a, const uint8_t *b, uint8_t *y, int32_t op, int32_t esize, int32_t n,
                                int32_t r, const int32_t *shp, const int32_t *sa, const int32_t *sb) {
  int32_t i, k;
  for (i = 0; i < n; ++i) {
    const uint8_t *x0 = a + (size_t)TINYC_AT(sa, i) * (size_t)esize, *x1 = b + (size_t)TINYC_AT(sb, i) * (size_t)esize;
    uint8_t *d = y + (size_t)i * (size_t)esize;
    for (k = 0; k < esize; ++k)
      d[k] = (uint8_t)(op == 0 ? (x0[k] & x1[k]) : op == 1 ? (x0[k] | x1[k]) : (x0[k] ^ x1[k]));
  }
}
TINYC_KERNEL void tinyc_bitwise_not(const uint8_t *a, uint8_t *y, int32_t nbytes) {
  int32_t i;
  for (i = 0; i < nbytes; ++i) y[i] = (uint8_t)~a[i];
}

/* Where: out[i] = cond ? x : y, elements of esize bytes. */
TINYC_KERNEL void tinyc_where(const uint8_t *cond, const void *x, const void *y, void *out, int32_t esize, int32_t n,
                              int32_t r, const int32_t *shp, const int32_t *sc, const int32_t *sx, const int32_t *sy) {
  int32_t i;
  for (i = 0; i < n; ++i) {
    const unsigned char *src = cond[TINYC_AT(sc, i)] ? (const unsigned char *)x + (size_t)TINYC_AT(sx, i) * (size_t)esize
                                                     : (const unsigned char *)y + (size_t)TINYC_AT(sy, i) * (size_t)esize;
    memmove((unsigned char *)out + (size_t)i * (size_t)esize, src, (size_t)esize);
  }
}

/* IsNaN; IsInf with the sides to detect. */
#define TINYC_FTEST(SUF, T, V, LD)                                                                     \
  TINYC_KERNEL void tinyc_isnan_##SUF(const T *a, uint8_t *y, int32_t n) {                             \
    int32_t i;                                                                                         \
    for (i = 0; i < n; ++i) {                                                                          \
      const V x = LD(a, i);                                                                            \
      y[i] = (uint8_t)(x != x);                                                                        \
    }                                                                                                  \
  }                                                                                                    \
  TINYC_KERNEL void tinyc_isinf_##SUF(const T *a, uint8_t *y, int32_t n, int32_t neg, int32_t pos) {   \
    int32_t i;                                                                                         \
    for (i = 0; i < n; ++i) {                                                                          \
      const V x = LD(a, i);                                                                            \
      y[i] = (uint8_t)((pos && x > 0 && x - x != x - x) || (neg && x < 0 && x - x != x - x));          \
    }                                                                                                  \
  }
TINYC_FTEST(f32, float, float, TINYC_LD_SAME)
TINYC_FTEST(f64, double, double, TINYC_LD_SAME)
TINYC_FTEST(f16, uint16_t, float, TINYC_LD_HALF)

/* Mod. Integers: fm = 0 gives the divisor's sign (Python's %), fm = 1 the dividend's (C's %);
   a zero divisor gives 0, and so does x % -1 (never the INT_MIN trap). */
#define TINYC_MOD_SIGNED(SUF, T)                                                                          \
  TINYC_KERNEL void tinyc_mod_##SUF(const T *a, const T *b, T *y, int32_t fm, int32_t n, int32_t r,       \
                                    const int32_t *shp, const int32_t *sa, const int32_t *sb) {           \
    int32_t i;                                                                                            \
    for (i = 0; i < n; ++i) {                                                                             \
      const T x0 = a[TINYC_AT(sa, i)], x1 = b[TINYC_AT(sb, i)];                                           \
      T m = 0;                                                                                            \
      if (x1 != 0 && x1 != (T)-1) {                                                                       \
        m = (T)(x0 % x1);                                                                                 \
        if (!fm && m != 0 && ((m < 0) != (x1 < 0))) m = (T)(m + x1);                                      \
      }                                                                                                   \
      y[i] = m;                                                                                           \
    }                                                                                                     \
  }
#define TINYC_MOD_UNSIGNED(SUF, T)                                                                        \
  TINYC_KERNEL void tinyc_mod_##SUF(const T *a, const T *b, T *y, int32_t fm, int32_t n, int32_t r,       \
                                    const int32_t *shp, const int32_t *sa, const int32_t *sb) {           \
    int32_t i;                                                                                            \
    (void)fm;                                                                                             \
    for (i = 0; i < n; ++i) {                                                                             \
      const T x0 = a[TINYC_AT(sa, i)], x1 = b[TINYC_AT(sb, i)];                                           \
      y[i] = x1 == 0 ? (T)0 : (T)(x0 % x1);                                                               \
    }                                                                                                     \
  }
TINYC_MOD_SIGNED(i8, int8_t)
TINYC_MOD_SIGNED(i16, int16_t)
TINYC_MOD_SIGNED(i32, int32_t)
TINYC_MOD_SIGNED(i64, int64_t)
TINYC_MOD_UNSIGNED(u8, uint8_t)
TINYC_MOD_UNSIGNED(u16, uint16_t)
TINYC_MOD_UNSIGNED(u32, uint32_t)
TINYC_MOD_UNSIGNED(u64, uint64_t)
/* Floats: fm = 1 is C's fmod; fm = 0 takes the divisor's sign (Mod-28: a zero result too). */
TINYC_KERNEL float tinyc_fmodf_py(float x, float y, int32_t fm) {
  float m = fmodf(x, y);
  if (!fm) {
    if (m != 0.0f && ((m < 0.0f) != (y < 0.0f))) m += y;
    if (m == 0.0f) m = copysignf(0.0f, y);
  }
  return m;
}
TINYC_KERNEL double tinyc_fmod_py(double x, double y, int32_t fm) {
  double m = fmod(x, y);
  if (!fm) {
    if (m != 0.0 && ((m < 0.0) != (y < 0.0))) m += y;
    if (m == 0.0) m = copysign(0.0, y);
  }
  return m;
}
TINYC_KERNEL void tinyc_mod_f32(const float *a, const float *b, float *y, int32_t fm, int32_t n, int32_t r,
                                const int32_t *shp, const int32_t *sa, const int32_t *sb) {
  int32_t i;
  for (i = 0; i < n; ++i) y[i] = tinyc_fmodf_py(a[TINYC_AT(sa, i)], b[TINYC_AT(sb, i)], fm);
}
TINYC_KERNEL void tinyc_mod_f64(const double *a, const double *b, double *y, int32_t fm, int32_t n, int32_t r,
                                const int32_t *shp, const int32_t *sa, const int32_t *sb) {
  int32_t i;
  for (i = 0; i < n; ++i) y[i] = tinyc_fmod_py(a[TINYC_AT(sa, i)], b[TINYC_AT(sb, i)], fm);
}
TINYC_KERNEL void tinyc_mod_f16(const uint16_t *a, const uint16_t *b, uint16_t *y, int32_t fm, int32_t n, int32_t r,
                                const int32_t *shp, const int32_t *sa, const int32_t *sb) {
  int32_t i;
  for (i = 0; i < n; ++i) y[i] = tinyc_f2h(tinyc_fmodf_py(tinyc_h2f(a[TINYC_AT(sa, i)]), tinyc_h2f(b[TINYC_AT(sb, i)]), fm));
}

/* BitShift: left (dir 0) or right, arithmetic for signed types (~(~x >> s): portable C);
   shifts below 0 or of the width or more give 0 (-1 for a right shift of a negative x). */
TINYC_KERNEL int tinyc_shift_out(int64_t s, int64_t bits) { return s < 0 || s >= bits; }
#define TINYC_SHIFT(SUF, T, UT, BITS, NEG)                                                                \
  TINYC_KERNEL void tinyc_shift_##SUF(const T *a, const T *b, T *y, int32_t dir, int32_t n, int32_t r,    \
                                      const int32_t *shp, const int32_t *sa, const int32_t *sb) {         \
    int32_t i;                                                                                            \
    for (i = 0; i < n; ++i) {                                                                             \
      const T x0 = a[TINYC_AT(sa, i)], x1 = b[TINYC_AT(sb, i)];                                           \
      const int neg = NEG;                                                                                \
      if (tinyc_shift_out((int64_t)x1, BITS))                                                             \
        y[i] = dir != 0 && neg ? (T)-1 : (T)0;                                                            \
      else if (dir == 0)                                                                                  \
        y[i] = (T)(UT)((UT)x0 << x1);                                                                     \
      else                                                                                                \
        y[i] = neg ? (T)~(T)((T)~x0 >> x1) : (T)(x0 >> x1);                                               \
    }                                                                                                     \
  }
TINYC_SHIFT(u8, uint8_t, uint32_t, 8, 0)
TINYC_SHIFT(u16, uint16_t, uint32_t, 16, 0)
TINYC_SHIFT(u32, uint32_t, uint32_t, 32, 0)
TINYC_SHIFT(u64, uint64_t, uint64_t, 64, 0)
TINYC_SHIFT(i8, int8_t, uint32_t, 8, x0 < 0)
TINYC_SHIFT(i16, int16_t, uint32_t, 16, x0 < 0)
TINYC_SHIFT(i32, int32_t, uint32_t, 32, x0 < 0)
TINYC_SHIFT(i64, int64_t, uint64_t, 64, x0 < 0)
