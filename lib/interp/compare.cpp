#include "interp/compare.h"

#include <fmt/format.h>

#include <cmath>
#include <limits>

#include "ops/op.h"

namespace tinyc {

Comparison compareTensors(const Tensor& got, const Tensor& ref, const Tolerance& tol) {
  Comparison c;
  if (got.dtype() != ref.dtype()) {
    c.ok = false;
    c.why = fmt::format("dtype {} != expected {}", dtypeName(got.dtype()), dtypeName(ref.dtype()));
    return c;
  }
  if (got.shape() != ref.shape()) {
    c.ok = false;
    c.why = fmt::format("shape {} != expected {}", shapeStr(got.shape()), shapeStr(ref.shape()));
    return c;
  }
  const bool exact = !isFloat(ref.dtype());
  double maxRef = 0;
  if (tol.atolRelativeToMax)
    for (int64_t i = 0; i < ref.numel(); ++i)
      if (std::isfinite(ref.getF(i))) maxRef = std::max(maxRef, std::fabs(ref.getF(i)));
  const double atol = tol.atolRelativeToMax ? tol.atol * std::max(maxRef, 1e-30) : tol.atol;
  double dot = 0, ng = 0, nr = 0, noise = 0;
  double worst = -1;
  for (int64_t i = 0; i < ref.numel(); ++i) {
    bool bad;
    double g, r;
    if (exact) {
      int64_t gi = got.getI(i), ri = ref.getI(i);
      g = static_cast<double>(gi);
      r = static_cast<double>(ri);
      bad = gi != ri;
    } else {
      g = got.getF(i);
      r = ref.getF(i);
      if (std::isnan(r) || std::isnan(g))
        bad = std::isnan(r) != std::isnan(g);
      else if (std::isinf(r) || std::isinf(g))
        bad = g != r;
      else
        bad = std::fabs(g - r) > atol + tol.rtol * std::fabs(r);
    }
    if (std::isfinite(g) && std::isfinite(r)) {
      double e = std::fabs(g - r);
      c.maxAbsErr = std::max(c.maxAbsErr, e);
      if (r != 0) c.maxRelErr = std::max(c.maxRelErr, e / std::fabs(r));
      dot += g * r;
      ng += g * g;
      nr += r * r;
      noise += (g - r) * (g - r);
      if (bad && e > worst) {
        worst = e;
        c.worstIndex = i;
      }
    } else if (bad && worst < 0) {
      c.worstIndex = i;
    }
    if (bad) c.mismatches++;
  }
  c.cosine = (ng > 0 && nr > 0) ? dot / std::sqrt(ng * nr) : (ng == nr ? 1.0 : 0.0);
  c.sqnrDb = noise > 0 ? 10 * std::log10(nr / noise) : std::numeric_limits<double>::infinity();
  if (c.mismatches) {
    c.ok = false;
    int64_t w = c.worstIndex;
    c.why = fmt::format("{} of {} elements differ; worst at {}: got {} expected {} (max abs err {:.3g})",
                        c.mismatches, ref.numel(), w, w >= 0 ? got.getF(w) : 0.0, w >= 0 ? ref.getF(w) : 0.0,
                        c.maxAbsErr);
  }
  return c;
}

int64_t longestReduction(const Graph& g) {
  int64_t k = 1;
  for (const auto& n : g.nodes) {
    if (n->outputs.empty() || !n->outputs[0] || !isFloat(n->outputs[0]->dtype)) continue;
    const int64_t elems = numElements(n->outputs[0]->shape), macs = nodeMacs(*n);
    if (elems > 0 && macs > 0) k = std::max(k, (macs + elems - 1) / elems);
  }
  return k;
}

double reductionScale(int64_t k) {
  return k > kReductionUnit ? std::sqrt(static_cast<double>(k) / static_cast<double>(kReductionUnit)) : 1.0;
}

}  // namespace tinyc
