/* tinyc runtime: MaxPool, AveragePool, LpPool, GlobalAveragePool, GlobalMaxPool. requires: common */

/* p: planes (N*C), then the window in[3] out[3] k[3] s[3] d[3] pb[3] pe[3] (1D/2D as 3D).
   Tap t of a window along a dim reads input start + t*d, start = o*s - pb; taps [lo, hi) are
   inside the input. */
typedef struct {
  int32_t in[3], out[3], k[3], s[3], d[3], pb[3], pe[3];
} tinyc_pwin;

TINYC_KERNEL void tinyc_pwin_read(tinyc_pwin *w, const int32_t *g) {
  int32_t i;
  for (i = 0; i < 3; ++i) {
    w->in[i] = g[i];
    w->out[i] = g[3 + i];
    w->k[i] = g[6 + i];
    w->s[i] = g[9 + i];
    w->d[i] = g[12 + i];
    w->pb[i] = g[15 + i];
    w->pe[i] = g[18 + i];
  }
}

TINYC_KERNEL int32_t tinyc_pool_floordiv(int32_t a, int32_t b) {
  int32_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Taps [*lo, *hi) of output position o along dim i; returns the window start. */
TINYC_KERNEL int32_t tinyc_pool_taps(const tinyc_pwin *w, int32_t i, int32_t o, int32_t *lo, int32_t *hi) {
  const int32_t start = o * w->s[i] - w->pb[i];
  int32_t l = -tinyc_pool_floordiv(start, w->d[i]), h;
  if (l < 0) l = 0;
  h = tinyc_pool_floordiv(w->in[i] - 1 - start, w->d[i]) + 1;
  if (h > w->k[i]) h = w->k[i];
  if (h < l) h = l;
  *lo = l;
  *hi = h;
  return start;
}

/* Number of taps start + t*d (t < k) inside [a, b). */
TINYC_KERNEL int32_t tinyc_pool_inside(int32_t start, int32_t k, int32_t d, int32_t a, int32_t b) {
  int32_t first = -tinyc_pool_floordiv(start - a, d), last = tinyc_pool_floordiv(b - 1 - start, d);
  if (first < 0) first = 0;
  if (last > k - 1) last = k - 1;
  return last >= first ? last - first + 1 : 0;
}

/* Output columns (along the last dim) whose taps are all inside the input: [*lo, *hi). */
TINYC_KERNEL void tinyc_pool_interior(const tinyc_pwin *w, int32_t *lo, int32_t *hi) {
  const int32_t last = w->in[2] - 1 - (w->k[2] - 1) * w->d[2] + w->pb[2];
  int32_t l = (w->pb[2] + w->s[2] - 1) / w->s[2], h = last < 0 ? 0 : last / w->s[2] + 1;
  if (l > w->out[2]) l = w->out[2];
  if (h > w->out[2]) h = w->out[2];
  if (h < l) h = l;
  *lo = l;
  *hi = h;
}

/* Row helpers over n outputs reading r[i * s], in blocks of 8 that vectorize at -O2. */
#define TINYC_POOL_ROW(NAME, T, OP)                                                                     \
  TINYC_KERNEL void NAME(T *restrict y, const T *restrict r, int32_t n, int32_t s) {                    \
    int32_t i = 0, t;                                                                                   \
    if (s == 1) {                                                                                       \
      for (; i + 8 <= n; i += 8)                                                                        \
        for (t = 0; t < 8; ++t) {                                                                       \
          const T v = r[i + t], b = y[i + t];                                                           \
          y[i + t] = OP;                                                                                \
        }                                                                                               \
    } else if (s == 2) {                                                                                \
      for (; i + 8 <= n; i += 8)                                                                        \
        for (t = 0; t < 8; ++t) {                                                                       \
          const T v = r[2 * (i + t)], b = y[i + t];                                                     \
          y[i + t] = OP;                                                                                \
        }                                                                                               \
    }                                                                                                   \
    for (; i < n; ++i) {                                                                                \
      const T v = r[(size_t)i * (size_t)s], b = y[i];                                                   \
      y[i] = OP;                                                                                        \
    }                                                                                                   \
  }

/* MaxPool: the maximum of the taps inside the input (NaN taps are skipped, as the reference
   interpreter; a window with no tap gives LOWEST). Interior columns are computed row by row
   over the taps, the border columns one by one. */
#define TINYC_MAXPOOL(SUF, T, LOWEST)                                                                   \
  TINYC_POOL_ROW(tinyc_pool_maxrow_##SUF, T, (v > b ? v : b))                                          \
  TINYC_KERNEL void tinyc_maxpool_##SUF(const T *x, T *y, const int32_t *p) {                           \
    tinyc_pwin w;                                                                                       \
    int32_t planes = p[0], pl, od, oh, ow, kd, kh, kw, l0, h0, l1, h1, l2, h2, s0, s1, s2, is, os, wlo, whi; \
    tinyc_pwin_read(&w, p + 1);                                                                         \
    tinyc_pool_interior(&w, &wlo, &whi);                                                                \
    is = w.in[0] * w.in[1] * w.in[2];                                                                   \
    os = w.out[0] * w.out[1] * w.out[2];                                                                \
    for (pl = 0; pl < planes; ++pl) {                                                                   \
      const T *xp = x + (size_t)pl * (size_t)is;                                                        \
      T *yp = y + (size_t)pl * (size_t)os;                                                              \
      for (od = 0; od < w.out[0]; ++od) {                                                               \
        s0 = tinyc_pool_taps(&w, 0, od, &l0, &h0);                                                      \
        for (oh = 0; oh < w.out[1]; ++oh) {                                                             \
          T *yr = yp + ((size_t)od * (size_t)w.out[1] + (size_t)oh) * (size_t)w.out[2];                 \
          s1 = tinyc_pool_taps(&w, 1, oh, &l1, &h1);                                                    \
          for (ow = wlo; ow < whi; ++ow) yr[ow] = LOWEST;                                               \
          for (kd = l0; kd < h0; ++kd)                                                                  \
            for (kh = l1; kh < h1; ++kh) {                                                              \
              const T *row = xp + ((size_t)(s0 + kd * w.d[0]) * (size_t)w.in[1] +                       \
                                   (size_t)(s1 + kh * w.d[1])) * (size_t)w.in[2];                       \
              for (kw = 0; kw < w.k[2] && whi > wlo; ++kw)                                              \
                tinyc_pool_maxrow_##SUF(yr + wlo, row + (wlo * w.s[2] - w.pb[2] + kw * w.d[2]), whi - wlo, \
                                        w.s[2]);                                                        \
            }                                                                                           \
          for (ow = 0; ow < w.out[2]; ++ow) {                                                           \
            T best = LOWEST;                                                                            \
            if (ow == wlo) ow = whi;                                                                    \
            if (ow >= w.out[2]) break;                                                                  \
            s2 = tinyc_pool_taps(&w, 2, ow, &l2, &h2);                                                  \
            for (kd = l0; kd < h0; ++kd)                                                                \
              for (kh = l1; kh < h1; ++kh) {                                                            \
                const T *row = xp + ((size_t)(s0 + kd * w.d[0]) * (size_t)w.in[1] +                     \
                                     (size_t)(s1 + kh * w.d[1])) * (size_t)w.in[2] + s2;                \
                for (kw = l2; kw < h2; ++kw) {                                                          \
                  const T v = row[kw * w.d[2]];                                                         \
                  best = v > best ? v : best;                                                           \
                }                                                                                       \
              }                                                                                         \
            yr[ow] = best;                                                                              \
          }                                                                                             \
        }                                                                                               \
      }                                                                                                 \
    }                                                                                                   \
  }                                                                                                     \
  /* With Indices: flat index (over N, C, spatial) of the first maximum; col_major: storage_order 1. */ \
  TINYC_KERNEL void tinyc_maxpool_idx_##SUF(const T *x, T *y, int64_t *ind, const int32_t *p, int32_t col_major) { \
    tinyc_pwin w;                                                                                       \
    int32_t planes = p[0], pl, od, oh, ow, kd, kh, kw, l0, h0, l1, h1, l2, h2, s0, s1, s2, is, os;      \
    tinyc_pwin_read(&w, p + 1);                                                                         \
    is = w.in[0] * w.in[1] * w.in[2];                                                                   \
    os = w.out[0] * w.out[1] * w.out[2];                                                                \
    for (pl = 0; pl < planes; ++pl) {                                                                   \
      const T *xp = x + (size_t)pl * (size_t)is;                                                        \
      for (od = 0; od < w.out[0]; ++od) {                                                               \
        s0 = tinyc_pool_taps(&w, 0, od, &l0, &h0);                                                      \
        for (oh = 0; oh < w.out[1]; ++oh) {                                                             \
          s1 = tinyc_pool_taps(&w, 1, oh, &l1, &h1);                                                    \
          for (ow = 0; ow < w.out[2]; ++ow) {                                                           \
            T best = LOWEST;                                                                            \
            int64_t arg = -1, sp;                                                                       \
            const size_t o = (size_t)pl * (size_t)os + ((size_t)od * (size_t)w.out[1] + (size_t)oh) *  \
                             (size_t)w.out[2] + (size_t)ow;                                             \
            s2 = tinyc_pool_taps(&w, 2, ow, &l2, &h2);                                                  \
            for (kd = l0; kd < h0; ++kd)                                                                \
              for (kh = l1; kh < h1; ++kh) {                                                            \
                const int64_t roff = ((int64_t)(s0 + kd * w.d[0]) * w.in[1] + (s1 + kh * w.d[1])) *     \
                                     w.in[2];                                                           \
                for (kw = l2; kw < h2; ++kw) {                                                          \
                  const int64_t iw = s2 + kw * w.d[2];                                                  \
                  const T v = xp[roff + iw];                                                            \
                  if (arg < 0 || v > best) {                                                            \
                    best = v;                                                                           \
                    arg = roff + iw;                                                                    \
                  }                                                                                     \
                }                                                                                       \
              }                                                                                         \
            y[o] = best;                                                                                \
            sp = arg;                                                                                   \
            if (col_major && arg >= 0) {                                                                \
              const int64_t bw = arg % w.in[2], bh = (arg / w.in[2]) % w.in[1],                         \
                            bd = arg / ((int64_t)w.in[2] * w.in[1]);                                    \
              sp = bd + bh * w.in[0] + bw * (int64_t)w.in[0] * w.in[1];                                 \
            }                                                                                           \
            ind[o] = arg < 0 ? -1 : (int64_t)pl * is + sp;                                              \
          }                                                                                             \
        }                                                                                               \
      }                                                                                                 \
    }                                                                                                   \
  }
