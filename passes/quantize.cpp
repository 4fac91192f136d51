// quantize: post-training int8 quantization of a float model (--quantize int8 --calib DATA).
//
// Runs only when PassOptions::quantize asks for it, after the float passes (BatchNorm folded,
// activations fused) and before lower-quant. It calibrates the graph as it is (calibrate.h: the
// reference interpreter over the samples, a range per float activation) and writes the QDQ form
// that lower-quant lowers, so calibrated and pre-quantized models share one integer path:
//
//   activations  x -> QuantizeLinear -> DequantizeLinear -> readers   int8 asymmetric per tensor
//   weights      DequantizeLinear(int8 constant, zero point 0, axis)  symmetric per output channel
//                (--weight-bits 4: values in [-7, 7], QuantParams::bits = 4, for the layers whose
//                own output SQNR allows it; the C backend packs them two per byte)
//   biases       DequantizeLinear(int32 constant, s_x * s_w[c])
//
// A float tensor gets Q/DQ when its writer or one of its readers has an int8 form (Conv, Gemm,
// MatMul by constant weights, Add, Mul, pools, Softmax, Concat, elementwise functions of one
// tensor as tables, ops that only move elements); the output of an op that only moves elements
// keeps its input's parameters (lower-quant moves the DequantizeLinear past it). Graph inputs and
// outputs stay float (--io-dtype int8 can then move them). Everything else stays float.
#include "passes/quantize.h"

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "interp/interpreter.h"
#include "ops/op.h"
#include "ops/qparams.h"
#include "passes/pass.h"
#include "passes/quant_match.h"
#include "passes/quantize_weights.h"
#include "passes/rewrite.h"
#include "support/error.h"

