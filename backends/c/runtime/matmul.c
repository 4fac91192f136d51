/* tinyc runtime: Gemm and MatMul (float through the blocked GEMM, other types by plain loops). requires: common gemm scratch */

/* Gemm: Y[M,N] = alpha * A' * B' + beta * C, C (may be null) broadcast with strides crs/ccs.
   p: M, N, K, transA, transB, crs, ccs. */
TINYC_KERNEL void tinyc_gemm_f32(const float *a, const float *b, const float *c, float *y, const int32_t *p,
                                 float alpha, float beta, unsigned char *scratch, int32_t scratch_bytes) {
  const int32_t M = p[0], N = p[1], K = p[2], ta = p[3], tb = p[4], crs = p[5], ccs = p[6];
  tinyc_bsrc src;
  int32_t i, j, accum = 0;
  TINYC_SCRATCH_NEED(TINYC_SCRATCH_MAX(tinyc_gemm_f32_scratch(p, TINYC_GEMM_PACKS_A(ta, alpha)), scratch_bytes));
  src.p = b;
  src.w = NULL;
  src.rs = tb ? 1 : N;
  src.cs = tb ? K : 1;
  if (c) {
    for (i = 0; i < M; ++i) {
      float *restrict yr = y + (size_t)i * (size_t)N;
      const float *cr = c + (size_t)i * (size_t)crs;
      if (ccs == 0) {
        const float v = beta * cr[0];
        for (j = 0; j < N; ++j) yr[j] = v;
      } else {
        for (j = 0; j < N; ++j) yr[j] = beta * cr[j];
      }
    }
    accum = 1;
  }
  tinyc_sgemm(M, N, K, a, ta ? 1 : K, ta ? M : 1, alpha, &src, y, N, NULL, accum, scratch, scratch_bytes);
}

/* MatMul: `batch` products of [m,k] x [k,n]; offa/offb give each product's first element in a
   and b (null: contiguous). */
TINYC_KERNEL void tinyc_matmul_f32(const float *a, const float *b, float *y, int32_t batch, int32_t m, int32_t k,
                                   int32_t n, const int32_t *offa, const int32_t *offb, unsigned char *scratch,
                                   int32_t scratch_bytes) {
  int32_t i;
  TINYC_SCRATCH_NEED(TINYC_SCRATCH_MAX(tinyc_matmul_f32_scratch(m, k, n), scratch_bytes));
  for (i = 0; i < batch; ++i) {
    tinyc_bsrc src;
    const float *pa = a + (offa ? (size_t)offa[i] : (size_t)i * (size_t)m * (size_t)k);
    src.p = b + (offb ? (size_t)offb[i] : (size_t)i * (size_t)k * (size_t)n);
    src.rs = n;
    src.cs = 1;
    src.w = NULL;
    tinyc_sgemm(m, n, k, pa, k, 1, 1.0f, &src, y + (size_t)i * (size_t)m * (size_t)n, n, NULL, 0, scratch,
                scratch_bytes);
  }
}

/* Other types: plain loops (integers wrap, computed in the unsigned type UT). */
#define TINYC_MATMUL_PLAIN(SUF, T, UT)                                                                          \
  TINYC_KERNEL void tinyc_matmul_##SUF(const T *a, const T *b, T *y, int32_t batch, int32_t m, int32_t k,        \
                                       int32_t n, const int32_t *offa, const int32_t *offb) {                   \
    int32_t bi, i, j, kk;                                                                                       \
    for (bi = 0; bi < batch; ++bi) {                                                                            \
      const T *pa = a + (offa ? (size_t)offa[bi] : (size_t)bi * (size_t)m * (size_t)k);                         \
      const T *pb = b + (offb ? (size_t)offb[bi] : (size_t)bi * (size_t)k * (size_t)n);                         \
      T *py = y + (size_t)bi * (size_t)m * (size_t)n;                                                           \
      for (i = 0; i < m; ++i) {                                                                                 \
        T *yr = py + (size_t)i * (size_t)n;                                                                     \
        for (j = 0; j < n; ++j) yr[j] = (T)0;                                                                   \
        for (kk = 0; kk < k; ++kk) {                                                                            \
          const UT av = (UT)pa[(size_t)i * (size_t)k + kk];                                                     \
          const T *br = pb + (size_t)kk * (size_t)n;                                                            \
          for (j = 0; j < n; ++j) yr[j] = (T)((UT)yr[j] + av * (UT)br[j]);                                      \
        }                                                                                                       \
      }                                                                                                         \
    }                                                                                                           \
  }
