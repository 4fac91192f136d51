/* tinyc runtime: int8 kernels for Arm cores with Helium, the M-profile vector extension (Cortex-M55). requires: common qmath qint */
/* With MVE (__ARM_FEATURE_MVE) these are the arm_mve.h intrinsics; otherwise (a host build of a
   Cortex-M55 target, e.g. `tinyc validate --target cortex-m55`) the same sums in plain C. Every
   sum is the same integer as the portable kernels' (no product or sum here can overflow) and the
   requantization is tinyc_requant_hw's arithmetic lane by lane, so the results are bit-identical
   to the portable kernels'.

   Requantization of four channels at once (every rshift > 32: hw holds the pairs
   (rshift - 32, 2^(rshift - 33)) per channel, or one pair when pc = 0): VMULH gives the high word
   of each 64-bit product (floor, as the >> 32 of tinyc_requant_hw), then + the rounding term, an
   arithmetic shift right (VSHL by the negated shift), + zy, clamped to [lo, hi], and VSTRB.32
   stores the low byte of each lane. */
#if defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 1) && (defined(__GNUC__) || defined(__clang__))
#define TINYC_MVE 1
#include <arm_mve.h>

/* gcc with optimization: tinyc_qrow2_mve_i8's chunk loop in inline assembly, its eight sums in
   even registers (constraint "Te", as VMLADAVA needs); -DTINYC_NO_ASM keeps the intrinsics. */
#if defined(__OPTIMIZE__) && !defined(__clang__) && !defined(TINYC_NO_ASM)
#define TINYC_MVE_ASM 1
#else
#define TINYC_MVE_ASM 0
#endif

/* The requantization constants of channels m .. m + 3 (pc = 1) or of every channel (pc = 0). */
typedef struct {
  int32x4_t mult, nsh, rnd;
} tinyc_mve_rq;
TINYC_KERNEL tinyc_mve_rq tinyc_mve_rq_at(const int32_t *mult, const int32_t *hw, int32_t pc, int32_t m) {
  tinyc_mve_rq q;
  if (pc) {
    const uint32x4_t even = vidupq_n_u32(0, 2); /* 0, 2, 4, 6 */
    q.mult = vldrwq_s32(mult + m);
    q.nsh = vnegq_s32(vldrwq_gather_shifted_offset_s32(hw + 2 * m, even));
    q.rnd = vldrwq_gather_shifted_offset_s32(hw + 2 * m + 1, even);
  } else {
    q.mult = vdupq_n_s32(mult[0]);
    q.nsh = vdupq_n_s32(-hw[0]);
    q.rnd = vdupq_n_s32(hw[1]);
  }
  return q;
}
/* The requantized lanes (every store below goes through this one arithmetic). */
TINYC_KERNEL int32x4_t tinyc_mve_rq4(int32x4_t s, tinyc_mve_rq q, int32_t zy, int32_t lo, int32_t hi) {
  const int32x4_t r = vshlq_s32(vaddq_s32(vmulhq_s32(s, q.mult), q.rnd), q.nsh);
  return vminq_s32(vmaxq_s32(vaddq_n_s32(r, zy), vdupq_n_s32(lo)), vdupq_n_s32(hi));
}
TINYC_KERNEL void tinyc_mve_requant4(int32x4_t s, tinyc_mve_rq q, int32_t zy, int32_t lo, int32_t hi, int8_t *y) {
  vstrbq_s32(y, tinyc_mve_rq4(s, q, zy, lo, hi));
}
/* Four scalar sums as one vector. */
TINYC_KERNEL int32x4_t tinyc_mve_vec4(int32_t a, int32_t b, int32_t c, int32_t d) {
  int32x4_t v = vdupq_n_s32(a);
  v = vsetq_lane_s32(b, v, 1), v = vsetq_lane_s32(c, v, 2);
  return vsetq_lane_s32(d, v, 3);
}
#endif

