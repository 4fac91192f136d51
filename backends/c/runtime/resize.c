/* tinyc runtime: Resize with linear / cubic interpolation. requires: common cast */

#define TINYC_RESIZE_MAX_RANK 16

/* Per axis d the emitter gives ntaps[d] taps per output coordinate (0: the axis is copied
   unchanged); output coordinate x reads input coordinates idx_d[x * n + k] with weights
   w_d[x * n + k], or the extrapolation value when idx_d[x * n] is negative. The tables of the
   axes are stored one after the other. As in the reference interpreter, values are computed in
   double (float32 / float16 tensors: in tinyc_acc, float on the MCU targets, whose weight
   tables are tinyc_acc too) and the innermost resized axis is summed first:
     y = sum_k0 w0[k0] * (sum_k1 w1[k1] * (... x[...])). */
typedef struct {
  int32_t r;
  const int32_t *ntaps;
  tinyc_acc extrap;
  int32_t ist[TINYC_RESIZE_MAX_RANK];       /* input strides (elements) */
  int32_t o[TINYC_RESIZE_MAX_RANK];         /* current output coordinate */
  const int32_t *idx[TINYC_RESIZE_MAX_RANK];
  const tinyc_acc *w[TINYC_RESIZE_MAX_RANK];
} tinyc_resize_plan;

TINYC_KERNEL void tinyc_resize_init(tinyc_resize_plan *p, int32_t r, const int32_t *ishp, const int32_t *oshp,
                                    const int32_t *ntaps, const int32_t *idx, const tinyc_acc *w, tinyc_acc extrap) {
  int32_t d, s = 1, t = 0;
  p->r = r;
  p->ntaps = ntaps;
  p->extrap = extrap;
  for (d = r - 1; d >= 0; --d) {
    p->ist[d] = s;
    s *= ishp[d];
  }
  for (d = 0; d < r; ++d) {
    p->o[d] = 0;
    p->idx[d] = idx + t;
    p->w[d] = w + t;
    t += oshp[d] * ntaps[d];
  }
}

#define TINYC_RESIZE(SUF, T, A, LOAD, STORE)                                                               \
  TINYC_KERNEL A tinyc_resize_sum_##SUF(const T *x, const tinyc_resize_plan *p, int32_t d, int32_t base) { \
    const int32_t *ix;                                                                               \
    const tinyc_acc *w;                                                                              \
    A acc = 0;                                                                                       \
    int32_t k, n;                                                                                    \
    while (d < p->r && p->ntaps[d] == 0) {                                                           \
      base += p->o[d] * p->ist[d];                                                                   \
      ++d;                                                                                           \
    }                                                                                                \
    if (d == p->r) return LOAD(x[base]);                                                             \
    n = p->ntaps[d];                                                                                 \
    ix = p->idx[d] + p->o[d] * n;                                                                    \
    w = p->w[d] + p->o[d] * n;                                                                       \
    if (ix[0] < 0) return (A)p->extrap;                                                               \
    for (k = 0; k < n; ++k) {                                                                        \
      A v = tinyc_resize_sum_##SUF(x, p, d + 1, base + ix[k] * p->ist[d]);                           \
      A t = (A)w[k] * v;   /* separate statements: never fused into an fma */                      \
      acc += t;                                                                                      \
    }                                                                                                \
    return acc;                                                                                      \
  }                                                                                                  \
  TINYC_KERNEL void tinyc_resize_##SUF(const T *x, T *y, int32_t r, const int32_t *ishp, const int32_t *oshp, \
                                       const int32_t *ntaps, const int32_t *idx, const tinyc_acc *w, tinyc_acc extrap) { \
    tinyc_resize_plan p;                                                                             \
    int32_t i, d, n = 1;                                                                             \
    tinyc_resize_init(&p, r, ishp, oshp, ntaps, idx, w, extrap);                                     \
    for (d = 0; d < r; ++d) n *= oshp[d];                                                            \
    for (i = 0; i < n; ++i) {                                                                        \
      y[i] = STORE(tinyc_resize_sum_##SUF(x, &p, 0, 0));                                             \
      for (d = r - 1; d >= 0; --d) {                                                                 \
        if (++p.o[d] < oshp[d]) break;                                                               \
        p.o[d] = 0;                                                                                  \
      }                                                                                              \
    }                                                                                                \
  }

#define TINYC_RESIZE_LOAD(v) ((double)(v))
#define TINYC_RESIZE_LOAD_A(v) ((tinyc_acc)(v))
#define TINYC_RESIZE_LOAD_H(v) ((tinyc_acc)tinyc_h2f(v))
#define TINYC_RESIZE_LOAD_B(v) ((v) ? 1.0 : 0.0)
#ifdef TINYC_FLOAT_ACC
#define TINYC_RESIZE_STORE_F(v) (v)
#define TINYC_RESIZE_STORE_H(v) tinyc_f2h(v)
#else
#define TINYC_RESIZE_STORE_F(v) tinyc_d2f(v)
#define TINYC_RESIZE_STORE_H(v) tinyc_f2h(tinyc_d2f(v)) /* as the interpreter: double -> float -> half */
#endif
TINYC_RESIZE(f32, float, tinyc_acc, TINYC_RESIZE_LOAD_A, TINYC_RESIZE_STORE_F)
TINYC_RESIZE(f64, double, double, TINYC_RESIZE_LOAD, tinyc_d2f64)
TINYC_RESIZE(f16, uint16_t, tinyc_acc, TINYC_RESIZE_LOAD_H, TINYC_RESIZE_STORE_H)
TINYC_RESIZE(i8, int8_t, double, TINYC_RESIZE_LOAD, tinyc_d2i8)
TINYC_RESIZE(u8, uint8_t, double, TINYC_RESIZE_LOAD, tinyc_d2u8)
TINYC_RESIZE(i16, int16_t, double, TINYC_RESIZE_LOAD, tinyc_d2i16)
TINYC_RESIZE(u16, uint16_t, double, TINYC_RESIZE_LOAD, tinyc_d2u16)
TINYC_RESIZE(i32, int32_t, double, TINYC_RESIZE_LOAD, tinyc_d2i32)
TINYC_RESIZE(u32, uint32_t, double, TINYC_RESIZE_LOAD, tinyc_d2u32)
TINYC_RESIZE(i64, int64_t, double, TINYC_RESIZE_LOAD, tinyc_d2i64)
TINYC_RESIZE(u64, uint64_t, double, TINYC_RESIZE_LOAD, tinyc_d2u64)
TINYC_RESIZE(bool, uint8_t, double, TINYC_RESIZE_LOAD_B, tinyc_d2bool)
