/* tinyc runtime: Col2Im (reference: lib/ops/col2im.cpp, geometry lib/ops/col2im_plan.h): every
   output pixel sums, over the block offsets k in row-major order, the one input column o whose
   block covers it, in tinyc_acc (the interpreter's double on generic, float on the MCU targets).
   p: d (spatial axes, 1..8), N * C, prod(block), L, prod(image), then per axis j: image, block,
   stride, dilation, leading pad, grid (6 d values). requires: common */
TINYC_KERNEL void tinyc_col2im_f32(const float *x, float *y, const int32_t *p) {
  const int32_t d = p[0], nc = p[1], blocks = p[2], positions = p[3], pixels = p[4];
  const int32_t *a = p + 5;
  int32_t pos[8], q, i, k, j;
  for (q = 0; q < nc; ++q)
    for (i = 0; i < pixels; ++i) {
      tinyc_acc s = 0;
      int32_t r = i;
      for (j = d - 1; j >= 0; --j) { /* the pixel's coordinates */
        pos[j] = r % a[6 * j];
        r /= a[6 * j];
      }
      for (k = 0; k < blocks; ++k) {
        int32_t l = 0, kr = k, stride = 1, hit = 1;
        for (j = d - 1; j >= 0 && hit; --j) { /* k's offset along axis j, the column's position */
          const int32_t *g = a + 6 * j, kj = kr % g[1], t = pos[j] + g[4] - kj * g[3];
          kr /= g[1];
          hit = t >= 0 && t % g[2] == 0 && t / g[2] < g[5];
          l += (hit ? t / g[2] : 0) * stride;
          stride *= g[5];
        }
        if (hit) s += x[((size_t)q * (size_t)blocks + (size_t)k) * (size_t)positions + (size_t)l];
      }
      y[(size_t)q * (size_t)pixels + (size_t)i] = (float)s;
    }
}
