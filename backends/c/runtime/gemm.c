/* tinyc runtime: blocked float GEMM (packed panels, register-tile micro-kernel) for Conv, ConvTranspose, Gemm, MatMul. requires: common scratch */

/* C[M,N] (=|+=) alpha * A[M,K] * B[K,N] (+ bias[m]), computed GotoBLAS style: B is packed in
   blocks of KC x NC into NR-column panels, A in blocks of MC x KC into MR-row panels, and a
   micro-kernel keeps an MR x NR tile of C in local accumulators that the compiler vectorizes
   and keeps in registers. B is read through a "source" that is either a strided matrix or the
   im2col view of an image (so convolutions never materialize the im2col matrix).
   Tile sizes follow the SIMD width the compiler targets; they can be overridden by defining
   TINYC_GEMM_VL (floats per SIMD vector; 2 VL divides 32) and TINYC_GEMM_MR (tile rows, <= 16). */
#ifndef TINYC_GEMM_VL
#if defined(__AVX512F__) && defined(__GNUC__) && !defined(__clang__)
/* gcc on AVX-512: 512-bit vectors (TINYC_GEMM_ZMM: gcc's tuning prefers 256-bit ones, so the
   GEMM's and the direct convolution's functions ask for 512 bits themselves; twice the multiply-adds
   per instruction where the core has two 512-bit FMA units, as the x86 development machine does) */
#define TINYC_GEMM_VL 16
#define TINYC_GEMM_MR 8
#define TINYC_GEMM_ZMM 1
#elif defined(__AVX__)
#define TINYC_GEMM_VL 8
#define TINYC_GEMM_MR 6
#else
#define TINYC_GEMM_VL 4
#define TINYC_GEMM_MR 4
#endif
#endif
/* Each row of the register tile is two vectors of VL floats. */
#define TINYC_GEMM_NR (2 * TINYC_GEMM_VL)
/* Block sizes: tinyc_sgemm_mc / kc / nc in scratch.h (the generated code reserves scratch for them). */

#ifdef TINYC_GEMM_ZMM
#pragma GCC push_options
#pragma GCC target("prefer-vector-width=512")
#endif

typedef char tinyc_gemm_tile_check[(TINYC_GEMM_MR >= 1 && TINYC_GEMM_MR <= 16 && TINYC_GEMM_VL >= 2 &&
                                    TINYC_GEMM_NCOL % (2 * TINYC_GEMM_VL) == 0) ? 1 : -1];

#define TINYC_FMA(a, b, c) TINYC_FMAF(a, b, c)

#define TINYC_GMIN(a, b) ((a) < (b) ? (a) : (b))
#define TINYC_GMAX(a, b) ((a) > (b) ? (a) : (b))

/* Window geometry of a convolution (1D and 2D stored as 3D with unit leading dims). */
typedef struct {
  int32_t in[3], out[3], k[3], s[3], d[3], pb[3];
} tinyc_win;

/* geom: in[3] out[3] k[3] s[3] d[3] pb[3]. */
TINYC_KERNEL void tinyc_win_read(tinyc_win *w, const int32_t *g) {
  int32_t i;
  for (i = 0; i < 3; ++i) {
    w->in[i] = g[i];
    w->out[i] = g[3 + i];
    w->k[i] = g[6 + i];
    w->s[i] = g[9 + i];
    w->d[i] = g[12 + i];
    w->pb[i] = g[15 + i];
  }
}

