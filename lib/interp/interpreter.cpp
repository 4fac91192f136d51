#include "interp/interpreter.h"

#include <memory>

#include "ir/printer.h"
#include "ops/op.h"

namespace tinyc {

Interpreter::Interpreter(const Graph& g) : g_(g), lastUse_(g.values.size(), -1) {
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (const Value* in : g.nodes[i]->inputs)
      if (in) lastUse_[static_cast<size_t>(in->id)] = static_cast<int>(i);
  for (const Value* o : g.outputs) lastUse_[static_cast<size_t>(o->id)] = static_cast<int>(g.nodes.size());
}

std::vector<Tensor> Interpreter::run(const std::vector<Tensor>& inputs) {
  if (inputs.size() != g_.inputs.size())
    modelError("the model has {} inputs but {} were given", g_.inputs.size(), inputs.size());
  std::vector<std::shared_ptr<const Tensor>> env(g_.values.size());
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Value* v = g_.inputs[i];
    if (inputs[i].dtype() != v->dtype || inputs[i].shape() != v->shape)
      modelError("input {} ('{}') expects {} but got {}{}", i, printable(v->name), printValueType(*v),
                 dtypeName(inputs[i].dtype()), shapeStr(inputs[i].shape()));
    env[static_cast<size_t>(v->id)] = std::make_shared<Tensor>(inputs[i]);
  }
  for (const auto& v : g_.values)
    if (v->constant) env[static_cast<size_t>(v->id)] = v->constant;

  for (size_t ni = 0; ni < g_.nodes.size(); ++ni) {
    const Node& n = *g_.nodes[ni];
    EvalCtx ctx{n, {}, {}};
    for (const Value* in : n.inputs) {
      if (!in) {
        ctx.in.push_back(nullptr);
        continue;
      }
      const Tensor* t = env[static_cast<size_t>(in->id)].get();
      if (!t) modelError("{}: input '{}' has no value", n.where(), printable(in->name));
      ctx.in.push_back(t);
    }
    std::vector<std::shared_ptr<Tensor>> outs;
    for (const Value* o : n.outputs) {
      outs.push_back(o ? std::make_shared<Tensor>(o->dtype, o->shape) : nullptr);
      ctx.out.push_back(outs.back().get());
    }
    evalNode(n, ctx);
    for (size_t i = 0; i < n.outputs.size(); ++i)
      if (n.outputs[i]) env[static_cast<size_t>(n.outputs[i]->id)] = outs[i];
    if (onNode) {
      std::vector<const Tensor*> o;
      for (auto& t : outs) o.push_back(t.get());
      onNode(n, o);
    }
    for (const Value* in : n.inputs)
      if (in && !in->constant && lastUse_[static_cast<size_t>(in->id)] == static_cast<int>(ni))
        env[static_cast<size_t>(in->id)].reset();
  }
  std::vector<Tensor> result;
  for (const Value* o : g_.outputs) {
    const auto& t = env[static_cast<size_t>(o->id)];
    if (!t) modelError("graph output '{}' was not computed", printable(o->name));
    result.push_back(*t);
  }
  return result;
}

}  // namespace tinyc
