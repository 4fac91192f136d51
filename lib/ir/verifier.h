#pragma once
#include "ir/graph.h"

namespace tinyc {
// Structural invariants of the IR (model error with the offending node/value on failure):
// ids are dense, every input is defined before use (graph input, constant or earlier node),
// producers are consistent, names of values are unique, shapes are non-negative, types defined.
void verifyGraph(const Graph& g);
}  // namespace tinyc
