#include "onnx/control_flow.h"

#include <algorithm>
#include <cstdint>
#include <map>

#include "onnx/tensor_proto.h"
#include "support/error.h"

namespace tinyc {

namespace {

// Unrolling multiplies a body by its trip count: a model that would grow past this many nodes is
// refused rather than compiled for minutes.
constexpr size_t kMaxUnrolledNodes = 100000;

bool isDefaultDomain(const std::string& d) { return d.empty() || d == "ai.onnx"; }

std::string where(const onnx::NodeProto& n) {
  return fmt::format("node '{}' ({})", printable(n.name()), printable(n.op_type()));
}

const onnx::GraphProto* graphAttr(const onnx::NodeProto& n, const char* name) {
  for (const auto& a : n.attribute())
    if (a.name() == name && a.has_g()) return &a.g();
  return nullptr;
}
const onnx::GraphProto& requireGraph(const onnx::NodeProto& n, const char* name) {
  const onnx::GraphProto* g = graphAttr(n, name);
  if (!g) modelError("{}: attribute '{}' (a graph) is missing", where(n), name);
  if (g->sparse_initializer_size() > 0) modelError("{}: sparse initializers are not supported", where(n));
  return *g;
}
std::vector<int64_t> intsAttr(const onnx::NodeProto& n, const char* name) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return {a.ints().begin(), a.ints().end()};
  return {};
}
bool intAttr(const onnx::NodeProto& n, const char* name, int64_t* v) {
  for (const auto& a : n.attribute())
    if (a.name() == name) return *v = a.i(), true;
  return false;
}

// A scalar known at compile time (an integer or bool tensor of one element).
int64_t knownScalar(const onnx::NodeProto& n, const std::string& what, const ProbedValue& v) {
  if (!v.known)
    modelError("{}: its {} must be known at compile time (tinyc unrolls control flow: a data-dependent one "
               "cannot be planned)",
               where(n), what);
  if (v.value.numel() != 1) modelError("{}: its {} has {} elements, expected one", where(n), what, v.value.numel());
  return v.value.getI(0);
}

void renameGraph(onnx::GraphProto& g, const std::map<std::string, std::string>& map);
// Every reference to a name of `map` in n (inputs, outputs, nested graphs) takes the new name.
void renameRefs(onnx::NodeProto& n, const std::map<std::string, std::string>& map) {
  for (int i = 0; i < n.input_size(); ++i)
    if (auto it = map.find(n.input(i)); it != map.end()) n.set_input(i, it->second);
  for (int i = 0; i < n.output_size(); ++i)
    if (auto it = map.find(n.output(i)); it != map.end()) n.set_output(i, it->second);
  for (auto& a : *n.mutable_attribute()) {
    if (a.has_g()) renameGraph(*a.mutable_g(), map);
    for (auto& g : *a.mutable_graphs()) renameGraph(g, map);
  }
}
// A nested graph: ONNX names are unique across scopes, so its own names are not in the map; its
// references to the enclosing body's names are.
void renameGraph(onnx::GraphProto& g, const std::map<std::string, std::string>& map) {
  for (auto& n : *g.mutable_node()) renameRefs(n, map);
  for (auto& o : *g.mutable_output())
    if (auto it = map.find(o.name()); it != map.end()) o.set_name(it->second);
}

// Where a Loop body's condition output comes from, through Identity nodes: the body's condition
// input, a Constant of the body, a name of the enclosing graph, or something it computes.
struct LoopCondition {
  enum Kind { PassThrough, Constant, Outer, Computed } kind = Computed;
  const onnx::TensorProto* value = nullptr;  // Constant
  std::string name;                          // Outer
};
LoopCondition loopCondition(const onnx::GraphProto& body) {
  std::map<std::string, const onnx::NodeProto*> producer;
  for (const auto& n : body.node())
    for (const auto& o : n.output()) producer[o] = &n;
  std::string at = body.output(0).name();
  for (int hops = 0; hops <= body.node_size(); ++hops) {
    LoopCondition c;
    if (at == body.input(1).name()) return c.kind = LoopCondition::PassThrough, c;
    for (const auto& init : body.initializer())
      if (init.name() == at) return c.kind = LoopCondition::Constant, c.value = &init, c;
    auto it = producer.find(at);
    if (it == producer.end()) return c.kind = LoopCondition::Outer, c.name = at, c;
    const onnx::NodeProto& p = *it->second;
    if (p.op_type() == "Identity" && p.input_size() == 1) {
      at = p.input(0);
      continue;
    }
    if (p.op_type() == "Constant" && p.attribute_size() == 1 && p.attribute(0).name() == "value" && p.attribute(0).has_t())
      return c.kind = LoopCondition::Constant, c.value = &p.attribute(0).t(), c;
    return c;
  }
  return {};
}

class Expander {
 public:
  Expander(std::vector<onnx::NodeProto>& out, int opset, int id) : out_(out), opset_(opset), id_(id) {}

