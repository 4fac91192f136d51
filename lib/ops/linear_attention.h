// LinearAttention's geometry, shared by the interpreter (lib/ops/linear_attention.cpp) and the C
// emitter (backends/c/kernels_attention.cpp).
#pragma once
#include <vector>

#include "ops/op.h"

namespace tinyc {
struct LinearAttentionPlan {
  int64_t batch = 0, seq = 0, qHeads = 0, kvHeads = 0, dk = 0, dv = 0;
  bool gating = false, delta = false;
  bool decayPerKey = false;  // decay [B, T, H_kv * d_k] (else [B, T, H_kv])
  bool betaPerHead = false;  // beta [B, T, H_kv] (else [B, T, 1])
  double scale = 1;
};
// From the node's attributes and its inputs' shapes; a model error naming the node when they do not fit.
LinearAttentionPlan linearAttentionPlan(const Node& n);
}  // namespace tinyc
