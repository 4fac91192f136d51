// The portable C99 backend: plans the arena, writes NAME.h, NAME.c (inference function and the
// runtime kernels it uses, or with --runtime shared an include of tinyc_runtime.h, written too:
// runtime_writer.h) and NAME_weights.c (const data).
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <set>

#include "backends/backend.h"
#include "backends/c/arena.h"
#include "backends/c/c_emit.h"
#include "backends/c/runtime_writer.h"
#include "ops/op.h"
#include "support/error.h"

namespace tinyc::c {

namespace {

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

// A C string literal holding any bytes safely (printable ASCII kept, the rest as octal escapes).
std::string cString(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s.substr(0, 200)) {
    if (c == '"' || c == '\\')
      out += std::string("\\") + static_cast<char>(c);
    else if (c == '?' || c == '*' || c == '/')
      out += fmt::format("\\{:03o}", c);  // no trigraphs, no comment markers even inside strings
    else if (c >= 0x20 && c < 0x7f)
      out += static_cast<char>(c);
    else
      out += fmt::format("\\{:03o}", c);
  }
  return out + "\"";
}

const char* dtypeMacro(DType t) {
  switch (t) {
    case DType::F32: return "TINYC_DTYPE_F32";
    case DType::F64: return "TINYC_DTYPE_F64";
    case DType::F16: return "TINYC_DTYPE_F16";
    case DType::I8: return "TINYC_DTYPE_I8";
    case DType::U8: return "TINYC_DTYPE_U8";
    case DType::I16: return "TINYC_DTYPE_I16";
    case DType::U16: return "TINYC_DTYPE_U16";
    case DType::I32: return "TINYC_DTYPE_I32";
    case DType::U32: return "TINYC_DTYPE_U32";
    case DType::I64: return "TINYC_DTYPE_I64";
    case DType::U64: return "TINYC_DTYPE_U64";
    case DType::Bool: return "TINYC_DTYPE_BOOL";
    default: return "0";
  }
}

int64_t bytesOf(const Value* v) { return numElements(v->shape) * static_cast<int64_t>(dtypeSize(v->dtype)); }

// Nodes whose outputs are known at compile time become const data (Shape arithmetic), within
// the folding size policy; everything else needs a kernel.
bool isFolded(const Node& n) {
  for (const Value* o : n.outputs)
    if (o && !o->constData()) return false;
  return worthFolding(n);
}

}  // namespace

// ---- the module writer --------------------------------------------------------------------

class ModuleWriter {
 public:
  ModuleWriter(const Graph& g, const EmitOptions& o) : g_(g), o_(o), P_(o.name), M_(upper(o.name)) {}

  EmitResult run();

  const TargetDesc& target() const { return *o_.target; }

  // A constant the emitter derived (repacked weights): emitted in NAME_weights.c like the
  // model's constants and counted in the weights bytes.
  // A constant made by an emitter (e.g. requantization tables); one copy per distinct content
  // (the strips of --patch repeat a layer's tables).
  std::string derivedConst(const std::string& name, Tensor t) {
    std::string key(reinterpret_cast<const char*>(t.raw()), t.byteSize());
    key += fmt::format("|{}|{}", static_cast<int>(t.dtype()), fmt::join(t.shape(), ","));
    if (auto it = derivedByContent_.find(key); it != derivedByContent_.end()) return ref(it->second);
    Value& v = derived_.emplace_back();
    derivedByContent_.emplace(std::move(key), &v);
    v.name = name;
    v.dtype = t.dtype();
    v.shape = t.shape();
    v.constant = std::make_shared<const Tensor>(std::move(t));
    return ref(&v);
  }