namespace tinyc {

QuantParams activationParams(double lo, double hi) {
  lo = std::min(lo, 0.0);
  hi = std::max(hi, 0.0);
  QuantParams q;
  float scale = static_cast<float>((hi - lo) / 255.0);
  int64_t zp = 0;
  if (!(scale >= FLT_MIN) || !std::isfinite(scale)) {
    scale = 1.0f;  // an all-zero (or denormal) range: any scale is exact, 1 keeps multipliers sane
  } else {
    zp = std::clamp<int64_t>(std::llround(-128.0 - lo / static_cast<double>(scale)), -128, 127);
  }
  q.scale = {scale};
  q.zeroPoint = {zp};
  return q;
}

QuantParams activationParams16(double lo, double hi) {
  const double a = std::max(std::fabs(lo), std::fabs(hi));
  float scale = static_cast<float>(a / 32767.0);
  if (!(scale >= FLT_MIN) || !std::isfinite(scale)) scale = 1.0f;  // (as activationParams)
  QuantParams q;
  q.scale = {scale};
  q.zeroPoint = {0};
  return q;
}

float weightScale(double absMax, int qmax) {
  const float s = static_cast<float>(absMax / qmax);
  return s >= FLT_MIN && std::isfinite(s) ? s : 1.0f;
}

namespace {

using namespace qmatch;

// What an op's int8 form does with a node's float tensors.
enum class Role {
  None,     // no int8 form: stays float
  Compute,  // int8 in, int8 out with its own (calibrated) output parameters
  Table,    // an elementwise function of one tensor: a 256-entry table (own output parameters)
  Carried,  // only moves elements: the output keeps the input's parameters
};

// A float tensor computed at run time (not a constant, nor int8 weights behind DequantizeLinear).
bool floatActivation(const Value* v) {
  return v && !v->constant && isFloat(v->dtype) &&
         !(isDequantize(v->producer) && v->producer->input(0) && v->producer->inputs[0]->constant);
}
bool floatConstant(const Value* v) { return v && v->constant && isFloat(v->dtype); }

// One float tensor in, one out, every other input a constant scalar (Sigmoid, Relu, Clip, Div by
// a scalar, ...): lower-quant makes it a table. Add and Mul have their own int8 form.
bool tableOp(const Node& n) {
  if (!n.op || !n.op->elementwise || n.op == op("Add") || n.op == op("Mul") || n.outputs.size() != 1 ||
      !n.outputs[0] || !floatActivation(n.input(0)) || !isFloat(n.outputs[0]->dtype) ||
      n.inputs[0]->shape != n.outputs[0]->shape || rw::hasFusedActivation(n))
    return false;
  for (size_t i = 1; i < n.inputs.size(); ++i)
    if (n.inputs[i] && (!n.inputs[i]->constData() || n.inputs[i]->constData()->numel() != 1)) return false;
  return true;
}

// Weights already int8 behind DequantizeLinear (a weight-only quantized model, e.g. kws_fp32) in
// the form lower-quant takes: constant, zero point 0, per tensor or per output channel (axis).
// They are kept as they are; nullptr otherwise.
const Value* int8Weights(const Value* w, int axis) {
  if (!w || !isDequantize(w->producer)) return nullptr;
  const Value* q = w->producer->inputs[0];
  if (!q::isQInt8(q) || !q->constant) return nullptr;
  for (int64_t z : q->quant->zeroPoint)
    if (z != 0) return nullptr;
  return q->quant->perTensor() || q->quant->axis == axis ? q : nullptr;
}

// The output channel axis of a product's weights (float constants, or int8Weights), or -1 when
// lower-quant has no int8 form for the node (its checks, made before any rewrite).
int weightAxis(const Node& n) {
  const Value *x = n.input(0), *w = n.input(1);
  if (!floatActivation(x) || !w || !q::activationHasIntegerForm(n)) return -1;
  const Value* b = n.op == op("MatMul") ? nullptr : n.input(2);
  if (b && !floatConstant(b)) return -1;
  int axis = -1;
  if (n.op == op("Conv")) {
    if (w->shape.size() < 3 || w->shape.size() > 4) return -1;
    axis = 0;
  } else {
    if (x->shape.size() != 2 || w->shape.size() != 2) return -1;
    if (n.op == op("MatMul")) {
      axis = 1;
    } else {
      if (n.op != op("Gemm") || rw::intAttrOr(n, "transA", 0) != 0 || n.attrFloat("alpha") != 1.0f ||
          n.attrFloat("beta") != 1.0f)
        return -1;
      axis = rw::intAttrOr(n, "transB", 0) != 0 ? 0 : 1;
    }
  }
  const int64_t channels = w->shape[static_cast<size_t>(axis)];
  if (b && numElements(b->shape) != channels && (n.op == op("Conv") || numElements(b->shape) != 1)) return -1;
  return floatConstant(w) || int8Weights(w, axis) ? axis : -1;
}

Role roleOf(const Node& n) {
  if (!n.op || n.outputs.empty() || !n.outputs[0] || !isFloat(n.outputs[0]->dtype)) return Role::None;
  if (n.op == op("Conv") || n.op == op("Gemm") || n.op == op("MatMul"))
    return weightAxis(n) >= 0 ? Role::Compute : Role::None;
  if (n.op == op("Add") || n.op == op("Mul")) {
    if (n.inputs.size() != 2 || !q::activationHasIntegerForm(n)) return Role::None;
    int acts = 0;
    for (const Value* in : n.inputs) {
      if (!floatActivation(in) && !floatConstant(in)) return Role::None;
      acts += floatActivation(in);
    }
    return acts > 0 ? Role::Compute : Role::None;
  }
  if (n.op == op("AveragePool") || n.op == op("GlobalAveragePool") || n.op == op("Softmax"))
    return n.inputs.size() == 1 && n.outputs.size() == 1 && floatActivation(n.inputs[0]) &&
                   (n.op == op("Softmax") || n.inputs[0]->shape.size() == 4)
               ? Role::Compute
               : Role::None;
  if (n.op == op("Concat")) {
    for (const Value* in : n.inputs)
      if (!floatActivation(in)) return Role::None;
    return Role::Compute;
  }
  if (tableOp(n)) return Role::Table;
  if (carriesQuant(n) && !rw::hasFusedActivation(n) && floatActivation(n.input(0))) {
    for (size_t k = 0; k < n.outputs.size(); ++k)
      if (!n.outputs[k] || !isFloat(n.outputs[k]->dtype) || (k > 0 && n.op != op("Split"))) return Role::None;
    if (n.op->quantFillInput >= 0) {  // Pad: only a zero fill is exact on every scale
      const Value* f = n.input(static_cast<size_t>(n.op->quantFillInput));
      if (f && (!f->constData() || f->constData()->numel() != 1 || f->constData()->getF(0) != 0.0)) return Role::None;
    }
    return Role::Carried;
  }
  return Role::None;
}

// Quantized activations (QDQ or QLinear ops); int8 weights behind DequantizeLinear do not count.
bool alreadyQuantized(const Graph& g) {
  for (const auto& n : g.nodes)
    if (isQuantize(n.get()) || (isDequantize(n.get()) && !(n->input(0) && n->inputs[0]->constant)) ||
        n->op == op("QLinearConv") || n->op == op("QLinearMatMul"))
      return true;
  for (const auto& v : g.values)
    if (v->quant && !v->constant) return true;
  return false;
}

Value* scalarConst(Graph& g, const std::string& base, DType t, double v) {
  Tensor c(t, {});
  if (isFloat(t))
    c.setF(0, v);
  else
    c.setI(0, static_cast<int64_t>(v));
  return rw::addConst(g, base, std::move(c));
}

// DequantizeLinear(int8 or int32 constant q) -> float value named base; q->quant = p.
Value* dequantizedConst(Graph& g, const std::string& base, Tensor qt, const QuantParams& p, const Shape& shape) {
  const DType zt = qt.dtype();
  Value* qv = rw::addConst(g, base + "_quantized", std::move(qt));
  qv->quant = p;
  Value *s, *z;
  if (p.perTensor()) {
    s = scalarConst(g, base + "_scale", DType::F32, p.scale[0]);
    z = scalarConst(g, base + "_zero_point", zt, static_cast<double>(p.zeroPoint[0]));
  } else {
    Tensor st(DType::F32, {static_cast<int64_t>(p.scale.size())}), zq(zt, {static_cast<int64_t>(p.scale.size())});
    for (size_t i = 0; i < p.scale.size(); ++i) {
      st.setF(static_cast<int64_t>(i), p.scale[i]);
      zq.setI(static_cast<int64_t>(i), p.zeroPoint[i]);
    }
    s = rw::addConst(g, base + "_scale", std::move(st));
    z = rw::addConst(g, base + "_zero_point", std::move(zq));
  }
  Value* out = g.addValue(rw::uniqueValueName(g, base + "_dequantized"), DType::F32, shape);
  AttrMap attrs;
  if (!p.perTensor()) attrs["axis"] = Attr::Int(p.axis);
  Node* dq = g.addNode("DequantizeLinear", out->name, {qv, s, z}, {out}, attrs);
  bindOp(*dq);
  return out;
}

int8_t quantizeValue(double x, const QuantParams& p, size_t c) {
  const double s = p.scale[p.scale.size() == 1 ? 0 : c];
  const int64_t z = p.zeroPoint[p.zeroPoint.size() == 1 ? 0 : c];
  return static_cast<int8_t>(std::clamp<int64_t>(static_cast<int64_t>(std::nearbyint(x / s)) + z, -128, 127));
}

class Quantize : public Pass {
 public:
  bool run(Graph& g, PassContext& ctx) override {
    const auto& req = ctx.options().quantize;
    if (!req) return false;
    if (alreadyQuantized(g))
      usageError("--quantize: the model is already quantized (it has QuantizeLinear/DequantizeLinear or QLinear ops)");
    for (const std::string& name : req->keepFloat)
      if (std::none_of(g.nodes.begin(), g.nodes.end(), [&](const auto& n) { return n->name == name; }))
        usageError("--keep-float: no node named '{}' at this point of the pipeline (`tinyc inspect -O2 MODEL` lists them)",
                   printable(name));
    req->layers->clear();
    if (req->scheme == "weights-int8") return weightsOnly(g, *req, ctx);
    if (req->samples.empty()) usageError("--quantize needs calibration data (--calib)");
    unfuse(g, ctx);

    std::map<const Node*, Role> roles;
    // int16x8: int16 activations where the integer path has an int16 form (Conv, Gemm, MatMul,
    // Add, Mul, the average pools, Concat, ops that only move elements); tables and Softmax stay float.
    const bool wide = req->scheme == "int16x8";
    for (const auto& n : g.nodes) {
      Role r = req->keepFloat.count(n->name) ? Role::None : roleOf(*n);
      if (wide && (r == Role::Table || n->op == op("Softmax"))) r = Role::None;
      roles[n.get()] = r;
    }
    // The float activations that get their own parameters.
    std::vector<Value*> acts;
    auto consider = [&](Value* v) {
      if (!floatActivation(v) || (g.isGraphOutput(v) && std::count(g.inputs.begin(), g.inputs.end(), v))) return;
      const Role pr = v->producer ? roles[v->producer] : Role::None;
      if (pr == Role::Carried) return;
      bool relevant = pr == Role::Compute || pr == Role::Table;
      for (const Node* u : g.users(v)) relevant = relevant || roles[u] != Role::None;
      if (relevant) acts.push_back(v);
    };
    for (Value* v : g.inputs) consider(v);
    for (const auto& n : g.nodes)
      for (Value* v : n->outputs) consider(v);
    if (acts.empty()) return false;

    const bool hist = req->method != CalibMethod::MinMax;
    std::vector<const Value*> watch(acts.begin(), acts.end());
    auto stats = calibrate(g, watch, req->samples, hist, req->progress);
    // The layers the report lists, and their float outputs (the SQNR reference).
    std::vector<const Node*> layers;
    std::vector<const Value*> layerOuts;
    for (const auto& n : g.nodes)
      if (roles[n.get()] == Role::Compute || roles[n.get()] == Role::Table || req->keepFloat.count(n->name)) {
        layers.push_back(n.get());
        layerOuts.push_back(n->outputs.empty() ? nullptr : n->outputs[0]);
      }
    const std::vector<std::vector<Tensor>> sqnrInputs(
        req->samples.begin(), req->samples.begin() + std::min<size_t>(req->samples.size(), kSqnrSamples));
    auto reference = qw::outputsOn(g, layerOuts, sqnrInputs);
    // --weight-bits 4: int4 weights where the layer's own SQNR allows (bits 4; the others 8)
    std::map<const Node*, qw::WeightError> int4, int8;
    std::map<const Node*, int> bits;
    if (req->weightBits == 4) int4 = qw::chooseInt4(g, weightLayers(layers, roles, true), sqnrInputs, ctx);
    for (auto& [n, ch] : int4) bits[n] = (ch.use = ch.use && !req->keepInt8.count(n->name)) ? 4 : 8;
    std::vector<std::pair<const Node*, int>> cand;  // bias correction of the int8 weights (int4: above)
    if (req->biasCorrection)
      for (const auto& c : weightLayers(layers, roles, false))
        if (!int4.count(c.first) || !int4[c.first].use) cand.push_back(c);
    int8 = qw::weightErrors(g, cand, sqnrInputs, 127);
    auto biasShift = [&](const Node* n) -> const std::vector<double>* {
      if (int4.count(n) && int4[n].use) return req->biasCorrection ? &int4[n].shift : nullptr;
      return int8.count(n) ? &int8[n].shift : nullptr;
    };
    // Activation types: int16 for the layers of --quantize int16x8 or QuantizeRequest::int16Layers
    // (--min-sqnr), else int8 (tables have an int8 form only). A tensor has its writer's type (a
    // graph input: int16 when an int16 layer reads it); a reader of the other type reads it through
    // QuantizeLinear -> DequantizeLinear of that type, which lower-quant makes a tinyc.Requantize.
    auto layerType = [&](const Node* n) {
      return roles[n] == Role::Compute && (wide || req->int16Layers.count(n->name)) ? DType::I16 : DType::I8;
    };
    std::map<const Value*, DType> type;
    std::map<const Value*, const Value*> source;  // the calibrated tensor whose range applies
    std::vector<Value*> qtensors(acts.begin(), acts.end());  // acts, then element-moving ops' outputs
    for (Value* v : acts) source[v] = v;
    // (a graph input read by an int16 layer, directly or through element-moving ops, is int16)
    std::function<bool(const Value*)> readAsInt16 = [&](const Value* v) {
      for (const Node* u : g.users(v)) {
        if (layerType(u) == DType::I16) return true;
        if (roles[u] == Role::Carried)
          for (const Value* o : u->outputs)
            if (o && readAsInt16(o)) return true;
      }
      return false;
    };
    for (Value* v : g.inputs) type[v] = wide || readAsInt16(v) ? DType::I16 : DType::I8;
    for (const auto& n : g.nodes)
      for (Value* o : n->outputs) {
        const bool carried = roles[n.get()] == Role::Carried && type.count(n->inputs[0]);
        type[o] = carried ? type[n->inputs[0]] : layerType(n.get());
        if (carried && source.count(n->inputs[0]) && !source.count(o)) {
          source[o] = source[n->inputs[0]];
          qtensors.push_back(o);
        }
      }
    std::map<const Value*, std::pair<double, double>> ranges;
    for (Value* v : acts)  // a Softmax output: [0, 1] (a calibrated range clipped saturated probabilities)
      ranges[v] = v->producer && v->producer->op == op("Softmax") ? std::make_pair(0.0, 1.0)
                                                                   : chooseRange(stats[v], req->method);
    auto paramsAs = [&](const Value* v, DType t) {  // v's parameters as a tensor of type t
      const auto [lo, hi] = ranges.at(source.at(v));
      return t == DType::I16 ? activationParams16(lo, hi) : activationParams(lo, hi);
    };

    std::vector<Node*> order;
    for (auto& n : g.nodes) order.push_back(n.get());
    for (Node* n : order) {
      if (roles[n] != Role::Compute) continue;
      if (n->op == op("Add") || n->op == op("Mul"))
        quantizeConstOperands(g, n, ctx, layerType(n) == DType::I16);
      else if (n->op == op("Conv") || n->op == op("Gemm") || n->op == op("MatMul"))
        quantizeWeights(g, n, paramsAs(n->inputs[0], layerType(n)), ctx, bits.count(n) ? bits[n] : 8,
                        biasShift(n), layerType(n) == DType::I16);
    }
    std::map<const Value*, Value*> readBy;  // the float tensor the readers read (a graph input's copy)
    for (Value* v : acts) readBy[v] = insertQdq(g, v, paramsAs(v, type[v]), type[v]);
    // Readers of the other type (and element-moving ops' outputs read by layers of the other type).
    for (Value* v0 : qtensors) {
      Value* v = readBy.count(v0) ? readBy[v0] : v0;
      for (Node* u : g.users(v)) {
        if (roles[u] != Role::Compute && roles[u] != Role::Table) continue;
        const DType t = roles[u] == Role::Table ? DType::I8 : layerType(u);
        if (t == type[v0]) continue;
        convertFor(g, v, u, paramsAs(v0, t), t);
        ctx.count("tensors converted between int8 and int16");
      }
    }
    ctx.count("tensors calibrated", static_cast<int64_t>(acts.size()));
    ctx.count("calibration samples", static_cast<int64_t>(req->samples.size()));
    g.topoSort();
    refreshGraph(g);
    // Each layer's output SQNR: the quantized graph (its QDQ form, run by the interpreter) against
    // the float one, at the same tensor (insertQdq keeps the readers' tensor).
    auto quantized = qw::outputsOn(g, layerOuts, sqnrInputs);
    for (size_t i = 0; i < layers.size(); ++i) {
      QuantizedLayer l;
      l.node = layers[i]->name;
      l.op = layers[i]->opType;
      l.precision = roles[layers[i]] == Role::None                   ? "float"
                    : layerType(layers[i]) == DType::I16             ? "int16"
                    : bits.count(layers[i]) && bits[layers[i]] == 4 ? "int4"
                                                                     : "int8";
      l.int16Form = roles[layers[i]] == Role::Compute;
      double signal = 0, noise = 0;
      for (size_t k = 0; k < reference.size(); ++k) {
        const Tensor* r = reference[k][i] ? &*reference[k][i] : nullptr;
        const Tensor* q = quantized[k][i] ? &*quantized[k][i] : nullptr;
        if (!r || !q || r->numel() != q->numel()) continue;
        for (int64_t e = 0; e < r->numel(); ++e) {
          const double a = r->getF(e), d = a - q->getF(e);
          if (std::isfinite(a) && std::isfinite(d)) signal += a * a, noise += d * d;
        }
      }
      l.sqnrDb = noise > 0 ? std::min(kSqnrCapDb, 10 * std::log10(std::max(signal, 1e-300) / noise)) : kSqnrCapDb;
      l.weightBytes = qw::weightBytes(*layers[i]);
      if (int4.count(layers[i])) l.int4SqnrDb = int4[layers[i]].sqnrDb;
      req->layers->push_back(l);
    }
    return true;
  }

