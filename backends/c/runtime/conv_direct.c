/* tinyc runtime: the host's direct convolution (no im2col, no packing; geometry and scratch in scratch.h, tinyc_conv_direct_*). requires: common gemm scratch conv */

#define TINYC_CONV_DIRECT_PHASES 64 /* strides with sh * sw above this copy every phase */

#ifdef TINYC_GEMM_ZMM /* gemm.c: 512-bit vectors for the register tiles */
#pragma GCC push_options
#pragma GCC target("prefer-vector-width=512")
#endif

/* One MR x NR tile of the direct convolution (tinyc_conv_direct_f32; scratch.h has the geometry):
   rows of a (lda floats apart; rows past mr re-read row mr - 1), B row (ch, t) of the tile at
   b + ch * plane + tap[t] (taps in kernel order). The same register tile as tinyc_gemm_micro, with
   the same sums in the same order (k = ch * taps + t ascending). With c (mr == MR: every row), the
   tile plus bias[i] goes to c + i * ldc; otherwise into tile[MR][NR]. */
TINYC_KERNEL void tinyc_conv_direct_tile(const float *a, int32_t lda, int32_t mr, const float *b, int32_t cg,
                                         int32_t plane, int32_t taps, const int32_t *tap, float *restrict c,
                                         int32_t ldc, const float *bias, float *restrict tile) {
  const int32_t ars = lda, accum = 0;
  float(*t)[TINYC_GEMM_NR] = (float(*)[TINYC_GEMM_NR])(void *)tile;
  int32_t j, ch, u;
  size_t ak = 0;
  TINYC_ROWS(TINYC_MK_AROW)
  TINYC_ROWS(TINYC_MK_DECL)
  TINYC_ROWS(TINYC_MK_ZERO)
  if (taps == 1) { /* 1x1: one loop over the channels */
    const float *bc = b + tap[0];
    for (ch = 0; ch < cg; ++ch, ++ak, bc += plane) {
      const float *restrict b0 = bc;
      const float *restrict b1 = b0 + TINYC_GEMM_VL;
      TINYC_ROWS(TINYC_MK_FMA)
    }
  } else {
    for (ch = 0; ch < cg; ++ch) {
      const float *bc = b + (size_t)ch * (size_t)plane;
      for (u = 0; u < taps; ++u, ++ak) {
        const float *restrict b0 = bc + tap[u];
        const float *restrict b1 = b0 + TINYC_GEMM_VL;
        TINYC_ROWS(TINYC_MK_FMA)
      }
    }
  }
  if (c) {
    TINYC_ROWS(TINYC_MK_STORE)
  } else {
    TINYC_ROWS(TINYC_MK_SPILL)
  }
}

/* The tile of columns jt .. jt + NR - 1 (j = oh * Wq + ow) for every block of MR output channels:
   stored by the register tile when its columns are consecutive outputs (full) and the block has
   MR channels, else through tile[] in runs of consecutive outputs (columns ow >= OW or j >= ncol
   dropped). */
TINYC_KERNEL void tinyc_conv_direct_cols(const float *b, int32_t plane, int32_t Wq, int32_t taps, const int32_t *tap,
                                         const float *w, int32_t M, int32_t cg, const float *bias, float *y,
                                         int32_t ldy, int32_t jt, int32_t ncol, int32_t OW, int32_t full,
                                         float *restrict tile) {
  const int32_t K = cg * taps, ow0 = jt % Wq, oh0 = jt / Wq;
  int32_t run_t[TINYC_GEMM_NR], run_o[TINYC_GEMM_NR], run_n[TINYC_GEMM_NR]; /* runs of consecutive outputs */
  int32_t runs = 0, m0, i, t, r, oh = oh0, ow = ow0;
  for (t = 0; t < TINYC_GEMM_NR && jt + t < ncol; ++t) {
    if (ow < OW) {
      if (runs > 0 && run_t[runs - 1] + run_n[runs - 1] == t && ow > 0) {
        ++run_n[runs - 1];
      } else {
        run_t[runs] = t, run_o[runs] = oh * OW + ow, run_n[runs] = 1;
        ++runs;
      }
    }
    if (++ow == Wq) {
      ow = 0;
      ++oh;
    }
  }
  for (m0 = 0; m0 < M; m0 += TINYC_GEMM_MR) {
    const int32_t mr = TINYC_GMIN(TINYC_GEMM_MR, M - m0);
    const float *wm = w + (size_t)m0 * (size_t)K;
    if (full && mr == TINYC_GEMM_MR) {
      tinyc_conv_direct_tile(wm, K, mr, b + jt, cg, plane, taps, tap, y + (size_t)m0 * (size_t)ldy + oh0 * OW + ow0,
                             ldy, bias ? bias + m0 : NULL, tile);
      continue;
    }
    tinyc_conv_direct_tile(wm, K, mr, b + jt, cg, plane, taps, tap, NULL, 0, NULL, tile);
    for (i = 0; i < mr; ++i) {
      const float bi = bias ? bias[m0 + i] : 0.0f;
      const float *restrict s = tile + (size_t)i * TINYC_GEMM_NR;
      float *restrict yi = y + (size_t)(m0 + i) * (size_t)ldy;
      for (r = 0; r < runs; ++r) {
        const float *restrict sr = s + run_t[r];
        float *restrict d = yi + run_o[r];
        const int32_t len = run_n[r];
        for (t = 0; t < len; ++t) d[t] = sr[t] + bi;
      }
    }
  }
}