/* Weights for tinyc_qconv_mve_i8 (written by the emitter): the output channels in blocks of four
   (zero past the last one), each channel's K weights padded with zeros to K16 = K rounded up to
   16, stored chunk-major: wp[((b * K16 / 16 + k / 16) * 4 + j) * 16 + k % 16] = w[4 b + j][k]. So
   one pointer walks a block's 64 bytes per chunk of 16 products. */

/* Requantization of the sums of two pixels (s0 .. s3: pixel 0, channels m .. m + 3; s4 .. s7:
   pixel 1) into y0 + m and y1 + m (y1: NULL for a lone pixel), n <= 4 channels. */
TINYC_KERNEL void tinyc_qmve_store(int32_t s0, int32_t s1, int32_t s2, int32_t s3, int32_t s4, int32_t s5, int32_t s6,
                                   int32_t s7, int32_t m, int32_t n, const int32_t *mult, const int32_t *rsh,
                                   const int32_t *hw, int32_t pc, int32_t zy, int32_t lo, int32_t hi, int8_t *y0,
                                   int8_t *y1) {
  int32_t s[8], j;
#if defined(TINYC_MVE)
  if (hw) {
    const tinyc_mve_rq q = tinyc_mve_rq_at(mult, hw, pc, m);
    const int32x4_t r0 = tinyc_mve_rq4(tinyc_mve_vec4(s0, s1, s2, s3), q, zy, lo, hi);
    if (n == 4) { /* no predicate to build */
      vstrbq_s32(y0 + m, r0);
      if (y1) vstrbq_s32(y1 + m, tinyc_mve_rq4(tinyc_mve_vec4(s4, s5, s6, s7), q, zy, lo, hi));
    } else {
      const mve_pred16_t keep = vctp32q((uint32_t)n);
      vstrbq_p_s32(y0 + m, r0, keep);
      if (y1) vstrbq_p_s32(y1 + m, tinyc_mve_rq4(tinyc_mve_vec4(s4, s5, s6, s7), q, zy, lo, hi), keep);
    }
    return;
  }
#else
  (void)hw;
#endif
  s[0] = s0, s[1] = s1, s[2] = s2, s[3] = s3, s[4] = s4, s[5] = s5, s[6] = s6, s[7] = s7;
  for (j = 0; j < n; ++j) {
    y0[m + j] = (int8_t)tinyc_requant(s[j], mult[(m + j) * pc], rsh[(m + j) * pc], zy, lo, hi);
    if (y1) y1[m + j] = (int8_t)tinyc_requant(s[4 + j], mult[(m + j) * pc], rsh[(m + j) * pc], zy, lo, hi);
  }
}

/* Two receptive fields a0, a1 (K int8 each, the weights' order; a1 = a0 for a lone pixel) times
   every block of four channels: y0[m] and y1[m] = requant(bias[m] + a . w_m). With MVE, per chunk
   of 16: the two fields' bytes (the last chunk loaded under a tail predicate, zero past K) and the
   block's four weight rows, eight VMLADAVA (128 MACs in 14 instructions). bias, mult and hw are
   padded to a multiple of four channels; hw: NULL when some rshift <= 32. */
