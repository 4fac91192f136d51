/* tinyc runtime: activations fused into Conv/Gemm/Add (applied in place to the output, or by a
   kernel to each value it stores: tinyc_fact1_*, EmitCtx::takeActivation). requires: common */
TINYC_KERNEL float tinyc_fact1_relu(float x) { return x <= 0.0f ? 0.0f : x; } /* one compare: NaN stays, -0 becomes +0 */
TINYC_KERNEL float tinyc_fact1_clip(float x, float lo, float hi) {
  x = x < lo ? lo : x; /* a NaN fails both compares and stays */
  return x > hi ? hi : x;
}
TINYC_KERNEL float tinyc_fact1_leakyrelu(float x, float alpha) { return x >= 0.0f ? x : alpha * x; }
TINYC_KERNEL float tinyc_fact1_hardswish(float x) {
  float v = x / 6.0f + 0.5f;
  v = v < 1.0f ? v : 1.0f;
  v = v > 0.0f ? v : 0.0f;
  return x * v;
}
/* tinyc_sigmoidf's form (activation.c) */
TINYC_KERNEL float tinyc_fact1_sigmoid(float x) { return 1.0f / (1.0f + expf(-x)); }
TINYC_KERNEL float tinyc_fact1_tanh(float x) { return tanhf(x); }

TINYC_KERNEL void tinyc_fact_relu_f32(float *y, int32_t n) {
  int32_t i;
  for (i = 0; i < n; ++i) y[i] = tinyc_fact1_relu(y[i]);
}
TINYC_KERNEL void tinyc_fact_clip_f32(float *y, int32_t n, float lo, float hi) {
  int32_t i;
  for (i = 0; i < n; ++i) y[i] = tinyc_fact1_clip(y[i], lo, hi);
}
TINYC_KERNEL void tinyc_fact_leakyrelu_f32(float *y, int32_t n, float alpha) {
  int32_t i;
  for (i = 0; i < n; ++i) y[i] = tinyc_fact1_leakyrelu(y[i], alpha);
}
TINYC_KERNEL void tinyc_fact_hardswish_f32(float *y, int32_t n) {
  int32_t i;
  for (i = 0; i < n; ++i) y[i] = tinyc_fact1_hardswish(y[i]);
}
TINYC_KERNEL void tinyc_fact_sigmoid_f32(float *y, int32_t n) {
  int32_t i;
  for (i = 0; i < n; ++i) y[i] = tinyc_fact1_sigmoid(y[i]);
}
TINYC_KERNEL void tinyc_fact_tanh_f32(float *y, int32_t n) {
  int32_t i;
  for (i = 0; i < n; ++i) y[i] = tinyc_fact1_tanh(y[i]);
}
