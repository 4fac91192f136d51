// patch: patch-based execution of the network's first stage (MCUNetV2, NeurIPS 2021; issue 13).
//
// The peak of a CNN usually lies in its first, high-resolution layers. This pass cuts the graph
// after a prefix (the stage: Conv, MaxPool, AveragePool, elementwise nodes, Transposes and
// Reshapes that only move unit dims - a 1-channel input made channels-last - that read only the
// graph inputs, constants and each other, whose one value leaving it is 4-D) and computes the
// stage's output in N horizontal strips, one after the other: for each strip, every stage node
// runs on just the rows the strips's output needs (the receptive field's overlap is computed
// again by neighbouring strips), and a Concat along H writes the strips into the stage's output
// (the memory planner places each strip there directly). Only one strip's intermediate tensors
// are live at a time.
//
// Rows: an op with kernel k, stride s, dilation d and top padding p computes output rows [a, b)
// from input rows [a*s - p, (b-1)*s - p + (k-1)*d + 1); the part outside the input becomes the
// strip's own padding (only the first and last strips keep the original's), so each output
// element is the same sum over the same taps in the same order as before: results are unchanged
// (bit for bit on the integer path). A tensor that several stage nodes read is computed on the
// union of their rows and cropped (Slice) for a reader that needs fewer; graph inputs are sliced.
// Strips split along H only: in channels-last tensors of batch 1 they are contiguous, so the
// slices and the Concat are plain copies.
//
// --patch N forces N strips (the cut with the lowest estimated peak); --patch auto (PassOptions::
// patch < 0) takes the cut and N (2..8) with the lowest estimated peak of live tensor bytes, when
// that is more than 10% below the unpatched peak at under 20% extra MACs; --patch off does nothing.
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "ops/layout.h"
#include "ops/nn_common.h"
#include "ops/op.h"
#include "passes/lower_quant.h"
#include "passes/pass.h"
#include "passes/rewrite.h"

