/* tinyc runtime: ops along one axis (CumSum CumProd Hardmax TopK ReverseSequence). requires: common */

/* CumSum (prod 0) and CumProd (prod 1) over [outer, n, inner]: running sums or products in the
   element type (integers wrap: computed in the unsigned type S), in input order along the axis or
   from its end (rev); excl: each output leaves its own element out. f16 in float, rounded at every
   output (as the interpreter). */
#define TINYC_CUMSUM(SUF, T, S, LD, ST)                                                                   \
  TINYC_KERNEL void tinyc_cumsum_##SUF(const T *a, T *y, int32_t outer, int32_t n, int32_t inner,         \
                                       int32_t excl, int32_t rev, int32_t prod) {                         \
    int32_t o, k, j;                                                                                      \
    for (o = 0; o < outer; ++o)                                                                           \
      for (k = 0; k < inner; ++k) {                                                                       \
        S s = (S)(prod ? 1 : 0);                                                                          \
        for (j = 0; j < n; ++j) {                                                                         \
          const size_t at = ((size_t)o * (size_t)n + (size_t)(rev ? n - 1 - j : j)) * (size_t)inner + (size_t)k; \
          const S v = LD(a[at]);                                                                          \
          if (excl) y[at] = ST(s);                                                                        \
          s = prod ? (S)(s * v) : (S)(s + v);                                                             \
          if (!excl) y[at] = ST(s);                                                                       \
        }                                                                                                 \
      }                                                                                                   \
  }
#define TINYC_AX_ID(v) (v)
#define TINYC_AX_F2H(v) tinyc_f2h(v)
TINYC_CUMSUM(f32, float, float, TINYC_AX_ID, TINYC_AX_ID)
TINYC_CUMSUM(f64, double, double, TINYC_AX_ID, TINYC_AX_ID)
TINYC_CUMSUM(f16, uint16_t, float, tinyc_h2f, TINYC_AX_F2H)
TINYC_CUMSUM(i8, int8_t, uint32_t, (uint32_t), (int8_t))
TINYC_CUMSUM(u8, uint8_t, uint32_t, (uint32_t), (uint8_t))
TINYC_CUMSUM(i16, int16_t, uint32_t, (uint32_t), (int16_t))
TINYC_CUMSUM(u16, uint16_t, uint32_t, (uint32_t), (uint16_t))
TINYC_CUMSUM(i32, int32_t, uint32_t, (uint32_t), (int32_t))
TINYC_CUMSUM(u32, uint32_t, uint32_t, TINYC_AX_ID, TINYC_AX_ID)
TINYC_CUMSUM(i64, int64_t, uint64_t, (uint64_t), (int64_t))
TINYC_CUMSUM(u64, uint64_t, uint64_t, TINYC_AX_ID, TINYC_AX_ID)

/* Hardmax over [outer, n, inner]: 1 at the first maximum (a NaN counts as it), 0 elsewhere. */
#define TINYC_HARDMAX(SUF, T, V, LD, ONE, ZERO)                                                           \
  TINYC_KERNEL void tinyc_hardmax_##SUF(const T *a, T *y, int32_t outer, int32_t n, int32_t inner) {      \
    int32_t o, k, j;                                                                                      \
    for (o = 0; o < outer; ++o)                                                                           \
      for (k = 0; k < inner; ++k) {                                                                       \
        const size_t base = (size_t)o * (size_t)n * (size_t)inner + (size_t)k;                            \
        int32_t best = 0;                                                                                 \
        V bv;                                                                                             \
        if (n == 0) continue;                                                                             \
        bv = LD(a[base]);                                                                                 \
        for (j = 1; j < n && bv == bv; ++j) {                                                             \
          const V v = LD(a[base + (size_t)j * (size_t)inner]);                                            \
          if (v != v || v > bv) best = j, bv = v;                                                         \
        }                                                                                                 \
        for (j = 0; j < n; ++j) y[base + (size_t)j * (size_t)inner] = j == best ? ONE : ZERO;             \
      }                                                                                                   \
  }
TINYC_HARDMAX(f32, float, float, TINYC_AX_ID, 1.0f, 0.0f)
TINYC_HARDMAX(f64, double, double, TINYC_AX_ID, 1.0, 0.0)
TINYC_HARDMAX(f16, uint16_t, float, tinyc_h2f, (uint16_t)0x3C00u, (uint16_t)0)

