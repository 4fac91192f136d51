// Input data for validate and bench: files, ONNX test-data folders, or seeded random tensors.
#pragma once
#include <string>
#include <vector>

#include "ir/graph.h"

namespace tinyc::cli {

struct InputSet {
  std::string label;                // "random 0", "test_data_set_1", "inputs"
  std::vector<Tensor> inputs;       // graph-input order
  std::vector<Tensor> references;   // expected outputs when known (may be empty)
};

// Tensors from files (.pb/.npy) in graph-input order; checks dtype and shape. Files hold the
// model's layout: inputs and references the graph takes channels-last (--io-layout) are permuted.
InputSet inputsFromFiles(const Graph& g, const std::vector<std::string>& files);
// A folder with test_data_set_*/ (or input_K.pb / output_K.pb directly).
std::vector<InputSet> inputsFromTestData(const Graph& g, const std::string& dir);
// Seeded random inputs: floats N(0,1), integers uniform over their range (int8/uint8) or [-100,100].
std::vector<InputSet> randomInputs(const Graph& g, int count, uint64_t seed);

}  // namespace tinyc::cli
