// Pruning (PruneRequest in passes/prune.h; issue 12). Unstructured (--prune magnitude:R): the
// smallest weights become zeros (Prune::magnitude). Structured (--prune channels:R, --prune-layer,
// the accuracy guard's per-layer fractions): removes a fraction of the output channels (kept
// counts: prunedKeep) of every Conv (one group) and Gemm with constant float weights whose output channels can be
// followed to the layers that read them, those with the smallest L1 (or L2, --prune-norm) norm of
// their weights, and rewires the readers: the next Conv's input channels, the next Gemm's rows
// (through a Flatten or 2-D Reshape, a block of spatial positions per channel), a depthwise Conv in
// between (its channels and groups go with them), channel-wise ops in between (pointwise ops,
// elementwise ones with scalar constant operands, pools) carry the change, a Concat along the
// channels passes them on as a block among its other inputs' channels, and the layers whose
// channels an Add joins (residual blocks) are pruned together, one set of channels for all (Walker).
// The result is a smaller dense model. A channel that reaches a graph output or any other op, or
// an Add with a tensor no prunable layer made (a graph input), keeps the producers whole.
// tinyc does not retrain: the accuracy cost is measured, not recovered (docs/passes.md).
#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <map>
#include <set>

#include "ops/op.h"
#include "passes/pass.h"
#include "passes/prune.h"
#include "passes/rewrite.h"

namespace tinyc {

namespace {

bool floatConst(const Value* v) { return v && v->constant && isFloat(v->dtype) && !v->quant; }
bool is(const Node& n, const char* op) { return n.op && n.op == opDef(op); }

// A depthwise Conv of `channels` channels (channel multiplier 1) reading v, with constant weights.
bool depthwiseOf(const Node& n, int64_t channels) {
  if (!is(n, "Conv") || !floatConst(n.input(1)) || (n.hasInput(2) && !floatConst(n.input(2)))) return false;
  const Shape& w = n.input(1)->shape;
  return rw::intAttrOr(n, "group", 1) == channels && channels > 1 && w.size() >= 3 && w[0] == channels && w[1] == 1;
}

bool denseConsumer(const Node& n) {  // Conv with one group, or Gemm (A not transposed), constant weights
  if (is(n, "Conv"))
    return rw::intAttrOr(n, "group", 1) == 1 && floatConst(n.input(1)) && n.input(1)->shape.size() >= 3;
  return is(n, "Gemm") && rw::intAttrOr(n, "transA", 0) == 0 && floatConst(n.input(1)) &&
         n.input(1)->shape.size() == 2;
}

// One channel along v's dim 1 carried by n into its output 0 (pools, pointwise and scalar-operand
// elementwise ops).
bool channelwise(const Node& n, const Value* v) {
  if (!n.op || n.input(0) != v || n.outputs.empty() || !n.outputs[0]) return false;
  for (size_t i = 1; i < n.outputs.size(); ++i)
    if (n.outputs[i]) return false;  // MaxPool's Indices depend on the channel count
  if (n.op->channelwise) return v->shape.size() >= 3;
  if (n.op->pointwise) return true;
  if (!n.op->elementwise) return false;
  for (size_t i = 1; i < n.inputs.size(); ++i) {
    const Value* p = n.inputs[i];
    if (p && (p == v || !p->constData() || p->constData()->numel() != 1)) return false;
  }
  return true;
}

// A layer reading the pruned channels: their block [offset, offset + channels) of its input's
// `total` channels (a Concat in between puts other channels around them), `spatial` input elements
// per channel (a Gemm after a Flatten; 1 otherwise).
struct Reader {
  Node* node;
  int64_t spatial, offset, total;
};

struct Chain {
  std::vector<Reader> depthwise;  // their channels go with the producer's
  std::vector<Reader> readers;    // Conv / Gemm whose input channels are cut
  std::set<const Node*> seen;     // each met once (two paths into one node: the producer stays whole)
};

// The channel axis of a Concat of tensors of rank r, or -1.
int64_t concatAxis(const Node& n, size_t rank) {
  int64_t a = rw::intAttrOr(n, "axis", 1);
  if (a < 0) a += static_cast<int64_t>(rank);
  return a;
}

// The output channels' axis of a layer whose output channels can be cut (Conv of one group, Gemm
// with A not transposed, constant float weights, a bias per channel or scalar), or -1.
int prunableAxis(const Node& p) {
  if (p.outputs.empty() || !p.outputs[0] || !denseConsumer(p)) return -1;
  const bool gemm = is(p, "Gemm");
  const int axis = gemm && rw::intAttrOr(p, "transB", 0) == 0 ? 1 : 0;
  const int64_t m = p.input(1)->shape[static_cast<size_t>(axis)];
  const Value* bias = p.input(2);
  if (bias && (!floatConst(bias) || (bias->constant->numel() != m && bias->constant->numel() != 1))) return -1;
  return axis;
}

// The layers that must lose the same channels as a producer, and every reader of those channels.
// From the producer's output forward (follow); an Add joining the channels with another tensor of
// the same shape is followed on, and that tensor backward (back) to the layers that made it, which
// join the group (pruned together: one set of channels for all), through channel-wise ops,
// depthwise convolutions and other Adds; every tensor on the way has all its readers followed.
class Walker {
 public:
  Walker(const Graph& g, int64_t m) : g_(g), m_(m) {}
  Chain chain;
  std::vector<Node*> producers;