TINYC_MATMUL_PLAIN(f64, double, double)
TINYC_MATMUL_PLAIN(i32, int32_t, uint32_t)
TINYC_MATMUL_PLAIN(u32, uint32_t, uint32_t)
TINYC_MATMUL_PLAIN(i64, int64_t, uint64_t)
TINYC_MATMUL_PLAIN(u64, uint64_t, uint64_t)

/* Gemm of other types (alpha and beta already converted to T). p as tinyc_gemm_f32. */
#define TINYC_GEMM_PLAIN(SUF, T, UT)                                                                            \
  TINYC_KERNEL void tinyc_gemm_##SUF(const T *a, const T *b, const T *c, T *y, const int32_t *p, T alpha,        \
                                     T beta) {                                                                  \
    const int32_t M = p[0], N = p[1], K = p[2], ta = p[3], tb = p[4], crs = p[5], ccs = p[6];                   \
    int32_t i, j, kk;                                                                                           \
    for (i = 0; i < M; ++i)                                                                                     \
      for (j = 0; j < N; ++j) {                                                                                 \
        UT s = (UT)0;                                                                                           \
        for (kk = 0; kk < K; ++kk) {                                                                            \
          const UT av = (UT)(ta ? a[(size_t)kk * (size_t)M + i] : a[(size_t)i * (size_t)K + kk]);               \
          const UT bv = (UT)(tb ? b[(size_t)j * (size_t)K + kk] : b[(size_t)kk * (size_t)N + j]);               \
          s += av * bv;                                                                                         \
        }                                                                                                       \
        if (alpha != (T)1) s *= (UT)alpha;                                                                      \
        if (c) s += (UT)beta * (UT)c[(size_t)i * (size_t)crs + (size_t)j * (size_t)ccs];                        \
        y[(size_t)i * (size_t)N + j] = (T)s;                                                                    \
      }                                                                                                         \
  }
TINYC_GEMM_PLAIN(f64, double, double)
TINYC_GEMM_PLAIN(i32, int32_t, uint32_t)
TINYC_GEMM_PLAIN(u32, uint32_t, uint32_t)
TINYC_GEMM_PLAIN(i64, int64_t, uint64_t)
TINYC_GEMM_PLAIN(u64, uint64_t, uint64_t)

/* Det over [batch, m, m] (lib/ops/nn_gemm.cpp): Gaussian elimination with partial pivoting (the
   largest magnitude in the column, the first of equal ones) in tinyc_acc on a copy in scratch. */
