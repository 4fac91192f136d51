/* tinyc runtime: int8 kernels of the quantized form (Conv, Gemm, pools, Softmax, tables). requires: common qmath */
/* Integer only: int32 accumulators, requantization by tinyc_requant (qmath). Channels-first and
   channels-last data share the kernels through the `nhwc` flag. Geometry arrays are described
   with each kernel; the emitter (backends/c/kernels_qint.cpp) writes them. */

/* Blocks of two output channels times up to two input vectors: for m < M,
   y0[m * ys] = requant(bias[m] + w[m] . a0) and, when a1 is not NULL, y1[m * ys] = the same with a1.
   w is [M, K] row-major. The emitter folds the input zero point into bias (bias - zx * sum(w[m])),
   so a0 and a1 hold the raw int8 values. */
TINYC_KERNEL void tinyc_qgemv2_i8(const int8_t *a0, const int8_t *a1, const int8_t *w, int32_t K, int32_t M,
                                  const int32_t *bias, const int32_t *mult, const int32_t *rsh, int32_t zy, int32_t lo,
                                  int32_t hi, int8_t *y0, int8_t *y1, int32_t ys) {
  int32_t m = 0, k;
  for (; m + 1 < M; m += 2) {
    const int8_t *w0 = w + (size_t)m * (size_t)K, *w1 = w0 + K;
    int32_t s00 = bias[m], s01 = bias[m + 1];
    if (a1) {
      int32_t s10 = bias[m], s11 = bias[m + 1];
      for (k = 0; k < K; ++k) {
        const int32_t x0 = a0[k], x1 = a1[k], v0 = w0[k], v1 = w1[k];
        s00 += x0 * v0;
        s01 += x0 * v1;
        s10 += x1 * v0;
        s11 += x1 * v1;
      }
      y1[m * ys] = (int8_t)tinyc_requant(s10, mult[m], rsh[m], zy, lo, hi);
      y1[(m + 1) * ys] = (int8_t)tinyc_requant(s11, mult[m + 1], rsh[m + 1], zy, lo, hi);
    } else {
      for (k = 0; k < K; ++k) {
        const int32_t x0 = a0[k];
        s00 += x0 * w0[k];
        s01 += x0 * w1[k];
      }
    }
    y0[m * ys] = (int8_t)tinyc_requant(s00, mult[m], rsh[m], zy, lo, hi);
    y0[(m + 1) * ys] = (int8_t)tinyc_requant(s01, mult[m + 1], rsh[m + 1], zy, lo, hi);
  }
  if (m < M) {
    const int8_t *w0 = w + (size_t)m * (size_t)K;
    int32_t s0 = bias[m], s1 = bias[m];
    for (k = 0; k < K; ++k) {
      s0 += a0[k] * w0[k];
      if (a1) s1 += a1[k] * w0[k];
    }
    y0[m * ys] = (int8_t)tinyc_requant(s0, mult[m], rsh[m], zy, lo, hi);
    if (a1) y1[m * ys] = (int8_t)tinyc_requant(s1, mult[m], rsh[m], zy, lo, hi);
  }
}

/* Gemm: y[M, N] = requant(bias + a[M, K] . w[N, K]^T), two rows of a at a time. */
TINYC_KERNEL void tinyc_qgemm_i8(const int8_t *a, const int8_t *w, const int32_t *bias, int8_t *y, int32_t M, int32_t K,
                                 int32_t N, const int32_t *mult, const int32_t *rsh, int32_t zy, int32_t lo, int32_t hi) {
  int32_t i;
  for (i = 0; i < M; i += 2) {
    const int two = i + 1 < M;
    tinyc_qgemv2_i8(a + (size_t)i * (size_t)K, two ? a + (size_t)(i + 1) * (size_t)K : NULL, w, K, N, bias, mult, rsh,
                    zy, lo, hi, y + (size_t)i * (size_t)N, two ? y + (size_t)(i + 1) * (size_t)N : NULL, 1);
  }
}

/* 2-D convolution geometry: p = {C, H, W, M, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL, G}. */
#define TINYC_QC_C 0
#define TINYC_QC_H 1
#define TINYC_QC_W 2
#define TINYC_QC_M 3
#define TINYC_QC_OH 4
#define TINYC_QC_OW 5
#define TINYC_QC_KH 6
#define TINYC_QC_KW 7
#define TINYC_QC_SH 8
#define TINYC_QC_SW 9
#define TINYC_QC_DH 10
#define TINYC_QC_DW 11
#define TINYC_QC_PT 12
#define TINYC_QC_PL 13
#define TINYC_QC_G 14

/* Receptive field of output pixel (oh, ow) in group g (cg input channels per group), in the weights' order (channels-first: c, kh, kw;
   channels-last: kh, kw, c); taps outside the input read zx (the real zero). */
