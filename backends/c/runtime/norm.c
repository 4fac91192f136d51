/* tinyc runtime: normalization (BatchNormalization inference, LayerNormalization, LRN, LpNormalization). requires: common scratch */

/* BatchNormalization: x is [n, c, inner]; per channel, in double as the interpreter,
   s = scale / sqrt(var + eps), a = (T)s, b = (T)(B - mean * s), then y = x * a + b in T. */
#define TINYC_BATCHNORM(SUF, T, A, SQRT)                                                                 \
  TINYC_KERNEL void tinyc_batchnorm_##SUF(const T *restrict x, const T *restrict scale, const T *restrict bias, \
                                          const T *restrict mean, const T *restrict var, T *restrict y, int32_t n, \
                                          int32_t c, int32_t inner, A eps) {                  \
    int32_t p, i;                                                                                   \
    for (p = 0; p < n * c; ++p) {                                                                   \
      const int32_t ch = p % c;                                                                     \
      const A s = (A)scale[ch] / SQRT((A)var[ch] + eps);                             \
      const T a = (T)s, b = (T)((A)bias[ch] - (A)mean[ch] * s);                           \
      const T *restrict xp = x + (size_t)p * (size_t)inner;                                         \
      T *restrict yp = y + (size_t)p * (size_t)inner;                                               \
      for (i = 0; i < inner; ++i) yp[i] = xp[i] * a + b;                                            \
    }                                                                                               \
  }
TINYC_BATCHNORM(f32, float, tinyc_acc, tinyc_acc_sqrt)
TINYC_BATCHNORM(f64, double, double, sqrt)

/* f16: through float as the interpreter (inputs widened to float, y rounded to half). */
TINYC_KERNEL void tinyc_batchnorm_f16(const uint16_t *restrict x, const uint16_t *restrict scale,
                                      const uint16_t *restrict bias, const uint16_t *restrict mean,
                                      const uint16_t *restrict var, uint16_t *restrict y, int32_t n, int32_t c,
                                      int32_t inner, tinyc_acc eps) {
  int32_t p, i;
  for (p = 0; p < n * c; ++p) {
    const int32_t ch = p % c;
    const tinyc_acc s = (tinyc_acc)tinyc_h2f(scale[ch]) / tinyc_acc_sqrt((tinyc_acc)tinyc_h2f(var[ch]) + eps);
    const float a = (float)s, b = (float)((tinyc_acc)tinyc_h2f(bias[ch]) - (tinyc_acc)tinyc_h2f(mean[ch]) * s);
    const uint16_t *restrict xp = x + (size_t)p * (size_t)inner;
    uint16_t *restrict yp = y + (size_t)p * (size_t)inner;
    for (i = 0; i < inner; ++i) yp[i] = tinyc_f2h(tinyc_h2f(xp[i]) * a + b);
  }
}

/* Index of a LayerNormalization parameter for element (row, j): through the table `tab` over
   the normalized block (NULL: j itself), or, when the parameter varies over rows, by general
   broadcasting (st != NULL: strides over the rank-r shape shp of X). */
TINYC_KERNEL int32_t tinyc_ln_index(int32_t row, int32_t j, int32_t cols, const int32_t *tab, int32_t r,
                                    const int32_t *shp, const int32_t *st) {
  if (st) return tinyc_bcast_offset(row * cols + j, r, shp, st);
  return tab ? tab[j] : j;
}

/* LayerNormalization over rows of `cols` elements, in double as the interpreter: mean, biased
   variance, inv = 1 / sqrt(var + eps), y = (x - mean) * inv * scale (+ B); rms
   (RMSNormalization): mean 0, var the mean of x^2. The optional
   outputs mean / inv (one per row) are float (stash64 = 0) or double (stash64 = 1).
   Parameter indexing: see tinyc_ln_index (bias NULL: no B). STORE converts the double y. */
