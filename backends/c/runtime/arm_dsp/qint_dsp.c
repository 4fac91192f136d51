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
#define TINYC_SMLAD(a, b, acc) __smlad((int32_t)(a), (int32_t)(b), (acc))
#define TINYC_SXTB16(x) ((uint32_t)__sxtb16((int32_t)(x)))
/* One instruction where gcc 12 would use two (it does not fold the rotation into SXTB16). */
TINYC_KERNEL uint32_t tinyc_sxtb16_ror8(uint32_t x) {
  uint32_t r;
  __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(x));
  return r;
}
#define TINYC_SXTB16_ROR8(x) tinyc_sxtb16_ror8(x)
/* [a0 a1 b0 b1] and [a2 a3 b2 b3] from the words a and b: PKHBT / PKHTB (no ACLE intrinsic). */
TINYC_KERNEL uint32_t tinyc_pkhbt16(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(a), "r"(b));
  return r;
}
TINYC_KERNEL uint32_t tinyc_pkhtb16(uint32_t b, uint32_t a) {
  uint32_t r;
  __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(b), "r"(a));
  return r;
}
#define TINYC_PKHBT16(a, b) tinyc_pkhbt16(a, b)
#define TINYC_PKHTB16(b, a) tinyc_pkhtb16(b, a)
#else
TINYC_KERNEL uint32_t tinyc_sxtb16_c(uint32_t x) {
  return (uint32_t)(uint16_t)(int16_t)(int8_t)(x & 0xFFu) | (uint32_t)(uint16_t)(int16_t)(int8_t)((x >> 16) & 0xFFu) << 16;
}
#define TINYC_SMLABB(a, b, acc) ((acc) + (int32_t)(int16_t)((a) & 0xFFFFu) * (int16_t)((b) & 0xFFFFu))
#define TINYC_SMLATT(a, b, acc) ((acc) + (int32_t)(int16_t)((a) >> 16) * (int16_t)((b) >> 16))
#define TINYC_SMLAD(a, b, acc) TINYC_SMLATT(a, b, TINYC_SMLABB(a, b, acc))
#define TINYC_SXTB16(x) tinyc_sxtb16_c(x)
#define TINYC_SXTB16_ROR8(x) tinyc_sxtb16_c(((x) >> 8) | ((x) << 24))
#define TINYC_PKHBT16(a, b) (((a) & 0xFFFFu) | ((b) << 16))
#define TINYC_PKHTB16(b, a) (((b) & 0xFFFF0000u) | ((a) >> 16))
#endif
/* Byte-wise signed maximum of two words (SSUB8 sets a GE flag per byte, SEL takes those bytes of
   a, the others of b), and SXTAB16: acc plus the sign-extended bytes 0 and 2 (ROR 8: 1 and 3) of x
   as two halfword sums (wrapping at 16 bits; the pools below keep every sum inside). */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && (defined(__GNUC__) || defined(__clang__))
TINYC_KERNEL uint32_t tinyc_smax8(uint32_t a, uint32_t b) {
  uint32_t r;
  __asm__("ssub8 %0, %1, %2\n\tsel %0, %1, %2" : "=&r"(r) : "r"(a), "r"(b) : "cc");
  return r;
}
TINYC_KERNEL uint32_t tinyc_sxtab16_ror8(uint32_t acc, uint32_t x) {
  uint32_t r;
  __asm__("sxtab16 %0, %1, %2, ror #8" : "=r"(r) : "r"(acc), "r"(x));
  return r;
}
#define TINYC_SMAX8(a, b) tinyc_smax8(a, b)
#define TINYC_SXTAB16(acc, x) ((uint32_t)__sxtab16((int32_t)(acc), (int32_t)(x)))
#define TINYC_SXTAB16_ROR8(acc, x) tinyc_sxtab16_ror8(acc, x)
#else
TINYC_KERNEL uint32_t tinyc_smax8_c(uint32_t a, uint32_t b) {
  uint32_t r = 0;
  int i;
  for (i = 0; i < 32; i += 8) {
    const int8_t u = (int8_t)(uint8_t)(a >> i), v = (int8_t)(uint8_t)(b >> i);
    r |= (uint32_t)(uint8_t)(u >= v ? u : v) << i;
  }
  return r;
}
TINYC_KERNEL uint32_t tinyc_sxtab16_c(uint32_t acc, uint32_t x) {
  const uint32_t lo = (acc + (uint32_t)(int32_t)(int8_t)(x & 0xFFu)) & 0xFFFFu;
  const uint32_t hi = ((acc >> 16) + (uint32_t)(int32_t)(int8_t)((x >> 16) & 0xFFu)) & 0xFFFFu;
  return lo | hi << 16;
}
#define TINYC_SMAX8(a, b) tinyc_smax8_c(a, b)
#define TINYC_SXTAB16(acc, x) tinyc_sxtab16_c(acc, x)
#define TINYC_SXTAB16_ROR8(acc, x) tinyc_sxtab16_c(acc, ((x) >> 8) | ((x) << 24))
#endif

