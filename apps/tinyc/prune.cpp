#include "prune.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <optional>

#include "interp/interpreter.h"
#include "ops/op.h"
#include "quantize.h"
#include "support/error.h"

namespace tinyc::cli {

namespace {

// "channels:R" or "magnitude:R" -> R (the CLI checks the form).
double specRatio(const std::string& spec) {
  const size_t colon = spec.find(':');
  return colon == std::string::npos ? 0.0 : std::stod(spec.substr(colon + 1));
}

std::string checkRatio(const std::string& r, const std::string& what) {
  try {
    size_t used = 0;
    const double x = std::stod(r, &used);
    if (used == r.size() && x > 0 && x < 1) return "";
  } catch (...) {
  }
  return "expected " + what + " with 0 < R < 1, got '" + r + "'";
}

// The -O2 pipeline up to and including prune: the graph the accuracy guard measures.
std::string pipelineToPrune() {
  const std::string all = pipelineForLevel(2);
  const size_t at = all.find(",prune,");
  return all.substr(0, at + 6);
}

struct Measure {
  double agreement = 0;  // % of samples whose arg-max equals the unpruned model's
  double sqnr = 0;       // dB, every output of every sample against the unpruned model's (kEqual: same)
  int64_t macs = 0;
  int64_t cost = 0;  // what the guard minimizes: MACs (channels), non-zero weights (magnitude)
  std::vector<PrunedLayer> layers;
};
constexpr double kEqual = 1e9;  // the SQNR of outputs equal to the unpruned model's

// What the guard keeps: the top-1 agreement within maxDrop points of 100 % (--prune-max-drop,
// classifiers), or the outputs' SQNR against the unpruned model at least minSqnr dB
// (--prune-min-sqnr, any model).
struct Bound {
  double maxDrop = -1, minSqnr = -1;
  bool holds(const Measure& m) const {
    return minSqnr >= 0 ? m.sqnr >= minSqnr - 1e-9 : 100.0 - m.agreement <= maxDrop + 1e-9;
  }
  double score(const Measure& m) const { return minSqnr >= 0 ? m.sqnr : m.agreement; }
};

// The accuracy guard: greedy steps of 1/8 of a layer's channels (up to 3/4; magnitude: of its
// weights, up to 7/8), each round taking the step that leaves the fewest MACs (magnitude: non-zero
// weights) among those that keep the bound.
class Search {
 public:
  Search(const std::function<std::unique_ptr<Graph>()>& reimport, const PipelineOptions& pipeline,
         std::vector<std::vector<Tensor>> samples, Bound bound, bool quiet)
      : reimport_(reimport), pipeline_(pipeline), samples_(std::move(samples)), bound_(bound), quiet_(quiet) {}

  Measure measure(const PruneRequest& r) {
    auto g = reimport_();
    PassManagerOptions pm;
    pm.pass = pipeline_.passOptions;
    pm.pass.quantize = nullptr;
    auto req = std::make_shared<PruneRequest>(r);
    req->layers = std::make_shared<std::vector<PrunedLayer>>();
    pm.pass.prune = req;
    PassManager mgr(pm);
    mgr.addPipeline(pipelineToPrune());
    mgr.run(*g);
    Measure m;
    m.layers = *req->layers;
    for (const auto& n : g->nodes)
      if (n->op && n->op->macs) m.macs += n->op->macs(*n);
    m.cost = m.macs;
    if (r.kind == "magnitude") {
      m.cost = 0;
      for (const PrunedLayer& l : m.layers) m.cost += l.nonZeros;
    }
    Interpreter interp(*g);
    std::vector<int64_t> top;
    std::vector<std::vector<Tensor>> outs;
    for (const auto& s : samples_) {
      auto out = interp.run(s);
      if (bound_.minSqnr < 0 && (out.empty() || out[0].numel() < 2))
        usageError("--prune-max-drop: the model's first output has {} element(s); the guard measures top-1 "
                   "agreement and needs a classifier's scores (--prune-min-sqnr DB guards any model)",
                   out.empty() ? 0 : out[0].numel());
      int64_t best = 0;
      for (int64_t i = 1; !out.empty() && i < out[0].numel(); ++i)
        if (out[0].getF(i) > out[0].getF(best)) best = i;
      top.push_back(best);
      outs.push_back(std::move(out));
    }
    if (base_.empty()) {
      base_ = top;
      baseOut_ = outs;
    }
    int64_t same = 0;
    for (size_t i = 0; i < top.size(); ++i) same += top[i] == base_[i];
    m.agreement = 100.0 * static_cast<double>(same) / static_cast<double>(std::max<size_t>(1, top.size()));
    double signal = 0, noise = 0;
    for (size_t i = 0; i < outs.size(); ++i)
      for (size_t j = 0; j < outs[i].size() && j < baseOut_[i].size(); ++j)
        for (int64_t k = 0; k < outs[i][j].numel() && k < baseOut_[i][j].numel(); ++k) {
          const double r = baseOut_[i][j].getF(k), d = outs[i][j].getF(k) - r;
          signal += r * r;
          noise += std::isfinite(d) ? d * d : 1e300;
        }
    m.sqnr = noise == 0 ? kEqual : signal == 0 ? -kEqual : 10.0 * std::log10(signal / noise);
    ++evaluations_;
    if (!quiet_ && isatty(STDERR_FILENO))
      std::cerr << (bound_.minSqnr >= 0
                        ? fmt::format("\rtinyc: --prune-min-sqnr: {} trials, SQNR of the last {:.1f} dB   ",
                                      evaluations_, std::min(m.sqnr, 999.0))
                        : fmt::format("\rtinyc: --prune-max-drop: {} trials, top-1 agreement of the last {:.2f} %   ",
                                      evaluations_, m.agreement))
                << std::flush;
    return m;
  }

