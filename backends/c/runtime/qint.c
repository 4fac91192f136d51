/* tinyc runtime: int8 kernels of the quantized form (Conv, Gemm, pools, Softmax, tables). requires: common qmath scratch */
/* Integer only: int32 accumulators, requantization by tinyc_requant (qmath). Channels-first and
   channels-last data share the kernels through the `nhwc` flag. Geometry arrays are described
   with each kernel; the emitter (backends/c/kernels_qint.cpp) writes them. */

/* Packed weights (written by the emitter): output channels in blocks of four,
   wp[(b * K + k) * 4 + j] = w[4b + j][k], zero past the last channel.
   Micro-kernels: one block of four channels times R = 2 (or 1) input vectors stored interleaved,
   a[k * R + r]; s[r * 4 + j] += sum_k a[k * R + r] * wp[k * 4 + j]. They are leaf functions so that
   the eight sums, two pointers and three operands stay in registers on a 32-bit core. */
#define TINYC_QMK2X4_STEP(A, W)  \
  x0 = (A)[0], x1 = (A)[1];       \
  v = (W)[0], s0 += x0 * v, s4 += x1 * v; \
  v = (W)[1], s1 += x0 * v, s5 += x1 * v; \
  v = (W)[2], s2 += x0 * v, s6 += x1 * v; \
  v = (W)[3], s3 += x0 * v, s7 += x1 * v
TINYC_KERNEL TINYC_NOINLINE void tinyc_qmk2x4_i8(const int8_t *a, const int8_t *wp, int32_t K, int32_t *s) {
  int32_t s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3], s4 = s[4], s5 = s[5], s6 = s[6], s7 = s[7];
  int32_t k, x0, x1, v;
  for (k = K >> 2; k > 0; --k) { /* four steps per iteration: fewer loop and pointer instructions */
    TINYC_QMK2X4_STEP(a, wp);
    TINYC_QMK2X4_STEP(a + 2, wp + 4);
    TINYC_QMK2X4_STEP(a + 4, wp + 8);
    TINYC_QMK2X4_STEP(a + 6, wp + 12);
    a += 8;
    wp += 16;
  }
  for (k = K & 3; k > 0; --k) {
    TINYC_QMK2X4_STEP(a, wp);
    a += 2;
    wp += 4;
  }
  s[0] = s0, s[1] = s1, s[2] = s2, s[3] = s3, s[4] = s4, s[5] = s5, s[6] = s6, s[7] = s7;
}

TINYC_KERNEL TINYC_NOINLINE void tinyc_qmk1x4_i8(const int8_t *a, const int8_t *wp, int32_t K, int32_t *s) {
  int32_t s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
  int32_t k, x;
#define TINYC_QMK1X4_STEP(A, W) x = (A), s0 += x * (W)[0], s1 += x * (W)[1], s2 += x * (W)[2], s3 += x * (W)[3]
  for (k = K >> 2; k > 0; --k) {
    TINYC_QMK1X4_STEP(a[0], wp);
    TINYC_QMK1X4_STEP(a[1], wp + 4);
    TINYC_QMK1X4_STEP(a[2], wp + 8);
    TINYC_QMK1X4_STEP(a[3], wp + 12);
    a += 4;
    wp += 16;
  }
  for (k = K & 3; k > 0; --k) {
    TINYC_QMK1X4_STEP(*a++, wp);
    wp += 4;
  }
  s[0] = s0, s[1] = s1, s[2] = s2, s[3] = s3;
}

/* int4 weights (--weight-bits 4; the emitter writes them): the packed layout above with two weights
   per byte, element i of wp in the low (i even) or high (i odd) four bits of byte i / 2, two's
   complement: per k the four channels of a block are two bytes. The same sums as the int8
   micro-kernels (the weights are the same integers), each nibble v sign-extended as v - 2 * (v & 8).
   (Not (v ^ 8) - 8: gcc 12 -O3 -march=native on an AVX-512 Rocket Lake vectorized that form of
   tinyc_qmk1x4_i4 into wrong sums for K >= 16; -fwrapv, clang and other -march did not; found
   by the difftest's -march=native paths, regression qconv_i4_gcc_native.) */
#define TINYC_I4LO(B) ((int32_t)((B) & 15) - (int32_t)(((B) & 8) << 1))
#define TINYC_I4HI(B) ((int32_t)(((B) >> 4) & 15) - (int32_t)((((B) >> 4) & 8) << 1))
TINYC_KERNEL TINYC_NOINLINE void tinyc_qmk2x4_i4(const int8_t *a, const int8_t *wp, int32_t K, int32_t *s) {
  int32_t s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3], s4 = s[4], s5 = s[5], s6 = s[6], s7 = s[7];
  int32_t k, x0, x1, v;
  const uint8_t *w = (const uint8_t *)wp;
  for (k = 0; k < K; ++k, a += 2, w += 2) {
    const uint32_t b0 = w[0], b1 = w[1];
    x0 = a[0], x1 = a[1];
    v = TINYC_I4LO(b0), s0 += x0 * v, s4 += x1 * v;
    v = TINYC_I4HI(b0), s1 += x0 * v, s5 += x1 * v;
    v = TINYC_I4LO(b1), s2 += x0 * v, s6 += x1 * v;
    v = TINYC_I4HI(b1), s3 += x0 * v, s7 += x1 * v;
  }
  s[0] = s0, s[1] = s1, s[2] = s2, s[3] = s3, s[4] = s4, s[5] = s5, s[6] = s6, s[7] = s7;
}

