// schedule-memory: a memory-aware topological order. For branched graphs the order in which
// branches run changes how many tensors are live at once; this pass tries a depth-first order
// from the outputs and a greedy one (run the ready node that frees the most / allocates the least
// bytes first) and keeps the best only if its peak of live tensor bytes is lower than the
// current order's. Deterministic.
#include <algorithm>
#include <map>
#include <set>

#include "passes/pass.h"

namespace tinyc {

namespace {

int64_t bytesOf(const Value* v) { return numElements(v->shape) * static_cast<int64_t>(dtypeSize(v->dtype)); }

// Peak of live non-constant, non-input tensor bytes when running `order` (outputs stay live).
int64_t peakOf(const Graph& g, const std::vector<Node*>& order) {
  std::map<const Value*, int> last;
  for (size_t i = 0; i < order.size(); ++i)
    for (const Value* in : order[i]->inputs)
      if (in) last[in] = static_cast<int>(i);
  std::set<const Value*> outs(g.outputs.begin(), g.outputs.end());
  int64_t live = 0, peak = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    for (const Value* o : order[i]->outputs)
      if (o) live += bytesOf(o);
    peak = std::max(peak, live);
    for (const Value* in : order[i]->inputs)
      if (in && in->producer && !outs.count(in) && last[in] == static_cast<int>(i)) {
        live -= bytesOf(in);
        last[in] = -1;  // count once
      }
    for (const Value* o : order[i]->outputs)
      if (o && !outs.count(o) && !last.count(o)) live -= bytesOf(o);  // never read
  }
  return peak;
}

std::vector<Node*> greedyOrder(const Graph& g) {
  std::map<const Node*, size_t> index;
  for (size_t i = 0; i < g.nodes.size(); ++i) index[g.nodes[i].get()] = i;
  std::map<const Value*, int> remainingUses;
  for (const auto& n : g.nodes)
    for (const Value* in : n->inputs)
      if (in) remainingUses[in]++;
  std::map<const Node*, int> pending;
  std::map<const Node*, std::vector<Node*>> consumers;
  for (const auto& n : g.nodes) {
    std::set<const Node*> deps;
    for (const Value* in : n->inputs)
      if (in && in->producer && index.count(in->producer)) deps.insert(in->producer);
    pending[n.get()] = static_cast<int>(deps.size());
    for (const Node* d : deps) consumers[d].push_back(n.get());
  }
  std::set<std::pair<size_t, Node*>> ready;
  for (const auto& n : g.nodes)
    if (pending[n.get()] == 0) ready.insert({index[n.get()], n.get()});
  std::set<const Value*> outs(g.outputs.begin(), g.outputs.end());
  std::vector<Node*> order;
  while (!ready.empty()) {
    // Net bytes: allocated outputs minus inputs this node frees (its last reader).
    auto best = ready.begin();
    int64_t bestNet = INT64_MAX;
    for (auto it = ready.begin(); it != ready.end(); ++it) {
      int64_t net = 0;
      for (const Value* o : it->second->outputs)
        if (o) net += bytesOf(o);
      std::set<const Value*> seen;
      for (const Value* in : it->second->inputs)
        if (in && in->producer && !outs.count(in) && seen.insert(in).second) {
          int uses = 0;
          for (const Value* x : it->second->inputs) uses += x == in;
          if (remainingUses[in] == uses) net -= bytesOf(in);
        }
      if (net < bestNet) {
        bestNet = net;
        best = it;
      }
    }
    Node* n = best->second;
    ready.erase(best);
    order.push_back(n);
    for (const Value* in : n->inputs)
      if (in) remainingUses[in]--;
    for (Node* c : consumers[n])
      if (--pending[c] == 0) ready.insert({index[c], c});
  }
  return order;
}

// Depth-first from the graph outputs: each node runs right after the inputs it needs, so a
// tensor feeding a single consumer (e.g. dequantized weights) is created just before its use.
std::vector<Node*> depthFirstOrder(const Graph& g) {
  std::set<const Node*> done;
  std::vector<Node*> order;
  std::vector<std::pair<Node*, size_t>> stack;
  auto visit = [&](Node* root) {
    if (!root || done.count(root)) return;
    stack.push_back({root, 0});
    std::set<const Node*> onStack{root};
    while (!stack.empty()) {
      auto& [n, i] = stack.back();
      if (i < n->inputs.size()) {
        Value* in = n->inputs[i++];
        Node* p = in ? in->producer : nullptr;
        if (p && !done.count(p) && !onStack.count(p)) {
          stack.push_back({p, 0});
          onStack.insert(p);
        }
        continue;
      }
      done.insert(n);
      order.push_back(n);
      onStack.erase(n);
      stack.pop_back();
    }
  };
  for (Value* o : g.outputs) visit(o->producer);
  for (const auto& n : g.nodes) visit(n.get());  // nodes not feeding an output
  return order;
}

class ScheduleMemory : public Pass {
 public:
  bool run(Graph& g, PassContext& ctx) override {
    std::vector<Node*> current;
    for (auto& n : g.nodes) current.push_back(n.get());
    int64_t before = peakOf(g, current), after = before;
    std::vector<Node*> greedy;
    for (auto cand : {depthFirstOrder(g), greedyOrder(g)}) {
      if (cand.size() != current.size()) continue;
      int64_t p = peakOf(g, cand);
      if (p < after) {
        after = p;
        greedy = cand;
      }
    }
    if (greedy.empty()) return false;
    std::map<Node*, size_t> pos;
    for (size_t i = 0; i < greedy.size(); ++i) pos[greedy[i]] = i;
    std::stable_sort(g.nodes.begin(), g.nodes.end(),
                     [&](const std::unique_ptr<Node>& a, const std::unique_ptr<Node>& b) { return pos[a.get()] < pos[b.get()]; });
    ctx.count("peak bytes saved", before - after);
    return true;
  }
};

}  // namespace

std::unique_ptr<Pass> createScheduleMemory() { return std::make_unique<ScheduleMemory>(); }

}  // namespace tinyc
