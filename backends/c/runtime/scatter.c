/* tinyc runtime: indexed reads and writes (GatherElements GatherND ScatterND ScatterElements). requires: common */

/* Index i of an int64 (i64 != 0) or int32 index tensor, wrapped once into [0, dim); -1 when it
   lies outside [-dim, dim) (the kernels then return 1: the run function fails). */
TINYC_KERNEL int64_t tinyc_index_at(const void *ind, int32_t i64, int32_t i, int64_t dim) {
  const int64_t v = i64 ? ((const int64_t *)ind)[i] : (int64_t)((const int32_t *)ind)[i];
  if (v < -dim || v >= dim) return -1;
  return v < 0 ? v + dim : v;
}

/* out[o] (red)= upd[u]: red 0 copies esize bytes; 1 add, 2 mul, 3 max, 4 min in the element type
   (type 1 f32, 2 f64, 3 i32, 4 i64; integers wrap), as the interpreter. */
TINYC_KERNEL void tinyc_scatter_apply(void *out, int32_t o, const void *upd, int32_t u, int32_t esize, int32_t type,
                                      int32_t red) {
#define TINYC_SC_RED(T, UT)                                                                          \
  do {                                                                                               \
    T *p = (T *)out + o;                                                                             \
    const T v = ((const T *)upd)[u];                                                                 \
    *p = red == 1 ? (T)((UT)*p + (UT)v) : red == 2 ? (T)((UT)*p * (UT)v) : red == 3 ? (*p > v ? *p : v) \
                                                                          : (*p < v ? *p : v);       \
  } while (0)
  if (red == 0) {
    memcpy((unsigned char *)out + (size_t)o * (size_t)esize, (const unsigned char *)upd + (size_t)u * (size_t)esize,
           (size_t)esize);
  } else if (type == 1) {
    TINYC_SC_RED(float, float);
  } else if (type == 2) {
    TINYC_SC_RED(double, double);
  } else if (type == 3) {
    TINYC_SC_RED(int32_t, uint32_t);
  } else {
    TINYC_SC_RED(int64_t, uint64_t);
  }
#undef TINYC_SC_RED
}

/* GatherND: per batch (nb) and index tuple (tuples of k indices into dims[0..k)), a slice of
   `slice` elements; a batch of the data holds batch_elems elements. */
TINYC_KERNEL int tinyc_gather_nd(const void *src, const void *ind, int32_t i64, void *dst, int32_t esize, int32_t nb,
                                 int32_t tuples, int32_t k, const int32_t *dims, int32_t slice, int32_t batch_elems) {
  int32_t b, t, j;
  for (b = 0; b < nb; ++b)
    for (t = 0; t < tuples; ++t) {
      int64_t off = 0;
      for (j = 0; j < k; ++j) {
        const int64_t v = tinyc_index_at(ind, i64, (b * tuples + t) * k + j, dims[j]);
        if (v < 0) return 1;
        off = off * dims[j] + v;
      }
      memcpy((unsigned char *)dst + (size_t)(b * tuples + t) * (size_t)slice * (size_t)esize,
             (const unsigned char *)src + ((size_t)b * (size_t)batch_elems + (size_t)off * (size_t)slice) * (size_t)esize,
             (size_t)slice * (size_t)esize);
    }
  return 0;
}

/* ScatterND: out = data (n elements), then per index tuple the slice at it (red)= updates. */
TINYC_KERNEL int tinyc_scatter_nd(const void *data, const void *ind, int32_t i64, const void *upd, void *out,
                                  int32_t esize, int32_t type, int32_t red, int32_t n, int32_t tuples, int32_t k,
                                  const int32_t *dims, int32_t slice) {
  int32_t t, j, e;
  memcpy(out, data, (size_t)n * (size_t)esize);
  for (t = 0; t < tuples; ++t) {
    int64_t off = 0;
    for (j = 0; j < k; ++j) {
      const int64_t v = tinyc_index_at(ind, i64, t * k + j, dims[j]);
      if (v < 0) return 1;
      off = off * dims[j] + v;
    }
    for (e = 0; e < slice; ++e) tinyc_scatter_apply(out, (int32_t)(off * slice + e), upd, t * slice + e, esize, type, red);
  }
  return 0;
}

/* The data offset of element o of an index tensor (coordinates over ishp) with its coordinate on
   `axis` replaced by the index there (xst: the data's strides); -1 for an index out of range. */
TINYC_KERNEL int64_t tinyc_element_offset(int32_t o, const void *ind, int32_t i64, int32_t rank, const int32_t *ishp,
                                          const int32_t *xst, int32_t axis, int32_t dim) {
  int64_t off = 0;
  int32_t rem = o, d;
  for (d = rank - 1; d >= 0; --d) {
    int64_t coord = rem % ishp[d];
    rem /= ishp[d];
    if (d == axis) {
      coord = tinyc_index_at(ind, i64, o, dim);
      if (coord < 0) return -1;
    }
    off += coord * xst[d];
  }
  return off;
}

/* GatherElements: output element o (the indices' shape) reads data at tinyc_element_offset. */
TINYC_KERNEL int tinyc_gather_elements(const void *src, const void *ind, int32_t i64, void *dst, int32_t esize,
                                       int32_t n, int32_t rank, const int32_t *ishp, const int32_t *xst, int32_t axis,
                                       int32_t dim) {
  int32_t o;
  for (o = 0; o < n; ++o) {
    const int64_t off = tinyc_element_offset(o, ind, i64, rank, ishp, xst, axis, dim);
    if (off < 0) return 1;
    memcpy((unsigned char *)dst + (size_t)o * (size_t)esize, (const unsigned char *)src + (size_t)off * (size_t)esize,
           (size_t)esize);
  }
  return 0;
}

/* ScatterElements: out = data (n elements), then update u lands at tinyc_element_offset. */
TINYC_KERNEL int tinyc_scatter_elements(const void *data, const void *ind, int32_t i64, const void *upd, void *out,
                                        int32_t esize, int32_t type, int32_t red, int32_t n, int32_t nu, int32_t rank,
                                        const int32_t *ishp, const int32_t *xst, int32_t axis, int32_t dim) {
  int32_t u;
  memcpy(out, data, (size_t)n * (size_t)esize);
  for (u = 0; u < nu; ++u) {
    const int64_t off = tinyc_element_offset(u, ind, i64, rank, ishp, xst, axis, dim);
    if (off < 0) return 1;
    tinyc_scatter_apply(out, (int32_t)off, upd, u, esize, type, red);
  }
  return 0;
}
