/* tinyc runtime: Attention (opsets 23-25), the loops of the reference kernel (lib/ops/attention.cpp)
   over the same plan (ops/attention_plan.h; parameters TINYC_ATT_*, scratch.h). q, k, v: heads-first
   [B, H, S, D] or, when p[TINYC_ATT_IN3D], [B, S, H * D]; past_k/past_v [B, Hkv, P, D] (NULL
   without a cache); mask_b (bool) or mask_f (additive), NULL without; nonpad [B] or NULL. Writes y,
   and present_k/present_v/qk_out when not NULL. Each score is (q * scale) . (k * scale); a query
   row whose mask allows no key gives zeros. Scratch: one row of T scores. requires: common scratch */
TINYC_KERNEL float tinyc_att_elem(const float *t, const float *past, int32_t in3d, int32_t b, int32_t g, int32_t j,
                                  int32_t d, const int32_t *p, int32_t size) {
  const int32_t P = p[TINYC_ATT_P], L = p[TINYC_ATT_L], H = p[TINYC_ATT_HKV];
  if (j < P) return past[(((size_t)b * (size_t)H + (size_t)g) * (size_t)P + (size_t)j) * (size_t)size + (size_t)d];
  j -= P;
  return in3d ? t[((size_t)b * (size_t)L + (size_t)j) * (size_t)H * (size_t)size + (size_t)g * (size_t)size + (size_t)d]
              : t[(((size_t)b * (size_t)H + (size_t)g) * (size_t)L + (size_t)j) * (size_t)size + (size_t)d];
}
TINYC_KERNEL void tinyc_attention_f32(const float *q, const float *k, const float *v, const uint8_t *mask_b,
                                      const float *mask_f, const float *past_k, const float *past_v,
                                      const int64_t *nonpad, float *y, float *present_k, float *present_v,
                                      float *qk_out, const int32_t *p, float scale, float softcap, float *row) {
  const int32_t B = p[TINYC_ATT_B], Hq = p[TINYC_ATT_HQ], Hkv = p[TINYC_ATT_HKV], S = p[TINYC_ATT_S];
  const int32_t T = p[TINYC_ATT_T], D = p[TINYC_ATT_D], Dv = p[TINYC_ATT_DV], in3d = p[TINYC_ATT_IN3D];
  const int32_t left = p[TINYC_ATT_LEFT], right = p[TINYC_ATT_RIGHT], mode = p[TINYC_ATT_MODE];
  const int32_t mlen = p[TINYC_ATT_MASK_LEN], reps = Hq / Hkv;
  int32_t b, h, i, j, d;
  TINYC_SCRATCH_NEED(tinyc_attention_f32_scratch(p));
  for (b = 0; b < B; ++b)
    for (h = 0; h < Hkv; ++h)
      for (j = 0; j < T; ++j) {
        const size_t at = ((size_t)b * (size_t)Hkv + (size_t)h) * (size_t)T + (size_t)j;
        if (present_k)
          for (d = 0; d < D; ++d) present_k[at * (size_t)D + (size_t)d] = tinyc_att_elem(k, past_k, in3d, b, h, j, d, p, D);
        if (present_v)
          for (d = 0; d < Dv; ++d) present_v[at * (size_t)Dv + (size_t)d] = tinyc_att_elem(v, past_v, in3d, b, h, j, d, p, Dv);
      }
  for (b = 0; b < B; ++b) {
    const int64_t offset = nonpad ? nonpad[b] - S : p[TINYC_ATT_P]; /* the causal and window frontier */
    for (h = 0; h < Hq; ++h)
      for (i = 0; i < S; ++i) {
        const int32_t g = h / reps; /* the key/value head of query head h */
        const float *qr = in3d ? q + ((size_t)b * (size_t)S + (size_t)i) * (size_t)Hq * (size_t)D + (size_t)h * (size_t)D
                               : q + (((size_t)b * (size_t)Hq + (size_t)h) * (size_t)S + (size_t)i) * (size_t)D;
        float *qo = qk_out ? qk_out + (((size_t)b * (size_t)Hq + (size_t)h) * (size_t)S + (size_t)i) * (size_t)T : NULL;
        int all_masked = 1;
        float mx = -INFINITY;
        tinyc_acc sum = 0;
        for (j = 0; j < T; ++j) {
          tinyc_acc dot = 0;
          float s, bias = 0.0f;
          const int64_t diff = i + offset - j;
          for (d = 0; d < D; ++d) dot += (tinyc_acc)(qr[d] * scale) * (tinyc_acc)(tinyc_att_elem(k, past_k, in3d, b, g, j, d, p, D) * scale);
          s = (float)dot;
          if (softcap > 0.0f) s = softcap * tanhf(s / softcap);
          if (mlen > 0) {
            const size_t mi = (size_t)b * (size_t)p[TINYC_ATT_MASK_STRIDE] + (size_t)h * (size_t)p[TINYC_ATT_MASK_STRIDE + 1] +
                              (size_t)i * (size_t)p[TINYC_ATT_MASK_STRIDE + 2] + (size_t)j;
            bias = j >= mlen ? -INFINITY : mask_b ? (mask_b[mi] ? 0.0f : -INFINITY) : mask_f[mi];
          }
          if (p[TINYC_ATT_CAUSAL] && j > i + offset) bias += -INFINITY;
          if ((left >= 0 && diff > left) || (right >= 0 && -diff > right)) bias += -INFINITY;
          if (nonpad && j >= nonpad[b]) bias += -INFINITY;
          all_masked = all_masked && bias == -INFINITY;
          if (qo && mode < 2) qo[j] = s;
          row[j] = s + bias;
          if (qo && mode == 2) qo[j] = row[j];
          mx = row[j] > mx ? row[j] : mx;
        }
        if (mx == -INFINITY) mx = 0.0f;
        for (j = 0; j < T; ++j) sum += row[j] = all_masked ? 0.0f : (float)tinyc_acc_exp((tinyc_acc)row[j] - (tinyc_acc)mx);
        for (j = 0; j < T; ++j) {
          row[j] = sum == 0 ? row[j] : (float)(row[j] / sum);
          if (qo && mode == 3) qo[j] = row[j];
        }
        for (d = 0; d < Dv; ++d) {
          tinyc_acc acc = 0;
          float *yo = in3d ? y + ((size_t)b * (size_t)S + (size_t)i) * (size_t)Hq * (size_t)Dv + (size_t)h * (size_t)Dv
                           : y + (((size_t)b * (size_t)Hq + (size_t)h) * (size_t)S + (size_t)i) * (size_t)Dv;
          for (j = 0; j < T; ++j) acc += (tinyc_acc)row[j] * (tinyc_acc)tinyc_att_elem(v, past_v, in3d, b, g, j, d, p, Dv);
          yo[d] = (float)acc;
        }
      }
  }
}