  std::string ref(const Value* v) {
    auto it = names_.find(v);
    if (it == names_.end()) {
      if (!v->constData()) modelError("C backend: value '{}' has no buffer", printable(v->name));
      std::string name = fmt::format("{}_w{}", P_, consts_.size());
      consts_.push_back(v);
      it = names_.emplace(v, name).first;
    }
    used_.insert(v);
    if (auto a = aliasOf_.find(v); a != aliasOf_.end()) used_.insert(a->second);
    return it->second;
  }
  // Also tells the kernel its scratch size in a -DTINYC_CHECK_SCRATCH build (runtime/scratch.h).
  std::string scratchOf(const Node* n) {
    usesArena_ = true;
    line(fmt::format("TINYC_SCRATCH_GIVEN({});", scratchBytesOf(n)));
    return fmt::format("(mem + {})", arena_.plan.offsets[scratchBuffer(n)]);
  }
  int64_t scratchBytesOf(const Node* n) const { return arena_.buffers[scratchBuffer(n)].bytes; }
  size_t scratchBuffer(const Node* n) const {
    auto it = arena_.scratch.find(n);
    if (it == arena_.scratch.end()) modelError("{}: kernel asked for scratch it did not declare", n->where());
    return it->second;
  }
  // a lives at byte `off` of b's memory (both arena values in one planned buffer, or both in one
  // graph output's buffer: arena.h valuesInOutputs).
  bool sameLocation(const Value* a, const Value* b, int64_t off) const {
    if (auto oa = outputSlots_.find(a), ob = outputSlots_.find(b); oa != outputSlots_.end() && ob != outputSlots_.end())
      return oa->second.output == ob->second.output && oa->second.offset == ob->second.offset + off;
    auto sa = arena_.slots.find(a), sb = arena_.slots.find(b);
    if (sa == arena_.slots.end() || sb == arena_.slots.end()) return false;
    return sa->second.buffer == sb->second.buffer && sa->second.offset == sb->second.offset + off;
  }
  void require(const std::string& f) { required_.insert(f); }
  void line(const std::string& s) { body_ += "  " + s + "\n"; }
  std::string array(const std::string& ctype, const std::string& items) {
    std::string key = ctype + "|" + items;
    auto it = arrays_.find(key);
    if (it != arrays_.end()) return it->second;
    std::string name = fmt::format("{}_c{}", P_, arrays_.size());
    fileScope_ += fmt::format("static const {} {}[] = {{{}}};\n", ctype, name, items.empty() ? "0" : items);
    arrays_.emplace(key, name);
    return name;
  }

 private:
  const Graph& g_;
  EmitOptions o_;
  std::string P_, M_;
  std::map<const Value*, std::string> names_;
  std::set<const Value*> used_;
  std::vector<const Value*> consts_;
  std::deque<Value> derived_;  // derivedConst (stable addresses)
  std::map<std::string, const Value*> derivedByContent_;
  std::set<std::string> required_;
  std::map<std::string, std::string> arrays_;
  std::string body_, fileScope_, decls_;
  bool usesArena_ = false;
  ArenaLayout arena_;
  std::map<int, std::pair<const Value*, int64_t>> arenaDecls_;  // by value id: representative, address
  std::map<const Value*, const Value*> aliasOf_;  // value -> representative (shared C variable)
  std::map<const Value*, OutputSlot> outputSlots_;  // direct outputs and the values computed in them
  std::map<std::string, int64_t> ioOffsets_;      // "INPUT_0" -> arena offset (--io-in-arena)

  void planArena(const std::vector<const Node*>& nodes, const std::vector<bool>& directOutputs, std::string* io);
  void emitFusedActivation(const Node& n);
  std::string header(const EmitResult& r) const;
  std::string argumentChecks(int64_t arenaBytes) const;
  std::string weights(int64_t* bytes) const;
  // TINYC_WALIGN: the weights' alignment, for their definitions and their extern declarations.
  std::string weightAlignMacro() const {
    return fmt::format("#if defined(__GNUC__) || defined(__clang__)\n#define TINYC_WALIGN __attribute__((aligned({})))\n"
                       "#else\n#define TINYC_WALIGN\n#endif\n", o_.target->align);
  }
};

