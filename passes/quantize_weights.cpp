// The quantize pass's per-layer arithmetic (quantize_weights.h).
#include "passes/quantize_weights.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "interp/interpreter.h"
#include "ops/op.h"
#include "passes/quant_match.h"
#include "passes/quantize.h"

namespace tinyc::qw {

using qmatch::isDequantize;
using qmatch::op;

// The per-channel scales of weights w (channel axis `axis`) for integers in [-qmax, qmax]. With a
// bias (an int32 bias at s_x * s_w[c] follows), a channel whose bias would not fit gets a larger
// scale.
QuantParams channelScales(const Value& w, int axis, const std::vector<double>& bias, double sx, int qmax, PassContext* ctx,
                          bool wide) {
  const int64_t channels = w.shape[static_cast<size_t>(axis)];
  const Tensor& wt = *w.constant;
  const int64_t k = wt.numel() / channels, inner = innerSize(w.shape, axis);
  std::vector<double> absMax(static_cast<size_t>(channels), 0.0);
  for (int64_t i = 0; i < wt.numel(); ++i) {
    const double x = wt.getF(i);
    if (std::isfinite(x)) {
      double& m = absMax[static_cast<size_t>((i / inner) % channels)];
      m = std::max(m, std::fabs(x));
    }
  }
  // The int32 bias (and with int8 activations the int32 sums: K products of at most 255 * 128)
  // must fit: a channel whose bias would not gets a larger weight scale. (int16 activations sum
  // in int64.)
  const double biasLimit =
      wide ? 1073741823.0 : std::max(1.0, std::min(1073741823.0, 2147483647.0 - static_cast<double>(k) * 32768.0) / 2);
  // int4: the scale of each channel minimizes its squared rounding error (absMax / 7 scaled by
  // f = 1, 0.99, ..., 0.5: clipping a few large weights buys a finer step for all the others).
  std::vector<double> fit(static_cast<size_t>(channels), 1.0);
  if (qmax < 127) {
    std::vector<double> best(static_cast<size_t>(channels), HUGE_VAL);
    for (int step = 0; step <= 50; ++step) {
      const double f = 1.0 - step / 100.0;
      std::vector<double> err(static_cast<size_t>(channels), 0.0);
      for (int64_t i = 0; i < wt.numel(); ++i) {
        const size_t c = static_cast<size_t>((i / inner) % channels);
        const double s = weightScale(absMax[c] * f, qmax), x = wt.getF(i);
        if (!std::isfinite(x)) continue;
        const double d = x - s * std::clamp(std::nearbyint(x / s), -static_cast<double>(qmax), static_cast<double>(qmax));
        err[c] += d * d;
      }
      for (size_t c = 0; c < err.size(); ++c)
        if (err[c] < best[c]) best[c] = err[c], fit[c] = f;
    }
  }
  QuantParams wq;
  for (int64_t c = 0; c < channels; ++c) {
    float s = weightScale(absMax[static_cast<size_t>(c)] * fit[static_cast<size_t>(c)], qmax);
    const double bc = bias.empty() ? 0.0 : std::fabs(bias[static_cast<size_t>(bias.size() == 1 ? 0 : c)]);
    if (bc / (sx * s) > biasLimit) {
      s = static_cast<float>(bc / (sx * biasLimit)) * 1.0001f;
      if (ctx) ctx->count("weight scales widened for the bias");
    }
    wq.scale.push_back(s);
    wq.zeroPoint.push_back(0);
  }
  if (channels > 1) wq.axis = axis;
  wq.bits = qmax == 7 ? 4 : 8;
  return wq;
}

Tensor channelIntegers(const Value& w, int axis, const QuantParams& wq, int qmax) {
  const int64_t channels = w.shape[static_cast<size_t>(axis)], inner = innerSize(w.shape, axis);
  const Tensor& wt = *w.constant;
  Tensor q(DType::I8, w.shape);
  for (int64_t i = 0; i < wt.numel(); ++i) {
    const size_t c = static_cast<size_t>(channels > 1 ? (i / inner) % channels : 0);
    q.setI(i, std::clamp<int64_t>(static_cast<int64_t>(std::nearbyint(wt.getF(i) / static_cast<double>(wq.scale[c]))),
                                  -qmax, qmax));
  }
  return q;
}

// Node n's output (no fused activation) with integer weights on the inputs x: its SQNR after the
// bias correction, and the correction. Without a bias slot (MatMul; Gemm with beta != 1) no shift.
WeightError weightError(const Node& n, int axis, const std::vector<const Tensor*>& x, int qmax) {
  const Value* wv = n.inputs[1];
  const Tensor& w = *wv->constant;
  const QuantParams wq = channelScales(*wv, axis, {}, 1.0, qmax, nullptr);
  const int64_t channels = wv->shape[static_cast<size_t>(axis)], inner = innerSize(wv->shape, axis);
  const double lim = qmax;
  Tensor delta(DType::F32, wv->shape);
  for (int64_t i = 0; i < w.numel(); ++i) {
    const double s = wq.scale[static_cast<size_t>(channels > 1 ? (i / inner) % channels : 0)];
    delta.setF(i, w.getF(i) - s * std::clamp(std::nearbyint(w.getF(i) / s), -lim, lim));
  }
  Graph m;
  Value* xin = m.addValue("x", n.inputs[0]->dtype, n.inputs[0]->shape);
  m.inputs = {xin};
  std::vector<Value*> ins = {xin, m.addConstant("w", wv->constant)};
  if (n.input(2)) ins.push_back(m.addConstant("b", n.input(2)->constant));
  AttrMap attrs = n.attrs;
  attrs.erase(kFusedActivationAttr);
  attrs.erase(kFusedActivationParamsAttr);
  Value* y = m.addValue("y");
  Value* e = m.addValue("e");
  bindOp(*m.addNode(n.opType, "y", ins, {y}, attrs));
  bindOp(*m.addNode(n.opType, "e", {xin, m.addConstant("dw", std::make_shared<Tensor>(std::move(delta)))}, {e}, attrs));
  m.outputs = {y, e};
  refreshGraph(m);
  // Output channel c of element i: (i / yInner) % channels (Conv: axis 1; Gemm, MatMul: the last).
  const Shape& ys = e->shape;
  const int64_t yInner = n.op == op("Conv") ? innerSize(ys, 1) : 1;
  Interpreter it(m);
  double signal = 0;
  std::vector<double> sum(static_cast<size_t>(channels), 0.0), sq(sum), count(sum);
  for (const Tensor* t : x) {
    const auto out = it.run({*t});
    for (int64_t i = 0; i < out[0].numel(); ++i) {
      const double a = out[0].getF(i), d = out[1].getF(i);
      if (!std::isfinite(a) || !std::isfinite(d)) continue;
      const size_t c = static_cast<size_t>((i / yInner) % channels);
      signal += a * a, sum[c] += d, sq[c] += d * d, count[c] += 1;
    }
  }
  const bool biasSlot = n.op == op("Conv") || (n.op == op("Gemm") && n.attrFloat("beta") == 1.0f);
  WeightError r;
  double noise = 0;
  for (size_t c = 0; c < sum.size(); ++c) {
    const double mean = count[c] > 0 && biasSlot ? sum[c] / count[c] : 0.0;
    noise += std::max(0.0, sq[c] - 2 * mean * sum[c] + count[c] * mean * mean);
    if (biasSlot) r.shift.push_back(mean);
  }
  r.sqnrDb = noise > 0 ? std::min(kSqnrCapDb, 10 * std::log10(std::max(signal, 1e-300) / noise)) : kSqnrCapDb;
  return r;
}

// Elements of a tensor of this shape after `axis` (element i is in channel (i / inner) % channels).
int64_t innerSize(const Shape& shape, int axis) {
  int64_t inner = 1;
  for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d) inner *= shape[d];
  return inner;
}