TINYC_KERNEL TINYC_NOINLINE void tinyc_qmk1x4_i4(const int8_t *a, const int8_t *wp, int32_t K, int32_t *s) {
  int32_t s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3];
  int32_t k, x;
  const uint8_t *w = (const uint8_t *)wp;
  for (k = 0; k < K; ++k, w += 2) {
    const uint32_t b0 = w[0], b1 = w[1];
    x = *a++;
    s0 += x * TINYC_I4LO(b0), s1 += x * TINYC_I4HI(b0), s2 += x * TINYC_I4LO(b1), s3 += x * TINYC_I4HI(b1);
  }
  s[0] = s0, s[1] = s1, s[2] = s2, s[3] = s3;
}

/* The block, Gemm and Conv loops below take their micro-kernels (two vectors, one vector) and wsh:
   weight element i starts in byte i >> wsh (0: int8, 1: int4). */
typedef void (*tinyc_qmk_fn)(const int8_t *a, const int8_t *wp, int32_t K, int32_t *s);

/* R interleaved vectors (a) times every block of M channels: y0[m * ys] = requant(bias[m] + ...)
   and, when R = 2, y1[m * ys]. The emitter folds the input zero point into bias
   (bias[m] - zx * sum_k w[m][k]), so a holds the raw int8 values. Requantization by
   mult[m * pc], rsh[m * pc] (pc = 0: one multiplier for every channel). */
TINYC_KERNEL void tinyc_qblocks_with(tinyc_qmk_fn mk2, tinyc_qmk_fn mk1, int32_t wsh, const int8_t *a, int32_t R,
                                     const int8_t *wp, int32_t K, int32_t M, const int32_t *bias, const int32_t *mult,
                                     const int32_t *rsh, int32_t pc, int32_t zy, int32_t lo, int32_t hi, int8_t *y0,
                                     int8_t *y1, int32_t ys) {
  int32_t m0, j, s[8];
  for (m0 = 0; m0 < M; m0 += 4) {
    const int32_t n = M - m0 < 4 ? M - m0 : 4;
    for (j = 0; j < 4; ++j) s[j] = s[4 + j] = j < n ? bias[m0 + j] : 0;
    if (R == 2)
      mk2(a, wp + (((size_t)m0 * (size_t)K) >> wsh), K, s);
    else
      mk1(a, wp + (((size_t)m0 * (size_t)K) >> wsh), K, s);
    for (j = 0; j < n; ++j) {
      const int32_t m = m0 + j;
      y0[m * ys] = (int8_t)tinyc_requant(s[j], mult[m * pc], rsh[m * pc], zy, lo, hi);
      if (R == 2) y1[m * ys] = (int8_t)tinyc_requant(s[4 + j], mult[m * pc], rsh[m * pc], zy, lo, hi);
    }
  }
}

/* Gemm: y[M, N] = requant(bias + a[M, K] . w[N, K]^T), w packed; rows in pairs, interleaved into
   col (2 * K bytes of scratch; not used when M = 1). */
TINYC_KERNEL void tinyc_qgemm_with(tinyc_qmk_fn mk2, tinyc_qmk_fn mk1, int32_t wsh, const int8_t *a, const int8_t *wp,
                                   const int32_t *bias, int8_t *y, int32_t M, int32_t K, int32_t N, const int32_t *mult,
                                   const int32_t *rsh, int32_t pc, int32_t zy, int32_t lo, int32_t hi, int8_t *col) {
  int32_t i, k;
  for (i = 0; i < M; i += 2) {
    const int8_t *r0 = a + (size_t)i * (size_t)K;
    if (i + 1 < M) {
      for (k = 0; k < K; ++k) {
        col[2 * k] = r0[k];
        col[2 * k + 1] = r0[K + k];
      }
      tinyc_qblocks_with(mk2, mk1, wsh, col, 2, wp, K, N, bias, mult, rsh, pc, zy, lo, hi, y + (size_t)i * (size_t)N,
                       y + (size_t)(i + 1) * (size_t)N, 1);
    } else {
      tinyc_qblocks_with(mk2, mk1, wsh, r0, 1, wp, K, N, bias, mult, rsh, pc, zy, lo, hi, y + (size_t)i * (size_t)N, NULL, 1);
    }
  }
}