std::string EmitCtx::in(size_t i) {
  const Value* v = node.input(i);
  return v ? mod_.ref(v) : "NULL";
}
std::string EmitCtx::value(const Value* v) { return v ? mod_.ref(v) : "NULL"; }
std::string EmitCtx::out(size_t i) {
  const Value* v = outValue(i);
  return v ? mod_.ref(v) : "NULL";
}
bool EmitCtx::inPlace(size_t i, int64_t byteOffset) const {
  const Value* x = node.input(i);
  const Value* y = outValue(0);
  return x && y && mod_.sameLocation(x, y, byteOffset);
}
std::string EmitCtx::scratch() { return mod_.scratchOf(&node); }
int64_t EmitCtx::scratchGiven() const { return mod_.scratchBytesOf(&node); }

bool EmitCtx::takeClamp(float* lo, float* hi) {
  *lo = -std::numeric_limits<float>::infinity();
  *hi = std::numeric_limits<float>::infinity();
  auto it = node.attrs.find(kFusedActivationAttr);
  if (it == node.attrs.end() || node.outputs.empty() || node.outputs[0]->dtype != DType::F32) return false;
  std::vector<float> p;
  if (auto pp = node.attrs.find(kFusedActivationParamsAttr); pp != node.attrs.end()) p = pp->second.floats;
  if (it->second.s == "Relu" && p.empty()) {
    *lo = 0.0f;
  } else if (it->second.s == "Clip" && p.size() == 2) {
    *lo = p[0];
    *hi = p[1];
  } else {
    return false;
  }
  activationTaken_ = true;
  return true;
}
// The fused activation of n (fuse-activation pass) as runtime/fused_act.c names it ("relu",
// "clip", ...) and its parameters as literals (", 0.0f, 6.0f"); false when n has none.
static bool fusedActivation(const Node& n, std::string* kind, std::string* args) {
  auto it = n.attrs.find(kFusedActivationAttr);
  if (it == n.attrs.end()) return false;
  *kind = it->second.s;
  for (char& ch : *kind) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  args->clear();
  if (auto pp = n.attrs.find(kFusedActivationParamsAttr); pp != n.attrs.end())
    for (float v : pp->second.floats) *args += ", " + EmitCtx::floatLit(v);
  return true;
}

std::string EmitCtx::takeActivation(const std::string& x) {
  std::string kind, args;
  if (!fusedActivation(node, &kind, &args) || node.outputs.empty() || !node.outputs[0] ||
      node.outputs[0]->dtype != DType::F32)
    return "";
  require("fused_act");
  activationTaken_ = true;
  return fmt::format("tinyc_fact1_{}({}{})", kind, x, args);
}
const TargetDesc& EmitCtx::target() const { return mod_.target(); }
void EmitCtx::require(const std::string& f) { mod_.require(f); }
void EmitCtx::line(const std::string& code) { mod_.line(code); }

std::string EmitCtx::intArray(const std::vector<int64_t>& values) {
  std::string items;
  for (int64_t v : values) {
    if (v < INT32_MIN || v > INT32_MAX) modelError("{}: value {} does not fit the C kernel's int32", node.where(), v);
    items += (items.empty() ? "" : ", ") + std::to_string(v);
  }
  return mod_.array("int32_t", items);
}

std::string EmitCtx::weights(const std::string& name, Tensor t) { return mod_.derivedConst(name, std::move(t)); }

std::string EmitCtx::floatArray(const std::vector<float>& values) {
  std::string items;
  for (float v : values) items += (items.empty() ? "" : ", ") + floatLit(v);
  return mod_.array("float", items);
}

