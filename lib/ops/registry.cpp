#include <algorithm>
#include <map>

#include "ops/layout.h"
#include "ops/sparse.h"
#include "ops/op.h"

namespace tinyc {

const OpRegistry& OpRegistry::instance() {
  static const OpRegistry reg = [] {
    OpRegistry r;
    registerElementwiseOps(r);
    registerActivationOps(r);
    registerReduceOps(r);
    registerNnOps(r);
    registerPoolOps(r);
    registerNormOps(r);
    registerShapeOps(r);
    registerQuantOps(r);
    registerRnnOps(r);
    registerLogicOps(r);
    registerAxisOps(r);
    registerGridSampleOps(r);
    registerRoiAlignOps(r);
    registerLinearAttentionOps(r);
    registerDeformConvOps(r);
    registerSignalOps(r);
    registerTextOps(r);
    registerRotaryOps(r);
    registerAttentionOps(r);
    registerStateOps(r);
    registerCol2ImOps(r);
    registerLossOps(r);
    registerScatterOps(r);
    std::sort(r.ops_.begin(), r.ops_.end(), [](const OpDef& a, const OpDef& b) { return a.name < b.name; });
    return r;
  }();
  return reg;
}

const OpDef* OpRegistry::find(const std::string& name) const {
  auto it = std::lower_bound(ops_.begin(), ops_.end(), name,
                             [](const OpDef& a, const std::string& n) { return a.name < n; });
  return it != ops_.end() && it->name == name ? &*it : nullptr;
}

std::vector<const OpDef*> OpRegistry::all() const {
  std::vector<const OpDef*> out;
  for (const auto& o : ops_) out.push_back(&o);
  return out;
}

void OpRegistry::add(OpDef def) { ops_.push_back(std::move(def)); }

const char* OpRegistry::declinedReason(const std::string& name) const {
  static const char* const kDataShaped =
      "its output shape depends on the input values, and tinyc plans memory with every shape known at compile time";
  static const char* const kControl = "control flow (subgraphs) is supported only for If, Loop and Scan";
  static const char* const kSequence = "sequence values are not supported (tensors only)";
  static const std::map<std::string, const char*> declined = {
      {"NonZero", kDataShaped},       {"Unique", kDataShaped},  {"NonMaxSuppression", kDataShaped},
      {"StringSplit", kDataShaped},   {"SequenceMap", kControl}, {"SplitToSequence", kSequence},
      {"ConcatFromSequence", kSequence}, {"SequenceAt", kSequence}, {"SequenceConstruct", kSequence},
      {"SequenceEmpty", kSequence},   {"SequenceErase", kSequence}, {"SequenceInsert", kSequence},
      {"SequenceLength", kSequence},
  };
  auto it = declined.find(name);
  return it == declined.end() ? nullptr : it->second;
}

void bindOp(Node& n) {
  const OpDef* op = OpRegistry::instance().find(n.opType);
  if (!op) modelError("{}: op is not supported", n.where());
  n.op = op;
  for (const auto& [name, a] : n.attrs) {
    if (op->fusableActivation && name == kFusedActivationAttr) {
      size_t np = 0;
      if (a.kind != Attr::Kind::String || !fusedActivationKnown(a.s, &np))
        modelError("{}: bad fused activation", n.where());
      continue;
    }
    if (name == kLayoutAttr) {
      if (op->layoutInputs <= 0 || a.kind != Attr::Kind::String || a.s != kLayoutNhwc)
        modelError("{}: bad layout attribute", n.where());
      continue;
    }
    if (name == kNchwInputAttr) {
      if (!op->layoutNchwInput || a.kind != Attr::Kind::Int || a.i != 1 || !n.attrs.count(kLayoutAttr))
        modelError("{}: bad layout attribute", n.where());
      continue;
    }
    if (name == sparse::kAttr) {  // (the sparse-weights pass; ops/sparse.h)
      if (!sparse::opTakesSparse(n.opType) || a.kind != Attr::Kind::Int || a.i != 1)
        modelError("{}: bad sparse-weights attribute", n.where());
      continue;
    }
    if (op->fusableActivation && name == kFusedActivationParamsAttr && a.kind == Attr::Kind::Floats) continue;
    const AttrSpec* spec = nullptr;
    for (const auto& s : op->attrs)
      if (s.name == name) spec = &s;
    if (!spec) modelError("{}: unknown attribute '{}'", n.where(), printable(name));
    if (spec->kind != a.kind) {
      // ONNX allows an empty list where a list is expected; accept int for float.
      if (spec->kind == Attr::Kind::Float && a.kind == Attr::Kind::Int) {
        n.attrs[name] = Attr::Float(static_cast<float>(a.i));
        continue;
      }
      modelError("{}: attribute '{}' must be {}, got {}", n.where(), name, attrKindName(spec->kind),
                 attrKindName(a.kind));
    }
  }
  for (const auto& s : op->attrs) {
    if (n.attrs.count(s.name)) continue;
    if (s.required) modelError("{}: required attribute '{}' is missing", n.where(), s.name);
    if (s.def) n.attrs[s.name] = *s.def;
  }
}

}  // namespace tinyc