TINYC_KERNEL void tinyc_qgemm_i8(const int8_t *a, const int8_t *wp, const int32_t *bias, int8_t *y, int32_t M,
                                 int32_t K, int32_t N, const int32_t *mult, const int32_t *rsh, int32_t pc, int32_t zy,
                                 int32_t lo, int32_t hi, int8_t *col) {
  TINYC_SCRATCH_NEED(tinyc_qgemm_i8_scratch(M, K));
  tinyc_qgemm_with(tinyc_qmk2x4_i8, tinyc_qmk1x4_i8, 0, a, wp, bias, y, M, K, N, mult, rsh, pc, zy, lo, hi, col);
}

/* The same with int4 weights (two per byte, as tinyc_qmk2x4_i4 reads them). */
TINYC_KERNEL void tinyc_qgemm_i4(const int8_t *a, const int8_t *wp, const int32_t *bias, int8_t *y, int32_t M,
                                 int32_t K, int32_t N, const int32_t *mult, const int32_t *rsh, int32_t pc, int32_t zy,
                                 int32_t lo, int32_t hi, int8_t *col) {
  TINYC_SCRATCH_NEED(tinyc_qgemm_i8_scratch(M, K));
  tinyc_qgemm_with(tinyc_qmk2x4_i4, tinyc_qmk1x4_i4, 1, a, wp, bias, y, M, K, N, mult, rsh, pc, zy, lo, hi, col);
}

/* 2-D convolution geometry: p = {C, H, W, M, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL, G}
   (TINYC_QC_*, scratch.h). */

/* Receptive field of output pixel (oh, ow) in group g (cg input channels per group) into
   col[k * R], in the weights' order (channels-first: c, kh, kw; channels-last: kh, kw, c); taps
   outside the input read zx (the real zero, which the folded bias expects). The geometry is read
   into locals first: col's stores may alias p as far as the compiler knows. Channels-last with
   one group and dilation 1 in width: a kernel row inside the input is one contiguous run of
   KW * C bytes. */
TINYC_KERNEL void tinyc_qpatch_i8(const int8_t *x, const int32_t *p, int32_t g, int32_t cg, int32_t oh, int32_t ow,
                                  int32_t zx, int nhwc, int8_t *col, int32_t R) {
  const int32_t C = p[TINYC_QC_C], H = p[TINYC_QC_H], W = p[TINYC_QC_W], KH = p[TINYC_QC_KH], KW = p[TINYC_QC_KW];
  const int32_t DH = p[TINYC_QC_DH], DW = p[TINYC_QC_DW];
  const int32_t ih0 = oh * p[TINYC_QC_SH] - p[TINYC_QC_PT], iw0 = ow * p[TINYC_QC_SW] - p[TINYC_QC_PL];
  const int8_t z = (int8_t)zx;
  const int rows = nhwc && cg == C && DW == 1 && iw0 >= 0 && iw0 + KW <= W; /* whole kernel rows inside */
  const int32_t run = KW * cg;
  int32_t c, kh, kw, i;
  for (kh = 0; kh < KH; ++kh) {
    const int32_t ih = ih0 + kh * DH;
    const int rowIn = ih >= 0 && ih < H;
    if (nhwc) {
      int8_t *dst = col + (size_t)kh * (size_t)run * (size_t)R;
      if (!rowIn) {
        for (i = 0; i < run; ++i) dst[i * R] = z;
      } else if (rows) {
        const int8_t *src = x + ((size_t)ih * (size_t)W + (size_t)iw0) * (size_t)C;
        for (i = 0; i < run; ++i) dst[i * R] = src[i];
      } else {
        for (kw = 0; kw < KW; ++kw, dst += (size_t)cg * (size_t)R) {
          const int32_t iw = iw0 + kw * DW;
          if (iw >= 0 && iw < W) {
            const int8_t *src = x + ((size_t)ih * (size_t)W + (size_t)iw) * (size_t)C + (size_t)g * (size_t)cg;
            for (c = 0; c < cg; ++c) dst[c * R] = src[c];
          } else {
            for (c = 0; c < cg; ++c) dst[c * R] = z;
          }
        }
      }
    } else {
      for (kw = 0; kw < KW; ++kw) {
        const int32_t iw = iw0 + kw * DW;
        const int inside = rowIn && iw >= 0 && iw < W;
        for (c = 0; c < cg; ++c)
          col[((c * KH + kh) * KW + kw) * R] =
              inside ? x[((size_t)(g * cg + c) * (size_t)H + (size_t)ih) * (size_t)W + (size_t)iw] : z;
      }
    }
  }
}

/* Convolution (any group) over pairs of output pixels: their receptive fields are gathered
   interleaved into col (2 * K bytes, K = C/G * KH * KW), then tinyc_qblocks_with with the group's
   packed weights (blocks of four of its M/G channels) and the folded bias. */