/* The int8 values p[0], p[2] and p[1], p[3] as halfword pairs E and O (bottom: p[0], p[1]). */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(__ARM_BIG_ENDIAN)
#define TINYC_WIDEN4(P, E, O) \
  do {                        \
    uint32_t v_;              \
    memcpy(&v_, (P), 4);      \
    E = TINYC_SXTB16(v_);     \
    O = TINYC_SXTB16_ROR8(v_); \
  } while (0)
#else
#define TINYC_PAIR16(A, B) ((uint32_t)(uint16_t)(int16_t)(A) | (uint32_t)(uint16_t)(int16_t)(B) << 16)
#define TINYC_WIDEN4(P, E, O) (E = TINYC_PAIR16((P)[0], (P)[2]), O = TINYC_PAIR16((P)[1], (P)[3]))
#endif

/* Channels-last depthwise convolution for cores with the DSP extension: the pixel function of
   TINYC_QDW_NHWC_KERNEL (runtime/qint.c: the pixel loop, the taps as row pointers, zrow), two taps
   per SMLAD. For taps t, t + 1 and channels c .. c + 3, the input words a (tap t) and b (tap t + 1)
   become [a0 a1 b0 b1] and [a2 a3 b2 b3] (PKHBT, PKHTB), and SXTB16 (and SXTB16 ROR 8) of these
   give the halfword pairs (a0, b0), (a1, b1), (a2, b2), (a3, b3): one SMLAD per channel adds both
   taps' products. The weights are reordered at compile time into the same pairing, int32 words
   (wq; n words per group of four channels):
     pair p:  word 2p = bytes [w(c, 2p), w(c+1, 2p), w(c, 2p+1), w(c+1, 2p+1)], word 2p + 1 the same
              for channels c + 2, c + 3;
     an odd last tap t = n - 1: word n - 1 = bytes [w(c, t), w(c+1, t), w(c+2, t), w(c+3, t)]
              (SMLABB / SMLATT, one MAC each);
   then the C % 4 channels left over, one word per weight: wq[(C / 4) * n + t * (C % 4) + j] =
   w(C4 + j, t). About 22 instructions per 8 MACs in the loop (the taps' words, two PKH, eight
   SXTB16, four SMLAD). The four sums stay in registers over the taps and go straight to the
   requantization. Scratch: C bytes (zrow). */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(__ARM_BIG_ENDIAN)
#define TINYC_LD4(P, V) memcpy(&(V), (P), 4)
#else
#define TINYC_LD4(P, V)                                                                               \
  (V = (uint32_t)(uint8_t)(P)[0] | (uint32_t)(uint8_t)(P)[1] << 8 | (uint32_t)(uint8_t)(P)[2] << 16 | \
       (uint32_t)(uint8_t)(P)[3] << 24)