  void expandIf(const onnx::NodeProto& n, const ProbedValue& cond) {
    const bool c = knownScalar(n, fmt::format("condition '{}'", printable(n.input(0))), cond) != 0;
    const onnx::GraphProto& branch = requireGraph(n, c ? "then_branch" : "else_branch");
    const std::vector<std::string> outs = inlineBody(branch, {}, prefix(n, c ? "then" : "else"));
    if (static_cast<int>(outs.size()) != n.output_size())
      modelError("{}: the {} branch has {} outputs, the node {}", where(n), c ? "then" : "else", outs.size(),
                 n.output_size());
    for (int i = 0; i < n.output_size(); ++i)
      if (!n.output(i).empty()) identity(outs[static_cast<size_t>(i)], n.output(i), prefix(n, "out"));
  }

  void expandLoop(const onnx::NodeProto& n, const ProbedValue& tripCount, const ProbedValue& cond,
                  const ProbedValue& outerCondOut) {
    if (n.input_size() < 1 || n.input(0).empty())
      modelError("{}: a loop without a trip count (ended by its condition alone) cannot be unrolled at compile time",
                 where(n));
    const int64_t trips = knownScalar(n, fmt::format("trip count '{}'", printable(n.input(0))), tripCount);
    const bool start = n.input_size() < 2 || n.input(1).empty() ||
                       knownScalar(n, fmt::format("condition '{}'", printable(n.input(1))), cond) != 0;
    const onnx::GraphProto& body = requireGraph(n, "body");
    const int carried = n.input_size() - 2;
    if (carried < 0 || body.input_size() != 2 + carried || body.output_size() < 1 + carried ||
        n.output_size() != body.output_size() - 1)
      modelError("{}: its body's inputs and outputs do not match the node's", where(n));
    // The condition after an iteration: the one it got (the trip count ends the loop), or a
    // constant (false: one iteration at most).
    bool again = true;
    const LoopCondition lc = loopCondition(body);
    if (lc.kind == LoopCondition::Computed)
      modelError("{}: the loop's condition is computed in its body; tinyc unrolls loops that their trip count alone "
                 "ends",
                 where(n));
    if (lc.kind == LoopCondition::Constant) {
      const Tensor t = tensorFromProto(*lc.value, "");
      if (t.numel() != 1) modelError("{}: the condition its body returns has {} elements, expected one", where(n), t.numel());
      again = t.getI(0) != 0;
    }
    if (lc.kind == LoopCondition::Outer)
      again = knownScalar(n, fmt::format("condition '{}' (returned by its body)", printable(lc.name)), outerCondOut) != 0;
    const int64_t iters = start ? std::min<int64_t>(std::max<int64_t>(trips, 0), again ? INT64_MAX : 1) : 0;
    checkBudget(n, iters, body);
    std::vector<std::string> state(n.input().begin() + 2, n.input().end());
    const int scans = body.output_size() - 1 - carried;
    std::vector<std::vector<std::string>> items(static_cast<size_t>(scans));
    for (int64_t i = 0; i < iters; ++i) {
      const std::string p = prefix(n, fmt::format("iter{}", i));
      std::map<std::string, std::string> map;
      map[body.input(0).name()] = scalarConstant(p + "iter", onnx::TensorProto::INT64, i);
      map[body.input(1).name()] = scalarConstant(p + "cond", onnx::TensorProto::BOOL, 1);
      for (int j = 0; j < carried; ++j) map[body.input(2 + j).name()] = state[static_cast<size_t>(j)];
      const std::vector<std::string> outs = inlineBody(body, map, p);
      for (int j = 0; j < carried; ++j) state[static_cast<size_t>(j)] = outs[static_cast<size_t>(1 + j)];
      for (int k = 0; k < scans; ++k) items[static_cast<size_t>(k)].push_back(outs[static_cast<size_t>(1 + carried + k)]);
    }
    for (int j = 0; j < carried; ++j)
      if (!n.output(j).empty()) identity(state[static_cast<size_t>(j)], n.output(j), prefix(n, "out"));
    for (int k = 0; k < scans; ++k)
      if (!n.output(carried + k).empty()) {
        if (iters == 0)
          modelError("{}: the loop runs no iteration, so its scan output '{}' has no known shape", where(n),
                     printable(n.output(carried + k)));
        stack(items[static_cast<size_t>(k)], 0, n.output(carried + k), prefix(n, "stack"));
      }
  }

