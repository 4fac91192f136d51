#include "compile.h"

#include <algorithm>
#include <filesystem>
#include <set>
#include <iostream>

#include <fmt/format.h>

#include "ops/op.h"
#include "ops/sparse.h"
#include "passes/lower_quant.h"
#include "support/error.h"

namespace tinyc::cli {

std::string defaultName(const std::string& modelPath) {
  return sanitizeIdentifier(std::filesystem::path(modelPath).stem().string());
}

// --io-layout nhwc permutes [N, C, H, W] inputs to [N, H, W, C]. An input that already looks
// channels-last ([N, H, W, C] with few channels and a larger dim 1, as tf2onnx exports) would get
// a wrong shape macro ([N, W, C, H]): say so.
void warnChannelsLastInputs(const Graph& g) {
  for (const Value* v : g.inputs) {
    const Shape& s = v->shape;
    if (s.size() != 4 || s[3] < 1 || s[3] > 4 || s[1] <= 4 || s[2] <= 4) continue;
    std::cerr << fmt::format(
        "tinyc: warning: input '{}' has shape [{}], which looks channels-last already: --io-layout nhwc "
        "treats dim 1 ({}) as channels and gives [{}, {}, {}, {}]; leave --io-layout out for a channels-last input\n",
        printable(v->name, 80), fmt::join(s, ", "), s[1], s[0], s[2], s[3], s[1]);
  }
}

void addCompileOptions(CLI::App* cmd, CompileOptions& o) {
  addModelOptions(cmd, o.model);
  cmd->add_option("--name", o.name, "C identifier prefix of the generated API (default: the model file's stem)");
  std::string targets;
  for (const auto& t : allTargets()) targets += (targets.empty() ? "" : ", ") + t.name;
  cmd->add_option("--target", o.target, "code generation target (" + targets + ")")->capture_default_str();
  addPipelineOptions(cmd, o.pipeline, 2);
  cmd->add_option("--mem-planner", o.planner,
                  "arena planner: auto (smallest of all), greedy-by-size, greedy-by-conflicts, first-fit, search")
      ->capture_default_str();
  cmd->add_option("--io-layout", o.ioLayout,
                  "layout of 4-D inputs and outputs in the generated API: nchw (as in the model) or nhwc "
                  "(channels-last)")
      ->check(CLI::IsMember({"nchw", "nhwc"}))
      ->capture_default_str();
  cmd->add_option("--io-dtype", o.ioDtype,
                  "element type of quantized inputs and outputs in the generated API: model (as in the model), "
                  "float (quantized/dequantized inside) or int8 (the model's edge Quantize/DequantizeLinear left "
                  "to the caller)")
      ->check(CLI::IsMember({"model", "float", "int8"}))
      ->capture_default_str();
  cmd->add_option("--runtime", o.runtime,
                  "where the kernels go: inline (static functions in NAME.c) or shared (tinyc_runtime.h and "
                  "tinyc_runtime.c, the same for every model of a build: convert the models into one folder and "
                  "compile tinyc_runtime.c once)")
      ->check(CLI::IsMember({"inline", "shared"}))
      ->capture_default_str();
  cmd->add_option("--kernels", o.kernels,
                  "kernel variants: fast (the fewest instructions) or small (the least code: compact loops for "
                  "the convolutions, for parts whose flash is tighter than their time)")
      ->check(CLI::IsMember({"fast", "small"}))
      ->capture_default_str();
  cmd->add_option("--sparse", o.sparse,
                  "weights with zeros: a layer stored as a bitmap of its non-zero weights runs a kernel that skips "
                  "the zeros; auto: where that at least halves its weight bytes, smallest: wherever it takes fewer "
                  "bytes (flash before speed), off: every layer dense")
      ->check(CLI::IsMember({"auto", "smallest", "off"}))
      ->capture_default_str();
  cmd->add_option("--patch", o.patch,
                  "patch-based execution of the first layers (lower peak RAM, some MACs computed twice): off, "
                  "auto (when it lowers the estimated peak by over 10% at under 20% extra MACs; also later stages) "
                  "or the number of strips N (2-64)")
      ->check([](const std::string& v) -> std::string {
        if (v == "off" || v == "auto") return "";
        try {
          size_t used = 0;
          const int n = std::stoi(v, &used);
          if (used == v.size() && n >= 2 && n <= 64) return "";
        } catch (...) {
        }
        return "expected off, auto or a number of strips from 2 to 64, got '" + v + "'";
      })
      ->capture_default_str();
  cmd->add_flag("--io-in-arena", o.ioInArena,
                "plan the graph inputs and outputs into the arena too (the caller uses <tensor>_OFFSET)");
  addQuantizeOptions(cmd, o.quantize);
  addPruneOptions(cmd, o.prune);
}

std::shared_ptr<QuantizeRequest> quantizeAndRun(std::unique_ptr<Graph>& g,
                                               const std::function<std::unique_ptr<Graph>()>& reimport,
                                               PipelineOptions pipeline, const QuantizeOptions& q, bool quiet,
                                               int defaultLevel, std::vector<PassRecord>* passes) {
  auto request = quantizeRequest(*g, q, quiet);
  pipeline.passOptions.quantize = request;
  *passes = runPipeline(*g, pipeline, defaultLevel);
  // --min-sqnr: the first layer (schedule order: the error of the ones after it may be its own)
  // whose output SQNR is below the bound goes one step up: int4 weights to int8, int8 activations
  // to int16 (where the layer has an int16 form), int16 to float; quantize again from the model,
  // until every layer passes.
  for (int round = 1; request && q.minSqnr > 0 && round < kMinSqnrRounds; ++round) {
    const QuantizedLayer* up = nullptr;
    for (const QuantizedLayer& l : *request->layers)
      if (l.precision != "float" && l.sqnrDb < q.minSqnr) {
        up = &l;
        break;
      }
    if (!up) break;
    const bool toInt8 = up->precision == "int4", toInt16 = up->precision == "int8" && up->int16Form;
    if (!quiet)
      std::cerr << fmt::format("tinyc: --min-sqnr {}: {} {} (SQNR {:.1f} dB), quantizing again\n", q.minSqnr,
                               toInt8 ? "int8 weights for" : toInt16 ? "int16 activations for" : "keeping float",
                               up->node, up->sqnrDb);
    auto next = std::make_shared<QuantizeRequest>(*request);
    (toInt8 ? next->keepInt8 : toInt16 ? next->int16Layers : next->keepFloat).insert(up->node);
    next->layers = std::make_shared<std::vector<QuantizedLayer>>();
    request = next;
    g = reimport();
    pipeline.passOptions.quantize = request;
    *passes = runPipeline(*g, pipeline, defaultLevel);
  }
  return request;
}

Compiled compileModel(const CompileOptions& o, bool poisonDead) {
  Compiled c;
  c.target = &findTarget(o.target, o.kernels == "small");
  c.runtime = o.runtime;
  c.name = o.name.empty() ? defaultName(o.model.model) : o.name;
  if (sanitizeIdentifier(c.name) != c.name) usageError("--name '{}' is not a C identifier", printable(c.name));
  if (o.runtime == "shared" && c.name == "tinyc_runtime")
    usageError("--name tinyc_runtime: with --runtime shared that is the runtime's file name; choose another name");
  std::vector<std::string> notes;
  ImportOptions io = importOptions(o.model, &notes);
  io.filesRead = &c.filesRead;
  c.filesRead.insert(c.filesRead.begin(), o.model.model);
  c.graph = importModel(o.model.model, io);
  if (o.notes) printNotes(notes);
  if (o.ioLayout == "nhwc") warnChannelsLastInputs(*c.graph);
  PipelineOptions pipeline = o.pipeline;
  pipeline.passOptions.layout = c.target->layout;
  pipeline.passOptions.ioLayout = o.ioLayout == "nhwc" ? "NHWC" : "NCHW";
  pipeline.passOptions.ioDtype = o.ioDtype;
  pipeline.passOptions.patch = o.patch == "off" ? 0 : o.patch == "auto" ? -1 : std::stoi(o.patch);
  pipeline.passOptions.sparse = o.sparse;
  auto pruning = o.pruneFound ? o.pruneFound
                              : pruneRequest(o.prune, [&] { return importModel(o.model.model, io); }, pipeline, o.quiet);
  pipeline.passOptions.prune = pruning;
  if (o.ioDtype == "int8" && o.quantize.scheme == "int16x8")
    usageError("--io-dtype int8 does not go with --quantize int16x8 (its edge tensors are int16; keep them float)");
  auto request = quantizeAndRun(c.graph, [&] { return importModel(o.model.model, io); }, pipeline, o.quantize, o.quiet,
                                2, &c.passes);
  c.quantization = quantizationJson(o.quantize, request.get());
  c.pruning = pruneJson(o.prune, pruning.get());
  const Backend& b = findBackend(c.target->backend);
  EmitOptions eo;
  eo.name = c.name;
  eo.target = c.target;
  eo.planner = o.planner;
  eo.poisonDead = poisonDead;
  eo.ioInArena = o.ioInArena;
  eo.sharedRuntime = o.runtime == "shared";
  eo.profile = o.profile;
  c.result = b.emit(*c.graph, eo);
  // --patch: the schedule without strips is compiled too, so that the report gives both arenas and
  // bounds, and `auto` (an estimate of live bytes) never keeps strips that do not lower the arena.
  const auto patched = std::find_if(c.passes.begin(), c.passes.end(),
                                    [](const PassRecord& r) { return r.name == "patch" && r.changed; });
  if (patched != c.passes.end()) {
    CompileOptions plain = o;
    plain.patch = "off";
    plain.quiet = true;
    plain.pruneFound = pruning;  // (the accuracy guard's search is not run twice)
    plain.notes = false;
    Compiled u = compileModel(plain, poisonDead);
    if (o.patch == "auto" && u.result.arenaBytes <= c.result.arenaBytes) return u;
    c.withoutPatches = {u.result.arenaBytes, u.result.memory.lowerBound};
  }
  return c;
}

nlohmann::ordered_json Compiled::report() const {
  nlohmann::ordered_json j;
  int64_t params = 0, macs = 0;
  for (const auto& v : graph->values)
    if (v->constant) params += v->constant->numel();
  nlohmann::ordered_json nodes = nlohmann::ordered_json::array();
  for (const auto& n : graph->nodes) {
    int64_t m = nodeMacs(*n);
    macs += m;
    nlohmann::ordered_json outs = nlohmann::ordered_json::array();
    for (const Value* v : n->outputs) {
      if (!v) continue;
      nlohmann::ordered_json o = {{"name", v->name}, {"dtype", dtypeName(v->dtype)}, {"shape", v->shape},
                                  {"bytes", numElements(v->shape) * static_cast<int64_t>(dtypeSize(v->dtype))}};
      if (auto it = result.memory.valueOffsets.find(v->name); it != result.memory.valueOffsets.end())
        o["arena_offset"] = it->second;
      if (auto it = result.memory.valuesInOutputs.find(v->name); it != result.memory.valuesInOutputs.end())
        o["in_output"] = it->second;
      outs.push_back(o);
    }
    int64_t nodeParams = 0, nodeWeightBytes = 0;  // the node's constant inputs
    for (const Value* v : n->inputs)
      if (v && v->constant) {
        nodeParams += v->constant->numel();
        nodeWeightBytes += static_cast<int64_t>(v->constant->byteSize());
      }
    nlohmann::ordered_json e = {{"name", n->name}, {"op", n->opType}, {"macs", m}, {"params", nodeParams},
                                {"weight_bytes", nodeWeightBytes}, {"outputs", outs}};
    if (auto it = result.memory.scratchBytes.find(n->name); it != result.memory.scratchBytes.end()) {
      e["scratch_bytes"] = it->second;
      e["scratch_offset"] = result.memory.scratchOffsets.at(n->name);
    }
    nodes.push_back(e);
  }
  j["model"] = filesRead.empty() ? "" : filesRead.front();
  j["name"] = name;
  j["target"] = target->name;
  j["runtime"] = runtime;
  nlohmann::ordered_json layouts = nlohmann::ordered_json::object();
  for (size_t i = 0; i < graph->inputLayouts.size(); ++i)
    if (!graph->inputLayouts[i].empty()) layouts[graph->inputs[i]->name] = graph->inputLayouts[i];
  for (size_t j2 = 0; j2 < graph->outputLayouts.size(); ++j2)
    if (!graph->outputLayouts[j2].empty()) layouts[graph->outputs[j2]->name] = graph->outputLayouts[j2];
  j["io_layouts"] = layouts;
  j["arena_bytes"] = result.arenaBytes;
  j["io_bytes"] = result.ioBytes;
  j["weights_bytes"] = result.weightsBytes;
  const MemoryReport& m = result.memory;
  j["lower_bound_bytes"] = m.lowerBound;
  j["planner"] = m.plan.planner;
  j["greedy_by_size_bytes"] = m.greedyBySize;
  j["peak"] = {{"step", m.peakStep}, {"node", m.peakNode}, {"live", m.peakTensors},
               {"scratch_bytes", m.scratchBytes.count(m.peakNode) ? m.scratchBytes.at(m.peakNode) : 0}};
  j["memory"] = {{"concat_in_place", m.concatInPlace},
                 {"arena_without_concat_in_place", m.arenaWithoutConcatInPlace},
                 {"in_place_over_input", m.overwriteInPlace}};
  // --patch: what the strips did, and the arena and bound of the schedule without them.
  nlohmann::ordered_json patch;
  for (const auto& p : passes)
    if (p.name == "patch" && p.changed && withoutPatches)
      patch = {{"strips", p.stats.count("patches") ? p.stats.at("patches") : 0},
               {"stages", p.stats.count("patched stages") ? p.stats.at("patched stages") : 1},
               {"stage_nodes", p.stats.count("stage nodes") ? p.stats.at("stage nodes") : 0},
               {"extra_macs", p.stats.count("extra MACs") ? p.stats.at("extra MACs") : 0},
               {"arena_bytes_without", withoutPatches->first},
               {"lower_bound_bytes_without", withoutPatches->second}};
  j["patch"] = patch;
  j["params"] = params;
  j["macs"] = macs;
  // The layers stored sparse (the sparse-weights pass): their zero products are not executed.
  nlohmann::ordered_json sparseLayers = nlohmann::ordered_json::array();
  int64_t executed = 0;
  for (const auto& n : graph->nodes) {
    const int64_t nm = nodeMacs(*n);
    const auto w = sparse::marked(*n) ? sparse::weightMatrix(*n) : std::nullopt;
    if (!w || w->rows * w->cols == 0) {
      executed += nm;
      continue;
    }
    const int64_t nz = sparse::nonZeros(*n->input(1)->constant, *w);
    const int64_t run = static_cast<int64_t>(static_cast<double>(nm) * static_cast<double>(nz) /
                                             static_cast<double>(w->rows * w->cols) + 0.5);
    executed += run;
    sparseLayers.push_back({{"node", n->name}, {"op", n->opType}, {"weights", w->rows * w->cols}, {"nonzeros", nz},
                            {"dense_bytes", sparse::denseBytes(*w)}, {"bytes", sparse::bitmapBytes(*w, nz)},
                            {"macs", nm}, {"macs_executed", run}});
  }
  j["macs_executed"] = executed;
  j["sparse"] = sparseLayers;
  nlohmann::ordered_json islands = nlohmann::ordered_json::array();
  for (const Node* n : floatIslands(*graph)) islands.push_back({{"name", n->name}, {"op", n->opType}});
  j["float_islands"] = islands;
  j["quantization"] = quantization;
  j["prune"] = pruning;
  nlohmann::ordered_json files = nlohmann::ordered_json::array();
  for (const auto& f : result.files) files.push_back(f.name);
  j["files"] = files;
  nlohmann::ordered_json passes_ = nlohmann::ordered_json::array();
  for (const auto& p : passes)
    passes_.push_back({{"name", p.name}, {"changed", p.changed}, {"nodes_before", p.nodesBefore},
                       {"nodes_after", p.nodesAfter}, {"stats", p.stats}});
  j["passes"] = passes_;
  j["nodes"] = nodes;
  return j;
}

}  // namespace tinyc::cli
