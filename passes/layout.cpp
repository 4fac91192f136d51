// layout: gives the backend the data layout its kernels want, with transposes only where the
// layout really changes.
//
// 1. When the target wants channels-last (PassOptions::layout == "NHWC"), every 2-D spatial node
//    that has a channels-last form (OpDef::layoutInputs: Conv, pools) is marked tinyc.layout =
//    NHWC: constant weights are permuted at compile time (OIHW -> OHWI), data inputs get a
//    Transpose to NHWC and the output a Transpose back to NCHW.
// 2. With --io-layout nhwc (PassOptions::ioLayout), 4-D graph inputs and outputs are channels-
//    last for the caller: the graph reads/writes NHWC and converts at the boundary.
// 3. Transposes to NCHW are pushed down through layout-free ops (OpDef::elementwise: constant
//    operands are permuted; OpDef::layoutAxisAttr: the axis is remapped, e.g. Concat;
//    OpDef::layoutPerAxisInputs: ops separable per axis, e.g. Resize, get their per-axis
//    constants reordered, so a decoder's upsampling stays channels-last), and a
//    Transpose that undoes another is cancelled. What remains sits where a layout-sensitive op
//    without a channels-last form reads its input, or at the graph boundary.
// 4. Transpose to NCHW -> Flatten/Reshape to [N, C*H*W] -> Gemm/MatMul by constant weights (the
//    classifier head of a CNN): the permutation is folded into the weights' rows instead.
// 5. A Transpose that moves only unit dims is a Reshape (a zero-copy view in the C backend).
// 6. A Transpose to NHWC of a float graph input that only ungrouped channels-last Convs read is
//    dropped: they read the input channels-first (tinyc.nchw_input), so no channels-last copy of
//    the input takes arena memory next to the first layer's output (issue 13).
//
// Nothing happens for channels-first targets with the default I/O layout.
#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <set>

#include "ops/layout.h"
#include "ops/op.h"
#include "ops/qparams.h"
#include "passes/pass.h"
#include "passes/rewrite.h"

