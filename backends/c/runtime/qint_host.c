/* tinyc runtime: int8 convolution for hosts (the generic target), with x86 SIMD when the C compiler targets it. requires: common qmath qint */
/* Channels-first Conv (any group, kernel, stride, dilation, padding) as a matrix product over
   panels of TINYC_QH_NR = 16 output pixels. A panel holds the pixels' receptive fields as
   unsigned bytes u = x + 128 (x ^ 0x80), four consecutive k of one pixel in one 32-bit word:
     panel[((k / 4) * 16 + pixel) * 4 + k % 4]        (K4 = K rounded up to 4; the extra k are 0)
   Weights are the model's [M, K] rows padded with zeros to K4 (wq[m * K4 + k]). The bias has the
   input zero point and the +128 folded in, bias'[m] = bias[m] - (zx + 128) * sum_k w[m][k] (the
   emitter, kernels_qint.cpp, writes it), and a tap outside the input holds zx + 128, so
   bias' + sum_k u * w = bias + sum_k (x - zx) * w, the sum of every other int8 Conv kernel. Four output channels times
   one panel are 4 x 16 int32 sums; each 32-bit lane adds four u8 x s8 products, which is one
   VPDPBUSD on cores with AVX-VNNI or AVX512-VNNI, and two VPMADDWD on AVX2 (exact: no
   saturating step). Requantization is tinyc_requant's arithmetic, eight lanes at a time with
   AVX2. Without AVX2 the same sums come from plain C. Every path gives the same bytes.
   Scratch: 16 * K4 bytes (the panel). */
/* -DTINYC_PORTABLE: the plain C paths on any compiler (tests compare them with the SIMD ones). */
#if defined(__AVX2__) && !defined(TINYC_PORTABLE)
#define TINYC_QH_AVX2 1
#include <immintrin.h>
#endif
#if defined(__SSE2__) && !defined(TINYC_PORTABLE)
#define TINYC_QH_SSE2 1
#include <emmintrin.h>
#endif

/* TINYC_QH_NR (scratch.h): pixels per panel. */