namespace tinyc {

namespace {

struct Span {
  int64_t lo = 0, hi = 0;
  int64_t rows() const { return hi - lo; }
  bool operator==(const Span& o) const { return lo == o.lo && hi == o.hi; }
  bool operator!=(const Span& o) const { return !(*this == o); }
};

Span unite(const Span& a, const Span& b) { return {std::min(a.lo, b.lo), std::max(a.hi, b.hi)}; }

int64_t bytesOf(const Value* v) { return numElements(v->shape) * static_cast<int64_t>(dtypeSize(v->dtype)); }

// Along H: kernel extent, stride, top padding, input rows; and the W pads (kept as they are).
struct RowGeom {
  int64_t k = 1, s = 1, d = 1, pt = 0, in = 0;
  int64_t pl = 0, pr = 0;
};

bool isSpatial(const Node& n) {
  return n.op == opDef("Conv") || n.op == opDef("MaxPool") || n.op == opDef("AveragePool");
}

// The stage: nodes (a prefix of the schedule), the H axis of every 4-D data value it reads or
// writes, the window of every spatial node.
struct Stage {
  std::vector<Node*> nodes;
  Value* out = nullptr;
  // Values the stage reads but does not compute (graph inputs): sliced.
  std::set<const Value*> sources;
  std::set<const Node*> excluded;  // float islands of a quantized graph: left as they are
  std::map<const Value*, size_t> hAxis;
  std::map<const Node*, RowGeom> geom;
};

// Rows of its data input(s) that node n needs for output rows `o` (clipped to the input).
Span need(const Stage& st, const Node& n, Span o) {
  if (!st.geom.count(&n)) return o;
  const RowGeom& r = st.geom.at(&n);
  const int64_t lo = o.lo * r.s - r.pt, hi = (o.hi - 1) * r.s - r.pt + (r.k - 1) * r.d + 1;
  return {std::max<int64_t>(lo, 0), std::min(hi, r.in)};
}

// The data inputs of a stage node: the stage values and graph inputs it reads (the others are
// constant parameters).
std::vector<Value*> dataInputs(const Stage& st, const Node& n) {
  std::vector<Value*> v;
  for (size_t i = 0; i < (isSpatial(n) ? 1 : n.inputs.size()); ++i)
    if (n.input(i) && st.hAxis.count(n.input(i))) v.push_back(n.inputs[i]);
  return v;
}

// Whether node n may join the stage (its data inputs' H axes in st.hAxis already); sets the H
// axis of its output and its window.
bool admit(Stage& st, const Node& n) {
  if (n.outputs.size() != 1 || !n.outputs[0] || n.outputs[0]->shape.size() != 4 || st.excluded.count(&n)) return false;
  const Value* y = n.outputs[0];
  if (isSpatial(n)) {
    const Value* x = n.input(0);
    if (!x || x->constData() || x->shape.size() != 4 || x->shape[0] != 1) return false;
    for (size_t i = 1; i < n.inputs.size(); ++i)
      if (n.inputs[i] && !n.inputs[i]->constData()) return false;  // weights computed at run time
    if (n.op != opDef("Conv") && rw::intAttrOr(n, "ceil_mode", 0) != 0) return false;
    const bool last = isChannelsLast(n);
    const size_t hx = last && !readsChannelsFirst(n) ? 1 : 2, hy = last ? 1 : 2;
    if (!st.hAxis.count(x) || st.hAxis.at(x) != hx) return false;
    std::optional<ChannelsFirstTwin> twin;  // the twin permutes: only for channels-last nodes
    if (last) twin.emplace(n);
    const Node& cf = last ? twin->node() : n;
    std::vector<int64_t> kernel;
    if (n.op == opDef("Conv")) {
      const Shape& w = cf.input(1)->shape;
      kernel.assign(w.begin() + 2, w.end());
    } else {
      if (!n.hasAttr("kernel_shape")) return false;
      kernel = n.attrInts("kernel_shape");
    }
    if (kernel.size() != 2) return false;
    const nn::Window w = nn::forwardWindow(cf, cf.input(0)->shape, kernel, false);
    RowGeom r;
    r.k = w.k[1];
    r.s = w.s[1];
    r.d = w.d[1];
    r.pt = w.pb[1];
    r.in = w.in[1];
    r.pl = w.pb[2];
    r.pr = w.pe[2];
    st.geom[&n] = r;
    st.hAxis[y] = hy;
    return true;
  }
  if (n.op == opDef("Reshape")) {  // one that only moves unit dims (a 1-channel tensor's layout change)
    const Value* x = n.input(0);
    if (!x || !st.hAxis.count(x) || x->shape.size() != 4 || !n.input(1) || !n.input(1)->constData()) return false;
    std::vector<size_t> xs, ys;  // positions of the dims other than 1
    for (size_t i = 0; i < 4; ++i) {
      if (x->shape[i] != 1) xs.push_back(i);
      if (y->shape[i] != 1) ys.push_back(i);
    }
    const auto at = std::find(xs.begin(), xs.end(), st.hAxis.at(x));
    if (xs.size() != ys.size() || at == xs.end()) return false;
    for (size_t k = 0; k < xs.size(); ++k)
      if (x->shape[xs[k]] != y->shape[ys[k]]) return false;
    st.hAxis[y] = ys[static_cast<size_t>(at - xs.begin())];
    return true;
  }
  if (rw::isTranspose(&n)) {
    const Value* x = n.input(0);
    if (!x || !st.hAxis.count(x)) return false;
    const std::vector<int64_t> perm = rw::permOf(n);
    const auto at = std::find(perm.begin(), perm.end(), static_cast<int64_t>(st.hAxis.at(x)));
    if (perm.size() != 4 || at == perm.end()) return false;
    st.hAxis[y] = static_cast<size_t>(at - perm.begin());
    return true;
  }
  const bool qdq = n.op == opDef("QuantizeLinear") || n.op == opDef("DequantizeLinear");
  if (!n.op->elementwise && !n.op->pointwise && !qdq) return false;
  std::optional<size_t> axis;
  for (const Value* in : n.inputs) {
    if (!in || !st.hAxis.count(in)) continue;
    if (in->shape != y->shape || (axis && *axis != st.hAxis.at(in))) return false;
    axis = st.hAxis.at(in);
  }
  if (!axis) return false;
  // Parameters must be constants, and one varying along H would need slicing: only those of
  // size 1 there (numpy broadcasting aligns the last dims).
  if (!qdq)
    for (const Value* in : n.inputs)
      if (in && !st.hAxis.count(in)) {
        if (!in->constData()) return false;  // computed at run time: the strips would keep it live
        const Shape& s = in->shape;
        if (s.size() > 4) return false;
        if (s.size() + *axis >= 4 && s[s.size() + *axis - 4] != 1) return false;
      }
  if (qdq && n.hasAttr("axis")) {
    const int64_t a = (n.attrInt("axis") + 4) % 4;
    bool perAxis = false;
    for (size_t i = 1; i < n.inputs.size(); ++i)
      if (n.inputs[i] && numElements(n.inputs[i]->shape) > 1) perAxis = true;
    if (perAxis && a == static_cast<int64_t>(*axis)) return false;
  }
  st.hAxis[y] = *axis;
  return true;
}

// Rows of every stage value for output rows `o` of the stage's output (union over readers).
std::map<const Value*, Span> rowsFor(const Stage& st, Span o) {
  std::map<const Value*, Span> u;
  u[st.out] = o;
  for (auto it = st.nodes.rbegin(); it != st.nodes.rend(); ++it) {
    const Node& n = **it;
    auto y = u.find(n.outputs[0]);
    if (y == u.end()) continue;
    for (const Value* x : dataInputs(st, n)) {
      const Span r = need(st, n, y->second);
      auto f = u.find(x);
      if (f == u.end())
        u[x] = r;
      else
        f->second = unite(f->second, r);
    }
  }
  return u;
}

int64_t hOf(const Stage& st, const Value* v) { return v->shape[st.hAxis.at(v)]; }

std::vector<Span> strips(int64_t h, int n) {
  std::vector<Span> s;
  for (int i = 0; i < n; ++i) s.push_back({h * i / n, h * (i + 1) / n});
  return s;
}

// Peak of live tensor bytes while running the stage in `n` strips (inputs of the graph not
// counted, slices of them are; the stage's output is live throughout), and the MACs of the
// strips' spatial nodes.
struct Estimate {
  int64_t peak = 0, macs = 0;
};

Estimate estimateStage(const Stage& st, int n) {
  Estimate e;
  for (const Span& p : strips(hOf(st, st.out), n)) {
    const auto u = rowsFor(st, p);
    auto part = [&](const Value* v, Span r) { return bytesOf(v) / std::max<int64_t>(1, hOf(st, v)) * r.rows(); };
    // What each value of this strip takes: its rows (a graph input only when sliced; the stage's
    // output is the Concat's, live throughout).
    auto held = [&](const Value* v) {
      if (v == st.out) return int64_t{0};
      if (st.sources.count(v) && u.at(v).rows() == hOf(st, v)) return int64_t{0};
      return part(v, u.at(v));
    };
    std::map<const Value*, size_t> last;  // last reader (stage index) in this strip
    for (size_t i = 0; i < st.nodes.size(); ++i)
      if (u.count(st.nodes[i]->outputs[0]))
        for (const Value* x : dataInputs(st, *st.nodes[i])) last[x] = i;
    int64_t live = bytesOf(st.out);
    for (const auto& kv : u)
      if (st.sources.count(kv.first))  // a slice of it, and a computed source (in the arena) whole
        live += held(kv.first) + (kv.first->producer ? bytesOf(kv.first) : 0);
    for (size_t i = 0; i < st.nodes.size(); ++i) {
      const Node& nd = *st.nodes[i];
      auto y = u.find(nd.outputs[0]);
      if (y == u.end()) continue;
      int64_t crops = 0;
      for (const Value* x : dataInputs(st, nd)) {
        const Span r = need(st, nd, y->second);
        if (r != u.at(x)) crops += part(x, r);
      }
      const int64_t mine = held(nd.outputs[0]);
      e.peak = std::max(e.peak, live + crops + mine);
      live += mine;
      for (const Value* x : dataInputs(st, nd))
        if (last.at(x) == i) live -= held(x);
      if (!last.count(nd.outputs[0])) live -= mine;
      e.macs += macsLayoutAware(nd) / std::max<int64_t>(1, hOf(st, nd.outputs[0])) * y->second.rows();
    }
  }
  return e;
}

// Live tensor bytes after each node of the schedule (graph inputs and constants not counted,
// outputs kept), and the peak at each step (what is live while the node runs).
std::vector<int64_t> stepPeaks(const Graph& g) {
  std::map<const Value*, size_t> last;
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (const Value* in : g.nodes[i]->inputs)
      if (in) last[in] = i;
  std::vector<int64_t> peaks;
  int64_t live = 0;
  for (size_t i = 0; i < g.nodes.size(); ++i) {
    const Node& n = *g.nodes[i];
    for (const Value* o : n.outputs)
      if (o) live += bytesOf(o);
    peaks.push_back(live);
    for (const Value* in : n.inputs)
      if (in && in->producer && !g.isGraphOutput(in) && last.at(in) == i) {
        live -= bytesOf(in);
        last[in] = SIZE_MAX;
      }
    for (const Value* o : n.outputs)
      if (o && !g.isGraphOutput(o) && !last.count(o)) live -= bytesOf(o);
  }
  return peaks;
}

Value* int64Const(Graph& g, const std::string& base, int64_t v) {
  Tensor t(DType::I64, {1});
  t.setI(0, v);
  return rw::addConst(g, base, std::move(t));
}

// Rows r of x (H axis `axis`) as a new value, by a Slice before `anchor`.
Value* sliceRows(Graph& g, const Node* anchor, Value* x, size_t axis, Span r, const std::string& name) {
  Shape s = x->shape;
  s[axis] = r.rows();
  Value* y = g.addValue(rw::uniqueValueName(g, name), x->dtype, s);
  y->quant = x->quant;
  rw::insertNodeBefore(g, anchor, "Slice", y->name,
                       {x, int64Const(g, name + "_start", r.lo), int64Const(g, name + "_end", r.hi),
                        int64Const(g, name + "_axis", static_cast<int64_t>(axis))},
                       {y});
  return y;
}

void rewrite(Graph& g, const Stage& st, int n) {
  const Node* anchor = nullptr;  // the first node after the stage
  for (size_t i = 0; i + 1 < g.nodes.size(); ++i)
    if (g.nodes[i].get() == st.nodes.back()) anchor = g.nodes[i + 1].get();
  std::vector<Value*> parts;
  int index = 0;
  for (const Span& p : strips(hOf(st, st.out), n)) {
    const std::string tag = "_patch" + std::to_string(index++);
    const auto u = rowsFor(st, p);
    std::map<const Value*, Value*> val;
    for (const auto& [v, r] : u)
      if (st.sources.count(v))
        val[v] = r.rows() == hOf(st, v) ? const_cast<Value*>(v)
                                        : sliceRows(g, anchor, const_cast<Value*>(v), st.hAxis.at(v), r, v->name + tag);
    for (const Node* nd : st.nodes) {
      auto y = u.find(nd->outputs[0]);
      if (y == u.end()) continue;
      std::vector<Value*> ins = nd->inputs;
      for (size_t i = 0; i < ins.size(); ++i) {
        Value*& x = ins[i];
        if (!x || !st.hAxis.count(x) || (isSpatial(*nd) && i > 0)) continue;
        const Span r = need(st, *nd, y->second), have = u.at(x);
        Value* src = val.at(x);
        x = r == have ? src
                      : sliceRows(g, anchor, src, st.hAxis.at(x), {r.lo - have.lo, r.hi - have.lo},
                                  x->name + tag + "_crop");
      }
      const Value* old = nd->outputs[0];
      Shape s = old->shape;
      s[st.hAxis.at(old)] = y->second.rows();
      Value* out = g.addValue(rw::uniqueValueName(g, old->name + tag), old->dtype, s);
      out->quant = old->quant;
      AttrMap attrs = nd->attrs;
      if (st.geom.count(nd)) {
        const RowGeom& r = st.geom.at(nd);
        const Span in = need(st, *nd, y->second);
        const int64_t top = in.lo - (y->second.lo * r.s - r.pt);
        const int64_t bottom = ((y->second.hi - 1) * r.s - r.pt + (r.k - 1) * r.d + 1) - in.hi;
        attrs["pads"] = Attr::Ints({top, r.pl, bottom, r.pr});
        attrs["auto_pad"] = Attr::Str("NOTSET");
      }
      if (nd->op == opDef("Reshape")) {  // the strip's shape
        Tensor shape(DType::I64, {static_cast<int64_t>(s.size())});
        for (size_t i = 0; i < s.size(); ++i) shape.setI(static_cast<int64_t>(i), s[i]);
        ins[1] = rw::addConst(g, old->name + tag + "_shape", std::move(shape));
      }
      rw::insertNodeBefore(g, anchor, nd->opType, nd->name + tag, ins, {out}, attrs);
      val[old] = out;
      if (old == st.out) parts.push_back(out);
    }
  }
  rw::insertNodeBefore(g, anchor, "Concat", st.out->name + "_patches", parts, {st.out},
                       {{"axis", Attr::Int(static_cast<int64_t>(st.hAxis.at(st.out)))}});
  for (Node* nd : st.nodes) rw::detach(nd);
}

// Extends `st` (its sources set) over the schedule from node `from` on: every admitted node that
// reads the stage joins it; each point after which only the newest node's output leaves the stage
// is a candidate cut.
void collectCuts(const Graph& g, Stage st, size_t from, std::vector<Stage>* cuts) {
  for (const Node* n : floatIslands(g)) st.excluded.insert(n);
  std::map<const Value*, size_t> lastUse;
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (const Value* in : g.nodes[i]->inputs)
      if (in) lastUse[in] = i;
  for (size_t i = from; i + 1 < g.nodes.size(); ++i) {
    Node* n = g.nodes[i].get();
    // Nodes that read nothing of the stage stay where they are (before the strips).
    if (std::none_of(n->inputs.begin(), n->inputs.end(), [&](const Value* v) { return v && st.hAxis.count(v); }))
      continue;
    if (!admit(st, *n)) break;
    st.nodes.push_back(n);
    // Closed after node i: every stage value but node i's output is dead, none is an output.
    bool closed = !g.isGraphOutput(n->outputs[0]) && lastUse.count(n->outputs[0]);
    for (const Node* m : st.nodes)
      if (m != n && (g.isGraphOutput(m->outputs[0]) || (lastUse.count(m->outputs[0]) && lastUse.at(m->outputs[0]) > i)))
        closed = false;
    const bool spatial =
        std::any_of(st.nodes.begin(), st.nodes.end(), [&](const Node* m) { return st.geom.count(m) != 0; });
    if (closed && spatial && hOf(st, n->outputs[0]) >= 2) {  // (elementwise nodes alone gain nothing)
      Stage c = st;
      c.out = n->outputs[0];
      cuts->push_back(std::move(c));
    }
  }
}

// The first stage: from the graph inputs.
std::vector<Stage> firstStageCuts(const Graph& g) {
  Stage st;
  for (size_t i = 0; i < g.inputs.size(); ++i) {
    const Value* x = g.inputs[i];
    const bool nhwc = i < g.inputLayouts.size() && g.inputLayouts[i] == "NHWC";
    if (x->shape.size() == 4 && x->shape[0] == 1 && !nhwc) {
      st.hAxis[x] = 2;
      st.sources.insert(x);
    }
  }
  std::vector<Stage> cuts;
  collectCuts(g, st, 0, &cuts);
  return cuts;
}

// Later stages (auto only): from the output of a convolution or pool further down, read by the
// stage as a source held whole (an inverted bottleneck's expansion after a squeeze-excitation
// block, where the first stage had to stop).
std::vector<Stage> laterStageCuts(const Graph& g) {
  std::vector<Stage> cuts;
  for (size_t p = 0; p + 1 < g.nodes.size(); ++p) {
    const Node& n = *g.nodes[p];
    const Value* y = n.outputs.empty() ? nullptr : n.outputs[0];
    if (!isSpatial(n) || n.outputs.size() != 1 || !y || y->shape.size() != 4 || y->shape[0] != 1 ||
        g.isGraphOutput(y))
      continue;
    Stage st;
    st.hAxis[y] = isChannelsLast(n) ? 1 : 2;
    if (y->shape[st.hAxis[y]] < 2) continue;
    st.sources.insert(y);
    collectCuts(g, st, p + 1, &cuts);
  }
  return cuts;
}

// Live tensor bytes that a stage does not see: values computed before its first node and read
// after its last (a skip connection around it), and graph outputs computed before it.
int64_t liveAcross(const Graph& g, const Stage& st) {
  std::map<const Node*, size_t> at;
  for (size_t i = 0; i < g.nodes.size(); ++i) at[g.nodes[i].get()] = i;
  const size_t first = at.at(st.nodes.front()), last = at.at(st.nodes.back());
  std::map<const Value*, size_t> lastUse;
  for (size_t i = 0; i < g.nodes.size(); ++i)
    for (const Value* in : g.nodes[i]->inputs)
      if (in) lastUse[in] = i;
  int64_t bytes = 0;
  for (size_t i = 0; i < first; ++i)
    for (const Value* v : g.nodes[i]->outputs)
      if (v && !st.sources.count(v) && (g.isGraphOutput(v) || (lastUse.count(v) && lastUse.at(v) > last)))
        bytes += bytesOf(v);
  return bytes;
}

class Patch : public Pass {
 public:
  bool run(Graph& g, PassContext& ctx) override {
    const int want = ctx.options().patch;
    if (want == 0 || g.nodes.empty()) return false;
    int64_t totalMacs = 0, extra = 0, base0 = 0;
    for (const auto& n : g.nodes) totalMacs += macsLayoutAware(*n);
    for (int64_t p : stepPeaks(g)) base0 = std::max(base0, p);
    // --patch N: the first stage in N strips. auto: the first stage and then later ones, one at
    // a time, each taken when it lowers the estimated peak by more than 10%, while all of them
    // together add under 20% MACs.
    int stages = 0;
    for (; stages < (want > 0 ? 1 : 4); ++stages)
      if (!patchOnce(g, ctx, want, totalMacs, &extra)) break;
    if (stages == 0) return false;
    int64_t after = 0;
    for (int64_t p : stepPeaks(g)) after = std::max(after, p);
    ctx.count("patched stages", stages);
    ctx.count("estimated peak before", base0);
    ctx.count("estimated peak after", after);
    ctx.count("extra MACs", extra);
    return true;
  }