// Plans the arena (arena.h) and names its values: one C pointer per representative, declared
// later if the code uses it; with --io-in-arena, appends the io pointer declarations to *io.
void ModuleWriter::planArena(const std::vector<const Node*>& nodes, const std::vector<bool>& directOutputs,
                             std::string* io) {
  ArenaOptions ao;
  ao.planner = o_.planner;
  ao.align = o_.target->align;
  ao.target = o_.target;
  ao.ioInArena = o_.ioInArena;
  ao.directOutputs = directOutputs;
  ao.inOutputs = valuesInOutputs(g_, nodes, ao);
  for (const auto& [v, slot] : ao.inOutputs) {  // (same dtype as the output)
    names_[v] = slot.offset == 0 ? fmt::format("y{}", slot.output)
                                 : fmt::format("(({} *)((unsigned char *)y{} + {}))", EmitCtx::ctype(v->dtype),
                                               slot.output, slot.offset);
    outputSlots_[v] = slot;
  }
  for (size_t j = 0; j < g_.outputs.size(); ++j)
    if (directOutputs[j]) outputSlots_[g_.outputs[j]] = OutputSlot{j, 0};
  arena_ = c::planArena(g_, nodes, ao);
  for (const auto& [v, rep] : arena_.representative) {
    names_[v] = fmt::format("t{}", rep->id);
    arenaDecls_[rep->id] = {rep, arena_.address(rep)};
    if (v != rep) aliasOf_[v] = rep;
  }
  if (!o_.ioInArena) return;
  for (size_t i = 0; i < g_.inputs.size(); ++i) {
    const int64_t off = arena_.plan.offsets[arena_.inputBuffers[i]];
    const std::string t = EmitCtx::ctype(g_.inputs[i]->dtype);
    *io += fmt::format("  const {0} *const x{1} = (const {0} *)(mem + {2});\n", t, i, off);
    ioOffsets_[fmt::format("INPUT_{}", i)] = off;
  }
  for (size_t j = 0; j < g_.outputs.size(); ++j) {
    const int64_t off = arena_.plan.offsets[arena_.outputBuffers[j]];
    const std::string t = EmitCtx::ctype(g_.outputs[j]->dtype);
    *io += fmt::format("  {0} *const y{1} = ({0} *)(mem + {2});\n", t, j, off);
    ioOffsets_[fmt::format("OUTPUT_{}", j)] = off;
  }
}

