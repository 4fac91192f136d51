// merge-views: chains of Reshape/Flatten/Squeeze/Unsqueeze become one Reshape to the final shape,
// views that keep the shape are removed, Transpose -> Transpose becomes one Transpose (or
// nothing when the composed permutation is the identity), and a mixed chain of views and
// Transposes with two or more Transposes becomes Reshape -> one Transpose -> Reshape (factorChain).
#include <algorithm>
#include <map>
#include <optional>
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

// One step of a chain of data movements: a Transpose by `perm`, or a view to `shape`.
struct ChainStep {
  bool transpose = false;
  std::vector<int64_t> perm;
  Shape shape;
};

// A chain as Reshape(input -> pre) -> Transpose(perm) -> Reshape(-> output).
struct FactoredChain {
  Shape pre;
  std::vector<int64_t> perm;
};

// Follows the input's elements through the steps as "atoms": factors of the input dims that no
// step splits further (a view that cuts an atom splits it into two, everywhere). The chain is
// then a permutation of atoms; atoms that stay adjacent and in order are merged back. nullopt
// when a view regroups elements that a Transpose moved apart (no common refinement).
std::optional<FactoredChain> factorChain(const Shape& in, const std::vector<ChainStep>& steps) {
  std::vector<int64_t> size;          // atom id -> elements
  std::vector<int> inputOrder;        // atom ids in the input's memory order
  std::vector<std::vector<int>> dims;  // current dims, each a list of atoms (size-1 dims: empty)
  for (int64_t d : in) {
    if (d <= 0) return std::nullopt;
    dims.emplace_back();
    if (d == 1) continue;
    size.push_back(d);
    inputOrder.push_back(static_cast<int>(size.size()) - 1);
    dims.back().push_back(inputOrder.back());
  }
  // Splits atom k into k (outer elements) and a new atom right after it (the rest).
  auto split = [&](int k, int64_t outer, std::vector<int>& seq) {
    int k2 = static_cast<int>(size.size());
    size.push_back(size[static_cast<size_t>(k)] / outer);
    size[static_cast<size_t>(k)] = outer;
    for (auto* list : {&inputOrder, &seq}) list->insert(std::find(list->begin(), list->end(), k) + 1, k2);
    for (auto& d : dims)
      if (auto it = std::find(d.begin(), d.end(), k); it != d.end()) d.insert(it + 1, k2);
  };
  for (const ChainStep& st : steps) {
    if (st.transpose) {
      if (st.perm.size() != dims.size()) return std::nullopt;
      std::vector<std::vector<int>> next;
      for (int64_t p : st.perm) next.push_back(dims[static_cast<size_t>(p)]);
      dims = std::move(next);
      continue;
    }
    std::vector<int> seq;
    for (const auto& d : dims) seq.insert(seq.end(), d.begin(), d.end());
    std::vector<std::vector<int>> next;
    size_t pos = 0;
    for (int64_t t : st.shape) {
      if (t <= 0) return std::nullopt;
      next.emplace_back();
      int64_t prod = 1;
      while (prod < t) {
        if (pos >= seq.size()) return std::nullopt;
        int k = seq[pos];
        int64_t a = size[static_cast<size_t>(k)];
        if (prod * a > t) {
          if (t % prod != 0 || a % (t / prod) != 0) return std::nullopt;
          split(k, t / prod, seq);
          a = t / prod;
        }
        next.back().push_back(k);
        prod *= a;
        ++pos;
      }
      if (prod != t) return std::nullopt;
    }
    if (pos != seq.size()) return std::nullopt;
    dims = std::move(next);
  }
  // Output atoms in order; runs of atoms adjacent in the input merge into one axis.
  std::vector<int> out;
  for (const auto& d : dims) out.insert(out.end(), d.begin(), d.end());
  std::map<int, size_t> where;
  for (size_t i = 0; i < inputOrder.size(); ++i) where[inputOrder[i]] = i;
  std::vector<std::pair<size_t, int64_t>> runs;  // (input position of the run's first atom, elements)
  for (size_t j = 0; j < out.size(); ++j) {
    if (j > 0 && where[out[j]] == where[out[j - 1]] + 1)
      runs.back().second *= size[static_cast<size_t>(out[j])];
    else
      runs.emplace_back(where[out[j]], size[static_cast<size_t>(out[j])]);
  }
  std::vector<std::pair<size_t, int64_t>> sorted = runs;
  std::sort(sorted.begin(), sorted.end());
  FactoredChain f;
  for (const auto& r : sorted) f.pre.push_back(r.second);
  for (const auto& r : runs)
    f.perm.push_back(std::lower_bound(sorted.begin(), sorted.end(), r) - sorted.begin());
  return f;
}

