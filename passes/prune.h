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
  int64_t channels = 0, kept = 0;  // output channels before and after
};

struct PruneRequest {
  double ratio = 0;                           // --prune channels:R: every layer without its own
  std::map<std::string, double> layerRatios;  // per node name (--prune-layer, the accuracy guard)
  std::string norm = "l1";                    // --prune-norm: l1 or l2
  // Filled by the pass, in the order it looked at them: every layer whose channels can be followed
  // to their readers (kept == channels where its ratio removed none).
  std::shared_ptr<std::vector<PrunedLayer>> layers = std::make_shared<std::vector<PrunedLayer>>();
  // Set by the accuracy guard (--prune-max-drop, apps/tinyc/prune.cpp) that chose layerRatios.
  bool searched = false;
  double agreement = 0;  // top-1 agreement with the unpruned model on its samples, %
  int samples = 0, evaluations = 0;
  bool any() const {
    if (ratio > 0) return true;
    for (const auto& [n, r] : layerRatios)
      if (r > 0) return true;
    return false;
  }
};

}  // namespace tinyc
