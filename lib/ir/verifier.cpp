#include "ir/verifier.h"

#include <set>

#include "support/error.h"

namespace tinyc {

void verifyGraph(const Graph& g) {
  std::set<const Value*> all;
  std::set<std::string> names;
  for (size_t i = 0; i < g.values.size(); ++i) {
    const Value* v = g.values[i].get();
    if (v->id != static_cast<int>(i)) modelError("value '{}' has id {} at index {}", printable(v->name), v->id, i);
    if (!names.insert(v->name).second) modelError("value name '{}' is defined twice", printable(v->name));
    if (v->dtype == DType::Undefined) modelError("value '{}' has no type", printable(v->name));
    numElements(v->shape);
    if (v->constant && (v->constant->dtype() != v->dtype || v->constant->shape() != v->shape))
      modelError("constant '{}' does not match its declared type", printable(v->name));
    all.insert(v);
  }
  std::set<const Value*> defined;
  for (const Value* v : g.inputs) {
    if (!all.count(v)) modelError("graph input is not a value of the graph");
    if (v->producer || v->constant) modelError("graph input '{}' is also computed", printable(v->name));
    defined.insert(v);
  }
  for (const auto& v : g.values)
    if (v->constant) defined.insert(v.get());
  for (const auto& n : g.nodes) {
    for (const Value* in : n->inputs) {
      if (!in) continue;
      if (!all.count(in)) modelError("{}: input is not a value of the graph", n->where());
      if (!defined.count(in))
        modelError("{}: input '{}' is used before it is defined", n->where(), printable(in->name));
    }
    for (const Value* o : n->outputs) {
      if (!o) continue;
      if (!all.count(o)) modelError("{}: output is not a value of the graph", n->where());
      if (o->producer != n.get()) modelError("{}: output '{}' has another producer", n->where(), printable(o->name));
      if (o->constant) modelError("{}: output '{}' is also a constant", n->where(), printable(o->name));
      if (!defined.insert(o).second) modelError("{}: output '{}' is defined twice", n->where(), printable(o->name));
    }
  }
  for (const Value* o : g.outputs)
    if (!defined.count(o)) modelError("graph output '{}' is never computed", printable(o->name));
}

}  // namespace tinyc