TINYC_KERNEL TINYC_NOINLINE void tinyc_qrow2_mve_i8(const int8_t *a0, const int8_t *a1, const int8_t *wp, int32_t K,
                                                    int32_t M, const int32_t *bias, const int32_t *mult,
                                                    const int32_t *rsh, const int32_t *hw, int32_t pc, int32_t zy,
                                                    int32_t lo, int32_t hi, int8_t *y0, int8_t *y1) {
  const int32_t K16 = (K + 15) & ~15;
  int32_t m;
#if defined(TINYC_MVE)
  const int32_t full = K & ~15;
  const mve_pred16_t tail = vctp8q((uint32_t)(K - full));
#else
  int32_t k, j;
#endif
  for (m = 0; m < M; m += 4, wp += 4 * K16) {
    int32_t s0 = bias[m], s1 = bias[m + 1], s2 = bias[m + 2], s3 = bias[m + 3];
    int32_t s4 = s0, s5 = s1, s6 = s2, s7 = s3;
#if defined(TINYC_MVE)
    const int8_t *w = wp, *p0 = a0, *p1 = a1, *end = a0 + full;
/* One chunk: the fields' 16 bytes X0, X1 times the block's four weight rows at w. */
#define TINYC_QMVE_CHUNK(X0, X1)                                                   \
  do {                                                                             \
    const int8x16_t x0 = (X0), x1 = (X1);                                          \
    int8x16_t v = vldrbq_s8(w);                                                    \
    s0 = vmladavaq_s8(s0, x0, v), s4 = vmladavaq_s8(s4, x1, v);                    \
    v = vldrbq_s8(w + 16);                                                         \
    s1 = vmladavaq_s8(s1, x0, v), s5 = vmladavaq_s8(s5, x1, v);                    \
    v = vldrbq_s8(w + 32);                                                         \
    s2 = vmladavaq_s8(s2, x0, v), s6 = vmladavaq_s8(s6, x1, v);                    \
    v = vldrbq_s8(w + 48);                                                         \
    s3 = vmladavaq_s8(s3, x0, v), s7 = vmladavaq_s8(s7, x1, v);                    \
  } while (0)
#if TINYC_MVE_ASM
    if (p0 != end) /* the same eight VMLADAVA per chunk in 16 instructions (gcc: 28, moving sums through memory) */
      __asm__ volatile(
          "1:\n\t"
          "vldrb.8 q0, [%[p0]], #16\n\t"
          "vldrb.8 q1, [%[p1]], #16\n\t"
          "vldrb.8 q2, [%[w]], #64\n\t"
          "vldrb.8 q3, [%[w], #-48]\n\t"
          "vmladava.s8 %[s0], q0, q2\n\t"
          "vmladava.s8 %[s4], q1, q2\n\t"
          "vldrb.8 q2, [%[w], #-32]\n\t"
          "vmladava.s8 %[s1], q0, q3\n\t"
          "vmladava.s8 %[s5], q1, q3\n\t"
          "vldrb.8 q3, [%[w], #-16]\n\t"
          "vmladava.s8 %[s2], q0, q2\n\t"
          "vmladava.s8 %[s6], q1, q2\n\t"
          "vmladava.s8 %[s3], q0, q3\n\t"
          "vmladava.s8 %[s7], q1, q3\n\t"
          "cmp %[p0], %[end]\n\t"
          "bne 1b"
          : [s0] "+&Te"(s0), [s1] "+&Te"(s1), [s2] "+&Te"(s2), [s3] "+&Te"(s3), [s4] "+&Te"(s4), [s5] "+&Te"(s5),
            [s6] "+&Te"(s6), [s7] "+&Te"(s7), [p0] "+&r"(p0), [p1] "+&r"(p1), [w] "+&r"(w), [end] "+&r"(end)
          : /* end as an in-out operand: as a plain input, gcc 12 -O2 found the constraints impossible
               in a constant-propagated copy (long run seed 32, graph 2621: an int8 Gemm of one row) */
          : "q0", "q1", "q2", "q3", "cc", "memory");
#else
    for (; p0 != end; p0 += 16, p1 += 16, w += 64) TINYC_QMVE_CHUNK(vldrbq_s8(p0), vldrbq_s8(p1));
#endif
    if (full < K) TINYC_QMVE_CHUNK(vldrbq_z_s8(p0, tail), vldrbq_z_s8(p1, tail));
#undef TINYC_QMVE_CHUNK
#else
    for (k = 0; k < K; ++k) {
      const int8_t *w = wp + (k / 16) * 64 + k % 16;
      for (j = 0; j < 4; ++j) {
        const int32_t v = w[16 * j];
        *(j == 0 ? &s0 : j == 1 ? &s1 : j == 2 ? &s2 : &s3) += a0[k] * v;
        *(j == 0 ? &s4 : j == 1 ? &s5 : j == 2 ? &s6 : &s7) += a1[k] * v;
      }
    }
#endif
    tinyc_qmve_store(s0, s1, s2, s3, s4, s5, s6, s7, m, M - m < 4 ? M - m : 4, mult, rsh, hw, pc, zy, lo, hi, y0, y1);
  }
}

