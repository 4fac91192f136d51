/* tinyc runtime: the 3x3 depthwise convolution's rows (nhwc.c, stride 1 or 2, multiplier 1) on Arm
   cores with an FPU with VFMA (TINYC_ARM_VLDM, runtime/common.c: Cortex-M4, M7, M33, M55 with
   optimization), four channels at a time and one kernel row per pass: the pass keeps that row's
   12 weights in s20-s31 and a window of three input columns (4 channels each, one VLDM per
   column) in s8-s19, and adds each output's three taps to the partial sums it reads from the
   output row (the first pass reads zeros, the last adds the bias). Per output and pass: 3 loads
   and stores + 12 multiply-adds, where the per-channel C loop takes 3 loads + 9 multiply-adds per
   channel for the whole window. Each output is the same chain of fused multiply-adds in the same
   (ky, kx) order as the C kernels' (nhwc.c), so the results are bit-identical (ctest c.float_asm).
   Elsewhere these are not called (and empty). requires: common */

#if TINYC_ARM_VLDM
/* One column of four channels into registers a..a+3; the column pointer moves on. */
#define TINYC_DWP_LD(a, b, c, d) "vldmia %[px], {s" #a "-s" #d "}\n\tadd %[px], %[px], %[cb]\n\t"
/* The sums s0-s3 of one output: ACC loads them (zeros or the partial sums), then the window's
   columns times the weights of taps 0, 1, 2 (W0, W1, W2: s20-s23, s24-s27, s28-s31), EPI (the
   bias or nothing), the store. */
#define TINYC_DWP_OUT(ACC, EPI, A, B, N) \
  ACC A B N EPI "vstmia %[py], {s0-s3}\n\tadd %[py], %[py], %[cb]\n\t"
#define TINYC_DWP_W0(a, b, c, d) \
  "vfma.f32 s0, s" #a ", s20\n\tvfma.f32 s1, s" #b ", s21\n\tvfma.f32 s2, s" #c ", s22\n\tvfma.f32 s3, s" #d ", s23\n\t"
#define TINYC_DWP_W1(a, b, c, d) \
  "vfma.f32 s0, s" #a ", s24\n\tvfma.f32 s1, s" #b ", s25\n\tvfma.f32 s2, s" #c ", s26\n\tvfma.f32 s3, s" #d ", s27\n\t"
#define TINYC_DWP_W2(a, b, c, d) \
  "vfma.f32 s0, s" #a ", s28\n\tvfma.f32 s1, s" #b ", s29\n\tvfma.f32 s2, s" #c ", s30\n\tvfma.f32 s3, s" #d ", s31\n\t"
#define TINYC_DWP_C8 8, 9, 10, 11
#define TINYC_DWP_C12 12, 13, 14, 15
#define TINYC_DWP_C16 16, 17, 18, 19
#define TINYC_DWP_X(M, ...) M(__VA_ARGS__)
/* The weights of kernel row ky of channels c..c+3 (w + 9 c + 3 ky: tap kx of channel j at
   w[9 j + kx]) into s20-s31, the four biases (or zeros) into s4-s7. */
#define TINYC_DWP_PROLOGUE                                                                                  \
  "vldr s20, [%[w]]\n\tvldr s21, [%[w], #36]\n\tvldr s22, [%[w], #72]\n\tvldr s23, [%[w], #108]\n\t"       \
  "vldr s24, [%[w], #4]\n\tvldr s25, [%[w], #40]\n\tvldr s26, [%[w], #76]\n\tvldr s27, [%[w], #112]\n\t"   \
  "vldr s28, [%[w], #8]\n\tvldr s29, [%[w], #44]\n\tvldr s30, [%[w], #80]\n\tvldr s31, [%[w], #116]\n\t"   \
  "vldmia %[pb], {s4-s7}\n\t"
#define TINYC_DWP_ACC_ZERO "vldmia %[pz], {s0-s3}\n\t"
#define TINYC_DWP_ACC_Y "vldmia %[py], {s0-s3}\n\t"
#define TINYC_DWP_EPI_NONE ""
#define TINYC_DWP_EPI_BIAS "vadd.f32 s0, s0, s4\n\tvadd.f32 s1, s1, s5\n\tvadd.f32 s2, s2, s6\n\tvadd.f32 s3, s3, s7\n\t"
/* Output with window columns (A, B, N) in the register groups named, N loaded first. */
#define TINYC_DWP_S1(ACC, EPI, A, B, N)                                                                       \
  TINYC_DWP_X(TINYC_DWP_LD, N)                                                                              \
  TINYC_DWP_OUT(ACC, EPI, TINYC_DWP_X(TINYC_DWP_W0, A), TINYC_DWP_X(TINYC_DWP_W1, B), TINYC_DWP_X(TINYC_DWP_W2, N))