/* Output rows [0, rows) of one group (M channels of ldy floats each) from the band b (plane floats
   per input channel, rows of Wq): output rows at least NR wide in whole tiles per row (the last
   one moved back inside the row: its overlap is computed again, to the same values); narrower
   rows as the columns j = oh * Wq + ow in tiles of NR across rows, the columns ow >= OW dropped.
   in_place: b is the input itself, so the last tile moves back inside the columns instead of
   reading past it. */
TINYC_KERNEL void tinyc_conv_direct_band(const float *b, int32_t plane, int32_t Wq, int32_t taps, const int32_t *tap,
                                         const float *w, int32_t M, int32_t cg, const float *bias, float *y,
                                         int32_t ldy, int32_t rows, int32_t OW, int32_t in_place) {
  const int32_t ncol = (rows - 1) * Wq + OW;
  float tile[TINYC_GEMM_MR * TINYC_GEMM_NR];
  int32_t j0, oh, ow0;
  if (OW >= TINYC_GEMM_NR) {
    for (oh = 0; oh < rows; ++oh)
      for (ow0 = 0; ow0 < OW; ow0 += TINYC_GEMM_NR) {
        const int32_t ow = ow0 + TINYC_GEMM_NR > OW ? OW - TINYC_GEMM_NR : ow0;
        tinyc_conv_direct_cols(b, plane, Wq, taps, tap, w, M, cg, bias, y, ldy, oh * Wq + ow, ncol, OW, 1, tile);
      }
    return;
  }
  for (j0 = 0; j0 < ncol; j0 += TINYC_GEMM_NR) {
    const int32_t jt = in_place && j0 + TINYC_GEMM_NR > ncol ? ncol - TINYC_GEMM_NR : j0;
    const int32_t full = Wq == OW ? jt + TINYC_GEMM_NR <= ncol : jt % Wq + TINYC_GEMM_NR <= OW;
    tinyc_conv_direct_cols(b, plane, Wq, taps, tap, w, M, cg, bias, y, ldy, jt, ncol, OW, full, tile);
  }
}

/* The direct convolution vectorized over output channels instead of pixels, for outputs too
   small for a tile of NR pixels: weights transposed into blocks of TINYC_CONV_DIRECT_TBLOCK output
   channels, wt[(m / TBLOCK) * K * TBLOCK + k * TBLOCK + m % TBLOCK] (scratch.h; M a multiple of
   TBLOCK >= NR, one group), so that a block's weights are one contiguous run; ldw = TBLOCK. One tile: the MR output pixels whose band columns are pj[0 .. mr) (rows past mr
   re-read pixel mr - 1) times NR output channels from wt; the same sums in the same order
   (k = ch * taps + t ascending) as tinyc_conv_direct_tile, into tile[MR][NR]. */
