/* tinyc runtime: float Conv (GEMM over an implicit im2col, direct 1x1, depthwise) and ConvTranspose; the host's direct convolution is conv_direct.c. requires: common gemm scratch */

#ifdef TINYC_GEMM_ZMM /* gemm.c: 512-bit vectors for the register tiles */
#pragma GCC push_options
#pragma GCC target("prefer-vector-width=512")
#endif

/* p: N, C, M, group, then the window: in[3] out[3] k[3] s[3] d[3] pb[3] (1D/2D as 3D). */

/* Output channels [m0, m0 + mc) of group g of image n: Y rows = W rows (lda: C/G * kernel taps) *
   im2col(X_g) + bias; 1x1 convolutions with unit strides and no padding read X directly as the B
   matrix. */
TINYC_KERNEL void tinyc_conv_rows(const float *x, const float *wrows, const float *bias, float *y, const int32_t *p,
                                  const tinyc_win *win, int32_t n, int32_t g, int32_t m0, int32_t mc,
                                  unsigned char *scratch, int32_t scratch_bytes) {
  const int32_t C = p[1], M = p[2], G = p[3], cg = C / G, mg = M / G;
  const int32_t is = win->in[0] * win->in[1] * win->in[2], os = win->out[0] * win->out[1] * win->out[2];
  const int32_t ks = win->k[0] * win->k[1] * win->k[2];
  int32_t d, direct = ks == 1;
  tinyc_bsrc src;
  for (d = 0; d < 3; ++d)
    if (win->s[d] != 1 || win->pb[d] != 0 || win->out[d] != win->in[d]) direct = 0;
  src.p = x + ((size_t)n * (size_t)C + (size_t)g * (size_t)cg) * (size_t)is;
  src.rs = is;
  src.cs = 1;
  src.w = direct ? NULL : win;
  tinyc_sgemm(mc, os, cg * ks, wrows, cg * ks, 1, 1.0f, &src,
              y + ((size_t)n * (size_t)M + (size_t)g * (size_t)mg + (size_t)m0) * (size_t)os, os,
              bias ? bias + (size_t)g * (size_t)mg + (size_t)m0 : NULL, 0, scratch, scratch_bytes);
}

/* General convolution: per image and group, Y_g[mg, os] = W_g[mg, cg*ks] * im2col(X_g) + bias. */
TINYC_KERNEL void tinyc_conv_f32(const float *x, const float *w, const float *bias, float *y, const int32_t *p,
                                 unsigned char *scratch, int32_t scratch_bytes) {
  const int32_t N = p[0], G = p[3], mg = p[2] / G;
  const int32_t kdim = (int32_t)tinyc_conv_f32_kdim(p);
  tinyc_win win;
  int32_t n, g;
  TINYC_SCRATCH_NEED(TINYC_SCRATCH_MAX(tinyc_conv_f32_scratch(p), scratch_bytes)); /* it uses what it is given */
  tinyc_win_read(&win, p + TINYC_CONV_WIN);
  for (n = 0; n < N; ++n)
    for (g = 0; g < G; ++g)
      tinyc_conv_rows(x, w + (size_t)g * (size_t)mg * (size_t)kdim, bias, y, p, &win, n, g, 0, mg, scratch,
                      scratch_bytes);
}

/* Output channels [oc0, oc0 + mc) of int8 weights wq ([M][K]) in float into wf, exactly as
   DequantizeLinear computes them: (float)(wq - wz[oc]) * ws[oc] (wz may be null; index 0 for every
   channel unless per_channel). */
TINYC_KERNEL void tinyc_conv_w8_rows(const int8_t *wq, const float *ws, const int8_t *wz, int32_t per_channel,
                                     int32_t oc0, int32_t mc, int32_t K, float *wf) {
  int32_t m, k;
  for (m = 0; m < mc; ++m) {
    const int32_t oc = oc0 + m;
    const int8_t *src = wq + (size_t)oc * (size_t)K;
    float *dst = wf + (size_t)m * (size_t)K;
    const float sc = ws[per_channel ? oc : 0];
    const int32_t z = wz ? (int32_t)wz[per_channel ? oc : 0] : 0;
    for (k = 0; k < K; ++k) dst[k] = (float)((int32_t)src[k] - z) * sc;
  }
}

