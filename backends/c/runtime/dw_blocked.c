/* tinyc runtime: the host's depthwise convolution over blocks of channels (geometry and scratch in scratch.h, tinyc_conv_dwb_*). requires: common gemm scratch conv */

#ifdef TINYC_GEMM_ZMM /* gemm.c: 512-bit vectors */
#pragma GCC push_options
#pragma GCC target("prefer-vector-width=512")
#endif

/* A depthwise convolution (channels-first, M = mult * C output channels, output channel m reads
   input channel m / mult) computed TINYC_DWB_C output channels at a time with the channel
   innermost: per block, its weights as [tap][TINYC_DWB_C], then per band of output rows the
   zero-padded input rows the band's windows reach as [row][Wp][TINYC_DWB_C], so that every tap of
   an output pixel is one vector of consecutive floats; each output row goes through [OW][C] back
   to the channel planes. The per-plane kernel (tinyc_conv_dw_f32) pays a copy and a tail per
   plane, which outweighs the few multiply-adds of small planes. Each output: the bias, then
   TINYC_FMAF over the taps in kernel order. Channels past M in the last block compute zeros and
   are not stored. */
TINYC_KERNEL void tinyc_conv_dwb_f32(const float *x, const float *w, const float *bias, float *y, const int32_t *p,
                                     unsigned char *scratch, int32_t scratch_bytes) {
  enum { B = TINYC_DWB_C };
  const int32_t N = p[0], C = p[1], M = p[2], mult = M / C;
  tinyc_win win;
  tinyc_dwgeom g;
  int32_t n, m0, nb, j, k, kh, kw, taps, Wp, band, oh0, rows, r, c, oh, ow;
  size_t plane, toff[TINYC_DW_MAXTAPS];
  float *wt, *ob, *in;
  TINYC_SCRATCH_NEED(TINYC_SCRATCH_MAX(tinyc_conv_dwb_f32_scratch(p), scratch_bytes));
  tinyc_win_read(&win, p + TINYC_CONV_WIN);
  tinyc_dw_geom(&g, &win);
  taps = g.KH * g.KW;
  Wp = (int32_t)tinyc_conv_dwb_wp(p);
  band = tinyc_conv_dwb_rows(p, scratch_bytes);
  plane = (size_t)g.H * (size_t)g.W;
  wt = (float *)(void *)(scratch + ((64 - ((size_t)scratch & 63)) & 63)); /* 64-byte aligned */
  ob = wt + (size_t)taps * B;
  in = ob + (size_t)g.OW * B;
  for (kh = 0, k = 0; kh < g.KH; ++kh)
    for (kw = 0; kw < g.KW; ++kw, ++k) toff[k] = ((size_t)(kh * g.dh) * (size_t)Wp + (size_t)(kw * g.dw)) * B;
  for (n = 0; n < N; ++n)
    for (m0 = 0; m0 < M; m0 += B) {
      float bv[B];
      nb = TINYC_GMIN(B, M - m0);
      for (k = 0; k < taps; ++k)
        for (j = 0; j < B; ++j) wt[(size_t)k * B + j] = j < nb ? w[(size_t)(m0 + j) * (size_t)taps + k] : 0.0f;
      for (j = 0; j < B; ++j) bv[j] = j < nb && bias ? bias[m0 + j] : 0.0f;
      for (oh0 = 0; oh0 < g.OH; oh0 += band) {
        const int32_t nrows = TINYC_GMIN(band, g.OH - oh0), ih0 = oh0 * g.sh - g.ph;
        rows = (nrows - 1) * g.sh + (g.KH - 1) * g.dh + 1;
        /* the band's padded input rows, channel innermost: zeros where the windows reach past the
           input (and in the lanes past M), 16 channels of a column at a time elsewhere */
        {
          const int32_t c0 = TINYC_GMIN(Wp, TINYC_GMAX(0, g.pw)), c1 = TINYC_GMAX(c0, TINYC_GMIN(Wp, g.W + g.pw));
          const float *xb = x + ((size_t)n * (size_t)C + (size_t)(m0 / mult)) * plane;
          for (r = 0; r < rows; ++r) {
            const int32_t ih = ih0 + r;
            float *d = in + (size_t)r * (size_t)Wp * B;
            if (ih < 0 || ih >= g.H) {
              tinyc_zero_f32(d, Wp * B);
              continue;
            }
            tinyc_zero_f32(d, c0 * B);
            tinyc_zero_f32(d + (size_t)c1 * B, (Wp - c1) * B);
            if (nb == B && mult == 1) {
              const float *xr = xb + (size_t)ih * (size_t)g.W - g.pw;
              for (c = c0; c < c1; ++c)
                for (j = 0; j < B; ++j) d[(size_t)c * B + j] = xr[(size_t)j * plane + c];
            } else {
              for (j = 0; j < nb; ++j) {
                const float *xr = x + ((size_t)n * (size_t)C + (size_t)((m0 + j) / mult)) * plane +
                                  (size_t)ih * (size_t)g.W - g.pw;
                for (c = c0; c < c1; ++c) d[(size_t)c * B + j] = xr[c];
              }
              for (c = c0; c < c1; ++c)
                for (j = nb; j < B; ++j) d[(size_t)c * B + j] = 0.0f;
            }
          }
        }
        for (oh = 0; oh < nrows; ++oh) {
          const float *row = in + (size_t)(oh * g.sh) * (size_t)Wp * B;
          for (ow = 0; ow < g.OW; ++ow) {
            const float *px = row + (size_t)(ow * g.sw) * B;
            float acc[B];
            for (j = 0; j < B; ++j) acc[j] = bv[j];
            for (k = 0; k < taps; ++k) {
              const float *restrict s = px + toff[k];
              const float *restrict wk = wt + (size_t)k * B;
              for (j = 0; j < B; ++j) acc[j] = TINYC_FMAF(wk[j], s[j], acc[j]);
            }
            for (j = 0; j < B; ++j) ob[(size_t)ow * B + j] = acc[j];
          }
          for (j = 0; j < nb; ++j) {
            float *yr = y + (((size_t)n * (size_t)M + (size_t)(m0 + j)) * (size_t)g.OH + (size_t)(oh0 + oh)) * (size_t)g.OW;
            for (ow = 0; ow < g.OW; ++ow) yr[ow] = ob[(size_t)ow * B + j];
          }
        }
      }
    }
}

#ifdef TINYC_GEMM_ZMM
#pragma GCC pop_options
#endif
