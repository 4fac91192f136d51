#include "onnx/upgrade.h"

#include <map>

#include "support/error.h"

namespace tinyc {

std::string UpgradeCtx::uniqueName(const std::string& base) {
  std::string n = base;
  for (int i = 1; names_.count(n); ++i) n = base + "_" + std::to_string(i);
  names_.insert(n);
  return n;
}

Value* UpgradeCtx::constant(const std::string& base, Tensor t) {
  return g.addConstant(uniqueName(base), std::make_shared<Tensor>(std::move(t)));
}

Value* UpgradeCtx::value(const std::string& base) { return g.addValue(uniqueName(base)); }

void UpgradeCtx::attrToInput(Node& n, const std::string& attr, size_t index, DType dt, bool scalar) {
  auto it = n.attrs.find(attr);
  if (it == n.attrs.end()) return;
  const Attr& a = it->second;
  std::vector<double> vals;
  if (a.kind == Attr::Kind::Ints)
    for (int64_t v : a.ints) vals.push_back(static_cast<double>(v));
  else if (a.kind == Attr::Kind::Floats)
    for (float v : a.floats) vals.push_back(v);
  else if (a.kind == Attr::Kind::Int)
    vals.push_back(static_cast<double>(a.i));
  else if (a.kind == Attr::Kind::Float)
    vals.push_back(a.f);
  else
    modelError("{}: attribute '{}' has an unexpected kind {}", n.where(), attr, attrKindName(a.kind));
  if (scalar && vals.size() != 1) modelError("{}: attribute '{}' must be a scalar", n.where(), attr);
  Tensor t(dt, scalar ? Shape{} : Shape{static_cast<int64_t>(vals.size())});
  for (size_t i = 0; i < vals.size(); ++i) {
    if (isFloat(dt))
      t.setF(static_cast<int64_t>(i), vals[i]);
    else
      t.setI(static_cast<int64_t>(i), static_cast<int64_t>(vals[i]));
  }
  if (n.inputs.size() <= index) n.inputs.resize(index + 1, nullptr);
  n.inputs[index] = constant(n.name + "_" + attr, std::move(t));
  n.attrs.erase(it);
}

namespace {

using Upgrader = void (*)(UpgradeCtx&, Node&);

void axesToInput13(UpgradeCtx& c, Node& n) {
  if (c.opset < 13) c.attrToInput(n, "axes", 1, DType::I64);
}
void axesToInput18(UpgradeCtx& c, Node& n) {
  if (c.opset < 18) c.attrToInput(n, "axes", 1, DType::I64);
}
void splitToInput(UpgradeCtx& c, Node& n) {
  if (c.opset < 13) c.attrToInput(n, "split", 1, DType::I64);
}
void clipToInputs(UpgradeCtx& c, Node& n) {
  if (c.opset >= 11) return;
  DType dt = n.input(0) && n.input(0)->dtype != DType::Undefined ? n.input(0)->dtype : DType::F32;
  c.attrToInput(n, "min", 1, dt, true);
  c.attrToInput(n, "max", 2, dt, true);
}
void padToInputs(UpgradeCtx& c, Node& n) {
  if (c.opset >= 11) return;
  DType dt = n.input(0) && n.input(0)->dtype != DType::Undefined ? n.input(0)->dtype : DType::F32;
  if (!n.hasAttr("pads")) modelError("{}: required attribute 'pads' is missing", n.where());
  c.attrToInput(n, "pads", 1, DType::I64);
  c.attrToInput(n, "value", 2, dt, true);
}
void sliceToInputs(UpgradeCtx& c, Node& n) {
  if (c.opset >= 10) return;
  if (!n.hasAttr("starts") || !n.hasAttr("ends"))
    modelError("{}: attributes 'starts' and 'ends' are required", n.where());
  c.attrToInput(n, "starts", 1, DType::I64);
  c.attrToInput(n, "ends", 2, DType::I64);
  c.attrToInput(n, "axes", 3, DType::I64);
}
void resize10(UpgradeCtx& c, Node& n) {
  if (c.opset >= 11) return;
  // Resize-10: (X, scales); asymmetric coordinates, nearest rounds down.
  if (n.inputs.size() == 2) n.inputs = {n.inputs[0], nullptr, n.inputs[1]};
  n.attrs["coordinate_transformation_mode"] = Attr::Str("asymmetric");
  n.attrs["nearest_mode"] = Attr::Str("floor");
}
// RoiAlign-10 has no coordinate_transformation_mode: it is RoiAlign-16's "output_half_pixel".
void roiAlign10(UpgradeCtx& c, Node& n) {
  if (c.opset < 16) n.attrs["coordinate_transformation_mode"] = Attr::Str("output_half_pixel");
}
// Upsample (opsets 7-9, deprecated at 10) is Resize-10: its scales an attribute at opset 7 and an
// input at 9, its mode nearest or linear ("bilinear" at opset 7).
void upsampleToResize(UpgradeCtx& c, Node& n) {
  c.attrToInput(n, "scales", 1, DType::F32, false);
  if (n.inputs.size() != 2) modelError("{}: Upsample takes X and scales", n.where());
  if (n.attrs.count("mode") && n.attrs["mode"].kind == Attr::Kind::String && n.attrs["mode"].s == "bilinear")
    n.attrs["mode"] = Attr::Str("linear");
  n.opType = "Resize";
  n.inputs = {n.inputs[0], nullptr, n.inputs[1]};
  n.attrs["coordinate_transformation_mode"] = Attr::Str("asymmetric");
  n.attrs["nearest_mode"] = Attr::Str("floor");
}
void dropoutRatio(UpgradeCtx& c, Node& n) {
  if (c.opset < 12) n.attrs.erase("ratio");
}
void batchNormSpatial(UpgradeCtx& c, Node& n) {
  if (c.opset < 7) {  // BatchNormalization-6: inference models carry is_test / consumed_inputs
    n.attrs.erase("is_test");
    n.attrs.erase("consumed_inputs");
  }
  auto it = n.attrs.find("spatial");
  if (it == n.attrs.end()) return;
  if (it->second.kind == Attr::Kind::Int && it->second.i == 0)
    modelError("{}: spatial=0 (per-activation statistics) is not supported", n.where());
  n.attrs.erase(it);
}
// Softmax/LogSoftmax before opset 13 flatten the input to 2-D at `axis`. Rewritten as
// Flatten(axis) -> Softmax(axis=-1) -> Reshape(Shape(X)); the folding passes remove the views.
void softmaxLegacy(UpgradeCtx& c, Node& n) {
  if (c.opset >= 13) return;
  int64_t axis = 1;
  if (auto it = n.attrs.find("axis"); it != n.attrs.end()) axis = it->second.i;
  Value* x = n.input(0);
  if (!x) return;
  Value* flat = c.value(n.name + "_flat");
  Value* soft = c.value(n.name + "_2d");
  Value* shape = c.value(n.name + "_shape");
  c.g.addNode("Flatten", c.uniqueName(n.name + "_flatten"), {x}, {flat}, {{"axis", Attr::Int(axis)}});
  c.g.addNode(n.opType, c.uniqueName(n.name + "_2d"), {flat}, {soft}, {{"axis", Attr::Int(-1)}});
  c.g.addNode("Shape", c.uniqueName(n.name + "_shape"), {x}, {shape});
  n.opType = "Reshape";
  n.inputs = {soft, shape};
  n.attrs.clear();
}

// MeanVarianceNormalization (an ONNX function): (X - E[X]) / (sqrt(E[(X - E[X])^2]) + 1e-9), the
// means over `axes` (default 0, 2, 3), written as those ops (the variance of the centered values:
// no cancellation of E[X^2] - E[X]^2).
void mvnToOps(UpgradeCtx& c, Node& n) {
  std::vector<int64_t> axes = {0, 2, 3};
  if (auto it = n.attrs.find("axes"); it != n.attrs.end()) axes = it->second.ints;
  Value* x = n.input(0);
  if (!x) modelError("{}: input X is missing", n.where());
  Tensor at(DType::I64, {static_cast<int64_t>(axes.size())});
  for (size_t i = 0; i < axes.size(); ++i) at.setI(static_cast<int64_t>(i), axes[i]);
  Value* ax = c.constant(n.name + "_axes", std::move(at));
  Tensor e(DType::F32, {});
  e.setF(0, 1e-9);
  Value* eps32 = c.constant(n.name + "_eps", std::move(e));
  Value* mean = c.value(n.name + "_mean");
  Value* d = c.value(n.name + "_centered");
  Value* sq = c.value(n.name + "_squares");
  Value* var = c.value(n.name + "_variance");
  Value* sd = c.value(n.name + "_std");
  Value* eps = c.value(n.name + "_epsilon");
  Value* den = c.value(n.name + "_denominator");
  const AttrMap keep = {{"keepdims", Attr::Int(1)}};
  c.g.addNode("ReduceMean", c.uniqueName(n.name + "_mean"), {x, ax}, {mean}, keep);
  c.g.addNode("Sub", c.uniqueName(n.name + "_center"), {x, mean}, {d});
  c.g.addNode("Mul", c.uniqueName(n.name + "_square"), {d, d}, {sq});
  c.g.addNode("ReduceMean", c.uniqueName(n.name + "_variance"), {sq, ax}, {var}, keep);
  c.g.addNode("Sqrt", c.uniqueName(n.name + "_sqrt"), {var}, {sd});
  c.g.addNode("CastLike", c.uniqueName(n.name + "_epsilon"), {eps32, sd}, {eps});
  c.g.addNode("Add", c.uniqueName(n.name + "_plus_epsilon"), {sd, eps}, {den});
  n.opType = "Div";
  n.inputs = {d, den};
  n.attrs.clear();
}

// Gemm-6 had `broadcast`; Gemm-7+ always broadcasts C unidirectionally (a superset).
void gemmBroadcast(UpgradeCtx& c, Node& n) {
  if (c.opset < 7) n.attrs.erase("broadcast");
}

// DFT-17 has axis as an attribute (default 1); DFT-20 as input 2 (default -2).
void dftAxisToInput(UpgradeCtx& c, Node& n) {
  if (c.opset >= 20) return;
  if (!n.attrs.count("axis")) n.attrs["axis"] = Attr::Int(1);
  c.attrToInput(n, "axis", 2, DType::I64, true);
}

const std::map<std::string, Upgrader>& upgraders() {
  static const std::map<std::string, Upgrader> m = {
      {"Squeeze", axesToInput13},       {"Unsqueeze", axesToInput13},   {"ReduceSum", axesToInput13},
      {"ReduceMean", axesToInput18},    {"ReduceMax", axesToInput18},   {"Split", splitToInput},
      {"ReduceMin", axesToInput18},     {"ReduceProd", axesToInput18},  {"ReduceL1", axesToInput18},
      {"ReduceL2", axesToInput18},      {"ReduceLogSum", axesToInput18}, {"ReduceLogSumExp", axesToInput18},
      {"ReduceSumSquare", axesToInput18},
      {"Clip", clipToInputs},           {"Pad", padToInputs},           {"Slice", sliceToInputs},
      {"Resize", resize10},             {"RoiAlign", roiAlign10},             {"Upsample", upsampleToResize}, {"Dropout", dropoutRatio},      {"BatchNormalization", batchNormSpatial},
      {"MeanVarianceNormalization", mvnToOps}, {"DFT", dftAxisToInput},
      {"Softmax", softmaxLegacy},       {"LogSoftmax", softmaxLegacy},  {"Hardmax", softmaxLegacy},  {"Gemm", gemmBroadcast},
  };
  return m;
}

}  // namespace

void upgradeNode(UpgradeCtx& ctx, Node& n) {
  auto it = upgraders().find(n.opType);
  if (it != upgraders().end()) it->second(ctx, n);
}

}  // namespace tinyc
