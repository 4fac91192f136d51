/* tinyc runtime: one row of a float dense layer (Gemm and MatMul with one row of A) for the
   microcontroller targets: a few registers and a few hundred bytes of code, where the blocked
   GEMM (gemm.c) needs its packing machinery. requires: common */

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
        if (K >= 4) { /* 4 k per step: 5 VLDM, 16 VFMA (the C loop's sums, in its order) */
          const float *xp = x;
          int32_t steps = K / 4;
          __asm__ volatile(
              "1:\n\t"
              "vldmia %[x]!, {s8-s11}\n\t"
              "vldmia %[r0]!, {s16-s19}\n\t"
              "vldmia %[r1]!, {s20-s23}\n\t"
              "vldmia %[r2]!, {s24-s27}\n\t"
              "vldmia %[r3]!, {s28-s31}\n\t"
              "vfma.f32 %[s0], s8, s16\n\t"
              "vfma.f32 %[s1], s8, s20\n\t"
              "vfma.f32 %[s2], s8, s24\n\t"
              "vfma.f32 %[s3], s8, s28\n\t"
              "vfma.f32 %[s0], s9, s17\n\t"
              "vfma.f32 %[s1], s9, s21\n\t"
              "vfma.f32 %[s2], s9, s25\n\t"
              "vfma.f32 %[s3], s9, s29\n\t"
              "vfma.f32 %[s0], s10, s18\n\t"
              "vfma.f32 %[s1], s10, s22\n\t"
              "vfma.f32 %[s2], s10, s26\n\t"
              "vfma.f32 %[s3], s10, s30\n\t"
              "vfma.f32 %[s0], s11, s19\n\t"
              "vfma.f32 %[s1], s11, s23\n\t"
              "vfma.f32 %[s2], s11, s27\n\t"
              "vfma.f32 %[s3], s11, s31\n\t"
              "subs %[steps], %[steps], #1\n\t"
              "bne 1b"
              : [s0] "+t"(s0), [s1] "+t"(s1), [s2] "+t"(s2), [s3] "+t"(s3), [x] "+r"(xp), [r0] "+r"(r0),
                [r1] "+r"(r1), [r2] "+r"(r2), [r3] "+r"(r3), [steps] "+r"(steps)
              :
              : "s8", "s9", "s10", "s11", "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26", "s27", "s28", "s29", "s30", "s31", "cc", "memory");
          k = K / 4 * 4;
          r0 -= k; /* the pointers moved on; the C loop below indexes from the rows' starts */
          r1 -= k;
          r2 -= k;
          r3 -= k;
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
        if (K >= 4) { /* 4 k per step: 5 VLDM, 4 ADD, 16 VFMA (the C loop's sums, in its order) */
          const float *xp = x;
          int32_t steps = K / 4;
          const int32_t rb = (int32_t)(rs * sizeof(float));
          __asm__ volatile(
              "1:\n\t"
              "vldmia %[x]!, {s8-s11}\n\t"
              "vldmia %[r], {s16-s19}\n\t"
              "add %[r], %[r], %[rb]\n\t"
              "vldmia %[r], {s20-s23}\n\t"
              "add %[r], %[r], %[rb]\n\t"
              "vldmia %[r], {s24-s27}\n\t"
              "add %[r], %[r], %[rb]\n\t"
              "vldmia %[r], {s28-s31}\n\t"
              "add %[r], %[r], %[rb]\n\t"
              "vfma.f32 %[s0], s8, s16\n\t"
              "vfma.f32 %[s1], s8, s17\n\t"
              "vfma.f32 %[s2], s8, s18\n\t"
              "vfma.f32 %[s3], s8, s19\n\t"
              "vfma.f32 %[s0], s9, s20\n\t"
              "vfma.f32 %[s1], s9, s21\n\t"
              "vfma.f32 %[s2], s9, s22\n\t"
              "vfma.f32 %[s3], s9, s23\n\t"
              "vfma.f32 %[s0], s10, s24\n\t"
              "vfma.f32 %[s1], s10, s25\n\t"
              "vfma.f32 %[s2], s10, s26\n\t"
              "vfma.f32 %[s3], s10, s27\n\t"
              "vfma.f32 %[s0], s11, s28\n\t"
              "vfma.f32 %[s1], s11, s29\n\t"
              "vfma.f32 %[s2], s11, s30\n\t"
              "vfma.f32 %[s3], s11, s31\n\t"
              "subs %[steps], %[steps], #1\n\t"
              "bne 1b"
              : [s0] "+t"(s0), [s1] "+t"(s1), [s2] "+t"(s2), [s3] "+t"(s3), [x] "+r"(xp), [r] "+r"(r), [steps] "+r"(steps)
              : [rb] "r"(rb)
              : "s8", "s9", "s10", "s11", "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26", "s27", "s28", "s29", "s30", "s31", "cc", "memory");
          k = K / 4 * 4;
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