TINYC_MAXPOOL(f32, float, (-3.40282347e+38f))
TINYC_MAXPOOL(f64, double, (-1.7976931348623157e+308))
TINYC_MAXPOOL(i8, int8_t, (-128))
TINYC_MAXPOOL(u8, uint8_t, 0)
TINYC_MAXPOOL(i16, int16_t, (-32768))

/* AveragePool: sum of the taps inside the input over their count, or over the taps inside the
   padded input with count_include_pad (include_pad). Sums in the reference's order. */
#define TINYC_AVGPOOL(SUF, T)                                                                           \
  TINYC_POOL_ROW(tinyc_pool_sumrow_##SUF, T, (b + v))                                                  \
  TINYC_KERNEL void tinyc_avgpool_##SUF(const T *x, T *y, const int32_t *p, int32_t include_pad) {      \
    tinyc_pwin w;                                                                                       \
    int32_t planes = p[0], pl, od, oh, ow, kd, kh, kw, l0, h0, l1, h1, l2, h2, s0, s1, s2, is, os, wlo, whi; \
    int32_t c0, c1, c2;                                                                                 \
    tinyc_pwin_read(&w, p + 1);                                                                         \
    tinyc_pool_interior(&w, &wlo, &whi);                                                                \
    is = w.in[0] * w.in[1] * w.in[2];                                                                   \
    os = w.out[0] * w.out[1] * w.out[2];                                                                \
    for (pl = 0; pl < planes; ++pl) {                                                                   \
      const T *xp = x + (size_t)pl * (size_t)is;                                                        \
      T *yp = y + (size_t)pl * (size_t)os;                                                              \
      for (od = 0; od < w.out[0]; ++od) {                                                               \
        s0 = tinyc_pool_taps(&w, 0, od, &l0, &h0);                                                      \
        c0 = include_pad ? tinyc_pool_inside(s0, w.k[0], w.d[0], -w.pb[0], w.in[0] + w.pe[0]) : h0 - l0; \
        for (oh = 0; oh < w.out[1]; ++oh) {                                                             \
          T *yr = yp + ((size_t)od * (size_t)w.out[1] + (size_t)oh) * (size_t)w.out[2];                 \
          int64_t count;                                                                                \
          s1 = tinyc_pool_taps(&w, 1, oh, &l1, &h1);                                                    \
          c1 = include_pad ? tinyc_pool_inside(s1, w.k[1], w.d[1], -w.pb[1], w.in[1] + w.pe[1]) : h1 - l1; \
          for (ow = wlo; ow < whi; ++ow) yr[ow] = (T)0;                                                 \
          for (kd = l0; kd < h0; ++kd)                                                                  \
            for (kh = l1; kh < h1; ++kh) {                                                              \
              const T *row = xp + ((size_t)(s0 + kd * w.d[0]) * (size_t)w.in[1] +                       \
                                   (size_t)(s1 + kh * w.d[1])) * (size_t)w.in[2];                       \
              for (kw = 0; kw < w.k[2] && whi > wlo; ++kw)                                              \
                tinyc_pool_sumrow_##SUF(yr + wlo, row + (wlo * w.s[2] - w.pb[2] + kw * w.d[2]), whi - wlo, \
                                        w.s[2]);                                                        \
            }                                                                                           \
          count = (int64_t)c0 * c1 * w.k[2];                                                            \
          for (ow = wlo; ow < whi; ++ow) yr[ow] = count > 0 ? yr[ow] / (T)count : (T)0;                 \
          for (ow = 0; ow < w.out[2]; ++ow) {                                                           \
            T sum = (T)0;                                                                               \
            if (ow == wlo) ow = whi;                                                                    \
            if (ow >= w.out[2]) break;                                                                  \
            s2 = tinyc_pool_taps(&w, 2, ow, &l2, &h2);                                                  \
            c2 = include_pad ? tinyc_pool_inside(s2, w.k[2], w.d[2], -w.pb[2], w.in[2] + w.pe[2]) : h2 - l2; \
            for (kd = l0; kd < h0; ++kd)                                                                \
              for (kh = l1; kh < h1; ++kh) {                                                            \
                const T *row = xp + ((size_t)(s0 + kd * w.d[0]) * (size_t)w.in[1] +                     \
                                     (size_t)(s1 + kh * w.d[1])) * (size_t)w.in[2] + s2;                \
                for (kw = l2; kw < h2; ++kw) sum += row[kw * w.d[2]];                                   \
              }                                                                                         \
            count = (int64_t)c0 * c1 * c2;                                                              \
            yr[ow] = count > 0 ? sum / (T)count : (T)0;                                                 \
          }                                                                                             \
        }                                                                                               \
      }                                                                                                 \
    }                                                                                                   \
  }
