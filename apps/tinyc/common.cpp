#include <algorithm>
#include "common.h"

#include <fmt/format.h>

#include <iostream>
#include <set>

#include "passes/pass.h"
#include "passes/prune.h"
#include "support/error.h"
#include "tinyc_revision.h"

namespace tinyc::cli {

void addModelOptions(CLI::App* cmd, ModelOptions& o) {
  cmd->add_option("model", o.model, "ONNX model file")->required();
  cmd->add_option("--input-shape", o.inputShapes,
                  "shape of a graph input with symbolic dims, e.g. --input-shape input=1,3,96,96 (repeatable)");
}

ImportOptions importOptions(const ModelOptions& o, std::vector<std::string>* notes) {
  ImportOptions opts;
  for (const auto& s : o.inputShapes) parseInputShapeOption(s, opts);
  opts.notes = notes;
  return opts;
}

void addPipelineOptions(CLI::App* cmd, PipelineOptions& o, int defaultLevel) {
  cmd->add_option("-O", o.optLevel, fmt::format("optimization level 0, 1 or 2 (default {})", defaultLevel))
      ->check(CLI::Range(0, 2));
  cmd->add_option("--passes", o.passes, "run exactly these passes, comma-separated (instead of -O)");
  cmd->add_option("--print-after", o.printAfter, "print the IR after this pass (or 'all'); repeatable");
  cmd->add_flag("--print-after-change", o.printAfterChange, "print the IR after every pass that changed it");
  cmd->add_flag("--stats", o.stats, "print what each pass did (stderr)");
  cmd->add_flag("--verify-each", o.verifyEach, "run the IR verifier after every pass");
  cmd->add_option("--disable-pass", o.disable, "skip this pass of the pipeline; repeatable");
}

std::vector<PassRecord> runPipeline(Graph& g, const PipelineOptions& o, int defaultLevel) {
  PassManagerOptions pm;
  pm.printAfter = std::set<std::string>(o.printAfter.begin(), o.printAfter.end());
  pm.printAfterChange = o.printAfterChange;
  pm.verifyEach = o.verifyEach;
  pm.disabled = std::set<std::string>(o.disable.begin(), o.disable.end());
  pm.out = &std::cout;
  pm.pass = o.passOptions;
  PassManager mgr(pm);
  if (!o.passes.empty() && o.optLevel >= 0) usageError("give either -O or --passes, not both");
  mgr.addPipeline(o.passes.empty() ? pipelineForLevel(o.optLevel >= 0 ? o.optLevel : defaultLevel) : o.passes);
  // The I/O layout is a contract with the caller: it holds at every -O level and pipeline.
  const auto& names = mgr.pipeline();
  // --prune: at every -O level and pipeline, before quantize (calibration sees the pruned model).
  if (o.passOptions.prune && std::find(names.begin(), names.end(), "prune") == names.end()) {
    if (std::find(names.begin(), names.end(), "quantize") != names.end())
      usageError("--prune: the pipeline runs quantize but not prune before it");
    mgr.add("prune");
  }
  // --quantize: calibration and the integer lowering at every -O level and pipeline.
  if (o.passOptions.quantize && std::find(names.begin(), names.end(), "quantize") == names.end()) {
    if (std::find(names.begin(), names.end(), "lower-quant") != names.end())
      usageError("--quantize: the pipeline runs lower-quant but not quantize before it");
    mgr.add("quantize");
    mgr.add("lower-quant");
  }
  if (o.passOptions.ioDtype != "model" && std::find(names.begin(), names.end(), "lower-quant") == names.end())
    mgr.add("lower-quant");
  if (o.passOptions.ioLayout != "NCHW" && std::find(names.begin(), names.end(), "layout") == names.end())
    mgr.add("layout");
  // --prune magnitude:R: its zeros stored sparse at every -O level and pipeline.
  if (o.passOptions.prune && o.passOptions.prune->kind == "magnitude" &&
      std::find(names.begin(), names.end(), "sparse-weights") == names.end())
    mgr.add("sparse-weights");
  auto records = mgr.run(g);
  if (o.passOptions.prune && o.passOptions.prune->any() &&
      std::none_of(records.begin(), records.end(), [](const PassRecord& r) { return r.name == "prune" && r.changed; }))
    std::cerr << (o.passOptions.prune->kind == "magnitude"
                      ? "tinyc: warning: --prune: no Conv, Gemm or MatMul has constant float weights to prune; nothing "
                        "was pruned\n"
                      : "tinyc: warning: --prune: no layer's channels could be followed to their readers; nothing was "
                        "pruned\n");
  if (o.passOptions.quantize &&
      std::none_of(records.begin(), records.end(), [](const PassRecord& r) { return r.name == "quantize" && r.changed; }))
    std::cerr << "tinyc: warning: --quantize: no tensor of this model has an int8 form; it stays float\n";
  if (o.stats)
    for (const auto& r : records) {
      std::string st;
      for (const auto& [k, v] : r.stats) st += fmt::format("{}{} {}", st.empty() ? "" : ", ", v, k);
      std::cerr << fmt::format("tinyc: stats: {:<19} {:<9} nodes {} -> {}{}{}\n", r.name, r.changed ? "changed" : "unchanged",
                               r.nodesBefore, r.nodesAfter, st.empty() ? "" : ": ", st);
    }
  return records;
}

void printNotes(const std::vector<std::string>& notes) {
  for (const auto& n : notes) std::cerr << "tinyc: note: " << n << "\n";
}

std::unique_ptr<Graph> loadModel(const ModelOptions& o) {
  std::vector<std::string> notes;
  auto g = importModel(o.model, importOptions(o, &notes));
  printNotes(notes);
  return g;
}

std::string versionLine() { return fmt::format("tinyc {} (git {})", TINYC_VERSION, TINYC_GIT_REVISION); }

}  // namespace tinyc::cli
