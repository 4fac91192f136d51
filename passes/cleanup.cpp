// Cleanup and folding passes: dce, remove-identity, fold-shapes, fold-constants.
#include <set>

#include "ops/op.h"
#include "passes/lower_quant.h"
#include "passes/pass.h"
#include "support/error.h"

namespace tinyc {

namespace {

class DeadCodeElimination : public Pass {
 public:
  bool run(Graph& g, PassContext& ctx) override {
    size_t nodes = g.nodes.size(), values = g.values.size();
    g.compact();
    ctx.count("nodes removed", static_cast<int64_t>(nodes - g.nodes.size()));
    ctx.count("values removed", static_cast<int64_t>(values - g.values.size()));
    return nodes != g.nodes.size() || values != g.values.size();
  }
};

// Identity, Dropout (inference: output 0 = input 0; an optional mask output must be unused) and a
// Cast to the type its input already has (PyTorch's TorchScript exporter writes one between each
// QuantizeLinear and DequantizeLinear of a quantized model: uint8 to uint8).
class RemoveIdentity : public Pass {
 public:
  bool run(Graph& g, PassContext& ctx) override {
    const OpDef *identity = opDef("Identity"), *dropout = opDef("Dropout"), *cast = opDef("Cast");
    bool changed = false;
    for (auto& n : g.nodes) {
      if (n->outputs.empty() || !n->outputs[0] || !n->input(0)) continue;
      const bool sameTypeCast = n->op == cast && n->outputs.size() == 1 && n->inputs[0]->dtype == n->outputs[0]->dtype;
      if (!n->op || (n->op != identity && n->op != dropout && !sameTypeCast)) continue;
      if (n->outputs.size() > 1 && n->outputs[1] && (!g.users(n->outputs[1]).empty() || g.isGraphOutput(n->outputs[1])))
        continue;
      Value* in = n->inputs[0];
      Value* out = n->outputs[0];
      // A graph output keeps its value (and name) unless the input is not itself a graph output.
      if (g.isGraphOutput(out) && (g.isGraphOutput(in) || !in->producer)) continue;
      if (g.isGraphOutput(out)) std::swap(in->name, out->name);  // the API keeps the output's name
      replaceAllUses(g, out, in);
      n->outputs[0] = nullptr;
      ctx.count(n->opType + " removed");
      changed = true;
    }
    if (changed) g.compact();
    return changed;
  }
};

// Outputs whose content shape inference already knows (Shape, shape arithmetic) become constants.
class FoldShapes : public Pass {
 public:
  bool run(Graph& g, PassContext& ctx) override {
    bool changed = false;
    for (auto& n : g.nodes) {
      bool all = true;
      for (Value* o : n->outputs)
        if (o && !o->known) all = false;
      if (!all) continue;
      if (!worthFolding(*n) || quantizedWeightsOfUnit(g, *n)) {
        ctx.count("skipped (size cap)");
        continue;
      }
      for (Value*& o : n->outputs) {
        if (!o) continue;
        if (g.isGraphOutput(o)) {
          all = false;  // keep graph outputs computed (their names are the API)
          continue;
        }
        o->constant = o->known;
        o->known = nullptr;
        o->producer = nullptr;
        o = nullptr;
        ctx.count("values folded");
        changed = true;
      }
    }
    if (changed) g.compact();
    return changed;
  }
};

// Evaluates nodes whose inputs are all constants with the reference interpreter's kernels.
// Capped so that folding never blows up the weights (worthFolding in lib/ops/op.h).
class FoldConstants : public Pass {
 public:
  bool run(Graph& g, PassContext& ctx) override {
    bool changed = false;
    for (auto& n : g.nodes) {
      bool allConst = !n->inputs.empty();
      for (Value* in : n->inputs)
        if (in && !in->constant) allConst = false;
      if (!allConst) continue;
      bool keep = false;
      for (Value* o : n->outputs) {
        if (!o) continue;
        if (g.isGraphOutput(o)) keep = true;
      }
      if (keep) continue;
      if (!worthFolding(*n) || quantizedWeightsOfUnit(g, *n)) {
        ctx.count("skipped (size cap)");
        continue;
      }
      EvalCtx ec{*n, {}, {}};
      std::vector<std::shared_ptr<Tensor>> outs;
      for (Value* in : n->inputs) ec.in.push_back(in ? in->constant.get() : nullptr);
      for (Value* o : n->outputs) {
        outs.push_back(o ? std::make_shared<Tensor>(o->dtype, o->shape) : nullptr);
        ec.out.push_back(outs.back().get());
      }
      evalNode(*n, ec);
      for (size_t i = 0; i < n->outputs.size(); ++i) {
        Value* o = n->outputs[i];
        if (!o) continue;
        o->constant = outs[i];
        o->known = nullptr;
        o->producer = nullptr;
        n->outputs[i] = nullptr;
      }
      ctx.count("nodes folded");
      changed = true;
    }
    if (changed) g.compact();
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> createDeadCodeElimination() { return std::make_unique<DeadCodeElimination>(); }
std::unique_ptr<Pass> createRemoveIdentity() { return std::make_unique<RemoveIdentity>(); }
std::unique_ptr<Pass> createFoldShapes() { return std::make_unique<FoldShapes>(); }
std::unique_ptr<Pass> createFoldConstants() { return std::make_unique<FoldConstants>(); }

}  // namespace tinyc
