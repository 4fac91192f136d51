/* tinyc runtime: the channels-last float convolution of one group over runs of input values
   (a kernel window wider than 1x1, or few input channels), without the patch gather of nhwc.c's
   tile. requires: common scratch vldm nhwc */

/* Convolutions of one group whose window is wider than 1x1 on channels-last input (a patch gather
   copies every value KH*KW times), or with at most TINYC_NHWC_ROWS_FEW_C input channels (first
   layers on images and spectrograms, also a channels-first graph input). Per output pixel the valid taps form runs (rows) of input values xs = DW floats apart whose weight
   rows are ws floats apart, multiplied into 8 output channels at a time: channels-last input (or
   one channel), a run per kernel row over (kx, c), ws = M; a channels-first graph input read in
   place, a run per channel and kernel row over kx, ws = C*M. Weights wt tap-major,
   wt[((ky * KW + kx) * C + c) * M + m]. Each output is summed over its runs in order (channels
   last: the (ky, kx, c) order of tinyc_conv_nhwc_f32; channels first: (c, ky, kx)), leaving out
   the taps outside the input (which add 0 there), then the bias is added. Runs of one pixel are at
   most TINYC_NHWC_ROWS_MAX (KH, channels-first C * KH), and DW = 1 unless C = 1 or the input is
   channels-first (matchConvNhwcRows). p: as tinyc_conv_nhwc_f32's. */
