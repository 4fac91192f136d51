/* tinyc runtime: MatMulInteger, QLinearMatMul, ConvInteger, QLinearConv. requires: common quant scratch */

/* Accumulators are exact sums wrapped to int32 (uint32 arithmetic), as the interpreter's int64
   sums cast to int32. */
TINYC_KERNEL int32_t tinyc_wrap_i32(uint32_t u) {
  return u <= (uint32_t)INT32_MAX ? (int32_t)u : (int32_t)(u - 2147483648u) - INT32_MAX - 1;
}

/* Batched integer MatMul: for output batch b, A's batch ab[b] and B's batch bb[b] (NULL: 0).
   A is [*, M, K], B is [*, K, N]. A's zero point of row m in A-batch i is az[azo[i] + m * azm]
   (azo NULL: 0; az NULL: none), B's zero point of column n in B-batch i is bz[bzo[i] + n * bzn].
   acc(m, n) = sum_k (a[m,k] - za) * (b[k,n] - zb), wrapped to int32. */
#define TINYC_INT_MATMUL_ACC(SUF, TA, TB)                                                             \
  TINYC_KERNEL uint32_t tinyc_int_dot_##SUF(const TA *a, int32_t za, const TB *b, int32_t zb, int32_t K, int32_t N) { \
    uint32_t acc = 0;                                                                                 \
    int32_t k;                                                                                        \
    for (k = 0; k < K; ++k) acc += (uint32_t)(((int32_t)a[k] - za) * ((int32_t)b[(size_t)k * (size_t)N] - zb)); \
    return acc;                                                                                       \
  }                                                                                                   \
  TINYC_KERNEL void tinyc_matmul_integer_##SUF(const TA *a, const TA *az, const TB *b, const TB *bz, int32_t *y, \
                                               int32_t nb, const int32_t *ab, const int32_t *bb, int32_t M, \
                                               int32_t K, int32_t N, const int32_t *azo, int32_t azm,      \
                                               const int32_t *bzo, int32_t bzn) {                         \
    int32_t i, m, n;                                                                                  \
    for (i = 0; i < nb; ++i) {                                                                        \
      const int32_t ia = ab ? ab[i] : 0, ib = bb ? bb[i] : 0;                                         \
      const TA *pa = a + (size_t)ia * (size_t)M * (size_t)K;                                          \
      const TB *pb = b + (size_t)ib * (size_t)K * (size_t)N;                                          \
      int32_t *py = y + (size_t)i * (size_t)M * (size_t)N;                                            \
      for (m = 0; m < M; ++m) {                                                                       \
        const int32_t za = az ? (int32_t)az[(azo ? azo[ia] : 0) + m * azm] : 0;                       \
        for (n = 0; n < N; ++n) {                                                                     \
          const int32_t zb = bz ? (int32_t)bz[(bzo ? bzo[ib] : 0) + n * bzn] : 0;                     \
          py[(size_t)m * (size_t)N + (size_t)n] =                                                     \
              tinyc_wrap_i32(tinyc_int_dot_##SUF(pa + (size_t)m * (size_t)K, za, pb + n, zb, K, N));  \
        }                                                                                             \
      }                                                                                               \
    }                                                                                                 \
  }
TINYC_INT_MATMUL_ACC(i8_i8, int8_t, int8_t)
TINYC_INT_MATMUL_ACC(i8_u8, int8_t, uint8_t)
TINYC_INT_MATMUL_ACC(u8_i8, uint8_t, int8_t)
TINYC_INT_MATMUL_ACC(u8_u8, uint8_t, uint8_t)

/* QLinearMatMul: the MatMulInteger accumulator requantized with (a_scale * b_scale / y_scale)
   (float), rounded half to even, + y_zero_point, saturated. Scales and zero points: per tensor
   (stride 0) or per row of A (as, azs, ys, yzs = 1) / per column of B (bs, bzs = 1). */
#define TINYC_QLINEAR_MATMUL(SUF, DOT, TA, TB, TY, LO, HI)                                            \
  TINYC_KERNEL void tinyc_qlinear_matmul_##SUF(const TA *a, const float *as, const TA *az, const TB *b, \
                                               const float *bs, const TB *bz, const float *ys, const TY *yz, TY *y, \
                                               int32_t nb, const int32_t *ab, const int32_t *bb, int32_t M, \
                                               int32_t K, int32_t N, const int32_t *st) {                 \
    int32_t i, m, n;                                                                                  \
    for (i = 0; i < nb; ++i) {                                                                        \
      const int32_t ia = ab ? ab[i] : 0, ib = bb ? bb[i] : 0;                                         \
      const TA *pa = a + (size_t)ia * (size_t)M * (size_t)K;                                          \
      const TB *pb = b + (size_t)ib * (size_t)K * (size_t)N;                                          \
      TY *py = y + (size_t)i * (size_t)M * (size_t)N;                                                 \
      for (m = 0; m < M; ++m) {                                                                       \
        const int32_t za = az ? (int32_t)az[m * st[1]] : 0;                                           \
        const float sam = as[m * st[0]], sym = ys[m * st[4]];                                         \
        const int32_t zy = yz ? (int32_t)yz[m * st[5]] : 0;                                           \
        const float mrow = sam * bs[0] / sym; /* per-tensor B scale: one division per row */          \
        for (n = 0; n < N; ++n) {                                                                     \
          const int32_t zb = bz ? (int32_t)bz[n * st[3]] : 0;                                         \
          const float mult = st[2] ? sam * bs[n * st[2]] / sym : mrow;                                \
          const int32_t acc =                                                                         \
              tinyc_wrap_i32(tinyc_int_dot_##DOT(pa + (size_t)m * (size_t)K, za, pb + n, zb, K, N));  \
          py[(size_t)m * (size_t)N + (size_t)n] = (TY)tinyc_qround_small((float)acc * mult, zy, LO, HI); \
        }                                                                                             \
      }                                                                                               \
    }                                                                                                 \
  }
TINYC_QLINEAR_MATMUL(i8_i8_i8, i8_i8, int8_t, int8_t, int8_t, -128, 127)
TINYC_QLINEAR_MATMUL(i8_u8_i8, i8_u8, int8_t, uint8_t, int8_t, -128, 127)
TINYC_QLINEAR_MATMUL(u8_i8_i8, u8_i8, uint8_t, int8_t, int8_t, -128, 127)
TINYC_QLINEAR_MATMUL(u8_u8_i8, u8_u8, uint8_t, uint8_t, int8_t, -128, 127)
TINYC_QLINEAR_MATMUL(i8_i8_u8, i8_i8, int8_t, int8_t, uint8_t, 0, 255)
TINYC_QLINEAR_MATMUL(i8_u8_u8, i8_u8, int8_t, uint8_t, uint8_t, 0, 255)
TINYC_QLINEAR_MATMUL(u8_i8_u8, u8_i8, uint8_t, int8_t, uint8_t, 0, 255)
TINYC_QLINEAR_MATMUL(u8_u8_u8, u8_u8, uint8_t, uint8_t, uint8_t, 0, 255)

/* Integer convolution geometry g: N, C, M, group, sp (spatial rank), then sp values each of
   in, k, out, stride, dilation, pad_begin. Scratch: (k_elems * (sp + 1) + sp) int32 + M floats.
   Taps falling in the padding contribute 0 (pad with the zero point). */
TINYC_KERNEL void tinyc_qconv_prepare(const int32_t *g, int32_t *scr, int32_t *kelems, int32_t *inel, int32_t *outel) {
  const int32_t sp = g[4];
  const int32_t *k = g + 5 + sp;
  int32_t d, kp, kn = 1, ie = 1, oe = 1;
  int32_t *kc = scr;
  for (d = 0; d < sp; ++d) {
    kn *= k[d];
    ie *= g[5 + d];
    oe *= g[5 + 2 * sp + d];
  }
  for (kp = 0; kp < kn; ++kp) {
    int32_t r = kp;
    for (d = sp - 1; d >= 0; --d) {
      kc[kp * sp + d] = r % k[d];
      r /= k[d];
    }
  }
  *kelems = kn;
  *inel = ie;
  *outel = oe;
}

/* Input offset of every kernel tap (-1 = padding) for output position o. */
TINYC_KERNEL void tinyc_qconv_taps(const int32_t *g, const int32_t *kc, int32_t kn, int32_t o, int32_t *oc,
                                   int32_t *idx) {
  const int32_t sp = g[4];
  const int32_t *in = g + 5, *out = g + 5 + 2 * sp, *stride = g + 5 + 3 * sp, *dil = g + 5 + 4 * sp,
                *pad = g + 5 + 5 * sp;
  int32_t d, kp, r = o;
  for (d = sp - 1; d >= 0; --d) {
    oc[d] = r % out[d];
    r /= out[d];
  }
  for (kp = 0; kp < kn; ++kp) {
    int32_t lin = 0;
    for (d = 0; d < sp && lin >= 0; ++d) {
      const int32_t ic = oc[d] * stride[d] - pad[d] + kc[kp * sp + d] * dil[d];
      lin = (ic < 0 || ic >= in[d]) ? -1 : lin * in[d] + ic;
    }
    idx[kp] = lin;
  }
}

/* Conv accumulator of output channel m, batch item n: bias + sum (x - xz) * (w - wz). */
#define TINYC_QCONV_DOT(SUF, TX, TW)                                                                  \
  TINYC_KERNEL int32_t tinyc_qconv_dot_##SUF(const TX *x, int32_t xz, const TW *w, int32_t wz, const int32_t *g, \
                                             const int32_t *idx, int32_t kn, int32_t inel, int32_t n, int32_t m, \
                                             int32_t bias) {                                           \
    const int32_t C = g[1], M = g[2], Cg = C / g[3], Mg = M / g[3], grp = m / Mg;                     \
    uint32_t acc = (uint32_t)bias;                                                                    \
    int32_t ci, kp;                                                                                   \
    for (ci = 0; ci < Cg; ++ci) {                                                                     \
      const TX *px = x + ((size_t)n * (size_t)C + (size_t)(grp * Cg + ci)) * (size_t)inel;            \
      const TW *pw = w + ((size_t)m * (size_t)Cg + (size_t)ci) * (size_t)kn;                          \
      for (kp = 0; kp < kn; ++kp) {                                                                   \
        const int32_t i = idx[kp];                                                                    \
        if (i >= 0) acc += (uint32_t)(((int32_t)px[i] - xz) * ((int32_t)pw[kp] - wz));                \
      }                                                                                               \
    }                                                                                                 \
    return tinyc_wrap_i32(acc);                                                                       \
  }                                                                                                   \
  /* ConvInteger: x_zero_point per tensor (xz NULL: 0), w_zero_point per tensor (wzs 0) or per   \
     output channel (wzs 1). */                                                                       \
  TINYC_KERNEL void tinyc_conv_integer_##SUF(const TX *x, const TX *xz, const TW *w, const TW *wz, int32_t wzs,   \
                                             int32_t *y, const int32_t *g, unsigned char *scratch) {   \
    int32_t kn, inel, outel, o, n, m;                                                                 \
    const int32_t N = g[0], M = g[2], sp = g[4];                                                      \
    int32_t *kc = (int32_t *)(void *)scratch;                                                         \
    const int32_t xzv = xz ? (int32_t)xz[0] : 0;                                                      \
    int32_t *idx, *oc;                                                                                \
    TINYC_SCRATCH_NEED(tinyc_qlinear_conv_scratch(g, 0));                                             \
    tinyc_qconv_prepare(g, kc, &kn, &inel, &outel);                                                   \
    idx = kc + kn * sp;                                                                               \
    oc = idx + kn;                                                                                    \
    for (o = 0; o < outel; ++o) {                                                                     \
      tinyc_qconv_taps(g, kc, kn, o, oc, idx);                                                        \
      for (n = 0; n < N; ++n)                                                                         \
        for (m = 0; m < M; ++m)                                                                       \
          y[((size_t)n * (size_t)M + (size_t)m) * (size_t)outel + (size_t)o] =                        \
              tinyc_qconv_dot_##SUF(x, xzv, w, wz ? (int32_t)wz[m * wzs] : 0, g, idx, kn, inel, n, m, 0); \
    }                                                                                                 \
  }