#define TINYC_DWP_S2(ACC, EPI, A, B, N)                                                                       \
  TINYC_DWP_X(TINYC_DWP_LD, B)                                                                              \
  TINYC_DWP_X(TINYC_DWP_LD, N)                                                                              \
  TINYC_DWP_OUT(ACC, EPI, TINYC_DWP_X(TINYC_DWP_W0, A), TINYC_DWP_X(TINYC_DWP_W1, B), TINYC_DWP_X(TINYC_DWP_W2, N))
#define TINYC_DWP_CLOBBERS                                                                                   \
  "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15", "s16", \
      "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26", "s27", "s28", "s29", "s30", "s31", "cc", "memory"
/* One column of zeros (pz) into registers a..a+3 (the column left or right of the input row). */
#define TINYC_DWP_LDZ(a, b, c, d) "vldmia %[pz], {s" #a "-s" #d "}\n\t"
#define TINYC_DWP_LDA(a, b, c, d) "vldmia %[pa], {s" #a "-s" #d "}\n\t"
#define TINYC_DWP_OPERANDS                                                                                 \
  : [px] "+&r"(x), [py] "+&r"(y), [n] "+&r"(rounds)                                                          \
  : [w] "r"(w), [pb] "r"(bias), [pz] "r"(zero), [pa] "r"(xa), [cb] "r"(cb), [skip] "r"(skip), [tail] "r"(tail) \
  : TINYC_DWP_CLOBBERS
/* Stride 1: three outputs per loop (the window's columns rotate by name); `skip` outputs of the
   first round are skipped (entering at the second or third output with the window loaded into
   the registers that output reads), so any count works. The first output's first column comes
   from xa (zeros on the left edge), the others from x on. A round always ends with the window in
   the first output's registers: the tail output (its last column zeros, the right edge) reads
   them there. */
#define TINYC_DWP_ASM_S1(ACC, EPI)                                                                 \
  __asm__ volatile(TINYC_DWP_PROLOGUE                                                              \
                   "cmp %[skip], #1\n\t"                                                           \
                   "beq 11f\n\t"                                                                   \
                   "bgt 12f\n\t" TINYC_DWP_X(TINYC_DWP_LDA, TINYC_DWP_C8)                          \
                       TINYC_DWP_X(TINYC_DWP_LD, TINYC_DWP_C12) "b 1f\n\t"                         \
                   "11:\n\t" TINYC_DWP_X(TINYC_DWP_LDA, TINYC_DWP_C12)                             \
                       TINYC_DWP_X(TINYC_DWP_LD, TINYC_DWP_C16) "b 2f\n\t"                         \
                   "12:\n\t" TINYC_DWP_X(TINYC_DWP_LDA, TINYC_DWP_C16)                             \
                       TINYC_DWP_X(TINYC_DWP_LD, TINYC_DWP_C8) "b 3f\n\t"                          \
                   "1:\n\t" TINYC_DWP_S1(ACC, EPI, TINYC_DWP_C8, TINYC_DWP_C12, TINYC_DWP_C16)     \
                   "2:\n\t" TINYC_DWP_S1(ACC, EPI, TINYC_DWP_C12, TINYC_DWP_C16, TINYC_DWP_C8)     \
                   "3:\n\t" TINYC_DWP_S1(ACC, EPI, TINYC_DWP_C16, TINYC_DWP_C8, TINYC_DWP_C12)     \
                   "subs %[n], %[n], #1\n\t"                                                       \
                   "bne 1b\n\t"                                                                    \
                   "cmp %[tail], #0\n\t"                                                           \
                   "beq 9f\n\t" TINYC_DWP_X(TINYC_DWP_LDZ, TINYC_DWP_C16)                          \
                       TINYC_DWP_OUT(ACC, EPI, TINYC_DWP_X(TINYC_DWP_W0, TINYC_DWP_C8),            \
                                     TINYC_DWP_X(TINYC_DWP_W1, TINYC_DWP_C12),                     \
                                     TINYC_DWP_X(TINYC_DWP_W2, TINYC_DWP_C16)) "9:"                \
                   TINYC_DWP_OPERANDS)
