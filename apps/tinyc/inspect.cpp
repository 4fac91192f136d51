// tinyc inspect: per-node table (or JSON) of shapes, parameters and MACs; `--ir` prints the IR.
#include <fmt/format.h>

#include <array>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "backends/backend.h"
#include "common.h"
#include "ir/printer.h"
#include "ops/layout.h"
#include "ops/op.h"
#include "passes/lower_quant.h"
#include "compile.h"
#include "quantize.h"

namespace tinyc::cli {

namespace {

struct InspectOptions {
  ModelOptions model;
  PipelineOptions pipeline;
  bool json = false;
  bool ir = false;
  std::string target = "generic";
  QuantizeOptions quantize;
};

int64_t nodeParams(const Node& n) {
  int64_t p = 0;
  for (const Value* in : n.inputs)
    if (in && in->constant) p += in->constant->numel();
  return p;
}

std::string valueTypes(const Node& n) {
  std::string s;
  for (const Value* o : n.outputs)
    if (o) s += (s.empty() ? "" : " ") + std::string(dtypeName(o->dtype)) + shapeStr(o->shape);
  return s;
}

// Whether shape inference typed every output of n (a model with unsupported ops: the nodes
// before them, see inferShapesPartial).
bool nodeTyped(const Node& n) {
  if (!n.op) return false;
  for (const Value* v : n.outputs)
    if (v && v->dtype == DType::Undefined) return false;
  return true;
}

void inspect(const InspectOptions& o) {
  std::vector<std::string> notes, unsupported;
  ImportOptions opts = importOptions(o.model, &notes);
  opts.requireSupported = false;
  opts.unsupported = &unsupported;
  auto g = importModel(o.model.model, opts);
  printNotes(notes);
  const bool typed = unsupported.empty();
  const size_t nodesBefore = g->nodes.size();
  std::vector<PassRecord> passes;
  PipelineOptions pipeline = o.pipeline;
  pipeline.passOptions.layout = findTarget(o.target).layout;
  std::shared_ptr<QuantizeRequest> request;  // (with --min-sqnr's rounds, as convert: compile.h)
  if (typed) request = quantizeAndRun(g, [&] { return importModel(o.model.model, opts); }, pipeline, o.quantize, false, 0,
                                      &passes);
  const nlohmann::ordered_json quantization = quantizationJson(o.quantize, request.get());

  if (o.ir) {
    std::cout << printGraph(*g);
    return;
  }
  int64_t params = 0, macs = 0;
  std::map<std::string, int64_t> weightBytes;
  for (const auto& v : g->values)
    if (v->constant) {
      params += v->constant->numel();
      weightBytes[dtypeName(v->dtype)] += static_cast<int64_t>(v->constant->byteSize());
    }
  const Value* largest = nullptr;
  int64_t largestBytes = -1;
  if (typed)
    for (const auto& v : g->values) {
      if (v->constant) continue;
      int64_t b = numElements(v->shape) * static_cast<int64_t>(dtypeSize(v->dtype));
      if (b > largestBytes) {
        largestBytes = b;
        largest = v.get();
      }
    }
  nlohmann::ordered_json nodes = nlohmann::ordered_json::array();
  for (const auto& n : g->nodes) {
    int64_t m = nodeTyped(*n) ? nodeMacs(*n) : 0;
    macs += m;
    nlohmann::ordered_json outs = nlohmann::ordered_json::array();
    for (const Value* v : n->outputs)
      if (v) outs.push_back({{"name", v->name}, {"dtype", v->dtype != DType::Undefined ? dtypeName(v->dtype) : "?"}, {"shape", v->shape}});
    nodes.push_back({{"name", n->name}, {"op", n->opType}, {"outputs", outs}, {"params", nodeParams(*n)}, {"macs", m}});
    if (isChannelsLast(*n)) nodes.back()["layout"] = kLayoutNhwc;
  }

  if (o.json) {
    nlohmann::ordered_json j;
    j["model"] = o.model.model;
    j["opset"] = g->opsetVersion;
    auto io = [](const std::vector<Value*>& vs) {
      nlohmann::ordered_json a = nlohmann::ordered_json::array();
      for (const Value* v : vs) a.push_back({{"name", v->name}, {"dtype", dtypeName(v->dtype)}, {"shape", v->shape}});
      return a;
    };
    j["inputs"] = io(g->inputs);
    j["outputs"] = io(g->outputs);
    j["params"] = params;
    j["weight_bytes"] = weightBytes;
    j["macs"] = macs;
    if (largest)
      j["largest_activation"] = {{"name", largest->name}, {"bytes", largestBytes}};
    else
      j["largest_activation"] = nullptr;
    j["nodes"] = nodes;
    nlohmann::ordered_json islands = nlohmann::ordered_json::array();
    if (typed)
      for (const Node* n : floatIslands(*g)) islands.push_back({{"name", n->name}, {"op", n->opType}});
    j["float_islands"] = islands;
    j["quantization"] = quantization;
    j["unsupported"] = unsupported;
    j["nodes_before_passes"] = nodesBefore;
    j["nodes_after_passes"] = g->nodes.size();
    j["notes"] = notes;
    std::cout << j.dump(2) << "\n";
    return;
  }

  std::cout << fmt::format("model: {}  (opset {}, {} nodes", printable(o.model.model, 200), g->opsetVersion,
                           nodesBefore);
  if (!passes.empty()) std::cout << fmt::format("; {} after {} passes", g->nodes.size(), passes.size());
  std::cout << ")\n";
  for (const Value* v : g->inputs)
    std::cout << fmt::format("input:  {} {}\n", printable(v->name), printValueType(*v));
  for (const Value* v : g->outputs)
    std::cout << fmt::format("output: {} {}\n", printable(v->name), v->dtype != DType::Undefined ? printValueType(*v) : "?");
  // The table: every column as wide as its widest cell (at least the former 32/20/28/10/12).
  std::vector<std::array<std::string, 5>> rows = {{"node", "op", "output", "params", "MACs"}};
  for (const auto& n : g->nodes) {
    const bool t = nodeTyped(*n);
    rows.push_back({printable(n->name, 64), printable(n->opType + (isChannelsLast(*n) ? " (NHWC)" : ""), 40),
                    t ? valueTypes(*n) : "?", std::to_string(nodeParams(*n)), std::to_string(t ? nodeMacs(*n) : 0)});
  }
  std::array<size_t, 5> w = {32, 20, 28, 10, 12};
  for (const auto& r : rows)
    for (size_t i = 0; i < w.size(); ++i) w[i] = std::max(w[i], r[i].size());
  std::cout << "\n";
  for (const auto& r : rows)
    std::cout << fmt::format("{:<{}} {:<{}} {:<{}} {:>{}} {:>{}}\n", r[0], w[0], r[1], w[1], r[2], w[2], r[3], w[3],
                             r[4], w[4]);
  std::cout << fmt::format("\nparams: {}\nmacs: {}\n", params, macs);
  for (const auto& [dt, b] : weightBytes) std::cout << fmt::format("weight bytes ({}): {}\n", dt, b);
  if (largest)
    std::cout << fmt::format("largest activation: {} ({} bytes)\n", printable(largest->name), largestBytes);
  if (typed) {
    std::string list;
    for (const Node* n : floatIslands(*g)) list += (list.empty() ? "" : ", ") + printable(n->name) + " (" + n->opType + ")";
    if (!list.empty()) std::cout << "float islands (float ops between int8 tensors): " << list << "\n";
  }
  if (!quantization.is_null() && !quantization.contains("calibration_method"))
    std::cout << fmt::format("quantized: {} (activations {}, weights {})\n", quantization["scheme"].get<std::string>(),
                             quantization["activations"].get<std::string>(), quantization["weights"].get<std::string>());
  else if (!quantization.is_null())
    std::cout << fmt::format("quantized: {} (activations {}, weights {}; {} calibration, {} samples from {})\n",
                             quantization["scheme"].get<std::string>(), quantization["activations"].get<std::string>(),
                             quantization["weights"].get<std::string>(),
                             quantization["calibration_method"].get<std::string>(),
                             quantization["calibration_samples"].get<size_t>(),
                             printable(quantization["calibration_data"].get<std::string>(), 200));
  if (!unsupported.empty()) {
    std::string list;
    for (const auto& u : unsupported) list += (list.empty() ? "" : ", ") + printable(u);
    std::cout << "unsupported ops: " << list << "\n";
  }
}

}  // namespace

void registerInspect(CLI::App& app) {
  auto o = std::make_shared<InspectOptions>();
  CLI::App* cmd = app.add_subcommand("inspect", "show the model's nodes, shapes, parameters and MACs");
  addModelOptions(cmd, o->model);
  addPipelineOptions(cmd, o->pipeline, 0);
  cmd->add_option("--target", o->target, "target whose kernels the passes prepare for (its layout)")->capture_default_str();
  cmd->add_flag("--json", o->json, "print JSON (documented in docs/inspect-json.md)");
  cmd->add_flag("--ir", o->ir, "print the tinyc IR (documented in docs/ir.md)");
  addQuantizeOptions(cmd, o->quantize);
  cmd->callback([o] { inspect(*o); });
}

}  // namespace tinyc::cli
