// fuse-activation: Relu, Clip (constant bounds), LeakyRelu, HardSwish, Sigmoid or Tanh right after
// a Conv, ConvTranspose, Gemm or Add (f32, single user, not a graph output) becomes an attribute
// of that node (tinyc.activation); evalNode and the C backend apply it to the output in place.
#include <limits>
#include <map>

#include "ops/op.h"
#include "passes/pass.h"

namespace tinyc {

namespace {

// Parameters of an activation node for its fused form; false if it cannot be fused.
using ParamsFn = bool (*)(const Node&, std::vector<float>*);

bool noParams(const Node&, std::vector<float>*) { return true; }
bool leakyParams(const Node& a, std::vector<float>* p) {
  p->push_back(a.attrFloat("alpha"));
  return true;
}
bool clipParams(const Node& a, std::vector<float>* p) {
  float lo = -std::numeric_limits<float>::infinity(), hi = std::numeric_limits<float>::infinity();
  for (size_t i = 1; i <= 2; ++i) {
    const Value* b = a.input(i);
    if (!b) continue;
    if (!b->constant || b->constant->numel() != 1) return false;
    (i == 1 ? lo : hi) = static_cast<float>(b->constant->getF(0));
  }
  p->push_back(lo);
  p->push_back(hi);
  return true;
}

const std::map<std::string, ParamsFn>& fusable() {
  static const std::map<std::string, ParamsFn> m = {{"Relu", noParams},      {"Clip", clipParams},
                                                    {"LeakyRelu", leakyParams}, {"HardSwish", noParams},
                                                    {"Sigmoid", noParams},   {"Tanh", noParams}};
  return m;
}

class FuseActivation : public Pass {
 public:
  bool run(Graph& g, PassContext& ctx) override {
    bool changed = false;
    for (auto& an : g.nodes) {
      Node& a = *an;
      auto fn = fusable().find(a.opType);
      if (fn == fusable().end() || !a.input(0) || !a.outputs[0]) continue;
      Value* x = a.inputs[0];
      Node* p = x->producer;
      if (!p || !p->op || !p->op->fusableActivation || p->outputs[0] != x || p->attrs.count(kFusedActivationAttr)) continue;
      if (x->dtype != DType::F32 || g.isGraphOutput(x) || g.users(x).size() != 1) continue;
      std::vector<float> params;
      if (!fn->second(a, &params)) continue;
      p->attrs[kFusedActivationAttr] = Attr::Str(a.opType);
      if (!params.empty()) p->attrs[kFusedActivationParamsAttr] = Attr::Floats(params);
      Value* y = a.outputs[0];
      if (g.isGraphOutput(y)) std::swap(x->name, y->name);
      replaceAllUses(g, y, x);
      a.outputs[0] = nullptr;
      ctx.count(a.opType + " fused into " + p->opType);
      changed = true;
    }
    if (changed) g.compact();
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> createFuseActivation() { return std::make_unique<FuseActivation>(); }

}  // namespace tinyc
