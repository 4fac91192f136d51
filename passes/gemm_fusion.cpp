// matmul-add-to-gemm: MatMul(A, B) with rank-2 A and constant rank-2 B, read only by an Add of a
// constant broadcastable to the [M, N] result, becomes Gemm(A, B, C).
#include "ops/op.h"
#include "passes/pass.h"
#include "passes/rewrite.h"

namespace tinyc {

namespace {

// C of shape [], [1], [N], [1|M, 1|N]: unidirectionally broadcastable to [M, N].
bool gemmBias(const Shape& c, const Shape& y) {
  if (c.size() > 2) return false;
  for (size_t i = 0; i < c.size(); ++i) {
    const int64_t d = y[2 - c.size() + i];
    if (c[i] != d && c[i] != 1) return false;
  }
  return true;
}

class MatMulAddToGemm : public Pass {
 public:
  bool run(Graph& g, PassContext& ctx) override {
    bool changed = false;
    std::vector<Node*> order;
    for (auto& n : g.nodes) order.push_back(n.get());
    for (Node* n : order) {
      if (n->opType != "MatMul" || n->inputs.size() != 2 || n->outputs.size() != 1 || !n->outputs[0] ||
          rw::hasFusedActivation(*n))
        continue;
      Value* a = n->inputs[0];
      Value* b = n->inputs[1];
      Value* out = n->outputs[0];
      if (!a || !b || a->shape.size() != 2 || b->shape.size() != 2 || !b->constData()) continue;
      if (!isFloat(a->dtype) || a->quant || b->quant || out->quant || b->dtype != a->dtype) continue;
      Node* add = rw::soleUser(g, out);
      if (!add || add->opType != "Add" || add->inputs.size() != 2 || !add->outputs[0] || add->outputs[0]->quant ||
          rw::hasFusedActivation(*add))
        continue;
      Value* c = add->inputs[0] == out ? add->inputs[1] : add->inputs[0];
      if (!c || !c->constData() || c->quant || c->dtype != out->dtype) continue;
      if (add->outputs[0]->shape != out->shape || !gemmBias(c->shape, out->shape)) continue;
      Value* y = add->outputs[0];
      rw::insertNodeBefore(g, add, "Gemm", n->name, {a, b, c}, {y});
      rw::detach(n);
      rw::detach(add);
      ctx.count("MatMul+Add to Gemm");
      changed = true;
    }
    if (changed) refreshGraph(g);
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> createMatMulAddToGemm() { return std::make_unique<MatMulAddToGemm>(); }

}  // namespace tinyc
