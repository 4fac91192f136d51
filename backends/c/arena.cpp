// Arena layout of the C backend (see arena.h and docs/memory.md).
#include "backends/c/arena.h"

#include <algorithm>
#include <optional>
#include <tuple>
#include <utility>

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
// (Values computed in a graph output's buffer, ArenaOptions::inOutputs, are not arena values.)
Liveness liveness(const Graph& g, const std::vector<const Node*>& nodes,
                  const std::map<const Value*, OutputSlot>& inOutputs) {
  std::set<const Value*> outputs(g.outputs.begin(), g.outputs.end());
  Liveness l;
  for (size_t i = 0; i < nodes.size(); ++i) {
    for (const Value* in : nodes[i]->inputs)
      if (in) l.lastUse[in] = static_cast<int>(i);
    for (const Value* v : nodes[i]->outputs)
      if (v && !outputs.count(v) && !inOutputs.count(v)) {
        l.first[v] = static_cast<int>(i);
        l.arenaValues.push_back(v);
      }
  }
  return l;
}

// A Concat input that may be written in place: (node, input index).
using SliceChoice = std::pair<const Node*, size_t>;
// Which slice placements a draft may make: all (nullptr) or only those in the set.
using SliceFilter = const std::set<SliceChoice>*;

// Concat in place: input i of n may live at byte offset slices[i] of output 0 when it is an
// arena value used once by n, with n's dtype, alone in a group of its own size (a value already
// inside another Concat's output is copied instead). Its whole group moves into out's group.
// `eligible` collects the inputs that pass the checks which do not depend on other choices.
void placeSlices(const Node& n, const std::vector<std::optional<int64_t>>& slices, const Liveness& l,
                 SliceFilter allowed, Groups& groups, std::vector<SliceChoice>* placed,
                 std::vector<SliceChoice>* eligible) {
  const Value* out = n.outputs[0];
  for (size_t i = 0; i < n.inputs.size() && i < slices.size(); ++i) {
    const Value* a = n.inputs[i];
    if (!slices[i] || !a || !l.first.count(a) || a->dtype != out->dtype || bytesOf(a) == 0) continue;
    if (std::count(n.inputs.begin(), n.inputs.end(), a) != 1) continue;
    eligible->push_back({&n, i});
    if (allowed && !allowed->count({&n, i})) continue;
    if (!groups.fillsGroup(a) || groups.root(a) == groups.root(out)) continue;
    groups.merge(a, out, *slices[i]);
    placed->push_back({&n, i});
  }
}

// The buffers of one aliasing choice, not yet planned.
struct Draft {
  Liveness l;
  Groups groups;
  ArenaLayout a;                         // buffers, scratch, io, counts; no plan or slots yet
  std::map<const Value*, size_t> bufOf;  // group root -> buffer
  std::vector<SliceChoice> placed;       // Concat inputs placed in their output, in schedule order
  std::vector<SliceChoice> eligible;     // Concat inputs that could be, given the other choices
  std::map<const Node*, int64_t> overwrote;  // nodes computing over their input -> their scratch
};