TINYC_AVGPOOL(f32, float)
TINYC_AVGPOOL(f64, double)

/* LpPool over float32 (lib/ops/pool.cpp, the same loops): (sum of |x|^pw over the taps inside
   the input)^(1/pw), summed in tinyc_acc. */
TINYC_KERNEL void tinyc_lppool_f32(const float *x, float *y, const int32_t *p, int32_t pw) {
  tinyc_pwin w;
  int32_t pl, o0, o1, o2, k0, k1, k2, l0, h0, l1, h1, l2, h2, s0, s1, s2, is, os;
  tinyc_pwin_read(&w, p + 1);
  is = w.in[0] * w.in[1] * w.in[2];
  os = w.out[0] * w.out[1] * w.out[2];
  for (pl = 0; pl < p[0]; ++pl)
    for (o0 = 0; o0 < w.out[0]; ++o0) {
      s0 = tinyc_pool_taps(&w, 0, o0, &l0, &h0);
      for (o1 = 0; o1 < w.out[1]; ++o1) {
        s1 = tinyc_pool_taps(&w, 1, o1, &l1, &h1);
        for (o2 = 0; o2 < w.out[2]; ++o2) {
          tinyc_acc sum = 0;
          s2 = tinyc_pool_taps(&w, 2, o2, &l2, &h2);
          for (k0 = l0; k0 < h0; ++k0)
            for (k1 = l1; k1 < h1; ++k1)
              for (k2 = l2; k2 < h2; ++k2) {
                const size_t at = (size_t)pl * (size_t)is +
                                  ((size_t)(s0 + k0 * w.d[0]) * (size_t)w.in[1] + (size_t)(s1 + k1 * w.d[1])) * (size_t)w.in[2] +
                                  (size_t)(s2 + k2 * w.d[2]);
                const tinyc_acc v = tinyc_acc_fabs((tinyc_acc)x[at]);
                sum += pw == 1 ? v : pw == 2 ? v * v : tinyc_acc_pow(v, (tinyc_acc)pw);
              }
          y[(size_t)pl * (size_t)os + ((size_t)o0 * (size_t)w.out[1] + (size_t)o1) * (size_t)w.out[2] + (size_t)o2] =
              (float)(pw == 1 ? sum : pw == 2 ? tinyc_acc_sqrt(sum) : tinyc_acc_pow(sum, 1 / (tinyc_acc)pw));
        }
      }
    }
}

