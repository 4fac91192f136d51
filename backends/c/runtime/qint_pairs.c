/* tinyc runtime: int8 convolution for cores with a long multiply-accumulate (SMLAL). requires: common qmath qint */
/* Two output pixels share every multiply. Their inputs are packed into one int32,
   X = a0 + a1 * 2^23, and int64 sums acc += X * w hold S0 + S1 * 2^23 exactly, where S0 and S1
   are the two pixels' int32 dot products. While |S0| < 2^22 both come back out:
     t = acc + 2^22,  S0 = (t mod 2^23) - 2^22,  S1 = t >> 23   (t >> 23 = floor(t / 2^23)).
   Every |a * w| <= 2^14 (int8 times int8), so a run of at most TINYC_QP_KMAX = 255 steps keeps
   |S0| <= 255 * 2^14 < 2^22; longer dot products are summed in runs. The sums are the same
   integers as the portable kernels', so the results are bit-identical; the C is portable, and a
   compiler for Armv7-M or later turns each step into one SMLAL (two MACs per instruction).
   The kernel takes four pixels at a time (two packed pairs) times two channels: eight int64
   sums, two packed inputs and one weight fill the registers of a 32-bit core. */
#define TINYC_QP_KMAX 255

/* Packed pairs a[2k] (pixels 0, 1) and a[2k + 1] (pixels 2, 3) times one block of two channels
   (weights wp[k * 2 + j]): s[r * 2 + j] += the dot product of pixel r and channel j. K <= 255. */
#define TINYC_QMKP_STEP(A, W)                                                                             \
  xa = (A)[0], xb = (A)[1], v = (W)[0], s0 += (int64_t)xa * v, s2 += (int64_t)xb * v, v = (W)[1], \
  s1 += (int64_t)xa * v, s3 += (int64_t)xb * v
#define TINYC_QP_SPLIT(ACC, LOW, HIGH)                                          \
  t = (ACC) + 0x400000;                                                         \
  s[LOW] += (int32_t)((uint32_t)t & 0x7FFFFFu) - 0x400000, s[HIGH] += (int32_t)(t >> 23)
TINYC_KERNEL TINYC_NOINLINE void tinyc_qmkp_i8(const int32_t *a, const int8_t *wp, int32_t K, int32_t *s) {
  int64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, t;
  int32_t xa, xb, v;
  const int32_t *end = a + 2 * (K & ~1);
  while (a != end) {
    TINYC_QMKP_STEP(a, wp);
    TINYC_QMKP_STEP(a + 2, wp + 2);
    a += 4;
    wp += 4;
  }
  if (K & 1) TINYC_QMKP_STEP(a, wp);
  TINYC_QP_SPLIT(s0, 0, 2); /* pair 0, channel 0: pixels 0 and 1 */
  TINYC_QP_SPLIT(s1, 1, 3);
  TINYC_QP_SPLIT(s2, 4, 6); /* pair 1: pixels 2 and 3 */
  TINYC_QP_SPLIT(s3, 5, 7);
}

/* The packed pairs (a: 2K int32) times every block of the M channels: for each of the R pixels,
   y[r * ys + m] = requant(bias[m] + ...). */
TINYC_KERNEL void tinyc_qblocksp_i8(const int32_t *a, const int8_t *wp, int32_t K, int32_t M, const int32_t *bias,
                                    const int32_t *mult, const int32_t *rsh, int32_t pc, int32_t zy, int32_t lo,
                                    int32_t hi, int8_t *y, int32_t R, int32_t ys) {
  int32_t m0, j, r, k0, s[8];
  for (m0 = 0; m0 < M; m0 += 2) {
    const int32_t n = M - m0 < 2 ? M - m0 : 2;
    const int8_t *wb = wp + (size_t)m0 * (size_t)K;
    s[0] = s[2] = s[4] = s[6] = bias[m0];
    s[1] = s[3] = s[5] = s[7] = bias[m0 + n - 1]; /* (past M: computed, not stored) */
    for (k0 = 0; k0 < K; k0 += TINYC_QP_KMAX)
      tinyc_qmkp_i8(a + 2 * k0, wb + (size_t)k0 * 2, K - k0 < TINYC_QP_KMAX ? K - k0 : TINYC_QP_KMAX, s);
    if (R == 4 && n == 2 && rsh[m0 * pc] > 32 && rsh[(m0 + 1) * pc] > 32) { /* the usual case, unrolled */
      const int32_t mu0 = mult[m0 * pc], e0 = rsh[m0 * pc] - 32, rnd0 = (int32_t)1 << (e0 - 1);
      const int32_t mu1 = mult[(m0 + 1) * pc], e1 = rsh[(m0 + 1) * pc] - 32, rnd1 = (int32_t)1 << (e1 - 1);
      int8_t *ym = y + m0;
#define TINYC_QP_RQ(R_, J, MU, E, RND) ym[(R_) * ys + (J)] = (int8_t)tinyc_requant_hw(s[2 * (R_) + (J)], MU, E, RND, zy, lo, hi)
      TINYC_QP_RQ(0, 0, mu0, e0, rnd0);
      TINYC_QP_RQ(1, 0, mu0, e0, rnd0);
      TINYC_QP_RQ(2, 0, mu0, e0, rnd0);
      TINYC_QP_RQ(3, 0, mu0, e0, rnd0);
      TINYC_QP_RQ(0, 1, mu1, e1, rnd1);
      TINYC_QP_RQ(1, 1, mu1, e1, rnd1);
      TINYC_QP_RQ(2, 1, mu1, e1, rnd1);
      TINYC_QP_RQ(3, 1, mu1, e1, rnd1);
      continue;
    }
    for (j = 0; j < n; ++j) {
      const int32_t m = m0 + j, mu = mult[m * pc], sh = rsh[m * pc];
      if (sh > 32) { /* the usual case: the shift and the rounding term once for the R pixels */
        const int32_t e = sh - 32, rnd = (int32_t)1 << (e - 1);
        for (r = 0; r < R; ++r) y[r * ys + m] = (int8_t)tinyc_requant_hw(s[2 * r + j], mu, e, rnd, zy, lo, hi);
      } else {
        for (r = 0; r < R; ++r) y[r * ys + m] = (int8_t)tinyc_requant(s[2 * r + j], mu, sh, zy, lo, hi);
      }
    }
  }
}