  void expandScan(const onnx::NodeProto& n, const std::vector<ProbedValue>& scanInputs, int64_t numScan) {
    const onnx::GraphProto& body = requireGraph(n, "body");
    const bool v8 = opset_ < 9;  // opset 8: a batch axis first, then the sequence, optional sequence_lens
    const int k = static_cast<int>(numScan), first = v8 ? 1 : 0, carried = n.input_size() - first - k;
    const int outs = body.output_size() - carried;
    if (k < 1 || carried < 0 || body.input_size() != carried + k || outs < 0 || n.output_size() != body.output_size())
      modelError("{}: its body's inputs and outputs do not match the node's", where(n));
    if (v8 && !n.input(0).empty())
      modelError("{}: Scan's sequence_lens is not supported (every sequence runs its whole length)", where(n));
    std::vector<int64_t> inAxes = intsAttr(n, "scan_input_axes"), inDirs = intsAttr(n, v8 ? "directions" : "scan_input_directions");
    std::vector<int64_t> outAxes = intsAttr(n, "scan_output_axes"), outDirs = intsAttr(n, "scan_output_directions");
    inAxes.resize(static_cast<size_t>(k), 0), inDirs.resize(static_cast<size_t>(k), 0);
    outAxes.resize(static_cast<size_t>(outs), 0), outDirs.resize(static_cast<size_t>(outs), 0);
    int64_t len = -1, batch = 1;
    for (int j = 0; j < k; ++j) {
      const Shape& s = scanInputs[static_cast<size_t>(j)].shape;
      int64_t& a = inAxes[static_cast<size_t>(j)];
      const int64_t rank = static_cast<int64_t>(s.size()) - (v8 ? 1 : 0);
      if (a < -rank || a >= rank)
        modelError("{}: scan axis {} of input '{}' is outside its rank {}", where(n), a,
                   printable(n.input(first + carried + j)), rank);
      if (a < 0) a += rank;
      const int64_t l = s[static_cast<size_t>(a + (v8 ? 1 : 0))];
      if (len >= 0 && l != len) modelError("{}: its scan inputs have different lengths ({} and {})", where(n), len, l);
      len = l;
      if (v8) batch = s[0];
    }
    checkBudget(n, len * batch, body);
    const std::vector<std::string> state0(n.input().begin() + first, n.input().begin() + first + carried);
    const std::vector<std::string> xs(n.input().begin() + first + carried, n.input().end());
    if (!v8) {
      std::vector<std::string> state = state0;
      const auto ys = scanSteps(n, body, state, xs, inAxes, inDirs, outDirs, len);
      for (int j = 0; j < carried; ++j)
        if (!n.output(j).empty()) identity(state[static_cast<size_t>(j)], n.output(j), prefix(n, "out"));
      for (int m = 0; m < outs; ++m)
        if (!n.output(carried + m).empty()) stack(ys[static_cast<size_t>(m)], outAxes[static_cast<size_t>(m)], n.output(carried + m), prefix(n, "stack"));
      return;
    }
    // opset 8: each batch element on its own (Gather along the batch axis), the results stacked
    std::vector<std::vector<std::string>> states(static_cast<size_t>(carried)), scans(static_cast<size_t>(outs));
    for (int64_t b = 0; b < batch; ++b) {
      const std::string p = prefix(n, fmt::format("batch{}", b));
      const std::string at = scalarConstant(p + "at", onnx::TensorProto::INT64, b);
      auto pick = [&](const std::string& v, const std::string& name) {
        onnx::NodeProto& g = add("Gather", {v, at}, {p + name}, p + name);
        setInt(g, "axis", 0);
        return p + name;
      };
      std::vector<std::string> state, x;
      for (int j = 0; j < carried; ++j) state.push_back(pick(state0[static_cast<size_t>(j)], fmt::format("s{}", j)));
      for (int j = 0; j < k; ++j) x.push_back(pick(xs[static_cast<size_t>(j)], fmt::format("x{}", j)));
      const auto ys = scanSteps(n, body, state, x, inAxes, inDirs, outDirs, len);
      for (int j = 0; j < carried; ++j) states[static_cast<size_t>(j)].push_back(state[static_cast<size_t>(j)]);
      for (int m = 0; m < outs; ++m) {
        const std::string y = p + fmt::format("y{}", m);
        stack(ys[static_cast<size_t>(m)], 0, y, p + fmt::format("y{}_", m));
        scans[static_cast<size_t>(m)].push_back(y);
      }
    }
    for (int j = 0; j < carried; ++j)
      if (!n.output(j).empty()) stack(states[static_cast<size_t>(j)], 0, n.output(j), prefix(n, "stack"));
    for (int m = 0; m < outs; ++m)
      if (!n.output(carried + m).empty()) stack(scans[static_cast<size_t>(m)], 0, n.output(carried + m), prefix(n, "stack"));
  }

