#include "passes/calibrate.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "interp/interpreter.h"
#include "support/error.h"

namespace tinyc {

const char* calibMethodName(CalibMethod m) {
  switch (m) {
    case CalibMethod::MinMax: return "minmax";
    case CalibMethod::Percentile: return "percentile";
    case CalibMethod::Entropy: return "entropy";
    case CalibMethod::Mse: return "mse";
  }
  return "?";
}

CalibMethod parseCalibMethod(const std::string& name) {
  for (CalibMethod m : {CalibMethod::MinMax, CalibMethod::Percentile, CalibMethod::Entropy, CalibMethod::Mse})
    if (name == calibMethodName(m)) return m;
  usageError("unknown calibration method '{}' (minmax, percentile, entropy, mse)", printable(name));
}

double TensorStats::absMax() const { return std::max(std::fabs(min), std::fabs(max)); }

namespace {

// [lo, hi] widened to include 0 (real 0 must be exact) and kept inside [min, max] widened to 0.
std::pair<double, double> withZero(const TensorStats& s, double lo, double hi) {
  lo = std::max(std::min(lo, 0.0), std::min(s.min, 0.0));
  hi = std::min(std::max(hi, 0.0), std::max(s.max, 0.0));
  return {lo, hi};
}

// Left edge of bin i of the signed histogram.
double edge(const TensorStats& s, int64_t i) { return -s.absMax() + static_cast<double>(i) * s.binWidth(); }

}  // namespace

std::pair<double, double> rangeMinMax(const TensorStats& s) { return withZero(s, s.min, s.max); }

std::pair<double, double> rangePercentile(const TensorStats& s, double percent) {
  if (s.hist.empty() || s.count == 0) return rangeMinMax(s);
  const double n = static_cast<double>(s.count);
  const double below = n * (100.0 - percent) / 100.0;  // elements allowed under lo
  const double upTo = n * percent / 100.0;             // elements that must be <= hi
  const int64_t bins = static_cast<int64_t>(s.hist.size());
  double cum = 0;
  int64_t loBin = 0, hiBin = bins - 1;
  for (int64_t i = 0; i < bins; ++i) {  // first bin whose cumulative count exceeds `below`
    cum += static_cast<double>(s.hist[static_cast<size_t>(i)]);
    if (cum > below) {
      loBin = i;
      break;
    }
  }
  cum = 0;
  for (int64_t i = 0; i < bins; ++i) {  // first bin whose cumulative count reaches `upTo`
    cum += static_cast<double>(s.hist[static_cast<size_t>(i)]);
    if (cum >= upTo) {
      hiBin = i;
      break;
    }
  }
  return withZero(s, edge(s, loBin), edge(s, hiBin + 1));
}

namespace {

// MXNet's / TensorRT's smoothing: zero entries get eps, taken from the nonzero ones. Returns
// false when every entry is zero.
bool smooth(std::vector<double>& p) {
  constexpr double eps = 0.0001;
  size_t zeros = 0;
  for (double v : p) zeros += v == 0;
  const size_t nonzeros = p.size() - zeros;
  if (nonzeros == 0) return false;
  const double eps1 = eps * static_cast<double>(zeros) / static_cast<double>(nonzeros);
  for (double& v : p) v += v == 0 ? eps : -eps1;
  return true;
}

double klDivergence(const std::vector<double>& p, const std::vector<double>& q) {
  double sp = 0, sq = 0;
  for (size_t i = 0; i < p.size(); ++i) sp += p[i], sq += q[i];
  double kl = 0;
  for (size_t i = 0; i < p.size(); ++i)
    if (p[i] > 0) kl += (p[i] / sp) * std::log((p[i] / sp) / (q[i] / sq));
  return kl;
}

}  // namespace

std::pair<double, double> rangeEntropy(const TensorStats& s, Grid grid) {
  if (s.hist.empty() || s.count == 0) return rangeMinMax(s);
  const bool oneSided = s.min >= 0 || s.max <= 0;
  const int64_t nq = grid == Grid::Int16 ? 32768 : oneSided ? 256 : 128;
  // Histogram of nonzero |x| at a resolution the data can fill: at least kEntropyPerBin elements
  // per bin on average (a power of two from nq to kHalfBins bins). A sparse histogram makes the
  // divergence noise: 32 samples of an 8-wide bottleneck (256 values in 2048 bins) had their
  // range cut to a few levels (ad01_fp32: 4.9 dB against 42.6 with mse). With nq bins there is
  // one candidate, the whole range.
  const double nonzero = static_cast<double>(s.count - s.zeros);
  int64_t nb = TensorStats::kHalfBins;
  while (nb > nq && static_cast<double>(nb) * kEntropyPerBin > nonzero) nb /= 2;
  const int64_t merge = TensorStats::kHalfBins / nb;  // histogram bins per bin here
  std::vector<double> h(static_cast<size_t>(nb), 0.0);
  for (int64_t i = 0; i < 2 * TensorStats::kHalfBins; ++i) {
    const int64_t a = i >= TensorStats::kHalfBins ? i - TensorStats::kHalfBins : TensorStats::kHalfBins - 1 - i;
    h[static_cast<size_t>(a / merge)] += static_cast<double>(s.hist[static_cast<size_t>(i)]);
  }
  // The first bin (|x| below one bin width, exact zeros included) is left out of P and Q: every
  // candidate puts it inside its first level, so it cannot tell them apart, but as a spike it
  // decides the divergence (Q spreads a level's mass over its bins). After a ReLU half a tensor is
  // exactly 0; in mnist8's first convolution the digits' background gives every pixel its
  // channel's bias (0.02 and 0.09: half the nonzero elements in one bin), which cut the range
  // to a few percent (15.7 dB against 44.7 with minmax).
  h[0] = 0;
  double best = std::numeric_limits<double>::infinity();
  int64_t bestI = nb;
  std::vector<double> p, q, above(static_cast<size_t>(nb) + 1, 0.0);  // above[i]: elements in bins >= i
  for (int64_t i = nb - 1; i >= 0; --i) above[static_cast<size_t>(i)] = above[static_cast<size_t>(i) + 1] + h[static_cast<size_t>(i)];
  for (int64_t i = nq; i <= nb; ++i) {
    p.assign(h.begin(), h.begin() + i);
    p.back() += above[static_cast<size_t>(i)];
    // Q: the first i bins (without the outliers) merged into nq levels, each level spread evenly
    // over its bins where P is nonzero.
    q.assign(static_cast<size_t>(i), 0.0);
    const int64_t merged = i / nq;
    for (int64_t j = 0; j < nq; ++j) {
      const int64_t start = j * merged, stop = j == nq - 1 ? i : start + merged;
      double sum = 0;
      int64_t nonzeroBins = 0;
      for (int64_t k = start; k < stop; ++k) {
        sum += h[static_cast<size_t>(k)];
        nonzeroBins += p[static_cast<size_t>(k)] != 0;
      }
      if (nonzeroBins == 0) continue;
      for (int64_t k = start; k < stop; ++k)
        if (p[static_cast<size_t>(k)] != 0) q[static_cast<size_t>(k)] = sum / static_cast<double>(nonzeroBins);
    }
    if (!smooth(p) || !smooth(q)) continue;
    const double kl = klDivergence(p, q);
    if (kl < best) {  // the first (smallest) threshold among equals
      best = kl;
      bestI = i;
    }
  }
  const double t = static_cast<double>(bestI * merge) * s.binWidth();
  return withZero(s, std::max(s.min, -t), std::min(s.max, t));
}

std::pair<double, double> rangeMse(const TensorStats& s, Grid grid) {
  if (s.hist.empty() || s.count == 0) return rangeMinMax(s);
  const auto [lo0, hi0] = rangeMinMax(s);
  const double w = s.binWidth(), a = s.absMax();
  double best = std::numeric_limits<double>::infinity();
  std::pair<double, double> bestRange{lo0, hi0};
  for (int k = 100; k >= 1; --k) {  // from the full range down: ties keep the wider range
    const double f = k / 100.0;
    const bool sym = grid == Grid::Int16;
    const double lo = sym ? -a * f : lo0 * f, hi = sym ? a * f : hi0 * f;
    const double step = sym ? a * f / 32767.0 : (hi - lo) / 255.0;
    double err = 0;
    for (size_t i = 0; i < s.hist.size(); ++i) {
      if (!s.hist[i]) continue;
      const double x = edge(s, static_cast<int64_t>(i)) + w / 2, c = static_cast<double>(s.hist[i]);
      const double d = x < lo ? lo - x : x > hi ? x - hi : 0.0;
      err += c * (d > 0 ? d * d : step * step / 12.0);
    }
    if (err < best) {
      best = err;
      bestRange = withZero(s, lo, hi);
    }
  }
  return bestRange;
}

std::pair<double, double> chooseRange(const TensorStats& s, CalibMethod m, Grid grid) {
  switch (m) {
    case CalibMethod::MinMax: return rangeMinMax(s);
    case CalibMethod::Percentile: return rangePercentile(s);
    case CalibMethod::Entropy: return rangeEntropy(s, grid);
    case CalibMethod::Mse: return rangeMse(s, grid);
  }
  return rangeMinMax(s);
}

void addMinMax(TensorStats& s, const Tensor& t) {
  for (int64_t i = 0; i < t.numel(); ++i) {
    const double x = t.getF(i);
    if (!std::isfinite(x)) continue;
    s.min = s.count == 0 ? x : std::min(s.min, x);
    s.max = s.count == 0 ? x : std::max(s.max, x);
    ++s.count;
  }
}

void addHistogram(TensorStats& s, const Tensor& t) {
  const double a = s.absMax();
  if (!(a > 0)) return;
  const int64_t bins = 2 * TensorStats::kHalfBins;
  if (s.hist.empty()) s.hist.assign(static_cast<size_t>(bins), 0);
  const double perUnit = static_cast<double>(TensorStats::kHalfBins) / a;
  for (int64_t i = 0; i < t.numel(); ++i) {
    const double x = t.getF(i);
    if (!std::isfinite(x)) continue;
    const int64_t b = std::clamp<int64_t>(static_cast<int64_t>(std::floor((x + a) * perUnit)), 0, bins - 1);
    ++s.hist[static_cast<size_t>(b)];
    s.zeros += x == 0;
  }
}

std::map<const Value*, TensorStats> calibrate(const Graph& g, const std::vector<const Value*>& watch,
                                              const std::vector<std::vector<Tensor>>& samples, bool histograms,
                                              const std::function<void(int, int)>& progress) {
  std::map<const Value*, TensorStats> stats;
  std::map<const Value*, bool> watched;
  for (const Value* v : watch) {
    stats[v];
    watched[v] = true;
  }
  const int passes = histograms ? 2 : 1;
  const int total = passes * static_cast<int>(samples.size());
  int done = 0;
  for (int pass = 0; pass < passes; ++pass) {
    auto add = [&](const Value* v, const Tensor& t) {
      if (!watched.count(v)) return;
      if (pass == 0)
        addMinMax(stats[v], t);
      else
        addHistogram(stats[v], t);
    };
    Interpreter interp(g);
    interp.onNode = [&](const Node& n, const std::vector<const Tensor*>& outs) {
      for (size_t i = 0; i < n.outputs.size() && i < outs.size(); ++i)
        if (n.outputs[i] && outs[i]) add(n.outputs[i], *outs[i]);
    };
    for (const auto& sample : samples) {
      for (size_t i = 0; i < g.inputs.size() && i < sample.size(); ++i) add(g.inputs[i], sample[i]);
      interp.run(sample);
      if (progress) progress(++done, total);
    }
  }
  return stats;
}

}  // namespace tinyc
