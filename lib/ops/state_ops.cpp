// Ops that carry a sequence model's state between calls (opsets 24-27):
// - CausalConvWithState (27): a causal depthwise 1-D convolution of [B, C, L] by weights [C, 1, K]
//   over the input left-padded with past_state [B, C, K - 1] (zeros without it), plus bias, then
//   optionally SiLU (activation "silu" or "swish"); present_state = the last K - 1 positions of the
//   padded input.
// - TensorScatter (24): past_cache with update written along `axis` from write_indices[b] (0
//   without it) on, modulo the cache length in mode "circular".
// The C kernels (backends/c/runtime/state.c) run the same loops.
#include <cmath>
#include <cstring>

#include "ops/op.h"
#include "ops/util.h"

namespace tinyc {

namespace {

std::string activationOf(const Node& n) {
  const std::string a = n.attrStr("activation");
  if (a != "none" && a != "silu" && a != "swish")
    modelError("{}: activation must be none, silu or swish, got '{}'", n.where(), printable(a));
  return a;
}

void inferCausalConv(InferCtx& c) {
  const DType t = c.dtype(0);
  if (!isFloat(t)) c.fail("input must be a float type, got {}", dtypeName(t));
  if (c.rank(0) != 3) c.fail("input must be [batch, channels, length], got {}", shapeStr(c.shape(0)));
  const int64_t b = c.shape(0)[0], ch = c.shape(0)[1];
  if (c.dtype(1) != t || c.rank(1) != 3 || c.shape(1)[0] != ch || c.shape(1)[1] != 1 || c.shape(1)[2] < 1)
    c.fail("weight must be {} [{}, 1, k], got {} {}", dtypeName(t), ch, dtypeName(c.dtype(1)), shapeStr(c.shape(1)));
  const int64_t k = c.shape(1)[2];
  if (c.has(2) && (c.dtype(2) != t || c.shape(2) != Shape{ch})) c.fail("bias must be {} [{}]", dtypeName(t), ch);
  if (c.has(3) && (c.dtype(3) != t || c.shape(3) != Shape{b, ch, k - 1}))
    c.fail("past_state must be {} [{}, {}, {}], got {}", dtypeName(t), b, ch, k - 1, shapeStr(c.shape(3)));
  activationOf(c.node);
  c.setOutput(0, t, c.shape(0));
  if (c.numOutputs() > 1) c.setOutput(1, t, {b, ch, k - 1});
}

void evalCausalConv(EvalCtx& c) {
  const Tensor &x = *c.in[0], &w = *c.in[1];
  const Tensor* bias = c.has(2) ? c.in[2] : nullptr;
  const Tensor* past = c.has(3) ? c.in[3] : nullptr;
  const int64_t B = x.shape()[0], C = x.shape()[1], L = x.shape()[2], K = w.shape()[2];
  const bool silu = activationOf(c.node) != "none";
  auto padded = [&](int64_t b, int64_t ch, int64_t u) {  // u in [0, L + K - 1)
    if (u >= K - 1) return x.getF((b * C + ch) * L + u - (K - 1));
    return past ? past->getF((b * C + ch) * (K - 1) + u) : 0.0;
  };
  for (int64_t b = 0; b < B; ++b)
    for (int64_t ch = 0; ch < C; ++ch) {
      for (int64_t t = 0; t < L; ++t) {
        double s = bias ? bias->getF(ch) : 0.0;
        for (int64_t i = 0; i < K; ++i) s += w.getF(ch * K + i) * padded(b, ch, t + i);
        const int64_t at = (b * C + ch) * L + t;
        c.out[0]->setF(at, s);  // rounded to the input's type, then SiLU in float32 (the reference's casts)
        if (silu) {
          const float v = static_cast<float>(c.out[0]->getF(at));
          c.out[0]->setF(at, v * (1.0f / (1.0f + std::exp(-v))));
        }
      }
      if (c.out.size() > 1 && c.out[1])
        for (int64_t u = 0; u < K - 1; ++u) c.out[1]->setF((b * C + ch) * (K - 1) + u, padded(b, ch, L + u));
    }
}

int64_t macsCausalConv(const Node& n) { return numElements(n.input(0)->shape) / n.input(0)->shape[0] * n.input(1)->shape[2]; }

void inferTensorScatter(InferCtx& c) {
  const Shape &cache = c.shape(0), &up = c.shape(1);
  if (c.dtype(1) != c.dtype(0)) c.fail("update must have past_cache's type {}", dtypeName(c.dtype(0)));
  if (cache.size() < 2 || up.size() != cache.size())
    c.fail("past_cache and update must have one rank of at least 2, got {} and {}", shapeStr(cache), shapeStr(up));
  const int axis = normAxis(c.node, c.node.attrInt("axis"), static_cast<int>(cache.size()));
  if (axis == 0) c.fail("axis must not be the batch axis");
  for (size_t d = 0; d < cache.size(); ++d)
    if (static_cast<int>(d) == axis ? up[d] > cache[d] : up[d] != cache[d])
      c.fail("update {} does not fit past_cache {} along axis {}", shapeStr(up), shapeStr(cache), axis);
  if (c.has(2) && (c.dtype(2) != DType::I64 || c.shape(2) != Shape{cache[0]}))
    c.fail("write_indices must be int64 [{}], got {} {}", cache[0], dtypeName(c.dtype(2)), shapeStr(c.shape(2)));
  const std::string mode = c.node.attrStr("mode");
  if (mode != "linear" && mode != "circular") c.fail("mode must be linear or circular, got '{}'", printable(mode));
  c.setOutput(0, c.dtype(0), cache);
}

void evalTensorScatter(EvalCtx& c) {
  const Tensor &cache = *c.in[0], &up = *c.in[1];
  const Tensor* idx = c.has(2) ? c.in[2] : nullptr;
  Tensor& y = *c.out[0];
  const Shape& s = cache.shape();
  const int axis = normAxis(c.node, c.node.attrInt("axis"), static_cast<int>(s.size()));
  const bool circular = c.node.attrStr("mode") == "circular";
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d) outer *= s[static_cast<size_t>(d)];
  for (size_t d = static_cast<size_t>(axis) + 1; d < s.size(); ++d) inner *= s[d];
  const int64_t maxLen = s[static_cast<size_t>(axis)], len = up.shape()[static_cast<size_t>(axis)];
  const int64_t perBatch = outer / s[0];
  const size_t esize = dtypeSize(cache.dtype());
  std::memcpy(y.raw(), cache.raw(), cache.numel() * esize);
  for (int64_t o = 0; o < outer; ++o) {
    const int64_t start = idx ? idx->getI(o / perBatch) : 0;
    for (int64_t j = 0; j < len; ++j) {
      int64_t at = start + j;
      if (circular) at = ((at % maxLen) + maxLen) % maxLen;
      if (at < 0 || at >= maxLen)
        c.fail("write index {} + {} is outside the cache's {} positions", start, j, maxLen);
      std::memcpy(static_cast<char*>(y.raw()) + ((o * maxLen + at) * inner) * esize,
                  static_cast<const char*>(up.raw()) + ((o * len + j) * inner) * esize, inner * esize);
    }
  }
}

}  // namespace

void registerStateOps(OpRegistry& r) {
  using K = Attr::Kind;
  OpDef cc;
  cc.name = "CausalConvWithState";
  cc.minInputs = 2;
  cc.maxInputs = 4;
  cc.maxOutputs = 2;
  cc.infer = inferCausalConv;
  cc.eval = evalCausalConv;
  cc.macs = macsCausalConv;
  cc.doc = "causal depthwise 1-D convolution over past_state ++ input (+ bias, SiLU); present_state = last k - 1";
  cc.attrs = {{"activation", K::String, Attr::Str("none")}};
  r.add(cc);
  OpDef ts;
  ts.name = "TensorScatter";
  ts.minInputs = 2;
  ts.maxInputs = 3;
  ts.infer = inferTensorScatter;
  ts.eval = evalTensorScatter;
  ts.doc = "a key/value cache with update written along axis from write_indices[b] (circular: modulo its length)";
  ts.attrs = {{"axis", K::Int, Attr::Int(-2)}, {"mode", K::String, Attr::Str("linear")}};
  r.add(ts);
}

}  // namespace tinyc
