#include "passes/rewrite.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <iterator>
#include <set>

#include "ops/op.h"
#include "passes/pass.h"
#include "support/error.h"

namespace tinyc::rw {

std::string uniqueValueName(const Graph& g, const std::string& base) {
  std::set<std::string> names;
  for (const auto& v : g.values) names.insert(v->name);
  if (!names.count(base)) return base;
  for (int i = 1;; ++i) {
    std::string n = base + "_" + std::to_string(i);
    if (!names.count(n)) return n;
  }
}

Value* addConst(Graph& g, const std::string& base, Tensor t) {
  return g.addConstant(uniqueValueName(g, base), std::make_shared<Tensor>(std::move(t)));
}

int useCount(const Graph& g, const Value* v) {
  int n = 0;
  for (const auto& node : g.nodes)
    for (const Value* in : node->inputs)
      if (in == v) ++n;
  return n;
}

Node* soleUser(const Graph& g, const Value* v) {
  if (!v || g.isGraphOutput(v)) return nullptr;
  Node* user = nullptr;
  int uses = 0;
  for (const auto& node : g.nodes)
    for (const Value* in : node->inputs)
      if (in == v) {
        ++uses;
        user = node.get();
      }
  return uses == 1 ? user : nullptr;
}

Node* insertNodeBefore(Graph& g, const Node* anchor, const std::string& opType, const std::string& name,
                       std::vector<Value*> ins, std::vector<Value*> outs, AttrMap attrs) {
  Node* n = g.addNode(opType, name, std::move(ins), std::move(outs), std::move(attrs));
  bindOp(*n);
  auto at = std::find_if(g.nodes.begin(), g.nodes.end(), [&](const auto& p) { return p.get() == anchor; });
  if (at != g.nodes.end()) std::rotate(at, std::prev(g.nodes.end()), g.nodes.end());
  return n;
}

void detach(Node* n) {
  for (Value*& o : n->outputs)
    if (o) {
      if (o->producer == n) o->producer = nullptr;
      o = nullptr;
    }
  n->inputs.clear();
}

bool canBypass(const Graph& g, const Node* n, const Value* by) {
  const Value* out = n->outputs.empty() ? nullptr : n->outputs[0];
  if (!out || !by || out == by) return false;
  if (!g.isGraphOutput(out)) return true;
  return by->producer && !g.isGraphOutput(by) && std::find(g.inputs.begin(), g.inputs.end(), by) == g.inputs.end();
}

void bypass(Graph& g, Node* n, Value* by) {
  Value* out = n->outputs[0];
  if (g.isGraphOutput(out)) std::swap(out->name, by->name);  // the API keeps the output's name
  detach(n);
  replaceAllUses(g, out, by);
}

bool isTranspose(const Node* n) {
  static const std::set<std::string> kTransposes = {"Transpose"};
  return n && kTransposes.count(n->opType) && n->outputs.size() == 1 && n->outputs[0] && !n->inputs.empty() &&
         n->inputs[0];
}

std::vector<int64_t> permOf(const Node& n) {
  const int64_t rank = static_cast<int64_t>(n.inputs[0]->shape.size());
  std::vector<int64_t> perm = n.hasAttr("perm") ? n.attrInts("perm") : std::vector<int64_t>{};
  if (perm.empty())
    for (int64_t i = rank - 1; i >= 0; --i) perm.push_back(i);
  for (int64_t& p : perm)
    if (p < 0) p += rank;
  return perm;
}

bool hasFusedActivation(const Node& n) { return n.hasAttr("tinyc.activation"); }

int64_t intAttrOr(const Node& n, const std::string& name, int64_t def) {
  return n.hasAttr(name) ? n.attrInt(name) : def;
}

bool autoPadNotSet(const Node& n) {
  if (!n.hasAttr("auto_pad")) return true;
  const std::string& s = n.attrStr("auto_pad");
  return s.empty() || s == "NOTSET";
}

std::optional<std::vector<double>> channelVector(const Tensor& c, const Shape& out, size_t axis) {
  if (axis >= out.size() || c.shape().size() > out.size()) return std::nullopt;
  const size_t lead = out.size() - c.shape().size();
  bool alongAxis = false;
  for (size_t i = 0; i < c.shape().size(); ++i) {
    const int64_t d = c.shape()[i];
    if (d == 1) continue;
    if (i + lead != axis || d != out[axis]) return std::nullopt;
    alongAxis = true;
  }
  std::vector<double> v(static_cast<size_t>(out[axis]));
  for (size_t i = 0; i < v.size(); ++i) v[i] = c.getF(alongAxis ? static_cast<int64_t>(i) : 0);
  return v;
}

namespace {

bool plainFloat(const Value* v) { return v && isFloat(v->dtype) && !v->quant; }

// Weights w = DequantizeLinear(q, s, z) of constant integers, per tensor or along the axis of the
// output channels (Conv: 0; Gemm: 0 with transB, else 1): a per-channel factor k then folds into
// the scales (s * |k|), the integers unchanged except negated in a channel where k < 0 (which
// needs zero point 0 and no most negative integer there). Quantized models keep integer weights.
struct DequantizedWeights {
  const Node* dq = nullptr;
  int64_t axis = 0;
};

std::optional<DequantizedWeights> dequantizedWeights(const Node& p) {
  const Value* w = p.input(1);
  if (!w || !plainFloat(w) || (p.op != opDef("Conv") && p.op != opDef("Gemm"))) return std::nullopt;
  const Node* dq = w->producer;
  if (!dq || dq->op != opDef("DequantizeLinear") || dq->outputs.size() != 1 || !dq->input(0) || !dq->input(1)) return std::nullopt;
  const Value *q = dq->inputs[0], *sc = dq->inputs[1], *z = dq->input(2);
  if (!q->isConstant() || isFloat(q->dtype) || !sc->isConstant() || (z && !z->isConstant()) ||
      intAttrOr(*dq, "block_size", 0) != 0 || q->shape.size() < 2)
    return std::nullopt;
  DequantizedWeights d{dq, p.op == opDef("Gemm") && intAttrOr(p, "transB", 0) == 0 ? 1 : 0};
  if (sc->constant->numel() > 1) {
    int64_t a = intAttrOr(*dq, "axis", 1);
    if (a < 0) a += static_cast<int64_t>(q->shape.size());
    if (a != d.axis || sc->constant->numel() != q->shape[static_cast<size_t>(a)]) return std::nullopt;
  }
  return d;
}

// Channel along `axis` of flat element i of a tensor of shape s.
int64_t channelAlong(const Shape& s, size_t axis, int64_t i) {
  int64_t inner = 1;
  for (size_t d = axis + 1; d < s.size(); ++d) inner *= s[d];
  return (i / inner) % s[axis];
}

bool canScaleDequantized(const DequantizedWeights& d, const std::vector<double>& scale) {
  const Tensor& q = *d.dq->inputs[0]->constant;
  const Tensor* z = d.dq->input(2) ? d.dq->inputs[2]->constant.get() : nullptr;
  const size_t axis = static_cast<size_t>(d.axis);
  if (static_cast<int64_t>(scale.size()) != q.shape()[axis]) return false;
  for (double k : scale)
    if (!(std::isfinite(k) && k != 0)) return false;
  for (int64_t i = 0; i < q.numel(); ++i) {
    const int64_t c = channelAlong(q.shape(), axis, i);
    if (scale[static_cast<size_t>(c)] > 0) continue;
    if (q.dtype() != DType::I8 || q.getI(i) == -128 || (z && z->getI(z->numel() == 1 ? 0 : c) != 0)) return false;
  }
  return true;
}

// p's weights become DequantizeLinear(q', s * |scale|, z) (a new node; q' negated where scale < 0).
void scaleDequantized(Graph& g, Node& p, const DequantizedWeights& d, const std::vector<double>& scale,
                      const std::string& tag) {
  const Value* qv = d.dq->inputs[0];
  const Tensor& q = *qv->constant;
  const Tensor& s = *d.dq->inputs[1]->constant;
  const Tensor* z = d.dq->input(2) ? d.dq->inputs[2]->constant.get() : nullptr;
  const size_t axis = static_cast<size_t>(d.axis);
  const int64_t channels = q.shape()[axis];
  Tensor ns(s.dtype(), {channels}), nz(z ? z->dtype() : q.dtype(), {channels});
  for (int64_t c = 0; c < channels; ++c) {
    ns.setF(c, s.getF(s.numel() == 1 ? 0 : c) * std::fabs(scale[static_cast<size_t>(c)]));
    nz.setI(c, z ? z->getI(z->numel() == 1 ? 0 : c) : 0);
  }
  Value* nq = const_cast<Value*>(qv);
  if (std::any_of(scale.begin(), scale.end(), [](double k) { return k < 0; })) {
    Tensor t = q;
    for (int64_t i = 0; i < t.numel(); ++i)
      if (scale[static_cast<size_t>(channelAlong(q.shape(), axis, i))] < 0) t.setI(i, -q.getI(i));
    nq = addConst(g, qv->name + "_" + tag, std::move(t));
  }
  const Value* w = p.inputs[1];
  Value* nw = g.addValue(uniqueValueName(g, w->name + "_" + tag), w->dtype, w->shape);
  AttrMap attrs = d.dq->attrs;
  attrs["axis"] = Attr::Int(d.axis);
  insertNodeBefore(g, &p, "DequantizeLinear", nw->name,
                   {nq, addConst(g, d.dq->inputs[1]->name + "_" + tag, std::move(ns)),
                    addConst(g, (z ? d.dq->inputs[2]->name : nw->name + "_zero_point") + "_" + tag, std::move(nz))},
                   {nw}, attrs);
  p.inputs[1] = nw;
}

}  // namespace

bool canFoldAffine(const Node& p, const std::vector<double>* scale) {
  if (p.opType != "Conv" && p.opType != "ConvTranspose" && p.opType != "Gemm") return false;
  if (!p.op || p.outputs.size() != 1 || !plainFloat(p.outputs[0]) || !plainFloat(p.input(0))) return false;
  if (hasFusedActivation(p)) return false;
  const Value* w = p.input(1);
  // Weights and bias must be constants (not values computed at run time, which folding would
  // materialize in float), or dequantized constant integers whose scales take the factor.
  auto dq = dequantizedWeights(p);
  if (dq && scale && !scale->empty() && !canScaleDequantized(*dq, *scale)) return false;
  if (!dq && (!plainFloat(w) || !w->isConstant() || w->dtype != p.outputs[0]->dtype)) return false;
  if (p.outputs[0]->shape.size() < 2) return false;
  // Per-producer shape rules (Gemm: 2-D weights, bias of rank <= 2; Conv/ConvTranspose: any).
  struct Rule {
    size_t weightRank, maxBiasRank;
  };
  static const std::map<std::string, Rule> rules = {{"Gemm", {2, 2}}};
  auto rule = rules.find(p.opType);
  if (const Value* b = p.input(2)) {
    if (!plainFloat(b) || !b->isConstant() || b->dtype != p.outputs[0]->dtype) return false;
    if (rule != rules.end() && b->shape.size() > rule->second.maxBiasRank) return false;
  }
  if (rule != rules.end() && w->shape.size() != rule->second.weightRank) return false;
  return true;
}

// Output channel that weight element i of producer p feeds: a table per producer op.
int64_t outputChannelOf(const Node& p, const Shape& ws, int64_t numel, int64_t i) {
  using ChannelFn = int64_t (*)(const Node&, const Shape&, int64_t, int64_t);
  static const std::map<std::string, ChannelFn> byOp = {
      {"Conv", [](const Node&, const Shape& ws, int64_t numel, int64_t i) { return i / (numel / ws[0]); }},
      {"ConvTranspose",
       [](const Node& p, const Shape& ws, int64_t numel, int64_t i) {
         // W = [C, M/group, k...]: input channel c of group c / (C/group) feeds outputs grp*(M/group) + j.
         const int64_t c = ws[0], mg = ws[1], per = numel / (c * mg), groups = intAttrOr(p, "group", 1);
         const int64_t ci = i / (mg * per), j = (i / per) % mg;
         return (ci / (c / groups)) * mg + j;
       }},
      {"Gemm",
       [](const Node& p, const Shape& ws, int64_t, int64_t i) {
         return intAttrOr(p, "transB", 0) != 0 ? i / ws[1] : i % ws[1];
       }},
  };
  return byOp.at(p.opType)(p, ws, numel, i);
}

void foldAffine(Graph& g, Node& p, const std::vector<double>& scale, const std::vector<double>& shift,
                const std::string& tag) {
  if (!canFoldAffine(p, &scale)) internalError("{}: cannot fold a per-channel affine map into this node", p.where());
  const Shape& y = p.outputs[0]->shape;
  const int64_t channels = y[1];
  if ((!scale.empty() && static_cast<int64_t>(scale.size()) != channels) ||
      (!shift.empty() && static_cast<int64_t>(shift.size()) != channels))
    internalError("{}: per-channel vector does not match {} output channels", p.where(), channels);
  auto sc = [&](int64_t ch) { return scale.empty() ? 1.0 : scale[static_cast<size_t>(ch)]; };
  auto sh = [&](int64_t ch) { return shift.empty() ? 0.0 : shift[static_cast<size_t>(ch)]; };
  const DType dt = p.outputs[0]->dtype;

  // Weights: every element belongs to one output channel.
  if (auto dq = dequantizedWeights(p); dq && !scale.empty()) {
    if (!canScaleDequantized(*dq, scale)) internalError("{}: cannot rescale its dequantized weights", p.where());
    scaleDequantized(g, p, *dq, scale, tag);
  } else if (!scale.empty()) {
    const Tensor& w = *p.inputs[1]->constant;
    const Shape& ws = w.shape();
    Tensor nw(w.dtype(), ws);
    const int64_t numel = w.numel();
    for (int64_t i = 0; i < numel; ++i) {
      nw.setF(i, w.getF(i) * sc(outputChannelOf(p, ws, numel, i)));
    }
    p.inputs[1] = addConst(g, p.inputs[1]->name + "_" + tag, std::move(nw));
  }

  // Bias (Conv/ConvTranspose: [M]; Gemm, the producer with a beta: C broadcast to [rows, N]
  // with beta folded in).
  const Tensor* b = p.input(2) ? p.inputs[2]->constant.get() : nullptr;
  if (p.hasAttr("beta")) {
    if (!b && shift.empty()) return;
    const double beta = p.attrFloat("beta");
    Shape cs = b ? b->shape() : Shape{};
    const int64_t rows = cs.size() == 2 ? cs[0] : 1;
    Tensor nc(dt, cs.size() == 2 ? Shape{rows, channels} : Shape{channels});
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t j = 0; j < channels; ++j) {
        double v = 0;
        if (b) {
          const int64_t cr = cs.size() == 2 && cs[0] != 1 ? r : 0;
          const int64_t cols = cs.empty() ? 1 : cs.back();
          v = beta * b->getF(cr * cols + (cols == 1 ? 0 : j));
        }
        nc.setF(r * channels + j, v * sc(j) + sh(j));
      }
    p.attrs["beta"] = Attr::Float(1.0f);
    const std::string base = b ? p.inputs[2]->name + "_" + tag : p.name + "_bias";
    if (p.inputs.size() < 3) p.inputs.resize(3, nullptr);
    p.inputs[2] = addConst(g, base, std::move(nc));
    return;
  }
  if (!b && shift.empty()) return;
  Tensor nb(dt, {channels});
  for (int64_t m = 0; m < channels; ++m) nb.setF(m, (b ? b->getF(m) : 0.0) * sc(m) + sh(m));
  const std::string base = b ? p.inputs[2]->name + "_" + tag : p.name + "_bias";
  if (p.inputs.size() < 3) p.inputs.resize(3, nullptr);
  p.inputs[2] = addConst(g, base, std::move(nb));
}

}  // namespace tinyc::rw
