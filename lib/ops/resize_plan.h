// Resize plan and per-axis sampling taps, shared by the reference interpreter
// (lib/ops/shape_resize.cpp) and the C backend (backends/c/kernels_resize.cpp). Follows the ONNX
// reference implementation: per axis, each output coordinate is mapped to an input coordinate
// x_ori; nearest picks one neighbour, linear/cubic weight 2/4 neighbours (more with antialias
// when downsampling), with edge clamping.
#pragma once
#include <cstdint>
#include <vector>

#include "ops/op.h"

namespace tinyc::resize_plan {

enum class Mode { Nearest, Linear, Cubic };
enum class Ctm { HalfPixel, HalfPixelSymmetric, PytorchHalfPixel, AlignCorners, Asymmetric, TfCropAndResize, TfHalfPixelForNn };
enum class NearestMode { RoundPreferFloor, RoundPreferCeil, Floor, Ceil };

struct Axis {
  int64_t in = 0, out = 0;
  double scale = 1;     // scale factor used by the coordinate transform
  double outWidth = 0;  // scale * in ("output_width" of the reference), or the requested size
  double roiStart = 0, roiEnd = 1;
};

struct Plan {
  Mode mode = Mode::Nearest;
  Ctm ctm = Ctm::HalfPixel;
  NearestMode nearest = NearestMode::RoundPreferFloor;
  double cubicA = -0.75;
  bool excludeOutside = false, antialias = false;
  double extrapolation = 0;
  std::vector<Axis> axes;  // one per input dimension
};

// The plan for input shape `in`; roi, scales and sizes are null when absent (or empty).
Plan resizePlan(const Node& n, const Shape& in, const Tensor* roi, const Tensor* scales, const Tensor* sizes);

// Sampling taps of one axis: output x reads idx[x*n + k] with weight w[x*n + k]; outside[x]
// marks tf_crop_and_resize extrapolation; identity when the axis maps every x to itself.
struct Taps {
  int n = 1;
  std::vector<int64_t> idx;
  std::vector<double> w;
  std::vector<uint8_t> outside;
  bool identity = true;
};

Taps axisTaps(const Node& node, const Plan& p, const Axis& a);

// Nearest mode: per axis, the element offset into the input (shape `in`) of each output index,
// or -1 where the extrapolation value goes.
std::vector<std::vector<int64_t>> nearestOffsets(const Plan& p, const std::vector<Taps>& taps, const Shape& in);

// Stores v into element i of out, float -> integer like Cast: truncate toward zero, NaN -> 0,
// saturate.
void storeValue(Tensor& out, int64_t i, double v);

}  // namespace tinyc::resize_plan
