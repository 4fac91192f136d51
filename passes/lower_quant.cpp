// lower-quant: QDQ "node units" become integer ops on int8 tensors (the quantized IR form of
// ops/qparams.h), so a pre-quantized model runs as integer code.
//
//   DequantizeLinear(x) -> op -> QuantizeLinear -> y        becomes   op(x) -> y
//
// for Conv (any group), Gemm and MatMul by constant weights (weights int8 in flash, bias int32),
// Add and Mul, AveragePool, GlobalAveragePool and Softmax; an elementwise op of one tensor (Sigmoid, Tanh,
// HardSwish, a standalone Relu or Clip, ...) and a QuantizeLinear(DequantizeLinear) pair with new
// parameters become a 256-entry table (tinyc.Lut) computed by the reference kernels; ops that only
// move elements (OpDef::quantCarried: views, Transpose, MaxPool, Concat, ...) run on the int8
// tensor with DequantizeLinear moved after them; a QuantizeLinear(DequantizeLinear) pair with
// equal parameters cancels. Whatever does not match stays float (a "float island", listed by
// floatIslands()). Runs after fuse-activation, so a Relu/Clip fused into the op becomes the
// clamp of its int8 output.
#include <algorithm>
#include <deque>
#include <cmath>
#include <map>
#include <optional>

#include "ops/op.h"
#include "ops/qparams.h"
#include "passes/lower_quant.h"
#include "passes/pass.h"
#include "passes/quant_match.h"
#include "passes/rewrite.h"

namespace tinyc {

namespace {

using namespace qmatch;

class LowerQuant : public Pass {
 public:
  bool run(Graph& g, PassContext& ctx) override {
    q::annotateQuantParams(g);
    bool changed = clipsBeforeQuantize(g, ctx);
    if (changed) refreshGraph(g), q::annotateQuantParams(g);
    if (qedge::uint8ToInt8(g, ctx)) {
      refreshGraph(g);
      changed = true;
    }
    if (lowerQLinear(g, ctx)) {
      refreshGraph(g);
      changed = true;
    }
    for (bool more = true; more;) {
      more = sinkDequantize(g, ctx);
      more |= hoistQuantize(g, ctx);
      more |= cancelPairs(g, ctx);
      more |= lowerUnits(g, ctx);
      if (more) {
        refreshGraph(g);
        changed = true;
      }
    }
    if (ctx.options().ioDtype == "float" ? qedge::floatEdges(g, ctx) : ctx.options().ioDtype == "int8" && qedge::int8Edges(g, ctx)) {
      refreshGraph(g);
      changed = true;
    }
    return changed;
  }