namespace tinyc {

namespace {

constexpr size_t kRank = 4;  // 2-D spatial ops (N, C, H, W) are the ones with channels-last kernels

bool isTransposeBy(const Node* n, const std::vector<int64_t>& perm) {
  return rw::isTranspose(n) && rw::permOf(*n) == perm;
}

bool allUnit(const Shape& s) {
  return std::all_of(s.begin(), s.end(), [](int64_t d) { return d == 1; });
}

// Makes n write a new value in the permuted layout and adds a Transpose by `back` that writes
// n's old output (so readers of the old output are unchanged). Returns the new output.
Value* retargetOutput(Graph& g, Node* n, const std::vector<int64_t>& back, const std::vector<int64_t>& fwd,
                      const std::string& tag) {
  Value* y = n->outputs[0];
  Value* y2 = g.addValue(rw::uniqueValueName(g, y->name + tag), y->dtype, permuteShape(y->shape, fwd));
  y2->quant = y->quant;
  n->outputs[0] = y2;
  y2->producer = n;
  Node* t = g.addNode("Transpose", n->name + tag + "_back", {y2}, {y}, {{"perm", Attr::Ints(back)}});
  bindOp(*t);
  return y2;
}

// A constant operand of a layout-free op, broadcast to rank 4 (leading unit dims) and permuted.
Value* permutedOperand(Graph& g, Value* c, const std::vector<int64_t>& perm) {
  Tensor t = *c->constant;
  Shape s = t.shape();
  while (s.size() < kRank) s.insert(s.begin(), 1);
  t.reshape(s);
  return rw::addConst(g, c->name + "_nhwc", permuteTensor(t, perm));
}

bool isPerAxisInput(const Node& m, size_t i) {
  const auto& l = m.op->layoutPerAxisInputs;
  return std::find(l.begin(), l.end(), static_cast<int>(i)) != l.end();
}

// A per-axis input (OpDef::layoutPerAxisInputs) permuted: blocks of kRank values, each reordered.
Value* permutedPerAxis(Graph& g, Value* c, const std::vector<int64_t>& perm) {
  const Tensor& t = *c->constant;
  Tensor out(t.dtype(), t.shape());
  const size_t es = dtypeSize(t.dtype());
  for (int64_t b = 0; b < t.numel() / static_cast<int64_t>(kRank); ++b)
    for (size_t a = 0; a < kRank; ++a)
      std::memcpy(static_cast<uint8_t*>(out.raw()) + (static_cast<size_t>(b) * kRank + a) * es,
                  static_cast<const uint8_t*>(t.raw()) + (static_cast<size_t>(b) * kRank + static_cast<size_t>(perm[a])) * es,
                  es);
  return rw::addConst(g, c->name + "_nhwc", std::move(out));
}

// Channels-last operands for layout-free node m whose data inputs were made channels-last:
// constant operands permuted (elementwise: broadcast to rank 4 first, scalars kept; axis ops:
// those of the data's rank, lower-rank parameters follow the axis; per-axis inputs reordered)
// and the axis remapped.
void channelsLastOperands(Graph& g, Node& m, const std::vector<int64_t>& toLast) {
  for (size_t i = 0; i < m.inputs.size(); ++i) {
    Value*& in = m.inputs[i];
    if (!in || !in->constant || m.op->pointwise) continue;
    if (isPerAxisInput(m, i)) {
      if (numElements(in->shape) > 0) in = permutedPerAxis(g, in, toLast);
      continue;
    }
    if (m.op->elementwise ? !allUnit(in->shape) : in->shape.size() == kRank) in = permutedOperand(g, in, toLast);
  }
  if (m.op->layoutAxisAttr) {
    int64_t a = m.attrInt(m.op->layoutAxisAttr);
    if (a < 0) a += static_cast<int64_t>(kRank);
    const auto pos = std::find(toLast.begin(), toLast.end(), a) - toLast.begin();
    m.attrs[m.op->layoutAxisAttr] = Attr::Int(static_cast<int64_t>(pos));
  }
}

// A computed operand broadcast along everything but the channels ([C,1,1], [1,C,1,1], ...): its
// channels-last form holds the same bytes, so a Reshape (a zero-copy view) makes it. Typical of
// squeeze-and-excitation scales.
bool channelOnly(const Shape& s) {
  if (s.size() > kRank) return false;
  for (size_t i = 0; i < s.size(); ++i)
    if (s[i] != 1 && i + kRank - s.size() != 1) return false;
  return true;
}

Value* channelsLastView(Graph& g, Value* v, const Node* anchor, const std::vector<int64_t>& toLast) {
  Shape s = v->shape;
  while (s.size() < kRank) s.insert(s.begin(), 1);
  s = permuteShape(s, toLast);
  Tensor shape(DType::I64, {static_cast<int64_t>(kRank)});
  for (size_t i = 0; i < kRank; ++i) shape.setI(static_cast<int64_t>(i), s[i]);
  Value* out = g.addValue(rw::uniqueValueName(g, v->name + "_nhwc"), v->dtype, s);
  out->quant = v->quant;
  rw::insertNodeBefore(g, anchor, "Reshape", v->name + "_nhwc", {v, rw::addConst(g, v->name + "_nhwc_shape", shape)},
                       {out});
  return out;
}

// Separable per axis with every per-axis input a constant of whole blocks (Resize without axes).
bool perAxisOp(const Node& m) {
  if (m.op->layoutPerAxisInputs.empty() || m.attrs.count("axes")) return false;
  for (int i : m.op->layoutPerAxisInputs) {
    const Value* v = m.input(static_cast<size_t>(i));
    if (!v || numElements(v->shape) == 0) continue;
    if (!v->constant || v->shape.size() != 1 || v->shape[0] % static_cast<int64_t>(kRank) != 0) return false;
  }
  return true;
}

bool layoutFree(const Node* m) {
  return m && m->op && (m->op->elementwise || m->op->pointwise || m->op->layoutAxisAttr || perAxisOp(*m));
}

// A layout-free node computing v from constants only (DequantizeLinear of int8 weights).
bool computedFromConstants(const Value* v) {
  const Node* p = v->producer;
  if (!layoutFree(p) || p->outputs.size() != 1 || p->outputs[0] != v || v->shape.size() != kRank) return false;
  return std::all_of(p->inputs.begin(), p->inputs.end(),
                     [](const Value* in) { return !in || (in->constant && in->shape.size() <= kRank); });
}

// A new value holding `v` transposed by `perm`: a permuted constant; for a uniform value
// (OpDef::layoutShapeInput: ConstantOfShape) the same op over the permuted shape; for a value
// computed from constants by a layout-free node, a copy of that node over permuted constants (so
// int8 weights behind DequantizeLinear stay int8 and are permuted at compile time); otherwise a
// Transpose node placed before `anchor`.
Value* transposed(Graph& g, Value* v, const std::vector<int64_t>& perm, const Node* anchor, const std::string& tag) {
  if (v->constant) {
    Value* c = rw::addConst(g, v->name + tag, permuteTensor(*v->constant, perm));
    c->quant = v->quant;  // a per-axis axis moves with its dim
    if (c->quant && !c->quant->perTensor())
      c->quant->axis = static_cast<int>(std::find(perm.begin(), perm.end(), c->quant->axis) - perm.begin());
    return c;
  }
  Value* out = g.addValue(rw::uniqueValueName(g, v->name + tag), v->dtype, permuteShape(v->shape, perm));
  out->quant = v->quant;
  if (const Node* p = v->producer; p && p->op && p->op->layoutShapeInput >= 0 && p->outputs.size() == 1) {
    const Value* shape = p->input(static_cast<size_t>(p->op->layoutShapeInput));
    if (shape && shape->constant && shape->constant->numel() == static_cast<int64_t>(perm.size())) {
      std::vector<Value*> ins = p->inputs;
      Tensor permuted(shape->dtype, shape->shape);
      for (size_t k = 0; k < perm.size(); ++k)
        permuted.setI(static_cast<int64_t>(k), shape->constant->getI(perm[k]));
      ins[static_cast<size_t>(p->op->layoutShapeInput)] = rw::addConst(g, shape->name + tag, std::move(permuted));
      rw::insertNodeBefore(g, anchor, p->opType, p->name + tag, ins, {out}, p->attrs);
      return out;
    }
  }
  if (computedFromConstants(v)) {
    const Node* p = v->producer;
    Node* copy = rw::insertNodeBefore(g, anchor, p->opType, p->name + tag, p->inputs, {out}, p->attrs);
    channelsLastOperands(g, *copy, perm);
    return out;
  }
  rw::insertNodeBefore(g, anchor, "Transpose", v->name + tag, {v}, {out}, {{"perm", Attr::Ints(perm)}});
  return out;
}

class Layout : public Pass {
 public:
  bool run(Graph& g, PassContext& ctx) override {
    const auto toLast = channelsLastPerm(kRank), toFirst = channelsFirstPerm(kRank);
    bool changed = false;
    if (ctx.options().layout == kLayoutNhwc) changed |= markSpatialNodes(g, ctx, toLast, toFirst);
    if (ctx.options().ioLayout == kLayoutNhwc) changed |= channelsLastIo(g, ctx, toLast, toFirst);
    if (changed) g.topoSort();
    for (bool more = changed; more;) {
      const bool pushed = pushThroughLayoutFree(g, ctx, toLast, toFirst);
      const bool cancelled = cancelPairs(g, ctx);  // always runs, even when nothing was pushed
      more = pushed || cancelled;
      if (more) g.topoSort();
    }
    if (changed) changed |= foldIntoDenseHeads(g, ctx, toFirst);
    changed |= unitTransposesToReshape(g, ctx);
    if (ctx.options().layout == kLayoutNhwc) changed |= readInputsChannelsFirst(g, ctx, toLast);
    if (changed) refreshGraph(g);
    return changed;
  }