TINYC_KERNEL void tinyc_qpatch_i8(const int8_t *x, const int32_t *p, int32_t g, int32_t cg, int32_t oh, int32_t ow,
                                  int32_t zx, int nhwc, int8_t *col) {
  const int32_t C = p[TINYC_QC_C], H = p[TINYC_QC_H], W = p[TINYC_QC_W], KH = p[TINYC_QC_KH], KW = p[TINYC_QC_KW];
  const int32_t ih0 = oh * p[TINYC_QC_SH] - p[TINYC_QC_PT], iw0 = ow * p[TINYC_QC_SW] - p[TINYC_QC_PL];
  int32_t c, kh, kw;
  for (kh = 0; kh < KH; ++kh) {
    const int32_t ih = ih0 + kh * p[TINYC_QC_DH];
    for (kw = 0; kw < KW; ++kw) {
      const int32_t iw = iw0 + kw * p[TINYC_QC_DW];
      const int inside = ih >= 0 && ih < H && iw >= 0 && iw < W;
      if (nhwc) {
        int8_t *dst = col + (kh * KW + kw) * cg;
        const int8_t *src = x + ((size_t)ih * (size_t)W + (size_t)iw) * (size_t)C + (size_t)g * (size_t)cg;
        for (c = 0; c < cg; ++c) dst[c] = inside ? src[c] : (int8_t)zx;
      } else {
        for (c = 0; c < cg; ++c)
          col[(c * KH + kh) * KW + kw] =
              inside ? x[((size_t)(g * cg + c) * (size_t)H + (size_t)ih) * (size_t)W + (size_t)iw] : (int8_t)zx;
      }
    }
  }
}

/* Convolution (any group) as blocks of two output pixels: their receptive fields are gathered
   into col (2 * K bytes; not used when `direct`: a 1x1, stride-1, unpadded, single-group
   channels-last convolution reads the input rows in place), then tinyc_qgemv2_i8 with the
   weights of the group ([M, K] with K = C/G * KH * KW) and the folded bias. */
TINYC_KERNEL void tinyc_qconv_i8(const int8_t *x, const int8_t *w, const int32_t *bias, int8_t *y, const int32_t *p,
                                 const int32_t *mult, const int32_t *rsh, int32_t zx, int32_t zy, int32_t lo,
                                 int32_t hi, int nhwc, int direct, int8_t *col) {
  const int32_t C = p[TINYC_QC_C], M = p[TINYC_QC_M], G = p[TINYC_QC_G], OW = p[TINYC_QC_OW];
  const int32_t P = p[TINYC_QC_OH] * OW, mg = M / G, cg = C / G, K = cg * p[TINYC_QC_KH] * p[TINYC_QC_KW];
  int32_t g, o;
  for (g = 0; g < G; ++g) {
    const int8_t *wg = w + (size_t)g * (size_t)mg * (size_t)K;
    int32_t oh = 0, ow = 0; /* pixel o */
    for (o = 0; o < P; o += 2) {
      const int two = o + 1 < P;
      const int32_t oh1 = ow + 1 < OW ? oh : oh + 1, ow1 = ow + 1 < OW ? ow + 1 : 0; /* pixel o + 1 */
      const int8_t *a0 = col, *a1 = two ? col + K : NULL;
      int8_t *y0 = nhwc ? y + (size_t)o * (size_t)M + (size_t)g * (size_t)mg : y + (size_t)g * (size_t)mg * (size_t)P + (size_t)o;
      if (direct) {
        a0 = x + (size_t)o * (size_t)C;
        a1 = two ? a0 + C : NULL;
      } else {
        tinyc_qpatch_i8(x, p, g, cg, oh, ow, zx, nhwc, col);
        if (two) tinyc_qpatch_i8(x, p, g, cg, oh1, ow1, zx, nhwc, col + K);
      }
      oh = ow1 + 1 < OW ? oh1 : oh1 + 1;
      ow = ow1 + 1 < OW ? ow1 + 1 : 0;
      tinyc_qgemv2_i8(a0, a1, wg, K, mg, bias + g * mg, mult + g * mg, rsh + g * mg, zy, lo, hi, y0,
                      two ? y0 + (nhwc ? M : 1) : NULL, nhwc ? 1 : P);
    }
  }
}

/* Depthwise convolution (G = C = M): per output pixel and channel, the taps inside the input,
   acc = bias[c] + sum (x - zx) * w[c, kh, kw] (the bias is not folded: padding is skipped). */