 private:
  // QLinearConv / QLinearMatMul with int8 data (uint8 data was made int8 by uint8ToInt8),
  // constant int8 weights with zero point 0 (or uint8 with 128) and constant parameters: the same
  // int8 Conv / Gemm as a QDQ unit (their fixed-point requantization replaces the op's float one;
  // other forms keep the op's own kernels).
  static bool lowerQLinear(Graph& g, PassContext& ctx) {
    bool changed = false;
    std::vector<Node*> order;
    for (auto& n : g.nodes) order.push_back(n.get());
    for (Node* n : order) {
      const bool conv = n->op == op("QLinearConv");
      if (!conv && n->op != op("QLinearMatMul")) continue;
      if (n->inputs.size() < 8 || n->outputs.size() != 1 || !n->outputs[0]) continue;
      Value *x = n->inputs[0], *w = n->inputs[3], *y = n->outputs[0];
      auto params = [&](size_t si, size_t zi, const Value* data, int axis) -> std::optional<QuantParams> {
        const Value *sv = n->input(si), *zv = n->input(zi);
        if (!sv || !sv->constData() || (zv && !zv->constData())) return std::nullopt;
        QuantParams qp;
        const int64_t k = sv->constData()->numel();
        for (int64_t i = 0; i < k; ++i) {
          qp.scale.push_back(static_cast<float>(sv->constData()->getF(i)));
          qp.zeroPoint.push_back(zv ? zv->constData()->getI(zv->constData()->numel() == 1 ? 0 : i) : 0);
        }
        if (k > 1) {
          if (axis < 0 || data->shape.size() <= static_cast<size_t>(axis) || data->shape[static_cast<size_t>(axis)] != k)
            return std::nullopt;
          qp.axis = axis;
        }
        return qp;
      };
      const bool wu8 = w->dtype == DType::U8;  // uint8 weights with zero point 128: w - 128, zero point 0
      if (x->dtype != DType::I8 || (w->dtype != DType::I8 && !wu8) || y->dtype != DType::I8 || !w->constant) continue;
      if (!conv && (x->shape.size() != 2 || w->shape.size() != 2)) continue;
      auto xq = params(1, 2, x, -1), wq = params(4, 5, w, conv ? 0 : 1), yq = params(6, 7, y, -1);
      if (!xq || !wq || !yq || (x->quant && *x->quant != *xq) || (y->quant && *y->quant != *yq)) continue;
      if (std::any_of(wq->zeroPoint.begin(), wq->zeroPoint.end(), [&](int64_t z) { return z != (wu8 ? 128 : 0); }))
        continue;
      // The weights as their own quantized int8 constant (another reader may see other parameters).
      Tensor wt(DType::I8, w->shape);
      for (int64_t i = 0; i < wt.numel(); ++i) wt.setI(i, w->constant->getI(i) - (wu8 ? 128 : 0));
      for (int64_t& z : wq->zeroPoint) z = 0;
      Value* wv = rw::addConst(g, w->name + "_q", std::move(wt));
      wv->quant = wq;
      const int64_t channels = conv ? w->shape[0] : w->shape[1];
      Value* bv = nullptr;
      if (conv && n->input(8)) {
        const Value* b = n->input(8);
        if (!b->constant || b->dtype != DType::I32 || numElements(b->shape) != channels) continue;
        bv = rw::addConst(g, n->name + "_bias_i32", *b->constant);
      } else {
        bv = rw::addConst(g, n->name + "_bias_i32", Tensor(DType::I32, {channels}));
      }
      QuantParams bq;
      for (int64_t c = 0; c < channels; ++c) {
        bq.scale.push_back(static_cast<float>(q::scaleAt(*xq, 0) * q::scaleAt(*wq, c)));
        bq.zeroPoint.push_back(0);
      }
      if (channels > 1) bq.axis = 0;
      bv->quant = bq;
      if (!accumulatorFits(numElements(w->shape) / channels, *bv->constant)) continue;
      x->quant = xq;
      y->quant = yq;
      if (conv) {
        AttrMap attrs = n->attrs;
        rw::detach(n);
        rw::insertNodeBefore(g, n, "Conv", n->name, {x, wv, bv}, {y}, attrs);
      } else {
        const int64_t k = w->shape[0];
        Tensor t(DType::I8, {channels, k});
        for (int64_t i = 0; i < k; ++i)
          for (int64_t j = 0; j < channels; ++j) t.setI(j * k + i, wv->constant->getI(i * channels + j));
        wv = rw::addConst(g, w->name + "_nk", std::move(t));
        wv->quant = wq;
        if (!wv->quant->perTensor()) wv->quant->axis = 0;
        rw::detach(n);
        rw::insertNodeBefore(g, n, "Gemm", n->name, {x, wv, bv}, {y}, {{"transB", Attr::Int(1)}});
      }
      ctx.count("QLinear ops lowered to int8");
      changed = true;
    }
    return changed;
  }

