// BatchNormalization rewrites: fold-batchnorm (into the weights of the producing Conv,
// ConvTranspose or Gemm) and batchnorm-to-affine (a remaining BatchNormalization becomes Mul + Add).
#include <cmath>
#include <optional>
#include <utility>

#include "ops/op.h"
#include "passes/pass.h"
#include "passes/rewrite.h"

namespace tinyc {

namespace {

struct ChannelAffine {
  std::vector<double> scale, shift;  // y = x * scale[c] + shift[c]
};

// Inference-mode BatchNormalization with constant parameters as a per-channel affine map (computed
// in double like the reference kernel), or nullopt.
std::optional<ChannelAffine> batchNormAffine(const Node& n) {
  if (n.opType != "BatchNormalization" || !n.op || n.inputs.size() != 5 || n.outputs.empty() || !n.outputs[0])
    return std::nullopt;
  if (rw::intAttrOr(n, "training_mode", 0) != 0) return std::nullopt;
  for (size_t i = 1; i < n.outputs.size(); ++i)
    if (n.outputs[i]) return std::nullopt;
  const Value* x = n.inputs[0];
  if (!x || !isFloat(x->dtype) || x->quant || x->shape.size() < 2 || n.outputs[0]->quant) return std::nullopt;
  const Tensor* p[5] = {};
  for (size_t i = 1; i < 5; ++i) {
    if (!n.inputs[i] || !(p[i] = n.inputs[i]->constData())) return std::nullopt;
    if (p[i]->numel() != x->shape[1]) return std::nullopt;
  }
  const double eps = n.attrFloat("epsilon");
  ChannelAffine a;
  for (int64_t c = 0; c < x->shape[1]; ++c) {
    const double s = p[1]->getF(c) / std::sqrt(p[4]->getF(c) + eps);
    a.scale.push_back(s);
    a.shift.push_back(p[2]->getF(c) - p[3]->getF(c) * s);
  }
  return a;
}

class FoldBatchNorm : public Pass {
 public:
  bool run(Graph& g, PassContext& ctx) override {
    bool changed = false;
    std::vector<Node*> order;
    for (auto& n : g.nodes) order.push_back(n.get());
    for (Node* n : order) {
      if (n->opType != "BatchNormalization" || n->inputs.empty()) continue;
      auto affine = batchNormAffine(*n);
      if (!affine) continue;
      Value* x = n->inputs[0];
      Node* p = x->producer;
      if (!p || !rw::canFoldAffine(*p, &affine->scale) || rw::soleUser(g, x) != n || !rw::canBypass(g, n, x)) continue;
      if (x->dtype != n->outputs[0]->dtype) continue;
      rw::foldAffine(g, *p, affine->scale, affine->shift, "bn");
      rw::bypass(g, n, x);
      ctx.count("BatchNormalization folded into " + p->opType);
      changed = true;
    }
    if (changed) refreshGraph(g);
    return changed;
  }
};

class BatchNormToAffine : public Pass {
 public:
  bool run(Graph& g, PassContext& ctx) override {
    bool changed = false;
    std::vector<Node*> order;
    for (auto& n : g.nodes) order.push_back(n.get());
    for (Node* n : order) {
      if (n->opType != "BatchNormalization" || n->inputs.empty()) continue;
      auto affine = batchNormAffine(*n);
      if (!affine) continue;
      Value* x = n->inputs[0];
      Value* out = n->outputs[0];
      const DType dt = x->dtype;
      Shape cs(x->shape.size() - 1, 1);
      cs[0] = x->shape[1];
      Tensor scale(dt, cs), shift(dt, cs);
      for (int64_t c = 0; c < cs[0]; ++c) {
        scale.setF(c, affine->scale[static_cast<size_t>(c)]);
        shift.setF(c, affine->shift[static_cast<size_t>(c)]);
      }
      Value* sv = rw::addConst(g, out->name + "_scale", std::move(scale));
      Value* bv = rw::addConst(g, out->name + "_shift", std::move(shift));
      Value* mid = g.addValue(rw::uniqueValueName(g, out->name + "_scaled"), dt, x->shape);
      rw::insertNodeBefore(g, n, "Mul", n->name + "_scale", {x, sv}, {mid});
      rw::detach(n);
      rw::insertNodeBefore(g, n, "Add", n->name + "_shift", {mid, bv}, {out});
      ctx.count("BatchNormalization to Mul+Add");
      changed = true;
    }
    if (changed) refreshGraph(g);
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> createFoldBatchNorm() { return std::make_unique<FoldBatchNorm>(); }
std::unique_ptr<Pass> createBatchNormToAffine() { return std::make_unique<BatchNormToAffine>(); }

}  // namespace tinyc
