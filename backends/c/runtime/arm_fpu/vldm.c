/* tinyc runtime: the innermost loops of the float kernels (dense.c, nhwc.c) on Arm cores with an
   FPU with VFMA (TINYC_ARM_VLDM, runtime/common.c: Cortex-M4, M7, M33, M55 with optimization),
   where they load each run of consecutive floats with one VLDM (gcc and clang issue one VLDR per
   float). Each sum is the same chain of fused multiply-adds, in the same order, as the C loop it
   replaces, so the results are bit-identical (ctest c.float_asm). Elsewhere these are not called
   (and empty). requires: common */

#if TINYC_ARM_VLDM
/* One step of the 4x4 tile (tinyc_tile4x4_vldm, tinyc_tile4x4_out_vldm): two floats of each of
   the four rows (s16-s23) and of the four weight rows (s24-s31), 32 multiply-adds into s0-s15,
   then the step count down (the caller branches on it). */
#define TINYC_TILE4X4_STEP \
  "vldmia %[p0]!, {s16-s17}\n\t" \
  "vldmia %[p1]!, {s18-s19}\n\t" \
  "vldmia %[p2]!, {s20-s21}\n\t" \
  "vldmia %[p3]!, {s22-s23}\n\t" \
  "vldmia %[q0]!, {s24-s25}\n\t" \
  "vldmia %[q1]!, {s26-s27}\n\t" \
  "vldmia %[q2]!, {s28-s29}\n\t" \
  "vldmia %[q3]!, {s30-s31}\n\t" \
  "vfma.f32 s0, s16, s24\n\t" \
  "vfma.f32 s1, s16, s26\n\t" \
  "vfma.f32 s2, s16, s28\n\t" \
  "vfma.f32 s3, s16, s30\n\t" \
  "vfma.f32 s4, s18, s24\n\t" \
  "vfma.f32 s5, s18, s26\n\t" \
  "vfma.f32 s6, s18, s28\n\t" \
  "vfma.f32 s7, s18, s30\n\t" \
  "vfma.f32 s8, s20, s24\n\t" \
  "vfma.f32 s9, s20, s26\n\t" \
  "vfma.f32 s10, s20, s28\n\t" \
  "vfma.f32 s11, s20, s30\n\t" \
  "vfma.f32 s12, s22, s24\n\t" \
  "vfma.f32 s13, s22, s26\n\t" \
  "vfma.f32 s14, s22, s28\n\t" \
  "vfma.f32 s15, s22, s30\n\t" \
  "vfma.f32 s0, s17, s25\n\t" \
  "vfma.f32 s1, s17, s27\n\t" \
  "vfma.f32 s2, s17, s29\n\t" \
  "vfma.f32 s3, s17, s31\n\t" \
  "vfma.f32 s4, s19, s25\n\t" \
  "vfma.f32 s5, s19, s27\n\t" \
  "vfma.f32 s6, s19, s29\n\t" \
  "vfma.f32 s7, s19, s31\n\t" \
  "vfma.f32 s8, s21, s25\n\t" \
  "vfma.f32 s9, s21, s27\n\t" \
  "vfma.f32 s10, s21, s29\n\t" \
  "vfma.f32 s11, s21, s31\n\t" \
  "vfma.f32 s12, s23, s25\n\t" \
  "vfma.f32 s13, s23, s27\n\t" \
  "vfma.f32 s14, s23, s29\n\t" \
  "vfma.f32 s15, s23, s31\n\t" \
  "subs %[steps], %[steps], #1\n\t"
#endif

/* tile[4 t + j] += sum over k < 2 steps of r[t][k] * w[j][k] (t, j < 4; k in order); steps >= 1.
   Inside: the tile in s0-s15, two floats of each of the eight rows in s16-s31. */
