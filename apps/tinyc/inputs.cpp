#include "inputs.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "ir/printer.h"
#include "ops/layout.h"
#include "onnx/tensor_proto.h"
#include "support/error.h"

namespace tinyc::cli {

namespace fs = std::filesystem;

namespace {

bool channelsLast(const std::vector<std::string>& layouts, size_t i) { return i < layouts.size() && layouts[i] == kLayoutNhwc; }

// Files hold tensors in the model's layout; the graph may read an input channels-last
// (--io-layout nhwc): checked against the model's shape, then permuted.
void addInput(const Graph& g, size_t i, Tensor t, const std::string& file, InputSet& s) {
  const Value* v = g.inputs[i];
  const bool last = channelsLast(g.inputLayouts, i);
  const Shape want = last ? permuteShape(v->shape, channelsFirstPerm(v->shape.size())) : v->shape;
  if (t.dtype() != v->dtype || t.shape() != want)
    modelError("input {} ('{}'): '{}' holds {}{} but the model expects {}{}", i, printable(v->name), printable(file, 200),
               dtypeName(t.dtype()), shapeStr(t.shape()), dtypeName(v->dtype), shapeStr(want));
  s.inputs.push_back(last ? permuteTensor(t, channelsLastPerm(want.size())) : std::move(t));
}

void addReference(const Graph& g, size_t j, Tensor t, InputSet& s) {
  const bool last = channelsLast(g.outputLayouts, j) && t.rank() == 4;
  s.references.push_back(last ? permuteTensor(t, channelsLastPerm(4)) : std::move(t));
}

}  // namespace

InputSet inputsFromFiles(const Graph& g, const std::vector<std::string>& files) {
  if (files.size() != g.inputs.size())
    usageError("the model has {} input{}, {} given with -i", g.inputs.size(), g.inputs.size() == 1 ? "" : "s", files.size());
  InputSet s;
  s.label = "inputs";
  for (size_t i = 0; i < files.size(); ++i) addInput(g, i, readTensorFile(files[i]), files[i], s);
  return s;
}

std::vector<InputSet> inputsFromTestData(const Graph& g, const std::string& dir) {
  std::vector<fs::path> sets;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.is_directory() && e.path().filename().string().rfind("test_data_set_", 0) == 0) sets.push_back(e.path());
  if (ec) modelError("cannot read test data folder '{}'", printable(dir, 200));
  if (sets.empty()) sets.push_back(dir);
  std::sort(sets.begin(), sets.end());
  std::vector<InputSet> out;
  for (const auto& s : sets) {
    InputSet in;
    in.label = s.filename().string();
    for (size_t i = 0; i < g.inputs.size(); ++i) {
      fs::path p = s / fmt::format("input_{}.pb", i);
      addInput(g, i, readTensorFile(p.string()), p.string(), in);
    }
    for (size_t j = 0; j < g.outputs.size(); ++j) {
      fs::path p = s / fmt::format("output_{}.pb", j);
      if (!fs::exists(p)) break;
      addReference(g, j, readTensorFile(p.string()), in);
    }
    out.push_back(std::move(in));
  }
  return out;
}

std::vector<InputSet> randomInputs(const Graph& g, int count, uint64_t seed) {
  std::vector<InputSet> out;
  for (int k = 0; k < count; ++k) {
    std::mt19937_64 rng(seed + static_cast<uint64_t>(k));
    InputSet s;
    s.label = fmt::format("random {}", k);
    for (const Value* v : g.inputs) {
      Tensor t(v->dtype, v->shape);
      std::normal_distribution<double> normal(0.0, 1.0);
      int64_t lo = -100, hi = 100;
      if (v->dtype == DType::I8) lo = -128, hi = 127;
      if (v->dtype == DType::U8) lo = 0, hi = 255;
      if (v->dtype == DType::Bool) lo = 0, hi = 1;
      std::uniform_int_distribution<int64_t> uni(lo, hi);
      for (int64_t i = 0; i < t.numel(); ++i) {
        if (isFloat(v->dtype))
          t.setF(i, normal(rng));
        else
          t.setI(i, uni(rng));
      }
      s.inputs.push_back(std::move(t));
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace tinyc::cli
