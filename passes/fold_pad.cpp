// fold-pad: a constant-mode Pad of the spatial dims only, read only by a Conv (auto_pad NOTSET,
// pad value 0), an AveragePool (count_include_pad=1, pad value 0) or a MaxPool (pad value -inf),
// becomes the consumer's own pads.
#include <map>
#include <cmath>
#include <utility>

#include "ops/op.h"
#include "passes/pass.h"
#include "passes/rewrite.h"

namespace tinyc {

namespace {

enum class Fill { Zero, NegInf, Other };

Fill padFill(const Node& pad) {
  const Value* v = pad.input(2);
  if (!v) return Fill::Zero;
  const Tensor* t = v->constData();
  if (!t) return Fill::Other;
  if (t->numel() == 0) return Fill::Zero;
  bool zero = true, negInf = true;
  for (int64_t i = 0; i < t->numel(); ++i) {
    const double x = t->getF(i);
    zero = zero && x == 0;
    negInf = negInf && std::isinf(x) && x < 0;
  }
  return zero ? Fill::Zero : negInf ? Fill::NegInf : Fill::Other;
}

// Per-axis (before, after) pads of a constant-mode Pad with compile-time pads/axes, or empty.
std::vector<std::pair<int64_t, int64_t>> padPlan(const Node& pad, size_t rank) {
  if (pad.attrStr("mode") != "constant") return {};
  const Tensor* padsT = pad.input(1) ? pad.inputs[1]->constData() : nullptr;
  if (!padsT || !isInteger(padsT->dtype())) return {};
  std::vector<int64_t> pads = padsT->toInts();
  if (pads.size() % 2) return {};
  const size_t count = pads.size() / 2;
  std::vector<int64_t> axes;
  if (const Value* av = pad.input(3)) {
    if (!av->constData()) return {};
    axes = av->constData()->toInts();
  } else {
    for (size_t i = 0; i < count; ++i) axes.push_back(static_cast<int64_t>(i));
  }
  if (axes.size() != count) return {};
  std::vector<std::pair<int64_t, int64_t>> plan(rank, {0, 0});
  const int64_t r = static_cast<int64_t>(rank);
  for (size_t i = 0; i < count; ++i) {
    int64_t a = axes[i] < 0 ? axes[i] + r : axes[i];
    if (a < 0 || a >= r) return {};
    plan[static_cast<size_t>(a)] = {pads[i], pads[i + count]};
  }
  return plan;
}

// Consumers a Pad can be folded into, and when: Conv and AveragePool(count_include_pad) take
// zero padding; MaxPool takes -inf padding (no Indices output). Pools need ceil_mode 0.
using AcceptFn = bool (*)(const Node& c, Fill fill);
const std::map<std::string, AcceptFn>& consumers() {
  static const std::map<std::string, AcceptFn> m = {
      {"Conv", [](const Node&, Fill fill) { return fill == Fill::Zero; }},
      {"AveragePool",
       [](const Node& c, Fill fill) {
         return fill == Fill::Zero && rw::intAttrOr(c, "count_include_pad", 0) == 1 && rw::intAttrOr(c, "ceil_mode", 0) == 0;
       }},
      {"MaxPool",
       [](const Node& c, Fill fill) {
         return fill == Fill::NegInf && rw::intAttrOr(c, "ceil_mode", 0) == 0 && (c.outputs.size() < 2 || !c.outputs[1]);
       }},
  };
  return m;
}

class FoldPad : public Pass {
 public:
  bool run(Graph& g, PassContext& ctx) override {
    bool changed = false;
    std::vector<Node*> order;
    for (auto& n : g.nodes) order.push_back(n.get());
    for (Node* pad : order) {
      if (pad->opType != "Pad" || pad->inputs.empty() || pad->outputs.size() != 1 || !pad->outputs[0]) continue;
      Value* x = pad->inputs[0];
      Value* out = pad->outputs[0];
      if (!x || !isFloat(x->dtype) || x->quant || out->quant) continue;
      const size_t rank = x->shape.size();
      if (rank < 3 || rank > 5) continue;
      auto plan = padPlan(*pad, rank);
      const std::pair<int64_t, int64_t> none{0, 0};
      if (plan.empty() || plan[0] != none || plan[1] != none) continue;
      bool nonNeg = true;
      for (auto& p : plan) nonNeg = nonNeg && p.first >= 0 && p.second >= 0;
      if (!nonNeg) continue;
      Node* c = rw::soleUser(g, out);
      if (!c || c->inputs.empty() || c->inputs[0] != out || !rw::autoPadNotSet(*c)) continue;
      const Fill fill = padFill(*pad);
      auto accept = consumers().find(c->opType);
      if (accept == consumers().end() || !accept->second(*c, fill)) continue;
      const size_t nd = rank - 2;
      std::vector<int64_t> pads(2 * nd, 0);
      if (c->hasAttr("pads")) {
        if (c->attrInts("pads").size() != 2 * nd) continue;
        pads = c->attrInts("pads");
      }
      for (size_t i = 0; i < nd; ++i) {
        pads[i] += plan[i + 2].first;
        pads[i + nd] += plan[i + 2].second;
      }
      if (fill == Fill::NegInf && !maxPoolKeepsTaps(*c, pads, nd)) continue;
      c->inputs[0] = x;
      c->attrs["pads"] = Attr::Ints(pads);
      ctx.count("Pad folded into " + c->opType);
      changed = true;
    }
    if (changed) refreshGraph(g);
    return changed;
  }

 private:
  // MaxPool pads are ignored, -inf pads are not: the two agree while every window keeps at least
  // one tap inside the input (dilation 1 and pads smaller than the kernel on each side).
  static bool maxPoolKeepsTaps(const Node& c, const std::vector<int64_t>& pads, size_t nd) {
    if (!c.hasAttr("kernel_shape") || c.attrInts("kernel_shape").size() != nd) return false;
    const auto& k = c.attrInts("kernel_shape");
    if (c.hasAttr("dilations"))
      for (int64_t d : c.attrInts("dilations"))
        if (d != 1) return false;
    for (size_t i = 0; i < nd; ++i)
      if (pads[i] >= k[i] || pads[i + nd] >= k[i]) return false;
    return true;
  }
};

}  // namespace

std::unique_ptr<Pass> createFoldPad() { return std::make_unique<FoldPad>(); }

}  // namespace tinyc