/* The panel of pixels o .. o + n - 1 (n <= 16) of group g; pixels past n are 0. */
TINYC_KERNEL void tinyc_qh_pack(const int8_t *x, const int32_t *p, int32_t g, int32_t cg, int32_t o, int32_t n,
                                int32_t K, int32_t K4, int32_t zx, uint8_t *panel) {
  const int32_t H = p[TINYC_QC_H], W = p[TINYC_QC_W], OW = p[TINYC_QC_OW], KH = p[TINYC_QC_KH], KW = p[TINYC_QC_KW];
  const int32_t SH = p[TINYC_QC_SH], SW = p[TINYC_QC_SW], DH = p[TINYC_QC_DH], DW = p[TINYC_QC_DW];
  const int32_t PT = p[TINYC_QC_PT], PL = p[TINYC_QC_PL], HW = H * W;
  const int8_t *xg = x + (size_t)g * (size_t)cg * (size_t)HW;
  const uint8_t zu = (uint8_t)(zx + 128);
  int32_t ih0[TINYC_QH_NR], iw0[TINYC_QH_NR];
  int32_t i, k, c, kh, kw, oh = 0, ow = 0;
  if (KH == 1 && KW == 1 && SH == 1 && SW == 1 && PT == 0 && PL == 0 && OW == W && p[TINYC_QC_OH] == H) {
    /* 1x1 over the whole input: pixel o is input element o of every channel row */
    k = 0;
#if defined(TINYC_QH_SSE2)
    if (n == TINYC_QH_NR) { /* four rows of 16 bytes transposed into 16 words of four */
      const __m128i flip = _mm_set1_epi8((char)0x80);
      for (; k + 4 <= K; k += 4) {
        const int8_t *r = xg + (size_t)k * (size_t)HW + o;
        const __m128i r0 = _mm_loadu_si128((const __m128i *)(const void *)r);
        const __m128i r1 = _mm_loadu_si128((const __m128i *)(const void *)(r + HW));
        const __m128i r2 = _mm_loadu_si128((const __m128i *)(const void *)(r + 2 * (size_t)HW));
        const __m128i r3 = _mm_loadu_si128((const __m128i *)(const void *)(r + 3 * (size_t)HW));
        const __m128i t0 = _mm_unpacklo_epi8(r0, r1), t1 = _mm_unpackhi_epi8(r0, r1);
        const __m128i t2 = _mm_unpacklo_epi8(r2, r3), t3 = _mm_unpackhi_epi8(r2, r3);
        __m128i *dst = (__m128i *)(void *)(panel + (size_t)k * TINYC_QH_NR);
        _mm_storeu_si128(dst, _mm_xor_si128(_mm_unpacklo_epi16(t0, t2), flip));
        _mm_storeu_si128(dst + 1, _mm_xor_si128(_mm_unpackhi_epi16(t0, t2), flip));
        _mm_storeu_si128(dst + 2, _mm_xor_si128(_mm_unpacklo_epi16(t1, t3), flip));
        _mm_storeu_si128(dst + 3, _mm_xor_si128(_mm_unpackhi_epi16(t1, t3), flip));
      }
    }
#endif
    for (; k < K4; ++k) {
      const int8_t *r = xg + (size_t)(k < K ? k : 0) * (size_t)HW + o;
      uint8_t *dst = panel + (size_t)(k >> 2) * (4 * TINYC_QH_NR) + (k & 3);
      for (i = 0; i < TINYC_QH_NR; ++i) dst[4 * i] = (uint8_t)(k < K && i < n ? (uint8_t)r[i] ^ 0x80u : 0);
    }
    return;
  }
  {
    int32_t q = o; /* (oh, ow) of pixel o, without a division per pixel */
    while (q >= OW) q -= OW, ++oh;
    ow = q;
  }
  for (i = 0; i < n; ++i) {
    ih0[i] = oh * SH - PT, iw0[i] = ow * SW - PL;
    if (++ow == OW) ow = 0, ++oh;
  }
  for (k = 0, c = 0; c < cg; ++c)
    for (kh = 0; kh < KH; ++kh)
      for (kw = 0; kw < KW; ++kw, ++k) {
        const int8_t *xc = xg + (size_t)c * (size_t)HW;
        uint8_t *dst = panel + (size_t)(k >> 2) * (4 * TINYC_QH_NR) + (k & 3);
        for (i = 0; i < n; ++i) {
          const int32_t ih = ih0[i] + kh * DH, iw = iw0[i] + kw * DW;
          dst[4 * i] = ih >= 0 && ih < H && iw >= 0 && iw < W ? (uint8_t)xc[ih * W + iw] ^ 0x80u : zu;
        }
        for (; i < TINYC_QH_NR; ++i) dst[4 * i] = 0;
      }
  for (; k < K4; ++k) {
    uint8_t *dst = panel + (size_t)(k >> 2) * (4 * TINYC_QH_NR) + (k & 3);
    for (i = 0; i < TINYC_QH_NR; ++i) dst[4 * i] = 0;
  }
}

#if defined(TINYC_QH_AVX2)
/* acc + the four-term dot products of each lane's u8 (a) and s8 (b) bytes. */
#if defined(__AVX512VNNI__) && defined(__AVX512VL__)
#define TINYC_QH_DPBUSD(acc, a, b) _mm256_dpbusd_epi32((acc), (a), (b))
#elif defined(__AVXVNNI__)
#define TINYC_QH_DPBUSD(acc, a, b) _mm256_dpbusd_avx_epi32((acc), (a), (b))
#else
TINYC_KERNEL __m256i tinyc_qh_dpbusd(__m256i acc, __m256i a, __m256i b) {
  const __m256i lo8 = _mm256_set1_epi16(0xFF);
  const __m256i ae = _mm256_and_si256(a, lo8), ao = _mm256_srli_epi16(a, 8);
  const __m256i be = _mm256_srai_epi16(_mm256_slli_epi16(b, 8), 8), bo = _mm256_srai_epi16(b, 8);
  return _mm256_add_epi32(acc, _mm256_add_epi32(_mm256_madd_epi16(ae, be), _mm256_madd_epi16(ao, bo)));
}
#define TINYC_QH_DPBUSD(acc, a, b) tinyc_qh_dpbusd((acc), (a), (b))
#endif