EmitResult ModuleWriter::run() {
  EmitResult r;
  // The nodes that run: not folded, and with an output that a graph output needs through nodes
  // that run (a node read only by folded nodes, which use compile-time data, is dead here).
  std::vector<const Node*> nodes;
  std::set<const Value*> needed(g_.outputs.begin(), g_.outputs.end());
  for (auto it = g_.nodes.rbegin(); it != g_.nodes.rend(); ++it) {
    const Node* n = it->get();
    if (isFolded(*n)) continue;
    bool used = false;
    for (const Value* o : n->outputs) used = used || (o && needed.count(o));
    if (!used) continue;
    nodes.push_back(n);
    const CKernel* k = KernelTable::instance().find(*n, *o_.target);
    for (size_t i = 0; i < n->inputs.size(); ++i) {
      const Value* in = n->inputs[i];
      if (in && in->producer && k && k->absorbsInput && k->absorbsInput(*n, i))
        needed.insert(in->producer->inputs.begin(), in->producer->inputs.end());  // read by the kernel itself
      else
        needed.insert(in);
    }
  }
  std::reverse(nodes.begin(), nodes.end());

  // Graph inputs and outputs are caller-owned buffers.
  std::string io;
  for (size_t i = 0; i < g_.inputs.size(); ++i) {
    const Value* v = g_.inputs[i];
    names_[v] = fmt::format("x{}", i);
    if (!o_.ioInArena)
      io += fmt::format("  const {} *const x{} = (const {} *)inputs[{}];\n", EmitCtx::ctype(v->dtype), i,
                        EmitCtx::ctype(v->dtype), i);
    r.ioBytes += bytesOf(v);
  }
  std::vector<std::pair<size_t, const Value*>> copies;  // outputs that need a copy at the end
  std::vector<bool> directOutputs;
  for (size_t j = 0; j < g_.outputs.size(); ++j) {
    const Value* v = g_.outputs[j];
    r.ioBytes += bytesOf(v);
    bool direct = v->producer && !isFolded(*v->producer) && !names_.count(v);
    std::string name = fmt::format("y{}", j);
    if (!o_.ioInArena)
      io += fmt::format("  {} *const {} = ({} *)outputs[{}];\n", EmitCtx::ctype(v->dtype), name, EmitCtx::ctype(v->dtype), j);
    if (direct)
      names_[v] = name;
    else
      copies.emplace_back(j, v);
    directOutputs.push_back(direct);
  }
  planArena(nodes, directOutputs, &io);

  r.steps = nodes;
  if (o_.profile) line("tinyc_profile_mark(-1);");
  for (size_t step = 0; step < nodes.size(); ++step) {
    const Node* n = nodes[step];
    const CKernel* k = KernelTable::instance().find(*n, target());
    if (!k) modelError("{}: no C kernel", n->where());
    body_ += fmt::format("  /* {} ({}) */\n", sanitizeComment(n->name), sanitizeComment(n->opType));
    EmitCtx ctx(*this, *n);
    k->emit(ctx);
    if (!ctx.activationTaken()) emitFusedActivation(*n);
    if (o_.profile) line(fmt::format("tinyc_profile_mark({});", step));
    if (o_.poisonDead)  // validation builds: every buffer that dies here is overwritten with 0xff
      for (size_t b = 0; b < arena_.buffers.size(); ++b)
        if (arena_.buffers[b].last == static_cast<int>(step) && arena_.buffers[b].bytes > 0 && !arena_.keepAlive.count(b)) {
          line(fmt::format("memset(mem + {}, 0xff, {}); /* poison: {} is dead */", arena_.plan.offsets[b],
                           arena_.buffers[b].bytes, sanitizeComment(arena_.buffers[b].label, 40)));
          usesArena_ = true;
        }
  }
  for (auto& [j, v] : copies)
    if (bytesOf(v) > 0) line(fmt::format("memcpy(y{}, {}, {});", j, ref(v), bytesOf(v)));

  for (const auto& [id, vo] : arenaDecls_) {  // declare the arena tensors the code uses
    const auto& [v, off] = vo;
    if (used_.count(v))
      decls_ += fmt::format("  {} *const {} = ({} *)(mem + {});\n", EmitCtx::ctype(v->dtype), names_.at(v),
                            EmitCtx::ctype(v->dtype), off);
  }

  std::string src;
  src += fmt::format("/* Generated by tinyc from an ONNX model. Do not edit. */\n#include \"{}.h\"\n\n", P_);
  if (o_.sharedRuntime) {
    src += sharedRuntimeInclude(*o_.target);
  } else {
    if (!o_.target->doubleAcc) src += "#define TINYC_FLOAT_ACC 1 /* single-precision accumulation */\n";
    std::map<std::string, int> calls;  // CKernel::inlineMacro: kernels few nodes call are inlined
    for (const Node* n : nodes)
      if (const CKernel* k = KernelTable::instance().find(*n, target()); k && k->inlineMacro) ++calls[k->inlineMacro];
    for (const auto& [macro, count] : calls)
      if (count <= kInlineFewCalls) src += fmt::format("#define {} 1 /* {} calls: inlined */\n", macro, count);
    src += inlineRuntime(required_);
  }
  if (o_.profile) src += "\n/* Measurement build: the harness times each step. */\nvoid tinyc_profile_mark(int step);\n";
  src += "\n/* Weights and folded constants (" + P_ + "_weights.c). */\n";
  // Declared with the alignment of their definitions: without it a compiler may assume the ABI's
  // alignment of a large array (16 bytes on x86-64: clang then loads with movaps) where the
  // definition asked for less (8 on the MCU targets), and the host build of MCU code crashes.
  if (!consts_.empty())
    src += weightAlignMacro();
  for (const Value* v : consts_)
    src += fmt::format("extern const {} {}[{}] TINYC_WALIGN;\n", EmitCtx::ctype(v->dtype), names_.at(v),
                       std::max<int64_t>(1, numElements(v->shape)));
  src += "\n" + fileScope_;
  src += fmt::format("\nint {}_run(const void *const inputs[], void *const outputs[], void *arena) {{\n", P_);
  src += argumentChecks(r.arenaBytes = arena_.plan.arenaBytes);
  src += "  unsigned char *const mem = (unsigned char *)arena;\n";
  src += io + decls_;
  src += "  (void)inputs;\n  (void)outputs;\n  (void)mem;\n";
  for (size_t i = 0; i < g_.inputs.size(); ++i) src += fmt::format("  (void)x{};\n", i);
  for (size_t j = 0; j < g_.outputs.size(); ++j) src += fmt::format("  (void)y{};\n", j);
  src += body_;
  src += fmt::format("  return {}_OK;\n}}\n", M_);

  r.memory = memoryReport(arena_, nodes);
  std::string w = weights(&r.weightsBytes);
  r.files.push_back({P_ + ".h", header(r)});
  r.files.push_back({P_ + ".c", src});
  r.files.push_back({P_ + "_weights.c", w});
  if (o_.sharedRuntime) {
    const SharedRuntime& rt = sharedRuntime(*o_.target);
    r.files.push_back({kSharedRuntimeHeader, rt.header});
    r.files.push_back({kSharedRuntimeSource, rt.source});
  }
  return r;
}

