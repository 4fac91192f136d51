// Control flow at compile time: If, Loop and Scan of the default domain are unrolled into the
// main graph before it is imported, when what they depend on is known at compile time (If's
// condition, Loop's trip count and initial condition, Scan's sequence lengths). Anything else is
// a one-line error that says so. tinyc plans memory with every shape known, so a data-dependent
// branch or trip count cannot be compiled.
#pragma once
#include <onnx/onnx_pb.h>

#include <functional>
#include <string>
#include <vector>

#include "ir/tensor.h"

namespace tinyc {

// What the importer learns of a value by importing the nodes before a control-flow node: its
// value when it folds to a constant, else only its shape.
struct ProbedValue {
  bool known = false;
  Tensor value;
  Shape shape;
};
// probe(upto, names): the values `names` as the first `upto` nodes of the list compute them.
using ControlFlowProbe = std::function<std::vector<ProbedValue>(size_t upto, const std::vector<std::string>& names)>;

// True for If, Loop and Scan of the default domain.
bool isControlFlowNode(const onnx::NodeProto& n);

// Replaces every control-flow node of `nodes` (and those its bodies bring in) by its unrolled
// body; opset: the model's default-domain opset (the forms of Unsqueeze and Scan emitted).
void expandControlFlow(std::vector<onnx::NodeProto>& nodes, int opset, const ControlFlowProbe& probe);

}  // namespace tinyc
