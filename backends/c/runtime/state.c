/* tinyc runtime: ops that carry a sequence model's state (lib/ops/state_ops.cpp). requires: common */
/* CausalConvWithState: y[b, c, t] = bias[c] + sum over i < K of w[c, i] * padded[b, c, t + i] with
   padded = past (or zeros, past NULL) ++ x along the length (K - 1 + L), then x * sigmoid(x) when
   silu; present (NULL: not needed) = the last K - 1 positions of padded. */
TINYC_KERNEL void tinyc_causal_conv_f32(const float *x, const float *w, const float *bias, const float *past, float *y,
                                        float *present, int32_t B, int32_t C, int32_t L, int32_t K, int32_t silu) {
  int32_t b, c, t, i;
  for (b = 0; b < B; ++b)
    for (c = 0; c < C; ++c) {
      const float *xr = x + ((size_t)b * (size_t)C + (size_t)c) * (size_t)L, *wr = w + (size_t)c * (size_t)K;
      const float *pr = past ? past + ((size_t)b * (size_t)C + (size_t)c) * (size_t)(K - 1) : NULL;
      float *yr = y + ((size_t)b * (size_t)C + (size_t)c) * (size_t)L;
      for (t = 0; t < L; ++t) {
        tinyc_acc s = bias ? (tinyc_acc)bias[c] : 0;
        float v;
        for (i = 0; i < K; ++i) {
          const int32_t u = t + i; /* position in padded */
          const float xv = u >= K - 1 ? xr[u - (K - 1)] : pr ? pr[u] : 0.0f;
          s += (tinyc_acc)wr[i] * (tinyc_acc)xv;
        }
        v = (float)s;
        yr[t] = silu ? v * (1.0f / (1.0f + expf(-v))) : v; /* the reference: x * sigmoid(x) */
      }
      if (present)
        for (i = 0; i < K - 1; ++i) {
          const int32_t u = L + i;
          present[((size_t)b * (size_t)C + (size_t)c) * (size_t)(K - 1) + (size_t)i] =
              u >= K - 1 ? xr[u - (K - 1)] : pr ? pr[u] : 0.0f;
        }
    }
}

/* TensorScatter over bytes: y = cache (outer x max_len x inner elements of esize bytes), then for
   each outer row o (batch o / per_batch) update's len rows written from idx[batch] (0 when idx is
   NULL) on, modulo max_len when circular. Returns 1 (the reference interpreter's error) when a
   row falls outside the cache, after writing the others. */
TINYC_KERNEL int tinyc_tensor_scatter(const void *cache, const void *update, const int64_t *idx, void *y, int32_t outer,
                                       int32_t per_batch, int32_t max_len, int32_t len, int32_t inner, int32_t esize,
                                       int32_t circular) {
  const size_t row = (size_t)inner * (size_t)esize;
  int32_t o, j;
  int rc = 0;
  if (y != cache) memcpy(y, cache, (size_t)outer * (size_t)max_len * row);
  for (o = 0; o < outer; ++o) {
    const int64_t start = idx ? idx[o / per_batch] : 0;
    for (j = 0; j < len; ++j) {
      int64_t at = start + j;
      if (circular) at = ((at % max_len) + max_len) % max_len;
      if (at < 0 || at >= max_len) {
        rc = 1;
        continue;
      }
      memcpy((unsigned char *)y + ((size_t)o * (size_t)max_len + (size_t)at) * row,
             (const unsigned char *)update + ((size_t)o * (size_t)len + (size_t)j) * row, row);
    }
  }
  return rc;
}