/* tinyc_requant of eight sums with one multiplier whose rshift > 32 (sh = rshift - 32,
   rnd = 2^(rshift - 33)): the high words of the 64-bit products, rounded, shifted, clamped. */
TINYC_KERNEL __m256i tinyc_qh_requant8(__m256i acc, __m256i mult, __m128i sh, __m256i rnd, __m256i zp, __m256i lo,
                                       __m256i hi) {
  const __m256i even = _mm256_srli_epi64(_mm256_mul_epi32(acc, mult), 32);
  const __m256i odd = _mm256_mul_epi32(_mm256_srli_epi64(acc, 32), mult);
  const __m256i high = _mm256_blend_epi32(even, odd, 0xAA);
  const __m256i r = _mm256_add_epi32(_mm256_sra_epi32(_mm256_add_epi32(high, rnd), sh), zp);
  return _mm256_max_epi32(_mm256_min_epi32(r, hi), lo);
}
#endif

/* y[m * ys + i] (i < n) = requant(bias'[m] + panel . wq[m]) for the four channels m0 .. m0 + 3
   (rows past M are computed from row M - 1 and not stored). */
TINYC_KERNEL void tinyc_qh_block(const uint8_t *panel, const int8_t *wq, int32_t K4, const int32_t *bias, int8_t *y,
                                 int32_t ys, int32_t m0, int32_t M, int32_t n, const int32_t *mult, const int32_t *rsh,
                                 int32_t pc, int32_t zy, int32_t lo, int32_t hi) {
  int32_t rows[4], j, i;
  for (j = 0; j < 4; ++j) rows[j] = m0 + j < M ? m0 + j : M - 1;
#if defined(TINYC_QH_AVX2)
  {
    const int8_t *w0 = wq + (size_t)rows[0] * (size_t)K4, *w1 = wq + (size_t)rows[1] * (size_t)K4;
    const int8_t *w2 = wq + (size_t)rows[2] * (size_t)K4, *w3 = wq + (size_t)rows[3] * (size_t)K4;
    __m256i a00 = _mm256_set1_epi32(bias[rows[0]]), a01 = a00, a10 = _mm256_set1_epi32(bias[rows[1]]), a11 = a10;
    __m256i a20 = _mm256_set1_epi32(bias[rows[2]]), a21 = a20, a30 = _mm256_set1_epi32(bias[rows[3]]), a31 = a30;
    __m256i acc[8];
    int32_t k;
    for (k = 0; k < K4; k += 4, panel += 4 * TINYC_QH_NR) {
      const __m256i b0 = _mm256_loadu_si256((const __m256i *)(const void *)panel);
      const __m256i b1 = _mm256_loadu_si256((const __m256i *)(const void *)(panel + 32));
      int32_t v0, v1, v2, v3;
      __m256i w;
      memcpy(&v0, w0 + k, 4);
      memcpy(&v1, w1 + k, 4);
      memcpy(&v2, w2 + k, 4);
      memcpy(&v3, w3 + k, 4);
      w = _mm256_set1_epi32(v0);
      a00 = TINYC_QH_DPBUSD(a00, b0, w), a01 = TINYC_QH_DPBUSD(a01, b1, w);
      w = _mm256_set1_epi32(v1);
      a10 = TINYC_QH_DPBUSD(a10, b0, w), a11 = TINYC_QH_DPBUSD(a11, b1, w);
      w = _mm256_set1_epi32(v2);
      a20 = TINYC_QH_DPBUSD(a20, b0, w), a21 = TINYC_QH_DPBUSD(a21, b1, w);
      w = _mm256_set1_epi32(v3);
      a30 = TINYC_QH_DPBUSD(a30, b0, w), a31 = TINYC_QH_DPBUSD(a31, b1, w);
    }
    acc[0] = a00, acc[1] = a01, acc[2] = a10, acc[3] = a11, acc[4] = a20, acc[5] = a21, acc[6] = a30, acc[7] = a31;
    for (j = 0; j < 4 && m0 + j < M; ++j) {
      const int32_t mi = (m0 + j) * pc, rs = rsh[mi];
      int8_t *yr = y + (size_t)(m0 + j) * (size_t)ys;
      int8_t out[TINYC_QH_NR];
      if (rs > 32) {
        const __m256i mv = _mm256_set1_epi32(mult[mi]), rnd = _mm256_set1_epi32((int32_t)1 << (rs - 33));
        const __m128i sh = _mm_cvtsi32_si128(rs - 32);
        const __m256i zv = _mm256_set1_epi32(zy), lv = _mm256_set1_epi32(lo), hv = _mm256_set1_epi32(hi);
        const __m256i r0 = tinyc_qh_requant8(acc[2 * j], mv, sh, rnd, zv, lv, hv);
        const __m256i r1 = tinyc_qh_requant8(acc[2 * j + 1], mv, sh, rnd, zv, lv, hv);
        const __m256i s16 = _mm256_permute4x64_epi64(_mm256_packs_epi32(r0, r1), 0xD8); /* 16 int16 in order */
        const __m128i s8 = _mm_packs_epi16(_mm256_castsi256_si128(s16), _mm256_extracti128_si256(s16, 1));
        if (n == TINYC_QH_NR) {
          _mm_storeu_si128((__m128i *)(void *)yr, s8);
          continue;
        }
        _mm_storeu_si128((__m128i *)(void *)out, s8);
      } else {
        int32_t s[TINYC_QH_NR];
        _mm256_storeu_si256((__m256i *)(void *)s, acc[2 * j]);
        _mm256_storeu_si256((__m256i *)(void *)(s + 8), acc[2 * j + 1]);
        for (i = 0; i < TINYC_QH_NR; ++i) out[i] = (int8_t)tinyc_requant(s[i], mult[mi], rs, zy, lo, hi);
      }
      for (i = 0; i < n; ++i) yr[i] = out[i];
    }
  }
#else
  {
    int32_t s[4][TINYC_QH_NR], k;
#if !defined(TINYC_QH_SSE2)
    for (j = 0; j < 4; ++j)
      for (i = 0; i < TINYC_QH_NR; ++i) s[j][i] = bias[rows[j]];
#endif
#if defined(TINYC_QH_SSE2)
    /* x86-64 without AVX2: the same four-term products as two PMADDWD on even and odd bytes,
       eight pixels (two registers) per half panel */
    int32_t h;
    for (h = 0; h < TINYC_QH_NR; h += 8) {
      const __m128i lo8 = _mm_set1_epi16(0xFF);
      const uint8_t *pk = panel + 4 * h;
      __m128i a[4][2];
      for (j = 0; j < 4; ++j) a[j][0] = a[j][1] = _mm_set1_epi32(bias[rows[j]]);
      for (k = 0; k < K4; k += 4, pk += 4 * TINYC_QH_NR) {
        const __m128i x0 = _mm_loadu_si128((const __m128i *)(const void *)pk);
        const __m128i x1 = _mm_loadu_si128((const __m128i *)(const void *)(pk + 16));
        const __m128i x0e = _mm_and_si128(x0, lo8), x0o = _mm_srli_epi16(x0, 8);
        const __m128i x1e = _mm_and_si128(x1, lo8), x1o = _mm_srli_epi16(x1, 8);
        for (j = 0; j < 4; ++j) {
          int32_t v;
          __m128i wv, we, wo;
          memcpy(&v, wq + (size_t)rows[j] * (size_t)K4 + k, 4);
          wv = _mm_set1_epi32(v);
          we = _mm_srai_epi16(_mm_slli_epi16(wv, 8), 8), wo = _mm_srai_epi16(wv, 8);
          a[j][0] = _mm_add_epi32(a[j][0], _mm_add_epi32(_mm_madd_epi16(x0e, we), _mm_madd_epi16(x0o, wo)));
          a[j][1] = _mm_add_epi32(a[j][1], _mm_add_epi32(_mm_madd_epi16(x1e, we), _mm_madd_epi16(x1o, wo)));
        }
      }
      for (j = 0; j < 4; ++j) {
        _mm_storeu_si128((__m128i *)(void *)(s[j] + h), a[j][0]);
        _mm_storeu_si128((__m128i *)(void *)(s[j] + h + 4), a[j][1]);
      }
    }
#else
    for (k = 0; k < K4; k += 4, panel += 4 * TINYC_QH_NR)
      for (j = 0; j < 4; ++j) {
        const int8_t *wk = wq + (size_t)rows[j] * (size_t)K4 + k;
        const int32_t v0 = wk[0], v1 = wk[1], v2 = wk[2], v3 = wk[3];
        int32_t *sj = s[j];
        for (i = 0; i < TINYC_QH_NR; ++i)
          sj[i] += panel[4 * i] * v0 + panel[4 * i + 1] * v1 + panel[4 * i + 2] * v2 + panel[4 * i + 3] * v3;
      }
#endif
    for (j = 0; j < 4 && m0 + j < M; ++j) {
      const int32_t mi = (m0 + j) * pc;
      int8_t *yr = y + (size_t)(m0 + j) * (size_t)ys;
      for (i = 0; i < n; ++i) yr[i] = (int8_t)tinyc_requant(s[j][i], mult[mi], rsh[mi], zy, lo, hi);
    }
  }
#endif
}