/* Channels-last convolution with one group (any kernel size, stride, dilation, padding): output
   pixels in pairs, each one's receptive field (tinyc_qpatch_i8 into col: 2 K bytes of scratch; a
   1x1 stride-1 unpadded convolution reads the input rows in place), then tinyc_qrow2_mve_i8 over
   the chunk-major weights. The bias has the input zero point folded in (the kernels read raw x). */
TINYC_KERNEL void tinyc_qconv_mve_i8(const int8_t *x, const int8_t *wp, const int32_t *bias, int8_t *y, const int32_t *p,
                                     const int32_t *mult, const int32_t *rsh, int32_t pc, int32_t zx, int32_t zy,
                                     int32_t lo, int32_t hi, int8_t *col, const int32_t *hw) {
  const int32_t C = p[TINYC_QC_C], M = p[TINYC_QC_M], OW = p[TINYC_QC_OW], P = p[TINYC_QC_OH] * OW;
  const int32_t K = C * p[TINYC_QC_KH] * p[TINYC_QC_KW];
  const int direct = K == C && p[TINYC_QC_SH] == 1 && p[TINYC_QC_SW] == 1 && p[TINYC_QC_PT] == 0 &&
                     p[TINYC_QC_PL] == 0 && OW == p[TINYC_QC_W] && p[TINYC_QC_OH] == p[TINYC_QC_H];
  int32_t o, oh = 0, ow = 0;
  TINYC_SCRATCH_NEED(tinyc_qconv_i8_scratch(p));
  for (o = 0; o < P; o += 2) {
    const int two = o + 1 < P;
    const int8_t *a0 = x + (size_t)o * (size_t)C, *a1 = two ? a0 + C : a0;
    if (!direct) {
      tinyc_qpatch_i8(x, p, 0, C, oh, ow, zx, 1, col, 1);
      a0 = a1 = col;
      if (++ow == OW) ow = 0, ++oh;
      if (two) {
        tinyc_qpatch_i8(x, p, 0, C, oh, ow, zx, 1, col + K, 1);
        a1 = col + K;
        if (++ow == OW) ow = 0, ++oh;
      }
    }
    tinyc_qrow2_mve_i8(a0, a1, wp, K, M, bias, mult, rsh, hw, pc, zy, lo, hi, y + (size_t)o * (size_t)M,
                       two ? y + (size_t)(o + 1) * (size_t)M : NULL);
  }
}

/* Gemm: y[M, N] = requant(bias + a[M, K] . w[N, K]^T), rows in pairs through tinyc_qrow2_mve_i8
   with the chunk-major weights; the bias with the input zero point folded in. */
TINYC_KERNEL void tinyc_qgemm_mve_i8(const int8_t *a, const int8_t *wp, const int32_t *bias, int8_t *y, int32_t M,
                                     int32_t K, int32_t N, const int32_t *mult, const int32_t *rsh, int32_t pc, int32_t zy,
                                     int32_t lo, int32_t hi, const int32_t *hw) {
  int32_t r;
  for (r = 0; r < M; r += 2) {
    const int two = r + 1 < M;
    const int8_t *a0 = a + (size_t)r * (size_t)K;
    tinyc_qrow2_mve_i8(a0, two ? a0 + K : a0, wp, K, N, bias, mult, rsh, hw, pc, zy, lo, hi, y + (size_t)r * (size_t)N,
                       two ? y + (size_t)(r + 1) * (size_t)N : NULL);
  }
}

