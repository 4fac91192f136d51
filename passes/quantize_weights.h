// The quantize pass's per-layer arithmetic (passes/quantize_weights.cpp): weights' per-channel
// scales and integers (int8, or int4 with MSE-fitted scales), the error int4 weights add to a
// layer's output (--weight-bits 4), and a graph's tensors on sample inputs. Private to passes/.
#pragma once
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "ir/graph.h"
#include "passes/pass.h"

namespace tinyc::qw {

// Elements of a tensor of this shape after `axis` (element i is in channel (i / inner) % channels).
int64_t innerSize(const Shape& shape, int axis);

// The per-channel scales of constant float weights w (channel axis `axis`) for integers in
// [-qmax, qmax] (127: int8, scale max|w_c| / 127; 7: int4, max|w_c| / 7 times the f in 1, 0.99,
// ..., 0.5 with the smallest squared rounding error of the channel). With a bias (an int32 bias at
// s_x * s_w[c] follows; `wide`: int16 activations, whose sums are int64), a channel whose bias
// would not fit gets a larger scale (counted in ctx). bits = 4 for qmax 7.
QuantParams channelScales(const Value& w, int axis, const std::vector<double>& bias, double sx, int qmax,
                          PassContext* ctx, bool wide = false);
// w's integers with those scales: round half to even, clamped to [-qmax, qmax] (an int8 tensor).
Tensor channelIntegers(const Value& w, int axis, const QuantParams& wq, int qmax);

// The error integer weights (qmax 7: int4, 127: int8; channelScales without a bias) add to node
// n's output (a Conv, Gemm or MatMul by float weights along `axis`, without its fused activation)
// on its float inputs x: e = op(x, w - dequantize(q(w))), linear in w; its mean per output channel
// goes into the bias (bias correction, `shift`: the systematic part, E[dw x], that rounding the
// weights adds to post-ReLU inputs; none without a bias slot: MatMul, Gemm with beta != 1), and
// sqnrDb is the output's SQNR after it.
struct WeightError {
  double sqnrDb = 0;
  std::vector<double> shift;  // per output channel: the mean of e, added to the bias
  bool use = false;           // int4: sqnrDb >= kInt4MinSqnrDb (and not kept int8)
};
WeightError weightError(const Node& n, int axis, const std::vector<const Tensor*>& x, int qmax);
// weightError of each candidate (node, weight axis) on its float input (the samples through g).
std::map<const Node*, WeightError> weightErrors(const Graph& g, const std::vector<std::pair<const Node*, int>>& candidates,
                                                const std::vector<std::vector<Tensor>>& samples, int qmax);
// --weight-bits 4: weightErrors with int4, `use` where the SQNR is at least kInt4MinSqnrDb.
std::map<const Node*, WeightError> chooseInt4(const Graph& g, const std::vector<std::pair<const Node*, int>>& candidates,
                                              const std::vector<std::vector<Tensor>>& samples, PassContext& ctx);

// The values of g's tensors `want` on each input set (the reference interpreter); nullopt where
// not computed.
std::vector<std::vector<std::optional<Tensor>>> outputsOn(const Graph& g, const std::vector<const Value*>& want,
                                                          const std::vector<std::vector<Tensor>>& inputs);

// Bytes of a layer's weights and bias as the graph stores them (behind DequantizeLinear: the
// integers; int4: half a byte each).
int64_t weightBytes(const Node& n);

}  // namespace tinyc::qw