Draft draft(const Graph& g, const std::vector<const Node*>& nodes, const ArenaOptions& o, SliceFilter allowed) {
  Draft d;
  d.l = liveness(g, nodes, o.inOutputs);
  const Liveness& l = d.l;
  const auto& first = l.first;
  auto lastOf = [&](const Value* v) { return l.lastUse.count(v) ? l.lastUse.at(v) : first.at(v); };
  ArenaLayout& a = d.a;
  Groups& groups = d.groups;

  // Aliasing (in-place execution): a view's output shares its input's memory; an elementwise
  // op's output may take over an input of the same shape that nobody reads afterwards (its
  // whole group dead); Concat inputs may be produced inside the Concat's output. Groups are
  // built in schedule order, so a decision at step i sees every merge made before it.
  for (const Value* v : l.arenaValues) groups.add(v, first.at(v), lastOf(v));
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node* n = nodes[i];
    const CKernel* k = KernelTable::instance().find(*n, *o.target);
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
      // No other input may live in the target's memory (a Concat slice of it, or a view): that
      // one is read at other indices (broadcast) while the output overwrites it (long run seed 7,
      // graph 612: an int16 Add of a Concat's output and its own first half, in place).
      auto sharesMemory = [&](const Value* in) {
        for (const Value* o : n->inputs)
          if (o && o != in && first.count(o) && groups.root(o) == groups.root(in)) return true;
        return false;
      };
      for (const Value* in : n->inputs)
        if (joinable(in) && in->shape == out->shape && groups.fillsGroup(in) &&
            groups.last(groups.root(in)) <= static_cast<int>(i) && !sharesMemory(in)) {
          target = in;
          break;
        }
    }
    if (!target && k->inPlaceScratch && o.overwrite && o.overwrite->count(n)) {
      // Computing over the input: it must be dead after this node and fill its own buffer.
      const Value* in = n->input(0);
      const int64_t scratch = k->inPlaceScratch(*n);
      if (scratch >= 0 && in && first.count(in) && in->dtype == out->dtype && bytesOf(out) <= bytesOf(in) &&
          groups.fillsGroup(in) && groups.last(groups.root(in)) <= static_cast<int>(i)) {
        target = in;
        d.overwrote[n] = scratch;
      }
    }
    if (target) {
      groups.merge(out, target, 0);  // out (alone in its group) goes to target's location
      a.aliases++;
    }
    if (k->inputSlices && groups.root(out) == out)
      placeSlices(*n, k->inputSlices(*n), l, allowed, groups, &d.placed, &d.eligible);
  }
  a.concatInPlace = static_cast<int>(d.placed.size());
  for (const auto& [n, bytes] : d.overwrote) a.overwriteInPlace[n->opType]++;
  // An in-place write must not clobber a view that is read later: views extend their group,
  // elementwise targets were required dead (group last use <= the writing step), and a Concat
  // group lives from its first slice's producer to the last reader of any member.

  // One buffer per group, listed when its root is defined (after that node's scratch).
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node* n = nodes[i];
    const CKernel* k = KernelTable::instance().find(*n, *o.target);
    int64_t scratch = d.overwrote.count(n) ? d.overwrote.at(n) : k && k->scratchBytes ? k->scratchBytes(*n) : 0;
    if (k && k->inPlaceScratch && n->input(0) && o.inOutputs.count(n->input(0)))  // over it, in the output
      scratch = k->inPlaceScratch(*n);
    if (scratch > 0) {
      a.scratch[n] = a.buffers.size();
      a.buffers.push_back({scratch, o.align, static_cast<int>(i), static_cast<int>(i), n->name + " (scratch)"});
    }
    for (const Value* v : n->outputs) {
      if (!v || !first.count(v) || groups.root(v) != v) continue;
      d.bufOf[v] = a.buffers.size();
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
  return d;
}

// Plans a draft's buffers and gives every arena value its slot.
ArenaLayout finish(Draft d, const std::string& planner) {
  ArenaLayout a = std::move(d.a);
  a.plan = planMemory(a.buffers, planner);
  verifyPlan(a.buffers, a.plan);
  // Slots and C variables: one per (buffer, offset, dtype), named after its first-defined value.
  std::map<std::tuple<size_t, int64_t, DType>, const Value*> byLocation;
  for (const Value* v : d.l.arenaValues) {
    ArenaSlot s{d.bufOf.at(d.groups.root(v)), d.groups.offset(v)};
    a.slots[v] = s;
    auto key = std::make_tuple(s.buffer, s.offset, v->dtype);
    a.representative[v] = byLocation.emplace(key, v).first->second;
  }
  return a;
}

