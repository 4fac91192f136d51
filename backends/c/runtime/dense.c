/* tinyc runtime: one row of a float dense layer (Gemm and MatMul with one row of A) for the
   microcontroller targets: a few registers and a few hundred bytes of code, where the blocked
   GEMM (gemm.c) needs its packing machinery. requires: common vldm */

/* y[n] = alpha * sum_k x[k] B(k, n) + beta * c[n * ccs] (c may be NULL), with B(k, n) =
   b[k * N + n] (tb = 0) or b[n * K + k] (tb = 1). Four outputs at a time, each summed over k
   in order (every output the same arithmetic, whatever its place in a block). */
TINYC_KERNEL void tinyc_dense_f32(const float *x, const float *b, const float *c, float *y, int32_t N, int32_t K,
                                  int32_t tb, int32_t ccs, float alpha, float beta) {
  const size_t rs = tb ? 1u : (size_t)N, cs = tb ? (size_t)K : 1u; /* B(k, n) = b[k * rs + n * cs] */
  int32_t n = 0, k, j;
  for (; n < N; n += 4) {
    const int32_t nb = N - n < 4 ? N - n : 4;
    float s[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    const float *bn = b + (size_t)n * cs;
    if (nb == 4) {
      float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
      if (tb) {
        const float *r0 = bn, *r1 = r0 + K, *r2 = r1 + K, *r3 = r2 + K;
        k = 0;
#if TINYC_ARM_VLDM
        if (K >= 4) { /* runtime/arm_fpu/vldm.c: 4 k per step, 5 VLDM + 16 VFMA */
          float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
          tinyc_dense4_vldm(x, r0, r1, r2, r3, K / 4, acc);
          s0 = acc[0], s1 = acc[1], s2 = acc[2], s3 = acc[3];
          k = K / 4 * 4;
        }
#endif
        for (; k < K; ++k) {
          const float xv = x[k];
          s0 = TINYC_FMAF(xv, r0[k], s0);
          s1 = TINYC_FMAF(xv, r1[k], s1);
          s2 = TINYC_FMAF(xv, r2[k], s2);
          s3 = TINYC_FMAF(xv, r3[k], s3);
        }
      } else {
        const float *r = bn;
        k = 0;
#if TINYC_ARM_VLDM
        if (K >= 4) { /* runtime/arm_fpu/vldm.c: 4 k per step, 5 VLDM + 4 ADD + 16 VFMA */
          float acc[4] = {0.0f, 0.0f, 0.0f, 0.0f};
          tinyc_dense4s_vldm(x, r, (int32_t)rs, K / 4, acc);
          s0 = acc[0], s1 = acc[1], s2 = acc[2], s3 = acc[3];
          k = K / 4 * 4;
          r += (size_t)k * rs;
        }
#endif
        for (; k < K; ++k, r += rs) {
          const float xv = x[k];
          s0 = TINYC_FMAF(xv, r[0], s0);
          s1 = TINYC_FMAF(xv, r[1], s1);
          s2 = TINYC_FMAF(xv, r[2], s2);
          s3 = TINYC_FMAF(xv, r[3], s3);
        }
      }
      s[0] = s0;
      s[1] = s1;
      s[2] = s2;
      s[3] = s3;
    } else {
      for (j = 0; j < nb; ++j)
        for (k = 0; k < K; ++k) s[j] = TINYC_FMAF(x[k], bn[(size_t)k * rs + (size_t)j * cs], s[j]);
    }
    for (j = 0; j < nb; ++j) y[n + j] = alpha * s[j] + (c ? beta * c[(size_t)(n + j) * (size_t)ccs] : 0.0f);
  }
}