  // DequantizeLinear(x) -> op that only moves elements  =>  op(x) -> DequantizeLinear.
  static bool sinkDequantize(Graph& g, PassContext& ctx) {
    bool changed = false;
    std::vector<Node*> order;
    for (auto& n : g.nodes) order.push_back(n.get());
    for (Node* t : order) {
      if (!carriesQuant(*t) || t->outputs.empty() || !t->input(0)) continue;
      if (!isFloat(t->inputs[0]->dtype) || rw::hasFusedActivation(*t)) continue;
      // Data inputs: all of Concat's, input 0 otherwise; all from DequantizeLinear with the
      // same parameters.
      const bool all = t->op->layoutAxisAttr != nullptr;  // Concat
      const size_t nData = all ? t->inputs.size() : 1;
      std::vector<Value*> xs;
      for (size_t i = 0; i < nData; ++i) xs.push_back(dequantizedActivation(t->inputs[i]));
      if (std::any_of(xs.begin(), xs.end(), [&](const Value* x) { return !x || *x->quant != *xs[0]->quant; })) continue;
      bool ok = true;
      for (size_t k = 0; k < t->outputs.size(); ++k)
        ok = ok && (t->outputs[k] && isFloat(t->outputs[k]->dtype) && (k == 0 || t->op == op("Split")));
      if (!ok) continue;
      const Node* dq = t->inputs[0]->producer;
      Value* fill = nullptr;  // Pad's value outside the input, quantized
      if (t->op->quantFillInput >= 0) {
        const size_t fi = static_cast<size_t>(t->op->quantFillInput);
        const Tensor* c = t->input(fi) ? t->inputs[fi]->constData() : nullptr;
        if (t->input(fi) && (!c || c->numel() > 1)) continue;
        const double real = c && c->numel() == 1 ? c->getF(0) : 0.0;
        const double qv = real / q::scaleAt(*xs[0]->quant, 0) + q::zeroAt(*xs[0]->quant, 0);
        const auto [tlo, thi] = q::typeRange(xs[0]->dtype);
        int64_t fq = static_cast<int64_t>(qv);
        if (qv != std::nearbyint(qv) || qv < tlo || qv > thi) {
          // Not an int8 value of x's parameters: still exact when the padded tensor is only
          // quantized again with those parameters (QuantizeLinear's rounding and saturation).
          const Node* qn = quantizingUser(g, t->outputs[0]);
          if (!qn || *qn->outputs[0]->quant != *xs[0]->quant || qn->input(1)->dtype != DType::F32) continue;
          const float qf = static_cast<float>(real) / static_cast<float>(q::scaleAt(*xs[0]->quant, 0));
          fq = std::clamp<int64_t>(static_cast<int64_t>(std::nearbyint(qf)) + q::zeroAt(*xs[0]->quant, 0), tlo, thi);
        }
        Tensor f(xs[0]->dtype, {});
        f.setI(0, fq);
        fill = rw::addConst(g, t->name + "_fill", std::move(f));
        if (t->inputs.size() <= fi) t->inputs.resize(fi + 1, nullptr);
        t->inputs[fi] = fill;
      }
      for (size_t i = 0; i < nData; ++i) t->inputs[i] = xs[i];
      for (Value*& y : t->outputs) {
        Value* yq = g.addValue(rw::uniqueValueName(g, y->name + "_q"), xs[0]->dtype, y->shape);
        yq->quant = xs[0]->quant;
        Value* yf = y;
        y = yq;
        yq->producer = t;
        yf->producer = nullptr;
        Node* after = g.addNode("DequantizeLinear", t->name + "_dq", {yq, dq->inputs[1], dq->input(2)}, {yf});
        after->attrs = dq->attrs;
        bindOp(*after);
      }
      ctx.count("ops run on int8 tensors");
      changed = true;
    }
    if (changed) g.topoSort();
    return changed;
  }