TINYC_KERNEL void tinyc_qconv_host_i8(const int8_t *x, const int8_t *wq, const int32_t *bias, int8_t *y,
                                      const int32_t *p, const int32_t *mult, const int32_t *rsh, int32_t pc,
                                      int32_t zx, int32_t zy, int32_t lo, int32_t hi, uint8_t *panel) {
  const int32_t C = p[TINYC_QC_C], M = p[TINYC_QC_M], G = p[TINYC_QC_G];
  const int32_t P = p[TINYC_QC_OH] * p[TINYC_QC_OW], mg = M / G, cg = C / G;
  const int32_t K = cg * p[TINYC_QC_KH] * p[TINYC_QC_KW], K4 = (K + 3) & ~3;
  int32_t g, o, m;
  TINYC_SCRATCH_NEED(tinyc_qconv_host_i8_scratch(p));
  for (g = 0; g < G; ++g)
    for (o = 0; o < P; o += TINYC_QH_NR) {
      const int32_t n = P - o < TINYC_QH_NR ? P - o : TINYC_QH_NR;
      tinyc_qh_pack(x, p, g, cg, o, n, K, K4, zx, panel);
      for (m = 0; m < mg; m += 4)
        tinyc_qh_block(panel, wq + (size_t)g * (size_t)mg * (size_t)K4, K4, bias + g * mg,
                       y + (size_t)g * (size_t)mg * (size_t)P + o, P, m, mg, n, mult + g * mg * pc, rsh + g * mg * pc, pc,
                       zy, lo, hi);
    }
}

