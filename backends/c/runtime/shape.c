/* tinyc runtime: data movement (Transpose Slice Pad Concat Split Gather OneHot Trilu, Resize nearest, fills). requires: common scratch */

/* Largest rank the copy kernels iterate over (the emitter checks it). */
#define TINYC_SHAPE_MAX_RANK 16

/* Copies `rows` rows of `bytes` bytes; source rows start every `ss` bytes, destination rows
   every `ds` bytes (Concat and Split). */
TINYC_KERNEL void tinyc_copy_rows(void *dst, int32_t ds, const void *src, int32_t ss, int32_t rows, int32_t bytes) {
  unsigned char *d = (unsigned char *)dst;
  const unsigned char *s = (const unsigned char *)src;
  int32_t i;
  for (i = 0; i < rows; ++i) memcpy(d + (size_t)i * (size_t)ds, s + (size_t)i * (size_t)ss, (size_t)bytes);
}

/* Repeats one element of `esize` bytes n times (ConstantOfShape). */
TINYC_KERNEL void tinyc_fill(void *dst, const void *value, int32_t esize, int32_t n) {
  unsigned char *d = (unsigned char *)dst;
  int32_t i;
  for (i = 0; i < n; ++i) memcpy(d + (size_t)i * (size_t)esize, value, (size_t)esize);
}

/* dst (contiguous, shape shp, rank r >= 1) = src[sum_k i_k * st[k]] with strides in elements,
   possibly negative (Transpose, Slice). N is the element size in bytes. */
#define TINYC_STRIDED_COPY(N)                                                                        \
  TINYC_KERNEL void tinyc_strided_copy##N(const void *src, void *dst, int32_t r, const int32_t *shp,   \
                                          const int32_t *st) {                                         \
    const unsigned char *s = (const unsigned char *)src;                                               \
    unsigned char *d = (unsigned char *)dst;                                                           \
    int32_t idx[TINYC_SHAPE_MAX_RANK];                                                                 \
    const int32_t inner = shp[r - 1], is = st[r - 1];                                                  \
    int32_t k, i;                                                                                      \
    ptrdiff_t off = 0;                                                                                 \
    for (k = 0; k < r; ++k) idx[k] = 0;                                                                \
    for (;;) {                                                                                         \
      for (i = 0; i < inner; ++i, d += N) memcpy(d, s + (off + (ptrdiff_t)i * is) * N, N);             \
      for (k = r - 2; k >= 0; --k) {                                                                   \
        off += st[k];                                                                                  \
        if (++idx[k] < shp[k]) break;                                                                  \
        off -= (ptrdiff_t)st[k] * shp[k];                                                              \
        idx[k] = 0;                                                                                    \
      }                                                                                                \
      if (k < 0) return;                                                                               \
    }                                                                                                  \
  }
TINYC_STRIDED_COPY(1)
TINYC_STRIDED_COPY(2)
TINYC_STRIDED_COPY(4)
TINYC_STRIDED_COPY(8)

/* Transposes p[TINYC_TIP_OUTER] matrices of ROWS x COLS blocks of BLOCK bytes (scratch.h) where
   they are, by following the permutation's cycles: with n = ROWS * COLS, output block o
   (0 < o < n - 1) takes input block o * COLS mod (n - 1); blocks 0 and n - 1 stay. Each block
   moves once; a bitmap in the scratch marks the blocks of cycles already moved. */
TINYC_KERNEL void tinyc_transpose_inplace(void *x, const int32_t *p, void *scratch) {
  const uint32_t n = (uint32_t)p[TINYC_TIP_ROWS] * (uint32_t)p[TINYC_TIP_COLS], m = n - 1u;
  const uint32_t cols = (uint32_t)p[TINYC_TIP_COLS];
  const size_t bs = (size_t)p[TINYC_TIP_BLOCK];
  const int narrow = (uint64_t)m * cols <= 0xffffffffu; /* products fit 32 bits */
  unsigned char *tmp = (unsigned char *)scratch, *seen = tmp + bs;
  int32_t b;
  TINYC_SCRATCH_NEED(tinyc_transpose_inplace_scratch(p));
  if (n < 3u) return;
  for (b = 0; b < p[TINYC_TIP_OUTER]; ++b) {
    unsigned char *a = (unsigned char *)x + (size_t)b * n * bs;
    uint32_t start;
    memset(seen, 0, (size_t)((n + 7u) / 8u));
    for (start = 1u; start < m; ++start) {
      uint32_t cur = start;
      if (seen[start >> 3] & (1u << (start & 7u))) continue;
      memcpy(tmp, a + start * bs, bs);
      for (;;) {
        const uint32_t src = narrow ? cur * cols % m : (uint32_t)((uint64_t)cur * cols % m);
        seen[cur >> 3] = (unsigned char)(seen[cur >> 3] | (1u << (cur & 7u)));
        if (src == start) break;
        memcpy(a + cur * bs, a + src * bs, bs);
        cur = src;
      }
      memcpy(a + cur * bs, tmp, bs);
    }
  }
}

/* dst (contiguous, shape shp, rank r >= 1)[i_0..i_{r-1}] = src[sum_k tab_k[i_k]], or *fill when
   some tab_k[i_k] is negative (fill NULL: zero bytes). The per-axis tables of element offsets are
   stored one after the other in tab (Pad, Resize nearest). */