  bool start(Node* p) {
    producers.push_back(p);
    back_.insert(p->outputs[0]);
    return follow(p->outputs[0], 1, 0, m_, 0);
  }

 private:
  const Graph& g_;
  const int64_t m_;
  std::set<const Value*> forward_, back_;
  std::set<const Node*> adds_;

  // The producers' channels, the block [offset, offset + m) of v's `total` along dim 1 (`spatial`
  // elements per channel once flattened), followed to the layers that read them.
  bool follow(const Value* v, int64_t spatial, int64_t offset, int64_t total, int depth) {
    if (depth > 64 || g_.isGraphOutput(v) || v->shape.size() < 2) return false;
    if (!forward_.insert(v).second) return true;  // (reached again through an Add's other side)
    const auto users = g_.users(v);
    if (users.empty()) return false;
    for (Node* u : users) {
      if (std::count(u->inputs.begin(), u->inputs.end(), v) != 1) return false;
      if (is(*u, "Add")) {
        if (spatial != 1 || offset != 0 || total != m_ || u->inputs.size() != 2 || !u->outputs[0] ||
            u->input(0)->shape != u->input(1)->shape || u->outputs[0]->shape != v->shape)
          return false;
        if (!adds_.insert(u).second) continue;  // (met from its other input)
        if (!back(u->input(0) == v ? u->input(1) : u->input(0), depth + 1)) return false;
        if (!follow(u->outputs[0], 1, 0, m_, depth + 1)) return false;
        continue;
      }
      if (!chain.seen.insert(u).second) return false;
      if (spatial == 1 && is(*u, "Concat") && u->outputs[0] && concatAxis(*u, v->shape.size()) == 1) {
        int64_t before = 0;  // channels of the inputs ahead of v
        for (const Value* in : u->inputs) {
          if (in == v) break;
          if (!in || in->shape.size() != v->shape.size()) return false;
          before += in->shape[1];
        }
        if (!follow(u->outputs[0], 1, before + offset, u->outputs[0]->shape[1], depth + 1)) return false;
        continue;
      }
      if (u->input(0) != v) return false;
      if (spatial == 1 && depthwiseOf(*u, total)) {
        chain.depthwise.push_back({u, 1, offset, total});
        if (!follow(u->outputs[0], 1, offset, total, depth + 1)) return false;
      } else if (denseConsumer(*u)) {
        const bool conv = is(*u, "Conv");
        if (conv != (spatial == 1 && v->shape.size() >= 3)) return false;
        if (!conv && v->shape.size() != 2) return false;
        const Shape& rws = u->input(1)->shape;
        const int64_t in = conv ? rws[1] : rws[rw::intAttrOr(*u, "transB", 0) ? 1 : 0];
        if (in != total * spatial) return false;
        chain.readers.push_back({u, spatial, offset, total});
      } else if (spatial == 1 && channelwise(*u, v)) {
        if (!follow(u->outputs[0], 1, offset, total, depth + 1)) return false;
      } else if (spatial == 1 && (is(*u, "Flatten") || is(*u, "Reshape")) && u->outputs[0]) {
        const Value* o = u->outputs[0];
        if (is(*u, "Flatten") && rw::intAttrOr(*u, "axis", 1) != 1) return false;
        if (o->shape.size() != 2 || o->shape[0] != v->shape[0] || v->shape[1] != total) return false;
        int64_t s = 1;
        for (size_t d = 2; d < v->shape.size(); ++d) s *= v->shape[d];
        if (o->shape[1] != total * s) return false;
        if (!follow(o, s, offset, total, depth + 1)) return false;
      } else {
        return false;
      }
    }
    return true;
  }