// The first statements of NAME_run: NULL inputs/outputs (unless they live in the arena) and a
// NULL or misaligned arena (unless the model needs none) return an error code before any work.
std::string ModuleWriter::argumentChecks(int64_t arenaBytes) const {
  std::vector<std::string> nulls;
  if (!o_.ioInArena) {
    if (!g_.inputs.empty()) nulls.push_back("!inputs");
    for (size_t i = 0; i < g_.inputs.size(); ++i) nulls.push_back(fmt::format("!inputs[{}]", i));
    if (!g_.outputs.empty()) nulls.push_back("!outputs");
    for (size_t j = 0; j < g_.outputs.size(); ++j) nulls.push_back(fmt::format("!outputs[{}]", j));
  }
  const bool arena = arenaBytes > 0 || o_.ioInArena;
  if (arena) nulls.push_back("!arena");
  std::string c;
  for (size_t i = 0; i < nulls.size(); ++i) c += (i == 0 ? "  if (" : i % 6 == 0 ? " ||\n      " : " || ") + nulls[i];
  if (!nulls.empty()) c += fmt::format(") return {}_ERR_NULL_ARG;\n", M_);
  if (arena)
    c += fmt::format("  if ((uintptr_t)arena % {0}_ARENA_ALIGN != 0) return {0}_ERR_ARENA_MISALIGNED;\n", M_);
  return c;
}

// A fused activation (fuse-activation pass) runs in place over the node's output 0.
void ModuleWriter::emitFusedActivation(const Node& n) {
  std::string kind, args;
  // (An int8 node's kernel clamps its output itself: ops/qparams.h outputRange.)
  if (!fusedActivation(n, &kind, &args) || !isFloat(n.outputs[0]->dtype)) return;
  const Value* y = n.outputs[0];
  require("fused_act");
  line(fmt::format("tinyc_fact_{}_f32({}, {}{});", kind, ref(y), numElements(y->shape), args));
}