TINYC_KERNEL void tinyc_tile4x4_vldm(const float *const *r, const float *const *w, int32_t steps, float *tile) {
#if TINYC_ARM_VLDM
  const float *p0 = r[0], *p1 = r[1], *p2 = r[2], *p3 = r[3], *q0 = w[0], *q1 = w[1], *q2 = w[2], *q3 = w[3];
  __asm__ volatile(
      "vldmia %[acc], {s0-s15}\n\t"
      "1:\n\t"
      TINYC_TILE4X4_STEP
      "bne 1b\n\t"
      "vstmia %[acc], {s0-s15}"
      : [p0] "+&r"(p0), [p1] "+&r"(p1), [p2] "+&r"(p2), [p3] "+&r"(p3), [q0] "+&r"(q0), [q1] "+&r"(q1),
      [q2] "+&r"(q2), [q3] "+&r"(q3), [steps] "+&r"(steps)
      : [acc] "r"(tile)
      : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15", "s16",
        "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26", "s27", "s28", "s29", "s30", "s31", "cc",
        "memory");
#else
  (void)r, (void)w, (void)steps, (void)tile;
#endif
}

/* Where tinyc_tile4x4_out_vldm stores its tile: zero (16 zeros: the sums' start, here so that the
   assembly needs no other register), bias (4 floats, zeros when the layer has none), the first
   output row y (4 floats), ystride bytes between the 4 rows, lh (lo, hi of a fused Relu/Clip;
   NULL: none). */
typedef struct {
  float zero[16];
  const float *bias;
  float *y;
  int32_t ystride;
  const float *lh;
} tinyc_tile_out;

/* y[t][j] = clamp(sum over k < 2 steps of r[t][k] * w[j][k] + bias[j]) (t, j < 4; the sums start
   at zero, k in order; clamp as tinyc_clamp_f32, only with lh): tinyc_tile4x4_vldm from zero,
   then the C tile's epilogue (bias, Relu/Clip, store), from the registers. steps >= 1. */
TINYC_KERNEL void tinyc_tile4x4_out_vldm(const float *const *r, const float *const *w, int32_t steps,
                                         const tinyc_tile_out *out) {
#if TINYC_ARM_VLDM
  const float *p0 = r[0], *p1 = r[1], *p2 = r[2], *p3 = r[3], *q0 = w[0], *q1 = w[1], *q2 = w[2], *q3 = w[3];
#define TINYC_TILE_BIAS(i, b) "vadd.f32 s" #i ", s" #i ", s" #b "\n\t"
#define TINYC_TILE_CLAMP(i)                                                                              \
  "vcmp.f32 s" #i ", s20\n\tvmrs APSR_nzcv, fpscr\n\tit ls\n\tvmovls.f32 s" #i ", s20\n\t"               \
  "vcmp.f32 s" #i ", s21\n\tvmrs APSR_nzcv, fpscr\n\tit ge\n\tvmovge.f32 s" #i ", s21\n\t"
#define TINYC_TILE_CLAMP4(a, b, c, d) TINYC_TILE_CLAMP(a) TINYC_TILE_CLAMP(b) TINYC_TILE_CLAMP(c) TINYC_TILE_CLAMP(d)
  __asm__ volatile(
      "vldmia %[out], {s0-s15}\n\t"
      "1:\n\t"
      TINYC_TILE4X4_STEP
      "bne 1b\n\t"
      /* the stream pointers are free now: bias, lh, y, ystride */
      "ldr %[p0], [%[out], #64]\n\t"
      "vldmia %[p0], {s16-s19}\n\t"
      TINYC_TILE_BIAS(0, 16) TINYC_TILE_BIAS(1, 17) TINYC_TILE_BIAS(2, 18) TINYC_TILE_BIAS(3, 19)
      TINYC_TILE_BIAS(4, 16) TINYC_TILE_BIAS(5, 17) TINYC_TILE_BIAS(6, 18) TINYC_TILE_BIAS(7, 19)
      TINYC_TILE_BIAS(8, 16) TINYC_TILE_BIAS(9, 17) TINYC_TILE_BIAS(10, 18) TINYC_TILE_BIAS(11, 19)
      TINYC_TILE_BIAS(12, 16) TINYC_TILE_BIAS(13, 17) TINYC_TILE_BIAS(14, 18) TINYC_TILE_BIAS(15, 19)
      "ldr %[p3], [%[out], #76]\n\t"
      "cmp %[p3], #0\n\t"
      "beq 2f\n\t"
      "vldmia %[p3], {s20-s21}\n\t"
      TINYC_TILE_CLAMP4(0, 1, 2, 3) TINYC_TILE_CLAMP4(4, 5, 6, 7) TINYC_TILE_CLAMP4(8, 9, 10, 11)
      TINYC_TILE_CLAMP4(12, 13, 14, 15)
      "2:\n\t"
      "ldr %[p1], [%[out], #68]\n\t"
      "ldr %[p2], [%[out], #72]\n\t"
      "vstmia %[p1], {s0-s3}\n\t"
      "add %[p1], %[p1], %[p2]\n\t"
      "vstmia %[p1], {s4-s7}\n\t"
      "add %[p1], %[p1], %[p2]\n\t"
      "vstmia %[p1], {s8-s11}\n\t"
      "add %[p1], %[p1], %[p2]\n\t"
      "vstmia %[p1], {s12-s15}"
      : [p0] "+&r"(p0), [p1] "+&r"(p1), [p2] "+&r"(p2), [p3] "+&r"(p3), [q0] "+&r"(q0), [q1] "+&r"(q1),
      [q2] "+&r"(q2), [q3] "+&r"(q3), [steps] "+&r"(steps)
      : [out] "r"(out)
      : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15", "s16",
        "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26", "s27", "s28", "s29", "s30", "s31", "cc",
        "memory");
#undef TINYC_TILE_CLAMP4
#undef TINYC_TILE_CLAMP
#undef TINYC_TILE_BIAS
#else
  (void)r, (void)w, (void)steps, (void)out;
#endif
}