/* LinearAttention (lib/ops/linear_attention.cpp): per token, each key/value head's state decays
   (gating), takes the delta rule's corrected value column by column and adds k v^T; then every
   query head reads its group's state. The state lives in present_state (or in scratch). */
TINYC_KERNEL void tinyc_linear_attention_f32(const float *q, const float *k, const float *v, const float *past,
                                             const float *decay, const float *beta, float *y, float *present,
                                             const int32_t *p, float scale, float *scratch) {
  const int32_t B = p[TINYC_LATT_B], T = p[TINYC_LATT_T], Hq = p[TINYC_LATT_HQ], Hkv = p[TINYC_LATT_HKV];
  const int32_t Dk = p[TINYC_LATT_DK], Dv = p[TINYC_LATT_DV], group = Hq / Hkv;
  float *st = present ? present : scratch;
  const size_t n = (size_t)B * (size_t)Hkv * (size_t)Dk * (size_t)Dv;
  size_t i;
  int32_t b, t, h, d, m;
  TINYC_SCRATCH_NEED(tinyc_linear_attention_f32_scratch(p));
  for (i = 0; i < n; ++i) st[i] = past ? past[i] : 0.0f;
  for (b = 0; b < B; ++b)
    for (t = 0; t < T; ++t) {
      const size_t bt = (size_t)b * (size_t)T + (size_t)t;
      for (h = 0; h < Hkv; ++h) {
        float *s = st + ((size_t)b * (size_t)Hkv + (size_t)h) * (size_t)Dk * (size_t)Dv;
        const float *kt = k + (bt * (size_t)Hkv + (size_t)h) * (size_t)Dk;
        const float *vt = v + (bt * (size_t)Hkv + (size_t)h) * (size_t)Dv;
        tinyc_acc bet = 1;
        if (p[TINYC_LATT_GATING])
          for (d = 0; d < Dk; ++d) {
            const size_t at = p[TINYC_LATT_DECAY_PER_KEY] ? (bt * (size_t)Hkv + (size_t)h) * (size_t)Dk + (size_t)d
                                                          : bt * (size_t)Hkv + (size_t)h;
            const tinyc_acc e = tinyc_acc_exp((tinyc_acc)decay[at]);
            for (m = 0; m < Dv; ++m) s[d * Dv + m] = (float)((tinyc_acc)s[d * Dv + m] * e);
          }
        if (p[TINYC_LATT_DELTA])
          bet = (tinyc_acc)beta[p[TINYC_LATT_BETA_PER_HEAD] ? bt * (size_t)Hkv + (size_t)h : bt];
        for (m = 0; m < Dv; ++m) {
          tinyc_acc vv = (tinyc_acc)vt[m];
          if (p[TINYC_LATT_DELTA]) {
            tinyc_acc r = 0;
            for (d = 0; d < Dk; ++d) r += (tinyc_acc)s[d * Dv + m] * (tinyc_acc)kt[d];
            vv = bet * (vv - r);
          }
          for (d = 0; d < Dk; ++d) s[d * Dv + m] = (float)((tinyc_acc)s[d * Dv + m] + (tinyc_acc)kt[d] * vv);
        }
      }
      for (h = 0; h < Hq; ++h) {
        const float *s = st + ((size_t)b * (size_t)Hkv + (size_t)(h / group)) * (size_t)Dk * (size_t)Dv;
        const float *qt = q + (bt * (size_t)Hq + (size_t)h) * (size_t)Dk;
        for (m = 0; m < Dv; ++m) {
          tinyc_acc o = 0;
          for (d = 0; d < Dk; ++d) o += (tinyc_acc)qt[d] * (tinyc_acc)s[d * Dv + m];
          y[(bt * (size_t)Hq + (size_t)h) * (size_t)Dv + (size_t)m] = (float)((tinyc_acc)scale * o);
        }
      }
    }
}
