// The geometry of an Attention node (opsets 23-25), shared by the reference kernel
// (lib/ops/attention.cpp) and the C emitter (backends/c/kernels_attention.cpp), so that both
// read the same layout: Q [B, Hq, S, D] (or [B, S, Hq * D] with q_num_heads), K [B, Hkv, L, D],
// V [B, Hkv, L, Dv], past_key/past_value [B, Hkv, P, D / Dv] before K and V (present = past ++
// new, T = P + L keys), attn_mask broadcast to [B, Hq, S, T] (its last dim may be shorter: the
// keys past it are masked), nonpad_kv_seqlen [B] (keys at or after it masked).
#pragma once
#include <cmath>
#include <cstdint>
#include <vector>

#include "ir/graph.h"
#include "support/error.h"

namespace tinyc {

struct AttentionPlan {
  int64_t batch = 0, qHeads = 0, kvHeads = 0, qSeq = 0, kvSeq = 0, past = 0, total = 0, head = 0, headV = 0;
  bool in3d = false;   // Q, K, V and Y as [B, S, H * D]
  float scale = 0;     // applied to Q and to K (the square root of the softmax scale, as the spec's body)
  bool causal = false;
  int64_t left = -1, right = -1;  // sliding window (opset 25), -1: unbounded
  float softcap = 0;
  int64_t mode = 0;    // qk_matmul_output_mode
  // attn_mask: its element strides over [B, Hq, S, T] (0 where broadcast) and its last dim
  int64_t maskStride[4] = {0, 0, 0, 0};
  int64_t maskLen = 0;  // 0: no mask
  bool maskBool = false;
  bool nonpad = false;  // nonpad_kv_seqlen given
};

// inputs: the node's input shapes (empty shape for an omitted input) and the mask's dtype.
inline AttentionPlan attentionPlan(const Node& n, const std::vector<Shape>& in, bool maskBool) {
  AttentionPlan p;
  auto fail = [&](const std::string& why) { modelError("{}: {}", n.where(), why); };
  const Shape &q = in[0], &k = in[1], &v = in[2];
  if (q.size() != k.size() || q.size() != v.size() || (q.size() != 3 && q.size() != 4))
    fail(fmt::format("Q, K and V must all be 3-D or all 4-D, got {}, {}, {}", shapeStr(q), shapeStr(k), shapeStr(v)));
  p.in3d = q.size() == 3;
  p.batch = q[0];
  if (p.in3d) {
    p.qHeads = n.hasAttr("q_num_heads") ? n.attrInt("q_num_heads") : 0;
    p.kvHeads = n.hasAttr("kv_num_heads") ? n.attrInt("kv_num_heads") : 0;
    if (p.qHeads < 1 || p.kvHeads < 1) fail("3-D inputs need the attributes q_num_heads and kv_num_heads");
    if (q[2] % p.qHeads || k[2] % p.kvHeads || v[2] % p.kvHeads)
      fail(fmt::format("the hidden sizes {}, {}, {} are not multiples of the heads {} and {}", q[2], k[2], v[2],
                       p.qHeads, p.kvHeads));
    p.qSeq = q[1];
    p.kvSeq = k[1];
    p.head = q[2] / p.qHeads;
    if (k[2] / p.kvHeads != p.head) fail("Q and K must have one head size");
    p.headV = v[2] / p.kvHeads;
    if (v[1] != p.kvSeq || k[0] != p.batch || v[0] != p.batch) fail("K and V must have Q's batch and one sequence length");
  } else {
    p.qHeads = q[1];
    p.kvHeads = k[1];
    p.qSeq = q[2];
    p.kvSeq = k[2];
    p.head = q[3];
    p.headV = v[3];
    if (k[3] != p.head) fail("Q and K must have one head size");
    if (k[0] != p.batch || v[0] != p.batch || v[1] != p.kvHeads || v[2] != p.kvSeq)
      fail(fmt::format("K {} and V {} do not match Q {}", shapeStr(k), shapeStr(v), shapeStr(q)));
  }
  if (p.kvHeads < 1 || p.qHeads % p.kvHeads != 0)
    fail(fmt::format("the query heads ({}) must be a multiple of the key/value heads ({})", p.qHeads, p.kvHeads));
  const bool past = in.size() > 4 && !in[4].empty();
  if (past != (in.size() > 5 && !in[5].empty())) fail("past_key and past_value must be given together");
  if (past) {
    const Shape &pk = in[4], &pv = in[5];
    if (pk.size() != 4 || pk[0] != p.batch || pk[1] != p.kvHeads || pk[3] != p.head || pv.size() != 4 ||
        pv[0] != p.batch || pv[1] != p.kvHeads || pv[2] != pk[2] || pv[3] != p.headV)
      fail(fmt::format("past_key {} / past_value {} must be [{}, {}, P, {}] / [.., {}]", shapeStr(pk), shapeStr(pv),
                       p.batch, p.kvHeads, p.head, p.headV));
    p.past = pk[2];
  }
  p.total = p.past + p.kvSeq;
  p.nonpad = in.size() > 6 && !in[6].empty();
  if (p.nonpad) {
    if (past) fail("nonpad_kv_seqlen cannot be combined with past_key and past_value");
    if (in[6] != Shape{p.batch}) fail(fmt::format("nonpad_kv_seqlen must be [{}], got {}", p.batch, shapeStr(in[6])));
  }
  double scale = n.hasAttr("scale") ? n.attrFloat("scale") : 1.0 / std::sqrt(static_cast<double>(p.head));
  p.scale = static_cast<float>(std::sqrt(scale));
  p.causal = n.attrInt("is_causal") != 0;
  p.left = n.hasAttr("left_window_size") ? n.attrInt("left_window_size") : -1;
  p.right = n.hasAttr("right_window_size") ? n.attrInt("right_window_size") : -1;
  if (p.left < -1 || p.right < -1) fail("left_window_size and right_window_size must be -1 or nonnegative");
  p.softcap = n.attrFloat("softcap");
  p.mode = n.attrInt("qk_matmul_output_mode");
  if (p.mode < 0 || p.mode > 3) fail(fmt::format("qk_matmul_output_mode must be 0 to 3, got {}", p.mode));
  if (in.size() > 3 && !in[3].empty()) {
    const Shape& m = in[3];
    if (m.empty() || m.size() > 4) fail(fmt::format("attn_mask must have rank 1 to 4, got {}", shapeStr(m)));
    const int64_t full[4] = {p.batch, p.qHeads, p.qSeq, p.total};
    int64_t stride = 1;
    for (int d = 3, j = static_cast<int>(m.size()) - 1; j >= 0; --d, --j) {
      const int64_t dim = m[static_cast<size_t>(j)];
      if (d == 3) {
        if (dim < 1 || dim > p.total) fail(fmt::format("attn_mask's last dim {} must be 1 to {}", dim, p.total));
      } else if (dim != 1 && dim != full[d]) {
        fail(fmt::format("attn_mask {} does not broadcast to [{}, {}, {}, {}]", shapeStr(m), full[0], full[1], full[2],
                         full[3]));
      }
      p.maskStride[d] = dim == 1 && d != 3 ? 0 : stride;
      stride *= dim;
    }
    p.maskLen = m.back();
    p.maskBool = maskBool;
  }
  return p;
}

}  // namespace tinyc
