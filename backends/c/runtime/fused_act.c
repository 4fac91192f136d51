/* tinyc runtime: activations fused into Conv/Gemm/Add (applied in place to the output). requires: common */
TINYC_KERNEL void tinyc_fact_relu_f32(float *y, int32_t n) {
  int32_t i;
  for (i = 0; i < n; ++i) y[i] = y[i] <= 0.0f ? 0.0f : y[i]; /* one compare: NaN stays, -0 becomes +0 */
}
TINYC_KERNEL void tinyc_fact_clip_f32(float *y, int32_t n, float lo, float hi) {
  int32_t i;
  for (i = 0; i < n; ++i) {
    const float x = y[i] < lo ? lo : y[i]; /* a NaN fails both compares and stays */
    y[i] = x > hi ? hi : x;
  }
}
TINYC_KERNEL void tinyc_fact_leakyrelu_f32(float *y, int32_t n, float alpha) {
  int32_t i;
  for (i = 0; i < n; ++i) y[i] = y[i] >= 0.0f ? y[i] : alpha * y[i];
}
TINYC_KERNEL void tinyc_fact_hardswish_f32(float *y, int32_t n) {
  int32_t i;
  for (i = 0; i < n; ++i) {
    float x = y[i], v = x / 6.0f + 0.5f;
    v = v < 1.0f ? v : 1.0f;
    v = v > 0.0f ? v : 0.0f;
    y[i] = x * v;
  }
}
TINYC_KERNEL void tinyc_fact_sigmoid_f32(float *y, int32_t n) {
  int32_t i;
  for (i = 0; i < n; ++i) {
    float x = y[i];
    if (x >= 0.0f) {
      y[i] = 1.0f / (1.0f + expf(-x));
    } else {
      float e = expf(x);
      y[i] = e / (1.0f + e);
    }
  }
}
TINYC_KERNEL void tinyc_fact_tanh_f32(float *y, int32_t n) {
  int32_t i;
  for (i = 0; i < n; ++i) y[i] = tanhf(y[i]);
}
