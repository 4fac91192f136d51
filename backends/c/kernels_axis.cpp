// C kernels for CumSum, Hardmax, TopK and ReverseSequence (runtime/axis.c). Semantics follow
// lib/ops/axis_ops.cpp.
#include "backends/c/c_emit.h"
#include "ops/util.h"

namespace tinyc::c {

namespace {

// "outer, n, inner" around the axis.
std::string splitArgs(const Shape& s, size_t axis) {
  int64_t outer = 1, n = 1, inner = 1;
  for (size_t d = 0; d < s.size(); ++d) {
    if (d < axis) outer *= s[d];
    else if (d == axis) n = s[d];
    else inner *= s[d];
  }
  return fmt::format("{}, {}, {}", outer, n, inner);
}

std::string checkCumSum(const Node& n) {
  const Value* x = n.input(0);
  if (!x || x->dtype == DType::Bool || EmitCtx::ctype(x->dtype) == "void") return "dtype not supported by the C kernel";
  if (!n.input(1) || !n.input(1)->constData()) return "axis must be a compile-time constant";
  if (numElements(x->shape) > INT32_MAX) return "tensors of more than 2^31-1 elements are not supported";
  return "";
}
void emitCumSum(EmitCtx& c) {
  const Value* x = c.inValue(0);
  if (numElements(x->shape) == 0) return c.line(fmt::format("(void){};", c.out(0)));
  const size_t axis = static_cast<size_t>(normAxis(c.node, c.inValue(1)->constData()->getI(0), static_cast<int>(x->shape.size())));
  c.require("axis");
  c.line(fmt::format("tinyc_cumsum_{}({}, {}, {}, {}, {}, {});", EmitCtx::suffix(x->dtype), c.in(0), c.out(0),
                     splitArgs(x->shape, axis), c.node.attrInt("exclusive") != 0 ? 1 : 0,
                     c.node.attrInt("reverse") != 0 ? 1 : 0, c.node.op == opDef("CumProd") ? 1 : 0));
}

std::string checkHardmax(const Node& n) {
  if (auto why = requireDTypes(n, {DType::F32, DType::F64, DType::F16}); !why.empty()) return why;
  if (numElements(n.input(0)->shape) > INT32_MAX) return "tensors of more than 2^31-1 elements are not supported";
  return "";
}
void emitHardmax(EmitCtx& c) {
  const Value* x = c.inValue(0);
  if (numElements(x->shape) == 0) return c.line(fmt::format("(void){};", c.out(0)));
  const int r = static_cast<int>(x->shape.size());
  const std::string args = r ? splitArgs(x->shape, static_cast<size_t>(normAxis(c.node, c.node.attrInt("axis"), r))) : "1, 1, 1";
  c.require("axis");
  c.line(fmt::format("tinyc_hardmax_{}({}, {}, {});", EmitCtx::suffix(x->dtype), c.in(0), c.out(0), args));
}

std::string checkTopK(const Node& n) {
  const Value* x = n.input(0);
  if (!x || x->dtype == DType::Bool || x->dtype == DType::F16 || EmitCtx::ctype(x->dtype) == "void")
    return "dtype not supported by the C kernel";
  if (!n.input(1) || !n.input(1)->constData()) return "K must be a compile-time constant";
  if (numElements(x->shape) > INT32_MAX) return "tensors of more than 2^31-1 elements are not supported";
  return "";
}
void emitTopK(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const Value* y = c.outValue(0);
  if (numElements(y->shape) == 0) {
    c.line(fmt::format("(void){};", c.out(0)));
    if (c.outValue(1)) c.line(fmt::format("(void){};", c.out(1)));
    return;
  }
  const int r = static_cast<int>(x->shape.size());
  const size_t axis = static_cast<size_t>(normAxis(c.node, c.node.attrInt("axis"), r));
  c.require("axis");
  c.line(fmt::format("tinyc_topk_{}({}, {}, {}, {}, {}, {});", EmitCtx::suffix(x->dtype), c.in(0), c.out(0),
                     c.outValue(1) ? c.out(1) : "NULL", splitArgs(x->shape, axis), y->shape[axis],
                     c.node.attrInt("largest") != 0 ? 1 : 0));
}

std::string checkReverseSequence(const Node& n) {
  if (numElements(n.input(0)->shape) > INT32_MAX) return "tensors of more than 2^31-1 elements are not supported";
  return "";
}
void emitReverseSequence(EmitCtx& c) {
  const Shape& s = c.inValue(0)->shape;
  const int64_t chunk = numElements(s) / std::max<int64_t>(s[0] * s[1], 1) * static_cast<int64_t>(dtypeSize(c.inValue(0)->dtype));
  if (numElements(s) == 0) return c.line(fmt::format("(void){};", c.out(0)));
  c.require("axis");
  c.line(fmt::format("tinyc_reverse_sequence({}, {}, {}, {}, {}, {}, {});", c.in(0), c.out(0), c.in(1), s[0], s[1],
                     c.node.attrInt("time_axis"), chunk));
}

}  // namespace

void registerAxisKernels(KernelTable& t) {
  t.add({"ReverseSequence", checkReverseSequence, emitReverseSequence});
  t.add({"TopK", checkTopK, emitTopK});
  t.add({"CumSum", checkCumSum, emitCumSum});
  t.add({"CumProd", checkCumSum, emitCumSum});
  t.add({"Hardmax", checkHardmax, emitHardmax});
}

}  // namespace tinyc::c
