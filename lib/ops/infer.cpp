#include <algorithm>
#include <set>

#include "ops/layout.h"
#include "ops/op.h"

namespace tinyc {

Value* InferCtx::in(int i) const {
  Value* v = node.input(static_cast<size_t>(i));
  if (!v) fail("input {} is missing", i);
  return v;
}

const Tensor& InferCtx::requireConst(int i, const char* what) const {
  const Tensor* t = constInput(i);
  if (!t) fail("{} (input {}) must be known at compile time", what, i);
  return *t;
}

void InferCtx::setOutput(int i, DType t, Shape s) {
  if (i >= numOutputs() || !node.outputs[static_cast<size_t>(i)]) return;  // omitted optional output
  for (int64_t d : s)
    if (d < 0) fail("inferred a negative dimension for output {}: {}", i, shapeStr(s));
  numElements(s);  // overflow check
  Value* v = node.outputs[static_cast<size_t>(i)];
  v->dtype = t;
  v->shape = std::move(s);
}

namespace {

constexpr int64_t kMaxKnownElements = 4096;  // shape arithmetic is tiny; never fold weights here

void checkArity(const Node& n) {
  const OpDef& op = *n.op;
  int ni = static_cast<int>(n.inputs.size());
  int no = static_cast<int>(n.outputs.size());
  if (ni < op.minInputs || ni > op.maxInputs)
    modelError("{}: has {} inputs, expected {}..{}", n.where(), ni, op.minInputs, op.maxInputs);
  if (no < op.minOutputs || no > op.maxOutputs)
    modelError("{}: has {} outputs, expected {}..{}", n.where(), no, op.minOutputs, op.maxOutputs);
  for (int i = 0; i < op.minInputs; ++i)
    if (!n.inputs[static_cast<size_t>(i)]) modelError("{}: required input {} is missing", n.where(), i);
  for (size_t i = 0; i < n.inputs.size(); ++i)
    if (n.inputs[i] && n.inputs[i]->dtype == DType::Undefined)
      modelError("{}: input {} ('{}') has no known type", n.where(), i, printable(n.inputs[i]->name));
}

void computeKnown(Node& n) {
  for (Value* in : n.inputs)
    if (in && !in->constData()) return;
  for (Value* o : n.outputs)
    if (o && numElements(o->shape) > kMaxKnownElements) return;
  for (Value* in : n.inputs)
    if (in && in->constData()->numel() > kMaxKnownElements) return;
  EvalCtx ctx{n, {}, {}};
  std::vector<std::shared_ptr<Tensor>> outs;
  for (Value* in : n.inputs) ctx.in.push_back(in ? in->constData() : nullptr);
  for (Value* o : n.outputs) {
    if (!o) {
      ctx.out.push_back(nullptr);
      outs.push_back(nullptr);
      continue;
    }
    outs.push_back(std::make_shared<Tensor>(o->dtype, o->shape));
    ctx.out.push_back(outs.back().get());
  }
  evalNode(n, ctx);
  for (size_t i = 0; i < n.outputs.size(); ++i)
    if (n.outputs[i]) n.outputs[i]->known = outs[i];
}

}  // namespace

void inferShapes(Graph& g) {
  for (auto& n : g.nodes) {
    if (!n->op) modelError("{}: op is not supported", n->where());
    checkArity(*n);
    InferCtx ctx(*n);
    inferNode(ctx);
    for (size_t i = 0; i < n->outputs.size(); ++i)
      if (n->outputs[i] && n->outputs[i]->dtype == DType::Undefined)
        modelError("{}: output {} got no type from shape inference", n->where(), i);
    computeKnown(*n);
  }
}

void inferShapesPartial(Graph& g) {
  std::set<const Value*> unknown;
  for (auto& n : g.nodes) {
    bool ok = n->op != nullptr;
    for (const Value* in : n->inputs)
      if (in && (unknown.count(in) || in->dtype == DType::Undefined)) ok = false;
    if (ok) {
      try {
        checkArity(*n);
        InferCtx ctx(*n);
        inferNode(ctx);
        for (const Value* o : n->outputs)
          if (o && o->dtype == DType::Undefined) ok = false;
        if (ok) computeKnown(*n);
      } catch (const Error&) {
        ok = false;
      }
    }
    if (!ok)
      for (Value* o : n->outputs)
        if (o) {
          unknown.insert(o);
          o->dtype = DType::Undefined;
          o->shape.clear();
        }
  }
}

void verifyOps(const Graph& g) {
  for (const auto& n : g.nodes) {
    if (!n->op) modelError("{}: op is not supported", n->where());
    checkArity(*n);
    // Infer into scratch values so the graph is not changed.
    Node copy = *n;
    std::vector<Value> scratch(n->outputs.size());
    for (size_t i = 0; i < n->outputs.size(); ++i) {
      if (!n->outputs[i]) continue;
      scratch[i] = *n->outputs[i];
      copy.outputs[i] = &scratch[i];
    }
    InferCtx ctx(copy);
    inferNode(ctx);
    for (size_t i = 0; i < n->outputs.size(); ++i) {
      if (!n->outputs[i]) continue;
      if (scratch[i].dtype != n->outputs[i]->dtype || scratch[i].shape != n->outputs[i]->shape)
        modelError("{}: output {} is {}{} but the op infers {}{}", n->where(), i, dtypeName(n->outputs[i]->dtype),
                   shapeStr(n->outputs[i]->shape), dtypeName(scratch[i].dtype), shapeStr(scratch[i].shape));
    }
  }
}

bool worthFolding(const Node& n) {
  if (n.op && n.op->foldAlways) return true;
  int64_t in = 0, out = 0;
  for (const Value* v : n.inputs)
    if (v && v->constData()) in += static_cast<int64_t>(v->constData()->byteSize());
  for (const Value* v : n.outputs)
    if (v) out += numElements(v->shape) * static_cast<int64_t>(dtypeSize(v->dtype));
  return out <= std::max<int64_t>(in, 256);
}

int64_t nodeMacs(const Node& n) { return macsLayoutAware(n); }

}  // namespace tinyc
