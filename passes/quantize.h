// Post-training quantization (the quantize pass, passes/quantize.cpp): what --quantize asks for,
// and the int8 scheme's parameters. docs/quantization.md (PTQ).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "passes/calibrate.h"

namespace tinyc {

struct QuantizeRequest {
  std::string scheme = "int8";  // the only one so far
  CalibMethod method = CalibMethod::MinMax;
  std::vector<std::vector<Tensor>> samples;  // calibration inputs, graph-input order
  std::function<void(int, int)> progress;    // (runs done, runs in all), optional
};

// int8 asymmetric per-tensor parameters of an activation with real range [lo, hi] (lo <= 0 <=
// hi): scale (hi - lo) / 255, zero point round(-128 - lo / scale) so that real 0 is exact. A
// range narrower than 1e-9 gets scale 1e-9 (never a zero or denormal scale).
QuantParams activationParams(double lo, double hi);
// int8 symmetric (zero point 0) scale of weights whose largest magnitude is absMax: absMax / 127,
// or 1 for an all-zero channel.
float weightScale(double absMax);

}  // namespace tinyc