 private:
  // --quantize weights-int8: Conv / Gemm / MatMul weights int8 per output channel behind
  // DequantizeLinear, everything else (activations, biases) float: flash savings only.
  static bool weightsOnly(Graph& g, const QuantizeRequest& req, PassContext& ctx) {
    bool changed = false;
    std::vector<Node*> order;
    for (auto& n : g.nodes) order.push_back(n.get());
    for (Node* node : order) {
      const bool product = node->op == op("Conv") || node->op == op("Gemm") || node->op == op("MatMul");
      const Value* w = node->input(1);
      int axis = -1;
      if (product && floatConstant(w) && !req.keepFloat.count(node->name)) {
        if (node->op == op("Conv") && w->shape.size() >= 3)
          axis = 0;
        else if (node->op == op("Gemm") && w->shape.size() == 2)
          axis = rw::intAttrOr(*node, "transB", 0) != 0 ? 0 : 1;
        else if (node->op == op("MatMul") && w->shape.size() == 2)
          axis = 1;
      }
      if (axis >= 0) {
        node->inputs[1] = quantizedWeights(g, *w, axis, {}, 1.0, nullptr);
        ctx.count("weights quantized", numElements(w->shape));
        changed = true;
      }
      if (product) {
        QuantizedLayer l{node->name, node->opType, axis >= 0 ? "int8" : "float", kSqnrCapDb, qw::weightBytes(*node), std::nullopt, false};
        req.layers->push_back(l);
      }
    }
    if (changed) {
      g.topoSort();
      refreshGraph(g);
    }
    return changed;
  }