TINYC_KERNEL void tinyc_qconv_with(tinyc_qmk_fn mk2, tinyc_qmk_fn mk1, int32_t wsh, const int8_t *x, const int8_t *wp,
                                   const int32_t *bias, int8_t *y, const int32_t *p, const int32_t *mult,
                                   const int32_t *rsh, int32_t pc, int32_t zx, int32_t zy, int32_t lo, int32_t hi, int nhwc,
                                   int8_t *col) {
  const int32_t C = p[TINYC_QC_C], M = p[TINYC_QC_M], G = p[TINYC_QC_G], OW = p[TINYC_QC_OW];
  const int32_t P = p[TINYC_QC_OH] * OW, mg = M / G, cg = C / G, K = cg * p[TINYC_QC_KH] * p[TINYC_QC_KW];
  const int32_t blocks = (mg + 3) / 4;
  const int direct = nhwc && G == 1 && K == C && p[TINYC_QC_SH] == 1 && p[TINYC_QC_SW] == 1 && p[TINYC_QC_PT] == 0 &&
                     p[TINYC_QC_PL] == 0 && p[TINYC_QC_OW] == p[TINYC_QC_W] && p[TINYC_QC_OH] == p[TINYC_QC_H];
  int32_t g, o;
  for (g = 0; g < G; ++g) {
    const int8_t *wg = wp + (((size_t)g * (size_t)blocks * 4 * (size_t)K) >> wsh);
    int32_t oh = 0, ow = 0; /* pixel o */
    for (o = 0; o < P; o += 2) {
      const int two = o + 1 < P;
      const int32_t oh1 = ow + 1 < OW ? oh : oh + 1, ow1 = ow + 1 < OW ? ow + 1 : 0; /* pixel o + 1 */
      int8_t *y0 = nhwc ? y + (size_t)o * (size_t)M + (size_t)g * (size_t)mg
                        : y + (size_t)g * (size_t)mg * (size_t)P + (size_t)o;
      if (direct) { /* 1x1, stride 1, unpadded, one group, channels-last: interleave two input rows */
        const int8_t *r0 = x + (size_t)o * (size_t)C, *r1 = two ? r0 + C : r0;
        int32_t k;
        if (two)
          for (k = 0; k < K; ++k) col[2 * k] = r0[k], col[2 * k + 1] = r1[k];
        else
          for (k = 0; k < K; ++k) col[k] = r0[k];
      } else {
        tinyc_qpatch_i8(x, p, g, cg, oh, ow, zx, nhwc, col, two ? 2 : 1);
        if (two) tinyc_qpatch_i8(x, p, g, cg, oh1, ow1, zx, nhwc, col + 1, 2);
      }
      tinyc_qblocks_with(mk2, mk1, wsh, col, two ? 2 : 1, wg, K, mg, bias + g * mg, mult + g * mg * pc, rsh + g * mg * pc, pc, zy, lo,
                       hi, y0, two ? y0 + (nhwc ? M : 1) : NULL, nhwc ? 1 : P);
      oh = ow1 + 1 < OW ? oh1 : oh1 + 1;
      ow = ow1 + 1 < OW ? ow1 + 1 : 0;
    }
  }
}

TINYC_KERNEL void tinyc_qconv_i8(const int8_t *x, const int8_t *wp, const int32_t *bias, int8_t *y, const int32_t *p,
                                 const int32_t *mult, const int32_t *rsh, int32_t pc, int32_t zx, int32_t zy,
                                 int32_t lo, int32_t hi, int nhwc, int8_t *col) {
  TINYC_SCRATCH_NEED(tinyc_qconv_i8_scratch(p));
  tinyc_qconv_with(tinyc_qmk2x4_i8, tinyc_qmk1x4_i8, 0, x, wp, bias, y, p, mult, rsh, pc, zx, zy, lo, hi, nhwc, col);
}

/* The same with int4 weights (two per byte, as tinyc_qmk2x4_i4 reads them). */
TINYC_KERNEL void tinyc_qconv_i4(const int8_t *x, const int8_t *wp, const int32_t *bias, int8_t *y, const int32_t *p,
                                 const int32_t *mult, const int32_t *rsh, int32_t pc, int32_t zx, int32_t zy,
                                 int32_t lo, int32_t hi, int nhwc, int8_t *col) {
  TINYC_SCRATCH_NEED(tinyc_qconv_i8_scratch(p));
  tinyc_qconv_with(tinyc_qmk2x4_i4, tinyc_qmk1x4_i4, 1, x, wp, bias, y, p, mult, rsh, pc, zx, zy, lo, hi, nhwc, col);
}

/* Two rows times two columns as four contiguous dot products, which compilers vectorize. */
TINYC_KERNEL void tinyc_qdot22_i8(const int8_t *a0, const int8_t *a1, const int8_t *w0, const int8_t *w1, int32_t K,
                                  int32_t *s) {
  int32_t s00 = s[0], s01 = s[1], s10 = s[2], s11 = s[3], k;
  for (k = 0; k < K; ++k) {
    const int32_t x0 = a0[k], x1 = a1[k], v0 = w0[k], v1 = w1[k];
    s00 += x0 * v0;
    s01 += x0 * v1;
    s10 += x1 * v0;
    s11 += x1 * v1;
  }
  s[0] = s00, s[1] = s01, s[2] = s10, s[3] = s11;
}