// Inserts before `anchor` a Reshape of `in` into `out` (out's shape as a constant).
void reshape(Graph& g, const Node* anchor, const std::string& name, Value* in, Value* out) {
  Tensor shape(DType::I64, {static_cast<int64_t>(out->shape.size())});
  bool zero = false;
  for (size_t i = 0; i < out->shape.size(); ++i) {
    shape.setI(static_cast<int64_t>(i), out->shape[i]);
    zero = zero || out->shape[i] == 0;
  }
  Value* sv = rw::addConst(g, out->name + "_shape", std::move(shape));
  AttrMap attrs;
  if (zero) attrs["allowzero"] = Attr::Int(1);  // a 0 in the shape means 0, not "copy"
  rw::insertNodeBefore(g, anchor, "Reshape", name, {in, sv}, {out}, std::move(attrs));
}

class MergeViews : public Pass {
 public:
  bool run(Graph& g, PassContext& ctx) override {
    bool changed = false;
    std::vector<Node*> order;
    for (auto& n : g.nodes) order.push_back(n.get());
    // Mixed chains first (from their last node), then what is left pairwise.
    for (auto it = order.rbegin(); it != order.rend(); ++it)
      if (isView(*it) || rw::isTranspose(*it)) changed |= chain(g, ctx, *it);
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
    reshape(g, n, n->name, src, out);
    rw::detach(n);
    rw::detach(p);
    ctx.count("views merged");
    return true;
  }

  // The chain of views and Transposes ending at `last` (each value in it read only by the next
  // node), when it holds two or more Transposes: one Transpose at most is left.
  static bool chain(Graph& g, PassContext& ctx, Node* last) {
    std::vector<Node*> nodes{last};
    for (Node* cur = last;;) {
      Value* v = cur->inputs[0];
      Node* p = v->producer;
      if (!(isView(p) || rw::isTranspose(p)) || rw::soleUser(g, v) != cur) break;
      if (p->inputs[0]->dtype != v->dtype || p->inputs[0]->quant != v->quant) break;
      nodes.insert(nodes.begin(), p);
      cur = p;
    }
    if (std::count_if(nodes.begin(), nodes.end(), [](const Node* n) { return rw::isTranspose(n); }) < 2) return false;
    Value* src = nodes.front()->inputs[0];
    Value* out = last->outputs[0];
    if (src->dtype != out->dtype || src->quant != out->quant) return false;
    std::vector<ChainStep> steps;
    for (const Node* n : nodes)
      steps.push_back(rw::isTranspose(n) ? ChainStep{true, rw::permOf(*n), {}} : ChainStep{false, {}, n->outputs[0]->shape});
    auto f = factorChain(src->shape, steps);
    if (!f) return false;
    if (isIdentityPerm(f->perm)) {
      if (sameType(src, out) && rw::canBypass(g, last, src)) {
        for (Node* n : nodes)
          if (n != last) rw::detach(n);
        rw::bypass(g, last, src);
      } else {
        reshape(g, last, last->name, src, out);
        for (Node* n : nodes) rw::detach(n);
      }
      ctx.count("Transpose chains removed");
      return true;
    }
    Value* a = src;
    if (f->pre != src->shape) {
      a = g.addValue(rw::uniqueValueName(g, out->name + "_pre"), src->dtype, f->pre);
      a->quant = src->quant;
      reshape(g, last, last->name + "_pre", src, a);
    }
    Shape moved;
    for (int64_t p : f->perm) moved.push_back(f->pre[static_cast<size_t>(p)]);
    Value* b = out;
    if (moved != out->shape) {
      b = g.addValue(rw::uniqueValueName(g, out->name + "_moved"), src->dtype, moved);
      b->quant = src->quant;
    }
    rw::insertNodeBefore(g, last, "Transpose", b == out ? last->name : last->name + "_moved", {a}, {b},
                         {{"perm", Attr::Ints(f->perm)}});
    if (b != out) reshape(g, last, last->name, b, out);
    for (Node* n : nodes) rw::detach(n);
    ctx.count("Transpose chains merged into one Transpose");
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
