/* tinyc runtime: channels-last (NHWC) float convolution and pooling, for targets whose kernels
   want channels-last data (the layout pass). Scratch is one block of input patches, a few KB at
   most, instead of the channels-first im2col panels. requires: common scratch vldm */

/* A fused Relu or Clip applied by the kernel that computes the value: v clamped to [lo, hi]
   (Relu: lo = 0, hi = INFINITY); the same results as the separate passes of fused_act.c (-0
   becomes +0 at lo = 0, a NaN stays NaN). A kernel without one gets (-INFINITY, INFINITY). (Here, not
   in common.c: a static function with float compares is still compiled at -O0, and the integer
   models on cores without an FPU must call no soft-float routine: c.int8_no_soft_float.) */
TINYC_KERNEL float tinyc_clamp_f32(float v, float lo, float hi) {
  v = v <= lo ? lo : v;
  return v >= hi ? hi : v;
}
#define TINYC_CLAMPS(lo, hi) ((lo) > -INFINITY || (hi) < INFINITY)

/* Geometry p: N, H, W, C, OH, OW, M, group, KH, KW, SH, SW, DH, DW, PT, PL. */
typedef struct {
  int32_t n, h, w, c, oh, ow, m, g, kh, kw, sh, sw, dh, dw, pt, pl;
} tinyc_nhwc;

TINYC_KERNEL void tinyc_nhwc_read(tinyc_nhwc *q, const int32_t *p) {
  q->n = p[0];  q->h = p[1];  q->w = p[2];   q->c = p[3];   q->oh = p[4];  q->ow = p[5];  q->m = p[6];  q->g = p[7];
  q->kh = p[8]; q->kw = p[9]; q->sh = p[10]; q->sw = p[11]; q->dh = p[12]; q->dw = p[13]; q->pt = p[14]; q->pl = p[15];
}

/* Output pixels per block (TINYC_NHWC_PIX, scratch.h): each weight row is read once per block
   (register reuse). */

/* Patch of output pixel (oy, ox) for group gi: KH*KW*Cg values, taps outside the input are 0.
   xn: one image, channels-last, or channels-first when chw (a graph input read in place). */
TINYC_KERNEL void tinyc_nhwc_patch(const tinyc_nhwc *q, const float *xn, int32_t oy, int32_t ox, int32_t gi,
                                   float *restrict patch, int32_t chw) {
  const int32_t cg = q->c / q->g;
  int32_t ky, kx, i;
  if (chw) { /* element (iy, ix, c) at c * H * W + iy * W + ix */
    const size_t plane = (size_t)q->h * (size_t)q->w;
    const float *xg = xn + (size_t)gi * (size_t)cg * plane;
    for (ky = 0; ky < q->kh; ++ky) {
      const int32_t iy = oy * q->sh - q->pt + ky * q->dh;
      for (kx = 0; kx < q->kw; ++kx) {
        const int32_t ix = ox * q->sw - q->pl + kx * q->dw;
        float *restrict d = patch + ((size_t)ky * (size_t)q->kw + (size_t)kx) * (size_t)cg;
        if (iy < 0 || iy >= q->h || ix < 0 || ix >= q->w) {
          for (i = 0; i < cg; ++i) d[i] = 0.0f;
        } else {
          const float *s = xg + (size_t)iy * (size_t)q->w + (size_t)ix;
          for (i = 0; i < cg; ++i) d[i] = s[(size_t)i * plane];
        }
      }
    }
    return;
  }
  if (cg == 1) { /* one value per tap (a first layer on a one-channel image): no copy loops, which
                    gcc would turn into memcpy/memset calls of 4 bytes */
    for (ky = 0; ky < q->kh; ++ky) {
      const int32_t iy = oy * q->sh - q->pt + ky * q->dh;
      const int rowIn = iy >= 0 && iy < q->h;
      const float *s = xn + (size_t)(rowIn ? iy : 0) * (size_t)q->w * (size_t)q->c + (size_t)gi;
      for (kx = 0; kx < q->kw; ++kx) {
        const int32_t ix = ox * q->sw - q->pl + kx * q->dw;
        *patch++ = rowIn && ix >= 0 && ix < q->w ? s[(size_t)ix * (size_t)q->c] : 0.0f;
      }
    }
    return;
  }
  for (ky = 0; ky < q->kh; ++ky) {
    const int32_t iy = oy * q->sh - q->pt + ky * q->dh;
    for (kx = 0; kx < q->kw; ++kx) {
      const int32_t ix = ox * q->sw - q->pl + kx * q->dw;
      float *restrict d = patch + ((size_t)ky * (size_t)q->kw + (size_t)kx) * (size_t)cg;
      const int in = iy >= 0 && iy < q->h && ix >= 0 && ix < q->w;
      const float *s = xn + ((size_t)(in ? iy : 0) * (size_t)q->w + (size_t)(in ? ix : 0)) * (size_t)q->c +
                       (size_t)gi * (size_t)cg;
      if (cg <= 4) { /* e.g. RGB: element by element (a copy loop becomes a memcpy call with gcc) */
        d[0] = in ? s[0] : 0.0f;
        if (cg > 1) d[1] = in ? s[1] : 0.0f;
        if (cg > 2) d[2] = in ? s[2] : 0.0f;
        if (cg > 3) d[3] = in ? s[3] : 0.0f;
      } else if (!in) {
        for (i = 0; i < cg; ++i) d[i] = 0.0f;
      } else {
        for (i = 0; i < cg; ++i) d[i] = s[i];
      }
    }
  }
}