  std::shared_ptr<PruneRequest> run(const PruneRequest& fixed) {
    PruneRequest cur = fixed;
    measure(PruneRequest{});  // the unpruned model's arg-maxes
    Measure now = measure(cur);
    const bool magnitude = fixed.kind == "magnitude";
    const double maxRatio = magnitude ? kMaxMagnitude : kMaxRatio;
    std::vector<std::string> free;
    std::map<std::string, int64_t> channels;
    for (const PrunedLayer& l : now.layers) {
      channels[l.node] = l.channels;
      if (!fixed.layerRatios.count(l.node)) free.push_back(l.node);
    }
    // A layer's kept channels (magnitude: its non-zero weights in the model measured).
    auto kept = [&](const std::string& node, double ratio, const Measure& m) -> int64_t {
      if (!magnitude) return prunedKeep(channels.at(node), ratio, cur.multiple);
      for (const PrunedLayer& l : m.layers)
        if (l.node == node) return l.nonZeros;
      return 0;
    };
    if (!bound_.holds(now)) {
      if (bound_.minSqnr >= 0)
        modelError("--prune-min-sqnr {}: the layers' own --prune-layer ratios already give an SQNR of {:.1f} dB",
                   bound_.minSqnr, now.sqnr);
      modelError("--prune-max-drop {}: the layers' own --prune-layer ratios already lose {:.2f} points of top-1 "
                 "agreement",
                 bound_.maxDrop, 100.0 - now.agreement);
    }
    // The sensitivity table (the report's prune.sensitivity): each free layer alone at 1/4, 1/2, 3/4.
    std::vector<PruneSensitivity> table;
    for (const std::string& node : free)
      for (double ratio : {0.25, 0.5, 0.75}) {
        PruneRequest trial = cur;
        trial.layerRatios[node] = ratio;
        const Measure m = measure(trial);
        table.push_back({node, ratio, kept(node, ratio, m), m.macs, m.agreement, m.sqnr, m.cost});
      }
    for (;;) {
      std::optional<std::pair<PruneRequest, Measure>> best;
      for (const std::string& node : free) {
        const double r = cur.layerRatios.count(node) ? cur.layerRatios.at(node) : 0.0;
        const int64_t ch = channels.at(node);
        double next = r + kStep;  // the next fraction that keeps fewer channels
        while (!magnitude && next <= maxRatio + 1e-9 && prunedKeep(ch, next, cur.multiple) == prunedKeep(ch, r, cur.multiple))
          next += kStep;
        if (next > maxRatio + 1e-9) continue;
        PruneRequest trial = cur;
        trial.layerRatios[node] = next;
        Measure m = measure(trial);
        if (!bound_.holds(m)) continue;
        if (!best || m.cost < best->second.cost ||
            (m.cost == best->second.cost && bound_.score(m) > bound_.score(best->second)))
          best = std::make_pair(trial, m);
      }
      if (!best || best->second.cost >= now.cost) break;
      cur = best->first;
      now = best->second;
    }
    if (!quiet_ && isatty(STDERR_FILENO)) std::cerr << "\n";
    auto out = std::make_shared<PruneRequest>(cur);
    out->layers = std::make_shared<std::vector<PrunedLayer>>();
    out->searched = true;
    out->agreement = now.agreement;
    out->sqnrDb = now.sqnr;
    out->samples = static_cast<int>(samples_.size());
    out->evaluations = evaluations_;
    out->sensitivity = std::move(table);
    return out;
  }