/* Channels-last depthwise convolution: the pixel function of TINYC_QDW_NHWC_KERNEL (runtime/qint.c:
   the pixel loop, the taps as row pointers, zrow), weights tap-major (wt[t * C + c]) as for
   tinyc_qdwconv_nhwc_i8. With MVE, sixteen channels per pass over the taps: per tap one VLDRB of
   the inputs and one of the weights, VMULLB / VMULLT the products of the even / odd channels as
   int16 (|x w| <= 2^14), widened (VMOVLB / VMOVLT) into four int32 sums that hold the channels
   c + {0, 4, 8, 12}, + {1, 5, 9, 13}, + {2, 6, 10, 14} and + {3, 7, 11, 15} (bias, multipliers
   and outputs gathered and scattered with those offsets). `pair` (weights in [-127, 127], which
   the emitter checks): two taps' int16 products are added before widening (|sum| <= 2 * 128 * 127
   < 2^15). Then four channels per vector, then the rest one at a time. Scratch: C bytes (zrow). */
#if defined(TINYC_MVE)
TINYC_KERNEL void tinyc_mve_rq_store(int32x4_t s, const int32_t *mult, const int32_t *hw, int32_t pc, int32_t c,
                                     tinyc_mve_rq q0, uint32x4_t by4, int32_t zy, int32_t lo, int32_t hi, int8_t *yo) {
  tinyc_mve_rq q = q0;
  if (pc) { /* channels c, c + 4, c + 8, c + 12 */
    q.mult = vldrwq_gather_shifted_offset_s32(mult + c, by4);
    q.nsh = vnegq_s32(vldrwq_gather_shifted_offset_s32(hw + 2 * c, vshlq_n_u32(by4, 1)));
    q.rnd = vldrwq_gather_shifted_offset_s32(hw + 2 * c + 1, vshlq_n_u32(by4, 1));
  }
  vstrbq_scatter_offset_s32(yo + c, by4, tinyc_mve_rq4(s, q, zy, lo, hi));
}
/* Depthwise pixel when some rshift > 32 does not hold (hw NULL): four channels per vector, then
   tinyc_requant lane by lane (the rare case, out of line). */
