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

/* Channels-last depthwise convolution for cores with the DSP extension: per tap, the inputs and
   weights of channels c .. c + 3 are one word each (weights tap-major, wt[t * C + c], as for
   tinyc_qdwconv_nhwc_i8); SXTB16 sign-extends channels c, c + 2 (and, rotated, c + 1, c + 3) into
   halfwords, and SMLABB / SMLATT multiply-accumulate the bottom and top halves: 10 instructions
   per four MACs, without a byte load per operand. (Pairing two taps for SMLAD costs more in
   halfword packing than it saves: measured 7.05 M against 6.90 M instructions for kws_int8.)
   Per pixel: the taps as row pointers (a tap outside the input points at zrow, C bytes of zx, and
   the bias has zx folded in), four channels per step, plain C for the last C % 4 channels.
   Scratch: C bytes (zrow). */
TINYC_KERNEL TINYC_NOINLINE void tinyc_qdsp_dw4(const int8_t *const *taps, int32_t n, int32_t c, const int8_t *wt,
                                                int32_t C, int32_t *s) {
  int32_t s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
  const int8_t *const *end = taps + n;
  for (; taps != end; ++taps, wt += C) {
    uint32_t x, w, xe, xo, we, wo;
    memcpy(&x, *taps + c, 4);
    memcpy(&w, wt, 4);
    xe = TINYC_SXTB16(x), xo = TINYC_SXTB16_ROR8(x);
    we = TINYC_SXTB16(w), wo = TINYC_SXTB16_ROR8(w);
    s0 = TINYC_SMLABB(xe, we, s0);
    s2 = TINYC_SMLATT(xe, we, s2);
    s1 = TINYC_SMLABB(xo, wo, s1);
    s3 = TINYC_SMLATT(xo, wo, s3);
  }
  s[0] = s0, s[1] = s1, s[2] = s2, s[3] = s3;
}

/* One pixel's channels c < C4 in blocks of four, requantized with the usual multipliers
   (tinyc_requant_hw constants in hw): the tap loop of tinyc_qdsp_dw4 without a call and a
   round trip of the sums through memory per block. */
TINYC_KERNEL TINYC_NOINLINE void tinyc_qdsp_dw_px(const int8_t *const *taps, int32_t n, const int8_t *wt, int32_t C,
                                                  int32_t C4, const int32_t *bias, int8_t *yo, const int32_t *mult,
                                                  const int32_t *hw, int32_t pc, int32_t zy, int32_t lo, int32_t hi) {
  const int8_t *const *end = taps + n;
  int32_t c;
  for (c = 0; c < C4; c += 4) {
    int32_t s0 = bias[c], s1 = bias[c + 1], s2 = bias[c + 2], s3 = bias[c + 3];
    const int8_t *const *tp = taps;
    const int8_t *w = wt + c;
    const int32_t *mc = mult + c * pc, *hc = hw + 2 * c * pc;
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
    yo[c] = (int8_t)tinyc_requant_hw(s0, mc[0], hc[0], hc[1], zy, lo, hi);
    yo[c + 1] = (int8_t)tinyc_requant_hw(s1, mc[pc], hc[2 * pc], hc[2 * pc + 1], zy, lo, hi);
    yo[c + 2] = (int8_t)tinyc_requant_hw(s2, mc[2 * pc], hc[4 * pc], hc[4 * pc + 1], zy, lo, hi);
    yo[c + 3] = (int8_t)tinyc_requant_hw(s3, mc[3 * pc], hc[6 * pc], hc[6 * pc + 1], zy, lo, hi);
  }
}

TINYC_KERNEL void tinyc_qdwconv_dsp_i8(const int8_t *x, const int8_t *wt, const int32_t *bias, int8_t *y,
                                       const int32_t *p, const int32_t *mult, const int32_t *rsh, int32_t pc,
                                       int32_t zx, int32_t zy, int32_t lo, int32_t hi, int8_t *zrow, const int32_t *hw) {
  const int32_t C = p[TINYC_QC_C], H = p[TINYC_QC_H], W = p[TINYC_QC_W], OH = p[TINYC_QC_OH], OW = p[TINYC_QC_OW];
  const int32_t KH = p[TINYC_QC_KH], KW = p[TINYC_QC_KW], KK = KH * KW, C4 = C - C % 4;
  const int32_t SH = p[TINYC_QC_SH], SW = p[TINYC_QC_SW], DH = p[TINYC_QC_DH], DW = p[TINYC_QC_DW];
  const int32_t PT = p[TINYC_QC_PT], PL = p[TINYC_QC_PL];
  const int8_t *taps[TINYC_QDW_MAXTAPS];
  int32_t off[TINYC_QDW_MAXTAPS];
  int32_t oh, ow, c, j, t, kh, kw, s[4];
  for (c = 0; c < C; ++c) zrow[c] = (int8_t)zx;
  for (t = 0, kh = 0; kh < KH; ++kh)
    for (kw = 0; kw < KW; ++kw, ++t) off[t] = (kh * DH * W + kw * DW) * C;
  for (oh = 0; oh < OH; ++oh)
    for (ow = 0; ow < OW; ++ow) {
      int8_t *yo = y + (size_t)(oh * OW + ow) * (size_t)C;
      const int32_t ih0 = oh * SH - PT, iw0 = ow * SW - PL;
      if (ih0 >= 0 && ih0 + (KH - 1) * DH < H && iw0 >= 0 && iw0 + (KW - 1) * DW < W) {
        const int8_t *corner = x + ((size_t)ih0 * (size_t)W + (size_t)iw0) * (size_t)C;
        for (t = 0; t < KK; ++t) taps[t] = corner + off[t];
      } else {
        for (t = 0, kh = 0; kh < KH; ++kh) {
          const int32_t ih = ih0 + kh * DH;
          for (kw = 0; kw < KW; ++kw, ++t) {
            const int32_t iw = iw0 + kw * DW;
            taps[t] = ih >= 0 && ih < H && iw >= 0 && iw < W ? x + ((size_t)ih * (size_t)W + (size_t)iw) * (size_t)C : zrow;
          }
        }
      }
      if (hw) {
        tinyc_qdsp_dw_px(taps, KK, wt, C, C4, bias, yo, mult, hw, pc, zy, lo, hi);
      } else {
        for (c = 0; c < C4; c += 4) {
          for (j = 0; j < 4; ++j) s[j] = bias[c + j];
          tinyc_qdsp_dw4(taps, KK, c, wt + c, C, s);
          for (j = 0; j < 4; ++j)
            yo[c + j] = (int8_t)tinyc_requant(s[j], mult[(c + j) * pc], rsh[(c + j) * pc], zy, lo, hi);
        }
      }
      for (c = C4; c < C; ++c) {
        int32_t acc = bias[c];
        for (t = 0; t < KK; ++t) acc += taps[t][c] * wt[t * C + c];
        yo[c] = (int8_t)tinyc_requant(acc, mult[c * pc], rsh[c * pc], zy, lo, hi);
      }
    }
}
