/* tinyc runtime: Resize with linear / cubic interpolation, GridSample, AffineGrid. requires: common cast */

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

/* GridSample over float32 (lib/ops/grid_sample.cpp, step by step): batch entry b's output point p
   reads X[b, c] at grid[b, p] (normalized, the last axis first). The nd <= 3 spatial axes are
   placed last of three (a missing leading axis has one tap of weight 1). mode 0 nearest, 1
   linear, 2 cubic; pad 0 zeros, 1 border, 2 reflection. */
TINYC_KERNEL tinyc_acc tinyc_gs_reflect(tinyc_acc x, tinyc_acc lo, tinyc_acc hi) {
  const tinyc_acc range = hi - lo;
  tinyc_acc dx, k, r;
  int odd;
  if (!(range > 0)) return lo;
  if (x >= lo && x <= hi) return x;
  dx = x < lo ? lo - x : x - hi;
  k = tinyc_acc_floor(dx / range);
  r = dx - k * range;
  odd = k - 2 * tinyc_acc_floor(k / 2) != 0;
  if (x < lo) return odd ? hi - r : lo + r;
  return odd ? lo + r : hi - r;
}

TINYC_KERNEL tinyc_acc tinyc_gs_trunc(tinyc_acc v) { return v < 0 ? -tinyc_acc_floor(-v) : tinyc_acc_floor(v); }

TINYC_KERNEL void tinyc_grid_sample_f32(const float *x, const float *grid, float *y, int32_t batch, int32_t chans,
                                        int32_t nd, const int32_t *in_dims, int32_t points, int32_t mode, int32_t pad,
                                        int32_t align) {
  int32_t dims[3] = {1, 1, 1}, stride[3] = {0, 0, 0}, plane = 1, b, p, d, ch;
  for (d = nd - 1; d >= 0; --d) {
    dims[3 - nd + d] = in_dims[d];
    stride[3 - nd + d] = plane;
    plane *= in_dims[d];
  }
  for (b = 0; b < batch; ++b)
    for (p = 0; p < points; ++p) {
      int32_t idx[3][4] = {{0}}, nt[3] = {1, 1, 1}, k;
      tinyc_acc w[3][4] = {{1}};
      for (d = 3 - nd; d < 3; ++d) {
        const tinyc_acc gn = (tinyc_acc)grid[((size_t)b * (size_t)points + (size_t)p) * (size_t)nd + (size_t)(2 - d)];
        const tinyc_acc len = (tinyc_acc)dims[d];
        const tinyc_acc lo = align ? (tinyc_acc)0 : (tinyc_acc)-0.5, hi = align ? len - 1 : len - (tinyc_acc)0.5;
        tinyc_acc v = align ? (gn + 1) / 2 * (len - 1) : ((gn + 1) * len - 1) / 2, base;
        if (mode == 0) { /* halves to even */
          const tinyc_acc r = tinyc_acc_floor(v), f = v - r;
          v = f > (tinyc_acc)0.5 || (f == (tinyc_acc)0.5 && r - 2 * tinyc_acc_floor(r / 2) != 0) ? r + 1 : r;
        }
        if (v < lo || v > hi) {
          if (pad == 1) v = v < 0 ? 0 : v > len - 1 ? len - 1 : v;
          if (pad == 2) v = tinyc_gs_reflect(v, lo, hi);
        }
        if (mode == 0) {
          nt[d] = 1;
          base = tinyc_gs_trunc(v);
          w[d][0] = 1;
        } else if (mode == 1) {
          nt[d] = 2;
          base = tinyc_acc_floor(v);
          w[d][0] = 1 - (v - base);
          w[d][1] = v - base;
        } else {
          const tinyc_acc a = (tinyc_acc)-0.75;
          tinyc_acc t, x0, x1, x2, x3;
          nt[d] = 4;
          base = tinyc_acc_floor(v);
          t = v - base;
          x0 = t + 1, x1 = t, x2 = 1 - t, x3 = 2 - t;
          w[d][0] = ((a * x0 - 5 * a) * x0 + 8 * a) * x0 - 4 * a;
          w[d][1] = ((a + 2) * x1 - (a + 3)) * x1 * x1 + 1;
          w[d][2] = ((a + 2) * x2 - (a + 3)) * x2 * x2 + 1;
          w[d][3] = ((a * x3 - 5 * a) * x3 + 8 * a) * x3 - 4 * a;
          base -= 1;
        }
        for (k = 0; k < nt[d]; ++k) {
          /* far outside (a huge or non-finite coordinate): every tap is outside too */
          tinyc_acc i = base - base == 0 ? base + (tinyc_acc)k : (tinyc_acc)-1;
          i = i < -4 - len ? -4 - len : i > 2 * len + 4 ? 2 * len + 4 : i;
          if (pad == 1) i = i < 0 ? 0 : i > len - 1 ? len - 1 : i;
          if (pad == 2) i = tinyc_gs_trunc(tinyc_gs_reflect(i, lo, hi));
          idx[d][k] = i >= 0 && i < len ? (int32_t)i : -1;
        }
      }
      for (ch = 0; ch < chans; ++ch) {
        const float *src = x + ((size_t)b * (size_t)chans + (size_t)ch) * (size_t)plane;
        tinyc_acc s0 = 0;
        int32_t t0, t1, t2;
        for (t0 = 0; t0 < nt[0]; ++t0) {
          tinyc_acc s1 = 0;
          if (idx[0][t0] < 0) continue;
          for (t1 = 0; t1 < nt[1]; ++t1) {
            tinyc_acc s2 = 0;
            const float *row;
            if (idx[1][t1] < 0) continue;
            row = src + idx[0][t0] * stride[0] + idx[1][t1] * stride[1];
            for (t2 = 0; t2 < nt[2]; ++t2)
              if (idx[2][t2] >= 0) s2 += w[2][t2] * (tinyc_acc)row[idx[2][t2]];
            s1 += w[1][t1] * s2;
          }
          s0 += w[0][t0] * s1;
        }
        y[((size_t)b * (size_t)chans + (size_t)ch) * (size_t)points + (size_t)p] = (float)s0;
      }
    }
}