/* TopK over [outer, n, inner] (lib/ops/axis_ops.cpp): element j goes to place rank(j), the
   number of elements before it (larger, or smaller with !largest; equal ones by index; a NaN
   counts as larger than every number), when that is below k: no sort, no scratch. */
#define TINYC_TOPK_BEFORE(vi, i, vj, j, largest, ISNAN)                                                    \
  (ISNAN(vi) || ISNAN(vj) ? (ISNAN(vi) && ISNAN(vj) ? (i) < (j) : ISNAN(vi) == (largest))                 \
                          : (vi) == (vj) ? (i) < (j) : (largest) ? (vi) > (vj) : (vi) < (vj))
#define TINYC_TOPK(SUF, T, ISNAN)                                                                         \
  TINYC_KERNEL void tinyc_topk_##SUF(const T *a, T *y, int64_t *ind, int32_t outer, int32_t n, int32_t inner, \
                                     int32_t k, int32_t largest) {                                        \
    int32_t o, q, i, j;                                                                                   \
    for (o = 0; o < outer; ++o)                                                                           \
      for (q = 0; q < inner; ++q) {                                                                       \
        const T *s = a + (size_t)o * (size_t)n * (size_t)inner + (size_t)q;                               \
        for (j = 0; j < n; ++j) {                                                                         \
          const T vj = s[(size_t)j * (size_t)inner];                                                      \
          int32_t rank = 0;                                                                               \
          for (i = 0; i < n && rank < k; ++i) {                                                           \
            const T vi = s[(size_t)i * (size_t)inner];                                                    \
            if (i != j && TINYC_TOPK_BEFORE(vi, i, vj, j, largest, ISNAN)) ++rank;                        \
          }                                                                                               \
          if (rank < k) {                                                                                 \
            const size_t at = ((size_t)o * (size_t)k + (size_t)rank) * (size_t)inner + (size_t)q;         \
            y[at] = vj;                                                                                   \
            if (ind) ind[at] = j;                                                                         \
          }                                                                                               \
        }                                                                                                 \
      }                                                                                                   \
  }
#define TINYC_AX_ISNAN(v) ((v) != (v))
#define TINYC_AX_NONAN(v) 0
TINYC_TOPK(f32, float, TINYC_AX_ISNAN)
TINYC_TOPK(f64, double, TINYC_AX_ISNAN)
TINYC_TOPK(i8, int8_t, TINYC_AX_NONAN)
TINYC_TOPK(u8, uint8_t, TINYC_AX_NONAN)
TINYC_TOPK(i16, int16_t, TINYC_AX_NONAN)
TINYC_TOPK(u16, uint16_t, TINYC_AX_NONAN)
TINYC_TOPK(i32, int32_t, TINYC_AX_NONAN)
TINYC_TOPK(u32, uint32_t, TINYC_AX_NONAN)
TINYC_TOPK(i64, int64_t, TINYC_AX_NONAN)
TINYC_TOPK(u64, uint64_t, TINYC_AX_NONAN)

/* ReverseSequence over [a0, a1, chunk bytes] (time axis 0 or 1, the batch the other): batch entry
   b's first lens[b] steps (clamped to [0, steps]) reversed, the others copied. */
TINYC_KERNEL void tinyc_reverse_sequence(const void *x, void *y, const int64_t *lens, int32_t a0, int32_t a1,
                                         int32_t time_axis, int32_t chunk) {
  const unsigned char *s = (const unsigned char *)x;
  unsigned char *d = (unsigned char *)y;
  const int32_t steps = time_axis == 0 ? a0 : a1;
  int32_t i, j;
  for (i = 0; i < a0; ++i)
    for (j = 0; j < a1; ++j) {
      const int32_t t = time_axis == 0 ? i : j, b = time_axis == 0 ? j : i;
      const int64_t len = lens[b] < 0 ? 0 : lens[b] > steps ? steps : lens[b];
      const int32_t from = t < len ? (int32_t)len - 1 - t : t;
      const int32_t si = time_axis == 0 ? from : i, sj = time_axis == 0 ? j : from;
      memcpy(d + ((size_t)i * (size_t)a1 + (size_t)j) * (size_t)chunk,
             s + ((size_t)si * (size_t)a1 + (size_t)sj) * (size_t)chunk, (size_t)chunk);
    }
}
