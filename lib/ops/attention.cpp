// Attention (opsets 23-25): scaled dot-product attention over heads, with grouped key/value heads,
// a key/value cache (past ++ new = present), a boolean or additive mask, causal and sliding-window
// masks aligned at the bottom right (offset: the cache length, or nonpad_kv_seqlen - S), padding
// by nonpad_kv_seqlen, softcap, and the QK output of qk_matmul_output_mode. Each score is
// (q * scale) . (k * scale) with scale the square root of the softmax scale, as the spec's
// function body; a query row whose mask allows no key gives zeros. The C kernel
// (backends/c/runtime/attention.c) runs the same loops over the same plan (ops/attention_plan.h).
#include <limits>

#include "ops/attention_plan.h"
#include "ops/util.h"

namespace tinyc {

namespace {

std::vector<Shape> inputShapes(const Node& n) {
  std::vector<Shape> s;
  for (size_t i = 0; i < n.inputs.size(); ++i) s.push_back(n.inputs[i] ? n.inputs[i]->shape : Shape{});
  return s;
}

void inferAttention(InferCtx& c) {
  const DType t = c.dtype(0);
  if (!isFloat(t)) c.fail("Q must be a float type, got {}", dtypeName(t));
  for (int i : {1, 2, 4, 5})
    if (c.has(i) && c.dtype(i) != t) c.fail("input {} must have Q's type {}, got {}", i, dtypeName(t), dtypeName(c.dtype(i)));
  if (c.has(3) && c.dtype(3) != DType::Bool && c.dtype(3) != t)
    c.fail("attn_mask must be bool or Q's type, got {}", dtypeName(c.dtype(3)));
  if (c.has(6) && c.dtype(6) != DType::I64) c.fail("nonpad_kv_seqlen must be int64, got {}", dtypeName(c.dtype(6)));
  for (int i = 0; i < c.numInputs(); ++i)
    if (c.has(i) && numElements(c.shape(i)) == 0) c.fail("input {} is empty", i);
  const AttentionPlan p = attentionPlan(c.node, inputShapes(c.node), c.has(3) && c.dtype(3) == DType::Bool);
  c.setOutput(0, t, p.in3d ? Shape{p.batch, p.qSeq, p.qHeads * p.headV} : Shape{p.batch, p.qHeads, p.qSeq, p.headV});
  if (c.numOutputs() > 1) c.setOutput(1, t, {p.batch, p.kvHeads, p.total, p.head});
  if (c.numOutputs() > 2) c.setOutput(2, t, {p.batch, p.kvHeads, p.total, p.headV});
  if (c.numOutputs() > 3) c.setOutput(3, t, {p.batch, p.qHeads, p.qSeq, p.total});
}

// Element offsets of Q/K/V-like tensors (heads-first 4-D or [B, S, H * D]).
int64_t at(bool in3d, int64_t b, int64_t h, int64_t s, int64_t d, int64_t heads, int64_t seq, int64_t size) {
  return in3d ? (b * seq + s) * heads * size + h * size + d : ((b * heads + h) * seq + s) * size + d;
}

void evalAttention(EvalCtx& c) {
  const Node& n = c.node;
  std::vector<Shape> shapes;
  for (size_t i = 0; i < c.in.size(); ++i) shapes.push_back(c.in[i] ? c.in[i]->shape() : Shape{});
  const AttentionPlan p = attentionPlan(n, shapes, c.has(3) && c.in[3]->dtype() == DType::Bool);
  const Tensor &q = *c.in[0], &k = *c.in[1], &v = *c.in[2];
  const Tensor* mask = c.has(3) ? c.in[3] : nullptr;
  const Tensor *pk = c.has(4) ? c.in[4] : nullptr, *pv = c.has(5) ? c.in[5] : nullptr;
  const Tensor* nonpad = c.has(6) ? c.in[6] : nullptr;
  Tensor& y = *c.out[0];
  Tensor* presentK = c.out.size() > 1 ? c.out[1] : nullptr;
  Tensor* presentV = c.out.size() > 2 ? c.out[2] : nullptr;
  Tensor* qkOut = c.out.size() > 3 ? c.out[3] : nullptr;
  const double inf = std::numeric_limits<double>::infinity();
  const double s = p.scale;  // a float, as the spec's body casts it
  auto key = [&](int64_t b, int64_t g, int64_t j, int64_t d) {
    return j < p.past ? pk->getF(((b * p.kvHeads + g) * p.past + j) * p.head + d)
                      : k.getF(at(p.in3d, b, g, j - p.past, d, p.kvHeads, p.kvSeq, p.head));
  };
  auto value = [&](int64_t b, int64_t g, int64_t j, int64_t d) {
    return j < p.past ? pv->getF(((b * p.kvHeads + g) * p.past + j) * p.headV + d)
                      : v.getF(at(p.in3d, b, g, j - p.past, d, p.kvHeads, p.kvSeq, p.headV));
  };
  for (int64_t b = 0; b < p.batch; ++b)
    for (int64_t g = 0; g < p.kvHeads; ++g)
      for (int64_t j = 0; j < p.total; ++j) {
        if (presentK)
          for (int64_t d = 0; d < p.head; ++d) presentK->setF(((b * p.kvHeads + g) * p.total + j) * p.head + d, key(b, g, j, d));
        if (presentV)
          for (int64_t d = 0; d < p.headV; ++d)
            presentV->setF(((b * p.kvHeads + g) * p.total + j) * p.headV + d, value(b, g, j, d));
      }
  std::vector<double> qk(static_cast<size_t>(p.total)), x(qk.size()), bias(qk.size());
  const int64_t reps = p.qHeads / p.kvHeads;
  for (int64_t b = 0; b < p.batch; ++b) {
    int64_t offset = p.past;  // the causal and window frontier
    if (nonpad) offset = nonpad->getI(b) - p.qSeq;
    for (int64_t h = 0; h < p.qHeads; ++h)
      for (int64_t i = 0; i < p.qSeq; ++i) {
        bool allMasked = true;
        double mx = -inf;
        for (int64_t j = 0; j < p.total; ++j) {
          double dot = 0;
          for (int64_t d = 0; d < p.head; ++d)
            dot += static_cast<double>(static_cast<float>(q.getF(at(p.in3d, b, h, i, d, p.qHeads, p.qSeq, p.head)) * s)) *
                   static_cast<float>(key(b, h / reps, j, d) * s);
          if (p.softcap > 0) dot = p.softcap * std::tanh(dot / p.softcap);
          double bj = 0;
          if (p.maskLen > 0) {
            if (j >= p.maskLen) {
              bj = -inf;
            } else {
              const int64_t mi = b * p.maskStride[0] + h * p.maskStride[1] + i * p.maskStride[2] + j;
              bj = p.maskBool ? (mask->getI(mi) ? 0.0 : -inf) : mask->getF(mi);
            }
          }
          if (p.causal && j > i + offset) bj += -inf;
          const int64_t diff = i + offset - j;
          if ((p.left >= 0 && diff > p.left) || (p.right >= 0 && -diff > p.right)) bj += -inf;
          if (nonpad && j >= nonpad->getI(b)) bj += -inf;
          qk[static_cast<size_t>(j)] = dot;
          bias[static_cast<size_t>(j)] = bj;
          x[static_cast<size_t>(j)] = dot + bj;
          allMasked = allMasked && bj == -inf;
          if (x[static_cast<size_t>(j)] > mx) mx = x[static_cast<size_t>(j)];
        }
        double sum = 0;
        std::vector<double> prob(qk.size(), 0.0);
        if (!allMasked) {
          const double m = mx == -inf ? 0.0 : mx;
          for (size_t j = 0; j < prob.size(); ++j) sum += prob[j] = std::exp(x[j] - m);
          for (double& e : prob) e /= sum == 0 ? 1.0 : sum;
        }
        for (int64_t j = 0; j < p.total && qkOut; ++j) {
          const size_t jj = static_cast<size_t>(j);
          qkOut->setF(((b * p.qHeads + h) * p.qSeq + i) * p.total + j,
                      p.mode == 3 ? prob[jj] : p.mode == 2 ? x[jj] : qk[jj]);
        }
        for (int64_t d = 0; d < p.headV; ++d) {
          double acc = 0;
          for (int64_t j = 0; j < p.total; ++j)
            acc += static_cast<double>(static_cast<float>(prob[static_cast<size_t>(j)])) * value(b, h / reps, j, d);
          y.setF(at(p.in3d, b, h, i, d, p.qHeads, p.qSeq, p.headV), acc);
        }
      }
  }
}

int64_t macsAttention(const Node& n) {
  std::vector<Shape> shapes;
  for (const Value* v : n.inputs) shapes.push_back(v ? v->shape : Shape{});
  const AttentionPlan p = attentionPlan(n, shapes, n.input(3) && n.input(3)->dtype == DType::Bool);
  return p.qHeads * p.qSeq * p.total * (p.head + p.headV);  // batch 1
}

}  // namespace

void registerAttentionOps(OpRegistry& r) {
  using K = Attr::Kind;
  OpDef d;
  d.name = "Attention";
  d.minInputs = 3;
  d.maxInputs = 7;
  d.maxOutputs = 4;
  d.infer = inferAttention;
  d.eval = evalAttention;
  d.macs = macsAttention;
  d.doc = "scaled dot-product attention: grouped heads, key/value cache, bool/additive/causal/window masks, softcap";
  d.attrs = {{"is_causal", K::Int, Attr::Int(0)},
             {"kv_num_heads", K::Int, std::nullopt},
             {"q_num_heads", K::Int, std::nullopt},
             {"qk_matmul_output_mode", K::Int, Attr::Int(0)},
             {"scale", K::Float, std::nullopt},
             {"softcap", K::Float, Attr::Float(0.0f)},
             {"softmax_precision", K::Int, std::nullopt},
             {"left_window_size", K::Int, Attr::Int(-1)},
             {"right_window_size", K::Int, Attr::Int(-1)}};
  r.add(d);
}

}  // namespace tinyc