std::string ModuleWriter::header(const EmitResult& r) const {
  std::string h;
  std::string guard = M_ + "_H_";
  h += fmt::format("/* Generated by tinyc. API: docs/generated-api.md. Do not edit. */\n#ifndef {0}\n#define {0}\n\n", guard);
  h += "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n";
  h += "#ifndef TINYC_DTYPE_F32\n";
  const char* names[] = {"F32", "F64", "F16", "I8", "U8", "I16", "U16", "I32", "U32", "I64", "U64", "BOOL"};
  for (int i = 0; i < 12; ++i) h += fmt::format("#define TINYC_DTYPE_{} {}\n", names[i], i + 1);
  h += "#endif\n\n";
  h += fmt::format("#define {}_ARENA_SIZE {}\n", M_, r.arenaBytes);
  h += fmt::format("#define {}_ARENA_ALIGN {}\n", M_, o_.target->align);
  h += fmt::format("#define {}_WEIGHTS_BYTES {}\n", M_, r.weightsBytes);
  h += fmt::format("#define {}_NUM_INPUTS {}\n#define {}_NUM_OUTPUTS {}\n", M_, g_.inputs.size(), M_, g_.outputs.size());
  if (o_.ioInArena)
    h += fmt::format("/* Inputs and outputs live in the arena at <tensor>_OFFSET: write the inputs there before\n"
                     "   {0}_run and read the outputs after it; the inputs/outputs arrays are ignored. */\n"
                     "#define {0}_IO_IN_ARENA 1\n", M_);
  h += "\n";
  auto io = [&](const char* kind, size_t i, const Value* v) {
    std::string p = fmt::format("{}_{}_{}", M_, kind, i);
    std::string shape;
    for (int64_t d : v->shape) shape += (shape.empty() ? "" : ", ") + std::to_string(d);
    h += fmt::format("#define {}_NAME {}\n", p, cString(v->name));
    h += fmt::format("#define {}_BYTES {}\n", p, bytesOf(v));
    h += fmt::format("#define {}_ELEMENTS {}\n", p, numElements(v->shape));
    h += fmt::format("#define {}_DTYPE {}\n", p, dtypeMacro(v->dtype));
    h += fmt::format("#define {}_RANK {}\n", p, v->shape.size());
    h += fmt::format("#define {}_SHAPE {{{}}}\n", p, shape.empty() ? "1" : shape);
    const auto& layouts = std::string(kind) == "INPUT" ? g_.inputLayouts : g_.outputLayouts;
    if (i < layouts.size() && !layouts[i].empty())  // --io-layout: the model's NCHW tensor, channels-last
      h += fmt::format("#define {}_LAYOUT_{} 1\n", p, layouts[i]);
    if (o_.ioInArena) h += fmt::format("#define {}_OFFSET {}\n", p, ioOffsets_.at(fmt::format("{}_{}", kind, i)));
    if (v->quant && v->quant->perTensor()) {
      h += fmt::format("#define {}_SCALE {}\n", p, EmitCtx::floatLit(v->quant->scale[0]));
      h += fmt::format("#define {}_ZERO_POINT {}\n", p, v->quant->zeroPoint[0]);
    }
  };
  for (size_t i = 0; i < g_.inputs.size(); ++i) io("INPUT", i, g_.inputs[i]);
  h += "\n";
  for (size_t j = 0; j < g_.outputs.size(); ++j) io("OUTPUT", j, g_.outputs[j]);
  h += fmt::format(
      "\n/* {1}_arena_t: an arena of {0}_ARENA_SIZE bytes aligned to {0}_ARENA_ALIGN in C99, e.g.\n"
      "   `static {1}_arena_t arena;` then {1}_run(inputs, outputs, &arena). */\n"
      "#ifndef TINYC_ALIGNAS\n"
      "#if defined(__GNUC__) || defined(__clang__)\n#define TINYC_ALIGNAS(n) __attribute__((aligned(n)))\n"
      "#elif defined(__STDC_VERSION__) && __STDC_VERSION__ >= 201112L\n#define TINYC_ALIGNAS(n) _Alignas(n)\n"
      "#elif defined(_MSC_VER)\n#define TINYC_ALIGNAS(n) __declspec(align(n))\n"
      "#else /* other compilers: the widest basic types' alignment (the union's other members) */\n"
      "#define TINYC_ALIGNAS(n)\n#endif\n#endif\n"
      "typedef union {{\n"
      "  TINYC_ALIGNAS({0}_ARENA_ALIGN) unsigned char bytes[{0}_ARENA_SIZE > 0 ? {0}_ARENA_SIZE : 1];\n"
      "  long double align_ld_;\n  long long align_ll_;\n  void *align_p_;\n}} {1}_arena_t;\n",
      M_, P_);
  h += fmt::format(
      "\n/* Runs the model. inputs[i] / outputs[j]: caller-owned buffers of {0}_INPUT_<i>_BYTES /\n"
      "   {0}_OUTPUT_<j>_BYTES in graph order; arena: {0}_ARENA_SIZE bytes aligned to {0}_ARENA_ALIGN\n"
      "   (a {1}_arena_t). Returns {0}_OK, or an error (checked before any work; nothing written):\n"
      "   {0}_ERR_NULL_ARG: inputs, outputs, one of their pointers, or the arena is NULL;\n"
      "   {0}_ERR_ARENA_MISALIGNED: the arena is not aligned to {0}_ARENA_ALIGN.\n"
      "   Reentrant for distinct arenas; no heap, no I/O. */\n"
      "#define {0}_OK 0\n#define {0}_ERR_NULL_ARG 1\n#define {0}_ERR_ARENA_MISALIGNED 2\n",
      M_, P_);
  h += fmt::format("int {}_run(const void *const inputs[], void *const outputs[], void *arena);\n", P_);
  h += "\n#ifdef __cplusplus\n}\n#endif\n\n#endif\n";
  return h;
}

