#include "onnx/importer.h"

#include <onnx/onnx_pb.h>

#include <filesystem>
#include <map>
#include <set>

#include "ir/verifier.h"
#include "onnx/control_flow.h"
#include "onnx/tensor_proto.h"
#include "onnx/upgrade.h"
#include "ops/op.h"
#include "ops/qparams.h"
#include "support/error.h"
#include "support/npy.h"

namespace tinyc {

void parseInputShapeOption(const std::string& spec, ImportOptions& opts) {
  auto eq = spec.rfind('=');
  if (eq == std::string::npos || eq == 0 || eq + 1 == spec.size())
    usageError("--input-shape expects NAME=D0,D1,... (got '{}')", printable(spec));
  std::string name = spec.substr(0, eq);
  Shape shape;
  std::string dims = spec.substr(eq + 1);
  size_t pos = 0;
  while (pos <= dims.size()) {
    size_t comma = dims.find(',', pos);
    std::string d = dims.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    if (d.empty() || d.size() > 12 || d.find_first_not_of("0123456789") != std::string::npos)
      usageError("--input-shape '{}': '{}' is not a dimension", printable(spec), printable(d));
    shape.push_back(std::stoll(d));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  opts.inputShapes[name] = shape;
}

namespace {

constexpr int kMaxFunctionDepth = 16;

bool isDefaultDomain(const std::string& d) { return d.empty() || d == "ai.onnx"; }

// ---- attributes ---------------------------------------------------------------------------

Attr convertAttr(const onnx::AttributeProto& a, const std::string& where, const std::string& baseDir) {
  using AP = onnx::AttributeProto;
  int type = a.type();
  if (type == AP::UNDEFINED) {  // very old writers: infer from the field that is set
    if (a.has_f()) type = AP::FLOAT;
    else if (a.has_i()) type = AP::INT;
    else if (a.has_s()) type = AP::STRING;
    else if (a.has_t()) type = AP::TENSOR;
    else if (a.floats_size()) type = AP::FLOATS;
    else if (a.ints_size()) type = AP::INTS;
    else if (a.strings_size()) type = AP::STRINGS;
  }
  switch (type) {
    case AP::FLOAT: return Attr::Float(a.f());
    case AP::INT: return Attr::Int(a.i());
    case AP::STRING: return Attr::Str(a.s());
    case AP::TENSOR: return Attr::TensorV(std::make_shared<Tensor>(tensorFromProto(a.t(), baseDir)));
    case AP::FLOATS: return Attr::Floats({a.floats().begin(), a.floats().end()});
    case AP::INTS: return Attr::Ints({a.ints().begin(), a.ints().end()});
    case AP::STRINGS: return Attr::Strings({a.strings().begin(), a.strings().end()});
    default:
      modelError("{}: attribute '{}' has a type ({}) that is not supported (subgraphs, sparse tensors)", where,
                 printable(a.name()), type);
  }
}

// ---- local functions ----------------------------------------------------------------------

struct Inliner {
  std::map<std::string, const onnx::FunctionProto*> functions;  // "domain::name"
  int counter = 0;

  const onnx::FunctionProto* find(const onnx::NodeProto& n) const {
    auto it = functions.find(n.domain() + "::" + n.op_type());
    return it == functions.end() ? nullptr : it->second;
  }

  // Appends `n` (or, for a function call, its inlined body) to `out`.
  void expand(const onnx::NodeProto& n, std::vector<onnx::NodeProto>& out, int depth) {
    const onnx::FunctionProto* f = find(n);
    if (!f) {
      out.push_back(n);
      return;
    }
    if (depth > kMaxFunctionDepth)
      modelError("node '{}' ({}): local functions nest deeper than {} (recursive?)", printable(n.name()),
                 printable(n.op_type()), kMaxFunctionDepth);
    std::string prefix = fmt::format("{}/f{}/", n.name().empty() ? f->name() : n.name(), counter++);
    std::map<std::string, std::string> rename;
    for (int i = 0; i < f->input_size(); ++i) rename[f->input(i)] = i < n.input_size() ? n.input(i) : "";
    for (int i = 0; i < f->output_size(); ++i) rename[f->output(i)] = i < n.output_size() ? n.output(i) : "";
    std::map<std::string, const onnx::AttributeProto*> callAttrs;
    for (const auto& a : n.attribute()) callAttrs[a.name()] = &a;
    auto mapName = [&](const std::string& s) -> std::string {
      if (s.empty()) return s;
      auto it = rename.find(s);
      return it != rename.end() ? it->second : prefix + s;
    };
    for (const auto& body : f->node()) {
      onnx::NodeProto copy = body;
      copy.set_name(prefix + body.name());
      for (int i = 0; i < copy.input_size(); ++i) copy.set_input(i, mapName(body.input(i)));
      for (int i = 0; i < copy.output_size(); ++i) copy.set_output(i, mapName(body.output(i)));
      copy.clear_attribute();
      for (const auto& a : body.attribute()) {
        if (a.has_ref_attr_name()) {
          auto it = callAttrs.find(a.ref_attr_name());
          if (it == callAttrs.end()) continue;  // not given at the call: the op default applies
          onnx::AttributeProto* na = copy.add_attribute();
          *na = *it->second;
          na->set_name(a.name());
        } else {
          *copy.add_attribute() = a;
        }
      }
      expand(copy, out, depth + 1);
    }
  }
};

// ---- the importer -------------------------------------------------------------------------

class Importer {
 public:
  Importer(const ImportOptions& opts, std::string baseDir) : opts_(opts), baseDir_(std::move(baseDir)) {}

  std::unique_ptr<Graph> run(const onnx::ModelProto& model) {
    g_ = std::make_unique<Graph>();
    checkModel(model);
    const onnx::GraphProto& gp = model.graph();
    g_->name = gp.name();
    g_->opsetVersion = opset_;

    Inliner inl;
    for (const auto& f : model.functions()) inl.functions[f.domain() + "::" + f.name()] = &f;
    std::vector<onnx::NodeProto> nodes;
    for (const auto& n : gp.node()) inl.expand(n, nodes, 0);
    if (std::any_of(nodes.begin(), nodes.end(), isControlFlowNode))
      expandControlFlow(nodes, opset_, [&](size_t upto, const std::vector<std::string>& names) {
        return probe(model, nodes, upto, names);
      });

    if (gp.sparse_initializer_size() > 0) modelError("sparse initializers are not supported");
    for (const auto& init : gp.initializer()) {
      auto t = std::make_shared<Tensor>(tensorFromProto(init, baseDir_, opts_.filesRead));
      Value* c = g_->addConstant(init.name(), t);
      if (is4BitType(init.data_type())) c->storageBits = 4;
      define(init.name(), c, "initializer");
    }
    for (const auto& in : gp.input()) {
      if (byName_.count(in.name())) {
        if (byName_[in.name()]->isConstant()) continue;  // initializer also listed as input
        modelError("graph input '{}' is defined twice", printable(in.name()));
      }
      if (auto c = opts_.constantInputs.find(in.name()); c != opts_.constantInputs.end()) {
        define(in.name(), g_->addConstant(in.name(), std::make_shared<Tensor>(c->second)), "graph input");
        continue;
      }
      Value* v = g_->addValue(in.name());
      setInputType(in, v);
      define(in.name(), v, "graph input");
      g_->inputs.push_back(v);
    }
    for (const auto& [name, shape] : opts_.inputShapes) {
      bool found = false;
      for (const Value* v : g_->inputs) found |= v->name == name;
      if (!found) usageError("--input-shape names '{}', which is not a graph input", printable(name));
    }

    // First pass: create every node's outputs (nodes need not be sorted), Constants as constants.
    std::vector<std::pair<const onnx::NodeProto*, Node*>> created;
    std::map<std::string, std::vector<std::string>> unsupported;
    int index = 0;
    for (const auto& np : nodes) {
      ++index;
      std::string name = np.name().empty() ? fmt::format("{}_{}", np.op_type(), index) : np.name();
      if (isDefaultDomain(np.domain()) && np.op_type() == kConstantOp) {
        importConstant(np, name);
        continue;
      }
      std::string op = isDefaultDomain(np.domain()) ? np.op_type() : np.domain() + "::" + np.op_type();
      if (!isDefaultDomain(np.domain()) || !OpRegistry::instance().find(op)) unsupported[op].push_back(name);
      std::vector<Value*> outs;
      for (const auto& o : np.output()) {
        if (o.empty()) {
          outs.push_back(nullptr);
          continue;
        }
        Value* v = g_->addValue(o);
        define(o, v, fmt::format("output of node '{}'", printable(name)));
        outs.push_back(v);
      }
      Node* n = g_->addNode(op, name, {}, outs);
      created.emplace_back(&np, n);
    }
    if (!unsupported.empty()) reportUnsupported(unsupported);

    // Second pass: inputs, attributes, opset upgrade, registry binding.
    std::set<std::string> names;
    for (const auto& v : g_->values) names.insert(v->name);
    UpgradeCtx up(*g_, names, opset_);
    for (auto& [np, n] : created) {
      for (const auto& in : np->input()) {
        if (in.empty()) {
          n->inputs.push_back(nullptr);
          continue;
        }
        auto it = byName_.find(in);
        if (it == byName_.end())
          modelError("{}: input '{}' is not produced by any node, initializer or graph input", n->where(),
                     printable(in));
        n->inputs.push_back(it->second);
      }
      while (!n->inputs.empty() && !n->inputs.back()) n->inputs.pop_back();
      if (n->opType.rfind("tinyc.", 0) == 0)
        modelError("{}: op type '{}' uses the reserved prefix 'tinyc.'", n->where(), printable(n->opType));
      for (const auto& a : np->attribute()) {
        if (a.name().rfind("tinyc.", 0) == 0)
          modelError("{}: attribute '{}' uses the reserved prefix 'tinyc.'", n->where(), printable(a.name()));
        if (n->attrs.count(a.name())) modelError("{}: attribute '{}' is given twice", n->where(), printable(a.name()));
        n->attrs[a.name()] = convertAttr(a, n->where(), baseDir_);
      }
      if (!opts_.requireSupported && !OpRegistry::instance().find(n->opType)) continue;
      upgradeNode(up, *n);
    }
    for (auto& n : g_->nodes) {
      if (!opts_.requireSupported && !OpRegistry::instance().find(n->opType)) continue;
      bindOp(*n);
    }

    for (const auto& out : gp.output()) {
      auto it = byName_.find(out.name());
      if (it == byName_.end()) modelError("graph output '{}' is not produced by anything", printable(out.name()));
      g_->outputs.push_back(it->second);
    }
    if (g_->outputs.empty()) modelError("the graph has no outputs");

    g_->topoSort();
    if (!opts_.requireSupported && opts_.unsupported && !opts_.unsupported->empty()) {
      inferShapesPartial(*g_);  // inspect: the shapes up to the unsupported nodes
      return std::move(g_);
    }
    inferShapes(*g_);
    q::annotateQuantParams(*g_);
    checkDeclaredOutputs(gp);
    verifyGraph(*g_);
    return std::move(g_);
  }

 private:
  static constexpr const char* kConstantOp = "Constant";
  const ImportOptions& opts_;
  std::string baseDir_;
  std::unique_ptr<Graph> g_;
  std::map<std::string, Value*> byName_;
  int opset_ = 0;

  // The values `names` as the first `upto` nodes compute them: those nodes that they depend on,
  // imported as a model of their own (control flow: conditions, trip counts, scan lengths).
  std::vector<ProbedValue> probe(const onnx::ModelProto& model, const std::vector<onnx::NodeProto>& nodes, size_t upto,
                                 const std::vector<std::string>& names) {
    std::set<std::string> need(names.begin(), names.end());
    std::vector<const onnx::NodeProto*> slice;
    for (size_t i = upto; i-- > 0;) {
      bool used = false;
      for (const auto& o : nodes[i].output()) used |= need.count(o) > 0;
      if (!used) continue;
      slice.push_back(&nodes[i]);
      for (const auto& in : nodes[i].input())
        if (!in.empty()) need.insert(in);
    }
    onnx::ModelProto m;
    m.set_ir_version(model.ir_version());
    *m.mutable_opset_import() = model.opset_import();
    onnx::GraphProto* g = m.mutable_graph();
    g->set_name(model.graph().name());
    for (const auto& init : model.graph().initializer())
      if (need.count(init.name())) *g->add_initializer() = init;
    *g->mutable_input() = model.graph().input();
    for (auto it = slice.rbegin(); it != slice.rend(); ++it) *g->add_node() = **it;
    for (const auto& s : names) g->add_output()->set_name(s);
    ImportOptions o = opts_;
    o.notes = nullptr, o.requireSupported = true, o.unsupported = nullptr, o.filesRead = nullptr;
    Importer sub(o, baseDir_);
    std::unique_ptr<Graph> sg = sub.run(m);
    std::vector<ProbedValue> out;
    for (const Value* v : sg->outputs) {
      ProbedValue pv;
      pv.shape = v->shape;
      if (auto c = v->constData()) pv.known = true, pv.value = *c;
      out.push_back(std::move(pv));
    }
    return out;
  }

  void note(const std::string& s) {
    if (opts_.notes) opts_.notes->push_back(s);
  }

  void define(const std::string& name, Value* v, const std::string& what) {
    if (name.empty()) modelError("{} has an empty name", what);
    if (!byName_.emplace(name, v).second) modelError("value '{}' is defined twice ({})", printable(name), what);
  }

  void checkModel(const onnx::ModelProto& m) {
    if (!m.has_graph() || (m.graph().node_size() == 0 && m.graph().output_size() == 0))
      modelError("not an ONNX model: no graph");
    bool found = false;
    for (const auto& o : m.opset_import()) {
      if (isDefaultDomain(o.domain())) {
        found = true;
        if (o.version() > INT32_MAX || o.version() < 0) modelError("invalid opset version {}", o.version());
        opset_ = static_cast<int>(o.version());
      }
    }
    if (!found) {
      if (m.ir_version() >= 3 || m.opset_import_size() > 0)
        modelError("the model does not import the default ONNX opset");
      modelError("not an ONNX model: no opset import");
    }
    if (opset_ < kOldestOpset || opset_ > kMaxOpset)
      modelError("opset {} is not supported (tinyc supports ONNX opsets {} to {})", opset_, kMinOpset, kMaxOpset);
    if (opset_ < kMinOpset)
      note(fmt::format("opset {} is older than {}: only ops unchanged since then will import", opset_, kMinOpset));
  }

  void setInputType(const onnx::ValueInfoProto& in, Value* v) {
    std::string what = fmt::format("graph input '{}'", printable(in.name()));
    if (!in.has_type() || !in.type().has_tensor_type()) modelError("{} is not a tensor", what);
    const auto& tt = in.type().tensor_type();
    v->dtype = dtypeFromOnnx(tt.elem_type(), what);
    auto given = opts_.inputShapes.find(in.name());
    if (!tt.has_shape()) {
      if (given == opts_.inputShapes.end())
        modelError("{} has no shape; give it with --input-shape {}=D0,D1,...", what, printable(in.name()));
      v->shape = given->second;
      return;
    }
    const auto& dims = tt.shape().dim();
    if (given != opts_.inputShapes.end()) {
      if (static_cast<int>(given->second.size()) != dims.size())
        usageError("--input-shape gives {} dims for {}, which has {}", given->second.size(), what, dims.size());
      for (int i = 0; i < dims.size(); ++i)
        if (dims[i].has_dim_value() && dims[i].dim_value() != given->second[static_cast<size_t>(i)])
          usageError("--input-shape gives dim {} of {} as {}, but the model fixes it to {}", i, what,
                     given->second[static_cast<size_t>(i)], dims[i].dim_value());
      v->shape = given->second;
      return;
    }
    for (int i = 0; i < dims.size(); ++i) {
      const auto& d = dims[i];
      if (d.has_dim_value()) {
        if (d.dim_value() < 0) modelError("{} has a negative dim {} at {}", what, d.dim_value(), i);
        v->shape.push_back(d.dim_value());
      } else if (i == 0) {
        v->shape.push_back(1);
        note(fmt::format("{}: symbolic batch dim '{}' set to 1 (use --input-shape to change)", what,
                         printable(d.dim_param())));
      } else {
        modelError("{} dim {} ('{}') is not known; give it with --input-shape {}=D0,D1,...", what, i,
                   printable(d.dim_param()), printable(in.name()));
      }
    }
    numElements(v->shape);
  }

  void importConstant(const onnx::NodeProto& np, const std::string& name) {
    std::string where = fmt::format("node '{}' (Constant)", printable(name));
    if (np.output_size() != 1 || np.output(0).empty()) modelError("{}: must have one output", where);
    if (np.attribute_size() != 1) modelError("{}: must have exactly one value attribute", where);
    const auto& a = np.attribute(0);
    Attr attr = convertAttr(a, where, baseDir_);
    Tensor t;
    if (a.name() == "value" && attr.kind == Attr::Kind::Tensor) {
      t = *attr.t;
    } else if (a.name() == "value_float" && attr.kind == Attr::Kind::Float) {
      t = Tensor(DType::F32, {});
      t.setF(0, attr.f);
    } else if (a.name() == "value_int" && attr.kind == Attr::Kind::Int) {
      t = Tensor(DType::I64, {});
      t.setI(0, attr.i);
    } else if (a.name() == "value_floats" && attr.kind == Attr::Kind::Floats) {
      t = Tensor(DType::F32, {static_cast<int64_t>(attr.floats.size())});
      for (size_t i = 0; i < attr.floats.size(); ++i) t.setF(static_cast<int64_t>(i), attr.floats[i]);
    } else if (a.name() == "value_ints" && attr.kind == Attr::Kind::Ints) {
      t = Tensor(DType::I64, {static_cast<int64_t>(attr.ints.size())});
      for (size_t i = 0; i < attr.ints.size(); ++i) t.setI(static_cast<int64_t>(i), attr.ints[i]);
    } else {
      modelError("{}: attribute '{}' is not supported", where, printable(a.name()));
    }
    define(np.output(0), g_->addConstant(np.output(0), std::make_shared<Tensor>(std::move(t))),
           fmt::format("output of {}", where));
  }

  void reportUnsupported(const std::map<std::string, std::vector<std::string>>& ops) {
    std::string list;
    for (const auto& [op, nodes] : ops) {
      if (opts_.unsupported) opts_.unsupported->push_back(op);
      if (!list.empty()) list += ", ";
      const char* why = OpRegistry::instance().declinedReason(op);
      list += fmt::format("{} ({} node{}, first '{}'{}{})", printable(op), nodes.size(), nodes.size() == 1 ? "" : "s",
                          printable(nodes.front()), why ? ": " : "", why ? why : "");
    }
    if (opts_.requireSupported) modelError("unsupported ops: {}", list);
  }

  void checkDeclaredOutputs(const onnx::GraphProto& gp) {
    for (int i = 0; i < gp.output_size(); ++i) {
      const auto& o = gp.output(i);
      if (!o.has_type() || !o.type().has_tensor_type()) continue;
      int et = o.type().tensor_type().elem_type();
      if (et != 0 && et != dtypeToOnnx(g_->outputs[static_cast<size_t>(i)]->dtype))
        modelError("graph output '{}' is declared as element type {} but computes {}", printable(o.name()), onnxTypeName(et),
                   dtypeName(g_->outputs[static_cast<size_t>(i)]->dtype));
    }
  }
};

}  // namespace

std::unique_ptr<Graph> importModelBytes(const std::string& bytes, const std::string& baseDir,
                                        const ImportOptions& opts) {
  if (bytes.empty()) modelError("the model file is empty");
  if (bytes.size() > static_cast<size_t>(INT32_MAX)) modelError("the model file is larger than 2 GiB");
  onnx::ModelProto model;
  if (!model.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
    modelError("not a valid ONNX model (protobuf parsing failed; truncated or not an .onnx file?)");
  Importer imp(opts, baseDir);
  return imp.run(model);
}

std::unique_ptr<Graph> importModel(const std::string& path, const ImportOptions& opts) {
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) modelError("'{}' is a directory, not a model", printable(path, 200));
  std::string bytes = readFileBytes(path, size_t(INT32_MAX));
  std::string dir = std::filesystem::path(path).parent_path().string();
  return importModelBytes(bytes, dir.empty() ? "." : dir, opts);
}

}  // namespace tinyc