#define TINYC_TABLE_COPY(N)                                                                          \
  TINYC_KERNEL void tinyc_table_copy##N(const void *src, void *dst, int32_t r, const int32_t *shp,     \
                                        const int32_t *tab, const void *fill) {                        \
    static const unsigned char zero[8] = {0, 0, 0, 0, 0, 0, 0, 0};                                     \
    const unsigned char *s = (const unsigned char *)src;                                               \
    const unsigned char *f = fill ? (const unsigned char *)fill : zero;                                \
    unsigned char *d = (unsigned char *)dst;                                                           \
    const int32_t *t[TINYC_SHAPE_MAX_RANK];                                                            \
    int32_t idx[TINYC_SHAPE_MAX_RANK];                                                                 \
    const int32_t inner = shp[r - 1];                                                                  \
    int32_t k, i;                                                                                      \
    t[0] = tab;                                                                                        \
    for (k = 0; k < r; ++k) {                                                                          \
      idx[k] = 0;                                                                                      \
      if (k + 1 < r) t[k + 1] = t[k] + shp[k];                                                         \
    }                                                                                                  \
    for (;;) {                                                                                         \
      int32_t off = 0, bad = 0;                                                                        \
      const int32_t *last = t[r - 1];                                                                  \
      for (k = 0; k + 1 < r; ++k) {                                                                    \
        int32_t v = t[k][idx[k]];                                                                      \
        if (v < 0) bad = 1; else off += v;                                                             \
      }                                                                                                \
      for (i = 0; i < inner; ++i, d += N) {                                                            \
        int32_t v = last[i];                                                                           \
        if (bad || v < 0) memcpy(d, f, N); else memcpy(d, s + (size_t)(off + v) * N, N);               \
      }                                                                                                \
      for (k = r - 2; k >= 0; --k) {                                                                   \
        if (++idx[k] < shp[k]) break;                                                                  \
        idx[k] = 0;                                                                                    \
      }                                                                                                \
      if (k < 0) return;                                                                               \
    }                                                                                                  \
  }
TINYC_TABLE_COPY(1)
TINYC_TABLE_COPY(2)
TINYC_TABLE_COPY(4)
TINYC_TABLE_COPY(8)

/* Gather along an axis: src is [outer, dim, chunk bytes], dst is [outer, n, chunk bytes].
   Indices may be negative (counted from the end); returns 1 (copying nothing) when one is out
   of range, else 0. */
#define TINYC_GATHER(SUF, T)                                                                         \
  TINYC_KERNEL int tinyc_gather_##SUF(const void *src, const T *ind, void *dst, int32_t outer,         \
                                      int32_t dim, int32_t n, int32_t chunk) {                         \
    const unsigned char *s = (const unsigned char *)src;                                               \
    unsigned char *d = (unsigned char *)dst;                                                           \
    int32_t o, k;                                                                                      \
    for (k = 0; k < n; ++k) {                                                                          \
      int64_t v = (int64_t)ind[k];                                                                     \
      if (v < -(int64_t)dim || v >= (int64_t)dim) return 1;                                            \
    }                                                                                                  \
    for (o = 0; o < outer; ++o)                                                                        \
      for (k = 0; k < n; ++k, d += chunk) {                                                            \
        int32_t v = (int32_t)ind[k];                                                                   \
        if (v < 0) v += dim;                                                                           \
        memcpy(d, s + ((size_t)o * (size_t)dim + (size_t)v) * (size_t)chunk, (size_t)chunk);           \
      }                                                                                                \
    return 0;                                                                                          \
  }
TINYC_GATHER(i8, int8_t)
TINYC_GATHER(u8, uint8_t)
TINYC_GATHER(i16, int16_t)
TINYC_GATHER(u16, uint16_t)
TINYC_GATHER(i32, int32_t)
TINYC_GATHER(u32, uint32_t)
TINYC_GATHER(i64, int64_t)

/* Trilu: element e of n (matrices rows x cols in the last two dims) is kept when its column j and
   row i have j - i >= k (upper) or j - i <= k (lower), else zero. */
TINYC_KERNEL void tinyc_trilu(const void *a, void *y, int32_t esize, int32_t n, int32_t rows, int32_t cols, int32_t k,
                              int32_t upper) {
  int32_t e;
  for (e = 0; e < n; ++e) {
    const int32_t j = e % cols, i = e / cols % rows;
    unsigned char *d = (unsigned char *)y + (size_t)e * (size_t)esize;
    if (upper ? j - i >= k : j - i <= k)
      memmove(d, (const unsigned char *)a + (size_t)e * (size_t)esize, (size_t)esize);
    else
      memset(d, 0, (size_t)esize);
  }
}

/* OneHot: output [outer, depth, inner] = vals[1] (esize bytes) where the index of (outer, inner)
   (negative: + depth; float indices truncate) equals the position, else vals[0]. */
#define TINYC_ONEHOT(SUF, T)                                                                               \
  TINYC_KERNEL void tinyc_onehot_##SUF(const T *ind, const void *vals, void *dst, int32_t esize, int32_t outer, \
                                       int32_t depth, int32_t inner) {                                    \
    int32_t o, j, k;                                                                                       \
    for (o = 0; o < outer; ++o)                                                                            \
      for (j = 0; j < depth; ++j)                                                                          \
        for (k = 0; k < inner; ++k) {                                                                      \
          int64_t v = (int64_t)ind[(size_t)o * (size_t)inner + (size_t)k];                                 \
          if (v < 0) v += depth;                                                                           \
          memcpy((unsigned char *)dst + (((size_t)o * (size_t)depth + (size_t)j) * (size_t)inner + (size_t)k) * (size_t)esize, \
                 (const unsigned char *)vals + (v == j ? (size_t)esize : 0), (size_t)esize);               \
        }                                                                                                  \
  }
TINYC_ONEHOT(i32, int32_t)
TINYC_ONEHOT(i64, int64_t)
TINYC_ONEHOT(f32, float)