  // QuantizeLinear -> Clip with constant bounds on its integers (PyTorch's fake quantization with
  // a reduced range: 0..127 for x86's uint8 activations)  =>  Clip at the dequantized bounds, in
  // float, -> QuantizeLinear. The same integers: quantizing is monotonic (it commutes with min and
  // max) and maps the dequantized bounds back to themselves.
  static bool clipsBeforeQuantize(Graph& g, PassContext& ctx) {
    bool changed = false;
    std::vector<Node*> order;
    for (auto& n : g.nodes) order.push_back(n.get());
    for (Node* c : order) {
      if (c->op != op("Clip") || !c->input(0) || c->outputs.size() != 1 || !c->outputs[0]) continue;
      Node* qn = c->inputs[0]->producer;
      if (!isQuantize(qn) || !qn->outputs[0] || rw::soleUser(g, qn->outputs[0]) != c || !qn->input(1)) continue;
      const Tensor* s = qn->inputs[1]->constData();
      const Tensor* z = qn->input(2) ? qn->inputs[2]->constData() : nullptr;
      if (!s || s->numel() != 1 || (qn->input(2) && (!z || z->numel() != 1))) continue;
      bool constant = true;
      for (size_t i = 1; i < c->inputs.size(); ++i)
        constant = constant && (!c->inputs[i] || (c->inputs[i]->constData() && c->inputs[i]->constData()->numel() == 1));
      if (!constant || !rw::canBypass(g, c, qn->outputs[0])) continue;
      Value* x = qn->inputs[0];
      std::vector<Value*> ins{x};
      for (size_t i = 1; i < 3; ++i) {
        Value* b = c->input(i);
        if (b) {
          Tensor t(x->dtype, {});
          t.setF(0, static_cast<double>(b->constData()->getI(0) - (z ? z->getI(0) : 0)) * s->getF(0));
          b = rw::addConst(g, c->name + (i == 1 ? "_min" : "_max"), std::move(t));
        }
        ins.push_back(b);
      }
      Value* xc = g.addValue(rw::uniqueValueName(g, x->name + "_clipped"), x->dtype, x->shape);
      rw::insertNodeBefore(g, qn, "Clip", c->name, ins, {xc});
      qn->inputs[0] = xc;
      rw::bypass(g, c, qn->outputs[0]);
      ctx.count("integer Clips moved before their QuantizeLinear");
      changed = true;
    }
    return changed;
  }

  // QuantizeLinear(op(x)) with an op that only moves elements (and x computed in float, not
  // dequantized)  =>  op(QuantizeLinear(x)): quantizing commutes with moving elements (and with
  // MaxPool: it is monotonic). So DequantizeLinear -> AveragePool -> Reshape -> QuantizeLinear
  // (a dynamo export of a PT2E model, whose view after the pool carries the QuantizeLinear)
  // becomes an AveragePool unit followed by an int8 Reshape.
  static bool hoistQuantize(Graph& g, PassContext& ctx) {
    bool changed = false;
    std::vector<Node*> order;
    for (auto& n : g.nodes) order.push_back(n.get());
    for (Node* qn : order) {
      if (!isQuantize(qn) || !qn->input(0) || !qn->outputs[0] || !q::isQAct(qn->outputs[0])) continue;
      Value* v = qn->inputs[0];
      Node* t = v->producer;
      if (!t || !carriesQuant(*t) || t->op->quantFillInput >= 0 || t->op->layoutAxisAttr ||
          t->outputs.size() != 1 || !t->input(0) || rw::hasFusedActivation(*t) || rw::soleUser(g, v) != qn ||
          g.isGraphOutput(v))
        continue;
      Value* in = t->inputs[0];
      if (!isFloat(in->dtype) || !in->producer || isDequantize(in->producer) || in->constData()) continue;
      Value* y = qn->outputs[0];
      Value* u = g.addValue(rw::uniqueValueName(g, in->name + "_q"), y->dtype, in->shape);
      u->quant = y->quant;
      qn->inputs[0] = in;
      qn->outputs[0] = u;
      u->producer = qn;
      t->inputs[0] = u;
      t->outputs[0] = y;
      y->producer = t;
      v->producer = nullptr;
      ctx.count("QuantizeLinear moved before ops that only move elements");
      changed = true;
    }
    if (changed) g.topoSort();
    return changed;
  }

  // QuantizeLinear(DequantizeLinear(x)): x itself when the parameters agree, else a table.
  static bool cancelPairs(Graph& g, PassContext& ctx) {
    bool changed = false;
    std::vector<Node*> order;
    for (auto& n : g.nodes) order.push_back(n.get());
    for (Node* qn : order) {
      if (!isQuantize(qn) || !qn->outputs[0] || !q::isQAct(qn->outputs[0])) continue;
      Value* x = dequantizedActivation(qn->inputs[0]);
      if (!x) continue;
      if (x->dtype == qn->outputs[0]->dtype && *x->quant == *qn->outputs[0]->quant) {
        if (!rw::canBypass(g, qn, x)) continue;
        rw::bypass(g, qn, x);
        ctx.count("QuantizeLinear(DequantizeLinear) removed");
      } else if (x->dtype == DType::I8 && qn->outputs[0]->dtype == DType::I8) {
        replaceByTable(g, qn, x, {qn->inputs[0]->producer, qn});
        ctx.count("requantizations as tables");
      } else {  // between int8 and int16 (or two int16 parameters): tinyc.Requantize
        Value* y = qn->outputs[0];
        rw::detach(qn);
        rw::insertNodeBefore(g, qn, kRequantizeOp, qn->name, {x}, {y}, {{"to", Attr::Str(dtypeName(y->dtype))}});
        ctx.count("requantizations between int8 and int16");
      }
      changed = true;
    }
    return changed;
  }