  // o (m channels, joined with the producers' by an Add) back to the layers that made it; then all
  // of o's readers followed.
  bool back(const Value* o, int depth) {
    if (depth > 64 || !o || o->shape.size() < 2 || o->shape[1] != m_) return false;
    if (!back_.insert(o).second) return true;
    Node* q = o->producer;
    if (!q || q->outputs.empty() || q->outputs[0] != o) return false;
    if (prunableAxis(*q) >= 0) {
      producers.push_back(q);
    } else if (is(*q, "Add")) {
      if (q->inputs.size() != 2 || !q->input(0) || !q->input(1) || q->input(0)->shape != o->shape ||
          q->input(1)->shape != o->shape)
        return false;
      adds_.insert(q);
      if (!back(q->input(0), depth + 1) || !back(q->input(1), depth + 1)) return false;
    } else if (depthwiseOf(*q, m_) || channelwise(*q, q->input(0))) {
      if (!back(q->input(0), depth + 1)) return false;  // (whose readers include q: recorded there)
    } else {
      return false;
    }
    return follow(o, 1, 0, m_, depth + 1);
  }
};

// A reader's channels kept: its input's channels around the producer's block, the producer's kept
// ones inside it.
std::vector<int64_t> readerKeep(const Reader& r, int64_t channels, const std::vector<int64_t>& keep) {
  std::vector<int64_t> out;
  for (int64_t i = 0; i < r.offset; ++i) out.push_back(i);
  for (int64_t k : keep) out.push_back(r.offset + k);
  for (int64_t i = r.offset + channels; i < r.total; ++i) out.push_back(i);
  return out;
}

// t with only the indices `keep` along `axis`.
Tensor takeAlong(const Tensor& t, size_t axis, const std::vector<int64_t>& keep) {
  Shape s = t.shape();
  const int64_t outer = std::accumulate(s.begin(), s.begin() + static_cast<std::ptrdiff_t>(axis), int64_t{1},
                                        std::multiplies<int64_t>());
  const int64_t inner = std::accumulate(s.begin() + static_cast<std::ptrdiff_t>(axis) + 1, s.end(), int64_t{1},
                                        std::multiplies<int64_t>());
  const int64_t n = s[axis];
  s[axis] = static_cast<int64_t>(keep.size());
  Tensor r(t.dtype(), s);
  int64_t i = 0;
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t k : keep)
      for (int64_t j = 0; j < inner; ++j) r.setF(i++, t.getF((o * n + k) * inner + j));
  return r;
}

void replaceInput(Graph& g, Node& n, size_t i, Tensor t, const std::string& tag) {
  n.inputs[i] = rw::addConst(g, n.inputs[i]->name + "_" + tag, std::move(t));
}

class Prune : public Pass {
 public:
  bool run(Graph& g, PassContext& ctx) override {
    const PruneRequest* req = ctx.options().prune.get();
    if (!req) return false;
    req->layers->clear();
    if (req->kind == "magnitude") return magnitude(g, *req, ctx);
    bool changed = false;
    std::set<const Node*> seen;  // producers looked at (each pruning re-infers the shapes: rescan)
    for (bool again = true; again;) {
      again = false;
      for (auto& pn : g.nodes) {
        Node* p = pn.get();
        if (!seen.insert(p).second) continue;
        if (pruneOne(g, *p, *req, ctx, seen)) {
          refreshGraph(g);
          changed = again = true;
          break;
        }
      }
    }
    return changed;
  }

