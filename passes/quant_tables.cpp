// Lookup tables of the integer lowering (declared in quant_match.h): a chain or region of float
// elementwise nodes evaluated on all 256 int8 values. Part of the lower-quant pass.
#include <algorithm>
#include <deque>
#include <map>

#include "passes/quant_match.h"

namespace tinyc::qmatch {

// Evaluates nodes in order on all 256 int8 values: the first reads the int8 tensor; each other
// reads that tensor, earlier nodes' outputs or constants (in any position, e.g. Mul(c, x)), and
// a non-constant input 0 that is none of these is the previous node's output (a chain: lowerConcat's DequantizeLinear -> QuantizeLinear of
// one input). The last node's outputs.
Tensor tableOf(const std::vector<const Node*>& nodes) {
  std::map<const Value*, Tensor> vals;
  std::deque<Tensor> scalars;
  Tensor x(DType::I8, {256});
  for (int i = 0; i < 256; ++i) x.setI(i, i - 128);
  const Tensor* prev = &vals.emplace(nodes.front()->inputs[0], std::move(x)).first->second;
  for (const Node* n : nodes) {
    Tensor out(n->outputs[0]->dtype, {256});
    EvalCtx ctx{*n, {}, {&out}};
    for (size_t i = 0; i < n->inputs.size(); ++i) {
      const Value* in = n->inputs[i];
      auto it = in ? vals.find(in) : vals.end();
      const Tensor* known = in ? in->constData() : nullptr;  // a constant operand (any position)
      if (it == vals.end() && known && known->numel() == 1 && !known->shape().empty()) {
        // a one-element constant of any rank as a scalar, so the output keeps the table's shape
        Tensor scalar(known->dtype(), {});
        if (isFloat(known->dtype()))
          scalar.setF(0, known->getF(0));
        else
          scalar.setI(0, known->getI(0));
        known = &scalars.emplace_back(std::move(scalar));
      }
      ctx.in.push_back(it != vals.end() ? &it->second : known ? known : i == 0 ? prev : nullptr);
    }
    evalNode(*n, ctx);
    prev = &vals.insert_or_assign(n->outputs[0], std::move(out)).first->second;
  }
  return *prev;
}

// One float tensor in, one out, every other input a constant scalar: an elementwise function of
// one value (Sigmoid, Relu, Clip(min, max), Mul by a scalar, ...).
bool unaryElementwise(const Node* n) {
  if (!n || !n->op || !n->op->elementwise || n->outputs.size() != 1 || !n->outputs[0] || !n->input(0) ||
      !isFloat(n->outputs[0]->dtype) || n->inputs[0]->shape != n->outputs[0]->shape)
    return false;
  for (size_t i = 1; i < n->inputs.size(); ++i)
    if (n->inputs[i] && (!n->inputs[i]->constData() || n->inputs[i]->constData()->numel() != 1)) return false;
  return true;
}

// An elementwise function of one dequantized int8 tensor ending at n, e.g. x * HardSigmoid(x) (the
// TorchScript exporter's HardSwish) or x * Sigmoid(x): float elementwise nodes whose inputs are
// the DequantizeLinear's output, constant scalars or each other's outputs (read only inside).
// Returns the nodes in evaluation order, the DequantizeLinear first; empty when n is not one.
std::vector<const Node*> elementwiseRegion(const Graph& g, const Node* n) {
  constexpr size_t kMaxNodes = 8;
  const Node* dq = nullptr;
  std::vector<const Node*> region{n}, todo{n};
  while (!todo.empty()) {
    const Node* m = todo.back();
    todo.pop_back();
    if (!m->op || !m->op->elementwise || m->outputs.size() != 1 || !m->outputs[0] || !isFloat(m->outputs[0]->dtype))
      return {};
    for (const Value* in : m->inputs) {
      if (!in || (in->constData() && in->constData()->numel() == 1)) continue;
      if (in->shape != n->outputs[0]->shape) return {};
      const Node* p = in->producer;
      if (dequantizedActivation(in)) {
        if (dq && dq != p) return {};
        dq = p;
      } else if (p && std::find(region.begin(), region.end(), p) == region.end()) {
        if (region.size() == kMaxNodes || g.isGraphOutput(in)) return {};
        region.push_back(p);
        todo.push_back(p);
      } else if (!p) {
        return {};
      }
    }
  }
  if (!dq) return {};
  for (const Node* m : region)  // intermediate values are read only inside the region
    for (const Node* u : g.users(m->outputs[0]))
      if (m != n && std::find(region.begin(), region.end(), u) == region.end()) return {};
  // Evaluation order: the graph's (topologically sorted).
  std::vector<const Node*> order{dq};
  for (const auto& m : g.nodes)
    if (std::find(region.begin(), region.end(), m.get()) != region.end()) order.push_back(m.get());
  return order;
}

}  // namespace tinyc::qmatch
