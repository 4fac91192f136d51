/* tinyc runtime: zero-skipping float Conv, Gemm and MatMul over row-bitmap weights (sparse.c).
   A zero weight's product is skipped, not computed: an infinite or NaN input meets only the
   non-zero weights (dense IEEE arithmetic would turn 0 * inf into a NaN). Float sums of fused
   multiply-adds (TINYC_FMAF) as in the dense convolutions, the bias added last. requires: sparse */

/* One row's dot product with x; *v advances past the row's values. */
TINYC_KERNEL float tinyc_sparse_row_f32(const uint8_t *bits, int32_t kb, const float **v, const float *x) {
  const float *w = *v;
  float s = 0.0f;
  int32_t b;
  for (b = 0; b < kb; ++b, x += 8) {
    uint32_t m = bits[b];
    while (m) {
      s = TINYC_FMAF(*w, x[TINYC_CTZ(m)], s);
      ++w;
      m &= m - 1u;
    }
  }
  *v = w;
  return s;
}

/* One row's dot products with the TINYC_SPARSE_PIXELS (4) interleaved fields col[k * 4 + r] into
   s[0..3]: each non-zero weight is loaded once for four pixels; *v advances past the row's values. */
TINYC_KERNEL void tinyc_sparse_row4_f32(const uint8_t *bits, int32_t kb, const float **v, const float *col,
                                        float *s) {
  const float *w = *v;
  float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
  int32_t b;
  for (b = 0; b < kb; ++b, col += 32) {
    uint32_t m = bits[b];
    while (m) {
      const float *x = col + 4 * TINYC_CTZ(m);
      const float a = *w++;
      s0 = TINYC_FMAF(a, x[0], s0);
      s1 = TINYC_FMAF(a, x[1], s1);
      s2 = TINYC_FMAF(a, x[2], s2);
      s3 = TINYC_FMAF(a, x[3], s3);
      m &= m - 1u;
    }
  }
  *v = w;
  s[0] = s0, s[1] = s1, s[2] = s2, s[3] = s3;
}

/* Output pixel (oh, ow)'s receptive field in group g (cg channels) into col[k * 4] (one lane of the
   interleaved fields), in the weights' column order (channels-first: c, kh, kw; channels-last:
   kh, kw, c), zeros outside the input. */
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
        float *dst = col + (size_t)(kh * KW + kw) * (size_t)cg * 4u;
        if (inside) {
          const float *src = x + ((size_t)ih * (size_t)W + (size_t)iw) * (size_t)C + (size_t)g * (size_t)cg;
          for (c = 0; c < cg; ++c) dst[4 * c] = src[c];
        } else {
          for (c = 0; c < cg; ++c) dst[4 * c] = 0.0f;
        }
      } else {
        for (c = 0; c < cg; ++c)
          col[4 * ((c * KH + kh) * KW + kw)] =
              inside ? x[((size_t)(g * cg + c) * (size_t)H + (size_t)ih) * (size_t)W + (size_t)iw] : 0.0f;
      }
    }
  }
}

/* Conv (1-D or 2-D, any group; p: TINYC_QC_*, N images) channels-first or channels-last, four
   output pixels at a time (a last block repeats its last pixel in the lanes past the end). */
TINYC_KERNEL void tinyc_sparse_conv_f32(const float *x, const uint8_t *bits, const float *v, const float *bias, float *y,
                                        const int32_t *p, int32_t N, int nhwc, float *col) {
  const int32_t C = p[TINYC_QC_C], M = p[TINYC_QC_M], G = p[TINYC_QC_G], OW = p[TINYC_QC_OW];
  const int32_t mg = M / G, cg = C / G, kb = (cg * p[TINYC_QC_KH] * p[TINYC_QC_KW] + 7) / 8, P = p[TINYC_QC_OH] * OW;
  int32_t n, p0, g, j, r;
  TINYC_SCRATCH_NEED(tinyc_sparse_conv_scratch(p, 4));
  for (n = 0; n < N; ++n) {
    const float *xn = x + (size_t)n * (size_t)C * (size_t)p[TINYC_QC_H] * (size_t)p[TINYC_QC_W];
    float *yn = y + (size_t)n * (size_t)M * (size_t)P;
    for (p0 = 0; p0 < P; p0 += 4) {
      const int32_t np = P - p0 < 4 ? P - p0 : 4;
      const float *w = v;
      for (g = 0; g < G; ++g) {
        for (r = 0; r < 4; ++r) {
          const int32_t q = p0 + (r < np ? r : np - 1);
          tinyc_sparse_patch_f32(xn, p, g, cg, q / OW, q % OW, nhwc, col + r);
        }
        for (j = 0; j < mg; ++j) {
          const int32_t m = g * mg + j;
          float s[4];
          tinyc_sparse_row4_f32(bits + (size_t)m * (size_t)kb, kb, &w, col, s);
          for (r = 0; r < np; ++r) {
            const size_t q = (size_t)(p0 + r);
            yn[nhwc ? q * (size_t)M + (size_t)m : (size_t)m * (size_t)P + q] =
                bias ? s[r] + bias[m] : s[r];
          }
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
      const float s = tinyc_sparse_row_f32(bits + (size_t)n * (size_t)kb, kb, &w, ai);
      y[(size_t)i * (size_t)N + (size_t)n] = bias ? s + bias[bias_n > 1 ? n : 0] : s;
    }
  }
}