 private:
  static bool markSpatialNodes(Graph& g, PassContext& ctx, const std::vector<int64_t>& toLast,
                               const std::vector<int64_t>& toFirst) {
    std::vector<Node*> order;
    for (auto& n : g.nodes) order.push_back(n.get());
    std::map<Value*, Value*> done;
    bool changed = false;
    for (Node* n : order) {
      if (!n->op || n->op->layoutInputs <= 0 || isChannelsLast(*n) || n->outputs.empty() || !n->outputs[0]) continue;
      const Value* y = n->outputs[0];
      bool ok = y->shape.size() == kRank && ((y->dtype == DType::F32 && !y->quant) || q::isQInt8PerTensor(y));
      for (size_t i = 1; i < n->outputs.size(); ++i) ok = ok && !n->outputs[i];  // (MaxPool Indices: NCHW only)
      for (int i = 0; i < n->op->layoutInputs; ++i) ok = ok && n->input(static_cast<size_t>(i)) &&
                                                          n->input(static_cast<size_t>(i))->shape.size() == kRank;
      if (!ok) continue;
      for (int i = 0; i < n->op->layoutInputs; ++i) {
        Value*& in = n->inputs[static_cast<size_t>(i)];
        auto it = done.find(in);  // one Transpose per value, however many nodes read it
        in = it != done.end() ? it->second : (done[in] = transposed(g, in, toLast, n, "_nhwc"));
      }
      retargetOutput(g, n, toFirst, toLast, "_nhwc");
      n->attrs[kLayoutAttr] = Attr::Str(kLayoutNhwc);
      ctx.count("nodes made channels-last");
      changed = true;
    }
    return changed;
  }

