// The op registry: every op is declared once, with its attribute schema, shape inference
// (which also verifies the node) and reference evaluation.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"
#include "support/error.h"

namespace tinyc {

struct AttrSpec {
  std::string name;
  Attr::Kind kind;
  std::optional<Attr> def;  // default, filled in by the importer when absent
  bool required = false;    // if true the model must give it
};

// Shape inference and verification of one node. Throws a model error naming the node.
class InferCtx {
 public:
  explicit InferCtx(Node& n) : node(n) {}
  Node& node;

  int numInputs() const { return static_cast<int>(node.inputs.size()); }
  int numOutputs() const { return static_cast<int>(node.outputs.size()); }
  bool has(int i) const { return node.hasInput(static_cast<size_t>(i)); }
  DType dtype(int i) const { return in(i)->dtype; }
  const Shape& shape(int i) const { return in(i)->shape; }
  int rank(int i) const { return static_cast<int>(shape(i).size()); }
  // Known content of input i (constant or inferred), or nullptr.
  const Tensor* constInput(int i) const { return has(i) ? in(i)->constData() : nullptr; }
  // Like constInput but fails with a clear error when the input is not known at compile time.
  const Tensor& requireConst(int i, const char* what) const;
  void setOutput(int i, DType t, Shape s);

  template <typename... Args>
  [[noreturn]] void fail(fmt::format_string<Args...> f, Args&&... args) const {
    modelError("{}: {}", node.where(), fmt::format(f, std::forward<Args>(args)...));
  }

 private:
  Value* in(int i) const;
};

// Reference evaluation of one node. Outputs are allocated by the caller with the inferred
// dtypes and shapes; omitted optional inputs/outputs are nullptr.
struct EvalCtx {
  const Node& node;
  std::vector<const Tensor*> in;
  std::vector<Tensor*> out;
  bool has(int i) const { return i < static_cast<int>(in.size()) && in[static_cast<size_t>(i)]; }
  template <typename... Args>
  [[noreturn]] void fail(fmt::format_string<Args...> f, Args&&... args) const {
    modelError("{}: {}", node.where(), fmt::format(f, std::forward<Args>(args)...));
  }
};

using InferFn = void (*)(InferCtx&);
using EvalFn = void (*)(EvalCtx&);
using MacsFn = int64_t (*)(const Node&);

struct OpDef {
  std::string name;
  int minInputs = 1, maxInputs = 1;
  int minOutputs = 1, maxOutputs = 1;
  std::vector<AttrSpec> attrs;
  InferFn infer = nullptr;
  EvalFn eval = nullptr;
  MacsFn macs = nullptr;  // multiply-accumulates at batch 1 (nullptr = 0)
  // The op may carry a fused activation (attributes tinyc.activation / tinyc.activation_params,
  // set by the fuse-activation pass, applied to output 0 by evalNode).
  bool fusableActivation = false;
  // Layout traits for the layout pass (passes/layout.cpp). elementwise: output element i depends
  // only on element i of each input under numpy broadcasting, so the op runs in any layout once
  // constant inputs are permuted the same way. layoutAxisAttr: the op works along the axis named
  // by this attribute and is otherwise layout-free (Concat; Quantize/DequantizeLinear, whose 1-D
  // per-axis parameters follow the axis; inputs of the data's rank are permuted). layoutInputs > 0: the op has a
  // channels-last form (ops/layout.h) in which its first layoutInputs inputs and output 0 are
  // channels-last.
  // layoutShapeInput >= 0: the output holds one value everywhere and that input (1-D) is its
  // shape, so the output in another layout is the same op over the permuted shape
  // (ConstantOfShape).
  bool elementwise = false;
  // Output element i is a function of input 0's element i alone; the other inputs are parameters
  // (tinyc.Lut's table), not data: the op runs in any layout, its parameters unchanged.
  bool pointwise = false;
  // Channel c of output 0 (dim 1) is a function of channel c of input 0 alone (the pools): a
  // change in the number of channels passes through (passes/prune.cpp).
  bool channelwise = false;
  const char* layoutAxisAttr = nullptr;
  // Inputs that hold values per axis of input 0 (1-D constants whose length is a multiple of its
  // rank, e.g. Resize's roi - starts then ends - scales and sizes): the op is separable per axis,
  // so it runs in another layout with these permuted alike (passes/layout.cpp).
  std::vector<int> layoutPerAxisInputs;
  int layoutShapeInput = -1;
  int layoutInputs = 0;
  // The channels-last form may read input 0 channels-first when ungrouped (tinyc.nchw_input: the
  // layout pass lets such a node read a graph input where it is; the C kernel gathers from NCHW).
  bool layoutNchwInput = false;
  // Output 0's elements are copies of input 0's (views, Transpose, Slice, Gather, MaxPool, ...;
  // Concat and Split when every data tensor has the same parameters): on quantized tensors the op
  // runs on the integers as they are and its output carries its input's scale and zero point
  // (ops/qparams.h, passes/lower_quant.cpp).
  bool quantCarried = false;
  // For a quantCarried op that carries only some of its forms (Resize: nearest, nothing
  // extrapolated): whether node n does. nullptr: every form.
  bool (*quantCarriedIf)(const Node& n) = nullptr;
  // For a quantCarried op: the input holding the value written where no input element lands
  // (Pad's constant_value). On int8 tensors lower-quant sets it to the quantized real value (the
  // zero point for the default 0) and only moves the op when that value is exact.
  int quantFillInput = -1;
  // The op makes a constant of compile-time inputs and has no C kernel (the window functions,
  // MelWeightMatrix): fold-constants evaluates it whatever the size of its output.
  bool foldAlways = false;
  std::string doc;        // one line for the generated op table
};

class OpRegistry {
 public:
  static const OpRegistry& instance();
  const OpDef* find(const std::string& name) const;
  std::vector<const OpDef*> all() const;  // sorted by name
  void add(OpDef def);
  // ONNX ops tinyc leaves out on purpose, with the reason its messages give (nullptr: none).
  const char* declinedReason(const std::string& name) const;

