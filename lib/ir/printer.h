#pragma once
#include <string>

#include "ir/graph.h"

namespace tinyc {
// Deterministic textual form of the graph (`tinyc inspect --ir`); documented in docs/ir.md.
std::string printGraph(const Graph& g);
std::string printValueType(const Value& v);  // "f32[1,3,8,8]" plus quantization if any
std::string printAttr(const Attr& a);
}  // namespace tinyc