  static bool channelsLastIo(Graph& g, PassContext& ctx, const std::vector<int64_t>& toLast,
                             const std::vector<int64_t>& toFirst) {
    bool changed = false;
    g.inputLayouts.resize(g.inputs.size());
    g.outputLayouts.resize(g.outputs.size());
    for (size_t i = 0; i < g.inputs.size(); ++i) {
      Value* x = g.inputs[i];
      if (x->shape.size() != kRank || !g.inputLayouts[i].empty() || g.isGraphOutput(x)) continue;
      Value* x2 = g.addValue(x->name, x->dtype, permuteShape(x->shape, toLast));
      x2->quant = x->quant;
      x->name = rw::uniqueValueName(g, x->name + "_nchw");
      Node* t = g.addNode("Transpose", x2->name + "_to_nchw", {x2}, {x}, {{"perm", Attr::Ints(toFirst)}});
      bindOp(*t);
      g.inputs[i] = x2;
      g.inputLayouts[i] = kLayoutNhwc;
      ctx.count("inputs made channels-last");
      changed = true;
    }
    for (size_t j = 0; j < g.outputs.size(); ++j) {
      Value* y = g.outputs[j];
      if (y->shape.size() != kRank || !g.outputLayouts[j].empty() || !y->producer) continue;
      if (std::count(g.outputs.begin(), g.outputs.end(), y) > 1) continue;
      Value* y2 = g.addValue(y->name, y->dtype, permuteShape(y->shape, toLast));
      y2->quant = y->quant;
      y->name = rw::uniqueValueName(g, y->name + "_nchw");
      Node* t = g.addNode("Transpose", y2->name + "_to_nhwc", {y}, {y2}, {{"perm", Attr::Ints(toLast)}});
      bindOp(*t);
      g.outputs[j] = y2;
      g.outputLayouts[j] = kLayoutNhwc;
      ctx.count("outputs made channels-last");
      changed = true;
    }
    return changed;
  }