  // An activation fused into a node that has an int8 form but none for that activation (Sigmoid,
  // Tanh, HardSwish, LeakyRelu) becomes a node of its own again, before calibration: the node
  // runs in int8 and the activation becomes a table (the same formulas: fused_activation.cpp).
  static void unfuse(Graph& g, PassContext& ctx) {
    std::vector<Node*> order;
    for (auto& n : g.nodes) order.push_back(n.get());
    bool changed = false;
    for (Node* n : order) {
      if (!rw::hasFusedActivation(*n) || q::activationHasIntegerForm(*n) || n->outputs.empty() || !n->outputs[0])
        continue;
      const AttrMap saved = n->attrs;
      const std::string act = n->attrStr(kFusedActivationAttr);
      const std::vector<float> params =
          n->hasAttr(kFusedActivationParamsAttr) ? n->attrFloats(kFusedActivationParamsAttr) : std::vector<float>{};
      n->attrs.erase(kFusedActivationAttr);
      n->attrs.erase(kFusedActivationParamsAttr);
      if (roleOf(*n) != Role::Compute || !op(act.c_str())) {
        n->attrs = saved;
        continue;
      }
      AttrMap attrs;
      if (act == "LeakyRelu" && !params.empty()) attrs["alpha"] = Attr::Float(params[0]);
      Value* y = n->outputs[0];
      Value* t = g.addValue(rw::uniqueValueName(g, y->name + "_linear"), y->dtype, y->shape);
      n->outputs[0] = t;
      t->producer = n;
      bindOp(*g.addNode(act, n->name + "_" + act, {t}, {y}, attrs));
      ctx.count("activations unfused");
      changed = true;
    }
    if (changed) g.topoSort();
  }