/* Gemm for hosts: y[M, N] = requant(bias + a[M, K] . w[N, K]^T) with unpacked weights, two rows
   times two columns as four contiguous dot products (tinyc_qdot22_i8), which compilers vectorize. */
TINYC_KERNEL void tinyc_qgemm_dot_i8(const int8_t *a, const int8_t *w, const int32_t *bias, int8_t *y, int32_t M,
                                     int32_t K, int32_t N, const int32_t *mult, const int32_t *rsh, int32_t pc,
                                     int32_t zy, int32_t lo, int32_t hi) {
  int32_t i, n, s[4];
  for (i = 0; i < M; i += 2) {
    const int32_t i1 = i + 1 < M ? i + 1 : i; /* (an odd last row is computed twice and stored once) */
    for (n = 0; n < N; n += 2) {
      const int32_t n1 = n + 1 < N ? n + 1 : n;
      s[0] = s[2] = bias[n];
      s[1] = s[3] = bias[n1];
      tinyc_qdot22_i8(a + (size_t)i * (size_t)K, a + (size_t)i1 * (size_t)K, w + (size_t)n * (size_t)K,
                      w + (size_t)n1 * (size_t)K, K, s);
      y[(size_t)i * (size_t)N + (size_t)n] = (int8_t)tinyc_requant(s[0], mult[n * pc], rsh[n * pc], zy, lo, hi);
      y[(size_t)i * (size_t)N + (size_t)n1] = (int8_t)tinyc_requant(s[1], mult[n1 * pc], rsh[n1 * pc], zy, lo, hi);
      y[(size_t)i1 * (size_t)N + (size_t)n] = (int8_t)tinyc_requant(s[2], mult[n * pc], rsh[n * pc], zy, lo, hi);
      y[(size_t)i1 * (size_t)N + (size_t)n1] = (int8_t)tinyc_requant(s[3], mult[n1 * pc], rsh[n1 * pc], zy, lo, hi);
    }
  }
}

/* Depthwise convolution (G = C = M). Channels-last: per output pixel, the KH * KW taps as row
   pointers (a tap outside the input points at zrow, C bytes of zx, so the folded bias
   bias[c] - zx * sum_t w[t][c] holds everywhere; a window inside the input takes its taps from
   the offsets off[t]), then four channels at a time with the weights tap-major (wt[t * C + c]).
   hw: NULL, or, when every rshift > 32, the constants of tinyc_requant_hw per multiplier
   (hw[2i] = rshift - 32, hw[2i + 1] = 2^(rshift - 33)). Channels-first: tinyc_qdwconv_host_i8 (qint_host.c). */
TINYC_KERNEL TINYC_NOINLINE void tinyc_qdw4_i8(const int8_t *const *taps, int32_t n, int32_t c, const int8_t *wt,
                                               int32_t C, int32_t *s) {
  int32_t s0 = s[0], s1 = s[1], s2 = s[2], s3 = s[3], t;
  for (t = 0; t < n; ++t) {
    const int8_t *xp = taps[t] + c;
    s0 += xp[0] * wt[0];
    s1 += xp[1] * wt[1];
    s2 += xp[2] * wt[2];
    s3 += xp[3] * wt[3];
    wt += C;
  }
  s[0] = s0, s[1] = s1, s[2] = s2, s[3] = s3;
}

/* Requantization of four channels' sums (S0 .. S3, channels c .. c + 3) into yo, with the hw
   constants when given (a macro: compilers keep the sums in registers). Uses c, yo, mult, rsh, hw,
   pc, zy, lo, hi of the enclosing function. */
#define TINYC_QDW_RQ4(S0, S1, S2, S3)                                                                 \
  do {                                                                                            \
    const int32_t *mc_ = mult + c * pc;                                                           \
    if (hw) {                                                                                     \
      const int32_t *hc_ = hw + 2 * c * pc;                                                       \
      yo[c] = (int8_t)tinyc_requant_hw(S0, mc_[0], hc_[0], hc_[1], zy, lo, hi);                   \
      yo[c + 1] = (int8_t)tinyc_requant_hw(S1, mc_[pc], hc_[2 * pc], hc_[2 * pc + 1], zy, lo, hi); \
      yo[c + 2] = (int8_t)tinyc_requant_hw(S2, mc_[2 * pc], hc_[4 * pc], hc_[4 * pc + 1], zy, lo, hi); \
      yo[c + 3] = (int8_t)tinyc_requant_hw(S3, mc_[3 * pc], hc_[6 * pc], hc_[6 * pc + 1], zy, lo, hi); \
    } else {                                                                                      \
      const int32_t *rc_ = rsh + c * pc;                                                          \
      yo[c] = (int8_t)tinyc_requant(S0, mc_[0], rc_[0], zy, lo, hi);                              \
      yo[c + 1] = (int8_t)tinyc_requant(S1, mc_[pc], rc_[pc], zy, lo, hi);                        \
      yo[c + 2] = (int8_t)tinyc_requant(S2, mc_[2 * pc], rc_[2 * pc], zy, lo, hi);                \
      yo[c + 3] = (int8_t)tinyc_requant(S3, mc_[3 * pc], rc_[3 * pc], zy, lo, hi);                \
    }                                                                                             \
  } while (0)