 private:
  std::vector<onnx::NodeProto>& out_;
  int opset_;
  int id_;
  int serial_ = 0;

  std::string prefix(const onnx::NodeProto& n, const std::string& part) {
    return fmt::format("{}/{}#{}.{}/", n.name().empty() ? n.op_type() : n.name(), part, id_, serial_++);
  }

  onnx::NodeProto& add(const std::string& op, const std::vector<std::string>& ins, const std::vector<std::string>& outs,
                       const std::string& name) {
    onnx::NodeProto& n = out_.emplace_back();
    n.set_op_type(op);
    n.set_name(name);
    for (const auto& i : ins) n.add_input(i);
    for (const auto& o : outs) n.add_output(o);
    return n;
  }
  static void setInt(onnx::NodeProto& n, const char* name, int64_t v) {
    onnx::AttributeProto* a = n.add_attribute();
    a->set_name(name);
    a->set_type(onnx::AttributeProto::INT);
    a->set_i(v);
  }
  std::string scalarConstant(const std::string& name, int dtype, int64_t v) {
    onnx::NodeProto& n = add("Constant", {}, {name}, name);
    onnx::AttributeProto* a = n.add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    onnx::TensorProto* t = a->mutable_t();
    t->set_data_type(dtype);
    if (dtype == onnx::TensorProto::INT64) t->add_int64_data(v);
    else t->add_int32_data(static_cast<int32_t>(v));  // BOOL is stored in int32_data
    return name;
  }
  std::string intsConstant(const std::string& name, const std::vector<int64_t>& v) {
    onnx::NodeProto& n = add("Constant", {}, {name}, name);
    onnx::AttributeProto* a = n.add_attribute();
    a->set_name("value");
    a->set_type(onnx::AttributeProto::TENSOR);
    onnx::TensorProto* t = a->mutable_t();
    t->set_data_type(onnx::TensorProto::INT64);
    t->add_dims(static_cast<int64_t>(v.size()));
    for (int64_t x : v) t->add_int64_data(x);
    return name;
  }
  void identity(const std::string& from, const std::string& to, const std::string& name) {
    add("Identity", {from}, {to}, name);
  }
  // The items (each without the axis) stacked along `axis` into `to`: Unsqueeze each, Concat.
  void stack(const std::vector<std::string>& items, int64_t axis, const std::string& to, const std::string& p) {
    std::vector<std::string> parts;
    for (size_t i = 0; i < items.size(); ++i) {
      const std::string u = p + fmt::format("item{}", i);
      if (opset_ >= 13) {
        add("Unsqueeze", {items[i], intsConstant(u + "_axes", {axis})}, {u}, u);
      } else {
        onnx::NodeProto& n = add("Unsqueeze", {items[i]}, {u}, u);
        onnx::AttributeProto* a = n.add_attribute();
        a->set_name("axes");
        a->set_type(onnx::AttributeProto::INTS);
        a->add_ints(axis);
      }
      parts.push_back(u);
    }
    setInt(add("Concat", parts, {to}, p + "concat"), "axis", axis);
  }

