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
TINYC_KERNEL void tinyc_mve_requant4(int32x4_t s, tinyc_mve_rq q, int32_t zy, int32_t lo, int32_t hi, int8_t *y) {
  int32x4_t r = vshlq_s32(vaddq_s32(vmulhq_s32(s, q.mult), q.rnd), q.nsh);
  r = vminq_s32(vmaxq_s32(vaddq_n_s32(r, zy), vdupq_n_s32(lo)), vdupq_n_s32(hi));
  vstrbq_s32(y, r);
}
#endif

/* One receptive field a (K int8, the weights' order) times the M channels' weight rows w[m * K ..]
   (the model's [M, K] array as it is), four channels at a time: y[m] = requant(bias[m] + a . w_m).
   With MVE one VMLADAVA per 16 products of a channel (the 16 bytes of a loaded once for four
   channels), the last K % 16 under a tail predicate. bias, mult and hw are padded to a multiple of
   four channels; hw: NULL when some rshift <= 32 (then tinyc_requant channel by channel). */
TINYC_KERNEL TINYC_NOINLINE void tinyc_qrow_mve_i8(const int8_t *a, const int8_t *w, int32_t K, int32_t M,
                                                   const int32_t *bias, const int32_t *mult, const int32_t *rsh,
                                                   const int32_t *hw, int32_t pc, int32_t zy, int32_t lo, int32_t hi,
                                                   int8_t *y) {
  int32_t m, j, k;
#if defined(TINYC_MVE)
  const int32_t K16 = K & ~15;
  const mve_pred16_t tail = vctp8q((uint32_t)(K - K16));
  tinyc_mve_rq q0 = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
  if (hw && !pc) q0 = tinyc_mve_rq_at(mult, hw, 0, 0);
#endif
  for (m = 0; m < M; m += 4) {
    const int32_t n = M - m < 4 ? M - m : 4;
    const int8_t *w0 = w + (size_t)m * (size_t)K;
    const int8_t *w1 = n > 1 ? w0 + K : w0, *w2 = n > 2 ? w0 + 2 * K : w0, *w3 = n > 3 ? w0 + 3 * K : w0;
    int32_t s[4];
    s[0] = bias[m], s[1] = bias[m + 1], s[2] = bias[m + 2], s[3] = bias[m + 3];
#if defined(TINYC_MVE)
    for (k = 0; k < K16; k += 16) {
      const int8x16_t x = vldrbq_s8(a + k);
      s[0] = vmladavaq_s8(s[0], x, vldrbq_s8(w0 + k));
      s[1] = vmladavaq_s8(s[1], x, vldrbq_s8(w1 + k));
      s[2] = vmladavaq_s8(s[2], x, vldrbq_s8(w2 + k));
      s[3] = vmladavaq_s8(s[3], x, vldrbq_s8(w3 + k));
    }
    if (K16 < K) {
      const int8x16_t x = vldrbq_z_s8(a + K16, tail);
      s[0] = vmladavaq_p_s8(s[0], x, vldrbq_z_s8(w0 + K16, tail), tail);
      s[1] = vmladavaq_p_s8(s[1], x, vldrbq_z_s8(w1 + K16, tail), tail);
      s[2] = vmladavaq_p_s8(s[2], x, vldrbq_z_s8(w2 + K16, tail), tail);
      s[3] = vmladavaq_p_s8(s[3], x, vldrbq_z_s8(w3 + K16, tail), tail);
    }
    if (hw && n == 4) {
      int32x4_t v = vdupq_n_s32(s[0]);
      v = vsetq_lane_s32(s[1], v, 1);
      v = vsetq_lane_s32(s[2], v, 2);
      v = vsetq_lane_s32(s[3], v, 3);
      tinyc_mve_requant4(v, pc ? tinyc_mve_rq_at(mult, hw, 1, m) : q0, zy, lo, hi, y + m);
      continue;
    }
#else
    for (k = 0; k < K; ++k) {
      const int32_t x = a[k];
      s[0] += x * w0[k], s[1] += x * w1[k], s[2] += x * w2[k], s[3] += x * w3[k];
    }
    (void)hw;
#endif
    for (j = 0; j < n; ++j) y[m + j] = (int8_t)tinyc_requant(s[j], mult[(m + j) * pc], rsh[(m + j) * pc], zy, lo, hi);
  }
}

/* Channels-last convolution with one group (any kernel size, stride, dilation, padding): per
   output pixel its receptive field (tinyc_qpatch_i8 into col, K = C * KH * KW bytes of scratch;
   a 1x1 stride-1 unpadded convolution reads the input row in place), then tinyc_qrow_mve_i8 over
   the weights [M, KH * KW * C] as the model stores them for channels-last (no repacking). The
   bias has the input zero point folded in (the kernels read raw x). */