  // Layout-free node m whose every non-constant input is Transpose(toFirst)(x): m reads the x
  // instead (constants permuted, axis remapped) and a Transpose(toFirst) follows it.
  static bool pushThroughLayoutFree(Graph& g, PassContext& ctx, const std::vector<int64_t>& toLast,
                                    const std::vector<int64_t>& toFirst) {
    std::vector<Node*> order;
    for (auto& n : g.nodes) order.push_back(n.get());
    bool changed = false;
    for (Node* m : order) {
      if (!layoutFree(m) || m->outputs.size() != 1 || !m->outputs[0] ||
          m->outputs[0]->shape.size() != kRank)
        continue;
      bool any = false, ok = true;
      for (Value* in : m->inputs) {
        if (!in) continue;
        if (in->constant && in->shape.size() <= kRank) continue;  // (scalars stay, others are permuted)
        // a computed scalar (all-unit shape) broadcasts alike in both layouts: it stays as it is
        // (Clip's min/max must stay scalars: PyTorch 2 dynamo's CastLike(0.0, x) for ReLU6)
        if (allUnit(in->shape) && in->shape.size() <= kRank) continue;
        if (isTransposeBy(in->producer, toFirst)) {
          any = true;
          continue;
        }
        ok = ok && m->op->elementwise && channelOnly(in->shape);  // reshaped below
      }
      if (!ok || !any) continue;
      for (Value*& in : m->inputs) {
        if (!in || in->constant || (allUnit(in->shape) && in->shape.size() <= kRank)) continue;
        in = isTransposeBy(in->producer, toFirst) ? in->producer->inputs[0] : channelsLastView(g, in, m, toLast);
      }
      channelsLastOperands(g, *m, toLast);
      retargetOutput(g, m, toFirst, toLast, "_nhwc");
      ctx.count("Transposes moved below layout-free ops");
      changed = true;
    }
    return changed;
  }

  // Transpose(q)(Transpose(p)(x)) with q after p the identity: its readers read x.
  static bool cancelPairs(Graph& g, PassContext& ctx) {
    bool changed = false;
    for (auto& n : g.nodes) {
      Node* t2 = n.get();
      if (!rw::isTranspose(t2)) continue;
      Node* t1 = t2->inputs[0]->producer;
      if (!rw::isTranspose(t1)) continue;
      const auto p = rw::permOf(*t1), q = rw::permOf(*t2);
      if (p.size() != q.size() || p.empty()) continue;
      bool identity = true;
      for (size_t k = 0; k < q.size(); ++k) identity = identity && p[static_cast<size_t>(q[k])] == static_cast<int64_t>(k);
      Value* x = t1->inputs[0];
      if (!identity || !rw::canBypass(g, t2, x)) continue;
      rw::bypass(g, t2, x);
      ctx.count("Transpose pairs cancelled");
      changed = true;
    }
    return changed;
  }

  // Constant weights of a dense node reading the flattened tensor through input 0, with their
  // K rows (K = C*H*W) in a known place: {value, K is the column index (transB)}. nullopt otherwise.
  static std::optional<std::pair<Value*, bool>> denseWeights(const Node* d, int64_t k) {
    static const std::set<std::string> kDense = {"Gemm", "MatMul"};
    if (!d || !kDense.count(d->opType) || d->inputs.size() < 2 || !d->inputs[1] || !d->inputs[1]->constant) return {};
    if (rw::intAttrOr(*d, "transA", 0) != 0) return {};
    Value* b = d->inputs[1];
    const bool transB = rw::intAttrOr(*d, "transB", 0) != 0;
    if (b->shape.size() != 2 || b->shape[transB ? 1 : 0] != k) return {};
    return std::make_pair(b, transB);
  }

