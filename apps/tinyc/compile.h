// The convert pipeline shared by convert, validate and bench: model -> generated files + report.
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>

#include "backends/backend.h"
#include "common.h"
#include "prune.h"
#include "quantize.h"

namespace tinyc::cli {

struct CompileOptions {
  ModelOptions model;
  std::string name;      // --name (default: model file stem, sanitized)
  std::string target = "generic";
  PipelineOptions pipeline;
  std::string planner = "auto";  // --mem-planner
  bool ioInArena = false;        // --io-in-arena
  std::string ioLayout = "nchw"; // --io-layout
  std::string ioDtype = "model";  // --io-dtype
  std::string patch = "auto";     // --patch: off, auto or a number of strips
  PruneOptions prune;             // --prune, --prune-*
  std::shared_ptr<PruneRequest> pruneFound;  // instead of prune: a request already made (recompiles)
  std::string runtime = "inline";  // --runtime: inline (static kernels in NAME.c) or shared (tinyc_runtime.c)
  std::string kernels = "fast";    // --kernels: fast or small (TargetDesc::smallCode)
  std::string sparse = "auto";     // --sparse: auto, smallest or off (PassOptions::sparse)
  QuantizeOptions quantize;       // --quantize, --calib*
  bool quiet = false;             // no calibration progress bar (-q)
  bool notes = true;              // print the importer's notes (off for a second compile of the model)
  bool profile = false;           // a measurement build (EmitOptions::profile; bench --per-layer)
};

struct Compiled {
  std::unique_ptr<Graph> graph;
  std::string name;
  const TargetDesc* target = nullptr;
  std::string runtime;  // --runtime
  EmitResult result;
  std::vector<std::string> filesRead;  // model + external data (for depfiles)
  std::vector<PassRecord> passes;
  nlohmann::ordered_json quantization;  // what --quantize did (null without it)
  nlohmann::ordered_json pruning;       // what --prune did (null without it)
  // With --patch strips: the arena and lower bound of the same model without them (else empty).
  std::optional<std::pair<int64_t, int64_t>> withoutPatches;
  nlohmann::ordered_json report() const;
};

Compiled compileModel(const CompileOptions& o, bool poisonDead = false);
// Runs the pipeline on g with --quantize's request (nullptr without --quantize) and --min-sqnr's
// rounds, each on a graph from reimport(); returns the request whose layers the report lists.
std::shared_ptr<QuantizeRequest> quantizeAndRun(std::unique_ptr<Graph>& g,
                                               const std::function<std::unique_ptr<Graph>()>& reimport,
                                               PipelineOptions pipeline, const QuantizeOptions& q, bool quiet,
                                               int defaultLevel, std::vector<PassRecord>* passes);
// Default NAME: the model file's stem as a C identifier.
std::string defaultName(const std::string& modelPath);
// Options --name/--target shared by convert, validate and bench.
void addCompileOptions(CLI::App* cmd, CompileOptions& o);

}  // namespace tinyc::cli