#endif
TINYC_KERNEL TINYC_NOINLINE void tinyc_qdw_pixel_dsp(const int8_t *const *taps, int32_t n, const int32_t *wq,
                                                     int32_t C, const int32_t *bias, int8_t *yo, const int32_t *mult,
                                                     const int32_t *rsh, const int32_t *hw, int32_t pc, int32_t zy,
                                                     int32_t lo, int32_t hi) {
  const int8_t *const *pend = taps + (n & ~1);
  const int32_t C4 = C - C % 4, Ct = C % 4;
  const int32_t *wtail = wq + (size_t)(C4 / 4) * (size_t)n;
  int32_t c, t;
  for (c = 0; c < C4; c += 4, wq += n) {
    int32_t s0 = bias[c], s1 = bias[c + 1], s2 = bias[c + 2], s3 = bias[c + 3];
    const int8_t *const *tp = taps;
    const int32_t *w = wq;
    for (; tp != pend; tp += 2, w += 2) {
      uint32_t xa, xb, lo01, hi23;
      const uint32_t wa = (uint32_t)w[0], wb = (uint32_t)w[1];
      TINYC_LD4(tp[0] + c, xa);
      TINYC_LD4(tp[1] + c, xb);
      lo01 = TINYC_PKHBT16(xa, xb);
      hi23 = TINYC_PKHTB16(xb, xa);
      s0 = TINYC_SMLAD(TINYC_SXTB16(lo01), TINYC_SXTB16(wa), s0);
      s1 = TINYC_SMLAD(TINYC_SXTB16_ROR8(lo01), TINYC_SXTB16_ROR8(wa), s1);
      s2 = TINYC_SMLAD(TINYC_SXTB16(hi23), TINYC_SXTB16(wb), s2);
      s3 = TINYC_SMLAD(TINYC_SXTB16_ROR8(hi23), TINYC_SXTB16_ROR8(wb), s3);
    }
    if (n & 1) {
      uint32_t xv, xe, xo, we, wo;
      const uint32_t wv = (uint32_t)w[0];
      TINYC_LD4(*tp + c, xv);
      xe = TINYC_SXTB16(xv), xo = TINYC_SXTB16_ROR8(xv);
      we = TINYC_SXTB16(wv), wo = TINYC_SXTB16_ROR8(wv);
      s0 = TINYC_SMLABB(xe, we, s0);
      s2 = TINYC_SMLATT(xe, we, s2);
      s1 = TINYC_SMLABB(xo, wo, s1);
      s3 = TINYC_SMLATT(xo, wo, s3);
    }
    TINYC_QDW_RQ4(s0, s1, s2, s3);
  }
  for (c = C4; c < C; ++c) {
    int32_t acc = bias[c];
    for (t = 0; t < n; ++t) acc += taps[t][c] * wtail[t * Ct + (c - C4)];
    yo[c] = (int8_t)tinyc_requant(acc, mult[c * pc], rsh[c * pc], zy, lo, hi);
  }
}

TINYC_QDW_NHWC_KERNEL(tinyc_qdwconv_dsp_i8, tinyc_qdw_pixel_dsp, int32_t)

/* Channels-last convolution with one group for cores with the DSP extension: SMLAD, two products
   per instruction. Output pixels in fours; their receptive fields (K int8 each, the weights'
   order) are widened once into halfword pairs (tinyc_qdsp_widen4), and every output channel runs
   over them: per quad of k, the channel's weight word (four int8) is widened with SXTB16 (and
   SXTB16 ROR 8) into the same pairing as the fields, then eight SMLAD give the 16 MACs of four
   pixels (about 16 instructions per 16 MACs: half an LDRD of weights, two SXTB16, four LDRD,
   eight SMLAD and the loop; few live registers, so that gcc keeps the four sums, the weights and
   the pointers in registers; the channel's four outputs share one row of requantization
   constants). 1x1 convolution 32x32x16 -> 32 on the emulated M4: 0.55 MAC per instruction (two
   pixels times two channels per block: 0.40), 3x3 0.77 (0.68).
   Weights (written by the emitter as int32 words, byte i of word m * Q + q = w[m][4 q + i], Q =
   ceil(K / 4) rounded up to even; zero past K). The sums are the same integers as the portable
   kernels' (no product or partial sum can overflow), so the outputs are bit-identical to them. */

/* Fields f[0..3] (K int8 each) as halfword pairs: per quad q four 64-bit words, for field i
   (f_i[4q], f_i[4q+2]) in the low half and (f_i[4q+1], f_i[4q+3]) in the high half (one LDRD
   reads both); zero past K up to Q quads. */
