// Backends and targets. A backend says which nodes it supports (all unsupported ones at once)
// and emits files; a target descriptor carries what code generation needs to know about a chip.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/memory/plan.h"

namespace tinyc {

struct TargetDesc {
  std::string name;         // --target value: "generic", later "cortex-m4", ...
  std::string backend;      // backend that generates code for it ("c")
  std::string description;
  int64_t align = 16;       // alignment of the arena, arena offsets and weight arrays (bytes)
  bool fpu = true;          // hardware single-precision float
  bool dsp = false;         // Arm DSP extension (SMLAD, ...)
  bool mve = false;         // Arm Helium (M-profile vector extension)
  bool mac64 = false;       // one instruction for int64 += int32 * int32 (SMLAL: Armv7-M and later)
  std::string crossCflags;  // flags for a cross build (empty for the host)
  bool doubleAcc = false;   // float kernels accumulate in double (the interpreter's arithmetic); MCU targets: float
  bool mcu = false;         // a microcontroller: scalar kernels sized for few registers and little code
  std::string layout = "NCHW";  // layout the target's spatial kernels want ("NHWC": the layout pass)
  bool smallCode = false;  // --kernels small: the kernel variants of least code (backends/c/kernels_small.cpp)
};

// The target called name (a usage error lists the targets); with smallCode its descriptor for
// --kernels small (the same target, TargetDesc::smallCode set).
const TargetDesc& findTarget(const std::string& name, bool smallCode = false);
const std::vector<TargetDesc>& allTargets();

struct EmitOptions {
  std::string name;           // C identifier prefix (already sanitized)
  const TargetDesc* target = nullptr;
  bool poisonDead = false;    // host validation: fill every arena region with NaN-like bytes once dead
  std::string planner = "auto";  // memory planner (passes/memory/plan.h)
  bool ioInArena = false;         // graph inputs and outputs live in the arena too (planned)
  bool sharedRuntime = false;     // kernels in tinyc_runtime.{h,c} (shared by models), not static in NAME.c
  bool profile = false;  // measurement builds: tinyc_profile_mark(-1) first, tinyc_profile_mark(k) after step k
};

// What memory planning found (for the report, --arena-budget and --plan-svg).
struct MemoryReport {
  std::vector<LiveBuffer> buffers;  // arena buffers over the schedule (aliases merged)
  MemoryPlan plan;
  int64_t lowerBound = 0;           // liveLowerBound(buffers)
  int64_t greedyBySize = 0;         // what TFLite Micro's planner gives on the same buffers
  int peakStep = -1;
  std::string peakNode;
  std::vector<std::string> peakTensors;  // buffers live at the peak step
  std::map<std::string, int64_t> scratchBytes;  // node name -> its kernel scratch (nodes that have one)
  std::map<std::string, int64_t> scratchOffsets;  // node name -> arena offset of its kernel scratch
  std::map<std::string, int64_t> valueOffsets;    // arena value name -> its arena offset
  std::map<std::string, size_t> valuesInOutputs;  // value name -> graph output whose buffer holds it
  int concatInPlace = 0;                 // Concat inputs produced directly inside the Concat output
  int64_t arenaWithoutConcatInPlace = 0;  // the arena the same planner gives without that aliasing
  std::map<std::string, int> overwriteInPlace;  // op -> nodes computing over their own input
};

struct OutputFile {
  std::string name;     // file name inside the output folder
  std::string content;
};

struct EmitResult {
  std::vector<OutputFile> files;
  int64_t arenaBytes = 0;
  int64_t weightsBytes = 0;  // bytes of const data emitted (weights and folded constants)
  int64_t ioBytes = 0;       // caller-owned input + output bytes
  MemoryReport memory;
  std::vector<const Node*> steps;  // the nodes the code runs, in order (step k of tinyc_profile_mark)
};

class Backend {
 public:
  virtual ~Backend() = default;
  virtual std::string name() const = 0;
  // One message per unsupported node ("node 'x' (Op): reason"); empty when all are supported.
  virtual std::vector<std::string> unsupported(const Graph& g, const TargetDesc& t) const = 0;
  virtual EmitResult emit(const Graph& g, const EmitOptions& o) const = 0;
};

const Backend& findBackend(const std::string& name);

// A C identifier made from any string: [A-Za-z0-9_], not starting with a digit, not empty.
std::string sanitizeIdentifier(const std::string& s);
// Text safe inside a C comment: printable ASCII, no "*/" or "/*", bounded length.
std::string sanitizeComment(const std::string& s, size_t maxLen = 96);

}  // namespace tinyc