 private:
  std::vector<OpDef> ops_;
};

// The registered op of this name (nullptr when none): passes compare Node::op with it instead
// of comparing op-type strings.
inline const OpDef* opDef(const char* name) { return OpRegistry::instance().find(name); }

// Op families; each file under lib/ops registers its ops here (see registry.cpp).
void registerElementwiseOps(OpRegistry& r);
void registerActivationOps(OpRegistry& r);
void registerReduceOps(OpRegistry& r);
void registerNnOps(OpRegistry& r);
void registerPoolOps(OpRegistry& r);
void registerNormOps(OpRegistry& r);
void registerShapeOps(OpRegistry& r);
void registerAttentionOps(OpRegistry& r);
void registerStateOps(OpRegistry& r);
void registerCol2ImOps(OpRegistry& r);
void registerQuantOps(OpRegistry& r);
void registerRnnOps(OpRegistry& r);
void registerLogicOps(OpRegistry& r);
void registerAxisOps(OpRegistry& r);
void registerGridSampleOps(OpRegistry& r);
void registerRoiAlignOps(OpRegistry& r);
void registerLinearAttentionOps(OpRegistry& r);
void registerDeformConvOps(OpRegistry& r);
// DeformConv's C kernel parameters (runtime/resize.c, tinyc_deform_conv_f32): N, C, H, W, M, OH, OW,
// KH, KW, SH, SW, DH, DW, pad top, pad left, group, offset_group.
std::vector<int64_t> deformConvParams(const Node& n);
void registerSignalOps(OpRegistry& r);
void registerTextOps(OpRegistry& r);
void registerRotaryOps(OpRegistry& r);
void registerLossOps(OpRegistry& r);
void registerScatterOps(OpRegistry& r);

// Looks up n.opType in the registry, sets n.op, checks attribute names and kinds, and fills
// defaults. Model error for an unknown op or attribute (naming the node).
void bindOp(Node& n);

// tinyc-internal op (a model may not use op types with the tinyc. prefix): an 8-bit elementwise
// function as a table, y = table[x - min(x's type)] (x int8 or uint8; input 1: 256 constant
// entries of y's type, int8 or uint8).
inline const char* kLookupTableOp = "tinyc.Lut";
// tinyc-internal op: a quantized tensor (int8, or int16 with zero point 0) to another type and
// parameters (attribute "to": "i8" or "i16"; the parameters from both Values' quant),
// y = clamp(round_half_up((x - zx) * s_x / s_y) + zy) in fixed point (ops/qmath.h: tinyc_requant).
// lower-quant writes it for QuantizeLinear(DequantizeLinear(x)) between int8 and int16 tensors.
inline const char* kRequantizeOp = "tinyc.Requantize";

// Fused activations (the only tinyc-internal attributes; a model may not use the tinyc. prefix).
inline const char* kFusedActivationAttr = "tinyc.activation";
inline const char* kFusedActivationParamsAttr = "tinyc.activation_params";
// Activations that can be fused, with the number of float parameters each takes.
bool fusedActivationKnown(const std::string& name, size_t* numParams);
// Applies n's fused activation (if any) to t in place (f32 / f64).
void applyFusedActivation(const Node& n, Tensor& t);
// Evaluates a node: the op's reference kernel, then its fused activation. Every caller (the
// interpreter, shape inference, folding) goes through here.
void evalNode(const Node& n, EvalCtx& ctx);

// Runs op verification + shape inference over the graph in schedule order. Values with
// compile-time known inputs get their `known` content computed when it is small.
void inferShapes(Graph& g);
// For a graph with unsupported ops (inspect): infers every node it can, in schedule order, and
// leaves the outputs of a node without an op, or downstream of one, or that fails, Undefined.
void inferShapesPartial(Graph& g);
// Re-runs inference on a copy and checks every node still agrees (used by the verifier).
void verifyOps(const Graph& g);
// Folding policy shared by the folding passes and the backends: a node whose outputs are all
// known at compile time is replaced by constants only if that does not grow the constant data:
// output bytes <= max(bytes of its constant inputs, 256). (Dequantizing int8 weights to float
// is therefore never folded; Shape arithmetic always is.)
bool worthFolding(const Node& n);
// MACs of one node (0 when the op declares none).
int64_t nodeMacs(const Node& n);
// Whether node n only moves quantized elements (OpDef::quantCarried and quantCarriedIf).
inline bool carriesQuant(const Node& n) {
  return n.op && n.op->quantCarried && (!n.op->quantCarriedIf || n.op->quantCarriedIf(n));
}

}  // namespace tinyc
