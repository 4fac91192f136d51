/* tinyc runtime: RNN, LSTM, GRU (float32, directions, layouts, sequence_lens, clip, activations). requires: common scratch */

/* Activation codes (as the emitter numbers them). */
#define TINYC_RNN_SIGMOID 0
#define TINYC_RNN_TANH 1
#define TINYC_RNN_RELU 2
#define TINYC_RNN_AFFINE 3
#define TINYC_RNN_LEAKYRELU 4
#define TINYC_RNN_THRESHOLDEDRELU 5
#define TINYC_RNN_SCALEDTANH 6
#define TINYC_RNN_HARDSIGMOID 7
#define TINYC_RNN_ELU 8
#define TINYC_RNN_SOFTSIGN 9
#define TINYC_RNN_SOFTPLUS 10

#define TINYC_RNN_KIND_RNN 0
#define TINYC_RNN_KIND_LSTM 1
#define TINYC_RNN_KIND_GRU 2

TINYC_KERNEL float tinyc_rnn_act(int32_t act, float alpha, float beta, float x) {
  switch (act) {
    case TINYC_RNN_SIGMOID: return 1.0f / (1.0f + expf(-x));
    case TINYC_RNN_TANH: return tanhf(x);
    case TINYC_RNN_RELU: return x > 0.0f ? x : 0.0f;
    case TINYC_RNN_AFFINE: return alpha * x + beta;
    case TINYC_RNN_LEAKYRELU: return x < 0.0f ? alpha * x : x;
    case TINYC_RNN_THRESHOLDEDRELU: return x > alpha ? x : 0.0f;
    case TINYC_RNN_SCALEDTANH: return alpha * tanhf(beta * x);
    case TINYC_RNN_HARDSIGMOID: {
      const float v = alpha * x + beta;
      const float m = 1.0f < v ? 1.0f : v;
      return 0.0f < m ? m : 0.0f;
    }
    case TINYC_RNN_ELU: return x < 0.0f ? alpha * (expf(x) - 1.0f) : x;
    case TINYC_RNN_SOFTSIGN: return x / (1.0f + fabsf(x));
    case TINYC_RNN_SOFTPLUS: return log1pf(expf(x));
    default: return x;
  }
}

/* Parameters of one recurrent node. */
typedef struct {
  int32_t kind;      /* TINYC_RNN_KIND_* */
  int32_t seq, batch, input, hidden, dirs;
  int32_t batch_first;  /* layout 1 */
  int32_t reverse;      /* direction "reverse" (one direction, run backwards) */
  int32_t flag;         /* LSTM: input_forget; GRU: linear_before_reset */
  float clip;           /* 0 = none */
  const int32_t *acts;  /* activation codes, per_dir per direction */
  const float *alpha, *beta;
} tinyc_rnn_params;

TINYC_KERNEL float tinyc_rnn_clip(float clip, float v) {
  if (clip > 0.0f) {
    const float lo = v < clip ? v : clip; /* std::min(clip, v) */
    return lo < -clip ? -clip : lo;       /* std::max(-clip, lo) */
  }
  return v;
}

/* pre[row] = Wb + Rb + x . W[row] (+ h . R[row]) for the first rgates * H rows with R. */
TINYC_KERNEL void tinyc_rnn_gates(const tinyc_rnn_params *p, int32_t G, const float *w, const float *r,
                                  const float *bias, const float *x, const float *h, float *pre, int32_t rgates) {
  const int32_t H = p->hidden, I = p->input, GH = G * H;
  int32_t row, i, k;
  for (row = 0; row < GH; ++row) {
    float acc = bias ? bias[row] + (row < rgates * H ? bias[GH + row] : 0.0f) : 0.0f;
    const float *wr = w + (size_t)row * (size_t)I;
    for (i = 0; i < I; ++i) acc += x[i] * wr[i];
    if (row < rgates * H) {
      const float *rr = r + (size_t)row * (size_t)H;
      for (k = 0; k < H; ++k) acc += h[k] * rr[k];
    }
    pre[row] = acc;
  }
}

/* X [seq, batch, input] (batch_first: [batch, seq, input]); W [dirs, G*H, input]; R [dirs, G*H, H];
   B [dirs, 2*G*H]; P [dirs, 3*H]; initial/final states [dirs, batch, H] ([batch, dirs, H]);
   Y [seq, dirs, batch, H] ([batch, seq, dirs, H]). Optional pointers may be NULL. Scratch:
   (G + 4) * H floats. Gate orders: LSTM i, o, f, c; GRU z, r, h. */
