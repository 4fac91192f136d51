/* tinyc runtime: DFT and STFT. requires: common */

/* DFT over float32 (lib/ops/signal.cpp, step by step): x as [outer, n, inner, cin] (cin 1 real,
   2 complex), y as [outer, out_len, inner, 2]; tw holds cos, sin of 2 pi m / len (m = 0..len-1,
   interleaved), m = k t mod len advanced by k per tap. inverse: e^{+i theta} and 1 / len. */
TINYC_KERNEL void tinyc_dft_f32(const float *x, float *y, int32_t outer, int32_t n, int32_t inner, int32_t cin,
                                int32_t len, int32_t out_len, int32_t inverse, const tinyc_acc *tw) {
  const int32_t taps = n < len ? n : len;
  const tinyc_acc sign = inverse ? (tinyc_acc)-1 : (tinyc_acc)1;
  int32_t o, k, i, t;
  for (o = 0; o < outer; ++o)
    for (k = 0; k < out_len; ++k)
      for (i = 0; i < inner; ++i) {
        tinyc_acc re = 0, im = 0;
        int32_t m = 0;
        float *d = y + (((size_t)o * (size_t)out_len + (size_t)k) * (size_t)inner + (size_t)i) * 2;
        for (t = 0; t < taps; ++t) {
          const float *s = x + (((size_t)o * (size_t)n + (size_t)t) * (size_t)inner + (size_t)i) * (size_t)cin;
          const tinyc_acc xr = (tinyc_acc)s[0], xi = cin == 2 ? (tinyc_acc)s[1] : 0;
          const tinyc_acc cs = tw[2 * m], sn = tw[2 * m + 1];
          re += xr * cs + sign * xi * sn;
          im += xi * cs - sign * xr * sn;
          m += k;
          if (m >= len) m %= len;
        }
        if (inverse) {
          re /= (tinyc_acc)len;
          im /= (tinyc_acc)len;
        }
        d[0] = (float)re;
        d[1] = (float)im;
      }
}

/* The inverse of a one-sided spectrum x ([outer, n, inner, cin]) into the real y ([outer, len,
   inner]): y_t = (Re X_0 + sum_{0 < k < len/2} 2 Re(X_k e^{i theta}) + [len even] Re(X_{len/2}
   e^{i pi t})) / len, Re(X e^{i theta}) = xr cos - xi sin (numpy's irfft). */
TINYC_KERNEL void tinyc_irfft_f32(const float *x, float *y, int32_t outer, int32_t n, int32_t inner, int32_t cin,
                                  int32_t len, const tinyc_acc *tw) {
  const int32_t taps = n < len / 2 + 1 ? n : len / 2 + 1;
  int32_t o, t, i, k;
  for (o = 0; o < outer; ++o)
    for (t = 0; t < len; ++t)
      for (i = 0; i < inner; ++i) {
        tinyc_acc acc = 0;
        int32_t m = 0;
        for (k = 0; k < taps; ++k) {
          const float *s = x + (((size_t)o * (size_t)n + (size_t)k) * (size_t)inner + (size_t)i) * (size_t)cin;
          const tinyc_acc xr = (tinyc_acc)s[0], xi = cin == 2 ? (tinyc_acc)s[1] : 0;
          const tinyc_acc v = xr * tw[2 * m] - xi * tw[2 * m + 1];
          acc += k == 0 || 2 * k == len ? v : 2 * v;
          m += t;
          if (m >= len) m %= len;
        }
        y[((size_t)o * (size_t)len + (size_t)t) * (size_t)inner + (size_t)i] = (float)(acc / (tinyc_acc)len);
      }
}

/* STFT over float32 (lib/ops/signal.cpp): frame f of batch b reads x[b, f step + t, :] for t <
   window (zero past len), times win[t] (NULL: 1), and transforms it with length frame (tw as
   above, for frame); y as [batch, frames, bins, 2]. */
TINYC_KERNEL void tinyc_stft_f32(const float *x, const float *win, float *y, int32_t batch, int32_t len, int32_t cin,
                                 int32_t step, int32_t window, int32_t frame, int32_t frames, int32_t bins,
                                 const tinyc_acc *tw) {
  const int32_t taps = window < frame ? window : frame;
  int32_t b, f, k, t;
  for (b = 0; b < batch; ++b)
    for (f = 0; f < frames; ++f)
      for (k = 0; k < bins; ++k) {
        tinyc_acc re = 0, im = 0;
        int32_t m = 0;
        float *d = y + (((size_t)b * (size_t)frames + (size_t)f) * (size_t)bins + (size_t)k) * 2;
        for (t = 0; t < taps; ++t) {
          const int32_t at = f * step + t;
          if (at < len) {
            const float *s = x + ((size_t)b * (size_t)len + (size_t)at) * (size_t)cin;
            const tinyc_acc wt = win ? (tinyc_acc)win[t] : (tinyc_acc)1;
            const tinyc_acc xr = (tinyc_acc)s[0] * wt, xi = cin == 2 ? (tinyc_acc)s[1] * wt : 0;
            re += xr * tw[2 * m] + xi * tw[2 * m + 1];
            im += xi * tw[2 * m] - xr * tw[2 * m + 1];
          }
          m += k;
          if (m >= frame) m %= frame;
        }
        d[0] = (float)re;
        d[1] = (float)im;
      }
}