  // Appends the body's nodes with the names `map` gives (the body's inputs -> outer names) and
  // every other name the body defines prefixed; returns the names of the body's outputs.
  std::vector<std::string> inlineBody(const onnx::GraphProto& body, std::map<std::string, std::string> map,
                                      const std::string& p) {
    for (const auto& init : body.initializer()) map[init.name()] = p + init.name();
    for (const auto& n : body.node())
      for (const auto& o : n.output())
        if (!o.empty()) map[o] = p + o;
    for (const auto& init : body.initializer()) {
      onnx::NodeProto& c = add("Constant", {}, {p + init.name()}, p + init.name());
      onnx::AttributeProto* a = c.add_attribute();
      a->set_name("value");
      a->set_type(onnx::AttributeProto::TENSOR);
      *a->mutable_t() = init;
      a->mutable_t()->set_name(p + init.name());
    }
    for (const auto& n : body.node()) {
      onnx::NodeProto& c = out_.emplace_back(n);
      c.set_name(n.name().empty() ? std::string() : p + n.name());  // (unnamed: the importer numbers it)
      renameRefs(c, map);
    }
    std::vector<std::string> outs;
    for (const auto& o : body.output()) {
      auto it = map.find(o.name());
      outs.push_back(it != map.end() ? it->second : o.name());  // (an outer value returned as it is)
    }
    return outs;
  }

  // The body over `len` steps: `state` carried (and left as the final state), the scan inputs
  // `xs` taken one element along their axes per step (reversed where their direction is 1);
  // returns each scan output's items in the order of their direction.
  std::vector<std::vector<std::string>> scanSteps(const onnx::NodeProto& n, const onnx::GraphProto& body,
                                                  std::vector<std::string>& state, const std::vector<std::string>& xs,
                                                  const std::vector<int64_t>& axes, const std::vector<int64_t>& dirs,
                                                  const std::vector<int64_t>& outDirs, int64_t len) {
    const int carried = static_cast<int>(state.size()), k = static_cast<int>(xs.size());
    const int outs = body.output_size() - carried;
    if (len == 0 && outs > 0) modelError("{}: the scan inputs are empty, so its scan outputs have no known shape", where(n));
    std::vector<std::vector<std::string>> items(static_cast<size_t>(outs));
    for (int64_t t = 0; t < len; ++t) {
      const std::string p = prefix(n, fmt::format("iter{}", t));
      std::map<std::string, std::string> map;
      for (int j = 0; j < carried; ++j) map[body.input(j).name()] = state[static_cast<size_t>(j)];
      for (int j = 0; j < k; ++j) {
        const int64_t at = dirs[static_cast<size_t>(j)] ? len - 1 - t : t;
        const std::string idx = scalarConstant(p + fmt::format("at{}", j), onnx::TensorProto::INT64, at);
        onnx::NodeProto& g = add("Gather", {xs[static_cast<size_t>(j)], idx}, {p + fmt::format("x{}", j)}, p + "gather");
        setInt(g, "axis", axes[static_cast<size_t>(j)]);
        map[body.input(carried + j).name()] = g.output(0);
      }
      const std::vector<std::string> o = inlineBody(body, map, p);
      for (int j = 0; j < carried; ++j) state[static_cast<size_t>(j)] = o[static_cast<size_t>(j)];
      for (int m = 0; m < outs; ++m) items[static_cast<size_t>(m)].push_back(o[static_cast<size_t>(carried + m)]);
    }
    for (int m = 0; m < outs; ++m)
      if (outDirs[static_cast<size_t>(m)]) std::reverse(items[static_cast<size_t>(m)].begin(), items[static_cast<size_t>(m)].end());
    return items;
  }

