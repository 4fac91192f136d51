// The C backend's per-op kernel table. Each op family has a file backends/c/kernels_<family>.cpp
// that registers, per ONNX op, a check (can this node be generated?) and an emitter that writes
// the call of a runtime kernel. Runtime kernels are C99 files in backends/c/runtime/, embedded in
// tinyc and copied into the generated NAME.c when a node requires them.
#pragma once
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "ir/graph.h"
#include "support/error.h"

namespace tinyc::c {

class ModuleWriter;  // c_backend.cpp
}  // namespace tinyc::c
namespace tinyc {
struct TargetDesc;  // backends/backend.h
}
namespace tinyc::c {

// What an emitter sees while generating the code of one node.
class EmitCtx {
 public:
  EmitCtx(ModuleWriter& m, const Node& n) : node(n), mod_(m) {}
  const Node& node;
  // The target the code is for (its descriptor: layout, FPU, DSP, ...).
  const TargetDesc& target() const;

  // C expression of the buffer of input/output i (typed pointer, e.g. "t3", "kws_w5"), or
  // "NULL" for an omitted optional input/output.
  std::string in(size_t i);
  std::string out(size_t i);
  const Value* inValue(size_t i) const { return node.input(i); }
  // C expression of any value's buffer (a constant is emitted on first use): for a kernel that
  // reads the inputs of a node it absorbs (CKernel::absorbsInput).
  std::string value(const Value* v);
  const Value* outValue(size_t i) const { return i < node.outputs.size() ? node.outputs[i] : nullptr; }
  // True when input i already lives at byte `byteOffset` inside output 0's memory (the planner
  // placed it there, see CKernel::inputSlices): nothing needs to be copied.
  bool inPlace(size_t i, int64_t byteOffset) const;
  // Pointer (unsigned char *) to this node's scratch memory (bytes given by the kernel's
  // scratchBytes); only valid during this node. Emits TINYC_SCRATCH_GIVEN(bytes) first: call it
  // before the kernel's line (runtime/scratch.h: a -DTINYC_CHECK_SCRATCH build traps on overrun).
  std::string scratch();
  // The bytes of this node's scratch (at least the kernel's scratchBytes; up to scratchBytesMax
  // where the planner had room, see CKernel::scratchBytesMax).
  int64_t scratchGiven() const;
  // Includes backends/c/runtime/<file>.c (and what it requires) in the generated source.
  void require(const std::string& runtimeFile);
  // The node's fused activation when it is a Relu or a Clip, as the bounds [lo, hi] of a clamp
  // the kernel applies itself (Relu: 0, INFINITY): the separate pass over the output is then not
  // emitted. Otherwise (none, or another kind) lo = -INFINITY, hi = INFINITY and false.
  bool takeClamp(float* lo, float* hi);
  // The node's fused activation (any kind) as a C expression of the float `x`, applied by the
  // kernel to each value it stores (runtime/fused_act.c's tinyc_fact1_*: the same arithmetic as the
  // separate pass, which is then not emitted); "" when the node has none.
  std::string takeActivation(const std::string& x);
  bool activationTaken() const { return activationTaken_; }
  // Appends one statement to the inference function (indentation is added).
  void line(const std::string& code);
  // A file-scope `static const int32_t NAME_cK[n] = {...}` (deduplicated); returns its name.
  // Fails if a value does not fit in int32.
  std::string intArray(const std::vector<int64_t>& values);
  std::string floatArray(const std::vector<float>& values);
  // Weights the emitter derived from the model's (e.g. repacked for a kernel): a constant in
  // NAME_weights.c, counted in the weights bytes; returns its C name.
  std::string weights(const std::string& name, Tensor t);

  // Helpers for writing literals.
  static std::string ctype(DType t);      // "float", "int8_t", ... (bool -> "uint8_t", f16 -> "uint16_t")
  static std::string suffix(DType t);     // kernel name suffix: "f32", "i8", ...
  static std::string floatLit(float v);   // exact C literal: "0.25f", "INFINITY", "(-INFINITY)", "NAN"
  static std::string doubleLit(double v); // exact C literal for double
  std::string accLit(double v) const;     // literal of type tinyc_acc (runtime/common.c) for the target
  static std::string intLit(int64_t v);   // C literal valid for any int64 (INT64_C(...) when large)