/* Channels-first depthwise convolution (G = C = M) for hosts, one channel plane at a time:
   the plane's values x - zx as int16 in a zero-bordered copy xp of Hp x Wp (Hp, Wp: the rows and
   columns the windows reach), then per tap one pass acc[j] += w * xp[j + offset], which compilers
   vectorize. With stride 1 the output (oh, ow) is acc[oh * Wp + ow] (the columns between the rows
   are computed and dropped), else acc[oh * OW + ow]. The sums are requantized together (eight at a
   time with AVX2) into yq, then copied out by rows. With AVX2 and stride 1, 16 sums at a time stay
   in registers over every tap. Scratch (bytes): 4 L + 2 (Hp Wp + TINYC_QDWH_SLACK) + L + 16.
   Every path gives the same bytes. */
#define TINYC_QDWH_PAIRS 32
/* TINYC_QDWH_SLACK and TINYC_QDWH_DIMS: scratch.h. */
/* Requantize n sums with one multiplier into int8. */
TINYC_KERNEL void tinyc_qh_requant_row(const int32_t *s, int8_t *y, int32_t n, int32_t mult, int32_t rsh, int32_t zy,
                                       int32_t lo, int32_t hi) {
  int32_t i = 0;
#if defined(TINYC_QH_AVX2)
  if (rsh > 32) {
    const __m256i mv = _mm256_set1_epi32(mult), rnd = _mm256_set1_epi32((int32_t)1 << (rsh - 33));
    const __m128i sh = _mm_cvtsi32_si128(rsh - 32);
    const __m256i zv = _mm256_set1_epi32(zy), lv = _mm256_set1_epi32(lo), hv = _mm256_set1_epi32(hi);
    for (; i + 16 <= n; i += 16) {
      const __m256i r0 = tinyc_qh_requant8(_mm256_loadu_si256((const __m256i *)(const void *)(s + i)), mv, sh, rnd, zv, lv, hv);
      const __m256i r1 =
          tinyc_qh_requant8(_mm256_loadu_si256((const __m256i *)(const void *)(s + i + 8)), mv, sh, rnd, zv, lv, hv);
      const __m256i s16 = _mm256_permute4x64_epi64(_mm256_packs_epi32(r0, r1), 0xD8);
      _mm_storeu_si128((__m128i *)(void *)(y + i),
                       _mm_packs_epi16(_mm256_castsi256_si128(s16), _mm256_extracti128_si256(s16, 1)));
    }
  }
#endif
  for (; i < n; ++i) y[i] = (int8_t)tinyc_requant(s[i], mult, rsh, zy, lo, hi);
}