/* AffineGrid over float32 (lib/ops/grid_sample.cpp, the same loops): for each of batch transforms
   theta ([nd, nd + 1]) and each point of the nd <= 3 spatial dims, theta (x, y[, z], 1) with the
   base coordinates -1 + (2 i + 1) / n, or -1 + 2 i / (n - 1) with align (x along the last dim). */
TINYC_KERNEL void tinyc_affine_grid_f32(const float *theta, float *grid, int32_t batch, int32_t nd,
                                        const int32_t *dims, int32_t align) {
  int32_t points = 1, b, p, d, r, k;
  for (d = 0; d < nd; ++d) points *= dims[d];
  for (b = 0; b < batch; ++b)
    for (p = 0; p < points; ++p) {
      tinyc_acc h[4] = {0, 0, 0, 1};
      int32_t rest = p;
      for (d = nd - 1; d >= 0; --d) {
        const int32_t i = rest % dims[d], len = dims[d];
        h[nd - 1 - d] = align ? (len > 1 ? (tinyc_acc)-1 + (tinyc_acc)2 * (tinyc_acc)i / (tinyc_acc)(len - 1) : (tinyc_acc)-1)
                              : (tinyc_acc)-1 + ((tinyc_acc)2 * (tinyc_acc)i + 1) / (tinyc_acc)len;
        rest /= dims[d];
      }
      h[nd] = 1;
      for (r = 0; r < nd; ++r) {
        tinyc_acc v = 0;
        for (k = 0; k <= nd; ++k) v += (tinyc_acc)theta[((size_t)b * (size_t)nd + (size_t)r) * (size_t)(nd + 1) + (size_t)k] * h[k];
        grid[((size_t)b * (size_t)points + (size_t)p) * (size_t)nd + (size_t)r] = (float)v;
      }
    }
}

/* RoiAlign (lib/ops/roi_align.cpp, which says where it follows the ONNX reference and where tinyc
   chose): samples per axis of a bin, then per roi, channel and bin the average (or the largest
   weighted tap) of the bilinear samples. */
TINYC_KERNEL int32_t tinyc_roi_grid(int32_t ratio, tinyc_acc size, int32_t bins) {
  tinyc_acc g;
  if (ratio > 0) return ratio;
  g = -tinyc_acc_floor(-(size / (tinyc_acc)bins));
  if (!(g > 0)) return 0;
  return g > (tinyc_acc)1048576 ? 1048576 : (int32_t)g;
}

