// ONNX importer: ModelProto -> tinyc Graph (opsets 7..22), with shape inference.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace tinyc {

constexpr int kMinOpset = 7;     // documented range; older opsets import with a note
constexpr int kOldestOpset = 1;  // below kMinOpset only ops unchanged since then import
constexpr int kMaxOpset = 28;

struct ImportOptions {
  // --input-shape NAME=1,3,96,96: shapes for graph inputs with symbolic or unknown dims.
  std::map<std::string, Shape> inputShapes;
  // Graph inputs bound to fixed data: they become constants (e.g. shape-determining inputs of
  // ONNX node tests, which tinyc needs at compile time).
  std::map<std::string, Tensor> constantInputs;
  // One-line notes for the user (e.g. "symbolic batch dim set to 1"); may be nullptr.
  std::vector<std::string>* notes = nullptr;
  // If false, unsupported ops do not stop the import: they are listed in `unsupported` and the
  // graph is returned without shape inference (used by `inspect` to list them all).
  bool requireSupported = true;
  std::vector<std::string>* unsupported = nullptr;
  // Receives every file read besides the model (external data), for depfiles; may be nullptr.
  std::vector<std::string>* filesRead = nullptr;
};

// Parses and imports a model file. Every problem is a tinyc::Error (model error) with one line.
std::unique_ptr<Graph> importModel(const std::string& path, const ImportOptions& opts = {});
// Same from bytes; external data is resolved inside baseDir (empty = external data rejected).
std::unique_ptr<Graph> importModelBytes(const std::string& bytes, const std::string& baseDir,
                                        const ImportOptions& opts = {});

// Parses "NAME=1,3,96,96" into opts.inputShapes (usage error when malformed).
void parseInputShapeOption(const std::string& spec, ImportOptions& opts);

}  // namespace tinyc