#define TINYC_LAYERNORM(SUF, T, A, SQRT, LOAD, STORE)                                                      \
  TINYC_KERNEL void tinyc_layernorm_##SUF(const T *restrict x, const T *restrict scale, const T *restrict bias, \
                                          T *restrict y, void *mean_out, void *inv_out, int32_t stash64, \
                                          int32_t rows, int32_t cols, A eps, const int32_t *stab, \
                                          const int32_t *sst, const int32_t *btab, const int32_t *bst,   \
                                          int32_t r, const int32_t *shp, int32_t rms) {             \
    int32_t row, j;                                                                                 \
    const int fast = !stab && !sst && !btab && !bst;                                                \
    for (row = 0; row < rows; ++row) {                                                              \
      const T *restrict xr = x + (size_t)row * (size_t)cols;                                        \
      T *restrict yr = y + (size_t)row * (size_t)cols;                                              \
      A sum = 0, sq = 0, corr = 0, mean, var, inv;                                                \
      if (!rms)                                                                                     \
        for (j = 0; j < cols; ++j) sum += LOAD(xr[j]);                                              \
      mean = cols ? sum / (A)cols : 0;                                                                \
      for (j = 0; j < cols; ++j) {                                                                  \
        const A d = (A)LOAD(xr[j]) - mean;                                                             \
        sq += d * d;                                                                                \
        corr += d;                                                                                  \
      }                                                                                             \
      var = cols ? sq / (A)cols : 0;                                                                  \
      if (sizeof(A) < sizeof(double) && cols && !rms) { /* single precision: the corrected two-pass form */ \
        corr /= (A)cols;                  /* (the mean's rounding, which 1 / sqrt(var + eps) would */ \
        mean += corr;                     /* magnify on a nearly constant row) */                   \
        var -= corr * corr;                                                                         \
      }                                                                                             \
      inv = 1 / SQRT(var + eps);                                                                     \
      if (fast && bias) {                                                                           \
        for (j = 0; j < cols; ++j)                                                                  \
          yr[j] = STORE((LOAD(xr[j]) - mean) * inv * LOAD(scale[j]) + LOAD(bias[j]));               \
      } else if (fast) {                                                                            \
        for (j = 0; j < cols; ++j) yr[j] = STORE((LOAD(xr[j]) - mean) * inv * LOAD(scale[j]));     \
      } else {                                                                                      \
        for (j = 0; j < cols; ++j) {                                                                \
          A v = (LOAD(xr[j]) - mean) * inv * LOAD(scale[tinyc_ln_index(row, j, cols, stab, r, shp, sst)]); \
          if (bias) v += LOAD(bias[tinyc_ln_index(row, j, cols, btab, r, shp, bst)]);               \
          yr[j] = STORE(v);                                                                         \
        }                                                                                           \
      }                                                                                             \
      if (stash64) {                                                                                \
        if (mean_out) ((double *)mean_out)[row] = (double)mean;                                             \
        if (inv_out) ((double *)inv_out)[row] = (double)inv;                                                \
      } else {                                                                                      \
        if (mean_out) ((float *)mean_out)[row] = (float)mean;                                       \
        if (inv_out) ((float *)inv_out)[row] = (float)inv;                                          \
      }                                                                                             \
    }                                                                                               \
  }
#define TINYC_LN_LOAD_F(v) ((tinyc_acc)(v))
#define TINYC_LN_LOAD_D(v) (v)
#define TINYC_LN_LOAD_H(v) ((tinyc_acc)tinyc_h2f(v))
#define TINYC_LN_STORE_F32(v) ((float)(v))
#define TINYC_LN_STORE_F64(v) (v)
#define TINYC_LN_STORE_F16(v) tinyc_f2h((float)(v))
TINYC_LAYERNORM(f32, float, tinyc_acc, tinyc_acc_sqrt, TINYC_LN_LOAD_F, TINYC_LN_STORE_F32)
TINYC_LAYERNORM(f64, double, double, sqrt, TINYC_LN_LOAD_D, TINYC_LN_STORE_F64)
TINYC_LAYERNORM(f16, uint16_t, tinyc_acc, tinyc_acc_sqrt, TINYC_LN_LOAD_H, TINYC_LN_STORE_F16)

/* LRN: x is [n, c, inner] (channels_last = 0) or [n, inner, c] (channels_last = 1); as the
   interpreter, in the compute type F (f16 through float): sq = sum of x^2 over channels
   [k - before, k + after] clipped to [0, c - 1], from the lowest up, y = x / (bias + scale * sq)^beta
   with scale = alpha / size. beta34: beta is 0.75, computed as sqrt(d) * sqrt(sqrt(d)) (hardware
   square roots instead of a pow). The loops run along memory: pixels inside channels for
   channels-first data, channels inside pixels for channels-last data. tinyc_lrn_inplace_*
   computes channels-last data over itself: each pixel's c outputs go to `row`, then replace the
   pixel's inputs (a pixel's window never leaves the pixel). */
