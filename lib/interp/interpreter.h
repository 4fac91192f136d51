// Reference interpreter: the numeric truth every backend and pass is checked against.
#pragma once
#include <functional>
#include <vector>

#include "ir/graph.h"

namespace tinyc {

class Interpreter {
 public:
  explicit Interpreter(const Graph& g);
  // Runs the graph on inputs given in graph-input order; returns outputs in graph order.
  // Model error if an input's dtype or shape does not match the graph.
  std::vector<Tensor> run(const std::vector<Tensor>& inputs);
  // Optional observer called after each node with its output tensors (calibration, debugging).
  std::function<void(const Node&, const std::vector<const Tensor*>&)> onNode;

 private:
  const Graph& g_;
  std::vector<int> lastUse_;  // per value id: index of the last node reading it
};

}  // namespace tinyc