TINYC_KERNEL uint64_t tinyc_qdsp_pair(const int8_t *f) {
  uint32_t e, o;
  TINYC_WIDEN4(f, e, o);
  return (uint64_t)e | (uint64_t)o << 32;
}
TINYC_KERNEL void tinyc_qdsp_widen4(const int8_t *const *f, int32_t K, int32_t Q, uint64_t *col) {
  const int32_t K4 = K & ~3;
  int32_t k, i;
  for (k = 0; k < K4; k += 4, col += 4)
    for (i = 0; i < 4; ++i) col[i] = tinyc_qdsp_pair(f[i] + k);
  if (k < K) {
    for (i = 0; i < 4; ++i) {
      int8_t t[4] = {0, 0, 0, 0};
      int32_t j;
      for (j = 0; k + j < K; ++j) t[j] = f[i][k + j];
      col[i] = tinyc_qdsp_pair(t);
    }
    col += 4, k += 4;
  }
  for (; k < 4 * Q; k += 4, col += 4)
    for (i = 0; i < 4; ++i) col[i] = 0;
}

/* One quad of the four pixels' sums: the channel's next weight word widened, times each field's
   pair of words (a 64-bit word: LDRD with post-increment; gcc 12 splits a 64-bit load into two
   LDR for the Cortex-M4). */
#if defined(__ARM_FEATURE_DSP) && __ARM_FEATURE_DSP && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(__ARM_BIG_ENDIAN)
#define TINYC_LDRD_NEXT(P, LO, HI) \
  __asm__("ldrd %0, %1, [%2], #8" : "=&r"(LO), "=&r"(HI), "+r"(P) : "m"(*(const uint64_t *)(P)))
#else
#define TINYC_LDRD_NEXT(P, LO, HI) (LO = (uint32_t)*(P), HI = (uint32_t)(*(P) >> 32), ++(P))
#endif
#define TINYC_QDSP_PAIR(S)                                                   \
  do {                                                                       \
    uint32_t lo_, hi_;                                                       \
    TINYC_LDRD_NEXT(a, lo_, hi_);                                            \
    S = TINYC_SMLAD(lo_, we_, S), S = TINYC_SMLAD(hi_, wo_, S);              \
  } while (0)
#define TINYC_QDSP_QUAD4()                                                                  \
  do {                                                                                      \
    const uint32_t w_ = (uint32_t)*w++, we_ = TINYC_SXTB16(w_), wo_ = TINYC_SXTB16_ROR8(w_); \
    TINYC_QDSP_PAIR(s0);                                                                    \
    TINYC_QDSP_PAIR(s1);                                                                    \
    TINYC_QDSP_PAIR(s2);                                                                    \
    TINYC_QDSP_PAIR(s3);                                                                    \
  } while (0)

/* The widened fields (Q quads, Q even) times every one of the M channels: y[i][m] =
   requant(bias[m] + f_i . w_m) for the four pixels i (a pixel past the last is a copy of the last
   pixel: the same sums written to the same place). rq: per channel three words, the bias (input
   zero point folded in), the multiplier, and e = rshift - 32 where 1 <= e <= 21, else -rshift
   (tinyc_requant). With e the kernel adds the output zero point into tinyc_requant_hw's rounding
   term, 2^(e - 1) + zy 2^e (the high word of the product is below 2^30 and |zy 2^e| <= 2^28: no
   overflow; the same floor, so the same value): one ADD per channel instead of one per output. */