std::string ModuleWriter::weights(int64_t* bytes) const {
  std::string w = fmt::format("/* Generated by tinyc: weights and constants. Do not edit. */\n#include <stdint.h>\n#include <math.h>\n\n");
  w += "/* Define TINYC_WEIGHTS_ATTR (e.g. a section attribute) to place the weights. */\n";
  w += "#ifndef TINYC_WEIGHTS_ATTR\n#define TINYC_WEIGHTS_ATTR\n#endif\n";
  w += weightAlignMacro() + "\n";
  *bytes = 0;
  for (const Value* v : consts_) {
    const Tensor& t = *v->constData();
    int64_t n = t.numel();
    *bytes += static_cast<int64_t>(t.byteSize());
    std::string items;
    items.reserve(static_cast<size_t>(n) * 12);
    for (int64_t i = 0; i < std::max<int64_t>(n, 1); ++i) {
      if (i) items += (i % 8 == 0) ? ",\n  " : ", ";
      if (n == 0) {
        items += "0";
        continue;
      }
      switch (t.dtype()) {
        case DType::F32: items += EmitCtx::floatLit(t.data<float>()[i]); break;
        case DType::F64: items += EmitCtx::doubleLit(t.data<double>()[i]); break;
        case DType::F16: items += fmt::format("0x{:04x}u", t.data<uint16_t>()[i]); break;
        case DType::U64: items += fmt::format("UINT64_C({})", t.data<uint64_t>()[i]); break;
        case DType::U32: items += fmt::format("{}u", t.data<uint32_t>()[i]); break;
        default: items += EmitCtx::intLit(t.getI(i)); break;
      }
    }
    w += fmt::format("/* {} : {}{} */\n", sanitizeComment(v->name), dtypeName(t.dtype()), shapeStr(t.shape()));
    w += fmt::format("extern const {0} {1}[{2}];\nconst {0} {1}[{2}] TINYC_WALIGN TINYC_WEIGHTS_ATTR = {{\n  {3}}};\n\n",
                     EmitCtx::ctype(t.dtype()), names_.at(v), std::max<int64_t>(1, n), items);
  }
  return w;
}

// ---- the backend --------------------------------------------------------------------------

class CBackend : public Backend {
 public:
  std::string name() const override { return "c"; }
  std::vector<std::string> unsupported(const Graph& g, const TargetDesc& t) const override {
    std::vector<std::string> out;
    for (const auto& n : g.nodes) {
      if (isFolded(*n)) continue;
      const CKernel* k = KernelTable::instance().find(*n, t);
      if (!k) {
        out.push_back(fmt::format("{}: the C backend has no kernel for this op", n->where()));
        continue;
      }
      std::string why = k->check ? k->check(*n) : "";
      if (why.empty() && n->attrs.count(kFusedActivationAttr) && n->outputs[0]->dtype != DType::F32 &&
          n->outputs[0]->dtype != DType::I8 && n->outputs[0]->dtype != DType::I16)  // (int8 kernels clamp their outputs: ops/qparams.h)
        why = "fused activations are generated for f32 outputs only";
      if (!why.empty()) out.push_back(fmt::format("{}: {}", n->where(), why));
    }
    return out;
  }
  EmitResult emit(const Graph& g, const EmitOptions& o) const override {
    auto problems = unsupported(g, *o.target);
    if (!problems.empty()) {
      std::string all;
      for (size_t i = 0; i < problems.size(); ++i) all += (i ? "; " : "") + problems[i];
      modelError("{} node{} cannot be generated: {}", problems.size(), problems.size() == 1 ? "" : "s", all);
    }
    ModuleWriter w(g, o);
    return w.run();
  }
};

}  // namespace tinyc::c

namespace tinyc {
const Backend& cBackend() {
  static const c::CBackend b;
  return b;
}
}  // namespace tinyc
