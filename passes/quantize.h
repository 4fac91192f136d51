// Post-training quantization (the quantize pass, passes/quantize.cpp): what --quantize asks for,
// and the int8 scheme's parameters. docs/quantization.md (PTQ).
#pragma once
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/calibrate.h"

namespace tinyc {

// One quantized (or deliberately float) layer, as the pass reports it.
struct QuantizedLayer {
  std::string node, op;
  std::string precision;     // "int8" or "float"
  double sqnrDb = 0;         // output SQNR, the quantized graph vs the float one, on the calibration
                             // samples (at most kSqnrSamples); capped at kSqnrCapDb (exact)
  int64_t weightBytes = 0;   // its weights and bias as stored (int8 / int32, or float)
};

struct QuantizeRequest {
  std::string scheme = "int8";  // "int8" (calibrated) or "weights-int8" (weights only, no calibration)
  CalibMethod method = CalibMethod::MinMax;
  std::vector<std::vector<Tensor>> samples;  // calibration inputs, graph-input order
  std::function<void(int, int)> progress;    // (runs done, runs in all), optional
  std::set<std::string> keepFloat;           // --keep-float: nodes left in float (by name)
  // Filled by the pass (the request itself is shared read-only): every layer with a weight or an
  // int8 form, in schedule order.
  std::shared_ptr<std::vector<QuantizedLayer>> layers = std::make_shared<std::vector<QuantizedLayer>>();
};
inline constexpr int kSqnrSamples = 16;
inline constexpr double kSqnrCapDb = 200.0;

// int8 asymmetric per-tensor parameters of an activation with real range [lo, hi] (lo <= 0 <=
// hi): scale (hi - lo) / 255, zero point round(-128 - lo / scale) so that real 0 is exact. A
// range narrower than 1e-9 gets scale 1e-9 (never a zero or denormal scale).
QuantParams activationParams(double lo, double hi);
// int8 symmetric (zero point 0) scale of weights whose largest magnitude is absMax: absMax / 127,
// or 1 for an all-zero channel.
float weightScale(double absMax);

}  // namespace tinyc
