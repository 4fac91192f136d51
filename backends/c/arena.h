// Arena layout of the C backend: liveness over the emitted schedule, alias groups (views,
// elementwise in place, Concat inputs written straight into the Concat output), one planned
// buffer per group, kernel scratch and, with --io-in-arena, the graph inputs and outputs.
// The result is plain data: the backend turns it into C declarations and never re-derives it.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "ir/graph.h"
#include "passes/memory/plan.h"

namespace tinyc::c {

// Where an arena value lives: inside buffer `buffer` (an index into ArenaLayout::buffers) at
// byte `offset` from the buffer's start. Its address is plan.offsets[buffer] + offset.
struct ArenaSlot {
  size_t buffer = 0;
  int64_t offset = 0;
};

// Where a value computed inside a graph output's caller-owned buffer lives: output `output`, at
// byte `offset` of it (valuesInOutputs).
struct OutputSlot {
  size_t output = 0;
  int64_t offset = 0;
};

struct ArenaLayout {
  std::vector<LiveBuffer> buffers;  // scratch and alias groups in schedule order, then io buffers
  MemoryPlan plan;                  // verified (verifyPlan) offsets of `buffers`
  // Every arena value (an output of an emitted node that is not a graph output).
  std::map<const Value*, ArenaSlot> slots;
  // The value whose C variable names a slot's memory: the first-defined value at the same
  // (buffer, offset, dtype). Values sharing a representative share one C pointer.
  std::map<const Value*, const Value*> representative;
  std::map<const Node*, size_t> scratch;  // node -> its scratch buffer
  std::vector<size_t> inputBuffers;       // --io-in-arena: buffer of graph input i
  std::vector<size_t> outputBuffers;      // --io-in-arena: buffer of graph output j
  std::set<size_t> keepAlive;             // buffers never poisoned (graph outputs in the arena)
  int aliases = 0;                        // values placed in another value's buffer (views, in place)
  int concatInPlace = 0;                  // Concat inputs produced directly inside the Concat output
  std::map<std::string, int> overwriteInPlace;  // op -> nodes computing over their own input
  int64_t arenaWithoutConcatInPlace = 0;  // the arena of the plan without Concat aliasing
  // Scratch buffers grown into the room under the peak (CKernel::scratchBytesMax): buffer -> the
  // least bytes its kernel needs. The peak step is found with these (a grown scratch only fills
  // room, it never makes the peak).
  std::map<size_t, int64_t> scratchLeast;
  std::map<const Value*, OutputSlot> inOutputs;  // ArenaOptions::inOutputs (values in a graph output)

  int64_t address(const Value* v) const {
    const ArenaSlot& s = slots.at(v);
    return plan.offsets[s.buffer] + s.offset;
  }
};

struct ArenaOptions {
  std::string planner = "auto";
  int64_t align = 16;
  const TargetDesc* target = nullptr;  // the kernels' variants depend on it (their scratch too)
  bool ioInArena = false;
  // Per graph output: written directly by its producer (true) or copied at the end (false).
  std::vector<bool> directOutputs;
  // Values computed inside a graph output's buffer (valuesInOutputs): not arena values.
  std::map<const Value*, OutputSlot> inOutputs;
  // Concat inputs in place: Auto plans with and without and keeps the smaller arena (ties: with).
  enum class Concat { Off, On, Auto } concat = Concat::Auto;
  // Nodes allowed to compute over their input (CKernel::inPlaceScratch), as planArena chose
  // them; nullptr: none.
  const std::set<const Node*>* overwrite = nullptr;
};

// Values that can live in the caller's buffer of a graph output instead of the arena: going back
// from a directly written output, every value read only by the node that makes the next one from
// it - a view (Reshape), an elementwise op of the same shape, or a kernel computing over its input
// (CKernel::inPlaceScratch: the Transpose of a channels-last last layer's result to the graph's
// channels-first output is done in place, so no transposed copy of the output lives in the
// arena) at the same place; a Concat's inputs (CKernel::inputSlices) at their slices. None with
// --io-in-arena.
std::map<const Value*, OutputSlot> valuesInOutputs(const Graph& g, const std::vector<const Node*>& nodes,
                                                   const ArenaOptions& o);

// Plans the arena of `nodes` (the emitted schedule of g, folded nodes left out).
ArenaLayout planArena(const Graph& g, const std::vector<const Node*>& nodes, const ArenaOptions& o);

// What the report, --arena-budget and --plan-svg show about a layout.
MemoryReport memoryReport(const ArenaLayout& a, const std::vector<const Node*>& nodes);

}  // namespace tinyc::c