  // v -> QuantizeLinear -> DequantizeLinear -> v's readers (v keeps its name: a graph output
  // stays the float output, its writer now writes the tensor that is quantized).
  // u reads v (a float tensor) as QuantizeLinear -> DequantizeLinear of type t with parameters p.
  static void convertFor(Graph& g, Value* v, Node* u, const QuantParams& p, DType t) {
    Value* s = scalarConst(g, v->name + "_scale_" + dtypeName(t), DType::F32, p.scale[0]);
    Value* z = scalarConst(g, v->name + "_zero_point_" + dtypeName(t), t, static_cast<double>(p.zeroPoint[0]));
    Value* vq = g.addValue(rw::uniqueValueName(g, v->name + "_" + dtypeName(t)), t, v->shape);
    vq->quant = p;
    Value* vd = g.addValue(rw::uniqueValueName(g, v->name + "_" + dtypeName(t) + "_dequantized"), v->dtype, v->shape);
    bindOp(*g.addNode("QuantizeLinear", vq->name, {v, s, z}, {vq}));
    bindOp(*g.addNode("DequantizeLinear", vd->name, {vq, s, z}, {vd}));
    for (Value*& in : u->inputs)
      if (in == v) in = vd;
  }

  // Returns the float tensor v's readers now read (v itself, or a graph input's dequantized copy).
  static Value* insertQdq(Graph& g, Value* v, const QuantParams& p, DType t) {
    Value* s = scalarConst(g, v->name + "_scale", DType::F32, p.scale[0]);
    Value* z = scalarConst(g, v->name + "_zero_point", t, static_cast<double>(p.zeroPoint[0]));
    Value* vq = g.addValue(rw::uniqueValueName(g, v->name + "_quantized"), t, v->shape);
    vq->quant = p;
    if (Node* w = v->producer) {
      Value* vf = g.addValue(rw::uniqueValueName(g, v->name + "_float"), v->dtype, v->shape);
      std::replace(w->outputs.begin(), w->outputs.end(), v, vf);
      vf->producer = w;
      bindOp(*g.addNode("QuantizeLinear", vq->name, {vf, s, z}, {vq}));
      bindOp(*g.addNode("DequantizeLinear", v->name + "_dequantize", {vq, s, z}, {v}));
      return v;
    } else {  // a graph input: its readers read the dequantized copy
      Value* vd = g.addValue(rw::uniqueValueName(g, v->name + "_dequantized"), v->dtype, v->shape);
      const auto users = g.users(v);
      bindOp(*g.addNode("QuantizeLinear", vq->name, {v, s, z}, {vq}));
      bindOp(*g.addNode("DequantizeLinear", vd->name, {vq, s, z}, {vd}));
      for (Node* u : users)
        for (Value*& in : u->inputs)
          if (in == v) in = vd;
      return vd;
    }
  }

