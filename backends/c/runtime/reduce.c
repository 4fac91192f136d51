/* tinyc runtime: reductions (ReduceSum ReduceMean ReduceMax). requires: common */

/* As the interpreter: floats accumulate in double (f16 through float; f32 and f16 in
   tinyc_acc: float on the MCU targets), integers in 64 bits
   with wrap-around; Mean divides by the element count (float: NaN for an empty reduction;
   integers: truncating, 0 for an empty reduction). Every output folds its inputs in increasing
   input order.
   Contiguous form: the input is [outer, r, inner], reduced over r. inner > 1 needs `acc`
   scratch of inner accumulators so that the loops run over contiguous memory.
   General form: output offset of input element i is tinyc_bcast_offset(i, rank, shp, ost)
   (ost: output strides, 0 on reduced dims); `acc` holds one accumulator per output. */
#define TINYC_REDUCE_SUM(SUF, T, A, LOAD, FINISH)                                                 \
  TINYC_KERNEL void tinyc_reduce_sum_##SUF(const T *restrict a, T *restrict y, int32_t outer, int32_t r, \
                                           int32_t inner, int32_t mean, A *restrict acc) {         \
    int32_t o, j, k;                                                                                \
    const A cnt = (A)r;                                                                             \
    (void)cnt;                                                                                      \
    for (o = 0; o < outer; ++o) {                                                                   \
      const T *restrict p = a + (size_t)o * (size_t)r * (size_t)inner;                             \
      T *restrict q = y + (size_t)o * (size_t)inner;                                                \
      if (inner == 1) {                                                                             \
        A s = 0;                                                                                    \
        for (j = 0; j < r; ++j) s += LOAD(p[j]);                                                    \
        q[0] = FINISH(s);                                                                           \
      } else {                                                                                      \
        for (k = 0; k < inner; ++k) acc[k] = 0;                                                     \
        for (j = 0; j < r; ++j) {                                                                   \
          const T *restrict pj = p + (size_t)j * (size_t)inner;                                     \
          for (k = 0; k < inner; ++k) acc[k] += LOAD(pj[k]);                                        \
        }                                                                                           \
        for (k = 0; k < inner; ++k) q[k] = FINISH(acc[k]);                                          \
      }                                                                                             \
    }                                                                                               \
  }                                                                                                 \
  TINYC_KERNEL void tinyc_reduce_sum_##SUF##_gen(const T *restrict a, T *restrict y, int32_t n, int32_t rank, \
                                                 const int32_t *shp, const int32_t *ost, int32_t outn, int32_t count, \
                                                 int32_t mean, A *restrict acc) {                  \
    int32_t i;                                                                                      \
    const A cnt = (A)count;                                                                         \
    (void)cnt;                                                                                      \
    for (i = 0; i < outn; ++i) acc[i] = 0;                                                          \
    for (i = 0; i < n; ++i) acc[tinyc_bcast_offset(i, rank, shp, ost)] += LOAD(a[i]);               \
    for (i = 0; i < outn; ++i) y[i] = FINISH(acc[i]);                                               \
  }

#define TINYC_RLOAD_F(v) ((tinyc_acc)(v))
#define TINYC_RLOAD_D(v) (v)
#define TINYC_RLOAD_H(v) ((tinyc_acc)tinyc_h2f(v))
#define TINYC_RLOAD_U(v) ((uint64_t)(v))
#define TINYC_RFIN_F32(s) (mean ? (float)((s) / cnt) : (float)(s))
#define TINYC_RFIN_F64(s) (mean ? (s) / cnt : (s))
#define TINYC_RFIN_F16(s) tinyc_f2h(mean ? (float)((s) / cnt) : (float)(s))
/* Signed integers: the wrapped 64-bit sum reinterpreted as int64, mean truncates toward zero. */
#define TINYC_RFIN_SI(T, s) (T)(mean ? (cnt ? (int64_t)(s) / (int64_t)cnt : 0) : (int64_t)(s))
#define TINYC_RFIN_UI(T, s) (T)(mean ? (cnt ? (s) / cnt : 0) : (s))
#define TINYC_RFIN_I8(s) TINYC_RFIN_SI(int8_t, s)
#define TINYC_RFIN_I16(s) TINYC_RFIN_SI(int16_t, s)
#define TINYC_RFIN_I32(s) TINYC_RFIN_SI(int32_t, s)
#define TINYC_RFIN_I64(s) TINYC_RFIN_SI(int64_t, s)
#define TINYC_RFIN_U8(s) TINYC_RFIN_UI(uint8_t, s)
#define TINYC_RFIN_U16(s) TINYC_RFIN_UI(uint16_t, s)
#define TINYC_RFIN_U32(s) TINYC_RFIN_UI(uint32_t, s)
#define TINYC_RFIN_U64(s) TINYC_RFIN_UI(uint64_t, s)

TINYC_REDUCE_SUM(f32, float, tinyc_acc, TINYC_RLOAD_F, TINYC_RFIN_F32)
TINYC_REDUCE_SUM(f64, double, double, TINYC_RLOAD_D, TINYC_RFIN_F64)
TINYC_REDUCE_SUM(f16, uint16_t, tinyc_acc, TINYC_RLOAD_H, TINYC_RFIN_F16)
TINYC_REDUCE_SUM(i8, int8_t, uint64_t, TINYC_RLOAD_U, TINYC_RFIN_I8)
TINYC_REDUCE_SUM(u8, uint8_t, uint64_t, TINYC_RLOAD_U, TINYC_RFIN_U8)
TINYC_REDUCE_SUM(i16, int16_t, uint64_t, TINYC_RLOAD_U, TINYC_RFIN_I16)
TINYC_REDUCE_SUM(u16, uint16_t, uint64_t, TINYC_RLOAD_U, TINYC_RFIN_U16)
TINYC_REDUCE_SUM(i32, int32_t, uint64_t, TINYC_RLOAD_U, TINYC_RFIN_I32)
TINYC_REDUCE_SUM(u32, uint32_t, uint64_t, TINYC_RLOAD_U, TINYC_RFIN_U32)
TINYC_REDUCE_SUM(i64, int64_t, uint64_t, TINYC_RLOAD_U, TINYC_RFIN_I64)
TINYC_REDUCE_SUM(u64, uint64_t, uint64_t, TINYC_RLOAD_U, TINYC_RFIN_U64)

