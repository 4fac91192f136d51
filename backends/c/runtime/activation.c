/* tinyc runtime: activations (Relu LeakyRelu PRelu Clip Sigmoid HardSigmoid HardSwish Tanh Elu Softplus Softsign Mish Gelu Swish Selu Celu ThresholdedRelu Shrink Softmax LogSoftmax). requires: common scratch */

/* Maps take no `restrict`: the planner may run them in place (y == a, docs/memory.md). */
/* Float maps in three types: f32 in float, f64 in double, f16 through float (as the
   interpreter). EXPR uses x (the element) and the kernel's parameters p0, p1. NaN propagates
   through every comparison written below (x < 0 ? 0 : x keeps a NaN x). */
#define TINYC_ACT_MAP(NAME, T, EXPR)                                                              \
  TINYC_KERNEL void tinyc_##NAME(const T *a, T *y, int32_t n, T p0, T p1) {       \
    int32_t i;                                                                                      \
    (void)p0;                                                                                       \
    (void)p1;                                                                                       \
    for (i = 0; i < n; ++i) { const T x = a[i]; y[i] = (T)(EXPR); }                                \
  }
#define TINYC_ACT_MAP_F16(NAME, EXPR)                                                             \
  TINYC_KERNEL void tinyc_##NAME(const uint16_t *a, uint16_t *y, int32_t n, float p0, float p1) { \
    int32_t i;                                                                                      \
    (void)p0;                                                                                       \
    (void)p1;                                                                                       \
    for (i = 0; i < n; ++i) { const float x = tinyc_h2f(a[i]); y[i] = tinyc_f2h((float)(EXPR)); } \
  }

/* Sigmoid in single precision: for x < -88.7 expf(-x) is infinite and the result 0 (the exact
   value is below FLT_MIN); elsewhere a division of two correctly bounded terms (a few ulp). One
   expf call and no branch: the fused form (fused_act.c, tinyc_fact1_sigmoid) is the same. */
TINYC_KERNEL float tinyc_sigmoidf(float x) { return 1.0f / (1.0f + expf(-x)); }
TINYC_KERNEL double tinyc_sigmoidd(double x) {
  double e;
  if (x >= 0.0) return 1.0 / (1.0 + exp(-x));
  e = exp(x);
  return e / (1.0 + e);
}
/* max(0, min(1, v)) with std::min / std::max semantics (a NaN v gives 1). */
TINYC_KERNEL float tinyc_clamp01f(float v) {
  const float m = v < 1.0f ? v : 1.0f;
  return 0.0f < m ? m : 0.0f;
}
TINYC_KERNEL double tinyc_clamp01d(double v) {
  const double m = v < 1.0 ? v : 1.0;
  return 0.0 < m ? m : 0.0;
}

