// The quantized IR form and its integer arithmetic (docs/quantization.md).
//
// A quantized tensor is an int8 value with Value::quant set (scale and zero point, per tensor or
// per axis), or an int16 activation (--quantize int16x8: per tensor, zero point 0; Conv, Gemm,
// Add, Mul and the pools only, with int64 accumulators: docs/quantization.md). The compute ops keep their ONNX names and run on such tensors: Conv and Gemm read
// int8 data, int8 weights (zero point 0, per tensor or per output channel) and an int32 bias at
// scale s_x * s_w; AveragePool, GlobalAveragePool and Softmax read and write int8; the fused
// Relu/Clip of a node becomes a clamp of its int8 output. The lower-quant pass
// (passes/lower_quant.cpp) writes this form from QDQ graphs and QLinear ops; the reference
// kernels (lib/ops) and the C kernels (backends/c) compute it with the fixed-point helpers of
// ops/qmath.h, so they agree bit for bit.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "ops/op.h"

namespace tinyc::q {

// A real multiplier as mult * 2^-rshift (ops/qmath.h: tinyc_requant).
struct Multiplier {
  int32_t mult = 0;
  int32_t rshift = 1;
};
// Model error naming n when m is not finite, not > 0 or >= 2^30 (no int8 model needs that).
Multiplier quantizeMultiplier(double m, const Node& n);

// The quantized int8 tensors of the integer path (int8 with per-tensor or per-axis parameters).
bool isQInt8(const Value* v);
bool isQInt8PerTensor(const Value* v);
// int16 activations (--quantize int16x8): per tensor, zero point 0 (symmetric).
bool isQInt16PerTensor(const Value* v);
// A quantized activation of the integer path: int8 per tensor, or int16 per tensor with zero point 0.
bool isQAct(const Value* v);
// [min, max] of the integer type t (int8, or int16).
std::pair<int32_t, int32_t> typeRange(DType t);
double scaleAt(const QuantParams& q, int64_t i);  // per-tensor: i ignored
int32_t zeroAt(const QuantParams& q, int64_t i);

// [lo, hi] of a quantized node's output (its type's range) after its fused activation (Relu, Clip, none).
// Model error for any other fused activation (it has no integer form).
std::pair<int32_t, int32_t> outputRange(const Node& n);
// True when n carries no fused activation or one that outputRange accepts.
bool activationHasIntegerForm(const Node& n);

// Requantization of a product op (Conv: channel axis of W = 0; Gemm: the output axis of B):
// one multiplier per output channel, s_x * s_w[c] / s_y.
std::vector<Multiplier> productMultipliers(const Node& n, const Value& x, const Value& w, const Value& y,
                                           int64_t channels);
// Average pools: a sum of `count` taps is requantized by s_x / (s_y * count).
Multiplier averageMultiplier(const Node& n, const Value& x, const Value& y, int64_t count);
// Entry c (1 <= c <= maxCount) requantizes a sum of c taps: s_x / (s_y * c).
std::vector<Multiplier> averageMultipliers(const Node& n, const Value& x, const Value& y, int64_t maxCount);
// Add: s_a / s_y and s_b / s_y with one shared shift (ops/qmath.h: tinyc_qadd for int8, mantissas
// below 2^31, tinyc_qadd64 for int16, below 2^47). A ratio so large that any nonzero input on its
// side saturates the output whatever the other side holds is lowered to that bound first (the
// same outputs), so that the other side keeps its fraction bits.
struct AddMultipliers {
  int64_t ma = 0, mb = 0;
  int32_t n = 1;
};
AddMultipliers addMultipliers(const Node& n, const Value& a, const Value& b, const Value& y);
// True when Add/Mul node n is in the quantized form: int8 inputs and output, all quantized per
// tensor (otherwise it is the ONNX integer op).
bool isQuantizedBinary(const Node& n);

// Softmax: exp(-s_x * d) in Q30 for d = 0..255, and the output multiplier 2^-30 / s_y.
std::vector<int32_t> softmaxTable(double sx);
Multiplier softmaxMultiplier(const Node& n, const Value& y);

// Checks the quantized form of a Conv/Gemm node's operands (input x, weights w along wAxis,
// optional int32 bias b, output y) and fails naming the node when it is not the integer form.
void checkProductOperands(const InferCtx& c, int wAxis, int64_t channels);
// Checks that input 0 and output 0 of an int8 data op (pools, Softmax) carry per-tensor
// parameters.
void checkPerTensorIo(const InferCtx& c);

// Requantizes an int32 accumulator (shared by the reference kernels).
int32_t requantize(int64_t acc, const Multiplier& m, int32_t zp, int32_t lo, int32_t hi, const Node& n);
// The same for the int64 accumulators of int16 activations (ops/qmath.h: tinyc_requant64); model
// error for |acc| >= 2^47 or a multiplier of 2^14 or more.
int32_t requantize64(int64_t acc, const Multiplier& m, int32_t zp, int32_t lo, int32_t hi, const Node& n);

// Fills Value::quant from constant QuantizeLinear / DequantizeLinear parameters: the input of a
// DequantizeLinear and the output of a QuantizeLinear get that node's scale and zero point (per
// tensor or per axis), and a graph input or view source read only through views gets its
// reader's. Values that already carry parameters keep them.
void annotateQuantParams(Graph& g);

}  // namespace tinyc::q