/* acc[j] += sum over k < 4 steps of x[k] * rj[k] (j < 4; k in order); steps >= 1. */
TINYC_KERNEL void tinyc_dense4_vldm(const float *x, const float *r0, const float *r1, const float *r2, const float *r3,
                                    int32_t steps, float *acc) {
#if TINYC_ARM_VLDM
  float s0 = acc[0], s1 = acc[1], s2 = acc[2], s3 = acc[3];
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
      : [s0] "+&t"(s0), [s1] "+&t"(s1), [s2] "+&t"(s2), [s3] "+&t"(s3), [x] "+&r"(x), [r0] "+&r"(r0),
      [r1] "+&r"(r1), [r2] "+&r"(r2), [r3] "+&r"(r3), [steps] "+&r"(steps)
      :
      : "s8", "s9", "s10", "s11", "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26",
        "s27", "s28", "s29", "s30", "s31", "cc", "memory");
  acc[0] = s0, acc[1] = s1, acc[2] = s2, acc[3] = s3;
#else
  (void)x, (void)r0, (void)r1, (void)r2, (void)r3, (void)steps, (void)acc;
#endif
}

/* acc[j] += sum over k < 4 steps of x[k] * r[k * rs + j] (j < 4; rows rs floats apart; k in
   order); steps >= 1. */
TINYC_KERNEL void tinyc_dense4s_vldm(const float *x, const float *r, int32_t rs, int32_t steps, float *acc) {
#if TINYC_ARM_VLDM
  float s0 = acc[0], s1 = acc[1], s2 = acc[2], s3 = acc[3];
  const int32_t rb = rs * (int32_t)sizeof(float);
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
      : [s0] "+&t"(s0), [s1] "+&t"(s1), [s2] "+&t"(s2), [s3] "+&t"(s3), [x] "+&r"(x), [r] "+&r"(r),
        [steps] "+&r"(steps)
      : [rb] "r"(rb)
      : "s8", "s9", "s10", "s11", "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26",
        "s27", "s28", "s29", "s30", "s31", "cc", "memory");
  acc[0] = s0, acc[1] = s1, acc[2] = s2, acc[3] = s3;
#else
  (void)x, (void)r, (void)rs, (void)steps, (void)acc;
#endif
}

/* acc[j] += sum over rows r < nr, i < len of xr[r][i] * (wr[r] + mo + i * ws)[j] (j < 8; r, then i,
   in order); nr >= 1, len >= 1 (tinyc_conv_nhwc_rows_f32: a pixel's valid kernel rows, each a run
   of consecutive input values and weight rows ws floats apart). Inside: acc in s0-s7, two input
   values in s8-s9, their two weight rows in s16-s31. */
