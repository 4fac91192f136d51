#include "ir/printer.h"

#include <fmt/format.h>

#include "support/error.h"

namespace tinyc {

namespace {

std::string fmtFloat(double v) { return fmt::format("{}", static_cast<float>(v)); }

std::string quoted(const std::string& s) { return "\"" + printable(s, 200) + "\""; }

std::string tensorPreview(const Tensor& t) {
  constexpr int64_t kMax = 8;
  std::string s = "{";
  for (int64_t i = 0; i < t.numel() && i < kMax; ++i) {
    if (i) s += ", ";
    s += isFloat(t.dtype()) ? fmtFloat(t.getF(i)) : std::to_string(t.getI(i));
  }
  if (t.numel() > kMax) s += fmt::format(", ... ({} elements)", t.numel());
  return s + "}";
}

std::string ref(const Value* v) { return v ? fmt::format("%{}", v->id) : std::string("_"); }

}  // namespace

std::string printValueType(const Value& v) {
  std::string s = std::string(dtypeName(v.dtype)) + shapeStr(v.shape);
  if (v.quant) {
    const QuantParams& q = *v.quant;
    s += " q(";
    if (!q.perTensor()) s += fmt::format("axis={}, ", q.axis);
    s += "scale=";
    for (size_t i = 0; i < q.scale.size(); ++i) s += (i ? "," : "") + fmtFloat(q.scale[i]);
    s += ", zp=";
    for (size_t i = 0; i < q.zeroPoint.size(); ++i) s += (i ? "," : "") + std::to_string(q.zeroPoint[i]);
    s += ")";
  }
  if (v.arenaOffset >= 0) s += fmt::format(" @arena+{}", v.arenaOffset);
  return s;
}

std::string printAttr(const Attr& a) {
  switch (a.kind) {
    case Attr::Kind::Int: return std::to_string(a.i);
    case Attr::Kind::Float: return fmtFloat(a.f);
    case Attr::Kind::String: return quoted(a.s);
    case Attr::Kind::Ints: {
      std::string s = "[";
      for (size_t i = 0; i < a.ints.size(); ++i) s += (i ? "," : "") + std::to_string(a.ints[i]);
      return s + "]";
    }
    case Attr::Kind::Floats: {
      std::string s = "[";
      for (size_t i = 0; i < a.floats.size(); ++i) s += (i ? "," : "") + fmtFloat(a.floats[i]);
      return s + "]";
    }
    case Attr::Kind::Strings: {
      std::string s = "[";
      for (size_t i = 0; i < a.strings.size(); ++i) s += (i ? "," : "") + quoted(a.strings[i]);
      return s + "]";
    }
    case Attr::Kind::Tensor:
      return a.t ? fmt::format("{}{} {}", dtypeName(a.t->dtype()), shapeStr(a.t->shape()), tensorPreview(*a.t))
                 : std::string("null");
  }
  return "?";
}

std::string printGraph(const Graph& g) {
  std::string out = fmt::format("graph {} opset {}\n", quoted(g.name), g.opsetVersion);
  for (const Value* v : g.inputs) out += fmt::format("  input {} {} : {}\n", ref(v), quoted(v->name), printValueType(*v));
  for (const auto& v : g.values)
    if (v->constant)
      out += fmt::format("  const {} {} : {} = {}\n", ref(v.get()), quoted(v->name), printValueType(*v),
                         tensorPreview(*v->constant));
  for (const auto& n : g.nodes) {
    std::string outs;
    for (size_t i = 0; i < n->outputs.size(); ++i) {
      const Value* o = n->outputs[i];
      if (i) outs += ", ";
      outs += o ? fmt::format("{} {} : {}", ref(o), quoted(o->name), printValueType(*o)) : std::string("_");
    }
    std::string ins;
    for (size_t i = 0; i < n->inputs.size(); ++i) ins += (i ? ", " : "") + ref(n->inputs[i]);
    std::string attrs;
    for (const auto& [k, a] : n->attrs) attrs += (attrs.empty() ? "" : ", ") + k + "=" + printAttr(a);
    out += fmt::format("  {} = {} {}({}){}\n", outs, n->opType, quoted(n->name), ins,
                       attrs.empty() ? "" : " {" + attrs + "}");
  }
  std::string outs;
  for (size_t i = 0; i < g.outputs.size(); ++i) outs += (i ? ", " : "") + ref(g.outputs[i]);
  out += fmt::format("  return {}\n", outs);
  return out;
}

}  // namespace tinyc