TINYC_KERNEL void tinyc_conv_nhwc_rows_f32(const float *x, const float *wt, const float *bias, float *y,
                                            const int32_t *p, float lo, float hi) {
  const int act = TINYC_CLAMPS(lo, hi);
  tinyc_nhwc q;
  int32_t n, oy, ox, ky, c, m, j, r, i;
  /* (initialized: gcc -O2 cannot see that rows r < nr were filled: -Werror=maybe-uninitialized on
     the host, difftest graph seed 1145862095576089) */
  const float *xr[TINYC_NHWC_ROWS_MAX] = {0}, *wr[TINYC_NHWC_ROWS_MAX] = {0};
  tinyc_nhwc_read(&q, p);
  {
    const int32_t M = q.m, planes = p[TINYC_NHWC_NCHW_IN] && q.c > 1, xs = q.dw;
    const size_t plane = (size_t)q.h * (size_t)q.w;
    /* input element (iy, ix, c) at iy * rs + ix * ps (+ c * plane channels-first, + c channels-last) */
    const size_t rs = p[TINYC_NHWC_NCHW_IN] ? (size_t)q.w : (size_t)q.w * (size_t)q.c;
    const size_t ps = p[TINYC_NHWC_NCHW_IN] ? 1 : (size_t)q.c;
    const int32_t ws = planes ? q.c * M : M;
    for (n = 0; n < q.n; ++n) {
      const float *xn = x + (size_t)n * plane * (size_t)q.c;
      float *yp = y + (size_t)n * (size_t)q.oh * (size_t)q.ow * (size_t)M;
      for (oy = 0; oy < q.oh; ++oy) {
        const int32_t iy0 = oy * q.sh - q.pt;
        int32_t ky0 = 0, ky1 = q.kh;
        while (ky0 < ky1 && iy0 + ky0 * q.dh < 0) ++ky0;
        while (ky1 > ky0 && iy0 + (ky1 - 1) * q.dh >= q.h) --ky1;
        for (ox = 0; ox < q.ow; ++ox, yp += M) {
          const int32_t ix0 = ox * q.sw - q.pl;
          int32_t kx0 = 0, kx1 = q.kw, nr = 0, len;
          while (kx0 < kx1 && ix0 + kx0 * q.dw < 0) ++kx0;
          while (kx1 > kx0 && ix0 + (kx1 - 1) * q.dw >= q.w) --kx1;
          len = planes ? kx1 - kx0 : (kx1 - kx0) * q.c;
          if (len > 0)
            for (c = 0; c < (planes ? q.c : 1); ++c)
              for (ky = ky0; ky < ky1; ++ky, ++nr) {
                xr[nr] = xn + (size_t)c * plane + (size_t)(iy0 + ky * q.dh) * rs + (size_t)(ix0 + kx0 * q.dw) * ps;
                wr[nr] = wt + (((size_t)ky * (size_t)q.kw + (size_t)kx0) * (size_t)q.c + (size_t)c) * (size_t)M;
              }
#if TINYC_ARM_VLDM
          /* two pixels at once when the next one has the same valid taps (kx range) */
          if (xs == 1 && nr > 0 && ox + 1 < q.ow && ix0 + q.sw + kx0 >= 0 &&
              (kx0 == 0 || ix0 + q.sw + kx0 - 1 < 0) && ix0 + q.sw + kx1 - 1 < q.w &&
              (kx1 == q.kw || ix0 + q.sw + kx1 >= q.w)) {
            float *y2 = yp + M;
            for (m = 0; m < M; m += 8) {
              const int32_t mb = M - m < 8 ? M - m : 8, wide = mb > 4 ? 8 : 4;
              float acc[16];
              if (wide == 8)
                tinyc_taps8x2_vldm(xr, wr, m, nr, len, ws, q.sw * (int32_t)ps, acc);
              else
                tinyc_taps4x2_vldm(xr, wr, m, nr, len, ws, q.sw * (int32_t)ps, acc);
              for (j = 0; j < mb; ++j) {
                const float b = bias ? bias[m + j] : 0.0f, v = acc[j] + b, v2 = acc[wide + j] + b;
                yp[m + j] = act ? tinyc_clamp_f32(v, lo, hi) : v;
                y2[m + j] = act ? tinyc_clamp_f32(v2, lo, hi) : v2;
              }
            }
            ++ox, yp += M;
            continue;
          }
#endif
          for (m = 0; m < M; m += 8) {
            const int32_t mb = M - m < 8 ? M - m : 8;
            float acc[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
#if TINYC_ARM_VLDM
            if (nr > 0 && xs == 1) { /* runtime/arm_fpu/vldm.c: two taps per step, 4 VLDM + 16 (8) VFMA */
              if (mb > 4)
                tinyc_taps8_vldm(xr, wr, m, nr, len, ws, acc);
              else
                tinyc_taps4_vldm(xr, wr, m, nr, len, ws, acc);
            } else
#endif
            if (nr > 0 && mb == 8) {
              float a0 = 0.0f, a1 = 0.0f, a2 = 0.0f, a3 = 0.0f, a4 = 0.0f, a5 = 0.0f, a6 = 0.0f, a7 = 0.0f;
              for (r = 0; r < nr; ++r) {
                const float *xp = xr[r], *wp = wr[r] + m;
                for (i = 0; i < len; ++i, xp += xs, wp += ws) {
                  const float v = *xp;
                  a0 = TINYC_FMAF(v, wp[0], a0); a1 = TINYC_FMAF(v, wp[1], a1);
                  a2 = TINYC_FMAF(v, wp[2], a2); a3 = TINYC_FMAF(v, wp[3], a3);
                  a4 = TINYC_FMAF(v, wp[4], a4); a5 = TINYC_FMAF(v, wp[5], a5);
                  a6 = TINYC_FMAF(v, wp[6], a6); a7 = TINYC_FMAF(v, wp[7], a7);
                }
              }
              acc[0] = a0, acc[1] = a1, acc[2] = a2, acc[3] = a3, acc[4] = a4, acc[5] = a5, acc[6] = a6, acc[7] = a7;
            } else {
              for (r = 0; r < nr; ++r) {
                const float *xp = xr[r], *wp = wr[r] + m;
                for (i = 0; i < len; ++i, xp += xs, wp += ws)
                  for (j = 0; j < mb; ++j) acc[j] = TINYC_FMAF(*xp, wp[j], acc[j]);
              }
            }
            for (j = 0; j < mb; ++j) {
              const float v = acc[j] + (bias ? bias[m + j] : 0.0f);
              yp[m + j] = act ? tinyc_clamp_f32(v, lo, hi) : v;
            }
          }
        }
      }
    }
  }
}