TINYC_KERNEL void tinyc_recurrent_f32(const tinyc_rnn_params *p, const float *X, const float *W, const float *R,
                                      const float *B, const int32_t *lens, const float *h0, const float *c0,
                                      const float *P, float *Y, float *Yh, float *Yc, unsigned char *scratch) {
  const int32_t H = p->hidden, I = p->input, S = p->seq, NB = p->batch, D = p->dirs;
  const int32_t G = p->kind == TINYC_RNN_KIND_LSTM ? 4 : (p->kind == TINYC_RNN_KIND_GRU ? 3 : 1);
  const int32_t perDir = p->kind == TINYC_RNN_KIND_LSTM ? 3 : (p->kind == TINYC_RNN_KIND_GRU ? 2 : 1);
  float *h = (float *)(void *)scratch;
  float *cell = h + H, *pre = cell + H, *rg = pre + G * H, *hn = rg + H;
  int32_t dir, b, s, j, k;
  TINYC_SCRATCH_NEED(tinyc_recurrent_f32_scratch(G, H));
  if (Y) memset(Y, 0, sizeof(float) * (size_t)S * (size_t)D * (size_t)NB * (size_t)H);
  if (Yh) memset(Yh, 0, sizeof(float) * (size_t)D * (size_t)NB * (size_t)H);
  if (Yc) memset(Yc, 0, sizeof(float) * (size_t)D * (size_t)NB * (size_t)H);
  for (dir = 0; dir < D; ++dir) {
    const int32_t rev = p->reverse || dir == 1;
    const int32_t *act = p->acts + dir * perDir;
    const float *alpha = p->alpha + dir * perDir, *beta = p->beta + dir * perDir;
    const float *w = W + (size_t)dir * (size_t)G * (size_t)H * (size_t)I;
    const float *r = R + (size_t)dir * (size_t)G * (size_t)H * (size_t)H;
    const float *bias = B ? B + (size_t)dir * 2u * (size_t)G * (size_t)H : NULL;
    const float *peep = P ? P + (size_t)dir * 3u * (size_t)H : NULL;
    for (b = 0; b < NB; ++b) {
      const size_t hoff = (size_t)(p->batch_first ? b * D + dir : dir * NB + b) * (size_t)H;
      int32_t len = lens ? lens[b] : S;
      if (len < 0) len = 0;
      if (len > S) len = S;
      for (j = 0; j < H; ++j) {
        h[j] = h0 ? h0[hoff + (size_t)j] : 0.0f;
        cell[j] = c0 ? c0[hoff + (size_t)j] : 0.0f;
      }
      for (s = 0; s < len; ++s) {
        const int32_t t = rev ? len - 1 - s : s;
        const float *x = X + (size_t)(p->batch_first ? b * S + t : t * NB + b) * (size_t)I;
        if (p->kind == TINYC_RNN_KIND_RNN) {
          tinyc_rnn_gates(p, G, w, r, bias, x, h, pre, 1);
          for (j = 0; j < H; ++j) h[j] = tinyc_rnn_act(act[0], alpha[0], beta[0], tinyc_rnn_clip(p->clip, pre[j]));
        } else if (p->kind == TINYC_RNN_KIND_LSTM) {
          tinyc_rnn_gates(p, G, w, r, bias, x, h, pre, 4);
          for (j = 0; j < H; ++j) {
            const float cp = cell[j];
            const float ig = tinyc_rnn_act(act[0], alpha[0], beta[0],
                                           tinyc_rnn_clip(p->clip, pre[j] + (peep ? peep[j] * cp : 0.0f)));
            const float fg = p->flag ? 1.0f - ig
                                     : tinyc_rnn_act(act[0], alpha[0], beta[0],
                                                     tinyc_rnn_clip(p->clip, pre[2 * H + j] +
                                                                                 (peep ? peep[2 * H + j] * cp : 0.0f)));
            const float cc = tinyc_rnn_act(act[1], alpha[1], beta[1], tinyc_rnn_clip(p->clip, pre[3 * H + j]));
            const float cn = fg * cp + ig * cc;
            const float og = tinyc_rnn_act(act[0], alpha[0], beta[0],
                                           tinyc_rnn_clip(p->clip, pre[H + j] + (peep ? peep[H + j] * cn : 0.0f)));
            cell[j] = cn;
            h[j] = og * tinyc_rnn_act(act[2], alpha[2], beta[2], cn);
          }
        } else {
          const float *rh = r + 2u * (size_t)H * (size_t)H;
          tinyc_rnn_gates(p, G, w, r, bias, x, h, pre, 2);
          for (j = 0; j < H; ++j) rg[j] = tinyc_rnn_act(act[0], alpha[0], beta[0], tinyc_rnn_clip(p->clip, pre[H + j]));
          for (j = 0; j < H; ++j) {
            const float rb = bias ? bias[5 * H + j] : 0.0f;
            const float *rr = rh + (size_t)j * (size_t)H;
            float acc = 0.0f, hh, z;
            if (p->flag) {
              for (k = 0; k < H; ++k) acc += h[k] * rr[k];
              acc = rg[j] * (acc + rb);
            } else {
              for (k = 0; k < H; ++k) acc += rg[k] * h[k] * rr[k];
              acc += rb;
            }
            hh = tinyc_rnn_act(act[1], alpha[1], beta[1], tinyc_rnn_clip(p->clip, pre[2 * H + j] + acc));
            z = tinyc_rnn_act(act[0], alpha[0], beta[0], tinyc_rnn_clip(p->clip, pre[j]));
            hn[j] = (1.0f - z) * hh + z * h[j];
          }
          memcpy(h, hn, sizeof(float) * (size_t)H);
        }
        if (Y)
          memcpy(Y + (size_t)(p->batch_first ? (b * S + t) * D + dir : (t * D + dir) * NB + b) * (size_t)H, h,
                 sizeof(float) * (size_t)H);
      }
      if (Yh) memcpy(Yh + hoff, h, sizeof(float) * (size_t)H);
      if (Yc && p->kind == TINYC_RNN_KIND_LSTM) memcpy(Yc + hoff, cell, sizeof(float) * (size_t)H);
    }
  }
}