TINYC_KERNEL void tinyc_taps8_vldm(const float *const *xr, const float *const *wr, int32_t mo, int32_t nr, int32_t len,
                                   int32_t ws, float *acc) {
#if TINYC_ARM_VLDM
  const int32_t wb = ws * (int32_t)sizeof(float), mb = mo * (int32_t)sizeof(float);
  const float *x, *w;
  int32_t i;
  __asm__ volatile(
      "vldmia %[acc], {s0-s7}\n\t"
      "1:\n\t"
      "ldr %[x], [%[xr]], #4\n\t"
      "ldr %[w], [%[wr]], #4\n\t"
      "add %[w], %[w], %[mb]\n\t"
      "lsrs %[i], %[len], #1\n\t"
      "beq 3f\n\t"
      "2:\n\t"
      "vldmia %[x]!, {s8-s9}\n\t"
      "vldmia %[w], {s16-s23}\n\t"
      "add %[w], %[w], %[wb]\n\t"
      "vldmia %[w], {s24-s31}\n\t"
      "add %[w], %[w], %[wb]\n\t"
      "vfma.f32 s0, s8, s16\n\t"
      "vfma.f32 s1, s8, s17\n\t"
      "vfma.f32 s2, s8, s18\n\t"
      "vfma.f32 s3, s8, s19\n\t"
      "vfma.f32 s4, s8, s20\n\t"
      "vfma.f32 s5, s8, s21\n\t"
      "vfma.f32 s6, s8, s22\n\t"
      "vfma.f32 s7, s8, s23\n\t"
      "vfma.f32 s0, s9, s24\n\t"
      "vfma.f32 s1, s9, s25\n\t"
      "vfma.f32 s2, s9, s26\n\t"
      "vfma.f32 s3, s9, s27\n\t"
      "vfma.f32 s4, s9, s28\n\t"
      "vfma.f32 s5, s9, s29\n\t"
      "vfma.f32 s6, s9, s30\n\t"
      "vfma.f32 s7, s9, s31\n\t"
      "subs %[i], %[i], #1\n\t"
      "bne 2b\n\t"
      "3:\n\t"
      "tst %[len], #1\n\t"
      "beq 4f\n\t"
      "vldmia %[x]!, {s8}\n\t"
      "vldmia %[w], {s16-s23}\n\t"
      "vfma.f32 s0, s8, s16\n\t"
      "vfma.f32 s1, s8, s17\n\t"
      "vfma.f32 s2, s8, s18\n\t"
      "vfma.f32 s3, s8, s19\n\t"
      "vfma.f32 s4, s8, s20\n\t"
      "vfma.f32 s5, s8, s21\n\t"
      "vfma.f32 s6, s8, s22\n\t"
      "vfma.f32 s7, s8, s23\n\t"
      "4:\n\t"
      "subs %[nr], %[nr], #1\n\t"
      "bne 1b\n\t"
      "vstmia %[acc], {s0-s7}"
      : [xr] "+&r"(xr), [wr] "+&r"(wr), [nr] "+&r"(nr), [x] "=&r"(x), [w] "=&r"(w), [i] "=&r"(i)
      : [acc] "r"(acc), [len] "r"(len), [wb] "r"(wb), [mb] "r"(mb)
      : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s16", "s17", "s18", "s19", "s20", "s21", "s22",
        "s23", "s24", "s25", "s26", "s27", "s28", "s29", "s30", "s31", "cc", "memory");
#else
  (void)xr, (void)wr, (void)mo, (void)nr, (void)len, (void)ws, (void)acc;
#endif
}

/* The same for two output pixels whose input runs are xo floats apart (the next pixel of a row
   with the same valid taps), the sums starting from 0 and stored to acc[j] and acc[8 + j], sharing
   each weight row's load. Inside: the
   two pixels' sums in s0-s7 and s8-s15, the tap's weights in s16-s23, its two input values in
   s24-s25. */