/* y[n, oy, ox, m] = bias[m] + sum over (ky, kx, c) of w[m, ky, kx, c] * x[n, iy, ix, g*Cg + c]
   (weights OHWI; x channels-first instead when p[TINYC_NHWC_NCHW_IN]: a graph input read where
   it is, no channels-last copy). scratch: TINYC_NHWC_PIX * KH*KW*Cg floats (none for 1x1
   stride-1 unpadded ungrouped convolutions of channels-last x, whose patch is the input pixel). */
/* Output channels [m0, m1) of tinyc_conv_nhwc_f32; the weights of channel m at w + (m - m0) * K. */
TINYC_KERNEL void tinyc_conv_nhwc_f32_part(const float *x, const float *w, int32_t m0, int32_t m1, const float *bias,
                                           float *y, const int32_t *p, float *scratch, float lo, float hi) {
  const int act = TINYC_CLAMPS(lo, hi);
#if TINYC_ARM_VLDM
  const float lh[2] = {lo, hi};
  tinyc_tile_out out;
#endif
  tinyc_nhwc q;
  int32_t n, gi, m, t, k, pix, np;
  tinyc_nhwc_read(&q, p);
#if TINYC_ARM_VLDM
  for (k = 0; k < 16; ++k) out.zero[k] = 0.0f;
  out.ystride = q.m * (int32_t)sizeof(float);
  out.lh = act ? lh : NULL;
#endif
  {
    const int32_t cg = q.c / q.g, mg = q.m / q.g, K = q.kh * q.kw * cg, P = q.oh * q.ow;
    const int32_t chw = p[TINYC_NHWC_NCHW_IN];
    const int direct = !chw && q.kh == 1 && q.kw == 1 && q.sh == 1 && q.sw == 1 && q.pt == 0 && q.pl == 0 &&
                       q.g == 1 && q.oh == q.h && q.ow == q.w;
    for (n = 0; n < q.n; ++n) {
      const float *xn = x + (size_t)n * (size_t)q.h * (size_t)q.w * (size_t)q.c;
      float *yn = y + (size_t)n * (size_t)P * (size_t)q.m;
      for (pix = 0; pix < P; pix += np) {
        const float *rows[TINYC_NHWC_PIX];
        np = P - pix < TINYC_NHWC_PIX ? P - pix : TINYC_NHWC_PIX;
        for (gi = 0; gi < q.g; ++gi) {
          const int32_t mlo = gi * mg > m0 ? gi * mg : m0, mhi = (gi + 1) * mg < m1 ? (gi + 1) * mg : m1;
          if (mlo >= mhi) continue;
          for (t = 0; t < np; ++t) {
            if (direct) {
              rows[t] = xn + (size_t)(pix + t) * (size_t)q.c;
            } else {
              float *patch = scratch + (size_t)t * (size_t)K;
              tinyc_nhwc_patch(&q, xn, (pix + t) / q.ow, (pix + t) % q.ow, gi, patch, chw);
              rows[t] = patch;
            }
          }
          /* A register tile of 4 pixels x 4 output channels: 16 multiply-adds per 8 loads. Each
             output is summed over k in order, then the bias is added (same result for any tile). */
          for (m = mlo; m < mhi; m += 4) {
            const int32_t mb = mhi - m < 4 ? mhi - m : 4;
            const float *w0 = w + (size_t)(m - m0) * (size_t)K;
            float acc[4][4];
            int32_t j;
            if (np == 4 && mb == 4) {
              const float *w1 = w0 + K, *w2 = w1 + K, *w3 = w2 + K;
              const float *r0 = rows[0], *r1 = rows[1], *r2 = rows[2], *r3 = rows[3];
              float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
              float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
              k = 0;
#if TINYC_ARM_VLDM
              if (K >= 2 && K % 2 == 0) { /* the whole tile, epilogue included, in runtime/arm_fpu/vldm.c */
                const float *rr[4], *ww[4];
                rr[0] = r0, rr[1] = r1, rr[2] = r2, rr[3] = r3;
                ww[0] = w0, ww[1] = w1, ww[2] = w2, ww[3] = w3;
                out.bias = bias ? bias + m : out.zero;
                out.y = yn + (size_t)pix * (size_t)q.m + (size_t)m;
                tinyc_tile4x4_out_vldm(rr, ww, K / 2, &out);
                continue;
              }
              if (K >= 2) { /* runtime/arm_fpu/vldm.c: 2 k per step, 8 VLDM + 32 VFMA */
                const float *rr[4], *ww[4];
                float tile[16] = {0.0f}; /* c00 .. c33 row by row */
                rr[0] = r0, rr[1] = r1, rr[2] = r2, rr[3] = r3;
                ww[0] = w0, ww[1] = w1, ww[2] = w2, ww[3] = w3;
                tinyc_tile4x4_vldm(rr, ww, K / 2, tile);
                c00 = tile[0], c01 = tile[1], c02 = tile[2], c03 = tile[3];
                c10 = tile[4], c11 = tile[5], c12 = tile[6], c13 = tile[7];
                c20 = tile[8], c21 = tile[9], c22 = tile[10], c23 = tile[11];
                c30 = tile[12], c31 = tile[13], c32 = tile[14], c33 = tile[15];
                k = K / 2 * 2;
              }
#endif
              for (; k < K; ++k) {
                const float a0 = r0[k], a1 = r1[k], a2 = r2[k], a3 = r3[k];
                const float b0 = w0[k], b1 = w1[k], b2 = w2[k], b3 = w3[k];
                c00 = TINYC_FMAF(a0, b0, c00); c01 = TINYC_FMAF(a0, b1, c01); c02 = TINYC_FMAF(a0, b2, c02); c03 = TINYC_FMAF(a0, b3, c03);
                c10 = TINYC_FMAF(a1, b0, c10); c11 = TINYC_FMAF(a1, b1, c11); c12 = TINYC_FMAF(a1, b2, c12); c13 = TINYC_FMAF(a1, b3, c13);
                c20 = TINYC_FMAF(a2, b0, c20); c21 = TINYC_FMAF(a2, b1, c21); c22 = TINYC_FMAF(a2, b2, c22); c23 = TINYC_FMAF(a2, b3, c23);
                c30 = TINYC_FMAF(a3, b0, c30); c31 = TINYC_FMAF(a3, b1, c31); c32 = TINYC_FMAF(a3, b2, c32); c33 = TINYC_FMAF(a3, b3, c33);
              }
              { /* straight from the registers (through acc[][] the tile went to the stack first) */
                const float e0 = bias ? bias[m] : 0.0f, e1 = bias ? bias[m + 1] : 0.0f;
                const float e2 = bias ? bias[m + 2] : 0.0f, e3 = bias ? bias[m + 3] : 0.0f;
                float *y0 = yn + (size_t)pix * (size_t)q.m + (size_t)m, *y1 = y0 + q.m, *y2 = y1 + q.m, *y3 = y2 + q.m;
#define TINYC_TILE_STORE(F)                                                            \
  do {                                                                                 \
    y0[0] = F(c00 + e0); y0[1] = F(c01 + e1); y0[2] = F(c02 + e2); y0[3] = F(c03 + e3); \
    y1[0] = F(c10 + e0); y1[1] = F(c11 + e1); y1[2] = F(c12 + e2); y1[3] = F(c13 + e3); \
    y2[0] = F(c20 + e0); y2[1] = F(c21 + e1); y2[2] = F(c22 + e2); y2[3] = F(c23 + e3); \
    y3[0] = F(c30 + e0); y3[1] = F(c31 + e1); y3[2] = F(c32 + e2); y3[3] = F(c33 + e3); \
  } while (0)
#define TINYC_TILE_AS_IS(v) (v)
#define TINYC_TILE_CLAMP(v) tinyc_clamp_f32((v), lo, hi)
                if (act)
                  TINYC_TILE_STORE(TINYC_TILE_CLAMP);
                else
                  TINYC_TILE_STORE(TINYC_TILE_AS_IS);
#undef TINYC_TILE_CLAMP
#undef TINYC_TILE_AS_IS
#undef TINYC_TILE_STORE
              }
              continue;
            } else {
              for (t = 0; t < np; ++t)
                for (j = 0; j < mb; ++j) {
                  acc[t][j] = 0.0f;
                  for (k = 0; k < K; ++k) acc[t][j] = TINYC_FMAF(rows[t][k], w0[(size_t)j * (size_t)K + (size_t)k], acc[t][j]);
                }
            }
            for (t = 0; t < np; ++t)
              for (j = 0; j < mb; ++j) {
                const float v = acc[t][j] + (bias ? bias[m + j] : 0.0f);
                yn[(size_t)(pix + t) * (size_t)q.m + (size_t)(m + j)] = act ? tinyc_clamp_f32(v, lo, hi) : v;
              }
          }
        }
      }
    }
  }
}