#if TINYC_CONV_DIRECT_TBLOCK % TINYC_GEMM_NR != 0
#error "tinyc_conv_direct_t_f32: the weights' channel blocks must hold whole tiles"
#endif
#define TINYC_MK_PROW(i) const float *restrict a##i = b + pj[(i) < mr ? (i) : mr - 1];
TINYC_KERNEL void tinyc_conv_direct_ttile(const float *b, const int32_t *pj, int32_t mr, const float *wt, int32_t ldw,
                                          int32_t cg, int32_t plane, int32_t taps, const int32_t *tap,
                                          float *restrict tile) {
  float(*t)[TINYC_GEMM_NR] = (float(*)[TINYC_GEMM_NR])(void *)tile;
  const float *wk = wt;
  int32_t j, ch, u;
  size_t ak;
  TINYC_ROWS(TINYC_MK_PROW)
  TINYC_ROWS(TINYC_MK_DECL)
  TINYC_ROWS(TINYC_MK_ZERO)
  if (taps == 1) { /* 1x1: one index for every row (a broadcast with base and index, no address sums) */
    for (ch = 0, ak = (size_t)tap[0]; ch < cg; ++ch, ak += (size_t)plane, wk += ldw) {
      const float *restrict b0 = wk;
      const float *restrict b1 = b0 + TINYC_GEMM_VL;
      TINYC_ROWS(TINYC_MK_FMA)
    }
  } else {
    for (ch = 0; ch < cg; ++ch)
      for (u = 0; u < taps; ++u, wk += ldw) {
        const float *restrict b0 = wk;
        const float *restrict b1 = b0 + TINYC_GEMM_VL;
        ak = (size_t)ch * (size_t)plane + (size_t)tap[u];
        TINYC_ROWS(TINYC_MK_FMA)
      }
  }
  TINYC_ROWS(TINYC_MK_SPILL)
}

/* Output rows [0, rows) (M channels of ldy floats each) from the band b, over output channels:
   tiles of MR consecutive output pixels (no dropped columns) times NR channels, stored by a
   scatter. Channel blocks outside, pixels inside: the block's weights stay in the first-level cache
   while every pixel tile reads them. */
TINYC_KERNEL void tinyc_conv_direct_tband(const float *b, int32_t plane, int32_t Wq, int32_t taps, const int32_t *tap,
                                          const float *wt, int32_t M, int32_t cg, const float *bias, float *y,
                                          int32_t ldy, int32_t rows, int32_t OW) {
  const int32_t P = rows * OW, K = cg * taps;
  float tile[TINYC_GEMM_MR * TINYC_GEMM_NR];
  int32_t pj[TINYC_GEMM_MR], p0, m0, i, c, oh, ow;
  for (m0 = 0; m0 < M; m0 += TINYC_GEMM_NR)
    for (p0 = 0, oh = 0, ow = 0; p0 < P; p0 += TINYC_GEMM_MR) {
      const int32_t mr = TINYC_GMIN(TINYC_GEMM_MR, P - p0);
      for (i = 0; i < mr; ++i) { /* pixel p0 + i = (oh, ow) */
        pj[i] = oh * Wq + ow;
        if (++ow == OW) {
          ow = 0;
          ++oh;
        }
      }
      tinyc_conv_direct_ttile(b, pj, mr,
                              wt + (size_t)(m0 / TINYC_CONV_DIRECT_TBLOCK) * (size_t)K * TINYC_CONV_DIRECT_TBLOCK +
                                  (size_t)(m0 % TINYC_CONV_DIRECT_TBLOCK),
                              TINYC_CONV_DIRECT_TBLOCK, cg, plane, taps, tap, tile);
      for (c = 0; c < TINYC_GEMM_NR; ++c) {
        const float bc = bias ? bias[m0 + c] : 0.0f;
        float *restrict yc = y + (size_t)(m0 + c) * (size_t)ldy + p0;
        for (i = 0; i < mr; ++i) yc[i] = tile[i * TINYC_GEMM_NR + c] + bc;
      }
    }
}

/* Image n, group gi, the output channels [m0, m0 + mc) of the group (weight rows wr) of the direct
   convolution: per band of R output rows (0: the input in place) the padded input rows are copied
   into the phase planes at buf, then tinyc_conv_direct_band. */