TINYC_KERNEL TINYC_NOINLINE void tinyc_qdw_pixel_mve_rq(const int8_t *const *taps, int32_t n, const int8_t *wt,
                                                        int32_t C, const int32_t *bias, int8_t *yo, const int32_t *mult,
                                                        const int32_t *rsh, int32_t pc, int32_t zy, int32_t lo,
                                                        int32_t hi) {
  const int32_t C4 = C - C % 4;
  int32_t c, t, k, v[4];
  for (c = 0; c < C4; c += 4) {
    int32x4_t s0 = vldrwq_s32(bias + c);
    const int8_t *w = wt + c;
    for (t = 0; t < n; ++t, w += C) s0 = vaddq_s32(s0, vmulq_s32(vldrbq_s32(taps[t] + c), vldrbq_s32(w)));
    vst1q_s32(v, s0);
    for (k = 0; k < 4; ++k) yo[c + k] = (int8_t)tinyc_requant(v[k], mult[(c + k) * pc], rsh[(c + k) * pc], zy, lo, hi);
  }
  tinyc_qdw_tail(taps, n, wt, C, C4, bias, yo, mult, rsh, pc, zy, lo, hi);
}
#endif
TINYC_KERNEL void tinyc_qdw_pixel_mve_with(int pair, const int8_t *const *taps, int32_t n, const int8_t *wt, int32_t C,
                                           const int32_t *bias, int8_t *yo, const int32_t *mult, const int32_t *rsh,
                                           const int32_t *hw, int32_t pc, int32_t zy, int32_t lo, int32_t hi) {
#if defined(TINYC_MVE)
  const int32_t C16 = C - C % 16, C4 = C - C % 4;
  const uint32x4_t by4 = vidupq_n_u32(0, 4); /* 0, 4, 8, 12 */
  tinyc_mve_rq q0 = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
  int32_t c, t;
  if (!hw) {
    (void)pair;
    tinyc_qdw_pixel_mve_rq(taps, n, wt, C, bias, yo, mult, rsh, pc, zy, lo, hi);
    return;
  }
  if (!pc) q0 = tinyc_mve_rq_at(mult, hw, 0, 0);
  for (c = 0; c < C16; c += 16) {
    int32x4_t s0 = vldrwq_gather_shifted_offset_s32(bias + c, by4), s1 = vldrwq_gather_shifted_offset_s32(bias + c + 1, by4);
    int32x4_t s2 = vldrwq_gather_shifted_offset_s32(bias + c + 2, by4), s3 = vldrwq_gather_shifted_offset_s32(bias + c + 3, by4);
    const int8_t *w = wt + c;
    t = 0;
    if (pair)
      for (; t + 1 < n; t += 2, w += 2 * C) {
        const int8x16_t xa = vldrbq_s8(taps[t] + c), wa = vldrbq_s8(w);
        const int8x16_t xb = vldrbq_s8(taps[t + 1] + c), wb = vldrbq_s8(w + C);
        const int16x8_t pe = vaddq_s16(vmullbq_int_s8(xa, wa), vmullbq_int_s8(xb, wb));
        const int16x8_t po = vaddq_s16(vmulltq_int_s8(xa, wa), vmulltq_int_s8(xb, wb));
        s0 = vaddq_s32(s0, vmovlbq_s16(pe)), s2 = vaddq_s32(s2, vmovltq_s16(pe));
        s1 = vaddq_s32(s1, vmovlbq_s16(po)), s3 = vaddq_s32(s3, vmovltq_s16(po));
      }
    for (; t < n; ++t, w += C) {
      const int8x16_t xa = vldrbq_s8(taps[t] + c), wa = vldrbq_s8(w);
      const int16x8_t pe = vmullbq_int_s8(xa, wa), po = vmulltq_int_s8(xa, wa);
      s0 = vaddq_s32(s0, vmovlbq_s16(pe)), s2 = vaddq_s32(s2, vmovltq_s16(pe));
      s1 = vaddq_s32(s1, vmovlbq_s16(po)), s3 = vaddq_s32(s3, vmovltq_s16(po));
    }
    tinyc_mve_rq_store(s0, mult, hw, pc, c, q0, by4, zy, lo, hi, yo);
    tinyc_mve_rq_store(s1, mult, hw, pc, c + 1, q0, by4, zy, lo, hi, yo);
    tinyc_mve_rq_store(s2, mult, hw, pc, c + 2, q0, by4, zy, lo, hi, yo);
    tinyc_mve_rq_store(s3, mult, hw, pc, c + 3, q0, by4, zy, lo, hi, yo);
  }
  for (; c < C4; c += 4) {
    int32x4_t s0 = vldrwq_s32(bias + c);
    const int8_t *w = wt + c;
    for (t = 0; t < n; ++t, w += C) s0 = vaddq_s32(s0, vmulq_s32(vldrbq_s32(taps[t] + c), vldrbq_s32(w)));
    tinyc_mve_requant4(s0, pc ? tinyc_mve_rq_at(mult, hw, 1, c) : q0, zy, lo, hi, yo + c);
  }
  (void)pair;
  tinyc_qdw_tail(taps, n, wt, C, c, bias, yo, mult, rsh, pc, zy, lo, hi);
#else
  (void)pair;
  tinyc_qdw_pixel_c(taps, n, wt, C, bias, yo, mult, rsh, hw, pc, zy, lo, hi);
#endif
}
TINYC_KERNEL TINYC_NOINLINE void tinyc_qdw_pixel_mve(const int8_t *const *taps, int32_t n, const int8_t *wt, int32_t C,
                                                     const int32_t *bias, int8_t *yo, const int32_t *mult,
                                                     const int32_t *rsh, const int32_t *hw, int32_t pc, int32_t zy,
                                                     int32_t lo, int32_t hi) {
  tinyc_qdw_pixel_mve_with(0, taps, n, wt, C, bias, yo, mult, rsh, hw, pc, zy, lo, hi);
}
TINYC_KERNEL TINYC_NOINLINE void tinyc_qdw_pixel_mve2(const int8_t *const *taps, int32_t n, const int8_t *wt, int32_t C,
                                                      const int32_t *bias, int8_t *yo, const int32_t *mult,
                                                      const int32_t *rsh, const int32_t *hw, int32_t pc, int32_t zy,
                                                      int32_t lo, int32_t hi) {
  tinyc_qdw_pixel_mve_with(1, taps, n, wt, C, bias, yo, mult, rsh, hw, pc, zy, lo, hi);
}