 private:
  // Unstructured (--prune magnitude:R): in every Conv, Gemm and MatMul with constant float
  // weights, the weights of smallest magnitude become zeros: a fraction R of all the weights of
  // the layers without their own ratio (one global threshold), the layer's own fraction of its
  // weights for the others (--prune-layer). Ties go in weight order, so the result is
  // deterministic. The shapes do not change; the sparse-weights pass stores the zeros away.
  // A layer's stored weights: a float constant, or integers behind a DequantizeLinear (a model
  // quantized before tinyc: its weight's magnitude is |q - zero point| * scale, and a pruned weight
  // becomes the zero point).
  struct Stored {
    Node* node = nullptr;
    Node* dq = nullptr;
    Value* value = nullptr;  // the constant that holds them
    const Tensor* scale = nullptr;
    const Tensor* zero = nullptr;
    int64_t inner = 1, dim = 1;  // per-axis parameters: element i is channel (i / inner) % dim
    int64_t channel(int64_t i) const { return scale->numel() == 1 ? 0 : (i / inner) % dim; }
    double zeroAt(int64_t i) const { return dq && zero ? zero->getF(channel(i)) : 0.0; }
    double magnitude(int64_t i) const {
      const double x = value->constant->getF(i);
      return dq ? std::fabs(x - zeroAt(i)) * scale->getF(channel(i)) : std::fabs(x);
    }
  };
  static std::optional<Stored> stored(Node& n) {
    Stored st;
    st.node = &n;
    Value* w = n.input(1);
    if (floatConst(w)) {
      st.value = w;
      return st;
    }
    Node* dq = w ? w->producer : nullptr;
    if (!dq || !is(*dq, "DequantizeLinear") || !dq->input(0) || !dq->input(0)->constant ||
        dq->input(0)->storageBits == 4 || !isInteger(dq->input(0)->dtype) || dq->input(0)->dtype == DType::Bool || !dq->input(1) ||
        !dq->input(1)->constData() || (dq->input(2) && !dq->input(2)->constData()) ||
        rw::intAttrOr(*dq, "block_size", 0) != 0)
      return std::nullopt;
    st.dq = dq;
    st.value = dq->input(0);
    st.scale = dq->input(1)->constData();
    st.zero = dq->input(2) ? dq->input(2)->constData() : nullptr;
    const Shape& shape = st.value->shape;
    if (st.scale->numel() != 1) {
      int64_t axis = rw::intAttrOr(*dq, "axis", 1);
      if (axis < 0) axis += static_cast<int64_t>(shape.size());
      if (axis < 0 || axis >= static_cast<int64_t>(shape.size()) || shape[static_cast<size_t>(axis)] != st.scale->numel())
        return std::nullopt;
      st.dim = shape[static_cast<size_t>(axis)];
      for (size_t d = static_cast<size_t>(axis) + 1; d < shape.size(); ++d) st.inner *= shape[d];
    }
    if (st.zero && st.zero->numel() != st.scale->numel()) return std::nullopt;
    return st;
  }