// Which Concat inputs to place: starting from none, a choice is kept when it does not raise
// the liveness lower bound of the buffers (cheap: no planning). Concats go from the last in the
// schedule to the first. For each, two tries from the same start, the lower bound kept (ties:
// the one placing more): all its inputs at once (branches may only pay off together: one branch alone
// keeps the output live next to the other branches' buffers), and each input alone from the
// last produced to the first (the input produced just before the Concat extends the output's
// lifetime least). A chain of nested Concats (DenseNet) so stops growing back before it would
// reserve a whole block's output at the peak.
std::set<SliceChoice> chooseSlices(const Graph& g, const std::vector<const Node*>& nodes, const ArenaOptions& o,
                                   const std::vector<SliceChoice>& candidates) {
  struct State {
    std::set<SliceChoice> chosen;
    int64_t bound = 0;
  };
  // Adds `add` to s when all of it is placed and the bound does not grow.
  auto tryAdd = [&](State& s, const std::vector<SliceChoice>& add) {
    State t = s;
    t.chosen.insert(add.begin(), add.end());
    Draft d = draft(g, nodes, o, &t.chosen);
    t.bound = liveLowerBound(d.a.buffers);
    for (const SliceChoice& c : add)
      if (std::find(d.placed.begin(), d.placed.end(), c) == d.placed.end()) return;
    if (t.bound <= s.bound) s = std::move(t);
  };
  State s;
  s.bound = liveLowerBound(draft(g, nodes, o, &s.chosen).a.buffers);
  for (size_t end = candidates.size(); end > 0;) {
    size_t begin = end;  // [begin, end): the candidates of one Concat node
    while (begin > 0 && candidates[begin - 1].first == candidates[end - 1].first) begin--;
    std::vector<SliceChoice> inputs(candidates.begin() + static_cast<std::ptrdiff_t>(begin),
                                    candidates.begin() + static_cast<std::ptrdiff_t>(end));
    State together = s, alone = s;
    tryAdd(together, inputs);
    for (auto it = inputs.rbegin(); it != inputs.rend(); ++it) tryAdd(alone, {*it});
    const bool aloneBetter = alone.bound < together.bound ||
                             (alone.bound == together.bound && alone.chosen.size() > together.chosen.size());
    s = aloneBetter ? std::move(alone) : std::move(together);
    end = begin;
  }
  return s.chosen;
}

// Which nodes compute over their input (CKernel::inPlaceScratch): one whose output is as large
// as its input always (one buffer instead of two, never a higher peak); a smaller output (a
// strided depthwise) keeps the larger buffer alive as long as the output, so it is kept only
// when the liveness lower bound does not rise, tried from the last such node to the first.
std::set<const Node*> chooseOverwrites(const Graph& g, const std::vector<const Node*>& nodes, ArenaOptions o) {
  std::set<const Node*> chosen;
  std::vector<const Node*> shrinking;
  for (const Node* n : nodes) {
    const CKernel* k = KernelTable::instance().find(*n, *o.target);
    if (!k || !k->inPlaceScratch || k->inPlaceScratch(*n) < 0 || !n->input(0)) continue;
    if (bytesOf(n->outputs[0]) == bytesOf(n->input(0)) && !k->inPlaceWhenSmaller)
      chosen.insert(n);
    else
      shrinking.push_back(n);
  }
  if (shrinking.empty()) return chosen;
  const std::set<SliceChoice> none;
  o.overwrite = &chosen;
  int64_t bound = liveLowerBound(draft(g, nodes, o, &none).a.buffers);
  for (auto it = shrinking.rbegin(); it != shrinking.rend(); ++it) {
    std::set<const Node*> t = chosen;
    t.insert(*it);
    o.overwrite = &t;
    const int64_t b = liveLowerBound(draft(g, nodes, o, &none).a.buffers);
    const CKernel* k = KernelTable::instance().find(**it, *o.target);
    if (b < bound || (b == bound && !k->inPlaceWhenSmaller)) {
      bound = b;
      chosen = std::move(t);
    }
  }
  return chosen;
}

