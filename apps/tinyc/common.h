// Shared pieces of the tinyc subcommands.
#pragma once
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "onnx/importer.h"
#include "passes/pass.h"

namespace tinyc::cli {

// Options every subcommand that reads a model takes.
struct ModelOptions {
  std::string model;
  std::vector<std::string> inputShapes;  // NAME=1,3,96,96
};
void addModelOptions(CLI::App* cmd, ModelOptions& o);

// Graph pass options (-O, --passes, --print-after, ...), shared by inspect/convert/validate/bench.
struct PipelineOptions {
  int optLevel = -1;  // -1: the subcommand's default
  std::string passes;
  std::vector<std::string> printAfter, disable;
  bool printAfterChange = false, stats = false, verifyEach = false;
  PassOptions passOptions;  // set from --target / --io-layout by the compiling subcommands
};
void addPipelineOptions(CLI::App* cmd, PipelineOptions& o, int defaultLevel);
// Runs the pipeline on g; prints --print-after output to stdout and --stats to stderr.
std::vector<PassRecord> runPipeline(Graph& g, const PipelineOptions& o, int defaultLevel);
ImportOptions importOptions(const ModelOptions& o, std::vector<std::string>* notes);
// Imports the model and prints notes ("tinyc: note: ...") to stderr.
std::unique_ptr<Graph> loadModel(const ModelOptions& o);
void printNotes(const std::vector<std::string>& notes);
// "tinyc 0.1.0 (git 0123abcd)": the version and the revision built.
std::string versionLine();

void registerInspect(CLI::App& app);
void registerRun(CLI::App& app);
void registerOps(CLI::App& app);
void registerConvert(CLI::App& app);
void registerValidate(CLI::App& app);
void registerBench(CLI::App& app);
void registerCompletion(CLI::App& app);

}  // namespace tinyc::cli