TINYC_KERNEL TINYC_NOINLINE void tinyc_qrow4_dsp_i8(const uint64_t *col, int32_t Q, const int32_t *wp, int32_t M,
                                                    const int32_t *rq, int32_t zy, int32_t lo, int32_t hi,
                                                    int8_t *const *y) {
  const uint64_t *end = col + 4 * Q;
  int32_t m;
  for (m = 0; m < M; ++m, rq += 3) {
    int32_t s0 = rq[0], s1 = s0, s2 = s0, s3 = s0;
    const uint64_t *a = col;
    const int32_t *w = wp + (size_t)m * (size_t)Q;
    do { /* two quads per pass (Q is even, >= 2) */
      TINYC_QDSP_QUAD4();
      TINYC_QDSP_QUAD4();
    } while (a != end);
    {
      const int32_t mu = rq[1], e = rq[2];
      if (e > 0) { /* (hi + 2^(e-1) + zy 2^e) >> e: tinyc_requant_hw with the zero point in the term */
        const int32_t h = ((int32_t)1 << (e - 1)) + zy * ((int32_t)1 << e);
        y[0][m] = (int8_t)tinyc_requant_hw(s0, mu, e, h, 0, lo, hi);
        y[1][m] = (int8_t)tinyc_requant_hw(s1, mu, e, h, 0, lo, hi);
        y[2][m] = (int8_t)tinyc_requant_hw(s2, mu, e, h, 0, lo, hi);
        y[3][m] = (int8_t)tinyc_requant_hw(s3, mu, e, h, 0, lo, hi);
      } else { /* rshift -e */
        y[0][m] = (int8_t)tinyc_requant(s0, mu, -e, zy, lo, hi);
        y[1][m] = (int8_t)tinyc_requant(s1, mu, -e, zy, lo, hi);
        y[2][m] = (int8_t)tinyc_requant(s2, mu, -e, zy, lo, hi);
        y[3][m] = (int8_t)tinyc_requant(s3, mu, -e, zy, lo, hi);
      }
    }
  }
}

/* The convolution (any kernel size, stride, dilation, padding; one group): per four output
   pixels, the receptive fields (tinyc_qpatch_i8 into 4 K bytes of scratch; a 1x1 stride-1
   unpadded convolution reads the input rows in place), widened (32 Q bytes of scratch after
   them), then tinyc_qrow4_dsp_i8. Raw x is read (the zero point is in rq's biases).
   Scratch: 4 K + 32 Q bytes, the widened part at a multiple of 8 bytes (wcol; the arena and
   its buffers are aligned to 8). */
TINYC_KERNEL void tinyc_qconv_dsp_i8(const int8_t *x, const int32_t *wp, const int32_t *rq, int8_t *y,
                                     const int32_t *p, int32_t zx, int32_t zy, int32_t lo, int32_t hi, int8_t *col,
                                     uint64_t *wcol) {
  const int32_t C = p[TINYC_QC_C], M = p[TINYC_QC_M], OW = p[TINYC_QC_OW], P = p[TINYC_QC_OH] * OW;
  const int32_t K = C * p[TINYC_QC_KH] * p[TINYC_QC_KW], Q = (int32_t)tinyc_qconv_dsp_i8_quads(p);
  const int direct = tinyc_qconv_dsp_i8_direct(p);
  int32_t o, i, oh = 0, ow = 0;
  TINYC_SCRATCH_NEED(tinyc_qconv_dsp_i8_scratch(p));
  for (o = 0; o < P; o += 4) {
    const int8_t *f[4];
    int8_t *yo[4];
    for (i = 0; i < 4; ++i) {
      if (o + i >= P) { /* past the last pixel: the last one again */
        f[i] = f[i - 1], yo[i] = yo[i - 1];
        continue;
      }
      yo[i] = y + (size_t)(o + i) * (size_t)M;
      if (direct) {
        f[i] = x + (size_t)(o + i) * (size_t)C;
      } else {
        tinyc_qpatch_i8(x, p, 0, C, oh, ow, zx, 1, col + (size_t)i * (size_t)K, 1);
        f[i] = col + (size_t)i * (size_t)K;
        if (++ow == OW) ow = 0, ++oh;
      }
    }
    tinyc_qdsp_widen4(f, K, Q, wcol);
    tinyc_qrow4_dsp_i8(wcol, Q, wp, M, rq, zy, lo, hi, yo);
  }
}

/* Requantization of one sum of channel m (the usual rshift > 32 with its rounding term computed
   here, as tinyc_qrow2_dsp_i8 does). */
