// Fused activations: the fuse-activation pass moves Relu/Clip/LeakyRelu/HardSwish/Sigmoid/Tanh
// into the preceding Conv/ConvTranspose/Gemm/Add as attributes; evalNode applies them with the
// same formulas as the standalone ops (activation.cpp), so fusion never changes a result.
#include <algorithm>
#include <cmath>
#include <map>

#include "ops/layout.h"
#include "ops/op.h"

namespace tinyc {

namespace {

enum class Act { Relu, Clip, LeakyRelu, HardSwish, Sigmoid, Tanh };
struct ActInfo {
  Act act;
  size_t params;
};

const std::map<std::string, ActInfo>& activations() {
  static const std::map<std::string, ActInfo> m = {
      {"Relu", {Act::Relu, 0}},           {"Clip", {Act::Clip, 2}},       {"LeakyRelu", {Act::LeakyRelu, 1}},
      {"HardSwish", {Act::HardSwish, 0}}, {"Sigmoid", {Act::Sigmoid, 0}}, {"Tanh", {Act::Tanh, 0}}};
  return m;
}

template <typename T>
T act(Act kind, const std::vector<float>& p, T x) {
  switch (kind) {
    case Act::Relu: return x > 0 ? x : (std::isnan(x) ? x : static_cast<T>(0));
    case Act::Clip: {
      if (std::isnan(x)) return x;
      return std::min(std::max(x, static_cast<T>(p[0])), static_cast<T>(p[1]));
    }
    case Act::LeakyRelu: return x >= 0 ? x : static_cast<T>(p[0]) * x;
    case Act::HardSwish: {
      T v = x / static_cast<T>(6) + static_cast<T>(0.5);
      return x * std::max(static_cast<T>(0), std::min(static_cast<T>(1), v));
    }
    case Act::Sigmoid: {
      if (x >= 0) return static_cast<T>(1) / (static_cast<T>(1) + std::exp(-x));
      T e = std::exp(x);
      return e / (static_cast<T>(1) + e);
    }
    case Act::Tanh: return std::tanh(x);
  }
  return x;
}

}  // namespace

bool fusedActivationKnown(const std::string& name, size_t* numParams) {
  auto it = activations().find(name);
  if (it == activations().end()) return false;
  *numParams = it->second.params;
  return true;
}

void applyFusedActivation(const Node& n, Tensor& t) {
  auto it = n.attrs.find(kFusedActivationAttr);
  if (it == n.attrs.end()) return;
  std::vector<float> p;
  if (auto pp = n.attrs.find(kFusedActivationParamsAttr); pp != n.attrs.end()) p = pp->second.floats;
  auto info = activations().find(it->second.s);
  if (info == activations().end() || p.size() != info->second.params)
    modelError("{}: bad fused activation '{}'", n.where(), printable(it->second.s));
  const Act kind = info->second.act;
  if (t.dtype() == DType::F32) {
    float* d = t.data<float>();
    for (int64_t i = 0; i < t.numel(); ++i) d[i] = act<float>(kind, p, d[i]);
  } else if (t.dtype() == DType::F64) {
    double* d = t.data<double>();
    for (int64_t i = 0; i < t.numel(); ++i) d[i] = act<double>(kind, p, d[i]);
  } else {
    modelError("{}: fused activation on {} is not supported", n.where(), dtypeName(t.dtype()));
  }
}

void evalNode(const Node& n, EvalCtx& ctx) {
  evalLayoutAware(n, ctx);
  // (A quantized node's kernel clamps its integer output itself: ops/qparams.h outputRange.)
  if (n.op->fusableActivation && !ctx.out.empty() && ctx.out[0] && isFloat(ctx.out[0]->dtype()))
    applyFusedActivation(n, *ctx.out[0]);
}

}  // namespace tinyc
