/* tinyc runtime: float Conv (GEMM over an implicit im2col, direct 1x1, depthwise) and ConvTranspose. requires: common gemm */

/* p: N, C, M, group, then the window: in[3] out[3] k[3] s[3] d[3] pb[3] (1D/2D as 3D). */

/* General convolution: per image and group, Y_g[mg, os] = W_g[mg, cg*ks] * im2col(X_g) + bias.
   1x1 convolutions with unit strides and no padding read X directly as the B matrix. */
TINYC_KERNEL void tinyc_conv_f32(const float *x, const float *w, const float *bias, float *y, const int32_t *p,
                                 unsigned char *scratch) {
  const int32_t N = p[0], C = p[1], M = p[2], G = p[3];
  const int32_t cg = C / G, mg = M / G;
  tinyc_win win;
  int32_t is, os, ks, kdim, n, g, direct;
  tinyc_win_read(&win, p + 4);
  is = win.in[0] * win.in[1] * win.in[2];
  os = win.out[0] * win.out[1] * win.out[2];
  ks = win.k[0] * win.k[1] * win.k[2];
  kdim = cg * ks;
  direct = ks == 1;
  for (g = 0; g < 3; ++g)
    if (win.s[g] != 1 || win.pb[g] != 0 || win.out[g] != win.in[g]) direct = 0;
  for (n = 0; n < N; ++n)
    for (g = 0; g < G; ++g) {
      tinyc_bsrc src;
      src.p = x + ((size_t)n * (size_t)C + (size_t)g * (size_t)cg) * (size_t)is;
      src.rs = is;
      src.cs = 1;
      src.w = direct ? NULL : &win;
      tinyc_sgemm(mg, os, kdim, w + (size_t)g * (size_t)mg * (size_t)kdim, kdim, 1, 1.0f, &src,
                  y + ((size_t)n * (size_t)M + (size_t)g * (size_t)mg) * (size_t)os, os,
                  bias ? bias + (size_t)g * (size_t)mg : NULL, 0, scratch);
    }
}

/* Depthwise convolution (group == C, M = C * multiplier), 1D or 2D. Output rows are computed
   with the interior columns (every tap inside the input) in fixed-size blocks that vectorize,
   3x3 kernels in one pass; rows above/below the input read a zero row (scratch: in[2] floats). */