TINYC_KERNEL void tinyc_conv_direct_part(const float *x, const float *wr, const float *bias, float *y, const int32_t *p,
                                         const tinyc_dwgeom *g, int32_t n, int32_t gi, int32_t m0, int32_t mc,
                                         float *buf, int32_t R, int32_t tw) {
  const int32_t C = p[1], M = p[2], cg = C / p[3], mg = M / p[3], taps = g->KH * g->KW;
  const float *xg = x + ((size_t)n * (size_t)C + (size_t)gi * (size_t)cg) * (size_t)g->H * (size_t)g->W;
  const float *bg = bias ? bias + (size_t)gi * (size_t)mg + (size_t)m0 : NULL;
  float *yg = y + ((size_t)n * (size_t)M + (size_t)gi * (size_t)mg + (size_t)m0) * (size_t)g->OH * (size_t)g->OW;
  int32_t tap[TINYC_CONV_DIRECT_TAPS];
  unsigned char need[TINYC_CONV_DIRECT_PHASES];
  int32_t r0, c, kh, kw;
  if (R == 0) { /* in place: stride 1, no padding, rows of W == Wq */
    for (kh = 0; kh < g->KH; ++kh)
      for (kw = 0; kw < g->KW; ++kw) tap[kh * g->KW + kw] = kh * g->dh * g->W + kw * g->dw;
    if (tw)
      tinyc_conv_direct_tband(xg, g->H * g->W, g->W, taps, tap, wr, mc, cg, bg, yg, g->OH * g->OW, g->OH, g->OW);
    else
      tinyc_conv_direct_band(xg, g->H * g->W, g->W, taps, tap, wr, mc, cg, bg, yg, g->OH * g->OW, g->OH, g->OW, 1);
    return;
  }
  for (r0 = 0; r0 < g->OH; r0 += R) {
    const int32_t rows = TINYC_GMIN(R, g->OH - r0);
    tinyc_dwgeom band = *g;
    int32_t pq;
    band.ph = g->ph - r0 * g->sh; /* the band's first padded row is r0 * sh */
    band.Hq = rows + (g->KH - 1) * g->dh / g->sh;
    pq = g->sh * g->sw * band.Hq * g->Wq; /* the floats of one channel's phase planes */
    for (c = 0; c < g->sh * g->sw && c < TINYC_CONV_DIRECT_PHASES; ++c) need[c] = 0;
    for (kh = 0; kh < g->KH; ++kh)
      for (kw = 0; kw < g->KW; ++kw) {
        const int32_t ry = kh * g->dh, rx = kw * g->dw;
        tap[kh * g->KW + kw] = ((ry % g->sh) * g->sw + rx % g->sw) * band.Hq * g->Wq + ry / g->sh * g->Wq + rx / g->sw;
        if (g->sh * g->sw <= TINYC_CONV_DIRECT_PHASES) need[(ry % g->sh) * g->sw + rx % g->sw] = 1;
      }
    for (c = 0; c < cg; ++c) /* (the phases no tap reads stay as they are: a strided 1x1 reads one) */
      tinyc_dw_phases_of(&band, xg + (size_t)c * (size_t)g->H * (size_t)g->W, buf + (size_t)c * (size_t)pq,
                         g->sh * g->sw <= TINYC_CONV_DIRECT_PHASES ? need : NULL);
    tinyc_zero_f32(buf + (size_t)cg * (size_t)pq, TINYC_CONV_DIRECT_SLACK);
    if (tw)
      tinyc_conv_direct_tband(buf, pq, g->Wq, taps, tap, wr, mc, cg, bg, yg + (size_t)r0 * (size_t)g->OW,
                              g->OH * g->OW, rows, g->OW);
    else
      tinyc_conv_direct_band(buf, pq, g->Wq, taps, tap, wr, mc, cg, bg, yg + (size_t)r0 * (size_t)g->OW,
                             g->OH * g->OW, rows, g->OW, 0);
  }
}

/* Convolution of one kernel depth (2-D or 1-D), channels-first, on the host, without im2col or
   packing (scratch.h, tinyc_conv_direct_f32_scratch, has the geometry). Per image, group and band
   of output rows, the zero-padded input rows are copied once into sh * sw phase planes of Wq
   columns (tinyc_dw_phases: phase (a, b) holds the padded rows a, a + sh, ... and columns b, b + sw,
   ...), so that tap (kh, kw) of output pixel (oh, ow) is phase (kh*dh % sh, kw*dw % sw) at row
   oh + kh*dh / sh, column ow + kw*dw / sw: each tap's row of the implicit GEMM is contiguous. A
   stride-1 input that needs no padding is read in place. */
