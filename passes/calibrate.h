// Calibration for post-training quantization (the quantize pass, passes/quantize.cpp): runs the
// reference interpreter over sample inputs, records per-tensor statistics of float activations,
// and chooses each tensor's range [lo, hi] by one of four methods. docs/quantization.md (PTQ).
#pragma once
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ir/graph.h"

namespace tinyc {

enum class CalibMethod { MinMax, Percentile, Entropy, Mse };
// "minmax", "percentile", "entropy", "mse"; parseCalibMethod: usage error for another name.
const char* calibMethodName(CalibMethod m);
CalibMethod parseCalibMethod(const std::string& name);

// Statistics of one tensor over all samples (non-finite elements are ignored).
struct TensorStats {
  static constexpr int kHalfBins = 2048;  // histogram bins on each side of 0
  double min = 0, max = 0;                // over every finite element seen (0, 0 when none)
  int64_t count = 0;                      // finite elements seen
  int64_t zeros = 0;                      // elements exactly 0 (counted with the histogram)
  // 2 * kHalfBins bins of equal width over [-absMax, absMax] (absMax = max(|min|, |max|)); bin
  // kHalfBins starts at 0. Empty for minmax calibration or when absMax is 0.
  std::vector<int64_t> hist;
  double absMax() const;
  double binWidth() const { return absMax() / kHalfBins; }
};

// The integer grid a range is chosen for: int8 activations are asymmetric (255 steps over
// [lo, hi]), int16 ones symmetric (32767 steps on each side of 0; quantize.cpp activationParams16).
enum class Grid { Int8, Int16 };

// Range [lo, hi] chosen from the statistics; always lo <= 0 <= hi, inside [min, max] widened to 0.
std::pair<double, double> rangeMinMax(const TensorStats& s);
// The `percent` (default 99.99) quantile at the top and (100 - percent) at the bottom, at the
// edges of the histogram bins that hold them.
constexpr double kDefaultPercentile = 99.999;
std::pair<double, double> rangePercentile(const TensorStats& s, double percent = kDefaultPercentile);
// KL divergence (TensorRT's entropy calibration) over the histogram of |x|: the threshold t whose
// clipped histogram P and its quantization Q (int8: 256 levels for a one-sided tensor, 128 per
// side otherwise; int16: 32768 levels, more than the histogram's bins, so the whole range) are
// closest; range [max(min, -t), min(max, t)]. The first bin (exact zeros and |x| below one bin
// width) is left out of P and Q: every candidate quantizes it inside its first level, and as a
// spike (half a tensor after a ReLU is 0; a convolution's bias on an image's flat background) its
// mass otherwise decides the divergence (every threshold with one bin per level has Q = P there).
// The histogram is coarsened (bins merged in pairs, down to one bin per level: the whole range)
// until it holds kEntropyPerBin nonzero elements per bin on average.
constexpr double kEntropyPerBin = 16;
std::pair<double, double> rangeEntropy(const TensorStats& s, Grid grid = Grid::Int8);
// The range with the smallest expected squared error: s^2 / 12 for each element inside (s the
// grid's step), (x - clamp(x))^2 for each one outside (x the centre of its bin). Candidates:
// int8 [f * lo, f * hi] (s = (hi - lo) f / 255), int16 [-f a, f a] (a = max |x|, s = f a / 32767),
// f = k / 100, k = 1..100, of the min/max range.
std::pair<double, double> rangeMse(const TensorStats& s, Grid grid = Grid::Int8);
std::pair<double, double> chooseRange(const TensorStats& s, CalibMethod m, Grid grid = Grid::Int8);

// Accumulates statistics element by element (first pass: min/max; second pass: the histogram,
// once min/max of the tensor are final). Deterministic: the same data in the same order gives
// the same statistics.
void addMinMax(TensorStats& s, const Tensor& t);
void addHistogram(TensorStats& s, const Tensor& t);

// Runs g on every sample (graph-input order) and returns the statistics of each value of
// `watch` (float tensors: graph inputs or node outputs). With histograms, the samples are run
// twice (min/max first, then the histograms). progress(done, total) after each run.
std::map<const Value*, TensorStats> calibrate(const Graph& g, const std::vector<const Value*>& watch,
                                              const std::vector<std::vector<Tensor>>& samples, bool histograms,
                                              const std::function<void(int, int)>& progress = {});

}  // namespace tinyc