#define TINYC_DW_BLOCK 8
TINYC_KERNEL void tinyc_conv_dw_f32(const float *x, const float *w, const float *bias, float *y, const int32_t *p,
                                    unsigned char *scratch) {
  const int32_t N = p[0], C = p[1], M = p[2];
  const int32_t mult = M / C;
  tinyc_win win;
  int32_t H, W, OH, OW, KH, KW, sh, sw, dh, dw, ph, pw, lo, hi, n, m, oh, ow, kh, kw, t;
  float *zero = (float *)(void *)scratch;
  tinyc_win_read(&win, p + 4);
  H = win.in[1];
  W = win.in[2];
  OH = win.out[1];
  OW = win.out[2];
  KH = win.k[1];
  KW = win.k[2];
  sh = win.s[1];
  sw = win.s[2];
  dh = win.d[1];
  dw = win.d[2];
  ph = win.pb[1];
  pw = win.pb[2];
  for (t = 0; t < W; ++t) zero[t] = 0.0f;
  /* interior output columns: ow * sw - pw >= 0 and ow * sw - pw + (KW - 1) * dw <= W - 1 */
  lo = (pw + sw - 1) / sw;
  hi = W - 1 - (KW - 1) * dw + pw < 0 ? 0 : (W - 1 - (KW - 1) * dw + pw) / sw + 1;
  lo = TINYC_GMIN(lo, OW);
  hi = TINYC_GMAX(lo, TINYC_GMIN(hi, OW));
  for (n = 0; n < N; ++n)
    for (m = 0; m < M; ++m) {
      const float *xp = x + ((size_t)n * (size_t)C + (size_t)(m / mult)) * (size_t)H * (size_t)W;
      const float *wm = w + (size_t)m * (size_t)KH * (size_t)KW;
      const float b = bias ? bias[m] : 0.0f;
      float *yp = y + ((size_t)n * (size_t)M + (size_t)m) * (size_t)OH * (size_t)OW;
      for (oh = 0; oh < OH; ++oh) {
        float *restrict yr = yp + (size_t)oh * (size_t)OW;
        const int32_t ih0 = oh * sh - ph;
        if (KH == 3 && KW == 3 && dh == 1 && dw == 1 && (sw == 1 || sw == 2)) {
          const float *restrict r0 = (ih0 >= 0 && ih0 < H) ? xp + (size_t)ih0 * (size_t)W : zero;
          const float *restrict r1 = (ih0 + 1 >= 0 && ih0 + 1 < H) ? xp + (size_t)(ih0 + 1) * (size_t)W : zero;
          const float *restrict r2 = (ih0 + 2 >= 0 && ih0 + 2 < H) ? xp + (size_t)(ih0 + 2) * (size_t)W : zero;
          const float w0 = wm[0], w1 = wm[1], w2 = wm[2], w3 = wm[3], w4 = wm[4], w5 = wm[5], w6 = wm[6],
                      w7 = wm[7], w8 = wm[8];
          ow = lo;
          if (sw == 1) {
            for (; ow + TINYC_DW_BLOCK <= hi; ow += TINYC_DW_BLOCK) {
              const int32_t i0 = ow - pw;
              for (t = 0; t < TINYC_DW_BLOCK; ++t)
                yr[ow + t] = b + w0 * r0[i0 + t] + w1 * r0[i0 + t + 1] + w2 * r0[i0 + t + 2] + w3 * r1[i0 + t] +
                             w4 * r1[i0 + t + 1] + w5 * r1[i0 + t + 2] + w6 * r2[i0 + t] + w7 * r2[i0 + t + 1] +
                             w8 * r2[i0 + t + 2];
            }
          } else {
            for (; ow + TINYC_DW_BLOCK <= hi; ow += TINYC_DW_BLOCK) {
              const int32_t i0 = 2 * ow - pw;
              for (t = 0; t < TINYC_DW_BLOCK; ++t)
                yr[ow + t] = b + w0 * r0[i0 + 2 * t] + w1 * r0[i0 + 2 * t + 1] + w2 * r0[i0 + 2 * t + 2] +
                             w3 * r1[i0 + 2 * t] + w4 * r1[i0 + 2 * t + 1] + w5 * r1[i0 + 2 * t + 2] +
                             w6 * r2[i0 + 2 * t] + w7 * r2[i0 + 2 * t + 1] + w8 * r2[i0 + 2 * t + 2];
            }
          }
          for (; ow < hi; ++ow) {
            const int32_t i0 = ow * sw - pw;
            yr[ow] = b + w0 * r0[i0] + w1 * r0[i0 + 1] + w2 * r0[i0 + 2] + w3 * r1[i0] + w4 * r1[i0 + 1] +
                     w5 * r1[i0 + 2] + w6 * r2[i0] + w7 * r2[i0 + 1] + w8 * r2[i0 + 2];
          }
        } else {
          for (ow = lo; ow < hi; ++ow) yr[ow] = b;
          for (kh = 0; kh < KH; ++kh) {
            const int32_t ih = ih0 + kh * dh;
            const float *restrict r;
            if (ih < 0 || ih >= H) continue;
            r = xp + (size_t)ih * (size_t)W;
            for (kw = 0; kw < KW; ++kw) {
              const float wv = wm[kh * KW + kw];
              const int32_t off = kw * dw - pw;
              ow = lo;
              if (sw == 1) {
                for (; ow + TINYC_DW_BLOCK <= hi; ow += TINYC_DW_BLOCK)
                  for (t = 0; t < TINYC_DW_BLOCK; ++t) yr[ow + t] += wv * r[ow + t + off];
              }
              for (; ow < hi; ++ow) yr[ow] += wv * r[ow * sw + off];
            }
          }
        }
        /* border columns: taps checked one by one */
        for (ow = 0; ow < OW; ++ow) {
          float s = b;
          if (ow == lo) ow = hi;
          if (ow >= OW) break;
          for (kh = 0; kh < KH; ++kh) {
            const int32_t ih = ih0 + kh * dh;
            if (ih < 0 || ih >= H) continue;
            for (kw = 0; kw < KW; ++kw) {
              const int32_t iw = ow * sw - pw + kw * dw;
              if (iw >= 0 && iw < W) s += wm[kh * KW + kw] * xp[(size_t)ih * (size_t)W + iw];
            }
          }
          yr[ow] = s;
        }
      }
    }
}