TINYC_QDW_NHWC_KERNEL(tinyc_qdwconv_mve_i8, tinyc_qdw_pixel_mve, int8_t)
/* The same for weights in [-127, 127] (taps in pairs). */
TINYC_QDW_NHWC_KERNEL(tinyc_qdwconv_mve2_i8, tinyc_qdw_pixel_mve2, int8_t)

/* Channels-last int8 pools (the arguments and results of tinyc_qpool_i8; nhwc = 1): per output
   pixel, the taps inside the input (tinyc_qpool_window). Max: sixteen channels per vector, VMAX
   over the taps (-128 where no tap is inside, as the portable kernel). Average: four channels per
   vector, the sum of the raw values (VLDRB.S32 widens four bytes) minus n zx (= the portable
   sum of x - zx over the n taps), requantized four lanes at a time (tinyc_mve_rq4: rshift > 32)
   or lane by lane. */
TINYC_KERNEL void tinyc_qpool_mve_i8(const int8_t *x, int8_t *y, const int32_t *p, const int32_t *mult,
                                     const int32_t *rsh, int32_t zx, int32_t zy, int nhwc, int isMax) {
#if defined(TINYC_MVE)
  const int32_t C = p[0], W = p[2], OH = p[3], OW = p[4], DH = p[9], DW = p[10];
  const size_t dwc = (size_t)DW * (size_t)C;
  int32_t oh, ow, c, kh, kw, j;
  (void)nhwc;
  for (oh = 0; oh < OH; ++oh)
    for (ow = 0; ow < OW; ++ow) {
      tinyc_qpool_win g;
      int8_t *yo = y + (size_t)(oh * OW + ow) * (size_t)C;
      tinyc_qpool_window(p, oh, ow, &g);
      if (isMax) {
        for (c = 0; c < C; c += 16) {
          const mve_pred16_t pr = vctp8q((uint32_t)(C - c));
          int8x16_t acc = vdupq_n_s8(-128);
          for (kh = g.khs; kh < g.khe; ++kh) {
            const int8_t *px = x + ((size_t)(g.ih0 + kh * DH) * (size_t)W + (size_t)(g.iw0 + g.kws * DW)) * (size_t)C + c;
            for (kw = g.kws; kw < g.kwe; ++kw, px += dwc) acc = vmaxq_s8(acc, vldrbq_z_s8(px, pr));
          }
          vstrbq_p_s8(yo + c, acc, pr);
        }
      } else if (g.idx < 0) {
        for (c = 0; c < C; ++c) yo[c] = (int8_t)zy;
      } else {
        const int32_t n = (g.khe - g.khs) * (g.kwe - g.kws), mu = mult[g.idx], r = rsh[g.idx];
        tinyc_mve_rq q; /* (used when r > 32) */
        q.mult = vdupq_n_s32(mu);
        q.nsh = vdupq_n_s32(r > 32 ? 32 - r : 0);
        q.rnd = vdupq_n_s32(r > 32 ? (int32_t)1 << (r - 33) : 0);
        for (c = 0; c < C; c += 4) {
          const mve_pred16_t pr = vctp32q((uint32_t)(C - c));
          int32x4_t acc = vdupq_n_s32(-n * zx);
          for (kh = g.khs; kh < g.khe; ++kh) {
            const int8_t *px = x + ((size_t)(g.ih0 + kh * DH) * (size_t)W + (size_t)(g.iw0 + g.kws * DW)) * (size_t)C + c;
            for (kw = g.kws; kw < g.kwe; ++kw, px += dwc) acc = vaddq_s32(acc, vldrbq_z_s32(px, pr));
          }
          if (r > 32) {
            vstrbq_p_s32(yo + c, tinyc_mve_rq4(acc, q, zy, -128, 127), pr);
          } else {
            int32_t s[4];
            vst1q_s32(s, acc);
            for (j = 0; j < 4 && c + j < C; ++j) yo[c + j] = (int8_t)tinyc_requant(s[j], mu, r, zy, -128, 127);
          }
        }
      }
    }
#else
  tinyc_qpool_i8(x, y, p, mult, rsh, zx, zy, nhwc, isMax);
#endif
}