/* The same with int8 weights wq behind a DequantizeLinear that the kernel absorbs (as
   tinyc_conv_nhwc_f32_w8): output channel m's weights are (float)(wq - wz[m]) * ws[m] (wz may be
   null; index 0 for every m unless per_channel), exactly as DequantizeLinear computes them,
   converted a chunk of a group's channels at a time into the scratch before the GEMM's
   (tinyc_conv_f32_w8_chunk), so no dequantized weight tensor takes arena memory. */
TINYC_KERNEL void tinyc_conv_f32_w8(const float *x, const int8_t *wq, const float *ws, const int8_t *wz,
                                    int32_t per_channel, const float *bias, float *y, const int32_t *p,
                                    unsigned char *scratch, int32_t scratch_bytes) {
  const int32_t N = p[0], G = p[3], mg = p[2] / G, chunk = tinyc_conv_f32_w8_chunk(p, scratch_bytes);
  const int32_t kdim = (int32_t)tinyc_conv_f32_kdim(p);
  const int32_t gemm_bytes = scratch_bytes - 4 * kdim * chunk;
  float *wf = (float *)(void *)scratch; /* the weights first: the scratch's alignment */
  unsigned char *gemm_scratch = scratch + (size_t)4 * (size_t)kdim * (size_t)chunk;
  tinyc_win win;
  int32_t n, g, m0;
  TINYC_SCRATCH_NEED(TINYC_SCRATCH_MAX(tinyc_conv_f32_w8_scratch(p), scratch_bytes));
  tinyc_win_read(&win, p + TINYC_CONV_WIN);
  for (g = 0; g < G; ++g)
    for (m0 = 0; m0 < mg; m0 += chunk) {
      const int32_t mc = mg - m0 < chunk ? mg - m0 : chunk;
      tinyc_conv_w8_rows(wq, ws, wz, per_channel, g * mg + m0, mc, kdim, wf);
      for (n = 0; n < N; ++n) tinyc_conv_rows(x, wf, bias, y, p, &win, n, g, m0, mc, gemm_scratch, gemm_bytes);
    }
}

/* Depthwise convolution (group == C, M = C * multiplier), 1D or 2D, as a polyphase flat loop:
   each input plane is copied, zero-padded, into sh*sw phase planes of Hq x Wq (phase (a, b)
   holds padded rows a, a+sh, ... and columns b, b+sw, ...), so that every tap of every output
   reads phase plane[j + off] with j = oh*Wq + ow: one long, branch-free loop that vectorizes
   (outputs at ow >= OW are computed and dropped). Scratch (floats): the planes and 16 + Wq of
   slack, the output rows (OH*Wq rounded up to 16). */
#define TINYC_DW_BLOCK 16

typedef struct {
  int32_t H, W, OH, OW, KH, KW, sh, sw, dh, dw, ph, pw, Hq, Wq;
} tinyc_dwgeom;

TINYC_KERNEL void tinyc_dw_geom(tinyc_dwgeom *g, const tinyc_win *w) {
  int32_t Hp, Wp;
  g->H = w->in[1];
  g->W = w->in[2];
  g->OH = w->out[1];
  g->OW = w->out[2];
  g->KH = w->k[1];
  g->KW = w->k[2];
  g->sh = w->s[1];
  g->sw = w->s[2];
  g->dh = w->d[1];
  g->dw = w->d[2];
  g->ph = w->pb[1];
  g->pw = w->pb[2];
  Hp = (g->OH - 1) * g->sh + (g->KH - 1) * g->dh + 1;
  Wp = (g->OW - 1) * g->sw + (g->KW - 1) * g->dw + 1;
  g->Hq = (Hp + g->sh - 1) / g->sh;
  g->Wq = (Wp + g->sw - 1) / g->sw;
}

