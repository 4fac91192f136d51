// Post-training quantization (the quantize pass, passes/quantize.cpp): what --quantize asks for,
// and the int8 scheme's parameters. docs/quantization.md (PTQ).
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/calibrate.h"

namespace tinyc {

// One quantized (or deliberately float) layer, as the pass reports it.
struct QuantizedLayer {
  std::string node, op;
  std::string precision;     // "int8", "int4" (int4 weights, int8 activations), "int16" (int16x8) or "float"
  double sqnrDb = 0;         // output SQNR, the quantized graph vs the float one, on the calibration
                             // samples (at most kSqnrSamples); capped at kSqnrCapDb (exact)
  int64_t weightBytes = 0;   // its weights and bias as stored (int8 / int4 / int32, or float)
  std::optional<double> int4SqnrDb;  // --weight-bits 4: its own output SQNR with int4 weights (chooseInt4)
  bool int16Form = false;            // it can run on int16 activations (QuantizeRequest::int16Layers)
};

struct QuantizeRequest {
  std::string scheme = "int8";  // "int8" or "int16x8" (calibrated) or "weights-int8" (weights only, no calibration)
  CalibMethod method = CalibMethod::MinMax;
  bool biasCorrection = true;  // --no-bias-correction: false (qw::weightError's shift into the biases)
  int weightBits = 8;  // --weight-bits: 4 gives int4 weights to the layers that keep their SQNR (kInt4MinSqnrDb)
  std::vector<std::vector<Tensor>> samples;  // calibration inputs, graph-input order
  std::function<void(int, int)> progress;    // (runs done, runs in all), optional
  std::set<std::string> keepFloat;           // --keep-float: nodes left in float (by name)
  std::set<std::string> keepInt8;            // with weightBits 4: nodes whose weights stay int8 (--min-sqnr)
  std::set<std::string> int16Layers;         // with int8: nodes run on int16 activations (--min-sqnr)
  // Filled by the pass (the request itself is shared read-only): every layer with a weight or an
  // int8 form, in schedule order.
  std::shared_ptr<std::vector<QuantizedLayer>> layers = std::make_shared<std::vector<QuantizedLayer>>();
};
inline constexpr int kSqnrSamples = 16;
inline constexpr double kSqnrCapDb = 200.0;
// --weight-bits 4: a Conv (one group), Gemm or MatMul gets int4 weights when the SQNR of its own
// output with int4 weights (its float input, float weights vs int4 weights: the error the layer
// itself adds) is at least this on the calibration samples; otherwise int8.
inline constexpr double kInt4MinSqnrDb = 20.0;

// int8 asymmetric per-tensor parameters of an activation with real range [lo, hi] (lo <= 0 <=
// hi): scale (hi - lo) / 255, zero point round(-128 - lo / scale) so that real 0 is exact. A
// range narrower than 1e-9 gets scale 1e-9 (never a zero or denormal scale).
QuantParams activationParams(double lo, double hi);
// int16 symmetric per-tensor parameters (--quantize int16x8): scale max(|lo|, |hi|) / 32767, zero
// point 0; a degenerate range gets scale 1.
QuantParams activationParams16(double lo, double hi);
// Symmetric (zero point 0) scale of weights whose largest magnitude is absMax: absMax / qmax
// (127 for int8, 7 for int4), or 1 for an all-zero channel.
float weightScale(double absMax, int qmax = 127);

}  // namespace tinyc