#define TINYC_ACT_FLOAT(SUF, T, ONE, EXP, TANH, SIG, CLAMP, LOG1P, FABS, ERF)                     \
  TINYC_ACT_MAP(gelu_##SUF, T, (T)0.5 * x * (ONE + ERF(x * (T)0.7071067811865476)))              \
  TINYC_ACT_MAP(gelutanh_##SUF, T, (T)0.5 * x * (ONE + TANH((T)0.7978845608028654 * (x + (T)0.044715 * x * x * x)))) \
  TINYC_ACT_MAP(swish_##SUF, T, x * SIG(p0 * x))                                                  \
  TINYC_ACT_MAP(softplus_##SUF, T, x > (T)0 ? x + LOG1P(EXP(-x)) : LOG1P(EXP(x)))                  \
  TINYC_ACT_MAP(softsign_##SUF, T, x / (ONE + FABS(x)))                                           \
  TINYC_ACT_MAP(mish_##SUF, T, x * TANH(x > (T)0 ? x + LOG1P(EXP(-x)) : LOG1P(EXP(x))))          \
  TINYC_ACT_MAP(selu_##SUF, T, x > (T)0 ? p1 * x : p1 * (p0 * EXP(x) - p0))                       \
  TINYC_ACT_MAP(celu_##SUF, T, ((T)0 < x ? x : (T)0) + TINYC_MIN0(T, p0 * (EXP(x / p0) - ONE)))   \
  TINYC_ACT_MAP(thresholdedrelu_##SUF, T, x > p0 ? x : (T)0)                                      \
  TINYC_ACT_MAP(shrink_##SUF, T, x < -p0 ? x + p1 : x > p0 ? x - p1 : (T)0)                       \
  TINYC_ACT_MAP(relu_##SUF, T, x < (T)0 ? (T)0 : x)                                               \
  TINYC_ACT_MAP(leakyrelu_##SUF, T, x >= (T)0 ? x : p0 * x)                                       \
  TINYC_ACT_MAP(sigmoid_##SUF, T, SIG(x))                                                         \
  TINYC_ACT_MAP(hardsigmoid_##SUF, T, CLAMP(p0 * x + p1))                                         \
  TINYC_ACT_MAP(hardswish_##SUF, T, x * CLAMP(x / (T)6 + (T)0.5))                                 \
  TINYC_ACT_MAP(tanh_##SUF, T, TANH(x))                                                           \
  TINYC_ACT_MAP(elu_##SUF, T, x >= (T)0 ? x : p0 * (EXP(x) - ONE))
/* min(0, v) as std::min(0, v): v < 0 ? v : 0 (a NaN v gives 0, as in the interpreter). */
#define TINYC_MIN0(T, V) tinyc_min0_##T(V)
TINYC_KERNEL float tinyc_min0_float(float v) { return v < 0.0f ? v : 0.0f; }
TINYC_KERNEL double tinyc_min0_double(double v) { return v < 0.0 ? v : 0.0; }
TINYC_ACT_FLOAT(f32, float, 1.0f, expf, tanhf, tinyc_sigmoidf, tinyc_clamp01f, log1pf, fabsf, erff)
TINYC_ACT_FLOAT(f64, double, 1.0, exp, tanh, tinyc_sigmoidd, tinyc_clamp01d, log1p, fabs, erf)

TINYC_ACT_MAP_F16(relu_f16, x < 0.0f ? 0.0f : x)
TINYC_ACT_MAP_F16(leakyrelu_f16, x >= 0.0f ? x : p0 * x)
TINYC_ACT_MAP_F16(sigmoid_f16, tinyc_sigmoidf(x))
TINYC_ACT_MAP_F16(hardsigmoid_f16, tinyc_clamp01f(p0 * x + p1))
TINYC_ACT_MAP_F16(hardswish_f16, x * tinyc_clamp01f(x / 6.0f + 0.5f))
TINYC_ACT_MAP_F16(tanh_f16, tanhf(x))
TINYC_ACT_MAP_F16(elu_f16, x >= 0.0f ? x : p0 * (expf(x) - 1.0f))
TINYC_ACT_MAP_F16(softplus_f16, x > 0.0f ? x + log1pf(expf(-x)) : log1pf(expf(x)))
TINYC_ACT_MAP_F16(softsign_f16, x / (1.0f + fabsf(x)))
TINYC_ACT_MAP_F16(mish_f16, x * tanhf(x > 0.0f ? x + log1pf(expf(-x)) : log1pf(expf(x))))
TINYC_ACT_MAP_F16(swish_f16, x * tinyc_sigmoidf(p0 * x))
TINYC_ACT_MAP_F16(gelu_f16, 0.5f * x * (1.0f + erff(x * 0.7071067811865476f)))
TINYC_ACT_MAP_F16(gelutanh_f16, 0.5f * x * (1.0f + tanhf(0.7978845608028654f * (x + 0.044715f * x * x * x))))
TINYC_ACT_MAP_F16(selu_f16, x > 0.0f ? p1 * x : p1 * (p0 * expf(x) - p0))
TINYC_ACT_MAP_F16(celu_f16, (0.0f < x ? x : 0.0f) + tinyc_min0_float(p0 * (expf(x / p0) - 1.0f)))
TINYC_ACT_MAP_F16(thresholdedrelu_f16, x > p0 ? x : 0.0f)
TINYC_ACT_MAP_F16(shrink_f16, x < -p0 ? x + p1 : x > p0 ? x - p1 : 0.0f)

/* Relu of signed integers. */
TINYC_ACT_MAP(relu_i8, int8_t, x < 0 ? 0 : x)
TINYC_ACT_MAP(relu_i16, int16_t, x < 0 ? 0 : x)
TINYC_ACT_MAP(relu_i32, int32_t, x < 0 ? 0 : x)
TINYC_ACT_MAP(relu_i64, int64_t, x < 0 ? 0 : x)

/* PRelu: y = x < 0 ? slope * x : x with the slope in four layouts: same shape, one scalar,
   per channel (s[(i / inner) % c]) and general broadcasting (strides ss over shape shp).
   Integer products wrap (computed in the unsigned type UT); unsigned x is copied. */
#define TINYC_PRELU(SUF, T, EXPR)                                                                 \
  TINYC_KERNEL void tinyc_prelu_##SUF(const T *restrict a, const T *restrict s, T *restrict y, int32_t n) { \
    int32_t i;                                                                                      \
    for (i = 0; i < n; ++i) { const T x = a[i], sl = s[i]; y[i] = (T)(EXPR); }                     \
  }                                                                                                 \
  TINYC_KERNEL void tinyc_prelu_##SUF##_scalar(const T *restrict a, const T *restrict s, T *restrict y, int32_t n) { \
    int32_t i;                                                                                      \
    const T sl = s[0];                                                                              \
    for (i = 0; i < n; ++i) { const T x = a[i]; y[i] = (T)(EXPR); }                               \
  }                                                                                                 \
  TINYC_KERNEL void tinyc_prelu_##SUF##_chan(const T *restrict a, const T *restrict s, T *restrict y, int32_t outer, \
                                             int32_t c, int32_t inner) {                            \
    int32_t o, ch, i;                                                                               \
    for (o = 0; o < outer; ++o)                                                                     \
      for (ch = 0; ch < c; ++ch) {                                                                  \
        const T sl = s[ch];                                                                         \
        const T *restrict ap = a + ((size_t)o * (size_t)c + (size_t)ch) * (size_t)inner;            \
        T *restrict yp = y + ((size_t)o * (size_t)c + (size_t)ch) * (size_t)inner;                  \
        for (i = 0; i < inner; ++i) { const T x = ap[i]; yp[i] = (T)(EXPR); }                      \
      }                                                                                             \
  }                                                                                                 \
  TINYC_KERNEL void tinyc_prelu_##SUF##_bcast(const T *restrict a, const T *restrict s, T *restrict y, int32_t n, \
                                              int32_t r, const int32_t *shp, const int32_t *ss) {   \
    int32_t i;                                                                                      \
    for (i = 0; i < n; ++i) {                                                                       \
      const T x = a[i], sl = s[tinyc_bcast_offset(i, r, shp, ss)];                                  \
      y[i] = (T)(EXPR);                                                                             \
    }                                                                                               \
  }
TINYC_PRELU(f32, float, x < 0.0f ? sl * x : x)
TINYC_PRELU(f64, double, x < 0.0 ? sl * x : x)
TINYC_PRELU(i32, int32_t, x < 0 ? (int32_t)((uint32_t)sl * (uint32_t)x) : x)
TINYC_PRELU(i64, int64_t, x < 0 ? (int64_t)((uint64_t)sl * (uint64_t)x) : x)
#undef TINYC_PRELU

TINYC_KERNEL void tinyc_prelu_f16_bcast(const uint16_t *restrict a, const uint16_t *restrict s, uint16_t *restrict y,
                                        int32_t n, int32_t r, const int32_t *shp, const int32_t *ss) {
  int32_t i;
  for (i = 0; i < n; ++i) {
    const float x = tinyc_h2f(a[i]);
    y[i] = tinyc_f2h(x < 0.0f ? tinyc_h2f(s[tinyc_bcast_offset(i, r, shp, ss)]) * x : x);
  }
}

/* Clip to the optional scalar bounds lo / hi (NULL: none). A NaN x passes through; lo > hi
   gives hi (as ONNX). */
#define TINYC_CLIP(SUF, T, LOWEST, HIGHEST)                                                       \
  TINYC_KERNEL void tinyc_clip_##SUF(const T *a, T *y, int32_t n, const T *lo, const T *hi) { \
    int32_t i;                                                                                      \
    const T l = lo ? lo[0] : (LOWEST), h = hi ? hi[0] : (HIGHEST);                                  \
    for (i = 0; i < n; ++i) {                                                                       \
      T v = a[i];                                                                                   \
      v = v < l ? l : v;                                                                            \
      v = v > h ? h : v;                                                                            \
      y[i] = v;                                                                                     \
    }                                                                                               \
  }
TINYC_CLIP(f32, float, -INFINITY, INFINITY)
TINYC_CLIP(f64, double, -(double)INFINITY, (double)INFINITY)
TINYC_CLIP(i8, int8_t, INT8_MIN, INT8_MAX)
TINYC_CLIP(u8, uint8_t, 0, UINT8_MAX)
TINYC_CLIP(i16, int16_t, INT16_MIN, INT16_MAX)
TINYC_CLIP(u16, uint16_t, 0, UINT16_MAX)
TINYC_CLIP(i32, int32_t, INT32_MIN, INT32_MAX)
TINYC_CLIP(u32, uint32_t, 0, UINT32_MAX)
TINYC_CLIP(i64, int64_t, INT64_MIN, INT64_MAX)
TINYC_CLIP(u64, uint64_t, 0, UINT64_MAX)

TINYC_KERNEL void tinyc_clip_f16(const uint16_t *a, uint16_t *y, int32_t n, const uint16_t *lo,
                                 const uint16_t *hi) {
  int32_t i;
  const float l = lo ? tinyc_h2f(lo[0]) : -INFINITY, h = hi ? tinyc_h2f(hi[0]) : INFINITY;
  for (i = 0; i < n; ++i) {
    float v = tinyc_h2f(a[i]);
    v = v < l ? l : v;
    v = v > h ? h : v;
    y[i] = tinyc_f2h(v);
  }
}

/* Softmax / LogSoftmax along one axis of a tensor viewed as [outer, n, inner], computed in T
   with the interpreter's order of operations: m = max (NaN-ignoring, as std::max), e = exp(x - m),
   sum in element order, then e / sum or x - m - log(sum).
   inner == 1: rows are contiguous. inner > 1: the scratch `ws` holds 2 * inner values (max and
   sum per column) so every loop runs over contiguous memory. */
#define TINYC_SOFTMAX(SUF, T, EXP, LOG)                                                           \
  TINYC_KERNEL void tinyc_softmax_##SUF(const T *restrict a, T *restrict y, int32_t outer, int32_t n, int32_t inner, \
                                        int32_t logsm, T *restrict ws) {                            \
    int32_t o, j, k;                                                                                \
    TINYC_SCRATCH_NEED(tinyc_softmax_scratch(outer, n, inner, (int64_t)sizeof(T)));                 \
    for (o = 0; o < outer; ++o) {                                                                   \
      const T *restrict p = a + (size_t)o * (size_t)n * (size_t)inner;                             \
      T *restrict q = y + (size_t)o * (size_t)n * (size_t)inner;                                   \
      if (inner == 1) {                                                                             \
        T m = -(T)INFINITY, sum = 0;                                                                \
        for (j = 0; j < n; ++j) m = m < p[j] ? p[j] : m;                                            \
        if (logsm) {                                                                                \
          T ls;                                                                                     \
          for (j = 0; j < n; ++j) sum += EXP(p[j] - m);                                             \
          ls = LOG(sum);                                                                            \
          for (j = 0; j < n; ++j) q[j] = p[j] - m - ls;                                             \
        } else {                                                                                    \
          for (j = 0; j < n; ++j) {                                                                 \
            const T e = EXP(p[j] - m);                                                              \
            sum += e;                                                                               \
            q[j] = e;                                                                               \
          }                                                                                         \
          for (j = 0; j < n; ++j) q[j] /= sum;                                                      \
        }                                                                                           \
      } else {                                                                                      \
        T *restrict mx = ws, *restrict sm = ws + inner;                                             \
        for (k = 0; k < inner; ++k) { mx[k] = -(T)INFINITY; sm[k] = 0; }                           \
        for (j = 0; j < n; ++j) {                                                                   \
          const T *restrict pj = p + (size_t)j * (size_t)inner;                                     \
          for (k = 0; k < inner; ++k) mx[k] = mx[k] < pj[k] ? pj[k] : mx[k];                        \
        }                                                                                           \
        for (j = 0; j < n; ++j) {                                                                   \
          const T *restrict pj = p + (size_t)j * (size_t)inner;                                     \
          T *restrict qj = q + (size_t)j * (size_t)inner;                                           \
          for (k = 0; k < inner; ++k) {                                                             \
            const T e = EXP(pj[k] - mx[k]);                                                         \
            sm[k] += e;                                                                             \
            qj[k] = e;                                                                              \
          }                                                                                         \
        }                                                                                           \
        if (logsm) {                                                                                \
          for (k = 0; k < inner; ++k) sm[k] = LOG(sm[k]);                                           \
          for (j = 0; j < n; ++j) {                                                                 \
            const T *restrict pj = p + (size_t)j * (size_t)inner;                                   \
            T *restrict qj = q + (size_t)j * (size_t)inner;                                         \
            for (k = 0; k < inner; ++k) qj[k] = pj[k] - mx[k] - sm[k];                              \
          }                                                                                         \
        } else {                                                                                    \
          for (j = 0; j < n; ++j) {                                                                 \
            T *restrict qj = q + (size_t)j * (size_t)inner;                                         \
            for (k = 0; k < inner; ++k) qj[k] /= sm[k];                                             \
          }                                                                                         \
        }                                                                                           \
      }                                                                                             \
    }                                                                                               \
  }
TINYC_SOFTMAX(f32, float, expf, logf)
TINYC_SOFTMAX(f64, double, exp, log)

/* f16: computed in float without scratch (the exponentials are recomputed in the last pass,
   giving the same values), rounded to half at the end as the interpreter. */
TINYC_KERNEL void tinyc_softmax_f16(const uint16_t *restrict a, uint16_t *restrict y, int32_t outer, int32_t n,
                                    int32_t inner, int32_t logsm) {
  int32_t o, j, k;
  for (o = 0; o < outer; ++o)
    for (k = 0; k < inner; ++k) {
      const size_t base = (size_t)o * (size_t)n * (size_t)inner + (size_t)k;
      float m = -INFINITY, sum = 0.0f, ls;
      for (j = 0; j < n; ++j) {
        const float v = tinyc_h2f(a[base + (size_t)j * (size_t)inner]);
        m = m < v ? v : m;
      }
      for (j = 0; j < n; ++j) sum += expf(tinyc_h2f(a[base + (size_t)j * (size_t)inner]) - m);
      ls = logf(sum);
      for (j = 0; j < n; ++j) {
        const float v = tinyc_h2f(a[base + (size_t)j * (size_t)inner]);
        y[base + (size_t)j * (size_t)inner] = tinyc_f2h(logsm ? v - m - ls : expf(v - m) / sum);
      }
    }
}