/* Copies plane x (H x W) into the zero-padded phase planes at buf (phase column qc of phase b
   is padded column qc*sw + b, input column qc*sw + b - pw); with `need` (sh*sw flags, row-major by
   phase (a, b)) only the phases some tap reads (a strided 1x1 convolution reads one of them). */
TINYC_KERNEL void tinyc_dw_phases_of(const tinyc_dwgeom *g, const float *restrict x, float *restrict buf,
                                     const unsigned char *need) {
  const size_t pq = (size_t)g->Hq * (size_t)g->Wq;
  int32_t a, b, qr, qc;
  for (b = 0; b < g->sw; ++b) {
    /* phase columns [lo, hi) read the input */
    const int32_t c0 = b - g->pw;
    int32_t lo = c0 >= 0 ? 0 : (-c0 + g->sw - 1) / g->sw;
    int32_t hi = g->W - 1 - c0 < 0 ? 0 : (g->W - 1 - c0) / g->sw + 1;
    lo = TINYC_GMIN(lo, g->Wq);
    hi = TINYC_GMAX(lo, TINYC_GMIN(hi, g->Wq));
    for (a = 0; a < g->sh; ++a) {
      float *restrict plane = buf + (size_t)(a * g->sw + b) * pq;
      if (need && !need[a * g->sw + b]) continue;
      for (qr = 0; qr < g->Hq; ++qr) {
        float *restrict d = plane + (size_t)qr * (size_t)g->Wq;
        const int32_t ih = qr * g->sh + a - g->ph;
        const float *restrict r;
        if (ih < 0 || ih >= g->H) {
          tinyc_zero_f32(d, g->Wq);
          continue;
        }
        r = x + (size_t)ih * (size_t)g->W + (c0 + lo * g->sw);  /* input of phase column lo */
        for (qc = 0; qc < lo; ++qc) d[qc] = 0.0f; /* (the padding: a few columns) */
        if (g->sw == 1) {
          tinyc_copy_f32(d + lo, r, hi - lo);
        } else if (g->sw == 2) {
          /* even elements; explicit groups of 4 from 8 loads vectorize at -O2 (two loads and a
             shuffle); a group is used only when its 8 loads are inside the row */
          float *restrict e = d + lo;
          const int32_t n = hi - lo;
          for (qc = 0; qc + 5 <= n; qc += 4) {
            const float *restrict q = r + 2 * qc;
            const float a0 = q[0], a1 = q[1], a2 = q[2], a3 = q[3], a4 = q[4], a5 = q[5], a6 = q[6], a7 = q[7];
            (void)a1;
            (void)a3;
            (void)a5;
            (void)a7;
            e[qc] = a0;
            e[qc + 1] = a2;
            e[qc + 2] = a4;
            e[qc + 3] = a6;
          }
          for (; qc < n; ++qc) e[qc] = r[2 * qc];
        } else {
          for (qc = 0; qc < hi - lo; ++qc) d[lo + qc] = r[qc * g->sw];
        }
        for (qc = hi; qc < g->Wq; ++qc) d[qc] = 0.0f;
      }
    }
  }
}
TINYC_KERNEL void tinyc_dw_phases(const tinyc_dwgeom *g, const float *restrict x, float *restrict buf) {
  tinyc_dw_phases_of(g, x, buf, NULL);
}

/* out[j] = b + sum of the 9 taps w[k] * src[k][j], j < n (a multiple of TINYC_DW_BLOCK). Separate
   functions keep the loops simple enough for the vectorizer at -O2. */