/* ConvTranspose: per image and group, col[mg*ks, is] = W_g^T * X_g (GEMM), then col2im
   scatter-adds col into Y (initialized with the bias). Scratch: col, then the GEMM's. */
TINYC_KERNEL void tinyc_convtranspose_f32(const float *x, const float *w, const float *bias, float *y,
                                          const int32_t *p, unsigned char *scratch) {
  const int32_t N = p[0], C = p[1], M = p[2], G = p[3];
  const int32_t cg = C / G, mg = M / G;
  tinyc_win win;
  int32_t is, os, ks, rows, n, g, m, c, kd, kh, kw, id, ih, iw, t;
  float *col = (float *)(void *)scratch;
  unsigned char *gs;
  tinyc_win_read(&win, p + 4);
  is = win.in[0] * win.in[1] * win.in[2];
  os = win.out[0] * win.out[1] * win.out[2];
  ks = win.k[0] * win.k[1] * win.k[2];
  rows = mg * ks;
  gs = scratch + (((size_t)rows * (size_t)is * sizeof(float) + 63u) / 64u) * 64u;
  for (n = 0; n < N; ++n)
    for (g = 0; g < G; ++g) {
      tinyc_bsrc src;
      float *yg = y + ((size_t)n * (size_t)M + (size_t)g * (size_t)mg) * (size_t)os;
      src.p = x + ((size_t)n * (size_t)C + (size_t)g * (size_t)cg) * (size_t)is;
      src.rs = is;
      src.cs = 1;
      src.w = NULL;
      /* A(i, k) = W[g*cg + k][i]: rows of W_g^T */
      tinyc_sgemm(rows, is, cg, w + (size_t)g * (size_t)cg * (size_t)rows, 1, rows, 1.0f, &src, col, is, NULL, 0, gs);
      for (m = 0; m < mg; ++m) {
        const float b = bias ? bias[g * mg + m] : 0.0f;
        for (t = 0; t < os; ++t) yg[(size_t)m * (size_t)os + t] = b;
      }
      for (c = 0; c < mg; ++c)
        for (kd = 0; kd < win.k[0]; ++kd)
          for (kh = 0; kh < win.k[1]; ++kh)
            for (kw = 0; kw < win.k[2]; ++kw) {
              const float *src2 = col + ((size_t)((c * win.k[0] + kd) * win.k[1] + kh) * (size_t)win.k[2] + kw) * (size_t)is;
              const int32_t off = kw * win.d[2] - win.pb[2];
              /* input columns whose output column lies inside [0, out[2]) */
              int32_t lo = -tinyc_floordiv(off, win.s[2]), hi = tinyc_floordiv(win.out[2] - 1 - off, win.s[2]) + 1;
              lo = TINYC_GMAX(0, TINYC_GMIN(lo, win.in[2]));
              hi = TINYC_GMAX(lo, TINYC_GMIN(hi, win.in[2]));
              for (id = 0; id < win.in[0]; ++id) {
                const int32_t od = id * win.s[0] - win.pb[0] + kd * win.d[0];
                for (ih = 0; ih < win.in[1]; ++ih, src2 += win.in[2]) {
                  const int32_t oh = ih * win.s[1] - win.pb[1] + kh * win.d[1];
                  float *dst;
                  if (od < 0 || od >= win.out[0] || oh < 0 || oh >= win.out[1]) continue;
                  dst = yg + (size_t)c * (size_t)os + ((size_t)od * (size_t)win.out[1] + (size_t)oh) * (size_t)win.out[2];
                  for (iw = lo; iw < hi; ++iw) dst[iw * win.s[2] + off] += src2[iw];
                }
              }
            }
    }
}