TINYC_KERNEL int32_t tinyc_qdsp_rq(int32_t s, const int32_t *mult, const int32_t *rsh, int32_t pc, int32_t m,
                                   int32_t zy, int32_t lo, int32_t hi) {
  const int32_t mu = mult[m * pc], r = rsh[m * pc];
  if (r > 32) return tinyc_requant_hw(s, mu, r - 32, (int32_t)1 << (r - 33), zy, lo, hi);
  return tinyc_requant(s, mu, r, zy, lo, hi);
}

/* Gemm (fully connected) for cores with the DSP extension: y[M, N] = requant(bias + a[M, K] .
   w[N, K]^T). Per row and block of four columns, per quad of k: the row's word widened into
   halfword pairs (a[4q], a[4q+2]) and (a[4q+1], a[4q+3]) with SXTB16 / SXTB16 ROR 8 (no scratch:
   the arena of a fully connected model is a few hundred bytes), the block's four weight words
   (byte i of word (b * Q + q) * 4 + j = w[4 b + j][4 q + i], zero past K and past N; written by
   the emitter) widened into the same pairing, eight SMLAD: 16 MACs in about 22 instructions,
   against about 40 for the portable kernel on a lone row. The last K % 4 values of a row go
   through a zero-padded word. bias is padded to a multiple of four columns. The same integer sums
   as the portable kernel: bit-identical. */
TINYC_KERNEL void tinyc_qgemm_dsp_i8(const int8_t *a, const int32_t *wp, const int32_t *bias, int8_t *y, int32_t M,
                                     int32_t K, int32_t N, const int32_t *mult, const int32_t *rsh, int32_t pc,
                                     int32_t zy, int32_t lo, int32_t hi) {
  const int32_t Q = (K + 3) / 4, K4 = K & ~3;
  int32_t r, m, j;
  for (r = 0; r < M; ++r) {
    const int8_t *ar = a + (size_t)r * (size_t)K, *end = ar + K4;
    int8_t *yr = y + (size_t)r * (size_t)N;
    const int32_t *w = wp;
    int8_t t[4] = {0, 0, 0, 0};
    for (j = 0; K4 + j < K; ++j) t[j] = ar[K4 + j];
    for (m = 0; m < N; m += 4, w += 4 * Q) {
      int32_t s0 = bias[m], s1 = bias[m + 1], s2 = bias[m + 2], s3 = bias[m + 3];
      const int8_t *x = ar;
      const int32_t *wq = w;
#define TINYC_QDSP_GQUAD(P)                                                                                    \
  do {                                                                                                         \
    uint32_t xe, xo;                                                                                           \
    const uint32_t w0 = (uint32_t)wq[0], w1 = (uint32_t)wq[1], w2 = (uint32_t)wq[2], w3 = (uint32_t)wq[3];     \
    TINYC_WIDEN4(P, xe, xo);                                                                                   \
    s0 = TINYC_SMLAD(xe, TINYC_SXTB16(w0), s0), s1 = TINYC_SMLAD(xe, TINYC_SXTB16(w1), s1);                    \
    s2 = TINYC_SMLAD(xe, TINYC_SXTB16(w2), s2), s3 = TINYC_SMLAD(xe, TINYC_SXTB16(w3), s3);                    \
    s0 = TINYC_SMLAD(xo, TINYC_SXTB16_ROR8(w0), s0), s1 = TINYC_SMLAD(xo, TINYC_SXTB16_ROR8(w1), s1);          \
    s2 = TINYC_SMLAD(xo, TINYC_SXTB16_ROR8(w2), s2), s3 = TINYC_SMLAD(xo, TINYC_SXTB16_ROR8(w3), s3);          \
  } while (0)
      for (; x != end; x += 4, wq += 4) TINYC_QDSP_GQUAD(x);
      if (K4 < K) TINYC_QDSP_GQUAD(t);
#undef TINYC_QDSP_GQUAD
      yr[m] = (int8_t)tinyc_qdsp_rq(s0, mult, rsh, pc, m, zy, lo, hi);
      if (m + 1 < N) yr[m + 1] = (int8_t)tinyc_qdsp_rq(s1, mult, rsh, pc, m + 1, zy, lo, hi);
      if (m + 2 < N) yr[m + 2] = (int8_t)tinyc_qdsp_rq(s2, mult, rsh, pc, m + 2, zy, lo, hi);
      if (m + 3 < N) yr[m + 3] = (int8_t)tinyc_qdsp_rq(s3, mult, rsh, pc, m + 3, zy, lo, hi);
    }
  }
}

