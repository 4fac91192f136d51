/* tinyc runtime: reductions (ReduceSum ReduceMean ReduceMax ReduceMin ReduceProd ReduceL1 ReduceL2 ReduceLogSum ReduceLogSumExp ReduceSumSquare ArgMax ArgMin). requires: common scratch */

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
    TINYC_SCRATCH_NEED(tinyc_reduce_sum_scratch(outer, inner));                                     \
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
    TINYC_SCRATCH_NEED(tinyc_reduce_sum_gen_scratch(outn));                                         \
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
#define TINYC_REDUCE_EXT(KIND, SUF, T, LOWEST, MAXOP)                                             \
  TINYC_KERNEL void tinyc_reduce_##KIND##_##SUF(const T *restrict a, T *restrict y, int32_t outer, int32_t r, \
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
  TINYC_KERNEL void tinyc_reduce_##KIND##_##SUF##_gen(const T *restrict a, T *restrict y, int32_t n, int32_t rank, \
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
TINYC_REDUCE_EXT(max, f32, float, -INFINITY, TINYC_RMAX_F)
TINYC_REDUCE_EXT(max, f64, double, -(double)INFINITY, TINYC_RMAX_D)
TINYC_REDUCE_EXT(max, i8, int8_t, INT8_MIN, TINYC_RMAX_I)
TINYC_REDUCE_EXT(max, u8, uint8_t, 0, TINYC_RMAX_I)
TINYC_REDUCE_EXT(max, i16, int16_t, INT16_MIN, TINYC_RMAX_I)
TINYC_REDUCE_EXT(max, u16, uint16_t, 0, TINYC_RMAX_I)
TINYC_REDUCE_EXT(max, i32, int32_t, INT32_MIN, TINYC_RMAX_I)
TINYC_REDUCE_EXT(max, u32, uint32_t, 0, TINYC_RMAX_I)
TINYC_REDUCE_EXT(max, i64, int64_t, INT64_MIN, TINYC_RMAX_I)
TINYC_REDUCE_EXT(max, u64, uint64_t, 0, TINYC_RMAX_I)
/* ReduceMin of integers and bools (floats: tinyc_reduce_op_*, kind 0). */
#define TINYC_RMIN_I(m, v) ((v) < (m) ? (v) : (m))
TINYC_REDUCE_EXT(min, i8, int8_t, INT8_MAX, TINYC_RMIN_I)
TINYC_REDUCE_EXT(min, u8, uint8_t, UINT8_MAX, TINYC_RMIN_I)
TINYC_REDUCE_EXT(min, i16, int16_t, INT16_MAX, TINYC_RMIN_I)
TINYC_REDUCE_EXT(min, u16, uint16_t, UINT16_MAX, TINYC_RMIN_I)
TINYC_REDUCE_EXT(min, i32, int32_t, INT32_MAX, TINYC_RMIN_I)
TINYC_REDUCE_EXT(min, u32, uint32_t, UINT32_MAX, TINYC_RMIN_I)
TINYC_REDUCE_EXT(min, i64, int64_t, INT64_MAX, TINYC_RMIN_I)
TINYC_REDUCE_EXT(min, u64, uint64_t, UINT64_MAX, TINYC_RMIN_I)

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

/* The other reductions of float types, kind 0 Min, 1 Prod, 2 L1, 3 L2, 4 LogSum, 5 LogSumExp,
   6 SumSquare, as the interpreter (lib/ops/reduce.cpp: in double there, in tinyc_acc here; f64 in
   double): each output folds its inputs in increasing input order, LogSumExp shifted by the
   maximum, an empty reduction gives the kind's identity. Output offset of input element i:
   tinyc_bcast_offset(i, rank, shp, ost); acc: 2 outn accumulators (the second half: maxima). */
#define TINYC_REDUCE_OP(SUF, T, A, LOAD, STORE, EXP, LOG, SQRT, FABS)                                      \
  TINYC_KERNEL void tinyc_reduce_op_##SUF(const T *restrict a, T *restrict y, int32_t n, int32_t rank,       \
                                          const int32_t *shp, const int32_t *ost, int32_t outn, int32_t kind, \
                                          A *restrict acc) {                                                \
    A *restrict mx = acc + outn;                                                                           \
    int32_t i;                                                                                             \
    TINYC_SCRATCH_NEED(tinyc_reduce_op_scratch(outn));                                                     \
    for (i = 0; i < outn; ++i) {                                                                           \
      acc[i] = kind == 0 ? (A)INFINITY : kind == 1 ? (A)1 : (A)0;                                           \
      mx[i] = -(A)INFINITY;                                                                                \
    }                                                                                                      \
    if (kind == 5)                                                                                         \
      for (i = 0; i < n; ++i) {                                                                            \
        const A v = LOAD(a[i]);                                                                            \
        A *m = mx + tinyc_bcast_offset(i, rank, shp, ost);                                                 \
        if (v != v || *m != *m) *m = (A)NAN;                                                               \
        else if (v > *m) *m = v;                                                                           \
      }                                                                                                    \
    for (i = 0; i < n; ++i) {                                                                              \
      const A v = LOAD(a[i]);                                                                              \
      const int32_t o = tinyc_bcast_offset(i, rank, shp, ost);                                             \
      A *p = acc + o;                                                                                      \
      if (kind == 0) {                                                                                     \
        if (v != v || *p != *p) *p = (A)NAN;                                                               \
        else if (v < *p) *p = v;                                                                           \
      } else if (kind == 1) {                                                                              \
        *p *= v;                                                                                           \
      } else if (kind == 2) {                                                                              \
        *p += FABS(v);                                                                                     \
      } else if (kind == 3 || kind == 6) {                                                                 \
        *p += v * v;                                                                                       \
      } else if (kind == 4) {                                                                              \
        *p += v;                                                                                           \
      } else {                                                                                             \
        *p += isinf(mx[o]) ? EXP(v) : EXP(v - mx[o]);                                                      \
      }                                                                                                    \
    }                                                                                                      \
    for (i = 0; i < outn; ++i) {                                                                           \
      A r = acc[i];                                                                                        \
      if (kind == 3) r = SQRT(r);                                                                          \
      else if (kind == 4) r = LOG(r);                                                                      \
      else if (kind == 5) r = isinf(mx[i]) ? LOG(r) : mx[i] + LOG(r);                                       \
      y[i] = STORE(r);                                                                                     \
    }                                                                                                      \
  }