TINYC_KERNEL void tinyc_taps8x2_vldm(const float *const *xr, const float *const *wr, int32_t mo, int32_t nr,
                                     int32_t len, int32_t ws, int32_t xo, float *acc) {
#if TINYC_ARM_VLDM
  const int32_t wb = ws * (int32_t)sizeof(float), mb = mo * (int32_t)sizeof(float), xb = xo * (int32_t)sizeof(float);
  const float *x, *x2, *w;
  int32_t i;
  __asm__ volatile(
      "movs %[i], #0\n\t"
      "vmov s0, s1, %[i], %[i]\n\t"
      "vmov s2, s3, %[i], %[i]\n\t"
      "vmov s4, s5, %[i], %[i]\n\t"
      "vmov s6, s7, %[i], %[i]\n\t"
      "vmov s8, s9, %[i], %[i]\n\t"
      "vmov s10, s11, %[i], %[i]\n\t"
      "vmov s12, s13, %[i], %[i]\n\t"
      "vmov s14, s15, %[i], %[i]\n\t"
      "1:\n\t"
      "ldr %[x], [%[xr]], #4\n\t"
      "ldr %[w], [%[wr]], #4\n\t"
      "add %[x2], %[x], %[xb]\n\t"
      "add %[w], %[w], %[mb]\n\t"
      "mov %[i], %[len]\n\t"
      "2:\n\t"
      "vldmia %[x]!, {s24}\n\t"
      "vldmia %[x2]!, {s25}\n\t"
      "vldmia %[w], {s16-s23}\n\t"
      "add %[w], %[w], %[wb]\n\t"
      "vfma.f32 s0, s24, s16\n\t"
      "vfma.f32 s1, s24, s17\n\t"
      "vfma.f32 s2, s24, s18\n\t"
      "vfma.f32 s3, s24, s19\n\t"
      "vfma.f32 s4, s24, s20\n\t"
      "vfma.f32 s5, s24, s21\n\t"
      "vfma.f32 s6, s24, s22\n\t"
      "vfma.f32 s7, s24, s23\n\t"
      "vfma.f32 s8, s25, s16\n\t"
      "vfma.f32 s9, s25, s17\n\t"
      "vfma.f32 s10, s25, s18\n\t"
      "vfma.f32 s11, s25, s19\n\t"
      "vfma.f32 s12, s25, s20\n\t"
      "vfma.f32 s13, s25, s21\n\t"
      "vfma.f32 s14, s25, s22\n\t"
      "vfma.f32 s15, s25, s23\n\t"
      "subs %[i], %[i], #1\n\t"
      "bne 2b\n\t"
      "subs %[nr], %[nr], #1\n\t"
      "bne 1b\n\t"
      "vstmia %[acc], {s0-s15}"
      : [xr] "+&r"(xr), [wr] "+&r"(wr), [nr] "+&r"(nr), [x] "=&r"(x), [x2] "=&r"(x2), [w] "=&r"(w), [i] "=&r"(i)
      : [acc] "r"(acc), [len] "r"(len), [wb] "r"(wb), [mb] "r"(mb), [xb] "r"(xb)
      : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15", "s16",
        "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "cc", "memory");
#else
  (void)xr, (void)wr, (void)mo, (void)nr, (void)len, (void)ws, (void)xo, (void)acc;
#endif
}

/* The same for 4 output channels (the last block of a layer with 4 mod 8 of them, e.g. kept by
   pruning in steps of 4): acc[j] for j < 4. Inside: acc in s0-s3, two input values in s8-s9,
   their two weight rows in s16-s23. */
TINYC_KERNEL void tinyc_taps4_vldm(const float *const *xr, const float *const *wr, int32_t mo, int32_t nr, int32_t len,
                                   int32_t ws, float *acc) {
#if TINYC_ARM_VLDM
  const int32_t wb = ws * (int32_t)sizeof(float), mb = mo * (int32_t)sizeof(float);
  const float *x, *w;
  int32_t i;
  __asm__ volatile(
      "vldmia %[acc], {s0-s3}\n\t"
      "1:\n\t"
      "ldr %[x], [%[xr]], #4\n\t"
      "ldr %[w], [%[wr]], #4\n\t"
      "add %[w], %[w], %[mb]\n\t"
      "lsrs %[i], %[len], #1\n\t"
      "beq 3f\n\t"
      "2:\n\t"
      "vldmia %[x]!, {s8-s9}\n\t"
      "vldmia %[w], {s16-s19}\n\t"
      "add %[w], %[w], %[wb]\n\t"
      "vldmia %[w], {s20-s23}\n\t"
      "add %[w], %[w], %[wb]\n\t"
      "vfma.f32 s0, s8, s16\n\t"
      "vfma.f32 s1, s8, s17\n\t"
      "vfma.f32 s2, s8, s18\n\t"
      "vfma.f32 s3, s8, s19\n\t"
      "vfma.f32 s0, s9, s20\n\t"
      "vfma.f32 s1, s9, s21\n\t"
      "vfma.f32 s2, s9, s22\n\t"
      "vfma.f32 s3, s9, s23\n\t"
      "subs %[i], %[i], #1\n\t"
      "bne 2b\n\t"
      "3:\n\t"
      "tst %[len], #1\n\t"
      "beq 4f\n\t"
      "vldmia %[x]!, {s8}\n\t"
      "vldmia %[w], {s16-s19}\n\t"
      "vfma.f32 s0, s8, s16\n\t"
      "vfma.f32 s1, s8, s17\n\t"
      "vfma.f32 s2, s8, s18\n\t"
      "vfma.f32 s3, s8, s19\n\t"
      "4:\n\t"
      "subs %[nr], %[nr], #1\n\t"
      "bne 1b\n\t"
      "vstmia %[acc], {s0-s3}"
      : [xr] "+&r"(xr), [wr] "+&r"(wr), [nr] "+&r"(nr), [x] "=&r"(x), [w] "=&r"(w), [i] "=&r"(i)
      : [acc] "r"(acc), [len] "r"(len), [wb] "r"(wb), [mb] "r"(mb)
      : "s0", "s1", "s2", "s3", "s8", "s9", "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "cc", "memory");
#else
  (void)xr, (void)wr, (void)mo, (void)nr, (void)len, (void)ws, (void)acc;
#endif
}

/* tinyc_taps8x2_vldm for 4 output channels: the two pixels' sums in acc[j] and acc[4 + j] (j < 4). Inside: the sums in s0-s3 and s4-s7, the tap's weights in s16-s19,
   its two input values in s24-s25. */
TINYC_KERNEL void tinyc_taps4x2_vldm(const float *const *xr, const float *const *wr, int32_t mo, int32_t nr,
                                     int32_t len, int32_t ws, int32_t xo, float *acc) {
#if TINYC_ARM_VLDM
  const int32_t wb = ws * (int32_t)sizeof(float), mb = mo * (int32_t)sizeof(float), xb = xo * (int32_t)sizeof(float);
  const float *x, *x2, *w;
  int32_t i;
  __asm__ volatile(
      "movs %[i], #0\n\t"
      "vmov s0, s1, %[i], %[i]\n\t"
      "vmov s2, s3, %[i], %[i]\n\t"
      "vmov s4, s5, %[i], %[i]\n\t"
      "vmov s6, s7, %[i], %[i]\n\t"
      "1:\n\t"
      "ldr %[x], [%[xr]], #4\n\t"
      "ldr %[w], [%[wr]], #4\n\t"
      "add %[x2], %[x], %[xb]\n\t"
      "add %[w], %[w], %[mb]\n\t"
      "mov %[i], %[len]\n\t"
      "2:\n\t"
      "vldmia %[x]!, {s24}\n\t"
      "vldmia %[x2]!, {s25}\n\t"
      "vldmia %[w], {s16-s19}\n\t"
      "add %[w], %[w], %[wb]\n\t"
      "vfma.f32 s0, s24, s16\n\t"
      "vfma.f32 s1, s24, s17\n\t"
      "vfma.f32 s2, s24, s18\n\t"
      "vfma.f32 s3, s24, s19\n\t"
      "vfma.f32 s4, s25, s16\n\t"
      "vfma.f32 s5, s25, s17\n\t"
      "vfma.f32 s6, s25, s18\n\t"
      "vfma.f32 s7, s25, s19\n\t"
      "subs %[i], %[i], #1\n\t"
      "bne 2b\n\t"
      "subs %[nr], %[nr], #1\n\t"
      "bne 1b\n\t"
      "vstmia %[acc], {s0-s7}"
      : [xr] "+&r"(xr), [wr] "+&r"(wr), [nr] "+&r"(nr), [x] "=&r"(x), [x2] "=&r"(x2), [w] "=&r"(w), [i] "=&r"(i)
      : [acc] "r"(acc), [len] "r"(len), [wb] "r"(wb), [mb] "r"(mb), [xb] "r"(xb)
      : "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s16", "s17", "s18", "s19", "s24", "s25", "cc", "memory");
#else
  (void)xr, (void)wr, (void)mo, (void)nr, (void)len, (void)ws, (void)xo, (void)acc;
#endif
}