std::map<const Node*, WeightError> weightErrors(const Graph& g, const std::vector<std::pair<const Node*, int>>& candidates,
                                                const std::vector<std::vector<Tensor>>& samples, int qmax) {
  if (candidates.empty()) return {};
  std::vector<const Value*> xs;
  for (const auto& c : candidates) xs.push_back(c.first->inputs[0]);
  const auto inputs = outputsOn(g, xs, samples);
  std::map<const Node*, WeightError> errors;
  for (size_t i = 0; i < candidates.size(); ++i) {
    std::vector<const Tensor*> x;  // the layer's float input on each sample
    const auto gi = std::find(g.inputs.begin(), g.inputs.end(), xs[i]);
    for (size_t k = 0; k < samples.size(); ++k)
      if (gi != g.inputs.end())
        x.push_back(&samples[k][static_cast<size_t>(gi - g.inputs.begin())]);
      else if (inputs[k][i])
        x.push_back(&*inputs[k][i]);
    errors[candidates[i].first] = weightError(*candidates[i].first, candidates[i].second, x, qmax);
  }
  return errors;
}

std::map<const Node*, WeightError> chooseInt4(const Graph& g, const std::vector<std::pair<const Node*, int>>& candidates,
                                              const std::vector<std::vector<Tensor>>& samples, PassContext& ctx) {
  auto chosen = weightErrors(g, candidates, samples, 7);
  for (auto& [n, ch] : chosen) {
    ch.use = ch.sqnrDb >= kInt4MinSqnrDb;
    ctx.count(ch.use ? "layers with int4 weights" : "layers kept at int8 weights (int4 SQNR too low)");
  }
  return chosen;
}

// The values (by pointer) of g's tensors `want` on each input set; nullopt where not computed.
std::vector<std::vector<std::optional<Tensor>>> outputsOn(const Graph& g, const std::vector<const Value*>& want,
                                                          const std::vector<std::vector<Tensor>>& inputs) {
  std::map<const Value*, size_t> index;
  for (size_t i = 0; i < want.size(); ++i)
    if (want[i]) index[want[i]] = i;
  std::vector<std::vector<std::optional<Tensor>>> out;
  Interpreter interp(g);
  std::vector<std::optional<Tensor>>* cur = nullptr;
  interp.onNode = [&](const Node& n, const std::vector<const Tensor*>& outs) {
    for (size_t i = 0; i < n.outputs.size() && i < outs.size(); ++i)
      if (auto it = index.find(n.outputs[i]); it != index.end() && outs[i]) (*cur)[it->second] = *outs[i];
  };
  for (const auto& in : inputs) {
    out.emplace_back(want.size());
    cur = &out.back();
    interp.run(in);
  }
  return out;
}

// Bytes of a layer's weights and bias as the graph now stores them.
int64_t weightBytes(const Node& n) {
  int64_t bytes = 0;
  for (size_t i = 1; i < n.inputs.size(); ++i) {
    const Value* v = n.inputs[i];
    if (v && isDequantize(v->producer) && v->producer->input(0) && v->producer->inputs[0]->constant)
      v = v->producer->inputs[0];
    if (v && v->constant)
      bytes += v->quant && v->quant->bits == 4 ? (numElements(v->shape) + 1) / 2
                                               : numElements(v->shape) * static_cast<int64_t>(dtypeSize(v->dtype));
  }
  return bytes;
}

}  // namespace tinyc::qw