/* The channels c0 .. C - 1 of one pixel, one at a time (the C % 4 left over by a variant). */
TINYC_KERNEL void tinyc_qdw_tail(const int8_t *const *taps, int32_t n, const int8_t *wt, int32_t C, int32_t c0,
                                 const int32_t *bias, int8_t *yo, const int32_t *mult, const int32_t *rsh, int32_t pc,
                                 int32_t zy, int32_t lo, int32_t hi) {
  int32_t c, t;
  for (c = c0; c < C; ++c) {
    int32_t acc = bias[c];
    for (t = 0; t < n; ++t) acc += taps[t][c] * wt[t * C + c];
    yo[c] = (int8_t)tinyc_requant(acc, mult[c * pc], rsh[c * pc], zy, lo, hi);
  }
}

/* The portable pixel: four channels at a time (tinyc_qdw4_i8), then the rest. */
TINYC_KERNEL void tinyc_qdw_pixel_c(const int8_t *const *taps, int32_t n, const int8_t *wt, int32_t C,
                                    const int32_t *bias, int8_t *yo, const int32_t *mult, const int32_t *rsh,
                                    const int32_t *hw, int32_t pc, int32_t zy, int32_t lo, int32_t hi) {
  const int32_t C4 = C - C % 4;
  int32_t c, s[4];
  for (c = 0; c < C4; c += 4) {
    s[0] = bias[c], s[1] = bias[c + 1], s[2] = bias[c + 2], s[3] = bias[c + 3];
    tinyc_qdw4_i8(taps, n, c, wt + c, C, s);
    TINYC_QDW_RQ4(s[0], s[1], s[2], s[3]);
  }
  tinyc_qdw_tail(taps, n, wt, C, C4, bias, yo, mult, rsh, pc, zy, lo, hi);
}

/* The channels-last depthwise kernel NAME, shared by the variants: each output pixel's taps as
   row pointers (from precomputed offsets when the window is inside the input, else zrow for the
   taps outside), then the variant's pixel function PIXEL (a macro, so that each kernel calls its
   pixel function directly and the compiler specializes it to the layer's constants); WTYPE: the
   element type of the variant's weights. */
#define TINYC_QDW_NHWC_KERNEL(NAME, PIXEL, WTYPE)                                                             \
  TINYC_KERNEL void NAME(const int8_t *x, const WTYPE *wt, const int32_t *bias, int8_t *y, const int32_t *p,  \
                         const int32_t *mult, const int32_t *rsh, int32_t pc, int32_t zx, int32_t zy, int32_t lo, \
                         int32_t hi, int8_t *zrow, const int32_t *hw) {                                      \
    const int32_t C = p[TINYC_QC_C], H = p[TINYC_QC_H], W = p[TINYC_QC_W], OH = p[TINYC_QC_OH];              \
    const int32_t OW = p[TINYC_QC_OW], KH = p[TINYC_QC_KH], KW = p[TINYC_QC_KW], KK = KH * KW;               \
    const int32_t SH = p[TINYC_QC_SH], SW = p[TINYC_QC_SW], DH = p[TINYC_QC_DH], DW = p[TINYC_QC_DW];        \
    const int32_t PT = p[TINYC_QC_PT], PL = p[TINYC_QC_PL];                                                  \
    const int8_t *taps[TINYC_QDW_MAXTAPS];                                                                   \
    int32_t off[TINYC_QDW_MAXTAPS]; /* tap t's offset from the window's corner */                            \
    int32_t oh, ow, c, t, kh, kw;                                                                             \
    TINYC_SCRATCH_NEED(tinyc_qdwconv_nhwc_i8_scratch(p));                                                    \
    for (c = 0; c < C; ++c) zrow[c] = (int8_t)zx;                                                            \
    for (t = 0, kh = 0; kh < KH; ++kh)                                                                        \
      for (kw = 0; kw < KW; ++kw, ++t) off[t] = (kh * DH * W + kw * DW) * C;                                 \
    for (oh = 0; oh < OH; ++oh)                                                                               \
      for (ow = 0; ow < OW; ++ow) {                                                                           \
        const int32_t ih0 = oh * SH - PT, iw0 = ow * SW - PL;                                                 \
        if (ih0 >= 0 && ih0 + (KH - 1) * DH < H && iw0 >= 0 && iw0 + (KW - 1) * DW < W) { /* inside */      \
          const int8_t *corner = x + ((size_t)ih0 * (size_t)W + (size_t)iw0) * (size_t)C;                    \
          for (t = 0; t < KK; ++t) taps[t] = corner + off[t];                                                 \
        } else {                                                                                              \
          for (t = 0, kh = 0; kh < KH; ++kh) {                                                                \
            const int32_t ih = ih0 + kh * DH;                                                                 \
            for (kw = 0; kw < KW; ++kw, ++t) {                                                                \
              const int32_t iw = iw0 + kw * DW;                                                               \
              taps[t] = ih >= 0 && ih < H && iw >= 0 && iw < W                                                \
                            ? x + ((size_t)ih * (size_t)W + (size_t)iw) * (size_t)C                          \
                            : zrow;                                                                           \
            }                                                                                                 \
          }                                                                                                   \
        }                                                                                                     \
        PIXEL(taps, KK, wt, C, bias, y + (size_t)(oh * OW + ow) * (size_t)C, mult, rsh, hw, pc, zy, lo, hi);  \
      }                                                                                                       \
  }