  static void replaceByTable(Graph& g, Node* last, Value* x, const std::vector<const Node*>& chain) {
    Value* table = rw::addConst(g, last->name + "_table", tableOf(chain));
    Value* y = last->outputs[0];
    rw::detach(last);
    rw::insertNodeBefore(g, last, kLookupTableOp, last->name, {x, table}, {y});
  }

  // DequantizeLinear -> op -> QuantizeLinear node units.
  static bool lowerUnits(Graph& g, PassContext& ctx) {
    bool changed = false;
    std::vector<Node*> order;
    for (auto& n : g.nodes) order.push_back(n.get());
    for (Node* n : order) {
      if (!n->op || n->outputs.empty() || !n->outputs[0] || !isFloat(n->outputs[0]->dtype)) continue;
      Node* qn = quantizingUser(g, n->outputs[0]);
      Value* x = dequantizedActivation(n->input(0));
      const bool product = n->op == op("Conv") || n->op == op("Gemm") || n->op == op("MatMul");
      // A Relu/Clip between a product or an Add and its QuantizeLinear (not fused: MatMul; or after
      // a fused Relu: a reduced-range fake quantization, clipsBeforeQuantize): the int8 op clamps.
      Node* act = nullptr;
      if (!qn && x && (product || n->op == op("Add")) && q::activationHasIntegerForm(*n)) {
        act = rw::soleUser(g, n->outputs[0]);
        qn = act && clampActivation(*act) ? quantizingUser(g, act->outputs[0]) : nullptr;
        if (!qn) act = nullptr;
      }
      // int16 units (--quantize int16x8) keep their type: int16 in, int16 out, and no tables.
      const bool wide = (x && x->dtype == DType::I16) || (qn && qn->outputs[0]->dtype == DType::I16);
      if (wide && (!x || !qn || x->dtype != qn->outputs[0]->dtype)) continue;
      if (qn && clampActivation(*n) && !rw::hasFusedActivation(*n) && n->input(0) && !x &&
          !clampsItself(n->inputs[0]->producer)) {
        clampAfterQuantize(g, n, qn);
        ctx.count("clamps after ops without one made tables");
        changed = true;
        continue;
      }
      if (!qn) continue;
      bool done = false;
      if (!x) {  // only an elementwise function whose input 0 is not the dequantized tensor itself
        if (lowerRegion(g, n, qn)) ctx.count("ops lowered to int8"), changed = true;
        continue;
      }
      const AttrMap saved = n->attrs;
      if (act) fuseClamp(*n, *act);
      if (product) {
        done = lowerProduct(g, n, x, qn);
      } else if ((n->op == op("Add") || n->op == op("Mul")) && q::activationHasIntegerForm(*n)) {
        done = lowerBinary(g, n, qn);
      } else if (n->op == op("AveragePool") || n->op == op("GlobalAveragePool") || (n->op == op("Softmax") && !wide)) {
        done = lowerDataOp(g, n, x, qn);
      } else if (spatialMean(*n) &&
                 (!wide || q::scaleAt(*x->quant, 0) / q::scaleAt(*qn->outputs[0]->quant, 0) < 8192.0)) {
        Value* y = qn->outputs[0];
        rw::detach(qn);
        rw::insertNodeBefore(g, n, "GlobalAveragePool", n->name, {x}, {y});
        rw::detach(n);
        done = true;
      }
      else if (n->op == op("Concat"))
        done = lowerConcat(g, n, qn);
      else if (unaryElementwise(n) && !rw::hasFusedActivation(*n) && !wide)
        done = (replaceByTable(g, qn, x, {n->inputs[0]->producer, n, qn}), rw::detach(n), true);
      if (act && !done) n->attrs = saved;
      if (act && done) rw::detach(act);
      if (!done && !act && !wide) done = lowerRegion(g, n, qn);
      if (done) {
        ctx.count("ops lowered to int8");
        changed = true;
      }
    }
    return changed;
  }