TINYC_KERNEL void tinyc_qdwconv_host_i8(const int8_t *x, const int8_t *w, const int32_t *bias, int8_t *y,
                                        const int32_t *p, const int32_t *mult, const int32_t *rsh, int32_t pc,
                                        int32_t zx, int32_t zy, int32_t lo, int32_t hi, void *scratch) {
  const int32_t C = p[TINYC_QC_C], H = p[TINYC_QC_H], W = p[TINYC_QC_W], OH = p[TINYC_QC_OH], OW = p[TINYC_QC_OW];
  const int32_t KH = p[TINYC_QC_KH], KW = p[TINYC_QC_KW], SH = p[TINYC_QC_SH], SW = p[TINYC_QC_SW];
  const int32_t DH = p[TINYC_QC_DH], DW = p[TINYC_QC_DW], PT = p[TINYC_QC_PT], PL = p[TINYC_QC_PL];
  TINYC_QDWH_DIMS(p, Hp, Wp, L);
  const int unit = SH == 1 && SW == 1;
  int32_t *acc = (int32_t *)scratch;
  int16_t *xp = (int16_t *)(acc + L);
  int8_t *yq = (int8_t *)(xp + (size_t)Hp * (size_t)Wp + TINYC_QDWH_SLACK);
  int32_t c, r, q, j, kh, kw, oh, ow;
  TINYC_SCRATCH_NEED(tinyc_qdwconv_host_i8_scratch(p));
  for (c = 0; c < C; ++c) {
    const int8_t *xc = x + (size_t)c * (size_t)H * (size_t)W;
    const int8_t *wc = w + (size_t)c * (size_t)KH * (size_t)KW;
    int8_t *yc = y + (size_t)c * (size_t)OH * (size_t)OW;
    { /* the plane zeroed, then the input's rows copied in (a loop over the rows with the border
         tests inside is miscompiled by gcc 12.2 at -O3 with AVX512VL: qint_kernels seed 7) */
      const int32_t q0 = PL < Wp ? PL : Wp, q1 = PL + W < Wp ? PL + W : Wp;
      memset(xp, 0, (size_t)Hp * (size_t)Wp * sizeof(int16_t));
      for (r = PT > 0 ? PT : 0; r < Hp && r - PT < H; ++r) {
        int16_t *row = xp + (size_t)r * (size_t)Wp;
        const int8_t *src = xc + (size_t)(r - PT) * (size_t)W;
        for (q = q0; q < q1; ++q) row[q] = (int16_t)(src[q - PL] - zx);
      }
    }
#if defined(TINYC_QH_AVX2)
    if (unit && KH * KW <= TINYC_QDWH_PAIRS * 2) {
      /* two taps per VPMADDWD: the int16 windows of taps t and t + 1 interleaved, times (w_t, w_t+1);
         16 sums in two registers over every tap, then requantized (the interleave's order, outputs
         0-3, 8-11 in one register and 4-7, 12-15 in the other, is undone by the packs) */
      int32_t off[2 * TINYC_QDWH_PAIRS], wpair[TINYC_QDWH_PAIRS], t, KK = KH * KW, np = (KH * KW + 1) / 2;
      const int32_t rs = rsh[c * pc];
      const __m256i mv = _mm256_set1_epi32(mult[c * pc]), rnd = _mm256_set1_epi32(rs > 32 ? (int32_t)1 << (rs - 33) : 0);
      const __m128i sh = _mm_cvtsi32_si128(rs - 32);
      const __m256i zv = _mm256_set1_epi32(zy), lv = _mm256_set1_epi32(lo), hv = _mm256_set1_epi32(hi);
      const __m256i bv = _mm256_set1_epi32(bias[c]);
      for (t = 0, kh = 0; kh < KH; ++kh)
        for (kw = 0; kw < KW; ++kw, ++t) off[t] = kh * DH * Wp + kw * DW;
      if (KK & 1) off[KK] = off[KK - 1];
      for (t = 0; t < np; ++t)
        wpair[t] = (int32_t)(uint16_t)(int16_t)wc[2 * t] |
                   (int32_t)((uint32_t)(uint16_t)(int16_t)(2 * t + 1 < KK ? wc[2 * t + 1] : 0) << 16);
      for (q = Hp * Wp; q < Hp * Wp + TINYC_QDWH_SLACK; ++q) xp[q] = 0; /* the last block's slack (reads past L) */
      for (j = 0; j < L; j += 16) {
        __m256i s0 = bv, s1 = bv;
        for (t = 0; t < np; ++t) {
          const __m256i xa = _mm256_loadu_si256((const __m256i *)(const void *)(xp + j + off[2 * t]));
          const __m256i xb = _mm256_loadu_si256((const __m256i *)(const void *)(xp + j + off[2 * t + 1]));
          const __m256i wv = _mm256_set1_epi32(wpair[t]);
          s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(_mm256_unpacklo_epi16(xa, xb), wv));
          s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(_mm256_unpackhi_epi16(xa, xb), wv));
        }
        if (rs > 32) {
          const __m256i r = _mm256_packs_epi32(tinyc_qh_requant8(s0, mv, sh, rnd, zv, lv, hv),
                                               tinyc_qh_requant8(s1, mv, sh, rnd, zv, lv, hv));
          _mm_storeu_si128((__m128i *)(void *)(yq + j),
                           _mm_packs_epi16(_mm256_castsi256_si128(r), _mm256_extracti128_si256(r, 1)));
        } else {
          int32_t a[16];
          _mm256_storeu_si256((__m256i *)(void *)a, s0);
          _mm256_storeu_si256((__m256i *)(void *)(a + 8), s1);
          for (q = 0; q < 4; ++q) {
            yq[j + q] = (int8_t)tinyc_requant(a[q], mult[c * pc], rs, zy, lo, hi);
            yq[j + 4 + q] = (int8_t)tinyc_requant(a[8 + q], mult[c * pc], rs, zy, lo, hi);
            yq[j + 8 + q] = (int8_t)tinyc_requant(a[4 + q], mult[c * pc], rs, zy, lo, hi);
            yq[j + 12 + q] = (int8_t)tinyc_requant(a[12 + q], mult[c * pc], rs, zy, lo, hi);
          }
        }
      }
    } else
