// LinearAttention (opset 28): a recurrent state S [B, H_kv, d_k, d_v] per key/value head, updated
// token by token and read by the query heads (grouped: query head h reads key/value head
// h / (q_num_heads / kv_num_heads)). Per token t: gating ("gated", "gated_delta") scales S's row
// d by exp(decay[t, h(, d)]); the delta rule ("delta", "gated_delta") replaces v_t by
// beta_t (v_t - S^T k_t); then S += k_t v_t^T, and the output is scale q_t^T S (scale 1/sqrt(d_k)
// when absent or 0). Inputs [B, T, H * D]; present_state is S after the last token (past_state's
// type, or query's without it). As the ONNX reference (onnx/reference/ops/op_linear_attention.py);
// chunk_size is a tuning hint without effect. The C kernel: runtime/attention.c,
// tinyc_linear_attention_f32 (the same loops, the state in present_state or in arena scratch).
#include <cmath>

#include "ops/linear_attention.h"
#include "ops/util.h"

namespace tinyc {

LinearAttentionPlan linearAttentionPlan(const Node& n) {
  std::vector<Shape> in(6);
  std::vector<bool> has(6, false);
  for (size_t i = 0; i < n.inputs.size() && i < 6; ++i)
    if (n.inputs[i]) in[i] = n.inputs[i]->shape, has[i] = true;
  auto fail = [&](const std::string& why) { modelError("{}: {}", n.where(), why); };
  LinearAttentionPlan p;
  const std::string& rule = n.attrStr("update_rule");
  if (rule != "linear" && rule != "gated" && rule != "delta" && rule != "gated_delta")
    fail(fmt::format("update_rule '{}' is not one of linear, gated, delta, gated_delta", printable(rule)));
  p.gating = rule == "gated" || rule == "gated_delta";
  p.delta = rule == "delta" || rule == "gated_delta";
  if (!n.attrs.count("q_num_heads") || !n.attrs.count("kv_num_heads")) fail("q_num_heads and kv_num_heads are required");
  p.qHeads = n.attrInt("q_num_heads");
  p.kvHeads = n.attrInt("kv_num_heads");
  if (p.qHeads <= 0 || p.kvHeads <= 0 || p.qHeads % p.kvHeads != 0)
    fail(fmt::format("q_num_heads ({}) must be a positive multiple of kv_num_heads ({})", p.qHeads, p.kvHeads));
  for (int i = 0; i < 3; ++i)
    if (in[static_cast<size_t>(i)].size() != 3)
      fail(fmt::format("input {} must be [B, T, H * D], got {}", i, shapeStr(in[static_cast<size_t>(i)])));
  const Shape &q = in[0], &k = in[1], &v = in[2];
  p.batch = q[0], p.seq = q[1];
  if (q[2] % p.qHeads || v[2] % p.kvHeads)
    fail(fmt::format("query's last dim {} and value's {} must divide by their heads {} and {}", q[2], v[2], p.qHeads,
                     p.kvHeads));
  p.dk = q[2] / p.qHeads, p.dv = v[2] / p.kvHeads;
  if (k != Shape{p.batch, p.seq, p.kvHeads * p.dk} || v[0] != p.batch || v[1] != p.seq)
    fail(fmt::format("key must be [{}, {}, {}] and value [{}, {}, {} * d_v], got {} and {}", p.batch, p.seq,
                     p.kvHeads * p.dk, p.batch, p.seq, p.kvHeads, shapeStr(k), shapeStr(v)));
  if (has[3] && in[3] != Shape{p.batch, p.kvHeads, p.dk, p.dv})
    fail(fmt::format("past_state must be [{}, {}, {}, {}], got {}", p.batch, p.kvHeads, p.dk, p.dv, shapeStr(in[3])));
  if (p.gating != has[4]) fail(fmt::format("update_rule '{}' {} the decay input", rule, p.gating ? "needs" : "forbids"));
  if (p.delta != has[5]) fail(fmt::format("update_rule '{}' {} the beta input", rule, p.delta ? "needs" : "forbids"));
  if (has[4]) {
    const Shape& d = in[4];
    if (d.size() != 3 || d[0] != p.batch || d[1] != p.seq || (d[2] != p.kvHeads && d[2] != p.kvHeads * p.dk))
      fail(fmt::format("decay must be [{}, {}, {} or {}], got {}", p.batch, p.seq, p.kvHeads, p.kvHeads * p.dk,
                       shapeStr(d)));
    p.decayPerKey = d[2] != p.kvHeads;  // (the same when d_k is 1)
  }
  if (has[5]) {
    const Shape& b = in[5];
    if (b.size() != 3 || b[0] != p.batch || b[1] != p.seq || (b[2] != p.kvHeads && b[2] != 1))
      fail(fmt::format("beta must be [{}, {}, {} or 1], got {}", p.batch, p.seq, p.kvHeads, shapeStr(b)));
    p.betaPerHead = b[2] != 1;
  }
  const float s = n.attrs.count("scale") ? n.attrFloat("scale") : 0.0f;
  p.scale = s == 0.0f ? 1.0 / std::sqrt(static_cast<double>(p.dk)) : static_cast<double>(s);
  return p;
}

namespace {

void inferLinearAttention(InferCtx& c) {
  const DType t = c.dtype(0);
  if (!isFloat(t)) c.fail("query must be a float type, got {}", dtypeName(t));
  for (int i : {1, 2, 4, 5})
    if (c.has(i) && c.dtype(i) != t) c.fail("input {} must have query's type {}, got {}", i, dtypeName(t), dtypeName(c.dtype(i)));
  if (c.has(3) && !isFloat(c.dtype(3))) c.fail("past_state must be a float type, got {}", dtypeName(c.dtype(3)));
  const LinearAttentionPlan p = linearAttentionPlan(c.node);
  c.setOutput(0, t, {p.batch, p.seq, p.qHeads * p.dv});
  if (c.numOutputs() > 1) c.setOutput(1, c.has(3) ? c.dtype(3) : t, {p.batch, p.kvHeads, p.dk, p.dv});
}

void evalLinearAttention(EvalCtx& c) {
  const LinearAttentionPlan p = linearAttentionPlan(c.node);
  const bool hasPast = c.node.input(3) != nullptr;
  const Tensor &q = *c.in[0], &k = *c.in[1], &v = *c.in[2];
  const int64_t n = p.batch * p.kvHeads * p.dk * p.dv, group = p.qHeads / p.kvHeads;
  std::vector<double> st(static_cast<size_t>(n), 0.0);
  if (hasPast)
    for (int64_t i = 0; i < n; ++i) st[static_cast<size_t>(i)] = c.in[3]->getF(i);
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t t = 0; t < p.seq; ++t) {
      const int64_t bt = b * p.seq + t;
      for (int64_t h = 0; h < p.kvHeads; ++h) {
        double* s = st.data() + (b * p.kvHeads + h) * p.dk * p.dv;
        const int64_t ko = (bt * p.kvHeads + h) * p.dk, vo = (bt * p.kvHeads + h) * p.dv;
        if (p.gating)
          for (int64_t d = 0; d < p.dk; ++d) {
            const double e = std::exp(c.in[4]->getF(p.decayPerKey ? ko + d : bt * p.kvHeads + h));
            for (int64_t m = 0; m < p.dv; ++m) s[d * p.dv + m] *= e;
          }
        const double beta = p.delta ? c.in[5]->getF(p.betaPerHead ? bt * p.kvHeads + h : bt) : 1.0;
        for (int64_t m = 0; m < p.dv; ++m) {
          double vv = v.getF(vo + m);
          if (p.delta) {
            double r = 0;
            for (int64_t d = 0; d < p.dk; ++d) r += s[d * p.dv + m] * k.getF(ko + d);
            vv = beta * (vv - r);
          }
          for (int64_t d = 0; d < p.dk; ++d) s[d * p.dv + m] += k.getF(ko + d) * vv;
        }
      }
      for (int64_t hq = 0; hq < p.qHeads; ++hq) {
        const double* s = st.data() + (b * p.kvHeads + hq / group) * p.dk * p.dv;
        const int64_t qo = (bt * p.qHeads + hq) * p.dk;
        for (int64_t m = 0; m < p.dv; ++m) {
          double o = 0;
          for (int64_t d = 0; d < p.dk; ++d) o += q.getF(qo + d) * s[d * p.dv + m];
          c.out[0]->setF((bt * p.qHeads + hq) * p.dv + m, p.scale * o);
        }
      }
    }
  if (c.out.size() > 1 && c.out[1])
    for (int64_t i = 0; i < n; ++i) c.out[1]->setF(i, st[static_cast<size_t>(i)]);
}

int64_t macsLinearAttention(const Node& n) {
  const LinearAttentionPlan p = linearAttentionPlan(n);
  return p.seq * p.dk * p.dv * (p.kvHeads * (p.delta ? 2 : 1) + p.qHeads);  // batch 1
}

}  // namespace

void registerLinearAttentionOps(OpRegistry& r) {
  using K = Attr::Kind;
  OpDef d;
  d.name = "LinearAttention";
  d.minInputs = 3;
  d.maxInputs = 6;
  d.maxOutputs = 2;
  d.infer = inferLinearAttention;
  d.eval = evalLinearAttention;
  d.macs = macsLinearAttention;
  d.doc = "linear attention with a recurrent state: linear, gated (decay), delta and gated-delta update rules, grouped heads";
  d.attrs = {{"chunk_size", K::Int, Attr::Int(64)},
             {"kv_num_heads", K::Int, std::nullopt},
             {"q_num_heads", K::Int, std::nullopt},
             {"scale", K::Float, std::nullopt},
             {"update_rule", K::String, Attr::Str("gated_delta")}};
  r.add(d);
}

}  // namespace tinyc