  // Products and Add clamp their int8 output (a fused Relu/Clip).
  static bool clampsItself(const Node* p) {
    return p && (p->op == op("Conv") || p->op == op("Gemm") || p->op == op("MatMul") || p->op == op("Add"));
  }

  // n's fused activation (none, Relu or Clip) followed by the clamp act, as one fused clamp.
  static void fuseClamp(Node& n, const Node& act) {
    float lo = -INFINITY, hi = INFINITY;
    auto add = [&](const OpDef* kind, float a, float b) {
      if (kind == op("Relu")) a = 0, b = INFINITY;
      lo = std::max(lo, a);
      hi = std::min(hi, b);
    };
    if (rw::hasFusedActivation(n)) {
      auto p = n.attrs.find(kFusedActivationParamsAttr);
      const bool params = p != n.attrs.end() && p->second.floats.size() == 2;
      add(op(n.attr(kFusedActivationAttr).s.c_str()), params ? p->second.floats[0] : -INFINITY,
          params ? p->second.floats[1] : INFINITY);
    }
    add(act.op, clipBound(act, 1, -INFINITY), clipBound(act, 2, INFINITY));
    n.attrs.erase(kFusedActivationParamsAttr);
    if (lo == 0 && hi == INFINITY) {
      n.attrs[kFusedActivationAttr] = Attr::Str("Relu");
    } else {
      n.attrs[kFusedActivationAttr] = Attr::Str("Clip");
      n.attrs[kFusedActivationParamsAttr] = Attr::Floats({lo, hi});
    }
  }

  // v -> clamp (Relu/Clip) -> QuantizeLinear qn, where v's producer cannot clamp its own int8
  // output (a pool, a graph input):  v -> QuantizeLinear -> DequantizeLinear -> clamp -> qn, with
  // qn's parameters: the same integers (quantizing is monotonic), the producer a unit of its own
  // and the clamp a table.
  static void clampAfterQuantize(Graph& g, Node* act, Node* qn) {
    Value* v = act->inputs[0];
    Value* vq = g.addValue(rw::uniqueValueName(g, v->name + "_q"), qn->outputs[0]->dtype, v->shape);
    Value* vd = g.addValue(rw::uniqueValueName(g, v->name + "_dq"), v->dtype, v->shape);
    rw::insertNodeBefore(g, act, "QuantizeLinear", vq->name, {v, qn->inputs[1], qn->input(2)}, {vq}, qn->attrs);
    rw::insertNodeBefore(g, act, "DequantizeLinear", vd->name, {vq, qn->inputs[1], qn->input(2)}, {vd});
    act->inputs[0] = vd;
    vq->quant = qn->outputs[0]->quant;
  }

  // An elementwise function of one int8 tensor ending at n, read by qn: a table.
  static bool lowerRegion(Graph& g, Node* n, Node* qn) {
    auto region = elementwiseRegion(g, n);
    if (region.empty()) return false;
    region.push_back(qn);
    replaceByTable(g, qn, region.front()->inputs[0], region);
    for (size_t i = 1; i + 1 < region.size(); ++i) rw::detach(const_cast<Node*>(region[i]));
    return true;
  }

  // Add / Mul of two int8 tensors quantized per tensor (one may be a constant).
  static bool lowerBinary(Graph& g, Node* n, Node* qn) {
    if (n->inputs.size() != 2) return false;
    Value* xs[2];
    for (int i = 0; i < 2; ++i) {
      const Value* v = n->inputs[static_cast<size_t>(i)];
      xs[i] = v && isDequantize(v->producer) && q::isQAct(v->producer->inputs[0]) ? v->producer->inputs[0] : nullptr;
      if (!xs[i] || xs[i]->dtype != qn->outputs[0]->dtype) return false;
    }
    Value* y = qn->outputs[0];
    rw::detach(qn);
    rw::insertNodeBefore(g, n, n->opType, n->name, {xs[0], xs[1]}, {y}, n->attrs);
    rw::detach(n);
    return true;
  }