  static bool foldIntoDenseHeads(Graph& g, PassContext& ctx, const std::vector<int64_t>& toFirst) {
    static const std::set<std::string> kFlatten = {"Reshape", "Flatten"};
    bool changed = false;
    for (auto& np : g.nodes) {
      Node* t = np.get();
      if (!isTransposeBy(t, toFirst)) continue;
      Node* r = rw::soleUser(g, t->outputs[0]);
      const Shape& v = t->outputs[0]->shape;  // N, C, H, W
      const int64_t k = v[1] * v[2] * v[3];
      if (!r || !kFlatten.count(r->opType) || r->inputs[0] != t->outputs[0] || !r->outputs[0] ||
          r->outputs[0]->shape != Shape{v[0], k} || g.isGraphOutput(r->outputs[0]))
        continue;
      std::vector<Node*> users = g.users(r->outputs[0]);
      bool ok = !users.empty();
      for (Node* d : users) ok = ok && d->inputs[0] == r->outputs[0] && d->inputs[1] != r->outputs[0] && denseWeights(d, k);
      if (!ok) continue;
      // Row kNew of the channels-last flattening ((h * W + w) * C + c) is row kOld of the model's.
      std::vector<int64_t> oldOf(static_cast<size_t>(k));
      for (int64_t c = 0; c < v[1]; ++c)
        for (int64_t hw = 0; hw < v[2] * v[3]; ++hw) oldOf[static_cast<size_t>(hw * v[1] + c)] = c * v[2] * v[3] + hw;
      for (Node* d : users) {
        auto [b, transB] = *denseWeights(d, k);
        const Tensor& src = *b->constant;
        Tensor dst(src.dtype(), src.shape());
        const size_t es = dtypeSize(src.dtype());
        const int64_t rows = src.shape()[0], cols = src.shape()[1];
        const auto* in = static_cast<const uint8_t*>(src.raw());
        auto* out = static_cast<uint8_t*>(dst.raw());
        for (int64_t i = 0; i < rows; ++i)
          for (int64_t j = 0; j < cols; ++j) {
            const int64_t si = transB ? i : oldOf[static_cast<size_t>(i)], sj = transB ? oldOf[static_cast<size_t>(j)] : j;
            std::memcpy(out + static_cast<size_t>(i * cols + j) * es, in + static_cast<size_t>(si * cols + sj) * es, es);
          }
        d->inputs[1] = rw::addConst(g, b->name + "_hwc", std::move(dst));
        d->inputs[1]->quant = b->quant;  // (only the K axis is permuted)
      }
      r->inputs[0] = t->inputs[0];
      ctx.count("Transposes folded into dense weights");
      changed = true;
    }
    return changed;
  }

  static bool readInputsChannelsFirst(Graph& g, PassContext& ctx, const std::vector<int64_t>& toLast) {
    bool changed = false;
    for (auto& np : g.nodes) {
      Node* t = np.get();
      if (!isTransposeBy(t, toLast) || !t->outputs[0] || g.isGraphOutput(t->outputs[0])) continue;
      Value* x = t->inputs[0];
      if (std::find(g.inputs.begin(), g.inputs.end(), x) == g.inputs.end() || x->dtype != DType::F32 || x->quant)
        continue;
      const std::vector<Node*> users = g.users(t->outputs[0]);
      bool ok = !users.empty();
      for (const Node* c : users)
        ok = ok && c->op && c->op->layoutNchwInput && isChannelsLast(*c) && !readsChannelsFirst(*c) &&
             rw::intAttrOr(*c, "group", 1) == 1 && c->inputs[0] == t->outputs[0] &&
             std::count(c->inputs.begin(), c->inputs.end(), t->outputs[0]) == 1;
      if (!ok) continue;
      for (Node* c : users) {
        c->inputs[0] = x;
        c->attrs[kNchwInputAttr] = Attr::Int(1);
      }
      rw::detach(t);
      ctx.count("graph inputs read channels-first by the first layer");
      changed = true;
    }
    return changed;
  }

  static bool unitTransposesToReshape(Graph& g, PassContext& ctx) {
    std::vector<Node*> order;
    for (auto& n : g.nodes) order.push_back(n.get());
    bool changed = false;
    for (Node* t : order) {
      if (!rw::isTranspose(t)) continue;
      const auto perm = rw::permOf(*t);
      const Shape& s = t->inputs[0]->shape;
      if (perm.size() != s.size() || numElements(s) == 0) continue;
      int64_t last = -1;
      bool ordered = true;
      for (int64_t p : perm) {
        if (s[static_cast<size_t>(p)] == 1) continue;
        ordered = ordered && p > last;
        last = p;
      }
      if (!ordered) continue;
      Value* y = t->outputs[0];
      Tensor shape(DType::I64, {static_cast<int64_t>(y->shape.size())});
      for (size_t i = 0; i < y->shape.size(); ++i) shape.setI(static_cast<int64_t>(i), y->shape[i]);
      Value* sv = rw::addConst(g, y->name + "_shape", std::move(shape));
      rw::insertNodeBefore(g, t, "Reshape", t->name, {t->inputs[0], sv}, {y});
      rw::detach(t);
      ctx.count("Transposes of unit dims made Reshapes");
      changed = true;
    }
    return changed;
  }
};

}  // namespace

std::unique_ptr<Pass> createLayout() { return std::make_unique<Layout>(); }

}  // namespace tinyc