  // Unstructured (--prune magnitude:R): in every Conv, Gemm and MatMul with constant weights (float,
  // or integers behind a DequantizeLinear), the weights of smallest magnitude become zeros: a fraction
  // R of all the weights of the layers without their own ratio (one global threshold), the layer's
  // own fraction of its weights for the others (--prune-layer). Ties go in weight order, so the
  // result is deterministic. The shapes do not change; the sparse-weights pass stores the zeros away.
  static bool magnitude(Graph& g, const PruneRequest& req, PassContext& ctx) {
    std::vector<Stored> layers;
    std::set<const Value*> weights;  // (a weight read by two layers is ranked once, with the first)
    for (auto& n : g.nodes)
      if (is(*n, "Conv") || is(*n, "Gemm") || is(*n, "MatMul"))
        if (auto st = stored(*n); st && st->value->constant->numel() > 0 && weights.insert(st->value).second)
          layers.push_back(*st);
    // Each group (the free layers together, each layer with its own ratio alone): its weights
    // ranked by magnitude, the first floor(R * count) zeroed.
    std::map<double, std::vector<size_t>> own;
    std::vector<size_t> free;
    for (size_t l = 0; l < layers.size(); ++l) {
      const auto it = req.layerRatios.find(layers[l].node->name);
      if (it != req.layerRatios.end())
        own[it->second].push_back(l);  // (grouped by ratio only to share the code below: ranked per layer)
      else
        free.push_back(l);
    }
    std::map<size_t, Tensor> pruned;
    auto prune = [&](const std::vector<size_t>& group, double ratio) {
      struct W {
        double mag;
        size_t layer;
        int64_t i;
      };
      std::vector<W> all;
      for (size_t l : group)
        for (int64_t i = 0; i < layers[l].value->constant->numel(); ++i) all.push_back({layers[l].magnitude(i), l, i});
      const size_t drop = static_cast<size_t>(ratio * static_cast<double>(all.size()) + 1e-9);
      if (drop == 0) return;
      std::nth_element(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(drop - 1), all.end(),
                       [](const W& a, const W& b) {
                         return a.mag != b.mag ? a.mag < b.mag : a.layer != b.layer ? a.layer < b.layer : a.i < b.i;
                       });
      for (size_t l : group) pruned.emplace(l, *layers[l].value->constant);
      for (size_t k = 0; k < drop; ++k) pruned.at(all[k].layer).setF(all[k].i, layers[all[k].layer].zeroAt(all[k].i));
    };
    prune(free, req.ratio);
    for (const auto& [ratio, group] : own)
      for (size_t l : group) prune({l}, ratio);
    bool changed = false;
    for (size_t l = 0; l < layers.size(); ++l) {
      const Stored& st = layers[l];
      const auto it = pruned.find(l);
      const Tensor& w = it != pruned.end() ? it->second : *st.value->constant;
      int64_t nz = 0;
      for (int64_t i = 0; i < w.numel(); ++i) nz += w.getF(i) != st.zeroAt(i);
      PrunedLayer rec{st.node->name, st.node->opType};
      rec.weights = w.numel();
      rec.nonZeros = nz;
      req.layers->push_back(rec);
      if (it == pruned.end()) continue;
      ctx.count("layers pruned");
      ctx.count("weights zeroed", w.numel() - nz);
      Node& holder = st.dq ? *st.dq : *st.node;
      const size_t input = st.dq ? 0 : 1;
      Value* before = holder.inputs[input];
      replaceInput(g, holder, input, it->second, "pruned");
      replaceAllUses(g, before, holder.inputs[input]);  // every reader of a shared weight sees the pruned one
      changed = true;
    }
    if (changed) refreshGraph(g);
    return changed;
  }