  // Concat of int8 tensors with different parameters: each input with other parameters than
  // the output's is first requantized to them by a table, then the int8 tensors are joined.
  static bool lowerConcat(Graph& g, Node* n, Node* qn) {
    std::vector<Value*> xs;
    for (Value* in : n->inputs) {
      Value* x = dequantizedActivation(in);
      if (!x) return false;
      xs.push_back(x);
    }
    Value* y = qn->outputs[0];
    for (size_t i = 0; i < xs.size(); ++i) {
      if (xs[i]->dtype == y->dtype && *xs[i]->quant == *y->quant) continue;
      Value* r = g.addValue(rw::uniqueValueName(g, xs[i]->name + "_rq"), y->dtype, xs[i]->shape);
      r->quant = y->quant;
      if (xs[i]->dtype == DType::I8 && y->dtype == DType::I8) {
        Value* table = rw::addConst(g, r->name + "_table", tableOf({n->inputs[i]->producer, qn}));
        rw::insertNodeBefore(g, n, kLookupTableOp, r->name, {xs[i], table}, {r});
      } else {  // int16 on either side: tinyc.Requantize
        rw::insertNodeBefore(g, n, kRequantizeOp, r->name, {xs[i]}, {r}, {{"to", Attr::Str(dtypeName(y->dtype))}});
      }
      xs[i] = r;
    }
    rw::detach(qn);
    rw::insertNodeBefore(g, n, n->opType, n->name, xs, {y}, n->attrs);
    rw::detach(n);
    return true;
  }

  static bool lowerDataOp(Graph& g, Node* n, Value* x, Node* qn) {
    if (n->inputs.size() != 1 || n->outputs.size() != 1) return false;
    if (x->dtype == DType::I16 && !(q::scaleAt(*x->quant, 0) / q::scaleAt(*qn->outputs[0]->quant, 0) < 8192.0))
      return false;  // (an average's multiplier s_x / (s_y * count): tinyc_requant64 takes it below 2^14)
    Value* y = qn->outputs[0];
    rw::detach(qn);
    rw::insertNodeBefore(g, n, n->opType, n->name, {x}, {y}, n->attrs);
    rw::detach(n);
    return true;
  }