/* Add of two int8 tensors of one shape (tinyc_qbinary_i8 with r = 0, mul = 0: tinyc_qadd per
   element), four lanes at a time: each 64-bit product as its high word (VMULH) and low word
   (VMUL), the low words added with their carries into the high words. |da ma + db mb| < 2^40, so
   for a shift n >= 9 the shifted sum fits 32 bits: n <= 31 from both words (the high word times
   2^(32 - n) plus the low word's top bits, exact modulo 2^32 and so exactly; the rounding term
   2^(n - 1) added to the low word with its carry), n >= 32 from the high word alone (the rounding
   term adds to it only). Other shifts: tinyc_qadd. */
TINYC_KERNEL void tinyc_qadd_mve_i8(const int8_t *a, const int8_t *b, int8_t *y, int32_t n, int32_t za, int32_t zb,
                                    int32_t ma, int32_t mb, int32_t sh, int32_t zy, int32_t lo, int32_t hi) {
#if defined(TINYC_MVE)
  int32_t i;
  if (sh >= 9 && sh <= 62) {
    const int32x4_t vma = vdupq_n_s32(ma), vmb = vdupq_n_s32(mb);
    const uint32_t rl = sh <= 32 ? (uint32_t)1 << (sh - 1) : 0u;
    const int32_t rh = sh > 32 ? (int32_t)1 << (sh - 33) : 0;
    const int32x4_t left = vdupq_n_s32(32 - sh), right = vdupq_n_s32(sh <= 32 ? -sh : 32 - sh);
    for (i = 0; i < n; i += 4) {
      const mve_pred16_t pr = vctp32q((uint32_t)(n - i));
      const int32x4_t da = vsubq_n_s32(vldrbq_z_s32(a + i, pr), za), db = vsubq_n_s32(vldrbq_z_s32(b + i, pr), zb);
      const uint32x4_t la = vreinterpretq_u32_s32(vmulq_s32(da, vma));
      const uint32x4_t l = vaddq_u32(la, vreinterpretq_u32_s32(vmulq_s32(db, vmb)));
      int32x4_t h = vaddq_s32(vmulhq_s32(da, vma), vmulhq_s32(db, vmb)), w;
      h = vaddq_m_n_s32(h, h, 1, vcmphiq_u32(la, l)); /* carry of the low words */
      if (sh <= 32) {
        const uint32x4_t l2 = vaddq_n_u32(l, rl);
        h = vaddq_m_n_s32(h, h, 1, vcmphiq_u32(l, l2));
        w = sh == 32 ? h
                     : vorrq_s32(vshlq_s32(h, left), vreinterpretq_s32_u32(vshlq_u32(l2, right)));
      } else {
        w = vshlq_s32(vaddq_n_s32(h, rh), right);
      }
      w = vaddq_n_s32(vmaxq_s32(vminq_s32(w, vdupq_n_s32(16777215)), vdupq_n_s32(-16777216)), zy);
      vstrbq_p_s32(y + i, vmaxq_s32(vminq_s32(w, vdupq_n_s32(hi)), vdupq_n_s32(lo)), pr);
    }
    return;
  }
#else
  int32_t i;
#endif
  for (i = 0; i < n; ++i) y[i] = (int8_t)tinyc_qadd(a[i] - za, b[i] - zb, ma, mb, sh, zy, lo, hi);
}