TINYC_KERNEL void tinyc_roi_align_f32(const float *x, const float *rois, const int64_t *bidx, float *y, int32_t n,
                                      int32_t chans, int32_t h, int32_t w, int32_t nr, int32_t oh, int32_t ow,
                                      int32_t ratio, tinyc_acc scale, int32_t half, int32_t is_max) {
  const tinyc_acc off = half ? (tinyc_acc)0.5 : (tinyc_acc)0, fh = (tinyc_acc)h, fw = (tinyc_acc)w;
  int32_t r, ch, ph, pw, iy, ix, k;
  for (r = 0; r < nr; ++r) {
    const tinyc_acc x1 = (tinyc_acc)rois[4 * r] * scale - off, y1 = (tinyc_acc)rois[4 * r + 1] * scale - off;
    const tinyc_acc x2 = (tinyc_acc)rois[4 * r + 2] * scale - off, y2 = (tinyc_acc)rois[4 * r + 3] * scale - off;
    const int64_t b = bidx[r];
    tinyc_acc rw = x2 - x1, rh = y2 - y1, bh, bw, count;
    int32_t gh, gw;
    if (!half) { /* malformed rois as 1 x 1 */
      rw = rw < 1 ? (tinyc_acc)1 : rw;
      rh = rh < 1 ? (tinyc_acc)1 : rh;
    }
    bh = rh / (tinyc_acc)oh;
    bw = rw / (tinyc_acc)ow;
    gh = tinyc_roi_grid(ratio, rh, oh);
    gw = tinyc_roi_grid(ratio, rw, ow);
    count = (tinyc_acc)gh * (tinyc_acc)gw;
    if (count < 1) count = 1;
    for (ch = 0; ch < chans; ++ch) {
      const float *src = b >= 0 && b < n ? x + ((size_t)b * (size_t)chans + (size_t)ch) * (size_t)h * (size_t)w : x;
      for (ph = 0; ph < oh; ++ph)
        for (pw = 0; pw < ow; ++pw) {
          tinyc_acc out = 0;
          int32_t first = 1;
          for (iy = 0; iy < gh && b >= 0 && b < n; ++iy) {
            const tinyc_acc yy = y1 + (tinyc_acc)ph * bh + ((tinyc_acc)iy + (tinyc_acc)0.5) * bh / (tinyc_acc)gh;
            for (ix = 0; ix < gw; ++ix) {
              const tinyc_acc xx = x1 + (tinyc_acc)pw * bw + ((tinyc_acc)ix + (tinyc_acc)0.5) * bw / (tinyc_acc)gw;
              int32_t pos[4] = {0, 0, 0, 0};
              tinyc_acc wt[4] = {0, 0, 0, 0};
              if (!(yy < -1 || yy > fh || xx < -1 || xx > fw) && yy == yy && xx == xx) {
                tinyc_acc sy = yy > 0 ? yy : (tinyc_acc)0, sx = xx > 0 ? xx : (tinyc_acc)0, ly, lx;
                int32_t ylo = (int32_t)sy, xlo = (int32_t)sx, yhi, xhi;
                if (ylo >= h - 1) {
                  yhi = ylo = h - 1;
                  sy = (tinyc_acc)ylo;
                } else {
                  yhi = ylo + 1;
                }
                if (xlo >= w - 1) {
                  xhi = xlo = w - 1;
                  sx = (tinyc_acc)xlo;
                } else {
                  xhi = xlo + 1;
                }
                ly = sy - (tinyc_acc)ylo;
                lx = sx - (tinyc_acc)xlo;
                pos[0] = ylo * w + xlo;
                pos[1] = ylo * w + xhi;
                pos[2] = yhi * w + xlo;
                pos[3] = yhi * w + xhi;
                wt[0] = (1 - ly) * (1 - lx);
                wt[1] = (1 - ly) * lx;
                wt[2] = ly * (1 - lx);
                wt[3] = ly * lx;
              }
              if (!is_max) {
                out += wt[0] * (tinyc_acc)src[pos[0]] + wt[1] * (tinyc_acc)src[pos[1]] +
                       wt[2] * (tinyc_acc)src[pos[2]] + wt[3] * (tinyc_acc)src[pos[3]];
              } else {
                tinyc_acc v = wt[0] * (tinyc_acc)src[pos[0]];
                for (k = 1; k < 4; ++k) {
                  const tinyc_acc t = wt[k] * (tinyc_acc)src[pos[k]];
                  v = t > v ? t : v;
                }
                out = first || v > out ? v : out;
                first = 0;
              }
            }
          }
          if (!is_max) out /= count;
          y[(((size_t)r * (size_t)chans + (size_t)ch) * (size_t)oh + (size_t)ph) * (size_t)ow + (size_t)pw] = (float)out;
        }
    }
  }
}