/* Channels-last int8 pools for cores with the DSP extension (the arguments and results of
   tinyc_qpool_i8; nhwc = 1): per output pixel, the taps inside the input (tinyc_qpool_window),
   four channels per word. Max: SSUB8 + SEL per tap (-128 where no tap is inside, as the portable
   kernel). Average: SXTAB16 adds the word's bytes 0, 2 and 1, 3 into two pairs of halfword sums
   (at most 255 taps: |sum| <= 255 * 128 < 2^15), then per channel the sum minus n zx (= the
   portable sum of x - zx over the n taps) requantized. The last C % 4 channels, and windows of
   more than 255 taps, go through the portable kernel's arithmetic. */
TINYC_KERNEL void tinyc_qpool_dsp_i8(const int8_t *x, int8_t *y, const int32_t *p, const int32_t *mult,
                                     const int32_t *rsh, int32_t zx, int32_t zy, int nhwc, int isMax) {
  const int32_t C = p[0], W = p[2], OH = p[3], OW = p[4], DH = p[9], DW = p[10], C4 = C & ~3;
  const size_t dwc = (size_t)DW * (size_t)C;
  int32_t oh, ow, c, kh, kw;
  if (p[5] * p[6] > 255 && !isMax) {
    tinyc_qpool_i8(x, y, p, mult, rsh, zx, zy, nhwc, isMax);
    return;
  }
  for (oh = 0; oh < OH; ++oh)
    for (ow = 0; ow < OW; ++ow) {
      tinyc_qpool_win g;
      int8_t *yo = y + (size_t)(oh * OW + ow) * (size_t)C;
      const int8_t *x0;
      tinyc_qpool_window(p, oh, ow, &g);
      x0 = x + ((size_t)(g.ih0 + g.khs * DH) * (size_t)W + (size_t)(g.iw0 + g.kws * DW)) * (size_t)C;
      if (isMax) {
        for (c = 0; c < C; c += 4) {
          uint32_t acc = 0x80808080u;
          for (kh = g.khs; kh < g.khe; ++kh) {
            const int8_t *px = x0 + (size_t)(kh - g.khs) * (size_t)DH * (size_t)W * (size_t)C + c;
            for (kw = g.kws; kw < g.kwe; ++kw, px += dwc) {
              uint32_t v;
              if (c < C4) {
                memcpy(&v, px, 4);
              } else { /* the last channels: bytes past C read as -128 */
                int8_t t[4] = {-128, -128, -128, -128};
                memcpy(t, px, (size_t)(C - c));
                memcpy(&v, t, 4);
              }
              acc = TINYC_SMAX8(v, acc);
            }
          }
          if (c < C4) {
            memcpy(yo + c, &acc, 4);
          } else {
            int8_t t[4];
            memcpy(t, &acc, 4);
            memcpy(yo + c, t, (size_t)(C - c));
          }
        }
      } else if (g.idx < 0) {
        for (c = 0; c < C; ++c) yo[c] = (int8_t)zy;
      } else {
        const int32_t n = (g.khe - g.khs) * (g.kwe - g.kws), mu = mult[g.idx], r = rsh[g.idx], off = -n * zx;
        for (c = 0; c < C; c += 4) {
          uint32_t e = 0, o = 0;
          int32_t s[4], j;
          for (kh = g.khs; kh < g.khe; ++kh) {
            const int8_t *px = x0 + (size_t)(kh - g.khs) * (size_t)DH * (size_t)W * (size_t)C + c;
            for (kw = g.kws; kw < g.kwe; ++kw, px += dwc) {
              uint32_t v = 0;
              memcpy(&v, px, c < C4 ? 4 : (size_t)(C - c)); /* (bytes past C: 0) */
              e = TINYC_SXTAB16(e, v), o = TINYC_SXTAB16_ROR8(o, v);
            }
          }
          s[0] = (int16_t)(e & 0xFFFFu) + off, s[1] = (int16_t)(o & 0xFFFFu) + off;
          s[2] = (int16_t)(e >> 16) + off, s[3] = (int16_t)(o >> 16) + off;
          for (j = 0; j < 4 && c + j < C; ++j)
            yo[c + j] = (int8_t)(r > 32 ? tinyc_requant_hw(s[j], mu, r - 32, (int32_t)1 << (r - 33), zy, -128, 127)
                                        : tinyc_requant(s[j], mu, r, zy, -128, 127));
        }
      }
    }
}

