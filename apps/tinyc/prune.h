// --prune options (convert, validate, bench): the request handed to the prune pass
// (passes/prune.h) and the accuracy guard (--prune-max-drop), which chooses a ratio per layer by
// measuring the pruned model on sample inputs with the reference interpreter.
#pragma once
#include <CLI/CLI.hpp>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common.h"
#include "passes/prune.h"

namespace tinyc::cli {

struct PruneOptions {
  std::string spec;                 // --prune: "", channels:R or magnitude:R
  std::string norm = "l1";          // --prune-norm
  std::vector<std::string> layers;  // --prune-layer NODE=R
  double maxDrop = -1;              // --prune-max-drop POINTS (< 0: off)
  double minSqnr = -1;              // --prune-min-sqnr DB (< 0: off): the guard on output SQNR instead
  std::string data;                 // --prune-data DATA
};

void addPruneOptions(CLI::App* cmd, PruneOptions& o);

// nullptr without any pruning option. With --prune-max-drop or --prune-min-sqnr, searches the ratios per layer on
// --prune-data (reimport: a fresh graph of the model; pipeline: the compile's pipeline options);
// progress on stderr unless quiet.
std::shared_ptr<PruneRequest> pruneRequest(const PruneOptions& o, const std::function<std::unique_ptr<Graph>()>& reimport,
                                           const PipelineOptions& pipeline, bool quiet);

// What the report says about it: null without pruning.
nlohmann::ordered_json pruneJson(const PruneOptions& o, const PruneRequest* r);

}  // namespace tinyc::cli