 private:
  static bool patchOnce(Graph& g, PassContext& ctx, int want, int64_t totalMacs, int64_t* extraSoFar) {
    std::vector<Stage> cuts = firstStageCuts(g);
    if (want < 0)
      for (Stage& st : laterStageCuts(g)) cuts.push_back(std::move(st));
    if (cuts.empty()) return false;
    const std::vector<int64_t> peaks = stepPeaks(g);
    int64_t base = 0;
    for (int64_t p : peaks) base = std::max(base, p);
    struct Choice {
      size_t cut = 0;
      int n = 0;
      int64_t peak = 0, stagePeak = 0, extra = 0;
    };
    std::optional<Choice> best;
    std::map<const Node*, size_t> at;
    for (size_t i = 0; i < g.nodes.size(); ++i) at[g.nodes[i].get()] = i;
    for (size_t c = 0; c < cuts.size(); ++c) {
      const Stage& st = cuts[c];
      const size_t begin = at.at(st.nodes.front()), end = at.at(st.nodes.back());
      int64_t outside = 0, stageMacs = 0;  // the peak of the steps before and after the stage
      for (size_t i = 0; i < peaks.size(); ++i)
        if (i < begin || i > end) outside = std::max(outside, peaks[i]);
      for (const Node* n : st.nodes) stageMacs += macsLayoutAware(*n);
      const int64_t across = liveAcross(g, st), h = hOf(st, st.out);
      for (int n = want > 0 ? want : 2; n <= (want > 0 ? want : 8); ++n) {
        if (n > h) break;
        const Estimate e = estimateStage(st, n);
        const Choice ch{c, n, std::max(outside, e.peak + across), e.peak + across, e.macs - stageMacs};
        if (want < 0 && (ch.peak * 10 > base * 9 || (*extraSoFar + ch.extra) * 5 > totalMacs)) continue;
        // Ties: the lower peak of the stage itself (a later stage may then lower the rest), then
        // fewer extra MACs.
        if (!best || std::tie(ch.peak, ch.stagePeak, ch.extra) < std::tie(best->peak, best->stagePeak, best->extra))
          best = ch;
      }
    }
    if (!best) return false;
    rewrite(g, cuts[best->cut], best->n);
    refreshGraph(g);
    *extraSoFar += best->extra;
    ctx.count("patches", best->n);
    ctx.count("stage nodes", static_cast<int64_t>(cuts[best->cut].nodes.size()));
    return true;
  }
};

}  // namespace

std::unique_ptr<Pass> createPatch() { return std::make_unique<Patch>(); }

}  // namespace tinyc
