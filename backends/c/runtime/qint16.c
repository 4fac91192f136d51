/* tinyc runtime: kernels of int16 activations with int8 weights (--quantize int16x8). requires: common qmath qint */
/* Symmetric int16 activations (zero point 0), int8 weights per output channel, int64 bias; the
   products summed in int64 (in int32 runs of at most 256 products, each below 2^22) and
   requantized by tinyc_requant64, as the reference kernels (lib/ops) do. */

/* sum_i x[i * xs] * w[i] for n terms, exact in int64. */
TINYC_KERNEL int64_t tinyc_qdot_i16(const int16_t *x, int32_t xs, const int8_t *w, int32_t n) {
  int64_t acc = 0;
  while (n > 0) {
    const int32_t run = n < 256 ? n : 256;
    int32_t i, s = 0;
    for (i = 0; i < run; ++i) s += (int32_t)x[(size_t)i * (size_t)xs] * w[i];
    acc += s;
    x += (size_t)run * (size_t)xs;
    w += run;
    n -= run;
  }
  return acc;
}

/* Convolution (any group), geometry p as tinyc_qconv_i8 ({C, H, W, M, OH, OW, KH, KW, SH, SW, DH,
   DW, PT, PL, G}); weights in the node's order: [M][C/G][KH][KW] channels-first, [M][KH][KW][C/G]
   channels-last; taps outside the input add nothing (the zero point is 0). */
TINYC_KERNEL void tinyc_qconv_i16(const int16_t *x, const int8_t *w, const int64_t *bias, int16_t *y, const int32_t *p,
                                  const int32_t *mult, const int32_t *rsh, int32_t pc, int32_t lo, int32_t hi, int nhwc) {
  const int32_t C = p[0], H = p[1], W = p[2], M = p[3], OH = p[4], OW = p[5], KH = p[6], KW = p[7];
  const int32_t G = p[14], cg = C / G, mg = M / G;
  const size_t K = (size_t)cg * (size_t)KH * (size_t)KW;
  int32_t m, oh, ow, kh, kw, c;
  for (oh = 0; oh < OH; ++oh)
    for (ow = 0; ow < OW; ++ow) {
      const int32_t ih0 = oh * p[8] - p[12], iw0 = ow * p[9] - p[13];
      for (m = 0; m < M; ++m) {
        const int32_t g = m / mg;
        const int8_t *wm = w + (size_t)m * K;
        int64_t acc = bias[m];
        for (kh = 0; kh < KH; ++kh) {
          const int32_t ih = ih0 + kh * p[10];
          if (ih < 0 || ih >= H) continue;
          for (kw = 0; kw < KW; ++kw) {
            const int32_t iw = iw0 + kw * p[11];
            if (iw < 0 || iw >= W) continue;
            if (nhwc) {
              acc += tinyc_qdot_i16(x + ((size_t)ih * (size_t)W + (size_t)iw) * (size_t)C + (size_t)g * (size_t)cg, 1,
                                    wm + ((size_t)kh * (size_t)KW + (size_t)kw) * (size_t)cg, cg);
            } else {
              for (c = 0; c < cg; ++c)
                acc += (int32_t)x[((size_t)(g * cg + c) * (size_t)H + (size_t)ih) * (size_t)W + (size_t)iw] *
                       wm[((size_t)c * (size_t)KH + (size_t)kh) * (size_t)KW + (size_t)kw];
            }
          }
        }
        y[nhwc ? ((size_t)oh * (size_t)OW + (size_t)ow) * (size_t)M + (size_t)m
               : ((size_t)m * (size_t)OH + (size_t)oh) * (size_t)OW + (size_t)ow] =
            (int16_t)tinyc_requant64(acc, mult[m * pc], rsh[m * pc], 0, lo, hi);
      }
    }
}

/* Gemm: y[M, N] = requant(bias + a[M, K] . w[N, K]^T). */
TINYC_KERNEL void tinyc_qgemm_i16(const int16_t *a, const int8_t *w, const int64_t *bias, int16_t *y, int32_t M,
                                  int32_t K, int32_t N, const int32_t *mult, const int32_t *rsh, int32_t pc, int32_t lo,
                                  int32_t hi) {
  int32_t i, n;
  for (i = 0; i < M; ++i)
    for (n = 0; n < N; ++n)
      y[(size_t)i * (size_t)N + (size_t)n] = (int16_t)tinyc_requant64(
          bias[n] + tinyc_qdot_i16(a + (size_t)i * (size_t)K, 1, w + (size_t)n * (size_t)K, K), mult[n * pc],
          rsh[n * pc], 0, lo, hi);
}

TINYC_QPOOL_KERNEL(i16, int16_t, int64_t, -32768, 32767, tinyc_requant64)
TINYC_QBINARY_KERNEL(i16, int16_t, int64_t, tinyc_qadd64)

/* tinyc.Requantize: y[i] = tinyc_requant(x[i] - zx) with y's zero point and range, between int8 and
   int16 tensors (mixed precision: --min-sqnr, Concat of int16 tensors with other parameters). */
#define TINYC_QREQUANT_KERNEL(SX, TX, SY, TY)                                                               \
  TINYC_KERNEL void tinyc_requantize_##SX##_##SY(const TX *x, TY *y, int32_t n, int32_t zx, int32_t mult,    \
                                                 int32_t rsh, int32_t zy, int32_t lo, int32_t hi) {          \
    int32_t i;                                                                                               \
    for (i = 0; i < n; ++i) y[i] = (TY)tinyc_requant(x[i] - zx, mult, rsh, zy, lo, hi);                      \
  }
TINYC_QREQUANT_KERNEL(i8, int8_t, i16, int16_t)
TINYC_QREQUANT_KERNEL(i16, int16_t, i8, int8_t)
TINYC_QREQUANT_KERNEL(i16, int16_t, i16, int16_t)
TINYC_QREQUANT_KERNEL(i8, int8_t, i8, int8_t)