TINYC_KERNEL int32_t tinyc_floordiv(int32_t a, int32_t b) {
  int32_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

/* Source of the B operand. */
typedef struct {
  const float *p;
  int32_t rs, cs;      /* matrix: B(k, j) = p[k * rs + j * cs] */
  const tinyc_win *w;  /* im2col (when non-null): B(k, j) = image p (channels of w->in planes) */
} tinyc_bsrc;

/* Copies / zero-fills n floats in blocks of 16 (fixed-size memcpy/memset become vector moves;
   variable-size ones may become `rep movs`, slow for the short rows of small tensors). */
TINYC_KERNEL void tinyc_copy_f32(float *restrict d, const float *restrict s, int32_t n) {
  int32_t i = 0;
  for (; i + 16 <= n; i += 16) memcpy(d + i, s + i, 16 * sizeof(float));
  /* tail by halves: constant sizes, no library call */
  if (n & 8) {
    memcpy(d + i, s + i, 8 * sizeof(float));
    i += 8;
  }
  if (n & 4) {
    memcpy(d + i, s + i, 4 * sizeof(float));
    i += 4;
  }
  if (n & 2) {
    memcpy(d + i, s + i, 2 * sizeof(float));
    i += 2;
  }
  if (n & 1) d[i] = s[i];
}

TINYC_KERNEL void tinyc_zero_f32(float *d, int32_t n) {
  int32_t i = 0;
  for (; i + 16 <= n; i += 16) memset(d + i, 0, 16 * sizeof(float));
  if (n & 8) {
    memset(d + i, 0, 8 * sizeof(float));
    i += 8;
  }
  if (n & 4) {
    memset(d + i, 0, 4 * sizeof(float));
    i += 4;
  }
  if (n & 2) {
    memset(d + i, 0, 2 * sizeof(float));
    i += 2;
  }
  if (n & 1) d[i] = 0.0f;
}

/* Row k of the im2col matrix, columns [j0, j0 + n), into row[0, n). */
TINYC_KERNEL void tinyc_im2col_row(const tinyc_bsrc *src, int32_t k, int32_t j0, int32_t n, float *restrict row) {
  const tinyc_win *w = src->w;
  const int32_t ks = w->k[0] * w->k[1] * w->k[2];
  const int32_t c = k / ks, r = k % ks;
  const int32_t kd = r / (w->k[1] * w->k[2]), kh = (r / w->k[2]) % w->k[1], kw = r % w->k[2];
  const int32_t oW = w->out[2], oH = w->out[1], oHW = w->out[1] * w->out[2];
  const int32_t off = kw * w->d[2] - w->pb[2], sw = w->s[2];
  const float *plane = src->p + (size_t)c * (size_t)(w->in[0] * w->in[1] * w->in[2]);
  /* output columns whose input column lies inside [0, in[2]) */
  int32_t lo = -tinyc_floordiv(off, sw), hi = tinyc_floordiv(w->in[2] - 1 - off, sw) + 1;
  int32_t j = j0, end = j0 + n, od = j0 / oHW, oh = (j0 % oHW) / oW, ow0 = j0 % oW;
  lo = TINYC_GMAX(0, TINYC_GMIN(lo, oW));
  hi = TINYC_GMAX(lo, TINYC_GMIN(hi, oW));
  while (j < end) {
    const int32_t ow1 = TINYC_GMIN(oW, ow0 + (end - j));
    const int32_t id = od * w->s[0] - w->pb[0] + kd * w->d[0];
    const int32_t ih = oh * w->s[1] - w->pb[1] + kh * w->d[1];
    float *restrict dst = row + (j - j0) - ow0;
    if (id < 0 || id >= w->in[0] || ih < 0 || ih >= w->in[1]) {
      tinyc_zero_f32(dst + ow0, ow1 - ow0);
    } else {
      const float *restrict s = plane + ((size_t)id * (size_t)w->in[1] + (size_t)ih) * (size_t)w->in[2] + off;
      const int32_t a = TINYC_GMAX(ow0, TINYC_GMIN(lo, ow1)), b = TINYC_GMAX(a, TINYC_GMIN(hi, ow1));
      int32_t ow = a;
      tinyc_zero_f32(dst + ow0, a - ow0);
      if (sw == 1) {
        tinyc_copy_f32(dst + a, s + a, b - a);
      } else if (sw == 2) {
        /* groups of 4 from 8 loads: vectorizes at -O2 (see tinyc_dw_phases) */
        for (; ow + 5 <= b; ow += 4) {
          const float *restrict q = s + 2 * ow;
          const float a0 = q[0], a1 = q[1], a2 = q[2], a3 = q[3], a4 = q[4], a5 = q[5], a6 = q[6], a7 = q[7];
          (void)a1;
          (void)a3;
          (void)a5;
          (void)a7;
          dst[ow] = a0;
          dst[ow + 1] = a2;
          dst[ow + 2] = a4;
          dst[ow + 3] = a6;
        }
        for (; ow < b; ++ow) dst[ow] = s[2 * ow];
      } else {
        for (; ow < b; ++ow) dst[ow] = s[ow * sw];
      }
      tinyc_zero_f32(dst + b, ow1 - b);
    }
    j += ow1 - ow0;
    ow0 = 0;
    if (++oh == oH) {
      oh = 0;
      ++od;
    }
  }
}

/* Packs B[k0 .. k0+kc, j0 .. j0+nc) into NR-column panels (kc x NR each, zero-padded). `row`
   is scratch for nc floats. */
TINYC_KERNEL void tinyc_gemm_pack_b(const tinyc_bsrc *src, int32_t k0, int32_t kc, int32_t j0, int32_t nc,
                                    float *restrict dst, float *restrict row) {
  const int32_t NR = TINYC_GEMM_NR;
  int32_t k, p, jj;
  if (!src->w && src->rs == 1 && src->cs != 1) {
    /* transposed matrix: each column of B is contiguous */
    for (p = 0; p < nc; p += NR) {
      const int32_t w = TINYC_GMIN(NR, nc - p);
      float *d = dst + (size_t)p * (size_t)kc;
      for (jj = 0; jj < w; ++jj) {
        const float *s = src->p + (size_t)(j0 + p + jj) * (size_t)src->cs + k0;
        for (k = 0; k < kc; ++k) d[k * NR + jj] = s[k];
      }
      /* (a memset per row: gcc 12 -O3 -march=native proved a false "iteration 63 invokes undefined
         behavior" in the column-wise zero loop; long run seed 32, graph 2301) */
      if (w < NR)
        for (k = 0; k < kc; ++k) memset(d + (size_t)k * (size_t)NR + w, 0, (size_t)(NR - w) * sizeof(float));
    }
    return;
  }
  for (k = 0; k < kc; ++k) {
    const float *r;
    if (src->w) {
      tinyc_im2col_row(src, k0 + k, j0, nc, row);
      r = row;
    } else if (src->cs == 1) {
      r = src->p + (size_t)(k0 + k) * (size_t)src->rs + j0;
    } else {
      const float *s = src->p + (size_t)(k0 + k) * (size_t)src->rs + (size_t)j0 * (size_t)src->cs;
      for (jj = 0; jj < nc; ++jj) row[jj] = s[(size_t)jj * (size_t)src->cs];
      r = row;
    }
    for (p = 0; p + NR <= nc; p += NR) memcpy(dst + (size_t)p * (size_t)kc + (size_t)k * NR, r + p, TINYC_GEMM_NR * sizeof(float));
    if (p < nc) {
      float *restrict d = dst + (size_t)p * (size_t)kc + (size_t)k * NR;
      for (jj = 0; jj < nc - p; ++jj) d[jj] = r[p + jj];
      for (; jj < NR; ++jj) d[jj] = 0.0f;
    }
  }
}

/* Packs alpha * A[i0 .. i0+mc, k0 .. k0+kc) (A(i, k) = a[i * rs + k * cs]) into MR-row panels. */
TINYC_KERNEL void tinyc_gemm_pack_a(const float *a, int32_t rs, int32_t cs, float alpha, int32_t i0, int32_t mc,
                                    int32_t k0, int32_t kc, float *restrict dst) {
  const int32_t MR = TINYC_GEMM_MR;
  int32_t p, i, k;
  for (p = 0; p < mc; p += MR) {
    const int32_t h = TINYC_GMIN(MR, mc - p);
    float *d = dst + (size_t)p * (size_t)kc;
    for (i = 0; i < h; ++i) {
      const float *s = a + (size_t)(i0 + p + i) * (size_t)rs + (size_t)k0 * (size_t)cs;
      if (cs == 1) {
        if (alpha == 1.0f)
          for (k = 0; k < kc; ++k) d[k * MR + i] = s[k];
        else
          for (k = 0; k < kc; ++k) d[k * MR + i] = alpha * s[k];
      } else {
        for (k = 0; k < kc; ++k) d[k * MR + i] = alpha * s[(size_t)k * (size_t)cs];
      }
    }
    for (i = 0; i < kc; ++i) /* rows h .. MR - 1 of the panel are zero */
      for (k = h; k < MR; ++k) d[i * MR + k] = 0.0f;
  }
}

/* The micro-kernel: an MR x NR tile of C from A (row i, column k at a[i * ars + k * acs]: a
   packed panel, or the matrix itself when its rows are contiguous) and a packed B panel b
   (kc x NR). Rows of A past mr re-read row mr - 1 (their results are dropped).
   accum: C += tile, else C = tile + bias[i] (bias may be null). Only mr x nr are stored.
   Every accumulator row is two arrays of exactly one SIMD vector, so that the compiler keeps
   them in registers (an MR x NR array would live in memory at -O2). */
#define TINYC_ROW_IF(n, X) TINYC_ROW_IF_##n(X)
#if TINYC_GEMM_MR > 1
#define TINYC_ROW_IF_1(X) X(1)
#else
#define TINYC_ROW_IF_1(X)
#endif
#if TINYC_GEMM_MR > 2
#define TINYC_ROW_IF_2(X) X(2)
#else
#define TINYC_ROW_IF_2(X)
#endif
#if TINYC_GEMM_MR > 3
#define TINYC_ROW_IF_3(X) X(3)
#else
#define TINYC_ROW_IF_3(X)
#endif
#if TINYC_GEMM_MR > 4
#define TINYC_ROW_IF_4(X) X(4)
#else
#define TINYC_ROW_IF_4(X)
#endif
#if TINYC_GEMM_MR > 5
#define TINYC_ROW_IF_5(X) X(5)
#else
#define TINYC_ROW_IF_5(X)
#endif
#if TINYC_GEMM_MR > 6
#define TINYC_ROW_IF_6(X) X(6)
#else
#define TINYC_ROW_IF_6(X)
#endif
#if TINYC_GEMM_MR > 7
#define TINYC_ROW_IF_7(X) X(7)
#else
#define TINYC_ROW_IF_7(X)
#endif
#if TINYC_GEMM_MR > 8
#define TINYC_ROW_IF_8(X) X(8)
#else
#define TINYC_ROW_IF_8(X)
#endif
#if TINYC_GEMM_MR > 9
#define TINYC_ROW_IF_9(X) X(9)
#else
#define TINYC_ROW_IF_9(X)
#endif
#if TINYC_GEMM_MR > 10
#define TINYC_ROW_IF_10(X) X(10)
#else
#define TINYC_ROW_IF_10(X)
#endif
#if TINYC_GEMM_MR > 11
#define TINYC_ROW_IF_11(X) X(11)
#else
#define TINYC_ROW_IF_11(X)
#endif
#if TINYC_GEMM_MR > 12
#define TINYC_ROW_IF_12(X) X(12)
#else
#define TINYC_ROW_IF_12(X)
#endif
#if TINYC_GEMM_MR > 13
#define TINYC_ROW_IF_13(X) X(13)
#else
#define TINYC_ROW_IF_13(X)
#endif
#if TINYC_GEMM_MR > 14
#define TINYC_ROW_IF_14(X) X(14)
#else
#define TINYC_ROW_IF_14(X)
#endif
#if TINYC_GEMM_MR > 15
#define TINYC_ROW_IF_15(X) X(15)
#else
#define TINYC_ROW_IF_15(X)
#endif
#define TINYC_ROWS(X)                                                                               \
  X(0) TINYC_ROW_IF(1, X) TINYC_ROW_IF(2, X) TINYC_ROW_IF(3, X) TINYC_ROW_IF(4, X) TINYC_ROW_IF(5, X) \
  TINYC_ROW_IF(6, X) TINYC_ROW_IF(7, X) TINYC_ROW_IF(8, X) TINYC_ROW_IF(9, X) TINYC_ROW_IF(10, X)    \
  TINYC_ROW_IF(11, X) TINYC_ROW_IF(12, X) TINYC_ROW_IF(13, X) TINYC_ROW_IF(14, X) TINYC_ROW_IF(15, X)

#define TINYC_MK_DECL(i) float c##i##a[TINYC_GEMM_VL], c##i##b[TINYC_GEMM_VL];
#define TINYC_MK_ZERO(i)                                                                           \
  for (j = 0; j < TINYC_GEMM_VL; ++j) {                                                            \
    c##i##a[j] = 0.0f;                                                                             \
    c##i##b[j] = 0.0f;                                                                             \
  }
#define TINYC_MK_AROW(i) const float *restrict a##i = a + (size_t)((i) < mr ? (i) : mr - 1) * (size_t)ars;
#define TINYC_MK_FMA(i)                                                                            \
  {                                                                                                \
    const float av = a##i[ak];                                                                     \
    for (j = 0; j < TINYC_GEMM_VL; ++j) {                                                          \
      c##i##a[j] = TINYC_FMA(av, b0[j], c##i##a[j]);                                               \
      c##i##b[j] = TINYC_FMA(av, b1[j], c##i##b[j]);                                               \
    }                                                                                              \
  }
/* Full tile: straight to C. */
#define TINYC_MK_STORE(i)                                                                          \
  {                                                                                                \
    float *restrict ci = c + (size_t)(i) * (size_t)ldc;                                            \
    if (accum) {                                                                                   \
      for (j = 0; j < TINYC_GEMM_VL; ++j) {                                                        \
        ci[j] += c##i##a[j];                                                                       \
        ci[TINYC_GEMM_VL + j] += c##i##b[j];                                                       \
      }                                                                                            \
    } else {                                                                                       \
      const float bi = bias ? bias[i] : 0.0f;                                                      \
      for (j = 0; j < TINYC_GEMM_VL; ++j) {                                                        \
        ci[j] = c##i##a[j] + bi;                                                                   \
        ci[TINYC_GEMM_VL + j] = c##i##b[j] + bi;                                                   \
      }                                                                                            \
    }                                                                                              \
  }
/* Partial tile: through a local buffer. */
#define TINYC_MK_SPILL(i)                                                                          \
  for (j = 0; j < TINYC_GEMM_VL; ++j) {                                                            \
    t[i][j] = c##i##a[j];                                                                          \
    t[i][TINYC_GEMM_VL + j] = c##i##b[j];                                                          \
  }

TINYC_KERNEL void tinyc_gemm_micro(int32_t kc, const float *a, int32_t ars, int32_t acs, const float *restrict b,
                                   float *restrict c, int32_t ldc, int32_t mr, int32_t nr, int32_t accum,
                                   const float *bias) {
  int32_t j, k;
  size_t ak = 0;
  TINYC_ROWS(TINYC_MK_AROW)
  TINYC_ROWS(TINYC_MK_DECL)
  TINYC_ROWS(TINYC_MK_ZERO)
  for (k = 0; k < kc; ++k, ak += (size_t)acs) {
    const float *restrict b0 = b + (size_t)k * TINYC_GEMM_NR;
    const float *restrict b1 = b0 + TINYC_GEMM_VL;
    TINYC_ROWS(TINYC_MK_FMA)
  }
  if (mr == TINYC_GEMM_MR && nr == TINYC_GEMM_NR) {
    TINYC_ROWS(TINYC_MK_STORE)
  } else {
    float t[TINYC_GEMM_MR][TINYC_GEMM_NR];
    int32_t i;
    TINYC_ROWS(TINYC_MK_SPILL)
    for (i = 0; i < mr; ++i) {
      float *restrict ci = c + (size_t)i * (size_t)ldc;
      if (accum) {
        for (j = 0; j < nr; ++j) ci[j] += t[i][j];
      } else {
        const float bi = bias ? bias[i] : 0.0f;
        for (j = 0; j < nr; ++j) ci[j] = t[i][j] + bi;
      }
    }
  }
}

/* Row-vector times matrix (M = 1): y[j] (=|+=) alpha * sum_k a[k * csa] B(k, j) (+ bias), B a
   matrix with contiguous rows (cs == 1) or contiguous columns (rs == 1). Loops have fixed-size
   inner blocks so that they vectorize at -O2 too. */
/* Vectors of at most 8 floats (a row-vector product is bound by reading B, not by the multiply-adds). */
#define TINYC_GEMV_VL (TINYC_GEMM_VL < 8 ? TINYC_GEMM_VL : 8)
#define TINYC_GEMV_ACC(t) float g##t[TINYC_GEMV_VL];
/* gcc: not specialized for its call sites (noipa). A clone for one constant B of fewer than 4
   vectors of columns warned of -Warray-bounds in the full-block branch, which then never runs (a
   Linear 10 -> 3 at -O3 -march=x86-64-v4; with -Werror the model did not compile). */
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 8
__attribute__((noipa))
#endif
TINYC_KERNEL void tinyc_gemv_f32(int32_t N, int32_t K, const float *a, int32_t csa, float alpha, const tinyc_bsrc *b,
                                 float *restrict y, float bias, int32_t accum) {
  int32_t j, k, t;
  if (b->cs == 1) {
    /* blocks of 4 vectors of columns: y[j0 ..] += a[k] * B[k][j0 ..] over every row k */
    const int32_t JB = 4 * TINYC_GEMV_VL;
    for (j = 0; j < N; j += JB) {
      TINYC_GEMV_ACC(0) TINYC_GEMV_ACC(1) TINYC_GEMV_ACC(2) TINYC_GEMV_ACC(3)
      float tail[4 * TINYC_GEMV_VL];
      const int32_t w = TINYC_GMIN(JB, N - j);
      for (t = 0; t < TINYC_GEMV_VL; ++t) {
        g0[t] = 0.0f;
        g1[t] = 0.0f;
        g2[t] = 0.0f;
        g3[t] = 0.0f;
      }
      if (w == JB) {
        for (k = 0; k < K; ++k) {
          const float av = a[(size_t)k * (size_t)csa];
          const float *restrict r = b->p + (size_t)k * (size_t)b->rs + j;
          for (t = 0; t < TINYC_GEMV_VL; ++t) {
            g0[t] = TINYC_FMA(av, r[t], g0[t]);
            g1[t] = TINYC_FMA(av, r[TINYC_GEMV_VL + t], g1[t]);
            g2[t] = TINYC_FMA(av, r[2 * TINYC_GEMV_VL + t], g2[t]);
            g3[t] = TINYC_FMA(av, r[3 * TINYC_GEMV_VL + t], g3[t]);
          }
        }
      } else {
        for (k = 0; k < K; ++k) {
          const float av = a[(size_t)k * (size_t)csa];
          const float *restrict r = b->p + (size_t)k * (size_t)b->rs + j;
          for (t = 0; t < w; ++t) tail[t] = r[t];
          for (; t < JB; ++t) tail[t] = 0.0f;
          for (t = 0; t < TINYC_GEMV_VL; ++t) {
            g0[t] = TINYC_FMA(av, tail[t], g0[t]);
            g1[t] = TINYC_FMA(av, tail[TINYC_GEMV_VL + t], g1[t]);
            g2[t] = TINYC_FMA(av, tail[2 * TINYC_GEMV_VL + t], g2[t]);
            g3[t] = TINYC_FMA(av, tail[3 * TINYC_GEMV_VL + t], g3[t]);
          }
        }
      }
      for (t = 0; t < TINYC_GEMV_VL; ++t) {
        tail[t] = g0[t];
        tail[TINYC_GEMV_VL + t] = g1[t];
        tail[2 * TINYC_GEMV_VL + t] = g2[t];
        tail[3 * TINYC_GEMV_VL + t] = g3[t];
      }
      for (t = 0; t < w; ++t) y[j + t] = accum ? y[j + t] + alpha * tail[t] : alpha * tail[t] + bias;
    }
    return;
  }
  /* columns of B contiguous (rs == 1): dot products with 16 partial sums */
  for (j = 0; j < N; ++j) {
    const float *restrict col = b->p + (size_t)j * (size_t)b->cs;
    /* kb: the length done in blocks of 16, computed up front (not left in k by the block loop:
       gcc then rewrites the tail test as k != K, loses k <= K and warns of undefined behavior
       at iteration 2^30 under -Werror=aggressive-loop-optimizations on 32-bit targets) */
    const int32_t kb = csa == 1 ? K - K % 16 : 0;
    float part[16], s = 0.0f;
    for (t = 0; t < 16; ++t) part[t] = 0.0f;
    for (k = 0; k < kb; k += 16)
      for (t = 0; t < 16; ++t) part[t] = TINYC_FMA(a[k + t], col[k + t], part[t]);
    for (k = kb; k < K; ++k) s = TINYC_FMA(a[(size_t)k * (size_t)csa], col[k], s);
    for (t = 0; t < 16; ++t) s += part[t];
    s *= alpha;
    y[j] = accum ? y[j] + s : s + bias;
  }
}

/* C[M,N] (ldc) = alpha * A * B + bias[i], or C += alpha * A * B when accum. A(i, k) = a[i * rsa + k * csa].
   scratch: scratch_bytes >= tinyc_sgemm_scratch(M, N, K, A packed); the blocks follow them. */
TINYC_KERNEL void tinyc_sgemm(int32_t M, int32_t N, int32_t K, const float *a, int32_t rsa, int32_t csa, float alpha,
                              const tinyc_bsrc *b, float *c, int32_t ldc, const float *bias, int32_t accum,
                              unsigned char *scratch, int64_t scratch_bytes) {
  float *bp = (float *)(void *)scratch;
  float *ap, *row;
  int32_t jc, pc, ic, jr, ir, i, j;
  if (M <= 0 || N <= 0) return;
  if (K <= 0) {
    if (!accum)
      for (i = 0; i < M; ++i)
        for (j = 0; j < N; ++j) c[(size_t)i * (size_t)ldc + j] = bias ? bias[i] : 0.0f;
    return;
  }
  if (M == 1 && !b->w && (b->cs == 1 || b->rs == 1)) {
    tinyc_gemv_f32(N, K, a, csa, alpha, b, c, bias ? bias[0] : 0.0f, accum);
    return;
  }
  {
    int32_t NC, KC, MC, cols;
    tinyc_sgemm_blocks(M, N, K, csa != 1 || alpha != 1.0f, scratch_bytes, &MC, &KC, &NC);
    cols = (int32_t)tinyc_sgemm_cols(N, NC);
    row = bp + (size_t)cols * (size_t)TINYC_GMIN(K, KC);
    ap = row + (size_t)cols;
    for (jc = 0; jc < N; jc += NC) {
      const int32_t nc = TINYC_GMIN(NC, N - jc);
      for (pc = 0; pc < K; pc += KC) {
        const int32_t kc = TINYC_GMIN(KC, K - pc);
        const int32_t acc = accum || pc > 0;
        tinyc_gemm_pack_b(b, pc, kc, jc, nc, bp, row);
        for (ic = 0; ic < M; ic += MC) {
          const int32_t mc = TINYC_GMIN(MC, M - ic);
          /* A with contiguous rows and alpha 1 is read in place; otherwise packed */
          const int32_t direct = csa == 1 && alpha == 1.0f;
          if (!direct) tinyc_gemm_pack_a(a, rsa, csa, alpha, ic, mc, pc, kc, ap);
          for (jr = 0; jr < nc; jr += TINYC_GEMM_NR)
            for (ir = 0; ir < mc; ir += TINYC_GEMM_MR) {
              const float *ab = direct ? a + (size_t)(ic + ir) * (size_t)rsa + pc : ap + (size_t)ir * (size_t)kc;
              tinyc_gemm_micro(kc, ab, direct ? rsa : 1, direct ? 1 : TINYC_GEMM_MR, bp + (size_t)jr * (size_t)kc,
                               c + (size_t)(ic + ir) * (size_t)ldc + jc + jr, ldc, TINYC_GMIN(TINYC_GEMM_MR, mc - ir),
                               TINYC_GMIN(TINYC_GEMM_NR, nc - jr), acc, bias ? bias + ic + ir : NULL);
            }
        }
      }
    }
  }
}

#ifdef TINYC_GEMM_ZMM
#pragma GCC pop_options
#endif
