// Arena layout of the C backend (see arena.h and docs/memory.md).
#include "backends/c/arena.h"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "backends/c/c_emit.h"

namespace tinyc::c {

namespace {

int64_t bytesOf(const Value* v) { return numElements(v->shape) * static_cast<int64_t>(dtypeSize(v->dtype)); }

// Alias groups as a flattened union-find with offsets: every arena value has a root (the value
// whose buffer the group is planned as) and a byte offset inside the root's buffer. Groups are
// merged by moving all members of one group into another at a given offset.
class Groups {
 public:
  void add(const Value* v, int first, int last) {
    root_[v] = v;
    offset_[v] = 0;
    members_[v] = {v};
    bytes_[v] = bytesOf(v);
    first_[v] = first;
    last_[v] = last;
  }
  const Value* root(const Value* v) const { return root_.at(v); }
  int64_t offset(const Value* v) const { return offset_.at(v); }
  int64_t bytes(const Value* root) const { return bytes_.at(root); }
  int first(const Value* root) const { return first_.at(root); }
  int last(const Value* root) const { return last_.at(root); }
  // v alone is its group's whole buffer, at offset 0, no larger than v: what a view or an
  // elementwise target must be for behaviour to stay the same as same-size aliasing, and
  // what a Concat input must be to move into the Concat's output.
  bool fillsGroup(const Value* v) const { return offset(v) == 0 && bytes(root(v)) == bytesOf(v); }

  // Moves every member of `from`'s group into `into`'s group at `into`'s offset + `at`. The
  // group then lives from its first member's producer to its last member's last reader.
  void merge(const Value* from, const Value* into, int64_t at) {
    const Value* rf = root(from);
    const Value* ri = root(into);
    const int64_t base = offset(into) + at;
    for (const Value* m : members_[rf]) {
      root_[m] = ri;
      offset_[m] += base;
      members_[ri].push_back(m);
    }
    first_[ri] = std::min(first_[ri], first_[rf]);
    last_[ri] = std::max(last_[ri], last_[rf]);
    members_.erase(rf);
  }

 private:
  std::map<const Value*, const Value*> root_;
  std::map<const Value*, int64_t> offset_;
  std::map<const Value*, std::vector<const Value*>> members_;  // by root, in order of joining
  std::map<const Value*, int64_t> bytes_;                      // by root
  std::map<const Value*, int> first_, last_;                   // by root
};

struct Liveness {
  std::map<const Value*, int> first, lastUse;
  std::vector<const Value*> arenaValues;  // in order of definition
};

// Arena values: every output of an emitted node that is not a graph output. Liveness over the
// emitted schedule: written at its producer's step, read up to its last consumer's step.
Liveness liveness(const Graph& g, const std::vector<const Node*>& nodes) {
  std::set<const Value*> outputs(g.outputs.begin(), g.outputs.end());
  Liveness l;
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const Value* in : nodes[i]->inputs)
      if (in) l.lastUse[in] = static_cast<int>(i);
    for (const Value* v : nodes[i]->outputs)
      if (v && !outputs.count(v)) {
        l.first[v] = static_cast<int>(i);
        l.arenaValues.push_back(v);
      }
  }
  return l;
}

// Concat in place: input i of n may live at byte offset slices[i] of output 0 when it is an
// arena value used once by n, with n's dtype, alone in a group of its own size (a value already
// inside another Concat's output is copied instead). Its whole group moves into out's group.
int placeSlices(const Node& n, const std::vector<std::optional<int64_t>>& slices, const Liveness& l, Groups& groups) {
  const Value* out = n.outputs[0];
  int placed = 0;
  for (size_t i = 0; i < n.inputs.size() && i < slices.size(); ++i) {
    const Value* a = n.inputs[i];
    if (!slices[i] || !a || !l.first.count(a) || a->dtype != out->dtype || bytesOf(a) == 0) continue;
    if (std::count(n.inputs.begin(), n.inputs.end(), a) != 1) continue;
    if (!groups.fillsGroup(a) || groups.root(a) == groups.root(out)) continue;
    groups.merge(a, out, *slices[i]);
    placed++;
  }
  return placed;
}

