// Opset normalization: rewrites nodes from older opsets into the newest form the registry
// declares (attributes that became inputs, changed semantics). One entry per op in upgrade.cpp.
#pragma once
#include <functional>
#include <set>
#include <string>

#include "ir/graph.h"

namespace tinyc {

class UpgradeCtx {
 public:
  UpgradeCtx(Graph& g, std::set<std::string>& names, int opset) : g(g), names_(names), opset(opset) {}
  Graph& g;
  std::string uniqueName(const std::string& base);
  Value* constant(const std::string& base, Tensor t);
  Value* value(const std::string& base);
  // Moves an ints/floats attribute into input `index` as a 1-D (or scalar) constant.
  void attrToInput(Node& n, const std::string& attr, size_t index, DType dt, bool scalar = false);
  std::set<std::string>& names_;
  int opset;
};

// Applies the upgrade for n.opType (if any) for the model's opset; may append nodes to the graph.
void upgradeNode(UpgradeCtx& ctx, Node& n);

}  // namespace tinyc