TINYC_QCONV_DOT(i8_i8, int8_t, int8_t)
TINYC_QCONV_DOT(i8_u8, int8_t, uint8_t)
TINYC_QCONV_DOT(u8_i8, uint8_t, int8_t)
TINYC_QCONV_DOT(u8_u8, uint8_t, uint8_t)

/* QLinearConv: accumulator (+ int32 bias) requantized with x_scale * w_scale[m] / y_scale (float),
   rounded half to even, + y_zero_point, saturated. w_scale / w_zero_point per tensor or per output
   channel (wss / wzs = 1). */
#define TINYC_QLINEAR_CONV(SUF, DOT, TX, TW, TY, LO, HI)                                              \
  TINYC_KERNEL void tinyc_qlinear_conv_##SUF(const TX *x, const float *xs, const TX *xz, const TW *w,  \
                                             const float *ws, int32_t wss, const TW *wz, int32_t wzs,  \
                                             const float *ys, const TY *yz, const int32_t *bias, TY *y, \
                                             const int32_t *g, unsigned char *scratch) {               \
    int32_t kn, inel, outel, o, n, m;                                                                 \
    const int32_t N = g[0], M = g[2], sp = g[4];                                                      \
    int32_t *kc = (int32_t *)(void *)scratch;                                                         \
    const int32_t xzv = xz ? (int32_t)xz[0] : 0, yzv = yz ? (int32_t)yz[0] : 0;                       \
    int32_t *idx, *oc;                                                                                \
    float *mult;                                                                                      \
    TINYC_SCRATCH_NEED(tinyc_qlinear_conv_scratch(g, 1));                                             \
    tinyc_qconv_prepare(g, kc, &kn, &inel, &outel);                                                   \
    idx = kc + kn * sp;                                                                               \
    oc = idx + kn;                                                                                    \
    mult = (float *)(void *)(oc + sp);                                                                \
    for (m = 0; m < M; ++m) mult[m] = xs[0] * ws[m * wss] / ys[0];                                    \
    for (o = 0; o < outel; ++o) {                                                                     \
      tinyc_qconv_taps(g, kc, kn, o, oc, idx);                                                        \
      for (n = 0; n < N; ++n)                                                                         \
        for (m = 0; m < M; ++m) {                                                                     \
          const int32_t acc = tinyc_qconv_dot_##DOT(x, xzv, w, wz ? (int32_t)wz[m * wzs] : 0, g, idx, kn, inel, n, m, \
                                                    bias ? bias[m] : 0);                               \
          y[((size_t)n * (size_t)M + (size_t)m) * (size_t)outel + (size_t)o] =                        \
              (TY)tinyc_qround_small((float)acc * mult[m], yzv, LO, HI);                              \
        }                                                                                             \
    }                                                                                                 \
  }
TINYC_QLINEAR_CONV(i8_i8_i8, i8_i8, int8_t, int8_t, int8_t, -128, 127)
TINYC_QLINEAR_CONV(i8_u8_i8, i8_u8, int8_t, uint8_t, int8_t, -128, 127)
TINYC_QLINEAR_CONV(u8_i8_i8, u8_i8, uint8_t, int8_t, int8_t, -128, 127)
TINYC_QLINEAR_CONV(u8_u8_i8, u8_u8, uint8_t, uint8_t, int8_t, -128, 127)
TINYC_QLINEAR_CONV(i8_i8_u8, i8_i8, int8_t, int8_t, uint8_t, 0, 255)
TINYC_QLINEAR_CONV(i8_u8_u8, i8_u8, int8_t, uint8_t, uint8_t, 0, 255)
TINYC_QLINEAR_CONV(u8_i8_u8, u8_i8, uint8_t, int8_t, uint8_t, 0, 255)
TINYC_QLINEAR_CONV(u8_u8_u8, u8_u8, uint8_t, uint8_t, uint8_t, 0, 255)
