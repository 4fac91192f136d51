// C kernels for ReduceSum / ReduceMean / ReduceMax (runtime/reduce.c). Semantics follow
// lib/ops/reduce.cpp: axes is an optional compile-time-constant input, attributes keepdims and
// noop_with_empty_axes.
#include <algorithm>
#include <cstdint>

#include "backends/c/c_emit.h"
#include "ops/util.h"
#include "backends/c/runtime/scratch.h"

namespace tinyc::c {

namespace {

// How a reduction is generated. The input shape is simplified first: size-1 dims are dropped
// and adjacent dims with the same role (reduced or kept) merged.
struct RPlan {
  enum Kind { Copy, Contiguous, General } kind = Copy;
  int64_t outer = 1, r = 1, inner = 1;  // Contiguous: input [outer, r, inner] reduced over r
  std::vector<int64_t> shape, ostrides;  // General: simplified input shape, output strides
  int64_t count = 1, outN = 1, inN = 1;
};

// Fills `p` or returns why the node cannot be generated.
std::string planOf(const Node& n, RPlan* p) {
  const Value* x = n.input(0);
  if (!x) return "input 0 is missing";
  const Shape& in = x->shape;
  const int r = static_cast<int>(in.size());
  std::vector<int64_t> axes;
  if (const Value* a = n.input(1)) {
    const Tensor* t = a->constData();
    if (!t) return "axes must be a compile-time constant";
    axes = t->toInts();
  }
  const int64_t noop = n.attrInt("noop_with_empty_axes");
  std::vector<bool> red(static_cast<size_t>(r), axes.empty());
  if (axes.empty() && noop) {
    p->kind = RPlan::Copy;
    return "";
  }
  for (int64_t a : axes) {
    if (a < -r || a >= r) return fmt::format("axis {} is out of range for rank {}", a, r);
    red[static_cast<size_t>(a < 0 ? a + r : a)] = true;
  }
  p->count = 1;
  p->outN = 1;
  p->inN = numElements(in);
  for (int d = 0; d < r; ++d) (red[static_cast<size_t>(d)] ? p->count : p->outN) *= in[static_cast<size_t>(d)];
  if (p->inN > INT32_MAX || p->outN > INT32_MAX) return "tensors of more than 2^31-1 elements are not supported";
  if (p->count == 0) {  // empty reduction: every output is the initial value
    p->kind = RPlan::Contiguous;
    p->outer = p->outN;
    p->r = 0;
    p->inner = 1;
    return "";
  }
  std::vector<int64_t> dims;
  std::vector<bool> dred;
  for (int d = 0; d < r; ++d) {
    const int64_t v = in[static_cast<size_t>(d)];
    if (v == 1) continue;
    const bool rd = red[static_cast<size_t>(d)];
    if (!dims.empty() && dred.back() == rd) {
      dims.back() *= v;
    } else {
      dims.push_back(v);
      dred.push_back(rd);
    }
  }
  int groups = 0;
  for (bool b : dred) groups += b ? 1 : 0;
  if (groups == 0) {  // only size-1 dims reduced: y = x
    p->kind = RPlan::Copy;
    return "";
  }
  if (groups == 1) {
    p->kind = RPlan::Contiguous;
    p->outer = p->inner = 1;
    bool after = false;
    for (size_t i = 0; i < dims.size(); ++i) {
      if (dred[i]) {
        p->r = dims[i];
        after = true;
      } else {
        (after ? p->inner : p->outer) *= dims[i];
      }
    }
    return "";
  }
  p->kind = RPlan::General;
  p->shape = dims;
  p->ostrides.assign(dims.size(), 0);
  int64_t s = 1;
  for (size_t i = dims.size(); i-- > 0;) {
    if (dred[i]) continue;
    p->ostrides[i] = s;
    s *= dims[i];
  }
  return "";
}

template <bool IsMax>
std::string checkReduce(const Node& n) {
  const Value* x = n.input(0);
  if (!x) return "input 0 is missing";
  const DType t = x->dtype;
  if (t == DType::Bool && !IsMax) return "bool is not supported";
  if (EmitCtx::ctype(t) == "void") return fmt::format("dtype {} is not supported by the C kernel", dtypeName(t));
  RPlan p;
  return planOf(n, &p);
}

template <bool IsMax>
int64_t reduceScratch(const Node& n) {
  if (IsMax) return 0;
  RPlan p;
  if (!planOf(n, &p).empty()) return 0;
  if (p.kind == RPlan::Contiguous) return tinyc_reduce_sum_scratch(p.outer, p.inner);
  if (p.kind == RPlan::General) return tinyc_reduce_sum_gen_scratch(p.outN);
  return 0;
}

// Kind: 0 Sum, 1 Mean, 2 Max, 3 Min (integers and bools).
template <int Kind>
void emitReduce(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const Value* y = c.outValue(0);
  if (numElements(y->shape) == 0) {  // nothing to compute; reference the output (no unused variable)
    c.line(fmt::format("(void){};", c.out(0)));
    return;
  }
  RPlan p;
  std::string why = planOf(c.node, &p);
  if (!why.empty()) modelError("{}: {}", c.node.where(), why);
  if (p.kind == RPlan::Copy) {
    c.line(fmt::format("memcpy({}, {}, {});", c.out(0), c.in(0),
                       numElements(y->shape) * static_cast<int64_t>(dtypeSize(y->dtype))));
    return;
  }
  c.require("reduce");
  const DType t = x->dtype == DType::Bool ? DType::U8 : x->dtype;
  constexpr bool ext = Kind >= 2;  // max / min: no accumulator, no scratch
  const std::string k = fmt::format("tinyc_reduce_{}_{}", Kind == 2 ? "max" : Kind == 3 ? "min" : "sum", EmitCtx::suffix(t));
  const std::string ctype = EmitCtx::ctype(t);
  const std::string xs = x->dtype == DType::Bool ? fmt::format("(const uint8_t *){}", c.in(0)) : c.in(0);
  const std::string ys = y->dtype == DType::Bool ? fmt::format("(uint8_t *){}", c.out(0)) : c.out(0);
  const std::string accType = t == DType::F64 ? "double" : (t == DType::F32 || t == DType::F16) ? "tinyc_acc" : "uint64_t";
  const int64_t scratch = reduceScratch<ext>(c.node);
  const std::string acc = scratch > 0 ? fmt::format("({} *){}", accType, c.scratch()) : std::string("NULL");
  const std::string mean = Kind == 1 ? "1" : "0";
  if (p.kind == RPlan::Contiguous) {
    if (ext)
      c.line(fmt::format("{}({}, {}, {}, {}, {});", k, xs, ys, p.outer, p.r, p.inner));
    else
      c.line(fmt::format("{}({}, {}, {}, {}, {}, {}, {});", k, xs, ys, p.outer, p.r, p.inner, mean, acc));
    return;
  }
  const std::string shp = c.intArray(p.shape), ost = c.intArray(p.ostrides);
  if (ext)
    c.line(fmt::format("{}_gen({}, {}, {}, {}, {}, {}, {});", k, xs, ys, p.inN, p.shape.size(), shp, ost, p.outN));
  else
    c.line(fmt::format("{}_gen({}, {}, {}, {}, {}, {}, {}, {}, {}, {});", k, xs, ys, p.inN, p.shape.size(), shp, ost,
                       p.outN, p.count, mean, acc));
}

// The other reductions (runtime: tinyc_reduce_op_*), floats only, always in the general form
// (a contiguous plan [outer, r, inner] is the shape {outer, r, inner} with output strides
// {inner, 0, 1}); scratch: two accumulators per output.
std::string checkReduceOp(const Node& n) {
  if (auto why = requireDTypes(n, {DType::F32, DType::F64, DType::F16}); !why.empty()) return why;
  RPlan p;
  return planOf(n, &p);
}

int64_t reduceOpScratch(const Node& n) {
  RPlan p;
  if (!planOf(n, &p).empty()) return 0;
  return tinyc_reduce_op_scratch(p.outN);
}
template <int Kind>
void emitReduceOp(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const Value* y = c.outValue(0);
  if (numElements(y->shape) == 0) {
    c.line(fmt::format("(void){};", c.out(0)));
    return;
  }
  RPlan p;
  std::string why = planOf(c.node, &p);
  if (!why.empty()) modelError("{}: {}", c.node.where(), why);
  std::vector<int64_t> shape = p.shape, ost = p.ostrides;
  if (p.kind == RPlan::Copy) {  // no element folded with another: the op on each element alone
    shape = {numElements(x->shape)};
    ost = {1};
  } else if (p.kind == RPlan::Contiguous) {
    shape = {p.outer, p.r, p.inner};
    ost = {p.inner, 0, 1};
  }
  c.require("reduce");
  const std::string acc = x->dtype == DType::F64 ? "double" : "tinyc_acc";
  c.line(fmt::format("tinyc_reduce_op_{}({}, {}, {}, {}, {}, {}, {}, {}, ({} *){});", EmitCtx::suffix(x->dtype), c.in(0),
                     c.out(0), numElements(x->shape), shape.size(), c.intArray(shape), c.intArray(ost),
                     numElements(y->shape), Kind, acc, c.scratch()));
}

bool isFloatInput(const Node& n) { return n.input(0) && isFloat(n.input(0)->dtype); }
std::string checkReduceMin(const Node& n) { return isFloatInput(n) ? checkReduceOp(n) : checkReduce<true>(n); }
int64_t reduceMinScratch(const Node& n) { return isFloatInput(n) ? reduceOpScratch(n) : 0; }
// ArgMax / ArgMin: [outer, n, inner] around the axis.
std::string checkArg(const Node& n) {
  const Value* x = n.input(0);
  if (!x || EmitCtx::ctype(x->dtype) == "void" || x->dtype == DType::Bool)
    return fmt::format("dtype {} is not supported by the C kernel", x ? dtypeName(x->dtype) : "?");
  if (numElements(x->shape) > INT32_MAX) return "tensors of more than 2^31-1 elements are not supported";
  return "";
}
template <bool IsMin>
void emitArg(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const int r = static_cast<int>(x->shape.size());
  const size_t axis = static_cast<size_t>(normAxis(c.node, c.node.attrInt("axis"), std::max(r, 1)));
  int64_t outer = 1, n = 1, inner = 1;
  for (size_t d = 0; d < x->shape.size(); ++d) {
    if (d < axis) outer *= x->shape[d];
    else if (d == axis) n = x->shape[d];
    else inner *= x->shape[d];
  }
  if (numElements(c.outValue(0)->shape) == 0) {
    c.line(fmt::format("(void){};", c.out(0)));
    return;
  }
  c.require("reduce");
  c.line(fmt::format("tinyc_arg_{}({}, {}, {}, {}, {}, {}, {});", EmitCtx::suffix(x->dtype), c.in(0), c.out(0), outer, n,
                     inner, IsMin ? 1 : 0, c.node.attrInt("select_last_index") != 0 ? 1 : 0));
}

void emitReduceMin(EmitCtx& c) { return isFloatInput(c.node) ? emitReduceOp<0>(c) : emitReduce<3>(c); }

}  // namespace

void registerReduceKernels(KernelTable& t) {
  t.add({"ReduceMin", checkReduceMin, emitReduceMin, reduceMinScratch});
  t.add({"ArgMax", checkArg, emitArg<false>});
  t.add({"ArgMin", checkArg, emitArg<true>});
  t.add({"ReduceProd", checkReduceOp, emitReduceOp<1>, reduceOpScratch});
  t.add({"ReduceL1", checkReduceOp, emitReduceOp<2>, reduceOpScratch});
  t.add({"ReduceL2", checkReduceOp, emitReduceOp<3>, reduceOpScratch});
  t.add({"ReduceLogSum", checkReduceOp, emitReduceOp<4>, reduceOpScratch});
  t.add({"ReduceLogSumExp", checkReduceOp, emitReduceOp<5>, reduceOpScratch});
  t.add({"ReduceSumSquare", checkReduceOp, emitReduceOp<6>, reduceOpScratch});
  t.add({"ReduceSum", checkReduce<false>, emitReduce<0>, reduceScratch<false>});
  t.add({"ReduceMean", checkReduce<false>, emitReduce<1>, reduceScratch<false>});
  t.add({"ReduceMax", checkReduce<true>, emitReduce<2>, reduceScratch<true>});
}

}  // namespace tinyc::c