TINYC_KERNEL void tinyc_conv_nhwc_f32(const float *x, const float *w, const float *bias, float *y, const int32_t *p,
                                      float *scratch, float lo, float hi) {
  TINYC_SCRATCH_NEED(tinyc_conv_nhwc_f32_scratch(p));
  tinyc_conv_nhwc_f32_part(x, w, 0, p[TINYC_NHWC_M], bias, y, p, scratch, lo, hi);
}

/* The same with int8 weights wq (OHWI) behind a DequantizeLinear that the kernel absorbs: output
   channel m's weights are (float)(wq - wz[m]) * ws[m] (wz may be null; index 0 for every m unless
   per_channel: the DequantizeLinear's own scale and zero point constants), exactly as
   DequantizeLinear computes them, converted a chunk of channels at a time into the scratch after
   the patches, so no dequantized weight tensor takes arena memory. The chunk is what the given
   scratch holds (at least TINYC_NHWC_WCHUNK channels; all of them where the arena had room: then
   the patches are gathered once). */
TINYC_KERNEL void tinyc_conv_nhwc_f32_w8(const float *x, const int8_t *wq, const float *ws, const int8_t *wz,
                                         int32_t per_channel, const float *bias, float *y, const int32_t *p,
                                         float *scratch, int32_t scratch_bytes, float lo, float hi) {
  const int32_t M = p[TINYC_NHWC_M];
  const int32_t K = p[TINYC_NHWC_KH] * p[TINYC_NHWC_KW] * (p[TINYC_NHWC_C] / p[TINYC_NHWC_G]);
  const int64_t patches = tinyc_conv_nhwc_f32_scratch(p);
  float *wf = scratch + patches / 4;
  int32_t chunk = tinyc_conv_nhwc_f32_w8_chunk(p, scratch_bytes), m0, m, k;
  TINYC_SCRATCH_NEED(TINYC_SCRATCH_MAX(tinyc_conv_nhwc_f32_w8_scratch(p), scratch_bytes));
  for (m0 = 0; m0 < M; m0 += chunk) {
    const int32_t m1 = M - m0 < chunk ? M : m0 + chunk;
    for (m = m0; m < m1; ++m) {
      const int8_t *src = wq + (size_t)m * (size_t)K;
      float *dst = wf + (size_t)(m - m0) * (size_t)K;
      const float sc = ws[per_channel ? m : 0];
      const int32_t z = wz ? (int32_t)wz[per_channel ? m : 0] : 0;
      for (k = 0; k < K; ++k) dst[k] = (float)((int32_t)src[k] - z) * sc;
    }
    tinyc_conv_nhwc_f32_part(x, wf, m0, m1, bias, y, p, scratch, lo, hi);
  }
}