/* Global pools over `inner` elements per plane: mean (summed in A: double for f64, tinyc_acc for f32) and max (NaN wins). */
#define TINYC_GLOBALPOOL(SUF, T, A)                                                                       \
  TINYC_KERNEL void tinyc_globalavgpool_##SUF(const T *x, T *y, int32_t planes, int32_t inner) {        \
    int32_t pl, i;                                                                                      \
    for (pl = 0; pl < planes; ++pl) {                                                                   \
      const T *xp = x + (size_t)pl * (size_t)inner;                                                     \
      A sum = 0;                                                                                        \
      for (i = 0; i < inner; ++i) sum += (A)xp[i];                                                      \
      y[pl] = inner ? (T)(sum / (A)inner) : (T)0;                                                       \
    }                                                                                                   \
  }                                                                                                     \
  TINYC_KERNEL void tinyc_globalmaxpool_##SUF(const T *x, T *y, int32_t planes, int32_t inner) {        \
    int32_t pl, i;                                                                                      \
    for (pl = 0; pl < planes; ++pl) {                                                                   \
      const T *xp = x + (size_t)pl * (size_t)inner;                                                     \
      T best = xp[0];                                                                                   \
      for (i = 1; i < inner; ++i) best = (xp[i] > best || xp[i] != xp[i]) ? xp[i] : best;              \
      y[pl] = best;                                                                                     \
    }                                                                                                   \
  }