/* DeformConv (lib/ops/deform_conv.cpp): X's bilinear value at (y, x) of one plane, zeros outside. */
TINYC_KERNEL tinyc_acc tinyc_deform_sample(const float *plane, int32_t h, int32_t w, tinyc_acc y, tinyc_acc x) {
  const tinyc_acc fy = tinyc_acc_floor(y), fx = tinyc_acc_floor(x);
  tinyc_acc s = 0, ly, lx;
  int32_t y0, x0, a, b;
  if (!(fy > -4 && fy < (tinyc_acc)h + 4) || !(fx > -4 && fx < (tinyc_acc)w + 4)) return 0; /* far outside or NaN */
  y0 = (int32_t)fy;
  x0 = (int32_t)fx;
  ly = y - fy;
  lx = x - fx;
  for (a = 0; a < 2; ++a) {
    const int32_t yy = y0 + a;
    tinyc_acc row = 0;
    if (yy < 0 || yy >= h) continue;
    for (b = 0; b < 2; ++b) {
      const int32_t xi = x0 + b;
      if (xi >= 0 && xi < w) row += (b ? lx : 1 - lx) * (tinyc_acc)plane[yy * w + xi];
    }
    s += (a ? ly : 1 - ly) * row;
  }
  return s;
}

/* p: N, C, H, W, M, OH, OW, KH, KW, SH, SW, DH, DW, pad top, pad left, group, offset_group. */
TINYC_KERNEL void tinyc_deform_conv_f32(const float *x, const float *wt, const float *off, const float *bias,
                                        const float *mask, float *y, const int32_t *p) {
  const int32_t N = p[0], C = p[1], H = p[2], W = p[3], M = p[4], OH = p[5], OW = p[6], KH = p[7], KW = p[8];
  const int32_t SH = p[9], SW = p[10], DH = p[11], DW = p[12], PT = p[13], PL = p[14], G = p[15], OG = p[16];
  const int32_t cg = C / G, mg = M / G, cog = C / OG, taps = KH * KW;
  int32_t b, o, i, j, ci, kp, kq;
  for (b = 0; b < N; ++b)
    for (o = 0; o < M; ++o)
      for (i = 0; i < OH; ++i)
        for (j = 0; j < OW; ++j) {
          const int32_t grp = o / mg;
          tinyc_acc acc = bias ? (tinyc_acc)bias[o] : 0;
          for (ci = grp * cg; ci < (grp + 1) * cg; ++ci) {
            const int32_t og = ci / cog;
            const float *plane = x + ((size_t)b * (size_t)C + (size_t)ci) * (size_t)H * (size_t)W;
            for (kp = 0; kp < KH; ++kp)
              for (kq = 0; kq < KW; ++kq) {
                const size_t tap = ((size_t)b * (size_t)OG + (size_t)og) * (size_t)taps + (size_t)(kp * KW + kq);
                const size_t px = (size_t)i * (size_t)OW + (size_t)j, hw = (size_t)OH * (size_t)OW;
                const tinyc_acc yy = (tinyc_acc)(i * SH - PT + kp * DH) + (tinyc_acc)off[(tap * 2) * hw + px];
                const tinyc_acc xx = (tinyc_acc)(j * SW - PL + kq * DW) + (tinyc_acc)off[(tap * 2 + 1) * hw + px];
                tinyc_acc v = (tinyc_acc)wt[(((size_t)o * (size_t)cg + (size_t)(ci - grp * cg)) * (size_t)KH + (size_t)kp) *
                                                (size_t)KW + (size_t)kq] *
                              tinyc_deform_sample(plane, H, W, yy, xx);
                if (mask) v *= (tinyc_acc)mask[tap * hw + px];
                acc += v;
              }
          }
          y[(((size_t)b * (size_t)M + (size_t)o) * (size_t)OH + (size_t)i) * (size_t)OW + (size_t)j] = (float)acc;
        }
}
