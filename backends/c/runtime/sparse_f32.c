/* tinyc runtime: zero-skipping float Conv, Gemm and MatMul over row-bitmap weights (sparse.c).
   A zero weight's product is skipped, not computed: an infinite or NaN input meets only the
   non-zero weights (dense IEEE arithmetic would turn 0 * inf into a NaN). Sums in tinyc_acc, the
   bias added last. requires: sparse */

/* One row's dot product with x; *v advances past the row's values. */
TINYC_KERNEL tinyc_acc tinyc_sparse_row_f32(const uint8_t *bits, int32_t kb, const float **v, const float *x) {
  const float *w = *v;
  tinyc_acc s = 0;
  int32_t b;
  for (b = 0; b < kb; ++b, x += 8) {
    uint32_t m = bits[b];
    while (m) {
      s += (tinyc_acc)*w++ * (tinyc_acc)x[TINYC_CTZ(m)];
      m &= m - 1u;
    }
  }
  *v = w;
  return s;
}

/* Output pixel (oh, ow)'s receptive field in group g (cg channels) into col, in the weights'
   column order (channels-first: c, kh, kw; channels-last: kh, kw, c), zeros outside the input. */
TINYC_KERNEL void tinyc_sparse_patch_f32(const float *x, const int32_t *p, int32_t g, int32_t cg, int32_t oh,
                                         int32_t ow, int nhwc, float *col) {
  const int32_t C = p[TINYC_QC_C], H = p[TINYC_QC_H], W = p[TINYC_QC_W], KH = p[TINYC_QC_KH], KW = p[TINYC_QC_KW];
  const int32_t ih0 = oh * p[TINYC_QC_SH] - p[TINYC_QC_PT], iw0 = ow * p[TINYC_QC_SW] - p[TINYC_QC_PL];
  int32_t kh, kw, c;
  for (kh = 0; kh < KH; ++kh) {
    const int32_t ih = ih0 + kh * p[TINYC_QC_DH];
    for (kw = 0; kw < KW; ++kw) {
      const int32_t iw = iw0 + kw * p[TINYC_QC_DW];
      const int inside = ih >= 0 && ih < H && iw >= 0 && iw < W;
      if (nhwc) {
        float *dst = col + (size_t)(kh * KW + kw) * (size_t)cg;
        if (inside) {
          const float *src = x + ((size_t)ih * (size_t)W + (size_t)iw) * (size_t)C + (size_t)g * (size_t)cg;
          for (c = 0; c < cg; ++c) dst[c] = src[c];
        } else {
          for (c = 0; c < cg; ++c) dst[c] = 0.0f;
        }
      } else {
        for (c = 0; c < cg; ++c)
          col[(c * KH + kh) * KW + kw] =
              inside ? x[((size_t)(g * cg + c) * (size_t)H + (size_t)ih) * (size_t)W + (size_t)iw] : 0.0f;
      }
    }
  }
}

/* Conv (1-D or 2-D, any group; p: TINYC_QC_*, N images) channels-first or channels-last. */
TINYC_KERNEL void tinyc_sparse_conv_f32(const float *x, const uint8_t *bits, const float *v, const float *bias, float *y,
                                        const int32_t *p, int32_t N, int nhwc, float *col) {
  const int32_t C = p[TINYC_QC_C], M = p[TINYC_QC_M], G = p[TINYC_QC_G], OH = p[TINYC_QC_OH], OW = p[TINYC_QC_OW];
  const int32_t mg = M / G, cg = C / G, kb = (cg * p[TINYC_QC_KH] * p[TINYC_QC_KW] + 7) / 8, P = OH * OW;
  const int direct = tinyc_sparse_direct(p, nhwc);
  int32_t n, oh, ow, g, j;
  TINYC_SCRATCH_NEED(tinyc_sparse_conv_scratch(p, nhwc, 4));
  for (n = 0; n < N; ++n) {
    const float *xn = x + (size_t)n * (size_t)C * (size_t)p[TINYC_QC_H] * (size_t)p[TINYC_QC_W];
    float *yn = y + (size_t)n * (size_t)M * (size_t)P;
    for (oh = 0; oh < OH; ++oh)
      for (ow = 0; ow < OW; ++ow) {
        const int32_t pix = oh * OW + ow;
        const float *w = v;
        for (g = 0; g < G; ++g) {
          const float *f = col;
          if (direct)
            f = xn + ((size_t)oh * (size_t)p[TINYC_QC_SH] * (size_t)p[TINYC_QC_W] + (size_t)ow * (size_t)p[TINYC_QC_SW]) *
                         (size_t)C;
          else
            tinyc_sparse_patch_f32(xn, p, g, cg, oh, ow, nhwc, col);
          for (j = 0; j < mg; ++j) {
            const int32_t m = g * mg + j;
            tinyc_acc s = tinyc_sparse_row_f32(bits + (size_t)m * (size_t)kb, kb, &w, f);
            if (bias) s += (tinyc_acc)bias[m];
            yn[nhwc ? (size_t)pix * (size_t)M + (size_t)m : (size_t)m * (size_t)P + (size_t)pix] = (float)s;
          }
        }
      }
  }
}

/* y[i, n] = sum_k a[i, k] w[n, k] (+ bias[n], or bias[0] when bias_n == 1): Gemm (transA = 0,
   alpha = beta = 1) and MatMul by constant weights. */
TINYC_KERNEL void tinyc_sparse_gemm_f32(const float *a, const uint8_t *bits, const float *v, const float *bias,
                                        int32_t bias_n, float *y, int32_t rows, int32_t K, int32_t N) {
  const int32_t kb = (K + 7) / 8;
  int32_t i, n;
  for (i = 0; i < rows; ++i) {
    const float *w = v;
    const float *ai = a + (size_t)i * (size_t)K;
    for (n = 0; n < N; ++n) {
      tinyc_acc s = tinyc_sparse_row_f32(bits + (size_t)n * (size_t)kb, kb, &w, ai);
      if (bias) s += (tinyc_acc)bias[bias_n > 1 ? n : 0];
      y[(size_t)i * (size_t)N + (size_t)n] = (float)s;
    }
  }
}