// One layout; `concat` says whether Concat inputs may be placed inside the Concat output.
ArenaLayout layout(const Graph& g, const std::vector<const Node*>& nodes, const ArenaOptions& o, bool concat) {
  const Liveness l = liveness(g, nodes);
  const auto& first = l.first;
  auto lastOf = [&](const Value* v) { return l.lastUse.count(v) ? l.lastUse.at(v) : first.at(v); };
  ArenaLayout a;

  // Aliasing (in-place execution): a view's output shares its input's memory; an elementwise
  // op's output may take over an input of the same shape that nobody reads afterwards (its
  // whole group dead); Concat inputs may be produced inside the Concat's output. Groups are
  // built in schedule order, so a decision at step i sees every merge made before it.
  Groups groups;
  for (const Value* v : l.arenaValues) groups.add(v, first.at(v), lastOf(v));
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node* n = nodes[i];
    const CKernel* k = KernelTable::instance().find(n->opType);
    const Value* out = n->outputs.empty() ? nullptr : n->outputs[0];
    if (!k || !out || !first.count(out)) continue;
    auto joinable = [&](const Value* in) {
      return in && first.count(in) && bytesOf(in) == bytesOf(out) && in->dtype == out->dtype;
    };
    const Value* target = nullptr;
    if (k->view && joinable(n->input(0))) {
      target = n->input(0);
    } else if (k->elementwise) {
      // The target must fill its group: taking over a slice of a larger (Concat) buffer would
      // keep the whole buffer alive for a tensor of the slice's size.
      for (const Value* in : n->inputs)
        if (joinable(in) && in->shape == out->shape && groups.fillsGroup(in) &&
            groups.last(groups.root(in)) <= static_cast<int>(i)) {
          target = in;
          break;
        }
    }
    if (target) {
      groups.merge(out, target, 0);  // out (alone in its group) goes to target's location
      a.aliases++;
    }
    if (concat && k->inputSlices && groups.root(out) == out) a.concatInPlace += placeSlices(*n, k->inputSlices(*n), l, groups);
  }
  // An in-place write must not clobber a view that is read later: views extend their group,
  // and elementwise targets were required dead (group last use <= the writing step).

  // One buffer per group, listed when its root is defined (after that node's scratch).
  std::map<const Value*, size_t> bufOf;  // root -> buffer
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node* n = nodes[i];
    const CKernel* k = KernelTable::instance().find(n->opType);
    int64_t scratch = k && k->scratchBytes ? k->scratchBytes(*n) : 0;
    if (scratch > 0) {
      a.scratch[n] = a.buffers.size();
      a.buffers.push_back({scratch, o.align, static_cast<int>(i), static_cast<int>(i), n->name + " (scratch)"});
    }
    for (const Value* v : n->outputs) {
      if (!v || !first.count(v) || groups.root(v) != v) continue;
      bufOf[v] = a.buffers.size();
      const int f = groups.first(v);
      a.buffers.push_back({groups.bytes(v), o.align, f, std::max(groups.last(v), f), v->name});
    }
  }
  // --io-in-arena: graph inputs (live from the start to their last reader) and outputs (from
  // their producer, or the final copy, to the end) are planned like any other buffer.
  const int end = std::max(0, static_cast<int>(nodes.size()) - 1);
  if (o.ioInArena) {
    for (size_t i = 0; i < g.inputs.size(); ++i) {
      const Value* v = g.inputs[i];
      int last = l.lastUse.count(v) ? l.lastUse.at(v) : 0;
      if (std::find(g.outputs.begin(), g.outputs.end(), v) != g.outputs.end()) last = end;
      a.inputBuffers.push_back(a.buffers.size());
      a.buffers.push_back({bytesOf(v), o.align, 0, last, fmt::format("input {}", i)});
    }
    for (size_t j = 0; j < g.outputs.size(); ++j) {
      const Value* v = g.outputs[j];
      int firstStep = j < o.directOutputs.size() && o.directOutputs[j] ? -1 : end;
      if (firstStep < 0)
        for (size_t i = 0; i < nodes.size(); ++i)
          if (nodes[i] == v->producer) firstStep = static_cast<int>(i);
      a.keepAlive.insert(a.buffers.size());
      a.outputBuffers.push_back(a.buffers.size());
      a.buffers.push_back({bytesOf(v), o.align, std::max(firstStep, 0), end, fmt::format("output {}", j)});
    }
  }
  a.plan = planMemory(a.buffers, o.planner);
  verifyPlan(a.buffers, a.plan);

  // Slots and C variables: one per (buffer, offset, dtype), named after its first-defined value.
  std::map<std::tuple<size_t, int64_t, DType>, const Value*> byLocation;
  for (const Value* v : l.arenaValues) {
    ArenaSlot s{bufOf.at(groups.root(v)), groups.offset(v)};
    a.slots[v] = s;
    auto key = std::make_tuple(s.buffer, s.offset, v->dtype);
    a.representative[v] = byLocation.emplace(key, v).first->second;
  }
  return a;
}

}  // namespace

ArenaLayout planArena(const Graph& g, const std::vector<const Node*>& nodes, const ArenaOptions& o) {
  using C = ArenaOptions::Concat;
  ArenaLayout with = layout(g, nodes, o, o.concat != C::Off);
  if (with.concatInPlace == 0) {
    with.arenaWithoutConcatInPlace = with.plan.arenaBytes;
    return with;
  }
  if (o.concat == C::On) {
    with.arenaWithoutConcatInPlace = layout(g, nodes, o, false).plan.arenaBytes;
    return with;
  }
  // Reserving a whole Concat output from its first input's producer on can raise the peak
  // (the slices are live longer together): keep the smaller arena; a tie keeps the in-place
  // layout, which saves the copies.
  ArenaLayout without = layout(g, nodes, o, false);
  const int64_t withoutBytes = without.plan.arenaBytes;
  ArenaLayout& best = with.plan.arenaBytes <= withoutBytes ? with : without;
  best.arenaWithoutConcatInPlace = withoutBytes;
  return std::move(best);
}

MemoryReport memoryReport(const ArenaLayout& a, const std::vector<const Node*>& nodes) {
  MemoryReport m;
  m.buffers = a.buffers;
  m.plan = a.plan;
  m.lowerBound = liveLowerBound(a.buffers);  // over the planned buffers: each group counted once
  m.greedyBySize = planMemory(a.buffers, "greedy-by-size").arenaBytes;
  m.peakStep = peakStep(a.buffers);
  if (m.peakStep >= 0 && m.peakStep < static_cast<int>(nodes.size()))
    m.peakNode = nodes[static_cast<size_t>(m.peakStep)]->name;
  for (const auto& b : a.buffers)
    if (b.first <= m.peakStep && m.peakStep <= b.last) m.peakTensors.push_back(b.label);
  m.concatInPlace = a.concatInPlace;
  m.arenaWithoutConcatInPlace = a.arenaWithoutConcatInPlace;
  return m;
}

}  // namespace tinyc::c