TINYC_KERNEL void tinyc_dw_taps9(float *restrict o, const float *const *src, const float *wm, float b, int32_t n) {
  const float *restrict s0 = src[0], *restrict s1 = src[1], *restrict s2 = src[2], *restrict s3 = src[3],
                       *restrict s4 = src[4], *restrict s5 = src[5], *restrict s6 = src[6], *restrict s7 = src[7],
                       *restrict s8 = src[8];
  const float w0 = wm[0], w1 = wm[1], w2 = wm[2], w3 = wm[3], w4 = wm[4], w5 = wm[5], w6 = wm[6], w7 = wm[7],
              w8 = wm[8];
  int32_t j = 0, t;
  /* 64 outputs per step: independent sums hide the latency of each output's chain of adds */
  for (; j + 64 <= n; j += 64)
    for (t = 0; t < 64; ++t)
      o[j + t] = b + w0 * s0[j + t] + w1 * s1[j + t] + w2 * s2[j + t] + w3 * s3[j + t] + w4 * s4[j + t] +
                 w5 * s5[j + t] + w6 * s6[j + t] + w7 * s7[j + t] + w8 * s8[j + t];
  for (; j < n; j += TINYC_DW_BLOCK)
    for (t = 0; t < TINYC_DW_BLOCK; ++t)
      o[j + t] = b + w0 * s0[j + t] + w1 * s1[j + t] + w2 * s2[j + t] + w3 * s3[j + t] + w4 * s4[j + t] +
                 w5 * s5[j + t] + w6 * s6[j + t] + w7 * s7[j + t] + w8 * s8[j + t];
}

/* out[j] += w * s[j], j < n (a multiple of TINYC_DW_BLOCK). */
TINYC_KERNEL void tinyc_dw_tap(float *restrict o, const float *restrict s, float w, int32_t n) {
  int32_t j, t;
  for (j = 0; j < n; j += TINYC_DW_BLOCK)
    for (t = 0; t < TINYC_DW_BLOCK; ++t) o[j + t] = TINYC_FMAF(w, s[j + t], o[j + t]);
}

/* Depthwise, stride 1 with "same" output size (OH == H, OW == W): the input plane is read in
   place with pitch W (between zero rows) by one flat loop writing Y directly. A tap that crosses
   the left/right edge would read the neighbouring row there; those reads only ever hit columns
   that tap column kw never reads legitimately, so each kw reads its own copy of the plane with
   those columns zeroed: exact, branch-free. Scratch: G + KW * (rows * W + G) floats, rows =
   H + (KH - 1) * dh, G = KW * dw + 16 (copies are separated by zero guards). */
