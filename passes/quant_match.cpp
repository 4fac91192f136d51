// Matching helpers of the integer lowering that are not inline (declared in quant_match.h): the
// constants of a product unit (int8 weights, the bias as real values and as int32 at the
// accumulator's scale, the overflow check), a spatial ReduceMean, clamp activations.
#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "passes/quant_match.h"

namespace tinyc::qmatch {

// The constant int8 weights w when v = DequantizeLinear(w) (per tensor or per axis); else nullptr.
Value* dequantizedWeights(const Value* v) {
  if (!v || !isDequantize(v->producer)) return nullptr;
  Value* w = v->producer->inputs[0];
  return q::isQInt8(w) && w->constant ? w : nullptr;
}

// Real values of a constant bias: DequantizeLinear(int32 constant) or a float constant.
std::optional<std::vector<double>> biasValues(const Value* b) {
  if (!b) return std::vector<double>{};
  if (b->constant && isFloat(b->dtype)) return b->constant->toDoubles();
  if (!isDequantize(b->producer)) return std::nullopt;
  const Value* raw = b->producer->inputs[0];
  if (!raw->constant || !raw->quant || raw->dtype != DType::I32) return std::nullopt;
  std::vector<double> r;
  for (int64_t i = 0; i < raw->constant->numel(); ++i)
    r.push_back((static_cast<double>(raw->constant->getI(i)) - q::zeroAt(*raw->quant, i)) * q::scaleAt(*raw->quant, i));
  return r;
}

// Bias of an integer product at scale s_x * s_w[c]: int32 (below 2^30), or int64 for int16 data
// (below 2^45); nullopt when a value does not fit.
std::optional<Tensor> integerBias(const std::vector<double>& real, double sx, const QuantParams& wq, int64_t channels,
                                  DType t) {
  const double limit = t == DType::I64 ? 35184372088832.0 : 1073741824.0;
  Tensor out(t, {channels});
  for (int64_t c = 0; c < channels; ++c) {
    const double v = real.empty() ? 0.0 : real[static_cast<size_t>(real.size() == 1 ? 0 : c)];
    const double r = std::nearbyint(v / (sx * q::scaleAt(wq, c)));
    if (!(std::fabs(r) < limit)) return std::nullopt;
    out.setI(c, static_cast<int64_t>(r));
  }
  return out;
}

// No int32 sum can overflow, in the reference (K products of |x - zx| <= 255 and |w| <= 128, plus
// the bias) or in the C kernels (bias - zx * sum(w), then K products |x * w| <= 128 * 128).
bool accumulatorFits(int64_t k, const Tensor& bias) {
  int64_t maxBias = 0;
  for (int64_t i = 0; i < bias.numel(); ++i) maxBias = std::max<int64_t>(maxBias, std::llabs(bias.getI(i)));
  return k * 256 * 128 + maxBias <= INT32_MAX;
}


bool accumulatorFits16(int64_t k, const Tensor& bias) {
  int64_t maxBias = 0;
  for (int64_t i = 0; i < bias.numel(); ++i) maxBias = std::max<int64_t>(maxBias, std::llabs(bias.getI(i)));
  return k < (INT64_C(1) << 23) && k * (INT64_C(1) << 22) + maxBias < (INT64_C(1) << 46);
}

// ReduceMean over all spatial axes keeping them (dims 2.. of a rank >= 3 tensor): a
// GlobalAveragePool (the dynamo exporter's AdaptiveAvgPool2d(1)).
bool spatialMean(const Node& n) {
  if (n.op != op("ReduceMean") || !n.input(0) || rw::intAttrOr(n, "keepdims", 1) == 0) return false;
  const int64_t rank = static_cast<int64_t>(n.inputs[0]->shape.size());
  std::vector<int64_t> axes;
  if (n.input(1)) {
    if (!n.inputs[1]->constData()) return false;
    for (int64_t i = 0; i < n.inputs[1]->constData()->numel(); ++i) axes.push_back(n.inputs[1]->constData()->getI(i));
  } else if (n.hasAttr("axes")) {
    axes = n.attrInts("axes");
  }
  for (int64_t& a : axes) a = a < 0 ? a + rank : a;
  std::sort(axes.begin(), axes.end());
  std::vector<int64_t> spatial;
  for (int64_t a = 2; a < rank; ++a) spatial.push_back(a);
  return rank >= 3 && axes == spatial;
}

// Relu, or Clip with constant bounds: an activation that becomes a clamp of an int8 output.
bool clampActivation(const Node& a) {
  if (a.outputs.size() != 1 || !a.outputs[0]) return false;
  if (a.op == op("Relu")) return true;
  if (a.op != op("Clip")) return false;
  for (size_t i = 1; i < a.inputs.size(); ++i)
    if (a.inputs[i] && !a.inputs[i]->constData()) return false;
  return true;
}

float clipBound(const Node& a, size_t i, float absent) {
  return a.input(i) ? static_cast<float>(a.inputs[i]->constData()->getF(0)) : absent;
}

}  // namespace tinyc::qmatch