TINYC_KERNEL void tinyc_qconv_mve_i8(const int8_t *x, const int8_t *w, const int32_t *bias, int8_t *y, const int32_t *p,
                                     const int32_t *mult, const int32_t *rsh, int32_t pc, int32_t zx, int32_t zy,
                                     int32_t lo, int32_t hi, int8_t *col, const int32_t *hw) {
  const int32_t C = p[TINYC_QC_C], M = p[TINYC_QC_M], OW = p[TINYC_QC_OW], P = p[TINYC_QC_OH] * OW;
  const int32_t K = C * p[TINYC_QC_KH] * p[TINYC_QC_KW];
  const int direct = K == C && p[TINYC_QC_SH] == 1 && p[TINYC_QC_SW] == 1 && p[TINYC_QC_PT] == 0 &&
                     p[TINYC_QC_PL] == 0 && OW == p[TINYC_QC_W] && p[TINYC_QC_OH] == p[TINYC_QC_H];
  int32_t o, oh = 0, ow = 0;
  for (o = 0; o < P; ++o) {
    const int8_t *a = x + (size_t)o * (size_t)C;
    if (!direct) {
      tinyc_qpatch_i8(x, p, 0, C, oh, ow, zx, 1, col, 1);
      a = col;
    }
    tinyc_qrow_mve_i8(a, w, K, M, bias, mult, rsh, hw, pc, zy, lo, hi, y + (size_t)o * (size_t)M);
    if (++ow == OW) ow = 0, ++oh;
  }
}

/* Channels-last depthwise convolution: the pixel function of TINYC_QDW_NHWC_KERNEL (runtime/qint.c:
   the pixel loop, the taps as row pointers, zrow), weights tap-major (wt[t * C + c]) as for
   tinyc_qdwconv_nhwc_i8. With MVE, four channels per vector: per tap VLDRB.S32 of the inputs and
   of the weights (sign-extended to 32-bit lanes), VMUL and VADD into the sums; sixteen channels
   per pass over the taps (four vectors), then four, then the rest one at a time; the sums go
   straight to the vector requantization. Scratch: C bytes (zrow). */
TINYC_KERNEL TINYC_NOINLINE void tinyc_qdw_pixel_mve(const int8_t *const *taps, int32_t n, const int8_t *wt, int32_t C,
                                                     const int32_t *bias, int8_t *yo, const int32_t *mult,
                                                     const int32_t *rsh, const int32_t *hw, int32_t pc, int32_t zy,
                                                     int32_t lo, int32_t hi) {
#if defined(TINYC_MVE)
  const int32_t C16 = hw ? C - C % 16 : 0, C4 = hw ? C - C % 4 : 0;
  tinyc_mve_rq q0 = {vdupq_n_s32(0), vdupq_n_s32(0), vdupq_n_s32(0)};
  int32_t c, t;
  if (hw && !pc) q0 = tinyc_mve_rq_at(mult, hw, 0, 0);
  for (c = 0; c < C16; c += 16) {
    int32x4_t s0 = vldrwq_s32(bias + c), s1 = vldrwq_s32(bias + c + 4);
    int32x4_t s2 = vldrwq_s32(bias + c + 8), s3 = vldrwq_s32(bias + c + 12);
    const int8_t *w = wt + c;
    for (t = 0; t < n; ++t, w += C) {
      const int8_t *xp = taps[t] + c;
      s0 = vaddq_s32(s0, vmulq_s32(vldrbq_s32(xp), vldrbq_s32(w)));
      s1 = vaddq_s32(s1, vmulq_s32(vldrbq_s32(xp + 4), vldrbq_s32(w + 4)));
      s2 = vaddq_s32(s2, vmulq_s32(vldrbq_s32(xp + 8), vldrbq_s32(w + 8)));
      s3 = vaddq_s32(s3, vmulq_s32(vldrbq_s32(xp + 12), vldrbq_s32(w + 12)));
    }
    tinyc_mve_requant4(s0, pc ? tinyc_mve_rq_at(mult, hw, 1, c) : q0, zy, lo, hi, yo + c);
    tinyc_mve_requant4(s1, pc ? tinyc_mve_rq_at(mult, hw, 1, c + 4) : q0, zy, lo, hi, yo + c + 4);
    tinyc_mve_requant4(s2, pc ? tinyc_mve_rq_at(mult, hw, 1, c + 8) : q0, zy, lo, hi, yo + c + 8);
    tinyc_mve_requant4(s3, pc ? tinyc_mve_rq_at(mult, hw, 1, c + 12) : q0, zy, lo, hi, yo + c + 12);
  }
  for (; c < C4; c += 4) {
    int32x4_t s0 = vldrwq_s32(bias + c);
    const int8_t *w = wt + c;
    for (t = 0; t < n; ++t, w += C) s0 = vaddq_s32(s0, vmulq_s32(vldrbq_s32(taps[t] + c), vldrbq_s32(w)));
    tinyc_mve_requant4(s0, pc ? tinyc_mve_rq_at(mult, hw, 1, c) : q0, zy, lo, hi, yo + c);
  }
  tinyc_qdw_tail(taps, n, wt, C, c, bias, yo, mult, rsh, pc, zy, lo, hi);
#else
  tinyc_qdw_pixel_c(taps, n, wt, C, bias, yo, mult, rsh, hw, pc, zy, lo, hi);
#endif
}

TINYC_QDW_NHWC_KERNEL(tinyc_qdwconv_mve_i8, tinyc_qdw_pixel_mve)
