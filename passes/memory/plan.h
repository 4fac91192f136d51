// Static memory planning as pure data: live intervals in, arena offsets out. No graph inside,
// so planners are tested on raw intervals and reused by every backend.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace tinyc {

struct LiveBuffer {
  int64_t bytes = 0;
  int64_t align = 16;
  int first = 0;  // first step (schedule index) at which the buffer is written
  int last = 0;   // last step at which it is read (inclusive)
  std::string label;
};

struct MemoryPlan {
  std::vector<int64_t> offsets;  // one per buffer
  int64_t arenaBytes = 0;
  std::string planner;
};

// Planners (all deterministic):
//   greedy-by-size      TFLite Micro's: largest first, each at the lowest offset that fits
//   greedy-by-conflicts TVM USMP's: most time-overlapping bytes first, lowest fitting offset
//   first-fit           in order of first use, lowest fitting offset
//   search              many orderings (size, lifetime, start, end, conflicts, seeded shuffles)
//                       with best-fit placement, then a seeded local search over the best
//                       ordering; exact search when there are at most 7 buffers
//   auto                runs all and keeps the smallest (ties: the earlier in this list)
MemoryPlan planMemory(const std::vector<LiveBuffer>& buffers, const std::string& planner);
const std::vector<std::string>& plannerNames();  // "auto" first
MemoryPlan planFirstFit(const std::vector<LiveBuffer>& buffers);

// Independent check: aligned, inside the arena, no two buffers live at the same step overlap.
// Throws a model error describing the first violation.
void verifyPlan(const std::vector<LiveBuffer>& buffers, const MemoryPlan& plan);
// max over steps of the sum of live bytes (alignment ignored): no plan can be smaller.
int64_t liveLowerBound(const std::vector<LiveBuffer>& buffers);
// The step where liveLowerBound is reached (first such step), -1 when there are no buffers.
int peakStep(const std::vector<LiveBuffer>& buffers);

}  // namespace tinyc