/* Stride 2: two outputs per loop; the window's last column is the next output's first. */
#define TINYC_DWP_ASM_S2(ACC, EPI)                                                                 \
  __asm__ volatile(TINYC_DWP_PROLOGUE                                                              \
                   "cmp %[skip], #1\n\t"                                                           \
                   "beq 11f\n\t" TINYC_DWP_X(TINYC_DWP_LDA, TINYC_DWP_C8) "b 1f\n\t"               \
                   "11:\n\t" TINYC_DWP_X(TINYC_DWP_LDA, TINYC_DWP_C16) "b 2f\n\t"                  \
                   "1:\n\t" TINYC_DWP_S2(ACC, EPI, TINYC_DWP_C8, TINYC_DWP_C12, TINYC_DWP_C16)     \
                   "2:\n\t" TINYC_DWP_S2(ACC, EPI, TINYC_DWP_C16, TINYC_DWP_C12, TINYC_DWP_C8)     \
                   "subs %[n], %[n], #1\n\t"                                                       \
                   "bne 1b\n\t"                                                                    \
                   "cmp %[tail], #0\n\t"                                                           \
                   "beq 9f\n\t" TINYC_DWP_X(TINYC_DWP_LD, TINYC_DWP_C12)                           \
                       TINYC_DWP_X(TINYC_DWP_LDZ, TINYC_DWP_C16)                                   \
                           TINYC_DWP_OUT(ACC, EPI, TINYC_DWP_X(TINYC_DWP_W0, TINYC_DWP_C8),        \
                                         TINYC_DWP_X(TINYC_DWP_W1, TINYC_DWP_C12),                 \
                                         TINYC_DWP_X(TINYC_DWP_W2, TINYC_DWP_C16)) "9:"            \
                   TINYC_DWP_OPERANDS)
#endif

/* One pass over `count` >= 1 consecutive outputs of one output row (and a tail output after them
   when `tail`), channels c..c+3 (y: the first output's channel c, outputs cb bytes apart), for
   kernel row ky (w: the weights + 9 c + 3 ky). Input columns (channel c, cb bytes apart in the
   row, stride 1 or 2 columns per output): the first output's first column at xa (NULL: zeros, the
   column left of the input), the rest from x on; the tail output's last column is zeros (right
   of the input). kind 0: the sums start at zero (the first kernel row the outputs read), 1: at
   y's partial sums, 2: at y's partial sums and the bias (4 floats; NULL: none) is added after. */
TINYC_KERNEL void tinyc_dw3_pass_vldm(int32_t stride, int32_t kind, const float *xa, const float *x, int32_t cb,
                                      const float *w, const float *bias, float *y, int32_t count, int32_t tail) {
#if TINYC_ARM_VLDM
  const float zero[4] = {0.0f, 0.0f, 0.0f, 0.0f};
  const int32_t u = stride == 1 ? 3 : 2, skip = (u - count % u) % u;
  int32_t rounds = (count + u - 1) / u;
  if (!bias) bias = zero;
  if (!xa) xa = zero;
  if (stride == 1) {
    if (kind == 0)
      TINYC_DWP_ASM_S1(TINYC_DWP_ACC_ZERO, TINYC_DWP_EPI_NONE);
    else if (kind == 1)
      TINYC_DWP_ASM_S1(TINYC_DWP_ACC_Y, TINYC_DWP_EPI_NONE);
    else
      TINYC_DWP_ASM_S1(TINYC_DWP_ACC_Y, TINYC_DWP_EPI_BIAS);
  } else {
    if (kind == 0)
      TINYC_DWP_ASM_S2(TINYC_DWP_ACC_ZERO, TINYC_DWP_EPI_NONE);
    else if (kind == 1)
      TINYC_DWP_ASM_S2(TINYC_DWP_ACC_Y, TINYC_DWP_EPI_NONE);
    else
      TINYC_DWP_ASM_S2(TINYC_DWP_ACC_Y, TINYC_DWP_EPI_BIAS);
  }
#else
  (void)stride, (void)kind, (void)xa, (void)x, (void)cb, (void)w, (void)bias, (void)y, (void)count, (void)tail;
#endif
}

/* v = v <= lo ? lo : v, then v >= hi ? hi : v (tinyc_clamp_f32: a NaN stays NaN) for n >= 1 runs
   of four consecutive floats (lh: lo, hi). */
TINYC_KERNEL void tinyc_clamp4_vldm(float *y, int32_t n, const float *lh) {
#if TINYC_ARM_VLDM
#define TINYC_DWP_CLAMP(i)                                                                               \
  "vcmp.f32 s" #i ", s4\n\tvmrs APSR_nzcv, fpscr\n\tit ls\n\tvmovls.f32 s" #i ", s4\n\t"                 \
  "vcmp.f32 s" #i ", s5\n\tvmrs APSR_nzcv, fpscr\n\tit ge\n\tvmovge.f32 s" #i ", s5\n\t"
  __asm__ volatile(
      "vldmia %[lh], {s4-s5}\n\t"
      "1:\n\t"
      "vldmia %[y], {s0-s3}\n\t" TINYC_DWP_CLAMP(0) TINYC_DWP_CLAMP(1) TINYC_DWP_CLAMP(2) TINYC_DWP_CLAMP(3)
      "vstmia %[y]!, {s0-s3}\n\t"
      "subs %[n], %[n], #1\n\t"
      "bne 1b"
      : [y] "+&r"(y), [n] "+&r"(n)
      : [lh] "r"(lh)
      : "s0", "s1", "s2", "s3", "s4", "s5", "cc", "memory");
#undef TINYC_DWP_CLAMP
#else
  (void)y, (void)n, (void)lh;
#endif
}
