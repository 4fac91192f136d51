// Matching helpers of the integer lowering, shared by lower_quant.cpp and quant_edges.cpp.
// Private to passes/.
#pragma once
#include <optional>
#include <vector>

#include "ir/graph.h"
#include "ops/op.h"
#include "ops/qparams.h"
#include "passes/pass.h"
#include "passes/rewrite.h"

namespace tinyc::qmatch {

inline const OpDef* op(const char* name) { return opDef(name); }

inline bool isDequantize(const Node* n) { return n && n->op == op("DequantizeLinear"); }
inline bool isQuantize(const Node* n) { return n && n->op == op("QuantizeLinear"); }

// x when v = DequantizeLinear(x) with x a quantized activation (q::isQAct: int8 per tensor, or
// int16 per tensor with zero point 0); else nullptr.
inline Value* dequantizedActivation(const Value* v) {
  if (!v || !isDequantize(v->producer) || v->producer->outputs.size() != 1) return nullptr;
  Value* x = v->producer->inputs[0];
  return q::isQAct(x) && !x->constant ? x : nullptr;
}

// The QuantizeLinear that alone reads v (v not a graph output), writing a quantized activation.
inline Node* quantizingUser(const Graph& g, const Value* v) {
  Node* u = rw::soleUser(g, v);
  if (!isQuantize(u) || !u->outputs[0] || !q::isQAct(u->outputs[0])) return nullptr;
  return u;
}

// Constants of an integer product unit (quant_match.cpp): the constant int8 weights w when v =
// DequantizeLinear(w) (else nullptr); a constant bias's real values (DequantizeLinear(int32) or a
// float constant; nullopt otherwise); the int32 bias at s_x * s_w[c] (nullopt when a value does
// not fit); whether no int32 sum can overflow (K products of |x - zx| <= 255 and |w| <= 128 plus the
// bias in the reference, bias - zx * sum(w) then K products |x * w| <= 128 * 128 in the C kernels).
Value* dequantizedWeights(const Value* v);
std::optional<std::vector<double>> biasValues(const Value* b);
// (t: I32, or I64 for int16 activations, which sum in int64: nullopt beyond 2^45)
std::optional<Tensor> integerBias(const std::vector<double>& real, double sx, const QuantParams& wq, int64_t channels,
                                  DType t = DType::I32);
bool accumulatorFits(int64_t k, const Tensor& bias);
// int16 activations: the int64 sums (K products |x| <= 2^15, |w| <= 2^7, plus the bias) stay below
// 2^46, inside tinyc_requant64's 2^47.
bool accumulatorFits16(int64_t k, const Tensor& bias);
// ReduceMean over all spatial axes keeping them (a GlobalAveragePool: the dynamo exporter's
// AdaptiveAvgPool2d(1)); Relu or Clip with constant bounds (a clamp of an int8 output) and a
// Clip's bound i (absent: the given value).
bool spatialMean(const Node& n);
bool clampActivation(const Node& a);
float clipBound(const Node& a, size_t i, float absent);

// Tables (quant_tables.cpp): tableOf evaluates nodes in order on all 256 int8 values (the
// first reads the int8 tensor); unaryElementwise: one float tensor in and out, other inputs
// constant scalars; elementwiseRegion: the float elementwise nodes computing one function of one
// dequantized int8 tensor ending at n, DequantizeLinear first (empty when there is none).
Tensor tableOf(const std::vector<const Node*>& nodes);
bool unaryElementwise(const Node* n);
std::vector<const Node*> elementwiseRegion(const Graph& g, const Node* n);

}  // namespace tinyc::qmatch

namespace tinyc::qedge {

// The edges of the integer path (quant_edges.cpp):
// uint8 QDQ becomes the int8 form (q - 128, zero point - 128); uint8 graph edges through tables.
bool uint8ToInt8(Graph& g, PassContext& ctx);
// --io-dtype float: quantized int8 graph inputs/outputs become float ones (the graph quantizes
// and dequantizes at its edges).
bool floatEdges(Graph& g, PassContext& ctx);
// --io-dtype int8: float graph edges made only to be quantized become the int8 tensors.
bool int8Edges(Graph& g, PassContext& ctx);

}  // namespace tinyc::qedge