TINYC_GLOBALPOOL(f32, float, tinyc_acc)
TINYC_GLOBALPOOL(f64, double, double)

/* MaxUnpool (lib/ops/pool.cpp): y (shape osh, ototal elements of esize bytes) zeroed, then x's n
   elements at their flat indices into the unpooled shape dsh (dtotal elements), each at the same
   coordinates in y (dropped when outside it); an index outside the unpooled tensor returns 1. */
TINYC_KERNEL int tinyc_maxunpool(const void *x, const int64_t *ind, void *y, int32_t n, int32_t esize, int32_t r,
                                 const int32_t *dsh, const int32_t *osh) {
  const unsigned char *s = (const unsigned char *)x;
  unsigned char *d = (unsigned char *)y;
  int64_t dtotal = 1, ototal = 1;
  int32_t j, k;
  for (k = 0; k < r; ++k) {
    dtotal *= dsh[k];
    ototal *= osh[k];
  }
  memset(d, 0, (size_t)ototal * (size_t)esize);
  for (j = 0; j < n; ++j) {
    int64_t at = ind[j], out = 0, stride = 1;
    int inside = 1;
    if (at < 0 || at >= dtotal) return 1;
    for (k = r - 1; k >= 0; --k) {
      const int64_t coord = at % dsh[k];
      at /= dsh[k];
      inside = inside && coord < osh[k];
      out += coord * stride;
      stride *= osh[k];
    }
    if (inside) memcpy(d + (size_t)out * (size_t)esize, s + (size_t)j * (size_t)esize, (size_t)esize);
  }
  return 0;
}