/* Add of two int8 tensors of one shape (tinyc_qbinary_i8 with r = 0, mul = 0: tinyc_qadd per
   element): w = floor((d_a m_a + d_b m_b + 2^(n-1)) / 2^n) from one 64-bit accumulator that two
   SMLAL fill, read from its high word alone. When the shift n is below 33, both inputs are scaled
   by 2^k (k = 33 - n; |x| 2^k < 2^30 for n >= 11), so that the shift becomes n + k = 33; then, with
   s = n + k - 32 >= 1, the rounding term 2^(s-1) 2^32 is a whole multiple of 2^32 and
     w = floor((2^k (d_a m_a + d_b m_b) + 2^(s-1) 2^32) / 2^32) >> s   (arithmetic shift).
   The rounding term and the zero points' products (d = x - z) are one constant that the
   accumulator starts from: per element two loads, two SMLAL (after two shifts when k > 0), the
   high word shifted, the zero point added, SSAT, a store. Every partial sum is below 2^63
   (|x 2^k m| < 2^60, |z 2^k m| < 2^60, rounding <= 2^61). |w| < 2^29, so adding the zero point
   cannot overflow, and clamping to [lo, hi] then equals tinyc_qadd's clamp to +-2^24 followed by
   [lo, hi] (SSAT for the full int8 range). Shifts below 11: tinyc_qadd. */
TINYC_KERNEL int32_t tinyc_qclamp8(int32_t r, int32_t lo, int32_t hi) {
  TINYC_QM_SSAT8(r, lo, hi);
  r = r > hi ? hi : r;
  return r < lo ? lo : r;
}
/* One loop per case, written out by the macro so that the constants fold into it. */
#define TINYC_QADD_DSP_LOOP(SC, S, LO, HI)                                                                     \
  do {                                                                                                         \
    const int64_t c_ =                                                                                         \
        (int64_t)((int32_t)1 << ((S) - 1)) * 4294967296 - (int64_t)(za * (SC)) * ma - (int64_t)(zb * (SC)) * mb; \
    for (i = 0; i < n; ++i) {                                                                                  \
      const int64_t acc_ = c_ + (int64_t)(a[i] * (SC)) * ma + (int64_t)(b[i] * (SC)) * mb;                     \
      y[i] = (int8_t)tinyc_qclamp8(((int32_t)(acc_ >> 32) >> (S)) + zy, LO, HI);                               \
    }                                                                                                          \
  } while (0)
TINYC_KERNEL void tinyc_qadd_dsp_i8(const int8_t *a, const int8_t *b, int8_t *y, int32_t n, int32_t za, int32_t zb,
                                    int32_t ma, int32_t mb, int32_t sh, int32_t zy, int32_t lo, int32_t hi) {
  int32_t i;
  const int full = lo == -128 && hi == 127;
  if (sh >= 33 && sh <= 62) {
    const int32_t s = sh - 32;
    if (full)
      TINYC_QADD_DSP_LOOP(1, s, -128, 127);
    else
      TINYC_QADD_DSP_LOOP(1, s, lo, hi);
  } else if (sh >= 11) {
    const int32_t sc = (int32_t)1 << (33 - sh);
    if (full)
      TINYC_QADD_DSP_LOOP(sc, 1, -128, 127);
    else
      TINYC_QADD_DSP_LOOP(sc, 1, lo, hi);
  } else {
    for (i = 0; i < n; ++i) y[i] = (int8_t)tinyc_qadd(a[i] - za, b[i] - zb, ma, mb, sh, zy, lo, hi);
  }
}
