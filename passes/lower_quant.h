// What the lower-quant pass (lower_quant.cpp) leaves in float.
#pragma once
#include <vector>

#include "ir/graph.h"

namespace tinyc {

// Float islands of a quantized graph: nodes computing float values (other than the
// Quantize/DequantizeLinear at its float edges), and QLinear ops left to their own (float
// requantizing) kernels, in a graph that quantizes activations (int8 or uint8 activations, or a
// QuantizeLinear of a computed tensor where nothing was lowered). Empty for a float model.
std::vector<const Node*> floatIslands(const Graph& g);

// True for a DequantizeLinear of constant integers that a QDQ unit reads (a node that also reads a
// DequantizeLinear of a computed int8 tensor): the folding passes keep it, so that lower-quant
// finds the integer weights and bias instead of their float values.
bool quantizedWeightsOfUnit(const Graph& g, const Node& n);

}  // namespace tinyc
