/* tinyc runtime: int8 kernels for Arm cores with the DSP extension (Cortex-M4, M7, M33, M55). requires: common qmath qint */
/* SXTB16 sign-extends bytes 0 and 2 of a word into two halfwords (with the word rotated by 8:
   bytes 1 and 3); SMLABB / SMLATT multiply the bottom / top halfwords and accumulate. With
   the DSP extension (__ARM_FEATURE_DSP) they are the ACLE intrinsics; otherwise (a host build of a
   Cortex-M target, e.g. `tinyc validate --target cortex-m4`) the same operations in plain C. The
   sums are the same integers as the portable kernels' (no product or sum here can overflow), so
   the results are bit-identical to them. */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && (defined(__GNUC__) || defined(__clang__))
#include <arm_acle.h>
#define TINYC_SMLABB(a, b, acc) __smlabb((int32_t)(a), (int32_t)(b), (acc))
#define TINYC_SMLATT(a, b, acc) __smlatt((int32_t)(a), (int32_t)(b), (acc))
#define TINYC_SXTB16(x) ((uint32_t)__sxtb16((int32_t)(x)))
/* One instruction where gcc 12 would use two (it does not fold the rotation into SXTB16). */
TINYC_KERNEL uint32_t tinyc_sxtb16_ror8(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}
#define TINYC_SXTB16_ROR8(x) tinyc_sxtb16_ror8(x)
#else
TINYC_KERNEL uint32_t tinyc_sxtb16_c(uint32_t x) {
  return (uint32_t)(uint16_t)(int16_t)(int8_t)(x & 0xFFu) | (uint32_t)(uint16_t)(int16_t)(int8_t)((x >> 16) & 0xFFu) << 16;
}
#define TINYC_SMLABB(a, b, acc) ((acc) + (int32_t)(int16_t)((a) & 0xFFFFu) * (int16_t)((b) & 0xFFFFu))
#define TINYC_SMLATT(a, b, acc) ((acc) + (int32_t)(int16_t)((a) >> 16) * (int16_t)((b) >> 16))
#define TINYC_SXTB16(x) tinyc_sxtb16_c(x)
#define TINYC_SXTB16_ROR8(x) tinyc_sxtb16_c(((x) >> 8) | ((x) << 24))
#endif

/* Channels-last depthwise convolution for cores with the DSP extension: the pixel function of
   TINYC_QDW_NHWC_KERNEL (runtime/qint.c: the pixel loop, the taps as row pointers, zrow), with
   the weights tap-major as for tinyc_qdwconv_nhwc_i8 (wt[t * C + c]). Per tap, the inputs and the
   weights of channels c .. c + 3 are one word each; SXTB16 sign-extends channels c, c + 2 (and,
   rotated, c + 1, c + 3) into halfwords, and SMLABB / SMLATT multiply-accumulate the bottom and
   top halves: 14 instructions per four MACs in the loop, no byte load per operand. The four
   sums stay in registers over the taps and go straight to the requantization. (Pairing two taps
   for SMLAD costs more in halfword packing than it saves: measured 7.05 M against 6.90 M
   instructions for kws_int8.) Scratch: C bytes (zrow). */
TINYC_KERNEL TINYC_NOINLINE void tinyc_qdw_pixel_dsp(const int8_t *const *taps, int32_t n, const int8_t *wt,
                                                     int32_t C, const int32_t *bias, int8_t *yo, const int32_t *mult,
                                                     const int32_t *rsh, const int32_t *hw, int32_t pc, int32_t zy,
                                                     int32_t lo, int32_t hi) {
  const int8_t *const *end = taps + n;
  const int32_t C4 = C - C % 4;
  int32_t c;
  for (c = 0; c < C4; c += 4) {
    int32_t s0 = bias[c], s1 = bias[c + 1], s2 = bias[c + 2], s3 = bias[c + 3];
    const int8_t *const *tp = taps;
    const int8_t *w = wt + c;
    for (; tp != end; ++tp, w += C) {
      uint32_t xv, wv, xe, xo, we, wo;
      memcpy(&xv, *tp + c, 4);
      memcpy(&wv, w, 4);
      xe = TINYC_SXTB16(xv), xo = TINYC_SXTB16_ROR8(xv);
      we = TINYC_SXTB16(wv), wo = TINYC_SXTB16_ROR8(wv);
      s0 = TINYC_SMLABB(xe, we, s0);
      s2 = TINYC_SMLATT(xe, we, s2);
      s1 = TINYC_SMLABB(xo, wo, s1);
      s3 = TINYC_SMLATT(xo, wo, s3);
    }
    TINYC_QDW_RQ4(s0, s1, s2, s3);
  }
  tinyc_qdw_tail(taps, n, wt, C, C4, bias, yo, mult, rsh, pc, zy, lo, hi);
}

TINYC_QDW_NHWC_KERNEL(tinyc_qdwconv_dsp_i8, tinyc_qdw_pixel_dsp)
