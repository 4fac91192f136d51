/* tinyc runtime: TfIdfVectorizer. requires: common */

/* TfIdfVectorizer (lib/ops/tfidf.cpp, the same loops): per row of x (int64 when x64, else int32),
   every table n-gram g (glen[g] items in `items`, one after the other; column gcol[g]) that
   matches at (start, skip distance s) counts once in its column, s = 1 .. max_skip + 1 (n-grams of
   one item at s = 1 only); then mode 0 TF (the count), 1 IDF (w[j] or 1 where the count is
   nonzero), 2 TFIDF (w[j] or 1 times the count); w NULL: no weights. */
TINYC_KERNEL void tinyc_tfidf(const void *x, int32_t x64, float *y, int32_t rows, int32_t cols, int32_t out_size,
                              int32_t max_skip, int32_t ngrams, const int32_t *glen, const int32_t *gcol,
                              const int64_t *items, int32_t mode, const float *w) {
  int32_t r, s, g, start, k, j;
  for (r = 0; r < rows; ++r) {
    float *yr = y + (size_t)r * (size_t)out_size;
    const int64_t *xr64 = (const int64_t *)x + (size_t)r * (size_t)cols;
    const int32_t *xr32 = (const int32_t *)x + (size_t)r * (size_t)cols;
    for (j = 0; j < out_size; ++j) yr[j] = 0.0f;
    for (s = 1; s <= max_skip + 1; ++s) {
      const int64_t *it = items;
      for (g = 0; g < ngrams; it += glen[g], ++g) {
        const int32_t n = glen[g];
        if (s > 1 && n == 1) continue;
        for (start = 0; start + (n - 1) * s < cols; ++start) {
          for (k = 0; k < n; ++k) {
            const int64_t v = x64 ? xr64[start + k * s] : (int64_t)xr32[start + k * s];
            if (v != it[k]) break;
          }
          if (k == n) yr[gcol[g]] += 1.0f;
        }
      }
    }
    for (j = 0; j < out_size; ++j) {
      const float wt = w ? w[j] : 1.0f;
      yr[j] = mode == 0 ? yr[j] : mode == 1 ? (yr[j] > 0.0f ? wt : 0.0f) : wt * yr[j];
    }
  }
}
