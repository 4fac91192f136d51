// tinyc run: executes the model on the reference interpreter and writes the outputs.
#include <filesystem>
#include <iostream>

#include "common.h"
#include "interp/interpreter.h"
#include "ir/printer.h"
#include "onnx/tensor_proto.h"
#include "support/error.h"
#include "support/npy.h"

namespace tinyc::cli {

namespace {

struct RunOptions {
  ModelOptions model;
  std::vector<std::string> inputs;
  std::string outputDir;
  std::string outputFormat = "pb";
};

void run(const RunOptions& o) {
  auto g = loadModel(o.model);
  if (o.inputs.size() != g->inputs.size())
    usageError("the model has {} input{}, {} given with -i", g->inputs.size(), g->inputs.size() == 1 ? "" : "s",
               o.inputs.size());
  std::vector<Tensor> inputs;
  for (size_t i = 0; i < o.inputs.size(); ++i) {
    Tensor t = readTensorFile(o.inputs[i]);
    const Value* v = g->inputs[i];
    if (t.dtype() != v->dtype || t.shape() != v->shape)
      modelError("input {} ('{}'): '{}' holds {}{} but the model expects {}", i, printable(v->name),
                 printable(o.inputs[i], 200), dtypeName(t.dtype()), shapeStr(t.shape()), printValueType(*v));
    inputs.push_back(std::move(t));
  }
  Interpreter interp(*g);
  auto outs = interp.run(inputs);

  namespace fs = std::filesystem;
  std::error_code ec;
  fs::create_directories(o.outputDir, ec);
  if (ec) modelError("cannot create output folder '{}': {}", printable(o.outputDir, 200), ec.message());
  // Write every file under a temporary name first, then rename: no partial output on failure.
  std::vector<std::pair<fs::path, fs::path>> done;
  try {
    for (size_t k = 0; k < outs.size(); ++k) {
      const std::string& ext = o.outputFormat;
      fs::path final = fs::path(o.outputDir) / fmt::format("output_{}.{}", k, ext);
      fs::path tmp = fs::path(o.outputDir) / fmt::format(".output_{}.{}.tmp", k, ext);
      if (ext == "npy")
        writeNpy(tmp.string(), outs[k]);
      else
        writeTensorPb(tmp.string(), outs[k], g->outputs[k]->name);
      done.emplace_back(tmp, final);
    }
  } catch (...) {
    for (auto& [tmp, final] : done) fs::remove(tmp, ec);
    throw;
  }
  for (auto& [tmp, final] : done) fs::rename(tmp, final);
}

}  // namespace

void registerRun(CLI::App& app) {
  auto o = std::make_shared<RunOptions>();
  CLI::App* cmd = app.add_subcommand("run", "run the model on the reference interpreter");
  addModelOptions(cmd, o->model);
  cmd->add_option("-i,--input", o->inputs,
                  "input tensor file (.pb TensorProto or .npy), one per graph input, in graph-input order");
  cmd->add_option("--output-dir", o->outputDir, "folder for output_<k>.pb (or .npy) (created if missing)")->required();
  cmd->add_option("--output-format", o->outputFormat, "file format of the outputs: pb (TensorProto) or npy (NumPy)")
      ->check(CLI::IsMember({"pb", "npy"}))
      ->capture_default_str();
  cmd->callback([o] { run(*o); });
}

}  // namespace tinyc::cli