TINYC_KERNEL void tinyc_qdwconv_i8(const int8_t *x, const int8_t *w, const int32_t *bias, int8_t *y, const int32_t *p,
                                   const int32_t *mult, const int32_t *rsh, int32_t zx, int32_t zy, int32_t lo,
                                   int32_t hi, int nhwc) {
  const int32_t C = p[TINYC_QC_C], H = p[TINYC_QC_H], W = p[TINYC_QC_W], OH = p[TINYC_QC_OH], OW = p[TINYC_QC_OW];
  const int32_t KH = p[TINYC_QC_KH], KW = p[TINYC_QC_KW], KK = KH * KW;
  const int32_t cs = nhwc ? 1 : H * W, ps = nhwc ? C : 1, ocs = nhwc ? 1 : OH * OW, ops = nhwc ? C : 1;
  int32_t oh, ow, c, kh, kw;
  for (oh = 0; oh < OH; ++oh)
    for (ow = 0; ow < OW; ++ow) {
      const int32_t ih0 = oh * p[TINYC_QC_SH] - p[TINYC_QC_PT], iw0 = ow * p[TINYC_QC_SW] - p[TINYC_QC_PL];
      int8_t *yo = y + (size_t)(oh * OW + ow) * (size_t)ops;
      for (c = 0; c < C; ++c) {
        const int8_t *xc = x + (size_t)c * (size_t)cs;
        const int8_t *wc = w + (size_t)c * (size_t)KK;
        int32_t acc = bias ? bias[c] : 0;
        for (kh = 0; kh < KH; ++kh) {
          const int32_t ih = ih0 + kh * p[TINYC_QC_DH];
          if (ih < 0 || ih >= H) continue;
          for (kw = 0; kw < KW; ++kw) {
            const int32_t iw = iw0 + kw * p[TINYC_QC_DW];
            if (iw < 0 || iw >= W) continue;
            acc += ((int32_t)xc[(size_t)(ih * W + iw) * (size_t)ps] - zx) * wc[kh * KW + kw];
          }
        }
        yo[(size_t)c * (size_t)ocs] = (int8_t)tinyc_requant(acc, mult[c], rsh[c], zy, lo, hi);
      }
    }
}

/* 2-D pooling geometry: p = {C, H, W, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR, include_pad, fixed}.
   Average: the sum of (x - zx) over the taps inside the input, requantized by the entry of the
   tap count (count_include_pad: taps inside the padded input) or entry 0 when `fixed` (every
   window has the same count). Max: the largest tap (mult, rsh, zx, zy unused). */
TINYC_KERNEL void tinyc_qpool_i8(const int8_t *x, int8_t *y, const int32_t *p, const int32_t *mult, const int32_t *rsh,
                                 int32_t zx, int32_t zy, int nhwc, int isMax) {
  const int32_t C = p[0], H = p[1], W = p[2], OH = p[3], OW = p[4], KH = p[5], KW = p[6];
  const int32_t cs = nhwc ? 1 : H * W, ps = nhwc ? C : 1, ocs = nhwc ? 1 : OH * OW, ops = nhwc ? C : 1;
  int32_t c, oh, ow, kh, kw;
  for (oh = 0; oh < OH; ++oh)
    for (ow = 0; ow < OW; ++ow) {
      const int32_t ih0 = oh * p[7] - p[11], iw0 = ow * p[8] - p[12];
      int32_t nh = 0, nw = 0, ph = 0, pw = 0, idx;
      for (kh = 0; kh < KH; ++kh) {
        const int32_t ih = ih0 + kh * p[9];
        nh += ih >= 0 && ih < H;
        ph += ih >= -p[11] && ih < H + p[13];
      }
      for (kw = 0; kw < KW; ++kw) {
        const int32_t iw = iw0 + kw * p[10];
        nw += iw >= 0 && iw < W;
        pw += iw >= -p[12] && iw < W + p[14];
      }
      idx = p[16] ? 0 : (p[15] ? ph * pw : nh * nw);
      for (c = 0; c < C; ++c) {
        const int8_t *xc = x + (size_t)c * (size_t)cs;
        int32_t acc = isMax ? -128 : 0;
        for (kh = 0; kh < KH; ++kh) {
          const int32_t ih = ih0 + kh * p[9];
          if (ih < 0 || ih >= H) continue;
          for (kw = 0; kw < KW; ++kw) {
            const int32_t iw = iw0 + kw * p[10];
            int32_t v;
            if (iw < 0 || iw >= W) continue;
            v = xc[(size_t)(ih * W + iw) * (size_t)ps];
            if (isMax)
              acc = v > acc ? v : acc;
            else
              acc += v - zx;
          }
        }
        y[(size_t)(oh * OW + ow) * (size_t)ops + (size_t)c * (size_t)ocs] =
            (int8_t)(isMax ? acc : (idx > 0 || p[16] ? tinyc_requant(acc, mult[idx], rsh[idx], zy, -128, 127) : zy));
      }
    }
}

/* Softmax along an axis: x seen as [outer, n, inner]. */
TINYC_KERNEL void tinyc_qsoftmax_i8(const int8_t *x, int8_t *y, int32_t outer, int32_t n, int32_t inner,
                                    const int32_t *lut, int32_t mult, int32_t rsh, int32_t zy) {
  int32_t o, i;
  for (o = 0; o < outer; ++o)
    for (i = 0; i < inner; ++i)
      tinyc_softmax_row_i8(x + (size_t)o * (size_t)n * (size_t)inner + (size_t)i,
                           y + (size_t)o * (size_t)n * (size_t)inner + (size_t)i, n, inner, lut, mult, rsh, zy);
}

/* y[i] = table[x[i] + 128] (tinyc.Lut). */
TINYC_KERNEL void tinyc_lut_i8(const int8_t *x, int8_t *y, int32_t n, const int8_t *table) {
  int32_t i;
  for (i = 0; i < n; ++i) y[i] = table[x[i] + 128];
}
