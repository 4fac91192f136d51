// Structured pruning (--prune, passes/prune.cpp): what the prune pass is asked to do, and what it
// reports back (every layer it could prune, whether or not it did).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace tinyc {

struct PrunedLayer {
  std::string node, op;
  int64_t channels = 0, kept = 0;  // output channels before and after (channels:R)
  int64_t weights = 0, nonZeros = 0;  // weights and the non-zeros left (magnitude:R)
};

// Output channels kept of m when the fraction `ratio` goes (at least one kept; rounded up to a
// multiple of `multiple` when m has that many).
inline int64_t prunedKeep(int64_t m, double ratio, int64_t multiple) {
  int64_t drop = static_cast<int64_t>(ratio * static_cast<double>(m) + 1e-9);
  drop = drop < 0 ? 0 : drop > m - 1 ? m - 1 : drop;
  int64_t keep = m - drop;
  if (multiple > 1 && m >= multiple) keep = (keep + multiple - 1) / multiple * multiple;
  return keep;
}

// One row of the accuracy guard's per-layer sensitivity table: the model with only this layer's
// fraction changed to `ratio` (the others as given).
struct PruneSensitivity {
  std::string node;
  double ratio = 0;
  int64_t kept = 0, macs = 0;  // the layer's kept channels; the whole model's MACs
  double agreement = 0;        // top-1 agreement with the unpruned model, %
  double sqnrDb = 0;           // SQNR of the outputs against the unpruned model's, dB (1e9: equal)
  int64_t nonZeros = 0;        // magnitude: the whole model's non-zero weights (kept: the layer's)
};

struct PruneRequest {
  // "channels" (structured: whole output channels) or "magnitude" (unstructured: the weights of
  // smallest magnitude become zeros, stored sparse by the sparse-weights pass).
  std::string kind = "channels";
  double ratio = 0;                           // --prune KIND:R: every layer without its own
  std::map<std::string, double> layerRatios;  // per node name (--prune-layer, the accuracy guard)
  std::string norm = "l1";                    // --prune-norm: l1 or l2
  // Kept channel counts are rounded up to a multiple of this (layers with at least as many): 4 for
  // the accuracy guard (the kernels compute 4 output channels at a time), 1 otherwise (exact).
  int64_t multiple = 1;
  // Filled by the pass, in the order it looked at them: every layer whose channels can be followed
  // to their readers (kept == channels where its ratio removed none).
  std::shared_ptr<std::vector<PrunedLayer>> layers = std::make_shared<std::vector<PrunedLayer>>();
  // Set by the accuracy guard (--prune-max-drop, apps/tinyc/prune.cpp) that chose layerRatios.
  bool searched = false;
  bool measured = false;  // a fixed request measured on --prune-data (agreement, sqnrDb, samples)
  double agreement = 0;  // top-1 agreement with the unpruned model on its samples, %
  double sqnrDb = 0;     // SQNR of all outputs against the unpruned model's on its samples, dB
  int samples = 0, evaluations = 0;
  std::vector<PruneSensitivity> sensitivity;  // every prunable layer alone at 1/4, 1/2 and 3/4
  bool any() const {
    if (ratio > 0) return true;
    for (const auto& [n, r] : layerRatios)
      if (r > 0) return true;
    return false;
  }
};

}  // namespace tinyc
