#include "ir/graph.h"

#include <algorithm>
#include <map>
#include <set>

#include "support/error.h"

namespace tinyc {

const char* attrKindName(Attr::Kind k) {
  switch (k) {
    case Attr::Kind::Int: return "int";
    case Attr::Kind::Float: return "float";
    case Attr::Kind::String: return "string";
    case Attr::Kind::Ints: return "ints";
    case Attr::Kind::Floats: return "floats";
    case Attr::Kind::Strings: return "strings";
    case Attr::Kind::Tensor: return "tensor";
  }
  return "?";
}

std::string Node::where() const {
  return fmt::format("node '{}' ({})", printable(name), printable(opType));
}

const Attr& Node::attr(const std::string& n) const {
  auto it = attrs.find(n);
  if (it == attrs.end()) modelError("{}: missing attribute '{}'", where(), n);
  return it->second;
}

namespace {
const Attr& typed(const Node& node, const std::string& n, Attr::Kind k) {
  const Attr& a = node.attr(n);
  if (a.kind != k)
    modelError("{}: attribute '{}' must be {}, got {}", node.where(), n, attrKindName(k), attrKindName(a.kind));
  return a;
}
}  // namespace

int64_t Node::attrInt(const std::string& n) const { return typed(*this, n, Attr::Kind::Int).i; }
float Node::attrFloat(const std::string& n) const { return typed(*this, n, Attr::Kind::Float).f; }
const std::string& Node::attrStr(const std::string& n) const { return typed(*this, n, Attr::Kind::String).s; }
const std::vector<int64_t>& Node::attrInts(const std::string& n) const { return typed(*this, n, Attr::Kind::Ints).ints; }
const std::vector<float>& Node::attrFloats(const std::string& n) const {
  return typed(*this, n, Attr::Kind::Floats).floats;
}

Value* Graph::addValue(const std::string& n, DType dtype, Shape shape) {
  auto v = std::make_unique<Value>();
  v->id = static_cast<int>(values.size());
  v->name = n;
  v->dtype = dtype;
  v->shape = std::move(shape);
  values.push_back(std::move(v));
  return values.back().get();
}

Value* Graph::addConstant(const std::string& n, TensorPtr t) {
  Value* v = addValue(n, t->dtype(), t->shape());
  v->constant = std::move(t);
  return v;
}

Node* Graph::addNode(const std::string& opType, const std::string& n, std::vector<Value*> ins,
                     std::vector<Value*> outs, AttrMap attrs) {
  auto node = std::make_unique<Node>();
  node->opType = opType;
  node->name = n;
  node->inputs = std::move(ins);
  node->outputs = std::move(outs);
  node->attrs = std::move(attrs);
  for (Value* o : node->outputs)
    if (o) o->producer = node.get();
  nodes.push_back(std::move(node));
  return nodes.back().get();
}

std::vector<Node*> Graph::users(const Value* v) const {
  std::vector<Node*> out;
  for (const auto& n : nodes)
    if (std::find(n->inputs.begin(), n->inputs.end(), v) != n->inputs.end()) out.push_back(n.get());
  return out;
}

bool Graph::isGraphOutput(const Value* v) const {
  return std::find(outputs.begin(), outputs.end(), v) != outputs.end();
}

void Graph::topoSort() {
  // Kahn's algorithm; among ready nodes the earliest in the current order goes first (stable).
  std::map<const Node*, size_t> index;
  for (size_t i = 0; i < nodes.size(); ++i) index[nodes[i].get()] = i;
  std::vector<int> pending(nodes.size(), 0);
  std::vector<std::vector<size_t>> consumers(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) {
    std::set<size_t> deps;
    for (Value* in : nodes[i]->inputs) {
      if (!in || !in->producer) continue;
      auto it = index.find(in->producer);
      if (it == index.end()) continue;
      deps.insert(it->second);
    }
    pending[i] = static_cast<int>(deps.size());
    for (size_t d : deps) consumers[d].push_back(i);
  }
  std::set<size_t> ready;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (pending[i] == 0) ready.insert(i);
  std::vector<size_t> order;
  while (!ready.empty()) {
    size_t i = *ready.begin();
    ready.erase(ready.begin());
    order.push_back(i);
    for (size_t c : consumers[i])
      if (--pending[c] == 0) ready.insert(c);
  }
  if (order.size() != nodes.size()) {
    for (size_t i = 0; i < nodes.size(); ++i)
      if (pending[i] > 0) modelError("graph has a cycle through {}", nodes[i]->where());
  }
  std::vector<std::unique_ptr<Node>> sorted;
  sorted.reserve(nodes.size());
  for (size_t i : order) sorted.push_back(std::move(nodes[i]));
  nodes = std::move(sorted);
}

void Graph::compact() {
  // Dead nodes: outputs unused and not graph outputs. Iterate backwards to a fixed point.
  std::set<const Value*> live(outputs.begin(), outputs.end());
  std::vector<std::unique_ptr<Node>> kept;
  for (auto it = nodes.rbegin(); it != nodes.rend(); ++it) {
    bool used = false;
    for (Value* o : (*it)->outputs)
      if (o && live.count(o)) used = true;
    if (!used) continue;
    for (Value* in : (*it)->inputs)
      if (in) live.insert(in);
    kept.push_back(std::move(*it));
  }
  std::reverse(kept.begin(), kept.end());
  nodes = std::move(kept);
  for (Value* in : inputs) live.insert(in);
  for (auto& n : nodes)
    for (Value* o : n->outputs)
      if (o) live.insert(o);
  std::vector<std::unique_ptr<Value>> vals;
  for (auto& v : values)
    if (live.count(v.get())) {
      v->id = static_cast<int>(vals.size());
      vals.push_back(std::move(v));
    }
  values = std::move(vals);
}

}  // namespace tinyc