/* Channels-last convolution (any group) over four output pixels at a time, as tinyc_qconv_i8
   (folded bias, geometry p) with weights in blocks of two channels (wp[(b * K + k) * 2 + j] =
   w[2b + j][k], zero past a group's last channel) and the pixels packed in pairs into col (2K
   int32 of scratch). A receptive field is gathered as four interleaved int8 fields first (bytes
   4k + r), then widened in place from the end: element k of col (bytes 8k..8k+7) reads bytes
   4k..4k+3 before it writes, and only elements above k had their bytes there. */
TINYC_KERNEL void tinyc_qconv_pairs_i8(const int8_t *x, const int8_t *wp, const int32_t *bias, int8_t *y,
                                       const int32_t *p, const int32_t *mult, const int32_t *rsh, int32_t pc,
                                       int32_t zx, int32_t zy, int32_t lo, int32_t hi, int32_t *col) {
  const int32_t C = p[TINYC_QC_C], M = p[TINYC_QC_M], G = p[TINYC_QC_G], OW = p[TINYC_QC_OW];
  const int32_t P = p[TINYC_QC_OH] * OW, mg = M / G, cg = C / G, K = cg * p[TINYC_QC_KH] * p[TINYC_QC_KW];
  const int32_t blocks = (mg + 1) / 2;
  const int direct = G == 1 && K == C && p[TINYC_QC_SH] == 1 && p[TINYC_QC_SW] == 1 && p[TINYC_QC_PT] == 0 &&
                     p[TINYC_QC_PL] == 0 && p[TINYC_QC_OW] == p[TINYC_QC_W] && p[TINYC_QC_OH] == p[TINYC_QC_H];
  int8_t *bytes = (int8_t *)col;
  int32_t g, o, k, r, oh, ow;
  TINYC_SCRATCH_NEED(tinyc_qconv_pairs_i8_scratch(p));
  for (g = 0; g < G; ++g) {
    const int8_t *wg = wp + (size_t)g * (size_t)blocks * 2 * (size_t)K;
    for (o = 0, oh = 0, ow = 0; o < P; o += 4) { /* (oh, ow): pixel o */
      const int32_t R = P - o < 4 ? P - o : 4;
      if (direct && R == 4) { /* 1x1, stride 1, unpadded, one group: four input rows */
        const int8_t *r0 = x + (size_t)o * (size_t)C, *r1 = r0 + C, *r2 = r1 + C, *r3 = r2 + C;
        for (k = 0; k + 2 <= K; k += 2) {
          col[2 * k] = (int32_t)r0[k] + (int32_t)r1[k] * 8388608;
          col[2 * k + 1] = (int32_t)r2[k] + (int32_t)r3[k] * 8388608;
          col[2 * k + 2] = (int32_t)r0[k + 1] + (int32_t)r1[k + 1] * 8388608;
          col[2 * k + 3] = (int32_t)r2[k + 1] + (int32_t)r3[k + 1] * 8388608;
        }
        if (k < K) {
          col[2 * k] = (int32_t)r0[k] + (int32_t)r1[k] * 8388608;
          col[2 * k + 1] = (int32_t)r2[k] + (int32_t)r3[k] * 8388608;
        }
      } else {
        int32_t h = oh, w = ow;
        for (r = 0; r < R; ++r) {
          tinyc_qpatch_i8(x, p, g, cg, h, w, zx, 1, bytes + r, 4);
          if (++w == OW) w = 0, ++h;
        }
        if (R == 4)
          for (k = K - 1; k >= 0; --k) {
            const int32_t a0 = bytes[4 * k], a1 = bytes[4 * k + 1], a2 = bytes[4 * k + 2], a3 = bytes[4 * k + 3];
            col[2 * k] = a0 + a1 * 8388608;
            col[2 * k + 1] = a2 + a3 * 8388608;
          }
        else /* the last pixels: the missing ones are zero */
          for (k = K - 1; k >= 0; --k) {
            const int32_t a0 = bytes[4 * k], a1 = R > 1 ? bytes[4 * k + 1] : 0, a2 = R > 2 ? bytes[4 * k + 2] : 0;
            col[2 * k] = a0 + a1 * 8388608;
            col[2 * k + 1] = a2;
          }
      }
      tinyc_qblocksp_i8(col, wg, K, mg, bias + g * mg, mult + g * mg * pc, rsh + g * mg * pc, pc, zy, lo, hi,
                        y + (size_t)o * (size_t)M + (size_t)g * (size_t)mg, R, M);
      for (r = 0; r < 4; ++r)
        if (++ow == OW) ow = 0, ++oh;
    }
  }
}
