#include "passes/memory/plan.h"

#include <algorithm>
#include <map>

#include "support/error.h"

namespace tinyc {

namespace {
int64_t alignUp(int64_t x, int64_t a) { return a <= 1 ? x : (x + a - 1) / a * a; }
bool overlapsInTime(const LiveBuffer& a, const LiveBuffer& b) { return a.first <= b.last && b.first <= a.last; }
}  // namespace

MemoryPlan planFirstFit(const std::vector<LiveBuffer>& buffers) {
  MemoryPlan plan;
  plan.planner = "first-fit";
  plan.offsets.assign(buffers.size(), 0);
  std::vector<size_t> order(buffers.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return buffers[a].first < buffers[b].first; });
  std::vector<size_t> placed;
  for (size_t i : order) {
    const LiveBuffer& b = buffers[i];
    // Occupied ranges of buffers live at the same time, sorted by offset.
    std::vector<std::pair<int64_t, int64_t>> busy;
    for (size_t j : placed)
      if (overlapsInTime(b, buffers[j]) && buffers[j].bytes > 0)
        busy.emplace_back(plan.offsets[j], plan.offsets[j] + buffers[j].bytes);
    std::sort(busy.begin(), busy.end());
    int64_t off = 0;
    for (const auto& [s, e] : busy) {
      if (alignUp(off, b.align) + b.bytes <= s) break;
      off = std::max(off, e);
    }
    off = alignUp(off, b.align);
    plan.offsets[i] = off;
    plan.arenaBytes = std::max(plan.arenaBytes, off + b.bytes);
    placed.push_back(i);
  }
  return plan;
}

void verifyPlan(const std::vector<LiveBuffer>& buffers, const MemoryPlan& plan) {
  if (plan.offsets.size() != buffers.size()) modelError("memory plan has {} offsets for {} buffers", plan.offsets.size(), buffers.size());
  for (size_t i = 0; i < buffers.size(); ++i) {
    const auto& b = buffers[i];
    int64_t o = plan.offsets[i];
    if (o < 0 || o + b.bytes > plan.arenaBytes)
      modelError("memory plan: buffer '{}' [{}, {}) is outside the arena of {} bytes", b.label, o, o + b.bytes, plan.arenaBytes);
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

}  // namespace tinyc
