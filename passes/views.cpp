// merge-views: chains of Reshape/Flatten/Squeeze/Unsqueeze become one Reshape to the final shape,
// views that keep the shape are removed, and Transpose -> Transpose becomes one Transpose (or
// nothing when the composed permutation is the identity).
#include <set>
#include <utility>

#include "ops/op.h"
#include "passes/pass.h"
#include "passes/rewrite.h"

namespace tinyc {

namespace {

bool isView(const Node* n) {
  static const std::set<std::string> kViews = {"Reshape", "Flatten", "Squeeze", "Unsqueeze"};
  return n && kViews.count(n->opType) && n->outputs.size() == 1 && n->outputs[0] && !n->inputs.empty() &&
         n->inputs[0];
}

bool isIdentityPerm(const std::vector<int64_t>& perm) {
  for (size_t i = 0; i < perm.size(); ++i)
    if (perm[i] != static_cast<int64_t>(i)) return false;
  return true;
}

// Same dtype, shape and quantization: reading `from` instead of `to` changes nothing.
bool sameType(const Value* a, const Value* b) {
  return a->dtype == b->dtype && a->shape == b->shape && a->quant == b->quant;
}

class MergeViews : public Pass {
 public:
  bool run(Graph& g, PassContext& ctx) override {
    bool changed = false;
    std::vector<Node*> order;
    for (auto& n : g.nodes) order.push_back(n.get());
    for (Node* n : order) {
      if (isView(n))
        changed |= view(g, ctx, n);
      else if (rw::isTranspose(n))
        changed |= transpose(g, ctx, n);
    }
    if (changed) refreshGraph(g);
    return changed;
  }

 private:
  static bool view(Graph& g, PassContext& ctx, Node* n) {
    Value* in = n->inputs[0];
    Value* out = n->outputs[0];
    if (sameType(in, out) && rw::canBypass(g, n, in)) {
      rw::bypass(g, n, in);
      ctx.count(n->opType + " to the same shape removed");
      return true;
    }
    Node* p = in->producer;
    if (!isView(p) || rw::soleUser(g, in) != n) return false;
    Value* src = p->inputs[0];
    if (src->dtype != out->dtype || src->quant != in->quant || in->quant != out->quant) return false;
    if (sameType(src, out) && rw::canBypass(g, n, src)) {
      rw::detach(p);
      rw::bypass(g, n, src);
      ctx.count("views merged");
      ctx.count("view chains removed");
      return true;
    }
    Tensor shape(DType::I64, {static_cast<int64_t>(out->shape.size())});
    bool zero = false;
    for (size_t i = 0; i < out->shape.size(); ++i) {
      shape.setI(static_cast<int64_t>(i), out->shape[i]);
      zero = zero || out->shape[i] == 0;
    }
    Value* sv = rw::addConst(g, out->name + "_shape", std::move(shape));
    AttrMap attrs;
    if (zero) attrs["allowzero"] = Attr::Int(1);  // a 0 in the shape means 0, not "copy"
    rw::insertNodeBefore(g, n, "Reshape", n->name, {src, sv}, {out}, std::move(attrs));
    rw::detach(n);
    rw::detach(p);
    ctx.count("views merged");
    return true;
  }

  static bool transpose(Graph& g, PassContext& ctx, Node* n) {
    Value* in = n->inputs[0];
    Value* out = n->outputs[0];
    const auto perm2 = rw::permOf(*n);
    if (isIdentityPerm(perm2)) {
      if (!sameType(in, out) || !rw::canBypass(g, n, in)) return false;
      rw::bypass(g, n, in);
      ctx.count("identity Transpose removed");
      return true;
    }
    Node* p = in->producer;
    if (!rw::isTranspose(p) || rw::soleUser(g, in) != n) return false;
    Value* src = p->inputs[0];
    if (src->quant != out->quant || src->dtype != out->dtype) return false;
    const auto perm1 = rw::permOf(*p);
    if (perm1.size() != perm2.size()) return false;
    std::vector<int64_t> perm;
    for (int64_t q : perm2) perm.push_back(perm1[static_cast<size_t>(q)]);
    if (isIdentityPerm(perm)) {
      if (!sameType(src, out) || !rw::canBypass(g, n, src)) return false;
      rw::detach(p);
      rw::bypass(g, n, src);
      ctx.count("Transpose pairs removed");
      return true;
    }
    rw::insertNodeBefore(g, n, "Transpose", n->name, {src}, {out}, {{"perm", Attr::Ints(perm)}});
    rw::detach(n);
    rw::detach(p);
    ctx.count("Transposes merged");
    return true;
  }
};

}  // namespace

std::unique_ptr<Pass> createMergeViews() { return std::make_unique<MergeViews>(); }

}  // namespace tinyc