  // --weight-bits 4: the candidates (Conv with one group, Gemm, MatMul by float weights) and what
  // int4 weights would cost each (qw::chooseInt4) or int8 weights need corrected.
  static std::vector<std::pair<const Node*, int>> weightLayers(const std::vector<const Node*>& layers,
                                                              std::map<const Node*, Role>& roles, bool int4) {
    std::vector<std::pair<const Node*, int>> cand;
    for (const Node* n : layers)
      if (roles[n] == Role::Compute && (n->op == op("Conv") || n->op == op("Gemm") || n->op == op("MatMul")) &&
          weightAxis(*n) >= 0 && floatConstant(n->input(1)) && (!int4 || rw::intAttrOr(*n, "group", 1) == 1))
        cand.emplace_back(n, weightAxis(*n));
    return cand;
  }

  // Conv / Gemm / MatMul: weights symmetric per output channel (int8, or int4 with bits 4), bias
  // int32 at s_x * s_w[c].
  static void quantizeWeights(Graph& g, Node* n, const QuantParams& xq, PassContext& ctx, int bits,
                              const std::vector<double>* shift, bool wide) {
    const int axis = weightAxis(*n);
    const Value* w = n->inputs[1];
    const int64_t channels = w->shape[static_cast<size_t>(axis)];
    const Value* b = n->op == op("MatMul") ? nullptr : n->input(2);
    const double sx = xq.scale[0];
    if (const Value* w8 = int8Weights(w, axis)) {  // kept: only the bias is quantized (int16: lower-quant)
      if (b && !wide) n->inputs[2] = integerBias(g, n, b->constant->toDoubles(), sx, *w8->quant, channels);
      ctx.count("int8 weights kept");
      return;
    }
    std::vector<double> bias;
    if (b) bias = b->constant->toDoubles();
    if (shift && !shift->empty()) {  // bias correction (qw::weightError)
      if (bias.size() != static_cast<size_t>(channels)) bias.assign(static_cast<size_t>(channels), bias.empty() ? 0.0 : bias[0]);
      for (size_t c = 0; c < bias.size(); ++c) bias[c] += (*shift)[c];
      if (n->inputs.size() < 3) n->inputs.resize(3, nullptr);
      ctx.count(bits == 4 ? "int4 biases corrected" : "int8 biases corrected");
    }
    QuantParams wq;
    // int16 activations: the bias stays float here; lower-quant makes it int64 (no int32 limit to
    // widen the weight scales for: a channel with tiny weights and a large bias keeps its scale).
    n->inputs[1] = quantizedWeights(g, *w, axis, wide ? std::vector<double>{} : bias, sx, &wq, &ctx, bits, wide);
    ctx.count("weights quantized", numElements(w->shape));
    if (!bias.empty() && wide) {
      Tensor bt(DType::F32, {channels});
      for (int64_t c = 0; c < channels; ++c) bt.setF(c, bias[static_cast<size_t>(bias.size() == 1 ? 0 : c)]);
      n->inputs[2] = rw::addConst(g, n->name + "_bias", std::move(bt));
    } else if (!bias.empty()) {
      n->inputs[2] = integerBias(g, n, bias, sx, wq, channels);
    }
  }

