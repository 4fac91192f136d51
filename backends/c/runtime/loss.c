/* tinyc runtime: loss functions (NegativeLogLikelihoodLoss SoftmaxCrossEntropyLoss). requires: common */

/* Inputs [N, C, D] (D: the product of the dims after C), targets [N, D] (int64, or int32 when
   t64 == 0), weights [C] or NULL. red: 0 none (y [N, D]), 1 sum, 2 mean over the weights of the
   targets not ignored. Sums in tinyc_acc (double on the generic target: the interpreter's
   arithmetic; f64 in double). Returns 1 for a target outside [0, C) (not ignored). */
TINYC_KERNEL int64_t tinyc_loss_target(const void *t, int32_t t64, int32_t i) {
  return t64 ? ((const int64_t *)t)[i] : (int64_t)((const int32_t *)t)[i];
}

#define TINYC_LOSS(SUF, T, A, EXP, LOG)                                                                  \
  /* NegativeLogLikelihoodLoss of the log-probabilities x */                                             \
  TINYC_KERNEL int tinyc_nll_##SUF(const T *x, const void *t, int32_t t64, const T *w, T *y, int32_t N,   \
                                   int32_t C, int32_t D, int32_t red, int32_t has_ignore, int64_t ignore) { \
    A sum = 0, wsum = 0;                                                                                 \
    int32_t i, d;                                                                                        \
    for (i = 0; i < N; ++i)                                                                              \
      for (d = 0; d < D; ++d) {                                                                          \
        const int64_t k = tinyc_loss_target(t, t64, i * D + d);                                          \
        A loss = 0;                                                                                      \
        if (!(has_ignore && k == ignore)) {                                                              \
          const A wk = w ? (A)w[k] : (A)1;                                                               \
          if (k < 0 || k >= C) return 1;                                                                 \
          loss = -(A)x[((size_t)i * (size_t)C + (size_t)k) * (size_t)D + (size_t)d] * wk;                \
          wsum += wk;                                                                                    \
        }                                                                                                \
        if (red == 0) y[(size_t)i * (size_t)D + (size_t)d] = (T)loss;                                    \
        sum += loss;                                                                                     \
      }                                                                                                  \
    if (red == 1) y[0] = (T)sum;                                                                         \
    if (red == 2) y[0] = (T)(sum / wsum);                                                                \
    return 0;                                                                                            \
  }                                                                                                      \
  /* SoftmaxCrossEntropyLoss: the log-softmax over C of the scores x (written to lp unless NULL),      \
     then the NLL of it, without rounding the log-probabilities in between */                           \
  TINYC_KERNEL int tinyc_sce_##SUF(const T *x, const void *t, int32_t t64, const T *w, T *y, T *lp, int32_t N, \
                                   int32_t C, int32_t D, int32_t red, int32_t has_ignore, int64_t ignore) { \
    A sum = 0, wsum = 0;                                                                                 \
    int32_t i, d, k;                                                                                     \
    for (i = 0; i < N; ++i)                                                                              \
      for (d = 0; d < D; ++d) {                                                                          \
        const T *xs = x + (size_t)i * (size_t)C * (size_t)D + (size_t)d;                                  \
        const int64_t tk = tinyc_loss_target(t, t64, i * D + d);                                         \
        A m = -(A)INFINITY, s = 0, ls, loss = 0;                                                          \
        for (k = 0; k < C; ++k) m = (A)xs[(size_t)k * (size_t)D] > m ? (A)xs[(size_t)k * (size_t)D] : m;  \
        for (k = 0; k < C; ++k) s += EXP((A)xs[(size_t)k * (size_t)D] - m);                               \
        ls = LOG(s);                                                                                     \
        if (lp)                                                                                          \
          for (k = 0; k < C; ++k)                                                                        \
            lp[((size_t)i * (size_t)C + (size_t)k) * (size_t)D + (size_t)d] = (T)((A)xs[(size_t)k * (size_t)D] - m - ls); \
        if (!(has_ignore && tk == ignore)) {                                                             \
          const A wk = w ? (A)w[tk] : (A)1;                                                              \
          if (tk < 0 || tk >= C) return 1;                                                               \
          loss = -((A)xs[(size_t)tk * (size_t)D] - m - ls) * wk;                                         \
          wsum += wk;                                                                                    \
        }                                                                                                \
        if (red == 0) y[(size_t)i * (size_t)D + (size_t)d] = (T)loss;                                    \
        sum += loss;                                                                                     \
      }                                                                                                  \
    if (red == 1) y[0] = (T)sum;                                                                         \
    if (red == 2) y[0] = (T)(sum / wsum);                                                                \
    return 0;                                                                                            \
  }
TINYC_LOSS(f32, float, tinyc_acc, tinyc_acc_exp, tinyc_acc_log)
TINYC_LOSS(f64, double, double, exp, log)
