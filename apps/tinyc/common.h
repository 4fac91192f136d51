// Shared pieces of the tinyc subcommands.
#pragma once
#include <CLI/CLI.hpp>
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "onnx/importer.h"

namespace tinyc::cli {

// Options every subcommand that reads a model takes.
struct ModelOptions {
  std::string model;
  std::vector<std::string> inputShapes;  // NAME=1,3,96,96
};
void addModelOptions(CLI::App* cmd, ModelOptions& o);
ImportOptions importOptions(const ModelOptions& o, std::vector<std::string>* notes);
// Imports the model and prints notes ("tinyc: note: ...") to stderr.
std::unique_ptr<Graph> loadModel(const ModelOptions& o);
void printNotes(const std::vector<std::string>& notes);

void registerInspect(CLI::App& app);
void registerRun(CLI::App& app);
void registerOps(CLI::App& app);
void registerConvert(CLI::App& app);

}  // namespace tinyc::cli