#endif
    {
      for (j = 0; j < L; ++j) acc[j] = bias[c];
      for (kh = 0; kh < KH; ++kh)
        for (kw = 0; kw < KW; ++kw) {
          const int32_t wv = wc[kh * KW + kw];
          const int16_t *src = xp + (size_t)kh * (size_t)DH * (size_t)Wp + (size_t)kw * (size_t)DW;
          if (unit) {
            for (j = 0; j < L; ++j) acc[j] += wv * src[j];
          } else {
            for (oh = 0; oh < OH; ++oh) {
              const int16_t *sr = src + (size_t)oh * (size_t)SH * (size_t)Wp;
              int32_t *ar = acc + (size_t)oh * (size_t)OW;
              for (ow = 0; ow < OW; ++ow) ar[ow] += wv * sr[ow * SW];
            }
          }
        }
      tinyc_qh_requant_row(acc, yq, L, mult[c * pc], rsh[c * pc], zy, lo, hi);
    }
    if (unit && Wp != OW) {
      for (oh = 0; oh < OH; ++oh) memcpy(yc + (size_t)oh * (size_t)OW, yq + (size_t)oh * (size_t)Wp, (size_t)OW);
    } else {
      memcpy(yc, yq, (size_t)OH * (size_t)OW);
    }
  }
}