  // Prunes producer p when its channels can be followed (and recorded in req.layers) and its ratio
  // removes at least one; true when the graph changed.
  static bool pruneOne(Graph& g, Node& pr, const PruneRequest& req, PassContext& ctx, std::set<const Node*>& seen) {
    Node* p = &pr;
    const auto own = req.layerRatios.find(p->name);
    const double ratio = own != req.layerRatios.end() ? own->second : req.ratio;
    const bool l2 = req.norm == "l2";
    {
      const int pAxis = prunableAxis(*p);
      if (pAxis < 0) return false;
      const int64_t m = p->input(1)->shape[static_cast<size_t>(pAxis)];
      const int64_t drop = m - prunedKeep(m, ratio, req.multiple);
      Walker walk(g, m);
      if (!walk.start(p)) return false;
      const Chain& c = walk.chain;
      for (Node* q : walk.producers) {  // (a group takes the ratio of its first layer)
        seen.insert(q);
        req.layers->push_back({q->name, q->opType, m, m - drop});
      }
      if (drop <= 0) return false;
      // The channels with the largest norms (summed over the group), in their order.
      std::vector<double> norm(static_cast<size_t>(m), 0.0);
      for (Node* q : walk.producers) {
        const Tensor& w = *q->input(1)->constant;
        const int axis = prunableAxis(*q);
        const int64_t inner = w.numel() / w.shape()[0];
        for (int64_t i = 0; i < w.numel(); ++i) {
          const int64_t ch = axis == 0 ? i / inner : i % m;
          const double x = w.getF(i);
          norm[static_cast<size_t>(ch)] += l2 ? x * x : std::fabs(x);
        }
      }
      std::vector<int64_t> idx(static_cast<size_t>(m));
      std::iota(idx.begin(), idx.end(), 0);
      std::stable_sort(idx.begin(), idx.end(), [&](int64_t a, int64_t b) {
        return norm[static_cast<size_t>(a)] > norm[static_cast<size_t>(b)];
      });
      std::vector<int64_t> keep(idx.begin(), idx.end() - drop);
      std::sort(keep.begin(), keep.end());
      const std::string tag = "pruned";
      for (Node* q : walk.producers) {
        const Value* bias = q->input(2);
        replaceInput(g, *q, 1, takeAlong(*q->input(1)->constant, static_cast<size_t>(prunableAxis(*q)), keep), tag);
        if (bias && bias->constant->numel() == m)
          replaceInput(g, *q, 2, takeAlong(*bias->constant, static_cast<size_t>(bias->constant->rank() - 1), keep), tag);
      }
      for (const Reader& r : c.depthwise) {
        Node* d = r.node;
        const std::vector<int64_t> k = readerKeep(r, m, keep);
        replaceInput(g, *d, 1, takeAlong(*d->input(1)->constant, 0, k), tag);
        if (d->hasInput(2)) replaceInput(g, *d, 2, takeAlong(*d->input(2)->constant, 0, k), tag);
        d->attrs["group"] = Attr::Int(static_cast<int64_t>(k.size()));
      }
      for (const Reader& r : c.readers) {
        const Tensor& rw_ = *r.node->input(1)->constant;
        const std::vector<int64_t> k = readerKeep(r, m, keep);
        if (is(*r.node, "Conv")) {
          replaceInput(g, *r.node, 1, takeAlong(rw_, 1, k), tag);
        } else {
          std::vector<int64_t> rows;
          for (int64_t ch : k)
            for (int64_t s = 0; s < r.spatial; ++s) rows.push_back(ch * r.spatial + s);
          replaceInput(g, *r.node, 1, takeAlong(rw_, rw::intAttrOr(*r.node, "transB", 0) ? 1 : 0, rows), tag);
        }
      }
      for (auto& un : g.nodes) {  // the Reshapes between a pruned channel and a Gemm: their new 2-D shape
        Node* u = un.get();
        if (is(*u, "Reshape") && u->hasInput(1) && u->input(1)->constData() && u->input(0) &&
            std::any_of(c.readers.begin(), c.readers.end(), [&](const Reader& r) { return r.node->input(0) == u->outputs[0]; })) {
          Tensor s(DType::I64, {2});
          s.setF(0, static_cast<double>(u->outputs[0]->shape[0]));
          s.setF(1, 0);
          for (const Reader& r : c.readers)
            if (r.node->input(0) == u->outputs[0])
              s.setF(1, static_cast<double>(r.total - drop) * static_cast<double>(r.spatial));
          u->inputs[1] = rw::addConst(g, u->input(1)->name + "_" + tag, std::move(s));
        }
      }
      ctx.count("layers pruned", static_cast<int64_t>(walk.producers.size()));
      ctx.count("channels removed", drop * static_cast<int64_t>(walk.producers.size()));
    }
    return true;
  }
};

}  // namespace

std::unique_ptr<Pass> createPrune() { return std::make_unique<Prune>(); }

}  // namespace tinyc