TINYC_QDW_NHWC_KERNEL(tinyc_qdwconv_nhwc_i8, tinyc_qdw_pixel_c, int8_t)

/* 2-D pooling geometry: p = {C, H, W, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL, PB, PR, include_pad, fixed}.
   Average: the sum of (x - zx) over the taps inside the input, requantized by the entry of the
   tap count (count_include_pad: taps inside the padded input) or entry 0 when `fixed` (every
   window has the same count). Max: the largest tap (mult, rsh, zx, zy unused).
   TINYC_QPOOL_KERNEL(SUF, T, ACC, LO, HI, RQ): tinyc_qpool_SUF for elements T in [LO, HI], sums
   in ACC requantized by RQ (tinyc_requant, or tinyc_requant64 for int16: runtime/qint16.c). */
#define TINYC_QPOOL_KERNEL(SUF, T, ACC, LO, HI, RQ)                                                           \
  TINYC_KERNEL void tinyc_qpool_##SUF(const T *x, T *y, const int32_t *p, const int32_t *mult, const int32_t *rsh, \
                                      int32_t zx, int32_t zy, int nhwc, int isMax) {                          \
    const int32_t C = p[0], H = p[1], W = p[2], OH = p[3], OW = p[4], KH = p[5], KW = p[6];                    \
    const int32_t cs = nhwc ? 1 : H * W, ps = nhwc ? C : 1, ocs = nhwc ? 1 : OH * OW, ops = nhwc ? C : 1;     \
    int32_t c, oh, ow, kh, kw;                                                                                 \
    for (oh = 0; oh < OH; ++oh)                                                                                \
      for (ow = 0; ow < OW; ++ow) {                                                                            \
        const int32_t ih0 = oh * p[7] - p[11], iw0 = ow * p[8] - p[12];                                        \
        int32_t nh = 0, nw = 0, ph = 0, pw = 0, idx;                                                           \
        for (kh = 0; kh < KH; ++kh) {                                                                          \
          const int32_t ih = ih0 + kh * p[9];                                                                  \
          nh += ih >= 0 && ih < H;                                                                             \
          ph += ih >= -p[11] && ih < H + p[13];                                                                \
        }                                                                                                      \
        for (kw = 0; kw < KW; ++kw) {                                                                          \
          const int32_t iw = iw0 + kw * p[10];                                                                 \
          nw += iw >= 0 && iw < W;                                                                             \
          pw += iw >= -p[12] && iw < W + p[14];                                                                \
        }                                                                                                      \
        idx = p[16] ? 0 : (p[15] ? ph * pw : nh * nw);                                                         \
        for (c = 0; c < C; ++c) {                                                                              \
          const T *xc = x + (size_t)c * (size_t)cs;                                                            \
          ACC acc = isMax ? (LO) : 0;                                                                          \
          for (kh = 0; kh < KH; ++kh) {                                                                        \
            const int32_t ih = ih0 + kh * p[9];                                                                \
            if (ih < 0 || ih >= H) continue;                                                                   \
            for (kw = 0; kw < KW; ++kw) {                                                                      \
              const int32_t iw = iw0 + kw * p[10];                                                             \
              int32_t v;                                                                                       \
              if (iw < 0 || iw >= W) continue;                                                                 \
              v = xc[(size_t)(ih * W + iw) * (size_t)ps];                                                      \
              if (isMax)                                                                                       \
                acc = v > acc ? v : acc;                                                                       \
              else                                                                                             \
                acc += v - zx;                                                                                 \
            }                                                                                                  \
          }                                                                                                    \
          y[(size_t)(oh * OW + ow) * (size_t)ops + (size_t)c * (size_t)ocs] =                                  \
              (T)(isMax ? (int32_t)acc : (idx > 0 || p[16] ? RQ(acc, mult[idx], rsh[idx], zy, (LO), (HI)) : zy)); \
        }                                                                                                      \
      }                                                                                                        \
  }
