/* tinyc runtime: RotaryEmbedding. requires: common */

/* RotaryEmbedding over float32 (lib/ops/rotary.cpp, the same loops): head vector (b, s, h) at
   ((b heads + h) seq + s) head (heads_first) or ((b seq + s) heads + h) head; its first rot values
   rotated in pairs (halves, or neighbours when interleaved) by the caches' row pos[b seq + s]
   (pos NULL: row b seq + s), the rest copied. Returns 1 when a position lies outside
   [0, positions). */
TINYC_KERNEL int tinyc_rotary_f32(const float *x, const float *cs, const float *sn, const int64_t *pos, float *y,
                                  int32_t batch, int32_t heads, int32_t seq, int32_t head, int32_t rot,
                                  int32_t positions, int32_t heads_first, int32_t interleaved) {
  const int32_t half = rot / 2;
  int32_t b, s, h, i, j;
  for (b = 0; b < batch; ++b)
    for (s = 0; s < seq; ++s) {
      int64_t row = (int64_t)b * seq + s;
      if (pos) {
        row = pos[(size_t)b * (size_t)seq + (size_t)s];
        if (row < 0 || row >= positions) return 1;
      }
      for (h = 0; h < heads; ++h) {
        const size_t base = heads_first ? (((size_t)b * (size_t)heads + (size_t)h) * (size_t)seq + (size_t)s) * (size_t)head
                                        : (((size_t)b * (size_t)seq + (size_t)s) * (size_t)heads + (size_t)h) * (size_t)head;
        const float *c = cs + (size_t)row * (size_t)half, *n = sn + (size_t)row * (size_t)half;
        for (i = 0; i < half; ++i) {
          const size_t i1 = base + (size_t)(interleaved ? 2 * i : i), i2 = base + (size_t)(interleaved ? 2 * i + 1 : i + half);
          const tinyc_acc x1 = (tinyc_acc)x[i1], x2 = (tinyc_acc)x[i2], co = (tinyc_acc)c[i], si = (tinyc_acc)n[i];
          y[i1] = (float)(co * x1 - si * x2);
          y[i2] = (float)(si * x1 + co * x2);
        }
        for (j = rot; j < head; ++j) y[base + (size_t)j] = x[base + (size_t)j];
      }
    }
  return 0;
}
