/* tinyc runtime: the compact float convolution of `--kernels small` (target descriptor smallCode):
   any channels-last Conv (groups, depthwise, strides, dilations, padding; float weights, or int8
   weights behind a DequantizeLinear it absorbs) in the least code that is still a direct loop, for
   parts whose flash is tighter than their time. requires: common scratch */
/* x: N x H x W x C (N x C x H x W when p[TINYC_NHWC_NCHW_IN]: a graph input read in place);
   w: M x KH x KW x C/group floats, or NULL and wq the same int8 values, which the kernel turns
   into one output channel's floats at a time in scratch as DequantizeLinear computes them,
   (float)(wq - wz) * ws (index m per channel, else 0; wz may be NULL); y: N x OH x OW x M, each
   output bias + the sum over the taps inside the input, clamped to [lo, hi] (a NaN stays).
   p: TINYC_NHWC_CONV_PARAMS (scratch.h). Output channel by output channel, each output the
   chain of multiply-adds over the taps inside the input, row by row of the window; a row whose
   values are equally spaced (one channel per group, or channels-last with dilation 1 and one
   group: a run) is one loop. */
#if defined(TINYC_CONV_SMALL_INLINE) && (defined(__GNUC__) || defined(__clang__))
#define TINYC_CONV_SMALL_ATTR inline __attribute__((always_inline)) /* --kernels small, few calls: CKernel::inlineMacro */
#else
#define TINYC_CONV_SMALL_ATTR
#endif
TINYC_KERNEL TINYC_CONV_SMALL_ATTR void tinyc_conv_small_f32(const float *x, const float *w, const int8_t *wq, const float *ws,
                                              const int8_t *wz, int32_t per_channel, const float *bias, float *y,
                                              const int32_t *p, float *scratch, float lo, float hi) {
  const int32_t N = p[TINYC_NHWC_N], H = p[TINYC_NHWC_H], W = p[TINYC_NHWC_W], C = p[TINYC_NHWC_C];
  const int32_t OH = p[TINYC_NHWC_OH], OW = p[TINYC_NHWC_OW], M = p[TINYC_NHWC_M], G = p[TINYC_NHWC_G];
  const int32_t KH = p[TINYC_NHWC_KH], KW = p[TINYC_NHWC_KW], DH = p[TINYC_NHWC_DH], DW = p[TINYC_NHWC_DW];
  const int32_t cg = C / G, K = KH * KW * cg;
  const int32_t sc = p[TINYC_NHWC_NCHW_IN] ? H * W : 1, sx = p[TINYC_NHWC_NCHW_IN] ? 1 : C; /* strides */
  const int32_t xs = DW * sx, one = sc == 1 && (cg == 1 || xs == cg); /* a row: one loop, x stride */
  const int32_t rs = cg == 1 ? xs : 1;
  int32_t m, n, oy, ox, ky, kx, c;
  TINYC_SCRATCH_NEED(tinyc_conv_small_f32_scratch(p, wq != NULL));
  for (m = 0; m < M; ++m) {
    const float *wm = w ? w + (size_t)m * (size_t)K : scratch, b = bias ? bias[m] : 0.0f;
    float *yp = y + m;
    if (wq) { /* int8 weights (w is NULL) */
      const float s = ws[per_channel ? m : 0];
      const int32_t z = wz ? (int32_t)wz[per_channel ? m : 0] : 0;
      for (c = 0; c < K; ++c) scratch[c] = (float)((int32_t)wq[(size_t)m * (size_t)K + (size_t)c] - z) * s;
    }
    for (n = 0; n < N; ++n) {
      const float *xn = x + (size_t)n * (size_t)H * (size_t)W * (size_t)C + (size_t)(m / (M / G)) * (size_t)cg * (size_t)sc;
      for (oy = 0; oy < OH; ++oy)
        for (ox = 0; ox < OW; ++ox) {
          const int32_t iy0 = oy * p[TINYC_NHWC_SH] - p[TINYC_NHWC_PT], ix0 = ox * p[TINYC_NHWC_SW] - p[TINYC_NHWC_PL];
          int32_t ky0 = 0, ky1 = KH, kx0 = 0, kx1 = KW, taps;
          float s = 0.0f;
          while (ky0 < KH && iy0 + ky0 * DH < 0) ++ky0; /* the window's rows and columns inside the input */
          while (ky1 > ky0 && iy0 + (ky1 - 1) * DH >= H) --ky1;
          while (kx0 < KW && ix0 + kx0 * DW < 0) ++kx0;
          while (kx1 > kx0 && ix0 + (kx1 - 1) * DW >= W) --kx1;
          taps = kx1 - kx0;
          for (ky = ky0; ky < ky1 && taps > 0; ++ky) {
            const float *xr = xn + ((size_t)(iy0 + ky * DH) * (size_t)W + (size_t)(ix0 + kx0 * DW)) * (size_t)sx;
            const float *wr = wm + ((size_t)ky * (size_t)KW + (size_t)kx0) * (size_t)cg;
            if (one) {
              for (c = 0; c < taps * cg; ++c) s = TINYC_FMAF(xr[(size_t)c * (size_t)rs], wr[c], s);
            } else {
              for (kx = 0; kx < taps; ++kx)
                for (c = 0; c < cg; ++c)
                  s = TINYC_FMAF(xr[(size_t)kx * (size_t)xs + (size_t)c * (size_t)sc], wr[kx * cg + c], s);
            }
          }
          s += b;
          s = s < lo ? lo : s;
          *yp = s > hi ? hi : s;
          yp += M;
        }
    }
  }
}
