/* tinyc runtime: zero-skipping int8 Conv and Gemm of the quantized form over row-bitmap weights
   (sparse.c): int32 sums of the non-zero products only (the same integers as the dense kernels:
   a zero weight adds nothing), the folded bias, tinyc_requant (qmath) as in qint.c, so the
   results are bit-identical to the reference. requires: sparse qint */

/* One row's dot product with x (a Gemm row); *v advances past the row's values. */
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

/* One row's sums with the four interleaved fields col[k * 4 + r] into s[0..3] (see
   tinyc_sparse_row4_f32). */
TINYC_KERNEL void tinyc_sparse_row4_i8(const uint8_t *bits, int32_t kb, const int8_t **v, const int8_t *col,
                                       int32_t *s) {
  const int8_t *w = *v;
  int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, b;
  for (b = 0; b < kb; ++b, col += 32) {
    uint32_t m = bits[b];
    while (m) {
      const int8_t *x = col + 4 * TINYC_CTZ(m);
      const int32_t a = *w++;
      s0 += a * x[0];
      s1 += a * x[1];
      s2 += a * x[2];
      s3 += a * x[3];
      m &= m - 1u;
    }
  }
  *v = w;
  s[0] = s0, s[1] = s1, s[2] = s2, s[3] = s3;
}

/* Conv (batch 1, any group; p: TINYC_QC_*), four output pixels at a time: their receptive fields
   gathered interleaved by tinyc_qpatch_i8 (taps outside the input read zx, which the folded bias
   expects; a last block repeats its last pixel). */
TINYC_KERNEL void tinyc_sparse_qconv_i8(const int8_t *x, const uint8_t *bits, const int8_t *v, const int32_t *bias,
                                        int8_t *y, const int32_t *p, const int32_t *mult, const int32_t *rsh,
                                        int32_t pc, int32_t zx, int32_t zy, int32_t lo, int32_t hi, int nhwc,
                                        int8_t *col) {
  const int32_t C = p[TINYC_QC_C], M = p[TINYC_QC_M], G = p[TINYC_QC_G], OW = p[TINYC_QC_OW];
  const int32_t mg = M / G, cg = C / G, kb = (cg * p[TINYC_QC_KH] * p[TINYC_QC_KW] + 7) / 8, P = p[TINYC_QC_OH] * OW;
  int32_t p0, g, j, r;
  TINYC_SCRATCH_NEED(tinyc_sparse_conv_scratch(p, 1));
  for (p0 = 0; p0 < P; p0 += 4) {
    const int32_t np = P - p0 < 4 ? P - p0 : 4;
    const int8_t *w = v;
    for (g = 0; g < G; ++g) {
      for (r = 0; r < 4; ++r) {
        const int32_t q = p0 + (r < np ? r : np - 1);
        tinyc_qpatch_i8(x, p, g, cg, q / OW, q % OW, zx, nhwc, col + r, 4);
      }
      for (j = 0; j < mg; ++j) {
        const int32_t m = g * mg + j;
        int32_t s[4];
        tinyc_sparse_row4_i8(bits + (size_t)m * (size_t)kb, kb, &w, col, s);
        for (r = 0; r < np; ++r) {
          const size_t q = (size_t)(p0 + r);
          y[nhwc ? q * (size_t)M + (size_t)m : (size_t)m * (size_t)P + q] =
              (int8_t)tinyc_requant(bias[m] + s[r], mult[m * pc], rsh[m * pc], zy, lo, hi);
        }
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