#define TINYC_RSTORE_F(v) ((float)(v))
#define TINYC_RSTORE_D(v) (v)
#define TINYC_RSTORE_H(v) tinyc_f2h((float)(v))
TINYC_REDUCE_OP(f32, float, tinyc_acc, TINYC_RLOAD_F, TINYC_RSTORE_F, tinyc_acc_exp, tinyc_acc_log, tinyc_acc_sqrt, tinyc_acc_fabs)
TINYC_REDUCE_OP(f64, double, double, TINYC_RLOAD_D, TINYC_RSTORE_D, exp, log, sqrt, fabs)
TINYC_REDUCE_OP(f16, uint16_t, tinyc_acc, TINYC_RLOAD_H, TINYC_RSTORE_H, tinyc_acc_exp, tinyc_acc_log, tinyc_acc_sqrt, tinyc_acc_fabs)

/* ArgMax / ArgMin (is_min) over [outer, n, inner], int64 indices: the first extremum (last: the
   last one); a NaN ranks above every number (as numpy: the first NaN). */
#define TINYC_ARG(SUF, T, V, LD, ISNAN)                                                                   \
  TINYC_KERNEL void tinyc_arg_##SUF(const T *a, int64_t *y, int32_t outer, int32_t n, int32_t inner,       \
                                    int32_t is_min, int32_t last) {                                       \
    int32_t o, k, j;                                                                                      \
    for (o = 0; o < outer; ++o)                                                                           \
      for (k = 0; k < inner; ++k) {                                                                       \
        int64_t best = 0;                                                                                 \
        V bv = LD(a[(size_t)o * (size_t)n * (size_t)inner + (size_t)k]);                                  \
        for (j = 1; j < n; ++j) {                                                                         \
          const V v = LD(a[((size_t)o * (size_t)n + (size_t)j) * (size_t)inner + (size_t)k]);             \
          int better;                                                                                     \
          if (ISNAN(v) || ISNAN(bv))                                                                      \
            better = ISNAN(v) && (!ISNAN(bv) || last);                                                    \
          else                                                                                            \
            better = is_min ? (last ? v <= bv : v < bv) : (last ? v >= bv : v > bv);                      \
          if (better) best = j, bv = v;                                                                   \
        }                                                                                                 \
        y[(size_t)o * (size_t)inner + (size_t)k] = best;                                                  \
      }                                                                                                   \
  }
#define TINYC_ARG_ID(v) (v)
#define TINYC_ARG_NAN(v) ((v) != (v))
#define TINYC_ARG_NONAN(v) 0
TINYC_ARG(f32, float, float, TINYC_ARG_ID, TINYC_ARG_NAN)
TINYC_ARG(f64, double, double, TINYC_ARG_ID, TINYC_ARG_NAN)
TINYC_ARG(f16, uint16_t, float, tinyc_h2f, TINYC_ARG_NAN)
TINYC_ARG(i8, int8_t, int8_t, TINYC_ARG_ID, TINYC_ARG_NONAN)
TINYC_ARG(u8, uint8_t, uint8_t, TINYC_ARG_ID, TINYC_ARG_NONAN)
TINYC_ARG(i16, int16_t, int16_t, TINYC_ARG_ID, TINYC_ARG_NONAN)
TINYC_ARG(u16, uint16_t, uint16_t, TINYC_ARG_ID, TINYC_ARG_NONAN)
TINYC_ARG(i32, int32_t, int32_t, TINYC_ARG_ID, TINYC_ARG_NONAN)
TINYC_ARG(u32, uint32_t, uint32_t, TINYC_ARG_ID, TINYC_ARG_NONAN)
TINYC_ARG(i64, int64_t, int64_t, TINYC_ARG_ID, TINYC_ARG_NONAN)
TINYC_ARG(u64, uint64_t, uint64_t, TINYC_ARG_ID, TINYC_ARG_NONAN)
