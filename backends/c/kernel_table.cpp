#include <algorithm>

#include "backends/c/c_emit.h"
#include "support/error.h"

namespace tinyc::c {

const KernelTable& KernelTable::instance() {
  static const KernelTable table = [] {
    KernelTable t;
    registerElementwiseKernels(t);
    registerActivationKernels(t);
    registerReduceKernels(t);
    registerNnKernels(t);
    registerConvKernels(t);
    registerSmallKernels(t);
    registerPoolKernels(t);
    registerNormKernels(t);
    registerShapeKernels(t);
    registerQuantKernels(t);
    registerRnnKernels(t);
    registerLogicKernels(t);
    registerAxisKernels(t);
    registerLossKernels(t);
    registerScatterKernels(t);
    registerSignalKernels(t);
    registerTextKernels(t);
    registerRotaryKernels(t);
    registerAttentionKernels(t);
    registerStateKernels(t);
    registerCol2ImKernels(t);
    registerQuantizedKernels(t);
    registerSparseKernels(t);
    std::stable_sort(t.kernels_.begin(), t.kernels_.end(),
              [](const CKernel& a, const CKernel& b) { return std::string(a.op) < b.op; });
    return t;
  }();
  return table;
}

const CKernel* KernelTable::find(const Node& n, const TargetDesc& t) const {
  const CKernel* best = nullptr;
  for (const auto& k : kernels_)
    if (n.opType == k.op && (!k.match || k.match(n, t)) && (!best || k.priority > best->priority)) best = &k;
  return best;
}

std::vector<std::string> KernelTable::ops() const {
  std::vector<std::string> out;  // each op once (its variants need not be registered together)
  for (const auto& k : kernels_)
    if (std::find(out.begin(), out.end(), k.op) == out.end()) out.push_back(k.op);
  return out;
}

std::string requireFloat32(const Node& n) {
  for (const Value* v : n.inputs)
    if (v && v->dtype != DType::F32) return fmt::format("only f32 is supported, input has {}", dtypeName(v->dtype));
  for (const Value* v : n.outputs)
    if (v && v->dtype != DType::F32) return fmt::format("only f32 is supported, output has {}", dtypeName(v->dtype));
  return "";
}

std::string requireDTypes(const Node& n, std::initializer_list<DType> allowed) {
  const Value* v = n.input(0);
  if (!v) return "input 0 is missing";
  for (DType t : allowed)
    if (v->dtype == t) return "";
  return fmt::format("dtype {} is not supported by the C kernel", dtypeName(v->dtype));
}

}  // namespace tinyc::c
