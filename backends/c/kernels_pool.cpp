// C kernels for MaxPool, AveragePool, LpPool, GlobalAveragePool and GlobalMaxPool (runtime/pool.c).
#include <climits>

#include "backends/c/c_emit.h"
#include "backends/c/kernels_nhwc.h"
#include "ops/layout.h"
#include "ops/nn_common.h"

namespace tinyc::c {

namespace {

using nn::Window;

std::string checkSize(const Node& n) {
  for (const Value* v : n.inputs)
    if (v && numElements(v->shape) > INT32_MAX) return "tensors above 2^31 elements are not supported";
  return "";
}

Window poolWindow(const Node& n) {
  return nn::forwardWindow(n, n.input(0)->shape, n.attrInts("kernel_shape"), n.attrInt("ceil_mode") == 1);
}

// planes, then in out k s d pb pe (3 each).
std::vector<int64_t> poolParams(const Node& n) {
  const Shape& x = n.input(0)->shape;
  Window w = poolWindow(n);
  std::vector<int64_t> p{x[0] * x[1]};
  for (const int64_t* a : {w.in, w.out, w.k, w.s, w.d, w.pb, w.pe}) p.insert(p.end(), a, a + nn::kMaxSpatial);
  return p;
}

std::string checkWindowed(const Node& n, std::initializer_list<DType> types) {
  if (isChannelsLast(n)) return checkNhwc(n);
  if (auto why = requireDTypes(n, types); !why.empty()) return why;
  const size_t r = n.input(0)->shape.size();
  if (r < 3 || r > 5) return "only 1D, 2D and 3D pooling is supported";
  if (!n.hasAttr("kernel_shape")) return "kernel_shape is missing";
  return checkSize(n);
}

std::string checkMaxPool(const Node& n) {
  return checkWindowed(n, {DType::F32, DType::F64, DType::I8, DType::U8, DType::I16});
}

void emitMaxPool(EmitCtx& c) {
  if (isChannelsLast(c.node)) return emitPoolNhwc(c, true);
  c.require("pool");
  const std::string sfx = EmitCtx::suffix(c.inValue(0)->dtype);
  const std::string p = c.intArray(poolParams(c.node));
  if (c.outValue(1))
    c.line(fmt::format("tinyc_maxpool_idx_{}({}, {}, {}, {}, {});", sfx, c.in(0), c.out(0), c.out(1), p,
                       c.node.attrInt("storage_order") == 1 ? 1 : 0));
  else
    c.line(fmt::format("tinyc_maxpool_{}({}, {}, {});", sfx, c.in(0), c.out(0), p));
}

std::string checkLpPool(const Node& n) {
  if (auto why = checkWindowed(n, {DType::F32}); !why.empty()) return why;
  if (n.attrInt("p") > INT32_MAX) return "p is too large";
  return "";
}

void emitLpPool(EmitCtx& c) {
  c.require("pool");
  c.line(fmt::format("tinyc_lppool_f32({}, {}, {}, {});", c.in(0), c.out(0), c.intArray(poolParams(c.node)),
                     c.node.attrInt("p")));
}

std::string checkAveragePool(const Node& n) { return checkWindowed(n, {DType::F32, DType::F64}); }

void emitAveragePool(EmitCtx& c) {
  if (isChannelsLast(c.node)) return emitPoolNhwc(c, false);
  c.require("pool");
  c.line(fmt::format("tinyc_avgpool_{}({}, {}, {}, {});", EmitCtx::suffix(c.inValue(0)->dtype), c.in(0), c.out(0),
                     c.intArray(poolParams(c.node)), c.node.attrInt("count_include_pad") == 1 ? 1 : 0));
}

std::string checkGlobalPool(const Node& n) {
  if (isChannelsLast(n)) return checkNhwc(n);
  if (auto why = requireDTypes(n, {DType::F32, DType::F64}); !why.empty()) return why;
  const Shape& x = n.input(0)->shape;
  if (x.size() < 2) return "input must have rank >= 2";
  if (numElements(x) == 0) return "empty input is not supported";
  return checkSize(n);
}

template <bool IsMax>
void emitGlobalPool(EmitCtx& c) {
  if (isChannelsLast(c.node)) return emitGlobalPoolNhwc(c, IsMax);
  c.require("pool");
  const Shape& x = c.inValue(0)->shape;
  const int64_t planes = x[0] * x[1];
  c.line(fmt::format("tinyc_global{}pool_{}({}, {}, {}, {});", IsMax ? "max" : "avg",
                     EmitCtx::suffix(c.inValue(0)->dtype), c.in(0), c.out(0), planes, numElements(x) / planes));
}

}  // namespace

std::string checkMaxUnpool(const Node& n) {
  if (numElements(n.outputs[0]->shape) > INT32_MAX || numElements(n.input(0)->shape) > INT32_MAX)
    return "tensors of more than 2^31-1 elements are not supported";
  return "";
}
void emitMaxUnpool(EmitCtx& c) {
  const Value* x = c.inValue(0);
  c.require("pool");
  const Shape d = nn::maxUnpoolShape(c.node, x->shape, nullptr);
  c.line(fmt::format("if (tinyc_maxunpool({}, {}, {}, {}, {}, {}, {}, {}) != 0) return 1;", c.in(0), c.in(1), c.out(0),
                     numElements(x->shape), dtypeSize(x->dtype), d.size(), c.intArray(d), c.intArray(c.outValue(0)->shape)));
}

void registerPoolKernels(KernelTable& t) {
  t.add({"MaxUnpool", checkMaxUnpool, emitMaxUnpool});
  t.add({"MaxPool", checkMaxPool, emitMaxPool});
  t.add({"AveragePool", checkAveragePool, emitAveragePool});
  t.add({"LpPool", checkLpPool, emitLpPool});
  t.add({"GlobalAveragePool", checkGlobalPool, emitGlobalPool<false>});
  t.add({"GlobalMaxPool", checkGlobalPool, emitGlobalPool<true>});
}

}  // namespace tinyc::c