TINYC_KERNEL void tinyc_conv_direct_f32(const float *x, const float *w, const float *bias, float *y, const int32_t *p,
                                        unsigned char *scratch, int32_t scratch_bytes) {
  const int32_t N = p[0], G = p[3], mg = p[2] / G, K = (int32_t)tinyc_conv_f32_kdim(p);
  const int32_t R = tinyc_conv_direct_rows(p, scratch_bytes);
  tinyc_win win;
  tinyc_dwgeom g;
  int32_t n, gi;
  TINYC_SCRATCH_NEED(TINYC_SCRATCH_MAX(tinyc_conv_direct_f32_scratch(p), scratch_bytes)); /* it uses what it is given */
  tinyc_win_read(&win, p + TINYC_CONV_WIN);
  tinyc_dw_geom(&g, &win);
  if (g.OH <= 0 || g.OW <= 0) return;
  for (n = 0; n < N; ++n)
    for (gi = 0; gi < G; ++gi)
      tinyc_conv_direct_part(x, w + (size_t)gi * (size_t)mg * (size_t)K, bias, y, p, &g, n, gi, 0, mg,
                             (float *)(void *)scratch, R, 0);
}

/* The same vectorized over output channels (tinyc_conv_direct_tband), for one group of M = a
   multiple of TINYC_CONV_DIRECT_TBLOCK channels with small outputs: weights transposed into blocks
   (tinyc_conv_direct_ttile). */
TINYC_KERNEL void tinyc_conv_direct_t_f32(const float *x, const float *wt, const float *bias, float *y,
                                          const int32_t *p, unsigned char *scratch, int32_t scratch_bytes) {
  const int32_t N = p[0], M = p[2];
  const int32_t R = tinyc_conv_direct_t_rows(p, scratch_bytes);
  tinyc_win win;
  tinyc_dwgeom g;
  int32_t n;
  TINYC_SCRATCH_NEED(TINYC_SCRATCH_MAX(tinyc_conv_direct_t_f32_scratch(p), scratch_bytes));
  tinyc_win_read(&win, p + TINYC_CONV_WIN);
  tinyc_dw_geom(&g, &win);
  if (g.OH <= 0 || g.OW <= 0) return;
  for (n = 0; n < N; ++n) tinyc_conv_direct_part(x, wt, bias, y, p, &g, n, 0, 0, M, (float *)(void *)scratch, R, 1);
}

/* The same with int8 weights behind a DequantizeLinear that the kernel absorbs (as
   tinyc_conv_f32_w8): a chunk of a group's output channels is dequantized into the scratch, then
   the band follows it. */
TINYC_KERNEL void tinyc_conv_direct_f32_w8(const float *x, const int8_t *wq, const float *ws, const int8_t *wz,
                                           int32_t per_channel, const float *bias, float *y, const int32_t *p,
                                           unsigned char *scratch, int32_t scratch_bytes) {
  const int32_t N = p[0], G = p[3], mg = p[2] / G, K = (int32_t)tinyc_conv_f32_kdim(p);
  const int32_t chunk = tinyc_conv_direct_f32_w8_chunk(p, scratch_bytes);
  const int64_t wbytes = 4 * (int64_t)K * chunk;
  const int32_t R = tinyc_conv_direct_rows(p, scratch_bytes - wbytes);
  float *wf = (float *)(void *)scratch; /* the weights first: the scratch's alignment */
  float *buf = (float *)(void *)(scratch + wbytes);
  tinyc_win win;
  tinyc_dwgeom g;
  int32_t n, gi, m0;
  TINYC_SCRATCH_NEED(TINYC_SCRATCH_MAX(tinyc_conv_direct_f32_w8_scratch(p), scratch_bytes));
  tinyc_win_read(&win, p + TINYC_CONV_WIN);
  tinyc_dw_geom(&g, &win);
  if (g.OH <= 0 || g.OW <= 0) return;
  for (gi = 0; gi < G; ++gi)
    for (m0 = 0; m0 < mg; m0 += chunk) {
      const int32_t mc = TINYC_GMIN(chunk, mg - m0);
      tinyc_conv_w8_rows(wq, ws, wz, per_channel, gi * mg + m0, mc, K, wf);
      for (n = 0; n < N; ++n) tinyc_conv_direct_part(x, wf, bias, y, p, &g, n, gi, m0, mc, buf, R, 0);
    }
}

#ifdef TINYC_GEMM_ZMM
#pragma GCC pop_options
#endif