// Kernel scratch that can use more (CKernel::scratchBytesMax: a blocked GEMM's larger blocks run
// faster) grows into the room under the arena's peak: at each such node up to the liveness lower
// bound minus what is live there, so the bound does not move. Kept when the planner still reaches
// the same arena with the grown buffers.
void growScratch(ArenaLayout& a, const ArenaOptions& o) {
  const int64_t bound = liveLowerBound(a.buffers);
  std::vector<LiveBuffer> grown = a.buffers;
  bool any = false;
  for (const auto& [n, b] : a.scratch) {
    const CKernel* k = KernelTable::instance().find(*n, *o.target);
    if (!k || !k->scratchBytesMax || !k->scratchBytes || k->scratchBytes(*n) != a.buffers[b].bytes) continue;
    const int64_t most = k->scratchBytesMax(*n);
    const int step = a.buffers[b].first;
    int64_t live = 0;
    for (const LiveBuffer& x : a.buffers)
      if (x.first <= step && step <= x.last) live += x.bytes;
    const int64_t room = (bound - live) / o.align * o.align;
    const int64_t bytes = std::min(most, a.buffers[b].bytes + std::max<int64_t>(0, room));
    if (bytes > a.buffers[b].bytes) {
      grown[b].bytes = bytes;
      any = true;
    }
  }
  if (!any) return;
  MemoryPlan plan = planMemory(grown, o.planner);
  if (plan.arenaBytes > a.plan.arenaBytes) return;
  verifyPlan(grown, plan);
  for (size_t b = 0; b < grown.size(); ++b)
    if (grown[b].bytes != a.buffers[b].bytes) a.scratchLeast[b] = a.buffers[b].bytes;
  a.buffers = std::move(grown);
  a.plan = std::move(plan);
}

}  // namespace

std::map<const Value*, OutputSlot> valuesInOutputs(const Graph& g, const std::vector<const Node*>& nodes,
                                                   const ArenaOptions& o) {
  std::map<const Value*, OutputSlot> in;
  if (o.ioInArena) return in;
  std::map<const Value*, int> readers;  // reads by emitted nodes
  std::set<const Node*> emitted(nodes.begin(), nodes.end());
  for (const Node* n : nodes)
    for (const Value* v : n->inputs)
      if (v) readers[v]++;
  auto isInput = [&](const Value* v) { return std::find(g.inputs.begin(), g.inputs.end(), v) != g.inputs.end(); };
  // v may be written where `into` (an output or a value inside one) is, at byte `at` of it.
  auto movable = [&](const Value* v, const Value* into) {
    return v && v->producer && emitted.count(v->producer) && !g.isGraphOutput(v) && !isInput(v) && !in.count(v) &&
           v->dtype == into->dtype && bytesOf(v) > 0 && readers[v] == 1;
  };
  std::vector<std::pair<const Value*, OutputSlot>> work;  // values placed, whose producers to look at
  for (size_t j = 0; j < g.outputs.size(); ++j)
    if (j < o.directOutputs.size() && o.directOutputs[j] && std::count(g.outputs.begin(), g.outputs.end(), g.outputs[j]) == 1)
      work.push_back({g.outputs[j], {j, 0}});
  while (!work.empty()) {
    const auto [cur, slot] = work.back();
    work.pop_back();
    const Node* t = cur->producer;
    if (!t || !emitted.count(t) || t->outputs.empty() || t->outputs[0] != cur) continue;
    if (std::any_of(t->outputs.begin() + 1, t->outputs.end(), [](const Value* x) { return x != nullptr; })) continue;
    if (const CKernel* k = KernelTable::instance().find(*t, *o.target); k) {
      const Value* v = t->input(0);
      if (k->inputSlices) {  // Concat: its inputs written at their slices
        const auto slices = k->inputSlices(*t);
        for (size_t i = 0; i < t->inputs.size() && i < slices.size(); ++i) {
          const Value* a = t->inputs[i];
          if (!slices[i] || !movable(a, cur) || std::count(t->inputs.begin(), t->inputs.end(), a) != 1) continue;
          in[a] = {slot.output, slot.offset + *slices[i]};
          work.push_back({a, in[a]});
        }
      } else if (movable(v, cur) && bytesOf(v) == bytesOf(cur) &&
                 (k->view || (k->elementwise && v->shape == cur->shape) ||
                  (k->inPlaceScratch && k->inPlaceScratch(*t) >= 0))) {
        in[v] = slot;
        work.push_back({v, slot});
      }
    }
  }
  return in;
}