  // DequantizeLinear(weights symmetric per output channel `axis`: int8, or int4 values with bits
  // 4), scales from channelScales.
  static Value* quantizedWeights(Graph& g, const Value& wv, int axis, const std::vector<double>& bias, double sx,
                                 QuantParams* out, PassContext* ctx = nullptr, int bits = 8, bool wide = false) {
    const int qmax = bits == 4 ? 7 : 127;
    const QuantParams wq = qw::channelScales(wv, axis, bias, sx, qmax, ctx, wide);
    if (out) *out = wq;
    return dequantizedConst(g, wv.name, qw::channelIntegers(wv, axis, wq, qmax), wq, wv.shape);
  }

  // DequantizeLinear(int32 bias at s_x * s_w[c], zero point 0).
  static Value* integerBias(Graph& g, const Node* n, const std::vector<double>& bias, double sx, const QuantParams& wq,
                            int64_t channels) {
    QuantParams bq;
    Tensor bt(DType::I32, {channels});
    for (int64_t c = 0; c < channels; ++c) {
      const float s = static_cast<float>(sx * q::scaleAt(wq, c));
      bq.scale.push_back(s);
      bq.zeroPoint.push_back(0);
      const double r = std::nearbyint(bias[static_cast<size_t>(bias.size() == 1 ? 0 : c)] / static_cast<double>(s));
      bt.setI(c, static_cast<int64_t>(std::clamp(r, -2147483647.0, 2147483647.0)));
    }
    if (channels > 1) bq.axis = 0;
    return dequantizedConst(g, n->name + "_bias", std::move(bt), bq, {channels});
  }

