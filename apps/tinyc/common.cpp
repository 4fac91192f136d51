#include "common.h"

#include <iostream>

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

void printNotes(const std::vector<std::string>& notes) {
  for (const auto& n : notes) std::cerr << "tinyc: note: " << n << "\n";
}

std::unique_ptr<Graph> loadModel(const ModelOptions& o) {
  std::vector<std::string> notes;
  auto g = importModel(o.model, importOptions(o, &notes));
  printNotes(notes);
  return g;
}

}  // namespace tinyc::cli