TINYC_KERNEL void tinyc_dw_same_f32(const tinyc_dwgeom *g, int32_t N, int32_t C, int32_t M, const float *x,
                                    const float *w, const float *bias, float *y, float *buf) {
  const int32_t mult = M / C, W = g->W, H = g->H, L = H * W, taps = g->KH * g->KW;
  const int32_t G = g->KW * g->dw + 16, rows = H + (g->KH - 1) * g->dh;
  const int32_t Lb = L / TINYC_DW_BLOCK * TINYC_DW_BLOCK;
  const size_t vstride = (size_t)rows * (size_t)W + (size_t)G; /* from one copy to the next */
  size_t toff[TINYC_DW_MAXTAPS];
  int32_t n, m, k, kh, kw, j, r, c;
  tinyc_zero_f32(buf, (int32_t)((size_t)G + (size_t)g->KW * vstride));
  /* tap (kh, kw) of output j reads buf[toff + j]; copy kw starts at G + kw * vstride */
  for (kh = 0, k = 0; kh < g->KH; ++kh)
    for (kw = 0; kw < g->KW; ++kw, ++k)
      toff[k] = (size_t)G + (size_t)kw * vstride + (size_t)(kh * g->dh) * (size_t)W + (size_t)(kw * g->dw) - (size_t)g->pw;
  for (n = 0; n < N; ++n)
    for (m = 0; m < M; ++m) {
      const float *wm = w + (size_t)m * (size_t)taps;
      const float b = bias ? bias[m] : 0.0f;
      float *yp = y + ((size_t)n * (size_t)M + (size_t)m) * (size_t)L;
      if (m % mult == 0) {
        const float *xp = x + ((size_t)n * (size_t)C + (size_t)(m / mult)) * (size_t)L;
        for (kw = 0; kw < g->KW; ++kw) {
          float *plane = buf + (size_t)G + (size_t)kw * vstride + (size_t)g->ph * (size_t)W;
          const int32_t shift = kw * g->dw - g->pw; /* tap kw of column ow reads column ow + shift */
          tinyc_copy_f32(plane, xp, L);
          if (shift > 0) {
            for (r = 0; r < H; ++r)
              for (c = 0; c < shift && c < W; ++c) plane[(size_t)r * (size_t)W + c] = 0.0f;
          } else if (shift < 0) {
            for (r = 0; r < H; ++r)
              for (c = W + shift < 0 ? 0 : W + shift; c < W; ++c) plane[(size_t)r * (size_t)W + c] = 0.0f;
          }
        }
      }
      if (taps == 9) {
        const float *src[9];
        for (k = 0; k < 9; ++k) src[k] = buf + toff[k];
        tinyc_dw_taps9(yp, src, wm, b, Lb);
      } else {
        for (j = 0; j < Lb; ++j) yp[j] = b;
        for (k = 0; k < taps; ++k) tinyc_dw_tap(yp, buf + toff[k], wm[k], Lb);
      }
      for (j = Lb; j < L; ++j) {
        float s = b;
        for (k = 0; k < taps; ++k) s = TINYC_FMAF(wm[k], buf[toff[k] + (size_t)j], s);
        yp[j] = s;
      }
    }
}

TINYC_KERNEL void tinyc_conv_dw_f32(const float *x, const float *w, const float *bias, float *y, const int32_t *p,
                                    unsigned char *scratch) {
  const int32_t N = p[0], C = p[1], M = p[2];
  const int32_t mult = M / C;
  tinyc_win win;
  tinyc_dwgeom g;
  int32_t n, m, j, k, kh, kw, oh, taps, L, Lr;
  size_t pq, bufn, toff[TINYC_DW_MAXTAPS];
  float *buf = (float *)(void *)scratch;
  float *ob;
  TINYC_SCRATCH_NEED(tinyc_conv_dw_f32_scratch(p));
  tinyc_win_read(&win, p + TINYC_CONV_WIN);
  tinyc_dw_geom(&g, &win);
  taps = g.KH * g.KW;
  if (g.sh == 1 && g.sw == 1 && g.OH == g.H && g.OW == g.W && taps <= TINYC_DW_MAXTAPS) {
    tinyc_dw_same_f32(&g, N, C, M, x, w, bias, y, buf);
    return;
  }
  pq = (size_t)g.Hq * (size_t)g.Wq;
  bufn = (size_t)g.sh * (size_t)g.sw * pq + TINYC_DW_BLOCK + (size_t)g.Wq;
  ob = buf + bufn;
  L = g.OH * g.Wq;
  Lr = (L + TINYC_DW_BLOCK - 1) / TINYC_DW_BLOCK * TINYC_DW_BLOCK;
  tinyc_zero_f32(buf + bufn - TINYC_DW_BLOCK - g.Wq, TINYC_DW_BLOCK + g.Wq);
  /* where tap (kh, kw) reads: phase plane and offset */
  for (kh = 0, k = 0; kh < g.KH && taps <= TINYC_DW_MAXTAPS; ++kh)
    for (kw = 0; kw < g.KW; ++kw, ++k) {
      const int32_t rh = kh * g.dh, rw = kw * g.dw;
      toff[k] = (size_t)((rh % g.sh) * g.sw + rw % g.sw) * pq + (size_t)(rh / g.sh) * (size_t)g.Wq + (size_t)(rw / g.sw);
    }
  for (n = 0; n < N; ++n)
    for (m = 0; m < M; ++m) {
      const float *wm = w + (size_t)m * (size_t)taps;
      const float b = bias ? bias[m] : 0.0f;
      float *yp = y + ((size_t)n * (size_t)M + (size_t)m) * (size_t)g.OH * (size_t)g.OW;
      if (m % mult == 0)
        tinyc_dw_phases(&g, x + ((size_t)n * (size_t)C + (size_t)(m / mult)) * (size_t)g.H * (size_t)g.W, buf);
      if (taps == 9) {
        const float *src[9];
        for (k = 0; k < 9; ++k) src[k] = buf + toff[k];
        tinyc_dw_taps9(ob, src, wm, b, Lr);
      } else {
        for (j = 0; j < Lr; ++j) ob[j] = b;
        for (kh = 0, k = 0; kh < g.KH; ++kh)
          for (kw = 0; kw < g.KW; ++kw, ++k) {
            const int32_t rh = kh * g.dh, rw = kw * g.dw;
            const size_t off = taps <= TINYC_DW_MAXTAPS ? toff[k]
                                                        : (size_t)((rh % g.sh) * g.sw + rw % g.sw) * pq +
                                                              (size_t)(rh / g.sh) * (size_t)g.Wq + (size_t)(rw / g.sw);
            tinyc_dw_tap(ob, buf + off, wm[k], Lr);
          }
      }
      if (g.Wq == g.OW) {
        tinyc_copy_f32(yp, ob, g.OH * g.OW);
      } else {
        for (oh = 0; oh < g.OH; ++oh) tinyc_copy_f32(yp + (size_t)oh * (size_t)g.OW, ob + (size_t)oh * (size_t)g.Wq, g.OW);
      }
    }
}

