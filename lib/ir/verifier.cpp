#include "ir/verifier.h"

#include <cmath>
#include <cstdint>
#include <set>

#include "support/error.h"

namespace tinyc {

namespace {

// Quantization parameters: only on integer tensors; one scale and zero point per tensor or per
// element of `axis`; scales finite and > 0; zero points inside the tensor type's range.
void verifyQuant(const Value& v) {
  if (!v.quant) return;
  const QuantParams& q = *v.quant;
  const std::string name = printable(v.name);
  int64_t lo = 0, hi = 0;
  switch (v.dtype) {
    case DType::I8: lo = -128, hi = 127; break;
    case DType::U8: hi = 255; break;
    case DType::I16: lo = -32768, hi = 32767; break;
    case DType::U16: hi = 65535; break;
    case DType::I32: lo = INT32_MIN, hi = INT32_MAX; break;
    case DType::I64: lo = INT64_MIN, hi = INT64_MAX; break;  // (the int64 bias of int16 products)
    default: modelError("value '{}' of type {} has quantization parameters", name, dtypeName(v.dtype));
  }
  if (q.scale.empty() || q.scale.size() != q.zeroPoint.size())
    modelError("value '{}': {} scales and {} zero points", name, q.scale.size(), q.zeroPoint.size());
  if (q.perTensor() && q.scale.size() != 1) modelError("value '{}': per-tensor parameters with {} scales", name, q.scale.size());
  if (!q.perTensor() && (q.axis >= static_cast<int>(v.shape.size()) ||
                         v.shape[static_cast<size_t>(q.axis)] != static_cast<int64_t>(q.scale.size())))
    modelError("value '{}': {} per-axis scales do not match axis {} of shape {}", name, q.scale.size(), q.axis,
               shapeStr(v.shape));
  for (float s : q.scale)
    if (!(s > 0) || !std::isfinite(s)) modelError("value '{}': scale {} is not finite and > 0", name, s);
  for (int64_t z : q.zeroPoint)
    if (z < lo || z > hi) modelError("value '{}': zero point {} is outside {}", name, z, dtypeName(v.dtype));
}

}  // namespace

void verifyGraph(const Graph& g) {
  std::set<const Value*> all;
  std::set<std::string> names;
  for (size_t i = 0; i < g.values.size(); ++i) {
    const Value* v = g.values[i].get();
    if (v->id != static_cast<int>(i)) modelError("value '{}' has id {} at index {}", printable(v->name), v->id, i);
    if (!names.insert(v->name).second) modelError("value name '{}' is defined twice", printable(v->name));
    if (v->dtype == DType::Undefined) modelError("value '{}' has no type", printable(v->name));
    numElements(v->shape);
    verifyQuant(*v);
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
