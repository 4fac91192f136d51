#include "passes/memory/plan.h"

#include <algorithm>
#include <functional>
#include <map>
#include <numeric>
#include <random>

#include "support/error.h"

namespace tinyc {

namespace {

int64_t alignUp(int64_t x, int64_t a) { return a <= 1 ? x : (x + a - 1) / a * a; }
bool overlapsInTime(const LiveBuffer& a, const LiveBuffer& b) { return a.first <= b.last && b.first <= a.last; }

std::vector<size_t> iota(size_t n) {
  std::vector<size_t> v(n);
  std::iota(v.begin(), v.end(), 0);
  return v;
}

// For each buffer, the others with bytes that are live at one of its steps (the only ones its
// placement must avoid). Built once per plan; placing an order then costs O(sum of conflicts).
using Conflicts = std::vector<std::vector<size_t>>;
Conflicts timeConflicts(const std::vector<LiveBuffer>& bufs) {
  Conflicts c(bufs.size());
  auto byFirst = iota(bufs.size());
  std::stable_sort(byFirst.begin(), byFirst.end(), [&](size_t x, size_t y) { return bufs[x].first < bufs[y].first; });
  for (size_t a = 0; a < byFirst.size(); ++a) {
    const LiveBuffer& x = bufs[byFirst[a]];
    for (size_t b = a + 1; b < byFirst.size() && bufs[byFirst[b]].first <= x.last; ++b) {
      const LiveBuffer& y = bufs[byFirst[b]];
      if (x.bytes == 0 || y.bytes == 0) continue;
      c[byFirst[a]].push_back(byFirst[b]);
      c[byFirst[b]].push_back(byFirst[a]);
    }
  }
  return c;
}

// Places buffers in the given order. bestFit=false: lowest offset that fits; true: the gap that
// wastes least (ties: lowest offset). Returns the arena size; fills offsets.
int64_t place(const std::vector<LiveBuffer>& bufs, const Conflicts& conflicts, const std::vector<size_t>& order,
              bool bestFit, std::vector<int64_t>& offsets) {
  offsets.assign(bufs.size(), -1);
  int64_t arena = 0;
  std::vector<std::pair<int64_t, int64_t>> busy;
  for (size_t i : order) {
    const LiveBuffer& b = bufs[i];
    busy.clear();
    for (size_t j : conflicts[i])
      if (offsets[j] >= 0) busy.emplace_back(offsets[j], offsets[j] + bufs[j].bytes);
    std::sort(busy.begin(), busy.end());
    int64_t best = -1, bestWaste = INT64_MAX, cursor = 0;
    for (size_t k = 0; k <= busy.size(); ++k) {
      int64_t start = alignUp(cursor, b.align);
      int64_t end = k < busy.size() ? busy[k].first : INT64_MAX;
      if (start + b.bytes <= end) {
        if (!bestFit) {
          best = start;
          break;
        }
        int64_t waste = end == INT64_MAX ? INT64_MAX - 1 : end - start - b.bytes;
        if (waste < bestWaste) {
          bestWaste = waste;
          best = start;
        }
      }
      if (k < busy.size()) cursor = std::max(cursor, busy[k].second);
    }
    offsets[i] = best;
    arena = std::max(arena, best + b.bytes);
  }
  return arena;
}

template <typename Key>
std::vector<size_t> orderBy(const std::vector<LiveBuffer>& b, Key key) {
  auto o = iota(b.size());
  std::stable_sort(o.begin(), o.end(), [&](size_t x, size_t y) { return key(b[x]) > key(b[y]); });
  return o;
}

std::vector<int64_t> conflictBytes(const std::vector<LiveBuffer>& b, const Conflicts& conflicts) {
  std::vector<int64_t> c(b.size(), 0);
  for (size_t i = 0; i < b.size(); ++i)
    for (size_t j : conflicts[i]) c[i] += b[j].bytes;
  return c;
}

MemoryPlan make(const std::vector<LiveBuffer>& b, const std::vector<size_t>& order, bool bestFit, const char* name) {
  MemoryPlan p;
  p.planner = name;
  p.arenaBytes = place(b, timeConflicts(b), order, bestFit, p.offsets);
  return p;
}

MemoryPlan greedyBySize(const std::vector<LiveBuffer>& b) {
  return make(b, orderBy(b, [](const LiveBuffer& x) { return x.bytes; }), false, "greedy-by-size");
}

MemoryPlan greedyByConflicts(const std::vector<LiveBuffer>& b) {
  auto c = conflictBytes(b, timeConflicts(b));
  auto o = iota(b.size());
  std::stable_sort(o.begin(), o.end(), [&](size_t x, size_t y) {
    if (c[x] + b[x].bytes != c[y] + b[y].bytes) return c[x] + b[x].bytes > c[y] + b[y].bytes;
    return b[x].bytes > b[y].bytes;
  });
  return make(b, o, false, "greedy-by-conflicts");
}

// Exact for small inputs: tries every order (with pruning); first-fit placement of an order
// reaches every "left-packed" layout, which contains an optimal one.
MemoryPlan exact(const std::vector<LiveBuffer>& b, const Conflicts& conflicts, int64_t upper) {
  MemoryPlan best;
  best.arenaBytes = upper + 1;
  std::vector<size_t> order;
  std::vector<bool> used(b.size(), false);
  std::vector<int64_t> offs;
  int64_t lb = liveLowerBound(b);
  std::function<void()> rec = [&]() {
    if (best.arenaBytes <= lb) return;
    if (order.size() == b.size()) {
      int64_t a = place(b, conflicts, order, false, offs);
      if (a < best.arenaBytes) {
        best.arenaBytes = a;
        best.offsets = offs;
      }
      return;
    }
    // prune: partial placement already too large
    if (!order.empty() && place(b, conflicts, order, false, offs) >= best.arenaBytes) return;
    for (size_t i = 0; i < b.size(); ++i) {
      if (used[i]) continue;
      used[i] = true;
      order.push_back(i);
      rec();
      order.pop_back();
      used[i] = false;
    }
  };
  rec();
  best.planner = "search";
  return best;
}

MemoryPlan search(const std::vector<LiveBuffer>& b) {
  std::vector<std::vector<size_t>> orders = {
      orderBy(b, [](const LiveBuffer& x) { return x.bytes; }),
      orderBy(b, [](const LiveBuffer& x) { return x.bytes * (x.last - x.first + 1); }),
      orderBy(b, [](const LiveBuffer& x) { return static_cast<int64_t>(x.last - x.first); }),
      orderBy(b, [](const LiveBuffer& x) { return -static_cast<int64_t>(x.first); }),
      orderBy(b, [](const LiveBuffer& x) { return static_cast<int64_t>(x.last); }),
  };
  const Conflicts conflicts = timeConflicts(b);
  auto c = conflictBytes(b, conflicts);
  auto oc = iota(b.size());
  std::stable_sort(oc.begin(), oc.end(), [&](size_t x, size_t y) { return c[x] + b[x].bytes > c[y] + b[y].bytes; });
  orders.push_back(oc);
  std::mt19937_64 rng(12345);
  for (int k = 0; k < (b.size() > 2000 ? 0 : 8); ++k) {
    auto o = iota(b.size());
    std::shuffle(o.begin(), o.end(), rng);
    orders.push_back(o);
  }
  MemoryPlan best;
  best.arenaBytes = INT64_MAX;
  std::vector<size_t> bestOrder;
  std::vector<int64_t> offs;
  for (const auto& o : orders)
    for (bool bf : {false, true}) {
      int64_t a = place(b, conflicts, o, bf, offs);
      if (a < best.arenaBytes) {
        best.arenaBytes = a;
        best.offsets = offs;
        bestOrder = o;
      }
    }
  // Local search: move one buffer earlier in the order; keep improvements (seeded, bounded).
  const int64_t lb = liveLowerBound(b);
  const size_t n = b.size();
  // Bounded work: a placement costs about n + (pairs live together), so larger and denser
  // graphs get fewer moves (a count, not a clock: the result never depends on the machine).
  size_t pairs = 0;
  for (const auto& cs : conflicts) pairs += cs.size();
  int budget = n > 1 ? static_cast<int>(std::min<size_t>({4000, 20 * n, 5000000 / (n + pairs) + 1})) : 0;
  std::uniform_int_distribution<size_t> pick(0, n > 0 ? n - 1 : 0);
  for (int it = 0; it < budget && best.arenaBytes > lb; ++it) {
    size_t i = pick(rng), j = pick(rng);
    if (i == j) continue;
    auto o = bestOrder;
    size_t v = o[i];
    o.erase(o.begin() + static_cast<long>(i));
    o.insert(o.begin() + static_cast<long>(j), v);
    for (bool bf : {false, true}) {
      int64_t a = place(b, conflicts, o, bf, offs);
      if (a <= best.arenaBytes) {
        best.arenaBytes = a;
        best.offsets = offs;
        bestOrder = o;
      }
    }
  }
  if (n <= 7 && best.arenaBytes > lb) {
    MemoryPlan e = exact(b, conflicts, best.arenaBytes);
    if (e.arenaBytes < best.arenaBytes) best = e;
  }
  best.planner = "search";
  return best;
}

}  // namespace

MemoryPlan planFirstFit(const std::vector<LiveBuffer>& b) {
  auto o = iota(b.size());
  std::stable_sort(o.begin(), o.end(), [&](size_t x, size_t y) { return b[x].first < b[y].first; });
  return make(b, o, false, "first-fit");
}

const std::vector<std::string>& plannerNames() {
  static const std::vector<std::string> n = {"auto", "greedy-by-size", "greedy-by-conflicts", "first-fit", "search"};
  return n;
}

MemoryPlan planMemory(const std::vector<LiveBuffer>& b, const std::string& planner) {
  if (planner == "greedy-by-size") return greedyBySize(b);
  if (planner == "greedy-by-conflicts") return greedyByConflicts(b);
  if (planner == "first-fit") return planFirstFit(b);
  if (planner == "search") return search(b);
  if (planner != "auto") usageError("unknown memory planner '{}' (auto, greedy-by-size, greedy-by-conflicts, first-fit, search)", planner);
  MemoryPlan best;
  best.arenaBytes = INT64_MAX;
  for (auto p : {greedyBySize(b), greedyByConflicts(b), planFirstFit(b), search(b)})
    if (p.arenaBytes < best.arenaBytes) best = p;
  if (b.empty()) best = planFirstFit(b);
  return best;
}

void verifyPlan(const std::vector<LiveBuffer>& buffers, const MemoryPlan& plan) {
  if (plan.offsets.size() != buffers.size())
    modelError("memory plan has {} offsets for {} buffers", plan.offsets.size(), buffers.size());
  for (size_t i = 0; i < buffers.size(); ++i) {
    const auto& b = buffers[i];
    int64_t o = plan.offsets[i];
    if (b.first > b.last) modelError("memory plan: buffer '{}' has first {} > last {}", b.label, b.first, b.last);
    if (o < 0 || o + b.bytes > plan.arenaBytes)
      modelError("memory plan: buffer '{}' [{}, {}) is outside the arena of {} bytes", b.label, o, o + b.bytes,
                 plan.arenaBytes);
    if (b.align > 1 && o % b.align != 0) modelError("memory plan: buffer '{}' at {} is not {}-aligned", b.label, o, b.align);
    for (size_t j = 0; j < i; ++j) {
      const auto& c = buffers[j];
      if (b.bytes == 0 || c.bytes == 0 || !overlapsInTime(b, c)) continue;
      int64_t p = plan.offsets[j];
      if (o < p + c.bytes && p < o + b.bytes)
        modelError("memory plan: buffers '{}' and '{}' are live together and overlap", b.label, c.label);
    }
  }
}

int64_t liveLowerBound(const std::vector<LiveBuffer>& buffers) {
  std::map<int, int64_t> delta;
  for (const auto& b : buffers) {
    delta[b.first] += b.bytes;
    delta[b.last + 1] -= b.bytes;
  }
  int64_t cur = 0, best = 0;
  for (const auto& [step, d] : delta) {
    cur += d;
    best = std::max(best, cur);
  }
  return best;
}

int peakStep(const std::vector<LiveBuffer>& buffers) {
  std::map<int, int64_t> delta;
  for (const auto& b : buffers) {
    delta[b.first] += b.bytes;
    delta[b.last + 1] -= b.bytes;
  }
  int64_t cur = 0, best = -1;
  int step = -1;
  for (const auto& [s, d] : delta) {
    cur += d;
    if (cur > best) {
      best = cur;
      step = s;
    }
  }
  return step;
}

}  // namespace tinyc