/* ConvTranspose: per image and group, col[mg*ks, is] = W_g^T * X_g (GEMM), then col2im
   scatter-adds col into Y (initialized with the bias). Scratch: col, then the GEMM's. */
TINYC_KERNEL void tinyc_convtranspose_f32(const float *x, const float *w, const float *bias, float *y,
                                          const int32_t *p, unsigned char *scratch, int32_t scratch_bytes) {
  const int32_t N = p[0], C = p[1], M = p[2], G = p[3];
  const int32_t cg = C / G, mg = M / G;
  tinyc_win win;
  int32_t is, os, ks, rows, n, g, m, c, kd, kh, kw, id, ih, iw, t;
  float *col = (float *)(void *)scratch;
  unsigned char *gs;
  TINYC_SCRATCH_NEED(TINYC_SCRATCH_MAX(tinyc_convtranspose_f32_scratch(p), scratch_bytes));
  tinyc_win_read(&win, p + TINYC_CONV_WIN);
  is = win.in[0] * win.in[1] * win.in[2];
  os = win.out[0] * win.out[1] * win.out[2];
  ks = win.k[0] * win.k[1] * win.k[2];
  rows = mg * ks;
  gs = scratch + (size_t)tinyc_convtranspose_f32_col_bytes(p);
  for (n = 0; n < N; ++n)
    for (g = 0; g < G; ++g) {
      tinyc_bsrc src;
      float *yg = y + ((size_t)n * (size_t)M + (size_t)g * (size_t)mg) * (size_t)os;
      src.p = x + ((size_t)n * (size_t)C + (size_t)g * (size_t)cg) * (size_t)is;
      src.rs = is;
      src.cs = 1;
      src.w = NULL;
      /* A(i, k) = W[g*cg + k][i]: rows of W_g^T */
      tinyc_sgemm(rows, is, cg, w + (size_t)g * (size_t)cg * (size_t)rows, 1, rows, 1.0f, &src, col, is, NULL, 0, gs,
                  scratch_bytes - tinyc_convtranspose_f32_col_bytes(p));
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

#ifdef TINYC_GEMM_ZMM
#pragma GCC pop_options
#endif
