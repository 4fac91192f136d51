// C kernels for GatherND, ScatterND, ScatterElements and Scatter (runtime/scatter.c). Semantics
// follow lib/ops/scatter.cpp; an index out of range makes the run function return 1.
#include "backends/c/c_emit.h"
#include "ops/util.h"

namespace tinyc::c {

namespace {

// The element type code of tinyc_scatter_apply (0: reductions not supported).
int scatterType(DType t) {
  return t == DType::F32 ? 1 : t == DType::F64 ? 2 : t == DType::I32 ? 3 : t == DType::I64 ? 4 : 0;
}
int reductionCode(const Node& n) {
  if (!n.hasAttr("reduction")) return 0;
  const std::string& r = n.attrStr("reduction");
  return r == "add" ? 1 : r == "mul" ? 2 : r == "max" ? 3 : r == "min" ? 4 : 0;
}

std::string checkIndexed(const Node& n) {
  for (const Value* v : n.inputs)
    if (v && numElements(v->shape) > INT32_MAX) return "tensors of more than 2^31-1 elements are not supported";
  if (n.input(0) && EmitCtx::ctype(n.input(0)->dtype) == "void") return "dtype not supported by the C kernel";
  if (reductionCode(n) && !scatterType(n.input(0)->dtype))
    return fmt::format("reduction '{}' of {} is not supported by the C kernel (float, double, int32, int64)",
                       n.attrStr("reduction"), dtypeName(n.input(0)->dtype));
  return "";
}

void emitGatherND(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const Value* ind = c.inValue(1);
  const Shape& d = x->shape;
  const size_t b = static_cast<size_t>(c.node.attrInt("batch_dims"));
  const size_t k = static_cast<size_t>(ind->shape.back());
  int64_t nb = 1, slice = 1;
  for (size_t i = 0; i < b; ++i) nb *= d[i];
  for (size_t i = b + k; i < d.size(); ++i) slice *= d[i];
  if (numElements(c.outValue(0)->shape) == 0) return c.line(fmt::format("(void){};", c.out(0)));
  c.require("scatter");
  c.line(fmt::format("if (tinyc_gather_nd({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}) != 0) return 1;", c.in(0), c.in(1),
                     ind->dtype == DType::I64 ? 1 : 0, c.out(0), dtypeSize(x->dtype), nb,
                     numElements(ind->shape) / static_cast<int64_t>(k) / nb, k,
                     c.intArray(std::vector<int64_t>(d.begin() + static_cast<std::ptrdiff_t>(b),
                                                      d.begin() + static_cast<std::ptrdiff_t>(b + k))),
                     slice, numElements(d) / nb));
}

void emitScatterND(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const Value* ind = c.inValue(1);
  const Shape& d = x->shape;
  const size_t k = static_cast<size_t>(ind->shape.back());
  int64_t slice = 1;
  for (size_t i = k; i < d.size(); ++i) slice *= d[i];
  if (numElements(d) == 0) return c.line(fmt::format("(void){};", c.out(0)));
  c.require("scatter");
  c.line(fmt::format("if (tinyc_scatter_nd({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}) != 0) return 1;", c.in(0),
                     c.in(1), ind->dtype == DType::I64 ? 1 : 0, c.in(2), c.out(0), dtypeSize(x->dtype),
                     scatterType(x->dtype), reductionCode(c.node), numElements(d),
                     numElements(ind->shape) / static_cast<int64_t>(k), k,
                     c.intArray(std::vector<int64_t>(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(k))), slice));
}

void emitScatterElements(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const Value* ind = c.inValue(1);
  const int r = static_cast<int>(x->shape.size());
  if (numElements(x->shape) == 0) return c.line(fmt::format("(void){};", c.out(0)));
  const int axis = normAxis(c.node, c.node.attrInt("axis"), std::max(r, 1));
  std::vector<int64_t> st(x->shape.size(), 1);
  for (int d = r - 2; d >= 0; --d) st[static_cast<size_t>(d)] = st[static_cast<size_t>(d) + 1] * x->shape[static_cast<size_t>(d) + 1];
  c.require("scatter");
  c.line(fmt::format("if (tinyc_scatter_elements({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}) != 0) return 1;",
                     c.in(0), c.in(1), ind->dtype == DType::I64 ? 1 : 0, c.in(2), c.out(0), dtypeSize(x->dtype),
                     scatterType(x->dtype), reductionCode(c.node), numElements(x->shape), numElements(ind->shape), r,
                     ind->shape.empty() ? "NULL" : c.intArray(ind->shape), r ? c.intArray(st) : "NULL", axis,
                     r ? x->shape[static_cast<size_t>(axis)] : 1));
}

}  // namespace

void registerScatterKernels(KernelTable& t) {
  t.add({"GatherND", checkIndexed, emitGatherND});
  t.add({"ScatterND", checkIndexed, emitScatterND});
  t.add({"ScatterElements", checkIndexed, emitScatterElements});
  t.add({"Scatter", checkIndexed, emitScatterElements});
}

}  // namespace tinyc::c
