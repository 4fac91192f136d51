// fold-mul-add: Mul by / Div by / Add of a per-output-channel (or scalar) constant right after a
// Conv, ConvTranspose or Gemm (whose output has no other reader) is folded into new weights and
// bias (into the scales of dequantized integer weights: PyTorch's QAT Conv+BatchNorm exports as
// Conv -> Div -> Add -> BatchNormalization).
#include <algorithm>
#include <map>

#include "ops/op.h"
#include "passes/pass.h"
#include "passes/rewrite.h"

namespace tinyc {

namespace {

class FoldMulAdd : public Pass {
 public:
  bool run(Graph& g, PassContext& ctx) override {
    bool changed = false;
    std::vector<Node*> order;
    for (auto& n : g.nodes) order.push_back(n.get());
    for (Node* n : order) {
      enum Kind { kMul, kDiv, kAdd };
      static const std::map<std::string, Kind> kFoldable = {{"Mul", kMul}, {"Div", kDiv}, {"Add", kAdd}};
      auto kind = kFoldable.find(n->opType);
      if (kind == kFoldable.end() || n->inputs.size() != 2 || n->outputs.size() != 1 || !n->outputs[0]) continue;
      const bool isMul = kind->second != kAdd;
      if (rw::hasFusedActivation(*n)) continue;
      Value* out = n->outputs[0];
      for (size_t k = 0; k < (kind->second == kDiv ? 1u : 2u); ++k) {  // Div: by its input 1 only
        Value* y = n->inputs[k];
        Value* c = n->inputs[1 - k];
        if (!y || !c || y == c || !y->producer || !c->constData() || c->quant || out->quant) continue;
        Node* p = y->producer;
        if (c->dtype != y->dtype || out->dtype != y->dtype || out->shape != y->shape) continue;
        auto v = rw::channelVector(*c->constData(), y->shape, 1);
        if (v && kind->second == kDiv) {
          if (std::any_of(v->begin(), v->end(), [](double d) { return d == 0; })) continue;
          for (double& d : *v) d = 1.0 / d;
        }
        if (!v || !rw::canFoldAffine(*p, isMul ? &*v : nullptr) || rw::soleUser(g, y) != n || !rw::canBypass(g, n, y))
          continue;
        if (isMul)
          rw::foldAffine(g, *p, *v, {}, "mul");
        else
          rw::foldAffine(g, *p, {}, *v, "add");
        rw::bypass(g, n, y);
        ctx.count(n->opType + " folded into " + p->opType);
        changed = true;
        break;
      }
    }
    if (changed) refreshGraph(g);
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> createFoldMulAdd() { return std::make_unique<FoldMulAdd>(); }

}  // namespace tinyc