#define TINYC_DET(SUF, T)                                                                                   \
  TINYC_KERNEL void tinyc_det_##SUF(const T *x, T *y, int32_t batch, int32_t m, tinyc_acc *a) {             \
    int32_t b, i, j, k;                                                                                     \
    TINYC_SCRATCH_NEED(tinyc_det_scratch(m));                                                               \
    for (b = 0; b < batch; ++b) {                                                                           \
      tinyc_acc det = 1;                                                                                    \
      for (i = 0; i < m * m; ++i) a[i] = (tinyc_acc)x[(size_t)b * (size_t)m * (size_t)m + (size_t)i];      \
      for (k = 0; k < m && det != 0; ++k) {                                                                 \
        int32_t p = k;                                                                                      \
        tinyc_acc piv;                                                                                      \
        for (i = k + 1; i < m; ++i)                                                                         \
          if (tinyc_acc_fabs(a[i * m + k]) > tinyc_acc_fabs(a[p * m + k])) p = i;                           \
        piv = a[p * m + k];                                                                                 \
        if (piv == 0) {                                                                                     \
          det = 0;                                                                                          \
          break;                                                                                            \
        }                                                                                                   \
        if (p != k) {                                                                                       \
          for (j = 0; j < m; ++j) {                                                                         \
            const tinyc_acc t = a[p * m + j];                                                               \
            a[p * m + j] = a[k * m + j];                                                                    \
            a[k * m + j] = t;                                                                               \
          }                                                                                                 \
          det = -det;                                                                                       \
        }                                                                                                   \
        det *= piv;                                                                                         \
        for (i = k + 1; i < m; ++i) {                                                                       \
          const tinyc_acc f = a[i * m + k] / piv;                                                           \
          for (j = k + 1; j < m; ++j) a[i * m + j] -= f * a[k * m + j];                                     \
        }                                                                                                   \
      }                                                                                                     \
      y[b] = (T)det;                                                                                        \
    }                                                                                                       \
  }
TINYC_DET(f32, float)
TINYC_DET(f64, double)

/* Einsum (lib/ops/nn_gemm.cpp, nn::einsumPlan): every combination of the nl labels' values
   (dims[l]; the last label fastest), the product of the inputs' elements (strides st[i * nl + l])
   added to the output's accumulator (strides ost[l]; A: tinyc_acc for floats, uint64_t for
   integers, which wrap) in the interpreter's order. At most TINYC_EINSUM_MAX labels and inputs. */
#define TINYC_EINSUM_MAX 16
#define TINYC_EINSUM(SUF, T, A)                                                                              \
  TINYC_KERNEL void tinyc_einsum_##SUF(const T *const *x, int32_t nin, T *y, int32_t ny, int32_t nl,        \
                                       const int32_t *dims, const int32_t *st, const int32_t *ost, A *acc) { \
    int32_t at[TINYC_EINSUM_MAX], i, l;                                                                      \
    size_t off[TINYC_EINSUM_MAX], o = 0;                                                                     \
    int64_t total = 1, step;                                                                                 \
    TINYC_SCRATCH_NEED(tinyc_einsum_scratch(ny));                                                            \
    for (i = 0; i < ny; ++i) acc[i] = 0;                                                                     \
    for (l = 0; l < nl; ++l) {                                                                               \
      at[l] = 0;                                                                                             \
      total *= dims[l];                                                                                      \
    }                                                                                                        \
    for (i = 0; i < nin; ++i) off[i] = 0;                                                                    \
    for (step = 0; step < total; ++step) {                                                                   \
      A v = 1;                                                                                               \
      for (i = 0; i < nin; ++i) v *= (A)x[i][off[i]];                                                        \
      acc[o] += v;                                                                                           \
      for (l = nl - 1; l >= 0; --l) {                                                                        \
        ++at[l];                                                                                             \
        for (i = 0; i < nin; ++i) off[i] += (size_t)st[i * nl + l];                                          \
        o += (size_t)ost[l];                                                                                 \
        if (at[l] < dims[l]) break;                                                                          \
        for (i = 0; i < nin; ++i) off[i] -= (size_t)st[i * nl + l] * (size_t)dims[l];                        \
        o -= (size_t)ost[l] * (size_t)dims[l];                                                               \
        at[l] = 0;                                                                                           \
      }                                                                                                      \
    }                                                                                                        \
    for (i = 0; i < ny; ++i) y[i] = (T)acc[i];                                                               \
  }
TINYC_EINSUM(f32, float, tinyc_acc)
TINYC_EINSUM(f64, double, double)
TINYC_EINSUM(i32, int32_t, uint64_t)
TINYC_EINSUM(i64, int64_t, uint64_t)