  void checkBudget(const onnx::NodeProto& n, int64_t iters, const onnx::GraphProto& body) {
    const double nodes = static_cast<double>(iters) * (body.node_size() + body.initializer_size() + 4);
    if (nodes > static_cast<double>(kMaxUnrolledNodes))
      modelError("{}: unrolling {} iterations of a {}-node body would exceed {} nodes", where(n), iters,
                 body.node_size(), kMaxUnrolledNodes);
  }
};

// Each control-flow op's unrolling: what it asks the probe (the values the first nodes compute),
// then the Expander.
using Probe = std::function<std::vector<ProbedValue>(const std::vector<std::string>&)>;

void unrollIf(Expander& e, const onnx::NodeProto& n, const Probe& probe) {
  if (n.input_size() != 1 || n.input(0).empty()) modelError("{}: expects one input (the condition)", where(n));
  e.expandIf(n, probe({n.input(0)})[0]);
}

void unrollLoop(Expander& e, const onnx::NodeProto& n, const Probe& probe) {
  // trip count, initial condition, and the condition the body returns when it is an outer value
  std::vector<std::string> names;
  for (int k = 0; k < 2; ++k) names.push_back(k < n.input_size() ? n.input(k) : std::string());
  const onnx::GraphProto* body = graphAttr(n, "body");
  if (body && body->input_size() >= 2 && body->output_size() >= 1) {
    const LoopCondition lc = loopCondition(*body);
    names.push_back(lc.kind == LoopCondition::Outer ? lc.name : std::string());
  }
  names.resize(3);
  std::vector<std::string> asked;
  for (const auto& s : names)
    if (!s.empty()) asked.push_back(s);
  std::vector<ProbedValue> got = asked.empty() ? std::vector<ProbedValue>() : probe(asked), v(3);
  for (size_t k = 0, j = 0; k < 3; ++k)
    if (!names[k].empty()) v[k] = got[j++];
  e.expandLoop(n, v[0], v[1], v[2]);
}

void unrollScan(Expander& e, const onnx::NodeProto& n, const Probe& probe) {
  int64_t k = 0;
  if (!intAttr(n, "num_scan_inputs", &k) || k < 1 || k > n.input_size())
    modelError("{}: attribute 'num_scan_inputs' is missing or out of range", where(n));
  std::vector<std::string> scanNames(n.input().end() - k, n.input().end());
  for (const auto& s : scanNames)
    if (s.empty()) modelError("{}: a scan input is missing", where(n));
  e.expandScan(n, probe(scanNames), k);
}

using Unroll = void (*)(Expander&, const onnx::NodeProto&, const Probe&);
const std::map<std::string, Unroll>& unrollers() {
  static const std::map<std::string, Unroll> table = {{"If", unrollIf}, {"Loop", unrollLoop}, {"Scan", unrollScan}};
  return table;
}

}  // namespace

bool isControlFlowNode(const onnx::NodeProto& n) {
  return isDefaultDomain(n.domain()) && unrollers().count(n.op_type()) > 0;
}

void expandControlFlow(std::vector<onnx::NodeProto>& nodes, int opset, const ControlFlowProbe& probe) {
  size_t added = 0;
  int id = 0;
  for (size_t i = 0; i < nodes.size();) {
    if (!isControlFlowNode(nodes[i])) {
      ++i;
      continue;
    }
    const onnx::NodeProto n = nodes[i];
    std::vector<onnx::NodeProto> expansion;
    Expander e(expansion, opset, id++);
    unrollers().at(n.op_type())(e, n, [&](const std::vector<std::string>& names) { return probe(i, names); });
    added += expansion.size();
    if (added > kMaxUnrolledNodes)
      modelError("{}: unrolling the model's control flow would exceed {} nodes", where(n), kMaxUnrolledNodes);
    nodes.erase(nodes.begin() + static_cast<std::ptrdiff_t>(i));
    nodes.insert(nodes.begin() + static_cast<std::ptrdiff_t>(i), expansion.begin(), expansion.end());
  }
}

}  // namespace tinyc