 private:
  ModuleWriter& mod_;
  bool activationTaken_ = false;
};

struct CKernel {
  const char* op;
  // "" when the node can be generated, otherwise the reason (shown as "node 'x' (Op): reason").
  std::string (*check)(const Node& n);
  void (*emit)(EmitCtx& ctx);
  // Scratch bytes the kernel needs while the node runs (nullptr = none).
  int64_t (*scratchBytes)(const Node& n) = nullptr;
  // Output 0 holds input 0's bytes unchanged (Reshape, Flatten, ...): the planner lets them share
  // one buffer (same C name) and the emitter then writes no copy.
  bool view = false;
  // Output element i depends only on element i of each input (no restrict between them): output
  // 0 may overwrite an input of the same shape and dtype that is dead after the node.
  bool elementwise = false;
  // Inputs that are one contiguous slice of output 0 (Concat along an axis with nothing
  // before it): entry i is the byte offset of input i inside output 0, or nullopt. The planner
  // may then let input i's producer write straight there (EmitCtx::inPlace tells the emitter).
  std::vector<std::optional<int64_t>> (*inputSlices)(const Node& n) = nullptr;
  // The kernel can compute output 0 over input 0 (one buffer; output bytes <= input bytes) when
  // input 0 is dead after the node: returns the scratch bytes it then needs instead of
  // scratchBytes, or -1 when this node cannot (TinyEngine-style in-place depthwise). The
  // emitter asks EmitCtx::inPlace(0, 0) which form to generate.
  int64_t (*inPlaceScratch)(const Node& n) = nullptr;
  // Computing over the input is slower than the kernel's own form (a cycle-following Transpose):
  // the planner takes it inside the arena only where it lowers the liveness bound. (A value whose
  // only reader writes a graph output lives in the caller's output buffer whenever it can.)
  bool inPlaceWhenSmaller = false;
  // Variants: an op may have several kernels (float and int8, portable and per-ISA). The table
  // picks, among the kernels of the node's op whose `match` holds (nullptr: always), the one with
  // the highest priority. The portable kernel of an op matches everything it can check; a
  // variant for some targets (a long multiply-accumulate, DSP, Helium) says so in its match.
  bool (*match)(const Node& n, const TargetDesc& t) = nullptr;
  int priority = 0;
  // The kernel reads the inputs of input i's producer itself (a DequantizeLinear of constant
  // weights): the producer then runs only if something else needs its output.
  bool (*absorbsInput)(const Node& n, size_t i) = nullptr;
  // More scratch the kernel can use to run faster (a blocked GEMM's larger blocks; nullptr or <=
  // scratchBytes: none). The arena planner grants up to this much where it stays under the arena's
  // peak, and the emitter passes the bytes given (EmitCtx::scratchGiven) to the kernel.
  int64_t (*scratchBytesMax)(const Node& n) = nullptr;
  // A compact kernel of --kernels small whose C function is worth inlining at each call when few
  // nodes call it (the compiler then folds the constant parameter array into the loops): the
  // macro its runtime file reads; the generated source defines it when at most kInlineFewCalls
  // nodes use the kernel (inline runtime only).
  const char* inlineMacro = nullptr;
};
constexpr int kInlineFewCalls = 3;

class KernelTable {
 public:
  static const KernelTable& instance();
  // The kernel for node n on target t (see CKernel::match), or nullptr when the op has none.
  const CKernel* find(const Node& n, const TargetDesc& t) const;
  void add(CKernel k) { kernels_.push_back(k); }
  std::vector<std::string> ops() const;

 private:
  std::vector<CKernel> kernels_;
};

// Families (one file each); registered in kernel_table.cpp.
void registerElementwiseKernels(KernelTable& t);
void registerActivationKernels(KernelTable& t);
void registerReduceKernels(KernelTable& t);
void registerNnKernels(KernelTable& t);     // ConvTranspose, Gemm, MatMul, Einsum, Det
void registerConvKernels(KernelTable& t);   // Conv (every layout and variant)
void registerSmallKernels(KernelTable& t);  // the variants of --kernels small (TargetDesc::smallCode)
void registerPoolKernels(KernelTable& t);
void registerNormKernels(KernelTable& t);
void registerShapeKernels(KernelTable& t);
void registerQuantKernels(KernelTable& t);
void registerRnnKernels(KernelTable& t);
void registerAxisKernels(KernelTable& t);   // CumSum, Hardmax
void registerScatterKernels(KernelTable& t);  // GatherND, ScatterND, ScatterElements
void registerSignalKernels(KernelTable& t);   // DFT, STFT
void registerTextKernels(KernelTable& t);     // TfIdfVectorizer
void registerRotaryKernels(KernelTable& t);   // RotaryEmbedding
void registerAttentionKernels(KernelTable& t);  // Attention
void registerStateKernels(KernelTable& t);
void registerSparseKernels(KernelTable& t);  // Conv, Gemm, MatMul over sparse weights (the sparse-weights pass)  // CausalConvWithState, TensorScatter
void registerCol2ImKernels(KernelTable& t);
void registerLossKernels(KernelTable& t);   // NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss
void registerLogicKernels(KernelTable& t);  // comparison, logic, Where, Mod, BitShift, Mean
void registerQuantizedKernels(KernelTable& t);  // int8 forms of Conv, Gemm, pools, Softmax, tinyc.Lut
void registerArmQuantizedKernels(KernelTable& t);  // their DSP and Helium variants (kernels_qint_arm.cpp)

// Common checks.
std::string requireFloat32(const Node& n);          // every input and output f32
std::string requireDTypes(const Node& n, std::initializer_list<DType> allowed);  // input 0's dtype

}  // namespace tinyc::c