  // Add / Mul by a float constant: the constant int8 per tensor (asymmetric over its values).
  static void quantizeConstOperands(Graph& g, Node* n, PassContext& ctx, bool wide) {
    for (Value*& in : n->inputs) {
      if (!floatConstant(in)) continue;
      const Tensor& t = *in->constant;
      double lo = 0, hi = 0;
      for (int64_t i = 0; i < t.numel(); ++i)
        if (std::isfinite(t.getF(i))) lo = std::min(lo, t.getF(i)), hi = std::max(hi, t.getF(i));
      const QuantParams p = wide ? activationParams16(lo, hi) : activationParams(lo, hi);
      Tensor q(wide ? DType::I16 : DType::I8, t.shape());
      for (int64_t i = 0; i < t.numel(); ++i)
        q.setI(i, wide ? std::clamp<int64_t>(static_cast<int64_t>(std::nearbyint(t.getF(i) / p.scale[0])), -32767, 32767)
                       : quantizeValue(t.getF(i), p, 0));
      in = dequantizedConst(g, in->name, std::move(q), p, in->shape);
      ctx.count("constant operands quantized");
    }
  }
};

}  // namespace

std::unique_ptr<Pass> createQuantize() { return std::make_unique<Quantize>(); }

}  // namespace tinyc