/* Max: the output is the accumulator (exact in T). Floats: NaN if any input is NaN; -inf for
   an empty reduction. Integers: the type's lowest value for an empty reduction. */
#define TINYC_REDUCE_MAX(SUF, T, LOWEST, MAXOP)                                                   \
  TINYC_KERNEL void tinyc_reduce_max_##SUF(const T *restrict a, T *restrict y, int32_t outer, int32_t r, \
                                           int32_t inner) {                                         \
    int32_t o, j, k;                                                                                \
    for (o = 0; o < outer; ++o) {                                                                   \
      const T *restrict p = a + (size_t)o * (size_t)r * (size_t)inner;                             \
      T *restrict q = y + (size_t)o * (size_t)inner;                                                \
      if (inner == 1) {                                                                             \
        T m = (LOWEST);                                                                             \
        for (j = 0; j < r; ++j) m = MAXOP(m, p[j]);                                                 \
        q[0] = m;                                                                                   \
      } else {                                                                                      \
        for (k = 0; k < inner; ++k) q[k] = (LOWEST);                                                \
        for (j = 0; j < r; ++j) {                                                                   \
          const T *restrict pj = p + (size_t)j * (size_t)inner;                                     \
          for (k = 0; k < inner; ++k) q[k] = MAXOP(q[k], pj[k]);                                    \
        }                                                                                           \
      }                                                                                             \
    }                                                                                               \
  }                                                                                                 \
  TINYC_KERNEL void tinyc_reduce_max_##SUF##_gen(const T *restrict a, T *restrict y, int32_t n, int32_t rank, \
                                                 const int32_t *shp, const int32_t *ost, int32_t outn) { \
    int32_t i;                                                                                      \
    for (i = 0; i < outn; ++i) y[i] = (LOWEST);                                                     \
    for (i = 0; i < n; ++i) {                                                                       \
      const int32_t o = tinyc_bcast_offset(i, rank, shp, ost);                                      \
      y[o] = MAXOP(y[o], a[i]);                                                                     \
    }                                                                                               \
  }
#define TINYC_RMAX_F(m, v) (((v) != (v) || (m) != (m)) ? NAN : ((v) > (m) ? (v) : (m)))
#define TINYC_RMAX_D(m, v) (((v) != (v) || (m) != (m)) ? (double)NAN : ((v) > (m) ? (v) : (m)))
#define TINYC_RMAX_I(m, v) ((v) > (m) ? (v) : (m))
TINYC_REDUCE_MAX(f32, float, -INFINITY, TINYC_RMAX_F)
TINYC_REDUCE_MAX(f64, double, -(double)INFINITY, TINYC_RMAX_D)
TINYC_REDUCE_MAX(i8, int8_t, INT8_MIN, TINYC_RMAX_I)
TINYC_REDUCE_MAX(u8, uint8_t, 0, TINYC_RMAX_I)
TINYC_REDUCE_MAX(i16, int16_t, INT16_MIN, TINYC_RMAX_I)
TINYC_REDUCE_MAX(u16, uint16_t, 0, TINYC_RMAX_I)
TINYC_REDUCE_MAX(i32, int32_t, INT32_MIN, TINYC_RMAX_I)
TINYC_REDUCE_MAX(u32, uint32_t, 0, TINYC_RMAX_I)
TINYC_REDUCE_MAX(i64, int64_t, INT64_MIN, TINYC_RMAX_I)
TINYC_REDUCE_MAX(u64, uint64_t, 0, TINYC_RMAX_I)

/* f16 Max in float (exact), rounded back once. */
TINYC_KERNEL float tinyc_rmax_h(float m, uint16_t h) {
  const float v = tinyc_h2f(h);
  return TINYC_RMAX_F(m, v);
}
TINYC_KERNEL void tinyc_reduce_max_f16(const uint16_t *restrict a, uint16_t *restrict y, int32_t outer, int32_t r,
                                       int32_t inner) {
  int32_t o, j, k;
  for (o = 0; o < outer; ++o)
    for (k = 0; k < inner; ++k) {
      const uint16_t *restrict p = a + (size_t)o * (size_t)r * (size_t)inner + (size_t)k;
      float m = -INFINITY;
      for (j = 0; j < r; ++j) m = tinyc_rmax_h(m, p[(size_t)j * (size_t)inner]);
      y[(size_t)o * (size_t)inner + (size_t)k] = tinyc_f2h(m);
    }
}
TINYC_KERNEL void tinyc_reduce_max_f16_gen(const uint16_t *restrict a, uint16_t *restrict y, int32_t n, int32_t rank,
                                           const int32_t *shp, const int32_t *ost, int32_t outn) {
  int32_t i;
  for (i = 0; i < outn; ++i) y[i] = 0xfc00u; /* -inf */
  for (i = 0; i < n; ++i) {
    const int32_t o = tinyc_bcast_offset(i, rank, shp, ost);
    y[o] = tinyc_f2h(tinyc_rmax_h(tinyc_h2f(y[o]), a[i]));
  }
}
