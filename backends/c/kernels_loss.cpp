// C kernels for NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss (runtime/loss.c).
// Semantics follow lib/ops/loss.cpp.
#include "backends/c/c_emit.h"

namespace tinyc::c {

namespace {

std::string checkLoss(const Node& n) {
  if (auto why = requireDTypes(n, {DType::F32, DType::F64}); !why.empty()) return why;
  if (numElements(n.input(0)->shape) > INT32_MAX) return "tensors of more than 2^31-1 elements are not supported";
  return "";
}

template <bool Softmax>
void emitLoss(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const Shape& s = x->shape;
  int64_t D = 1;
  for (size_t i = 2; i < s.size(); ++i) D *= s[i];
  const std::string& r = c.node.attrStr("reduction");
  const int red = r == "none" ? 0 : r == "sum" ? 1 : 2;
  const bool hasIgnore = c.node.hasAttr("ignore_index");
  const std::string w = c.inValue(2) ? c.in(2) : "NULL";
  c.require("loss");
  const std::string lp = Softmax && c.node.outputs.size() > 1 && c.outValue(1) ? c.out(1) : "NULL";
  const std::string args = fmt::format("{}, {}, {}, {}, {}", c.in(0), c.in(1), c.inValue(1)->dtype == DType::I64 ? 1 : 0, w,
                                       c.out(0));
  const std::string tail = fmt::format("{}, {}, {}, {}, {}, {}", s[0], s[1], D, red, hasIgnore ? 1 : 0,
                                       hasIgnore ? fmt::format("(int64_t){}", c.node.attrInt("ignore_index")) : "0");
  if (Softmax)
    c.line(fmt::format("if (tinyc_sce_{}({}, {}, {}) != 0) return 1;", EmitCtx::suffix(x->dtype), args, lp, tail));
  else
    c.line(fmt::format("if (tinyc_nll_{}({}, {}) != 0) return 1;", EmitCtx::suffix(x->dtype), args, tail));
}

}  // namespace

void registerLossKernels(KernelTable& t) {
  t.add({"NegativeLogLikelihoodLoss", checkLoss, emitLoss<false>});
  t.add({"SoftmaxCrossEntropyLoss", checkLoss, emitLoss<true>});
}

}  // namespace tinyc::c