ArenaLayout planArena(const Graph& g, const std::vector<const Node*>& nodes, const ArenaOptions& given) {
  using C = ArenaOptions::Concat;
  const std::set<const Node*> overwrites = chooseOverwrites(g, nodes, given);
  ArenaOptions o = given;
  o.overwrite = &overwrites;
  const std::set<SliceChoice> none;
  Draft all = draft(g, nodes, o, o.concat == C::Off ? &none : nullptr);
  if (all.placed.empty()) {
    ArenaLayout a = finish(std::move(all), o.planner);
    a.arenaWithoutConcatInPlace = a.plan.arenaBytes;
    a.inOutputs = o.inOutputs;
    growScratch(a, o);
    return a;
  }
  // Reserving a whole Concat output from its first slice's producer on can raise the peak. Plan
  // every Concat input in place, the selection that keeps the lower bound, and none; keep the
  // smallest arena (ties: the one with more inputs in place, it saves copies).
  std::vector<ArenaLayout> options;
  const std::vector<SliceChoice> candidates = all.eligible, placed = all.placed;
  options.push_back(finish(std::move(all), o.planner));
  if (o.concat == C::Auto) {
    const std::set<SliceChoice> chosen = chooseSlices(g, nodes, o, candidates);
    if (chosen != std::set<SliceChoice>(placed.begin(), placed.end()) && !chosen.empty())
      options.push_back(finish(draft(g, nodes, o, &chosen), o.planner));
  }
  options.push_back(finish(draft(g, nodes, o, &none), o.planner));
  const int64_t without = options.back().plan.arenaBytes;
  if (o.concat == C::On) options.pop_back();
  size_t best = 0;
  for (size_t i = 1; i < options.size(); ++i)
    if (options[i].plan.arenaBytes < options[best].plan.arenaBytes) best = i;
  options[best].arenaWithoutConcatInPlace = without;
  options[best].inOutputs = o.inOutputs;
  growScratch(options[best], o);
  return std::move(options[best]);
}

MemoryReport memoryReport(const ArenaLayout& a, const std::vector<const Node*>& nodes) {
  MemoryReport m;
  m.buffers = a.buffers;
  m.plan = a.plan;
  m.lowerBound = liveLowerBound(a.buffers);  // over the planned buffers: each group counted once
  m.greedyBySize = planMemory(a.buffers, "greedy-by-size").arenaBytes;
  std::vector<LiveBuffer> least = a.buffers;  // the peak with the least scratch (growScratch fills room only)
  for (const auto& [b, bytes] : a.scratchLeast) least[b].bytes = bytes;
  m.peakStep = peakStep(least);
  if (m.peakStep >= 0 && m.peakStep < static_cast<int>(nodes.size()))
    m.peakNode = nodes[static_cast<size_t>(m.peakStep)]->name;
  for (const auto& b : a.buffers)
    if (b.first <= m.peakStep && m.peakStep <= b.last) m.peakTensors.push_back(b.label);
  for (const auto& [n, b] : a.scratch) {
    m.scratchBytes[n->name] = a.buffers[b].bytes;
    m.scratchOffsets[n->name] = a.plan.offsets[b];
  }
  for (const auto& [v, slot] : a.slots) m.valueOffsets[v->name] = a.address(v);
  for (const auto& [v, slot] : a.inOutputs) m.valuesInOutputs[v->name] = slot.output;
  m.concatInPlace = a.concatInPlace;
  m.overwriteInPlace = a.overwriteInPlace;
  m.arenaWithoutConcatInPlace = a.arenaWithoutConcatInPlace;
  return m;
}

}  // namespace tinyc::c