#define TINYC_LRN(SUF, T, F, LOAD, STORE, SQRT, POW)                                               \
  TINYC_KERNEL T tinyc_lrn_at_##SUF(const T *xi, size_t cs, int32_t c, int32_t k, int32_t before,        \
                              int32_t after, F scale, F bias, F beta, int32_t beta34) {            \
    const int32_t lo = k - before > 0 ? k - before : 0;                                             \
    const int32_t hi = after < c - 1 - k ? k + after : c - 1; /* no int32 overflow */             \
    F sq = (F)0, d;                                                                                 \
    int32_t j;                                                                                      \
    for (j = lo; j <= hi; ++j) {                                                                    \
      const F v = LOAD(xi[(size_t)j * cs]);                                                         \
      sq += v * v;                                                                                  \
    }                                                                                               \
    d = bias + scale * sq;                                                                          \
    return STORE(LOAD(xi[(size_t)k * cs]) / (beta34 ? SQRT(d) * SQRT(SQRT(d)) : POW(d, beta)));    \
  }                                                                                                 \
  TINYC_KERNEL void tinyc_lrn_##SUF(const T *restrict x, T *restrict y, int32_t n, int32_t c, int32_t inner, \
                                    int32_t channels_last, int32_t before, int32_t after,           \
                                    double scale_d, double bias_d, double beta_d, int32_t beta34) { \
    const F scale = (F)scale_d, bias = (F)bias_d, beta = (F)beta_d;                                \
    const size_t cs = channels_last ? 1u : (size_t)inner, ps = channels_last ? (size_t)c : 1u;     \
    const int32_t outer_n = channels_last ? inner : c, inner_n = channels_last ? c : inner;         \
    int32_t b, o, q;                                                                                \
    for (b = 0; b < n; ++b) {                                                                       \
      const T *restrict xb = x + (size_t)b * (size_t)c * (size_t)inner;                             \
      T *restrict yb = y + (size_t)b * (size_t)c * (size_t)inner;                                   \
      for (o = 0; o < outer_n; ++o) {                                                               \
        for (q = 0; q < inner_n; ++q) {                                                             \
          const int32_t k = channels_last ? q : o, i = channels_last ? o : q;                       \
          yb[(size_t)k * cs + (size_t)i * ps] =                                                     \
              tinyc_lrn_at_##SUF(xb + (size_t)i * ps, cs, c, k, before, after, scale, bias, beta, beta34); \
        }                                                                                           \
      }                                                                                             \
    }                                                                                               \
  }                                                                                                 \
  TINYC_KERNEL void tinyc_lrn_inplace_##SUF(T *xy, T *row, int32_t pixels, int32_t c, int32_t before, \
                                            int32_t after, double scale_d, double bias_d,          \
                                            double beta_d, int32_t beta34) {                        \
    const F scale = (F)scale_d, bias = (F)bias_d, beta = (F)beta_d;                                \
    int32_t p, k;                                                                                   \
    TINYC_SCRATCH_NEED(tinyc_lrn_inplace_scratch(c, (int64_t)sizeof(T)));                           \
    for (p = 0; p < pixels; ++p) {                                                                  \
      T *px = xy + (size_t)p * (size_t)c;                                                           \
      for (k = 0; k < c; ++k) row[k] = tinyc_lrn_at_##SUF(px, 1u, c, k, before, after, scale, bias, beta, beta34); \
      for (k = 0; k < c; ++k) px[k] = row[k];                                                       \
    }                                                                                               \
  }
#define TINYC_LRN_LOAD(v) (v)
#define TINYC_LRN_LOAD_H(v) tinyc_h2f(v)
TINYC_LRN(f32, float, float, TINYC_LRN_LOAD, TINYC_LRN_LOAD, sqrtf, powf)
TINYC_LRN(f64, double, double, TINYC_LRN_LOAD, TINYC_LRN_LOAD, sqrt, pow)
TINYC_LRN(f16, uint16_t, float, TINYC_LRN_LOAD_H, tinyc_f2h, sqrtf, powf)

/* LpNormalization over [outer, n, inner] along n (lib/ops/norm.cpp): x / ||x||_p, p 1 or 2, the
   norm summed in tinyc_acc; a zero norm gives zeros. */
#define TINYC_LPNORM(SUF, T)                                                                            \
  TINYC_KERNEL void tinyc_lpnorm_##SUF(const T *x, T *y, int32_t outer, int32_t n, int32_t inner, int32_t l1) { \
    int32_t o, i, k;                                                                                    \
    for (o = 0; o < outer; ++o)                                                                         \
      for (i = 0; i < inner; ++i) {                                                                     \
        const T *xs = x + (size_t)o * (size_t)n * (size_t)inner + (size_t)i;                           \
        T *ys = y + (size_t)o * (size_t)n * (size_t)inner + (size_t)i;                                 \
        tinyc_acc acc = 0, norm;                                                                        \
        for (k = 0; k < n; ++k) {                                                                       \
          const tinyc_acc v = (tinyc_acc)xs[(size_t)k * (size_t)inner];                                 \
          acc += l1 ? tinyc_acc_fabs(v) : v * v;                                                        \
        }                                                                                               \
        norm = l1 ? acc : tinyc_acc_sqrt(acc);                                                          \
        for (k = 0; k < n; ++k)                                                                         \
          ys[(size_t)k * (size_t)inner] = norm == 0 ? (T)0 : (T)((tinyc_acc)xs[(size_t)k * (size_t)inner] / norm); \
      }                                                                                                 \
  }
TINYC_LPNORM(f32, float)
TINYC_LPNORM(f64, double)