  static constexpr double kStep = 0.125, kMaxRatio = 0.75, kMaxMagnitude = 0.875;

 private:
  const std::function<std::unique_ptr<Graph>()>& reimport_;
  const PipelineOptions& pipeline_;
  std::vector<std::vector<Tensor>> samples_;
  Bound bound_;
  bool quiet_;
  std::vector<int64_t> base_;
  std::vector<std::vector<Tensor>> baseOut_;
  int evaluations_ = 0;
};

}  // namespace

void addPruneOptions(CLI::App* cmd, PruneOptions& o) {
  cmd->add_option("--prune", o.spec,
                  "pruning (no retraining): channels:R removes the fraction R (0 < R < 1) of the output channels "
                  "of every Conv and Gemm whose channels can be followed to the layers reading them, the ones with "
                  "the smallest weight norm (a smaller dense model); magnitude:R zeroes the fraction R of the weights "
                  "of all Conv, Gemm and MatMul layers with the smallest magnitude (one global threshold; stored "
                  "sparse, zero-skipping kernels); channels or magnitude alone with --prune-max-drop/--prune-min-sqnr: the guard "
                  "chooses each layer's fraction")
      ->check([](const std::string& v) -> std::string {
        if (v == "channels" || v == "magnitude") return "";  // (the accuracy guard chooses the fractions)
        if (v.rfind("magnitude:", 0) == 0) return checkRatio(v.substr(10), "magnitude:R");
        if (v.rfind("channels:", 0) != 0) return "expected channels:R or magnitude:R (0 < R < 1), got '" + v + "'";
        return checkRatio(v.substr(9), "channels:R");
      });
  cmd->add_option("--prune-norm", o.norm, "with --prune: the norm of a channel's weights that ranks it: l1 or l2")
      ->check(CLI::IsMember({"l1", "l2"}))
      ->capture_default_str();
  cmd->add_option("--prune-layer", o.layers,
                  "NODE=R: this layer's own fraction of channels (or, with --prune magnitude:R, of its weights) to "
                  "remove (repeatable; `tinyc inspect -O2 MODEL` lists the nodes)")
      ->check([](const std::string& v) -> std::string {
        const size_t eq = v.rfind('=');
        if (eq == std::string::npos || eq == 0) return "expected NODE=R, got '" + v + "'";
        return checkRatio(v.substr(eq + 1), "NODE=R");
      });
  cmd->add_option("--prune-max-drop", o.maxDrop,
                  "accuracy guard: choose each layer's fraction (steps of 1/8, up to 3/4, kept channels a multiple "
                  "of 4; with --prune magnitude: of its weights, up to 7/8) so that the top-1 agreement with the "
                  "unpruned model on --prune-data stays within this many points")
      ->check(CLI::Range(0.0, 100.0));
  cmd->add_option("--prune-min-sqnr", o.minSqnr,
                  "accuracy guard for any model (regression, several outputs): as --prune-max-drop, keeping the SQNR "
                  "of the outputs against the unpruned model's on --prune-data at least this many dB")
      ->check(CLI::Range(0.0, 300.0));
  cmd->add_option("--prune-data", o.data,
                  "sample inputs (the forms --calib takes) on which the guard measures; with a fixed --prune, the "
                  "report's top-1 agreement and SQNR of the pruned model against the unpruned one on them");
}

std::shared_ptr<PruneRequest> pruneRequest(const PruneOptions& o, const std::function<std::unique_ptr<Graph>()>& reimport,
                                           const PipelineOptions& pipeline, bool quiet) {
  const bool guard = o.maxDrop >= 0 || o.minSqnr >= 0;
  const char* flag = o.minSqnr >= 0 ? "--prune-min-sqnr" : "--prune-max-drop";
  if (o.maxDrop >= 0 && o.minSqnr >= 0) usageError("give either --prune-max-drop or --prune-min-sqnr, not both");
  if (guard && o.data.empty()) usageError("{} needs --prune-data (sample inputs to measure on)", flag);
  if (!o.data.empty() && !guard && o.spec.empty() && o.layers.empty())
    usageError("--prune-data goes with --prune, --prune-layer, --prune-max-drop or --prune-min-sqnr");
  const bool ratioGiven = o.spec.find(':') != std::string::npos;
  if (guard && ratioGiven)
    usageError("{} chooses the fractions itself; give --prune {} without :R", flag, o.spec.substr(0, o.spec.find(':')));
  if (!o.spec.empty() && !ratioGiven && !guard)
    usageError("--prune {0} needs a fraction ({0}:R) or the accuracy guard (--prune-max-drop or --prune-min-sqnr)", o.spec);
  auto r = std::make_shared<PruneRequest>();
  r->kind = o.spec.rfind("magnitude", 0) == 0 ? "magnitude" : "channels";
  r->ratio = specRatio(o.spec);
  r->norm = o.norm;
  // The guard steps by 4 channels (the register tiles of the kernels compute 4 output channels at
  // a time: a kept count that is not a multiple runs their remainder path); an explicit fraction
  // is taken as given. Neither depends on the target: the model is the same everywhere.
  r->multiple = guard ? 4 : 1;
  for (const std::string& l : o.layers) {
    const size_t eq = l.rfind('=');
    r->layerRatios[l.substr(0, eq)] = std::stod(l.substr(eq + 1));
  }
  if (guard) {
    auto g = reimport();
    Search s(reimport, pipeline, calibrationSamples(*g, o.data, 0), Bound{o.maxDrop, o.minSqnr}, quiet);
    auto found = s.run(*r);
    found->norm = o.norm;
    return found;
  }
  if (!o.data.empty() && r->any()) {  // the pruned model measured against the unpruned one on DATA
    auto g = reimport();
    auto samples = calibrationSamples(*g, o.data, 0);
    r->samples = static_cast<int>(samples.size());
    Search s(reimport, pipeline, std::move(samples), Bound{-1, 0}, quiet);
    s.measure(PruneRequest{});
    const Measure m = s.measure(*r);
    if (!quiet && isatty(STDERR_FILENO)) std::cerr << "\n";
    r->measured = true;
    r->agreement = m.agreement;
    r->sqnrDb = m.sqnr;
  }
  return r->any() ? r : nullptr;
}

nlohmann::ordered_json pruneJson(const PruneOptions& o, const PruneRequest* r) {
  if (!r) return nullptr;
  nlohmann::ordered_json j;
  j["kind"] = r->kind;
  j["ratio"] = r->ratio;
  j["norm"] = r->norm;
  if (r->searched) {
    if (o.minSqnr >= 0)
      j["min_sqnr"] = o.minSqnr;
    else
      j["max_drop"] = o.maxDrop;
    j["data"] = o.data;
    j["samples"] = r->samples;
    j["trials"] = r->evaluations;
    j["top1_agreement"] = r->agreement;
    j["sqnr_db"] = std::min(r->sqnrDb, 999.0);  // (999: outputs equal to the unpruned model's)
    nlohmann::ordered_json table = nlohmann::ordered_json::array();
    for (const PruneSensitivity& s : r->sensitivity)
      if (r->kind == "magnitude")
        table.push_back({{"node", s.node}, {"ratio", s.ratio}, {"nonzeros", s.kept}, {"model_nonzeros", s.nonZeros},
                         {"top1_agreement", s.agreement}, {"sqnr_db", std::min(s.sqnrDb, 999.0)}});
      else
        table.push_back({{"node", s.node}, {"ratio", s.ratio}, {"kept", s.kept}, {"macs", s.macs},
                         {"top1_agreement", s.agreement}, {"sqnr_db", std::min(s.sqnrDb, 999.0)}});
    j["sensitivity"] = table;
  } else if (r->measured) {
    j["data"] = o.data;
    j["samples"] = r->samples;
    j["top1_agreement"] = r->agreement;
    j["sqnr_db"] = std::min(r->sqnrDb, 999.0);
  }
  nlohmann::ordered_json layers = nlohmann::ordered_json::array();
  for (const PrunedLayer& l : *r->layers)
    if (r->kind == "magnitude")
      layers.push_back({{"node", l.node}, {"op", l.op}, {"weights", l.weights}, {"nonzeros", l.nonZeros}});
    else
      layers.push_back({{"node", l.node}, {"op", l.op}, {"channels", l.channels}, {"kept", l.kept}});
  j["layers"] = layers;
  return j;
}

}  // namespace tinyc::cli
