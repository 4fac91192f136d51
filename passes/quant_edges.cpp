// The edges of the integer path (declared in quant_match.h): uint8 QDQ made int8, and the type
// of quantized graph inputs and outputs (--io-dtype). Part of the lower-quant pass.
#include <algorithm>

#include "passes/quant_match.h"

namespace tinyc::qedge {

using namespace qmatch;

// Where a quantized tensor meets its zero point: the zero-point input of node n for its input i
// (DequantizeLinear's x, QLinearConv's x, QLinearMatMul's a and b) or for its output
// (QuantizeLinear's y, the QLinear ops' y); -1 where n takes no zero point for it.
int zeroPointOfInput(const Node& n, size_t i) {
  if (isDequantize(&n) || n.op == op("QLinearConv")) return i == 0 ? 2 : -1;
  if (n.op == op("QLinearMatMul")) return i == 0 ? 2 : i == 3 ? 5 : -1;
  return -1;
}
int zeroPointOfOutput(const Node& n) {
  if (isQuantize(&n)) return 2;
  if (n.op == op("QLinearConv") || n.op == op("QLinearMatMul")) return 7;
  return -1;
}

// uint8 quantized tensors (PyTorch's usual activations, older ONNX Runtime defaults, the QLinear
// ops of ONNX Runtime's QOperator format, uint8 weights with zero point 128) become the int8
// form: the same real values as q - 128 with zero point - 128. A uint8 tensor is converted when
// every node that writes or reads it does so with a constant zero point of its own (each is
// shifted); uint8 constant weights are shifted; uint8 graph inputs and outputs keep their type
// through a table at the edge.
bool uint8ToInt8(Graph& g, PassContext& ctx) {
  bool changed = false;
  auto shiftedZero = [&](const Value* zp, const std::string& base) -> Value* {
    Tensor t(DType::I8, zp ? zp->shape : Shape{});
    for (int64_t i = 0; i < t.numel(); ++i) t.setI(i, (zp ? zp->constData()->getI(i) : 0) - 128);
    return rw::addConst(g, base + "_zero_point_s8", std::move(t));
  };
  auto shiftQuant = [](Value* v) {
    if (!v->quant) return;
    for (int64_t& z : v->quant->zeroPoint) z -= 128;
  };
  auto edgeTable = [&](bool toSigned) {  // u8 -> i8 (x - 128) or i8 -> u8 (x + 128): the same bytes xor 0x80
    Tensor t(toSigned ? DType::I8 : DType::U8, {256});
    for (int k = 0; k < 256; ++k) t.setI(k, toSigned ? k - 128 : k);
    return rw::addConst(g, toSigned ? "u8_to_s8" : "s8_to_u8", std::move(t));
  };
  // A zero-point input that can be shifted: present (or optional and absent: 0) and constant.
  auto shiftable = [](const Node* n, int zi, bool optional) {
    const Value* z = n->input(static_cast<size_t>(zi));
    return z ? z->constData() != nullptr && z->dtype == DType::U8 : optional;
  };
  auto shiftZeroInput = [&](Node* n, int zi, const std::string& base) {
    const size_t i = static_cast<size_t>(zi);
    n->inputs.resize(std::max(n->inputs.size(), i + 1));
    n->inputs[i] = shiftedZero(n->inputs[i], base);
  };
  // Every reader of v takes it with a zero point of its own.
  auto readersShiftable = [&](const Value* v) {
    for (const Node* u : g.users(v))
      for (size_t i = 0; i < u->inputs.size(); ++i)
        if (u->inputs[i] == v) {
          const int zi = zeroPointOfInput(*u, i);
          if (zi < 0 || !shiftable(u, zi, isDequantize(u))) return false;
        }
    return !g.users(v).empty() || g.isGraphOutput(v);
  };
  auto shiftReaders = [&](const Value* v) {
    for (Node* u : g.users(v))
      for (size_t i = 0; i < u->inputs.size(); ++i)
        if (u->inputs[i] == v) shiftZeroInput(u, zeroPointOfInput(*u, i), v->name + "_" + std::to_string(i));
  };
  auto constZero = [](const Node* n, size_t i) { return !n->input(i) || n->inputs[i]->constData(); };
  std::vector<Node*> order;
  for (auto& n : g.nodes) order.push_back(n.get());
  for (Node* n : order) {
    const int zo = zeroPointOfOutput(*n);
    Value* y = n->outputs.empty() ? nullptr : n->outputs[0];
    if (zo >= 0 && y && y->dtype == DType::U8 && shiftable(n, zo, false) && readersShiftable(y)) {
      shiftZeroInput(n, zo, y->name);
      shiftReaders(y);
      y->dtype = DType::I8;
      shiftQuant(y);
      if (g.isGraphOutput(y)) {  // the API keeps uint8
        Value* yu = g.addValue(rw::uniqueValueName(g, y->name + "_u8"), DType::U8, y->shape);
        std::swap(yu->name, y->name);
        yu->quant = y->quant;
        if (yu->quant)
          for (int64_t& zz : yu->quant->zeroPoint) zz += 128;
        Node* lut = g.addNode(kLookupTableOp, yu->name, {y, edgeTable(false)}, {yu});
        bindOp(*lut);
        std::replace(g.outputs.begin(), g.outputs.end(), y, yu);
      }
      ctx.count("uint8 tensors made int8");
      changed = true;
    } else if (isDequantize(n) && n->input(0) && n->inputs[0]->dtype == DType::U8 && n->inputs[0]->constant &&
               constZero(n, 2)) {
      const Value* w = n->inputs[0];
      Tensor t(DType::I8, w->shape);
      for (int64_t i = 0; i < t.numel(); ++i) t.setI(i, w->constant->getI(i) - 128);
      Value* ws = rw::addConst(g, w->name + "_s8", std::move(t));
      ws->quant = w->quant;
      shiftQuant(ws);
      n->inputs[0] = ws;
      n->inputs.resize(std::max<size_t>(n->inputs.size(), 3));
      n->inputs[2] = shiftedZero(n->input(2), w->name);
      ctx.count("uint8 weights made int8");
      changed = true;
    }
  }
  for (Value*& x : g.inputs) {
    if (x->dtype != DType::U8 || !x->quant || g.users(x).empty() || !readersShiftable(x)) continue;
    Value* xs = g.addValue(rw::uniqueValueName(g, x->name + "_s8"), DType::I8, x->shape);
    xs->quant = x->quant;
    shiftQuant(xs);
    shiftReaders(x);
    for (Node* u : g.users(x))
      for (Value*& in : u->inputs)
        if (in == x) in = xs;
    Node* lut = g.addNode(kLookupTableOp, xs->name, {x, edgeTable(true)}, {xs});
    bindOp(*lut);
    ctx.count("uint8 inputs converted at the edge");
    changed = true;
  }
  if (changed) g.topoSort();
  return changed;
}

// --io-dtype float: int8 graph inputs and outputs (quantized per tensor) become float ones,
// quantized and dequantized inside the graph. The API keeps the names.
bool floatEdges(Graph& g, PassContext& ctx) {
  bool changed = false;
  auto params = [&](const Value* v) {
    Tensor s(DType::F32, {}), z(DType::I8, {});
    s.setF(0, v->quant->scale[0]);
    z.setI(0, v->quant->zeroPoint[0]);
    return std::pair{rw::addConst(g, v->name + "_scale", std::move(s)), rw::addConst(g, v->name + "_zero_point", std::move(z))};
  };
  for (Value*& x : g.inputs) {
    if (!q::isQInt8PerTensor(x)) continue;
    Value* xf = g.addValue(rw::uniqueValueName(g, x->name + "_float"), DType::F32, x->shape);
    std::swap(xf->name, x->name);
    auto [s, z] = params(x);
    Node* qn = g.addNode("QuantizeLinear", x->name, {xf, s, z}, {x});
    bindOp(*qn);
    x = xf;
    ctx.count("inputs made float");
    changed = true;
  }
  for (Value*& y : g.outputs) {
    if (!q::isQInt8PerTensor(y) || std::count(g.inputs.begin(), g.inputs.end(), y)) continue;
    Value* yf = g.addValue(rw::uniqueValueName(g, y->name + "_float"), DType::F32, y->shape);
    std::swap(yf->name, y->name);
    auto [s, z] = params(y);
    Node* dq = g.addNode("DequantizeLinear", yf->name, {y, s, z}, {yf});
    bindOp(*dq);
    y = yf;
    ctx.count("outputs made float");
    changed = true;
  }
  if (changed) g.topoSort();
  return changed;
}

// --io-dtype int8: a float graph input read only by a QuantizeLinear to int8 (per tensor) is
// replaced by that int8 tensor; a float graph output made by DequantizeLinear of one, by it.
bool int8Edges(Graph& g, PassContext& ctx) {
  bool changed = false;
  for (Value*& x : g.inputs) {
    Node* qn = isFloat(x->dtype) ? quantizingUser(g, x) : nullptr;
    if (!qn || g.isGraphOutput(qn->outputs[0])) continue;
    Value* xq = qn->outputs[0];
    rw::detach(qn);
    std::swap(xq->name, x->name);
    x = xq;
    ctx.count("inputs made int8");
    changed = true;
  }
  for (Value*& y : g.outputs) {
    const Node* dq = y->producer;
    if (!isFloat(y->dtype) || !isDequantize(dq) || !q::isQInt8PerTensor(dq->inputs[0]) ||
        std::count(g.outputs.begin(), g.outputs.end(), y) > 1 || g.isGraphOutput(dq->inputs[0]) ||
        std::count(g.inputs.begin(), g.inputs.end(), dq->inputs[0]))
      continue;
    Value* yq = dq->inputs[0];
    std::swap(yq->name, y->name);
    y = yq;
    ctx.count("outputs made int8");
    changed = true;
  }
  return changed;
}

}  // namespace tinyc::qedge