TINYC_QPOOL_KERNEL(i8, int8_t, int32_t, -128, 127, tinyc_requant)

/* The taps of output pixel (oh, ow) of a pool (p as above) that lie inside the input: kernel rows
   [khs, khe) and columns [kws, kwe) (contiguous: dilations are positive), the input row and column
   of tap (0, 0), and the multiplier entry the average pools requantize with (-1: no tap, the
   output is the zero point), as tinyc_qpool_i8 computes them. For the pools' instruction-set
   variants (arm_dsp/, arm_mve/). */
typedef struct {
  int32_t ih0, iw0, khs, khe, kws, kwe, idx;
} tinyc_qpool_win;
TINYC_KERNEL void tinyc_qpool_window(const int32_t *p, int32_t oh, int32_t ow, tinyc_qpool_win *w) {
  const int32_t H = p[1], W = p[2], KH = p[5], KW = p[6];
  int32_t k, ph = 0, pw = 0;
  w->ih0 = oh * p[7] - p[11], w->iw0 = ow * p[8] - p[12];
  w->khs = w->khe = w->kws = w->kwe = 0;
  for (k = 0; k < KH; ++k) {
    const int32_t i = w->ih0 + k * p[9];
    if (i >= 0 && i < H) {
      if (w->khe == 0) w->khs = k;
      w->khe = k + 1;
    }
    ph += i >= -p[11] && i < H + p[13];
  }
  for (k = 0; k < KW; ++k) {
    const int32_t i = w->iw0 + k * p[10];
    if (i >= 0 && i < W) {
      if (w->kwe == 0) w->kws = k;
      w->kwe = k + 1;
    }
    pw += i >= -p[12] && i < W + p[14];
  }
  w->idx = p[16] ? 0 : (p[15] ? ph * pw : (w->khe - w->khs) * (w->kwe - w->kws));
  if (w->idx == 0 && !p[16]) w->idx = -1;
}

/* Add (mul = 0) or Mul (mul = 1) of quantized tensors: same shapes (r = 0) or numpy broadcasting
   of a and b (strides sa, sb over the output shape shp of rank r). Add: ADD (tinyc_qadd, int16:
   tinyc_qadd64) with multipliers (ma, mb) of type MT and shift sh; Mul: the product of the centred
   values requantized by (ma, sh) (int16: below 2^31 too). */
#define TINYC_QBINARY_KERNEL(SUF, T, MT, ADD)                                                                   \
  TINYC_KERNEL void tinyc_qbinary_##SUF(const T *a, const T *b, T *y, int32_t n, int32_t r, const int32_t *shp, \
                                        const int32_t *sa, const int32_t *sb, int mul, int32_t za, int32_t zb,  \
                                        MT ma, MT mb, int32_t sh, int32_t zy, int32_t lo, int32_t hi) {         \
    int32_t i;                                                                                                 \
    for (i = 0; i < n; ++i) {                                                                                  \
      const int32_t da = (r ? a[tinyc_bcast_offset(i, r, shp, sa)] : a[i]) - za;                               \
      const int32_t db = (r ? b[tinyc_bcast_offset(i, r, shp, sb)] : b[i]) - zb;                               \
      y[i] = (T)(mul ? tinyc_requant(da * db, (int32_t)ma, sh, zy, lo, hi) : ADD(da, db, ma, mb, sh, zy, lo, hi)); \
    }                                                                                                          \
  }
TINYC_QBINARY_KERNEL(i8, int8_t, int32_t, tinyc_qadd)


/* Softmax along an axis: x seen as [outer, n, inner]. */
TINYC_KERNEL void tinyc_qsoftmax_i8(const int8_t *x, int8_t *y, int32_t outer, int32_t n, int32_t inner,
                                    const int32_t *lut, int32_t mult, int32_t rsh, int32_t zy) {
  int32_t o, i;
  for (o = 0; o < outer; ++o)
    for (i = 0; i < inner; ++i)
      tinyc_softmax_row_i8(x + (size_t)o * (size_t)n * (size_t)inner + (size_t)i,
                           y + (size_t)o * (size_t)n * (size_t)inner + (size_t)i, n, inner, lut, mult, rsh, zy);
}

/* tinyc.Lut: y[i] = table[x[i] - min(type of x)], 8-bit in and out (a table of y's type; the bytes
   are copied as they are). */
TINYC_KERNEL void tinyc_lut_i8(const int8_t *x, int8_t *y, int32_t n, const int8_t *table) {
  int32_t i;
  for (i = 0; i < n; ++i) y[i] = table[x[i] + 128];
}
TINYC_KERNEL void tinyc_lut_u8(const uint8_t *x, uint8_t *y, int32_t n, const uint8_t *table) {
  int32_t i;
  for (i = 0; i < n; ++i) y[i] = table[x[i]];
}
