/* tinyc runtime: zero-skipping int8 Conv and Gemm of the quantized form over row-bitmap weights
   (sparse.c): int32 sums of the non-zero products only (the same integers as the dense kernels:
   a zero weight adds nothing), the folded bias, tinyc_requant (qmath) as in qint.c, so the
   results are bit-identical to the reference. requires: sparse qint */

/* One row's dot product with x; *v advances past the row's values. */
TINYC_KERNEL int32_t tinyc_sparse_row_i8(const uint8_t *bits, int32_t kb, const int8_t **v, const int8_t *x) {
  const int8_t *w = *v;
  int32_t s = 0, b;
  for (b = 0; b < kb; ++b, x += 8) {
    uint32_t m = bits[b];
    while (m) {
      s += (int32_t)*w++ * (int32_t)x[TINYC_CTZ(m)];
      m &= m - 1u;
    }
  }
  *v = w;
  return s;
}

/* Conv (batch 1, any group; p: TINYC_QC_*): the receptive field gathered by tinyc_qpatch_i8
   (taps outside the input read zx, which the folded bias expects). */
TINYC_KERNEL void tinyc_sparse_qconv_i8(const int8_t *x, const uint8_t *bits, const int8_t *v, const int32_t *bias,
                                        int8_t *y, const int32_t *p, const int32_t *mult, const int32_t *rsh,
                                        int32_t pc, int32_t zx, int32_t zy, int32_t lo, int32_t hi, int nhwc,
                                        int8_t *col) {
  const int32_t C = p[TINYC_QC_C], M = p[TINYC_QC_M], G = p[TINYC_QC_G], OH = p[TINYC_QC_OH], OW = p[TINYC_QC_OW];
  const int32_t mg = M / G, cg = C / G, kb = (cg * p[TINYC_QC_KH] * p[TINYC_QC_KW] + 7) / 8, P = OH * OW;
  const int direct = tinyc_sparse_direct(p, nhwc);
  int32_t oh, ow, g, j;
  TINYC_SCRATCH_NEED(tinyc_sparse_conv_scratch(p, nhwc, 1));
  for (oh = 0; oh < OH; ++oh)
    for (ow = 0; ow < OW; ++ow) {
      const int32_t pix = oh * OW + ow;
      const int8_t *w = v;
      for (g = 0; g < G; ++g) {
        const int8_t *f = col;
        if (direct)
          f = x + ((size_t)oh * (size_t)p[TINYC_QC_SH] * (size_t)p[TINYC_QC_W] + (size_t)ow * (size_t)p[TINYC_QC_SW]) *
                      (size_t)C;
        else
          tinyc_qpatch_i8(x, p, g, cg, oh, ow, zx, nhwc, col, 1);
        for (j = 0; j < mg; ++j) {
          const int32_t m = g * mg + j;
          const int32_t s = bias[m] + tinyc_sparse_row_i8(bits + (size_t)m * (size_t)kb, kb, &w, f);
          y[nhwc ? (size_t)pix * (size_t)M + (size_t)m : (size_t)m * (size_t)P + (size_t)pix] =
              (int8_t)tinyc_requant(s, mult[m * pc], rsh[m * pc], zy, lo, hi);
        }
      }
    }
}

/* Gemm (transB = 1): y[i, n] = requant(bias[n] + sum_k a[i, k] w[n, k]). */
TINYC_KERNEL void tinyc_sparse_qgemm_i8(const int8_t *a, const uint8_t *bits, const int8_t *v, const int32_t *bias,
                                        int8_t *y, int32_t M, int32_t K, int32_t N, const int32_t *mult,
                                        const int32_t *rsh, int32_t pc, int32_t zy, int32_t lo, int32_t hi) {
  const int32_t kb = (K + 7) / 8;
  int32_t i, n;
  for (i = 0; i < M; ++i) {
    const int8_t *w = v;
    const int8_t *ai = a + (size_t)i * (size_t)K;
    for (n = 0; n < N; ++n) {
      const int32_t s = bias[n] + tinyc_sparse_row_i8(bits + (size_t)n * (size_t)kb, kb, &w, ai);
      y[(size_t)i * (size_t)N + (size_t)n] = (int8_t)tinyc_requant(s, mult[n * pc], rsh[n * pc], zy, lo, hi);
    }
  }
}