/* MaxPool / AveragePool over NHWC (2-D). p: N, H, W, C, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL,
   PB, PR. AveragePool divides by the taps inside the input, or with include_pad by the taps
   inside the padded input (as the reference interpreter). Channels innermost. */
#if defined(TINYC_POOL_NHWC_INLINE) && (defined(__GNUC__) || defined(__clang__))
#define TINYC_POOL_NHWC_ATTR inline __attribute__((always_inline)) /* --kernels small, few calls: CKernel::inlineMacro */
#else
#define TINYC_POOL_NHWC_ATTR
#endif
TINYC_KERNEL TINYC_POOL_NHWC_ATTR void tinyc_pool_nhwc_f32(const float *x, float *y, const int32_t *p, int32_t is_max,
                                            int32_t include_pad) {
  const int32_t N = p[0], H = p[1], W = p[2], C = p[3], OH = p[4], OW = p[5], KH = p[6], KW = p[7], SH = p[8],
                SW = p[9], DH = p[10], DW = p[11], PT = p[12], PL = p[13], PB = p[14], PR = p[15];
  int32_t n, oy, ox, ky, kx, c;
  for (n = 0; n < N; ++n)
    for (oy = 0; oy < OH; ++oy)
      for (ox = 0; ox < OW; ++ox) {
        float *restrict yr = y + (((size_t)n * (size_t)OH + (size_t)oy) * (size_t)OW + (size_t)ox) * (size_t)C;
        int32_t count = 0;
        for (c = 0; c < C; ++c) yr[c] = is_max ? -3.40282347e+38f : 0.0f;
        for (ky = 0; ky < KH; ++ky) {
          const int32_t iy = oy * SH - PT + ky * DH;
          for (kx = 0; kx < KW; ++kx) {
            const int32_t ix = ox * SW - PL + kx * DW;
            if (iy < 0 || iy >= H || ix < 0 || ix >= W) {
              if (include_pad && iy >= -PT && iy < H + PB && ix >= -PL && ix < W + PR) ++count;
              continue;
            }
            {
              const float *restrict xr = x + (((size_t)n * (size_t)H + (size_t)iy) * (size_t)W + (size_t)ix) * (size_t)C;
              ++count;
              if (is_max)
                for (c = 0; c < C; ++c) yr[c] = xr[c] > yr[c] ? xr[c] : yr[c];
              else
                for (c = 0; c < C; ++c) yr[c] += xr[c];
            }
          }
        }
        if (!is_max && count > 0)
          for (c = 0; c < C; ++c) yr[c] /= (float)count;
      }
}

/* GlobalAveragePool / GlobalMaxPool over NHWC: y[n, 0, 0, c] over the HW pixels. */
TINYC_KERNEL void tinyc_global_pool_nhwc_f32(const float *x, float *y, int32_t N, int32_t HW, int32_t C, int32_t is_max) {
  int32_t n, i, c;
  for (n = 0; n < N; ++n) {
    float *restrict yr = y + (size_t)n * (size_t)C;
    const float *xn = x + (size_t)n * (size_t)HW * (size_t)C;
    for (c = 0; c < C; ++c) yr[c] = is_max ? -3.40282347e+38f : 0.0f;
    for (i = 0; i < HW; ++i) {
      const float *restrict xr = xn + (size_t)i * (size_t)C;
      if (is_max)
        for (c = 0; c < C; ++c) yr[c] = xr[c] > yr[c] ? xr[c] : yr[c];
      else
        for (c = 0; c < C; ++c) yr[c] += xr[c];
    }
    if (!is_max)
      for (c = 0; c < C; ++c) yr[c] /= (float)HW;
  }
}