  static bool lowerProduct(Graph& g, Node* n, Value* x, Node* qn) {
    if (!q::activationHasIntegerForm(*n)) return false;
    Value* w = dequantizedWeights(n->input(1));
    if (!w) return false;
    for (int64_t z : w->quant->zeroPoint)
      if (z != 0) return false;
    const bool conv = n->op == op("Conv"), matmul = n->op == op("MatMul");
    int64_t channels = 0, k = 0;
    Value* wq = w;
    AttrMap attrs = n->attrs;
    if (conv) {
      if (w->shape.size() < 3 || (!w->quant->perTensor() && w->quant->axis != 0)) return false;
      channels = w->shape[0];
      k = numElements(w->shape) / channels;
    } else {
      // Gemm / MatMul: A [M, K] (not transposed, alpha = beta = 1); weights stored [N, K].
      if (x->shape.size() != 2 || w->shape.size() != 2) return false;
      const bool tb = !matmul && rw::intAttrOr(*n, "transB", 0) != 0;
      if (!matmul && (rw::intAttrOr(*n, "transA", 0) != 0 || n->attrFloat("alpha") != 1.0f || n->attrFloat("beta") != 1.0f))
        return false;
      const int nAxis = tb ? 0 : 1;
      if (!w->quant->perTensor() && w->quant->axis != nAxis) return false;
      channels = w->shape[static_cast<size_t>(nAxis)];
      k = w->shape[static_cast<size_t>(1 - nAxis)];
      if (!tb) {
        Tensor t(DType::I8, {channels, k});
        for (int64_t i = 0; i < k; ++i)
          for (int64_t j = 0; j < channels; ++j) t.setI(j * k + i, w->constant->getI(i * channels + j));
        wq = rw::addConst(g, w->name + "_nk", std::move(t));
        wq->quant = w->quant;
        if (!wq->quant->perTensor()) wq->quant->axis = 0;
      }
      attrs = {{"transB", Attr::Int(1)}};
      for (const char* a : {kFusedActivationAttr, kFusedActivationParamsAttr})
        if (n->hasAttr(a)) attrs[a] = n->attr(a);
    }
    const Value* b = matmul ? nullptr : n->input(2);
    if (b && numElements(b->shape) != channels && numElements(b->shape) != 1) return false;
    auto real = biasValues(b);
    if (!real) return false;
    const bool wide = x->dtype == DType::I16;  // int16 activations: an int64 bias (int64 sums)
    auto bias = integerBias(*real, q::scaleAt(*x->quant, 0), *w->quant, channels, wide ? DType::I64 : DType::I32);
    if (!bias || !(wide ? accumulatorFits16(k, *bias) : accumulatorFits(k, *bias))) return false;
    if (x->dtype == DType::I16)  // tinyc_requant64 takes multipliers below 2^14
      for (int64_t c = 0; c < channels; ++c)
        if (!(q::scaleAt(*x->quant, 0) * q::scaleAt(*w->quant, c) / q::scaleAt(*qn->outputs[0]->quant, 0) < 8192.0))
          return false;
    Value* bv = rw::addConst(g, n->name + (wide ? "_bias_i64" : "_bias_i32"), std::move(*bias));
    QuantParams bq;
    for (int64_t c = 0; c < channels; ++c) {
      bq.scale.push_back(static_cast<float>(q::scaleAt(*x->quant, 0) * q::scaleAt(*w->quant, c)));
      bq.zeroPoint.push_back(0);
    }
    if (bq.scale.size() > 1) bq.axis = 0;
    bv->quant = bq;
    Value* y = qn->outputs[0];
    rw::detach(qn);
    rw::insertNodeBefore(g, n, conv ? "Conv" : "Gemm", n->name, {x, wq, bv}, {y}, attrs);
    rw::detach(n);
    return true;
  }
};

}  // namespace

std::vector<const Node*> floatIslands(const Graph& g) {
  // A quantized model quantizes activations: an integer activation with parameters, or (where
  // nothing could be lowered) a QuantizeLinear of a computed tensor.
  bool quantized = false;
  for (const auto& v : g.values) quantized = quantized || (v->quant && !v->constant);
  for (const auto& n : g.nodes) quantized = quantized || (isQuantize(n.get()) && n->input(0) && !n->inputs[0]->constData());
  std::vector<const Node*> out;
  if (!quantized) return out;
  for (const auto& n : g.nodes) {
    if (!n->op || isDequantize(n.get()) || isQuantize(n.get()) || n->outputs.empty() || !n->outputs[0]) continue;
    // A strip of a float graph input that is quantized next (the patch pass) is the input's copy.
    if (n->op == op("Slice") && n->input(0) && !n->inputs[0]->producer && !n->inputs[0]->constData()) {
      const auto users = g.users(n->outputs[0]);
      if (!users.empty() && std::all_of(users.begin(), users.end(), [](const Node* u) { return isQuantize(u); }))
        continue;
    }
    // (QLinear ops left as they are requantize in float: the op's own kernel)
    if (isFloat(n->outputs[0]->dtype) || n->op == op("QLinearConv") || n->op == op("QLinearMatMul"))
      out.push_back(n.get());
  }
  return out;
}

bool quantizedWeightsOfUnit(const Graph& g, const Node& n) {
  if (!isDequantize(&n) || !n.input(0) || !n.inputs[0]->constant || isFloat(n.inputs[0]->dtype) || n.outputs.empty() ||
      !n.outputs[0])
    return false;
  for (const Node* u : g.users(n.outputs[0]))
    for (const Value* in : u->inputs)
      if (in && isDequantize(in->producer) && in->producer->input(0) && !in->producer->inputs[0]->constant &&
          (in->producer->inputs[0]->dtype == DType::I8 || in->producer->inputs[0]->dtype == DType::I16))
        return true;
  return false;
}

std::unique_ptr<Pass> createLowerQuant() { return std::make_unique<LowerQuant>(); }

}  // namespace tinyc
