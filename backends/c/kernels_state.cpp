// C kernels for the state-carrying ops (runtime/state.c; reference: lib/ops/state_ops.cpp):
// CausalConvWithState and TensorScatter.
#include "backends/c/c_emit.h"
#include "ops/util.h"

namespace tinyc::c {

namespace {

std::string checkCausalConv(const Node& n) {
  if (auto why = requireFloat32(n); !why.empty()) return why;
  if (numElements(n.input(0)->shape) > INT32_MAX) return "tensors of more than 2^31-1 elements are not supported";
  return "";
}

void emitCausalConv(EmitCtx& c) {
  const Shape& x = c.inValue(0)->shape;
  const int64_t k = c.inValue(1)->shape[2];
  c.require("state");
  const bool present = c.outValue(1) && k > 1;
  c.line(fmt::format("tinyc_causal_conv_f32({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {});", c.in(0), c.in(1),
                     c.inValue(2) ? c.in(2) : "NULL", c.inValue(3) && k > 1 ? c.in(3) : "NULL", c.out(0),
                     present ? c.out(1) : "NULL", x[0], x[1], x[2], k, c.node.attrStr("activation") == "none" ? 0 : 1));
}

std::string checkTensorScatter(const Node& n) {
  if (n.input(0)->storageBits == 4) return "4-bit caches are not supported";
  if (numElements(n.input(0)->shape) > INT32_MAX) return "tensors of more than 2^31-1 elements are not supported";
  return "";
}

void emitTensorScatter(EmitCtx& c) {
  const Shape& s = c.inValue(0)->shape;
  const int axis = normAxis(c.node, c.node.attrInt("axis"), static_cast<int>(s.size()));
  int64_t outer = 1, inner = 1;
  for (int d = 0; d < axis; ++d) outer *= s[static_cast<size_t>(d)];
  for (size_t d = static_cast<size_t>(axis) + 1; d < s.size(); ++d) inner *= s[d];
  c.require("state");
  c.line(fmt::format("if (tinyc_tensor_scatter({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}) != 0) return 1;", c.in(0), c.in(1),
                     c.inValue(2) ? c.in(2) : "NULL", c.out(0), outer, outer / s[0], s[static_cast<size_t>(axis)],
                     c.inValue(1)->shape[static_cast<size_t>(axis)], inner, dtypeSize(c.inValue(0)->dtype),
                     c.node.attrStr("mode") == "circular" ? 1 : 0));
}

}  // namespace

void registerStateKernels(KernelTable& t) {
  t.add({"CausalConvWithState", checkCausalConv, emitCausalConv});
  t.add({"TensorScatter", checkTensorScatter, emitTensorScatter});
}

}  // namespace tinyc::c
