#include <algorithm>

#include "ir/printer.h"
#include "ir/verifier.h"
#include "ops/op.h"
#include "passes/pass.h"
#include "support/error.h"

namespace tinyc {

#define PASS(NAME, CLASS, DESC) std::unique_ptr<Pass> create##CLASS();
#include "passes/Passes.def"
#undef PASS

const std::vector<PassInfo>& allPasses() {
  static const std::vector<PassInfo> passes = {
#define PASS(NAME, CLASS, DESC) {NAME, DESC, create##CLASS},
#include "passes/Passes.def"
#undef PASS
  };
  return passes;
}

const PassInfo* findPass(const std::string& name) {
  for (const auto& p : allPasses())
    if (name == p.name) return &p;
  return nullptr;
}

void PassManager::add(const std::string& name) {
  if (!findPass(name)) {
    std::string names;
    for (const auto& p : allPasses()) names += (names.empty() ? "" : ", ") + std::string(p.name);
    usageError("unknown pass '{}' (passes: {})", printable(name), names);
  }
  names_.push_back(name);
}

void PassManager::addPipeline(const std::string& list) {
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    std::string n = list.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (!n.empty()) add(n);
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
}

std::vector<PassRecord> PassManager::run(Graph& g) {
  for (const auto& d : o_.disabled)
    if (!findPass(d)) usageError("--disable-pass: unknown pass '{}'", printable(d));
  for (const auto& p : o_.printAfter)
    if (p != "all" && !findPass(p)) usageError("--print-after: unknown pass '{}'", printable(p));
  std::vector<PassRecord> records;
  for (const auto& name : names_) {
    if (o_.disabled.count(name)) continue;
    PassRecord r;
    r.name = name;
    r.nodesBefore = static_cast<int>(g.nodes.size());
    PassContext ctx(o_.pass);
    auto pass = findPass(name)->create();
    r.changed = pass->run(g, ctx);
    r.stats = ctx.takeStats();
    r.nodesAfter = static_cast<int>(g.nodes.size());
    if (o_.verifyEach) {
      try {
        verifyGraph(g);
        verifyOps(g);
      } catch (const Error& e) {
        internalError("the IR verifier failed after pass '{}': {}", name, e.what());
      }
    }
    bool print = o_.printAfter.count("all") || o_.printAfter.count(name) || (o_.printAfterChange && r.changed);
    if (print && o_.out) *o_.out << "// ---- after " << name << (r.changed ? "" : " (no change)") << "\n" << printGraph(g);
    records.push_back(std::move(r));
  }
  return records;
}

std::string pipelineForLevel(int level) {
  if (level <= 0) return "";
  if (level == 1) return "remove-identity,fold-shapes,fold-constants,dce";
  // Folding first (so shapes, pads and weights are constants), then view cleanup and the fusions
  // that feed each other: MatMul+Add -> Gemm before folding into Conv/Gemm; Mul/Add folding both
  // before BatchNormalization folding (Conv -> Add bias -> BN) and after it (Conv -> BN -> Mul);
  // a lone BatchNormalization last, constant folding again for what the rewrites exposed, and
  // activation fusion once no other rewrite needs to see the activations as nodes; then, with
  // --prune, channels removed from that folded float graph; with --quantize, calibration and QDQ on that float graph (ranges after folding and fusion); QDQ units
  // become integer ops (their fused Relu/Clip an output clamp) before the layout pass; weights that
  // are smaller as a bitmap of their non-zeros are marked for the sparse kernels once their final
  // dtype and layout are known.
  return "remove-identity,fold-shapes,fold-constants,merge-views,fold-pad,matmul-add-to-gemm,fold-mul-add,"
         "fold-batchnorm,fold-mul-add,batchnorm-to-affine,fold-constants,fuse-activation,prune,quantize,lower-quant,layout,merge-views,dce,"
         "sparse-weights,patch,schedule-memory";
}

void replaceAllUses(Graph& g, Value* from, Value* to) {
  for (auto& n : g.nodes)
    for (auto& in : n->inputs)
      if (in == from) in = to;
  for (auto& o : g.outputs)
    if (o == from) o = to;
}

void refreshGraph(Graph& g) {
  g.compact();
  inferShapes(g);
}

}  // namespace tinyc
