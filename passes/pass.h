// Graph passes: small named rewrites of the IR. Each pass is one file and one line in
// Passes.def; a PassManager runs textual pipelines (`--passes=a,b,c`) or -O levels.
#pragma once
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace tinyc {

struct QuantizeRequest;  // passes/quantize.h
struct PruneRequest;     // passes/prune.h

// What the target and the user ask of the layout-sensitive passes (--target, --io-layout,
// --io-dtype).
struct PassOptions {
  std::string layout = "NCHW";    // layout the backend's spatial kernels want: "NCHW" or "NHWC"
  std::string ioLayout = "NCHW";  // layout of 4-D graph inputs/outputs for the caller
  // Element type of quantized graph inputs/outputs for the caller (--io-dtype): "model" (as in
  // the model), "float" (the graph quantizes/dequantizes at its edges) or "int8" (the caller
  // passes the int8 tensors that the model's edge QuantizeLinear/DequantizeLinear would make).
  std::string ioDtype = "model";
  // --quantize: post-training quantization by the quantize pass (calibration samples, method);
  // nullptr: the pass does nothing.
  std::shared_ptr<const QuantizeRequest> quantize;
  // --patch (passes/patch.cpp): 0 off, N > 1 that many strips, -1 auto (when it lowers the peak).
  int patch = 0;
  // --prune (passes/prune.h): the fraction of output channels removed per layer, by the norm of
  // their weights; nullptr: the prune pass does nothing.
  std::shared_ptr<const PruneRequest> prune;
  // --sparse (passes/sparse_weights.cpp): "auto" (a layer's weights stored sparse when that takes
  // at most half their dense bytes), "smallest" (whenever fewer bytes) or "off" (all dense).
  std::string sparse = "auto";
};

class PassContext {
 public:
  explicit PassContext(const PassOptions& o = defaultOptions()) : options_(o) {}
  const PassOptions& options() const { return options_; }
  // Adds to a named statistic of the running pass ("nodes removed", "bytes folded", ...).
  void count(const std::string& what, int64_t n = 1) { stats_[what] += n; }
  std::map<std::string, int64_t> takeStats() { return std::move(stats_); }

 private:
  static const PassOptions& defaultOptions() {
    static const PassOptions o;
    return o;
  }
  const PassOptions& options_;
  std::map<std::string, int64_t> stats_;
};

class Pass {
 public:
  virtual ~Pass() = default;
  // Returns true if the graph changed. Errors are tinyc::Error naming the node and op.
  virtual bool run(Graph& g, PassContext& ctx) = 0;
};

struct PassInfo {
  const char* name;
  const char* description;
  std::unique_ptr<Pass> (*create)();
};
const std::vector<PassInfo>& allPasses();  // from Passes.def, in declaration order
const PassInfo* findPass(const std::string& name);

struct PassRecord {
  std::string name;
  bool changed = false;
  std::map<std::string, int64_t> stats;
  int nodesBefore = 0, nodesAfter = 0;
};

struct PassManagerOptions {
  std::set<std::string> printAfter;  // pass names, or "all"
  bool printAfterChange = false;
  bool verifyEach = false;
  std::set<std::string> disabled;
  std::ostream* out = nullptr;  // where --print-after* goes
  PassOptions pass;
};

class PassManager {
 public:
  explicit PassManager(PassManagerOptions o = {}) : o_(std::move(o)) {}
  // Usage error for an unknown pass name.
  void add(const std::string& name);
  void addPipeline(const std::string& commaSeparated);
  // Runs every pass once, in order; returns one record per pass that ran.
  std::vector<PassRecord> run(Graph& g);
  const std::vector<std::string>& pipeline() const { return names_; }

 private:
  PassManagerOptions o_;
  std::vector<std::string> names_;
};

// Default pipelines: -O0 (nothing), -O1 (cleanup and folding), -O2 (plus fusion).
std::string pipelineForLevel(int level);

// Helpers shared by passes.
void replaceAllUses(Graph& g, Value* from, Value* to);
// Re-runs shape inference and drops dead nodes/values (after structural rewrites).
void refreshGraph(Graph& g);

}  // namespace tinyc
