// C kernels for BatchNormalization (inference), LayerNormalization and LRN (runtime/norm.c).
// Semantics follow lib/ops/norm.cpp.
#include <algorithm>
#include <cstdint>
#include <optional>

#include "backends/c/c_emit.h"
#include "backends/c/emit_util.h"
#include "ops/layout.h"
#include "backends/c/runtime/scratch.h"

namespace tinyc::c {

namespace {

bool isFloatType(DType t) { return t == DType::F32 || t == DType::F64 || t == DType::F16; }

std::string checkSize(const Node& n) {
  for (const Value* v : n.inputs)
    if (v && numElements(v->shape) > INT32_MAX) return "tensors of more than 2^31-1 elements are not supported";
  for (const Value* v : n.outputs)
    if (v && numElements(v->shape) > INT32_MAX) return "tensors of more than 2^31-1 elements are not supported";
  return "";
}

// ---- BatchNormalization -------------------------------------------------------------------

std::string checkBatchNorm(const Node& n) {
  if (n.attrInt("training_mode") != 0) return "training_mode=1 is not supported (only inference)";
  for (size_t i = 1; i < n.outputs.size(); ++i)
    if (n.outputs[i]) return "outputs running_mean / running_var (training mode) are not supported";
  const Value* x = n.input(0);
  if (!x) return "input X is missing";
  if (!isFloatType(x->dtype)) return fmt::format("dtype {} is not supported by the C kernel", dtypeName(x->dtype));
  if (x->shape.size() < 2) return "X must have rank >= 2";
  for (size_t i = 1; i < 5; ++i) {
    const Value* p = n.input(i);
    if (!p) return "inputs scale, B, input_mean and input_var are required";
    if (p->dtype != x->dtype)
      return fmt::format("parameter dtype {} differs from X dtype {} (mixed precision is not supported)",
                         dtypeName(p->dtype), dtypeName(x->dtype));
    if (numElements(p->shape) != x->shape[1]) return "parameters must have one value per channel";
  }
  return checkSize(n);
}

// Start of a per-channel kernel of runtime/norm.c: X seen as [n, ch, inner], or [n, inner, ch]
// for a channels-last node (layout pass, channels-last targets). nullopt (after a reference to
// the output, so that it is not an unused variable) when X is empty: nothing to compute.
struct ChannelGeom {
  int64_t n = 0, ch = 0, inner = 0;
  bool last = false;
};
std::optional<ChannelGeom> beginChannelKernel(EmitCtx& c) {
  const Value* x = c.inValue(0);
  if (numElements(x->shape) == 0) {
    c.line(fmt::format("(void){};", c.out(0)));
    return std::nullopt;
  }
  c.require("norm");
  ChannelGeom g;
  g.last = isChannelsLast(c.node);
  g.n = x->shape[0];
  g.ch = g.last ? x->shape.back() : x->shape[1];
  g.inner = numElements(x->shape) / (g.n * g.ch);
  return g;
}

// epsilon as the kernel's accumulation type: double for f64 tensors, tinyc_acc otherwise.
std::string epsLit(const EmitCtx& c, DType t) {
  const double eps = static_cast<double>(c.node.attrFloat("epsilon"));
  return t == DType::F64 ? EmitCtx::doubleLit(eps) : c.accLit(eps);
}

void emitBatchNorm(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const auto g = beginChannelKernel(c);
  if (!g) return;
  c.line(fmt::format("tinyc_batchnorm_{}({}, {}, {}, {}, {}, {}, {}, {}, {}, {});", EmitCtx::suffix(x->dtype), c.in(0),
                     c.in(1), c.in(2), c.in(3), c.in(4), c.out(0), g->n, g->ch,
                     g->inner, epsLit(c, x->dtype)));
}

// ---- LayerNormalization -------------------------------------------------------------------

int layerAxis(const Node& n) {
  const int64_t r = static_cast<int64_t>(n.input(0)->shape.size());
  int64_t a = n.attrInt("axis");
  return static_cast<int>(a < 0 ? a + r : a);
}

bool broadcastsTo(const Shape& s, const Shape& to) {
  if (s.size() > to.size()) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const int64_t d = s[i], t = to[to.size() - s.size() + i];
    if (d != t && d != 1) return false;
  }
  return true;
}

std::string checkLayerNorm(const Node& n) {
  const Value* x = n.input(0);
  if (!x) return "input X is missing";
  if (!isFloatType(x->dtype)) return fmt::format("dtype {} is not supported by the C kernel", dtypeName(x->dtype));
  const int64_t r = static_cast<int64_t>(x->shape.size());
  const int64_t axis = n.attrInt("axis");
  if (r < 1 || axis < -r || axis >= r) return fmt::format("axis {} is out of range for rank {}", axis, r);
  if (!n.input(1)) return "input Scale is missing";
  for (size_t i = 1; i < 3; ++i) {
    const Value* p = n.input(i);
    if (!p) continue;
    if (p->dtype != x->dtype) return "Scale / B dtype differs from X";
    if (!broadcastsTo(p->shape, x->shape)) return "Scale / B does not broadcast to X";
  }
  for (size_t i = 1; i < 3; ++i) {
    const Value* o = n.outputs.size() > i ? n.outputs[i] : nullptr;
    if (o && o->dtype != DType::F32 && o->dtype != DType::F64)
      return fmt::format("Mean / InvStdDev outputs of dtype {} (stash_type) are not supported", dtypeName(o->dtype));
  }
  if (n.outputs.size() > 2 && n.outputs[1] && n.outputs[2] && n.outputs[1]->dtype != n.outputs[2]->dtype)
    return "Mean and InvStdDev dtypes differ";
  return checkSize(n);
}

// Index arguments of a parameter ("tab, st"): NULL, NULL when it is indexed by the column.
std::string paramIndex(EmitCtx& c, const Value* p, const Shape& x, int axis, int64_t cols) {
  if (!p) return "NULL, NULL";
  const std::vector<int64_t> st = bcastStrides(p->shape, x);
  bool perBlock = true;
  for (int i = 0; i < axis; ++i) perBlock = perBlock && st[static_cast<size_t>(i)] == 0;
  if (!perBlock) return "NULL, " + c.intArray(st);
  // Offsets over the normalized block [axis, rank).
  std::vector<int64_t> table(static_cast<size_t>(cols));
  bool identity = true;
  for (int64_t j = 0; j < cols; ++j) {
    int64_t o = j, off = 0;
    for (int d = static_cast<int>(x.size()) - 1; d >= axis; --d) {
      off += (o % x[static_cast<size_t>(d)]) * st[static_cast<size_t>(d)];
      o /= x[static_cast<size_t>(d)];
    }
    table[static_cast<size_t>(j)] = off;
    identity = identity && off == j;
  }
  if (identity) return "NULL, NULL";
  return c.intArray(table) + ", NULL";
}

void emitLayerNorm(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const Shape& xs = x->shape;
  const int axis = layerAxis(c.node);
  int64_t rows = 1, cols = 1;
  for (int i = 0; i < static_cast<int>(xs.size()); ++i) (i < axis ? rows : cols) *= xs[static_cast<size_t>(i)];
  if (rows == 0) {  // nothing to compute; reference the outputs (no unused variables)
    for (size_t i = 0; i < 3; ++i)
      if (c.outValue(i)) c.line(fmt::format("(void){};", c.out(i)));
    return;
  }
  c.require("norm");
  const Value* mo = c.outValue(1);
  const Value* io = c.outValue(2);
  const bool stash64 = (mo && mo->dtype == DType::F64) || (io && io->dtype == DType::F64);
  const std::string sIdx = paramIndex(c, c.inValue(1), xs, axis, cols);
  const std::string bIdx = paramIndex(c, c.inValue(2), xs, axis, cols);
  const bool general = sIdx != "NULL, NULL" || bIdx != "NULL, NULL";
  const bool rms = c.node.op == opDef("RMSNormalization");
  c.line(fmt::format("tinyc_layernorm_{}({}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {});",
                     EmitCtx::suffix(x->dtype), c.in(0), c.in(1), rms ? "NULL" : c.in(2), c.out(0),
                     rms ? "NULL" : c.out(1), rms ? "NULL" : c.out(2), stash64 ? 1 : 0, rows, cols, epsLit(c, x->dtype),
                     sIdx, bIdx, xs.size(), general ? c.intArray(xs) : std::string("NULL"), rms ? 1 : 0));
}

// ---- InstanceNormalization: LayerNormalization's kernel over rows of N * C, scale and B indexed
// by the channel (strides 0, 1, 0, ... over X).

std::string checkInstanceNorm(const Node& n) {
  const Value* x = n.input(0);
  if (!x || !isFloatType(x->dtype)) return "dtype is not supported by the C kernel";
  if (x->shape.size() < 3) return "input rank must be >= 3";
  return checkSize(n);
}

void emitInstanceNorm(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const Shape& xs = x->shape;
  const int64_t rows = xs[0] * xs[1], cols = rows ? numElements(xs) / rows : 0;
  if (rows == 0 || cols == 0) {
    c.line(fmt::format("(void){};", c.out(0)));
    return;
  }
  c.require("norm");
  std::vector<int64_t> st(xs.size(), 0);
  st[1] = 1;
  const std::string idx = "NULL, " + c.intArray(st);
  c.line(fmt::format("tinyc_layernorm_{}({}, {}, {}, {}, NULL, NULL, 0, {}, {}, {}, {}, {}, {}, {}, 0);",
                     EmitCtx::suffix(x->dtype), c.in(0), c.in(1), c.in(2), c.out(0), rows, cols,
                     epsLit(c, x->dtype), idx, idx, xs.size(), c.intArray(xs)));
}

// ---- GroupNormalization: LayerNormalization's kernel over rows of N * groups, X seen as
// [N, groups, C / groups, spatial] and scale / B indexed by broadcast strides over that shape.

std::string checkGroupNorm(const Node& n) {
  const Value* x = n.input(0);
  if (!x || !isFloatType(x->dtype)) return "dtype is not supported by the C kernel";
  if (x->shape.size() < 2) return "input rank must be >= 2";
  return checkSize(n);
}

void emitGroupNorm(EmitCtx& c) {
  const Shape& xs = c.inValue(0)->shape;
  const int64_t n = xs[0], ch = xs[1], groups = c.node.attrInt("num_groups"), per = ch / groups;
  int64_t spatial = 1;
  for (size_t i = 2; i < xs.size(); ++i) spatial *= xs[i];
  const int64_t rows = n * groups, cols = per * spatial;
  if (rows == 0 || cols == 0) return c.line(fmt::format("(void){};", c.out(0)));
  const bool perGroup = c.inValue(1)->shape == Shape{groups} && groups != ch;
  c.require("norm");
  const std::string st = c.intArray(perGroup ? std::vector<int64_t>{0, 1, 0, 0} : std::vector<int64_t>{0, per, 1, 0});
  c.line(fmt::format("tinyc_layernorm_{}({}, {}, {}, {}, NULL, NULL, 0, {}, {}, {}, NULL, {}, NULL, {}, 4, {}, 0);",
                     EmitCtx::suffix(c.inValue(0)->dtype), c.in(0), c.in(1), c.in(2), c.out(0), rows, cols,
                     epsLit(c, c.inValue(0)->dtype), st, st, c.intArray({n, groups, per, spatial})));
}

// ---- LpNormalization (lib/ops/norm.cpp) ---------------------------------------------------

std::string checkLpNorm(const Node& n) {
  const Value* x = n.input(0);
  if (!x || (x->dtype != DType::F32 && x->dtype != DType::F64)) return "only float32 and float64 are supported";
  return checkSize(n);
}

void emitLpNorm(EmitCtx& c) {
  const Shape& s = c.inValue(0)->shape;
  const int64_t rank = static_cast<int64_t>(s.size());
  int64_t axis = c.node.attrInt("axis");
  if (rank && axis < 0) axis += rank;
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < axis; ++d) outer *= s[static_cast<size_t>(d)];
  for (int64_t d = axis + 1; d < rank; ++d) inner *= s[static_cast<size_t>(d)];
  const int64_t n = rank ? s[static_cast<size_t>(axis)] : 1;
  if (outer * n * inner == 0) return c.line(fmt::format("(void){};", c.out(0)));
  c.require("norm");
  c.line(fmt::format("tinyc_lpnorm_{}({}, {}, {}, {}, {}, {});", EmitCtx::suffix(c.inValue(0)->dtype), c.in(0), c.out(0),
                     outer, n, inner, c.node.attrInt("p") == 1 ? 1 : 0));
}

// ---- LRN ----------------------------------------------------------------------------------

std::string checkLrn(const Node& n) {
  const Value* x = n.input(0);
  if (!x) return "input X is missing";
  if (!isFloatType(x->dtype)) return fmt::format("dtype {} is not supported by the C kernel", dtypeName(x->dtype));
  if (x->shape.size() < 3) return "X must have rank >= 3";
  const int64_t size = n.attrInt("size");
  if (size < 1 || size > INT32_MAX) return fmt::format("size {} is out of range", size);
  return checkSize(n);
}

void emitLrn(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const auto g = beginChannelKernel(c);
  if (!g) return;
  const int64_t ch = g->ch;
  // Window [k - floor((size-1)/2), k + ceil((size-1)/2)]; clipped to the channels by the kernel.
  const int64_t size = c.node.attrInt("size");
  const int64_t before = std::min((size - 1) / 2, ch), after = std::min(size - 1 - (size - 1) / 2, ch);
  const float beta = c.node.attrFloat("beta");
  const std::string params =
      fmt::format("{}, {}, {}, {}, {}, {}", before, after,
                  EmitCtx::doubleLit(static_cast<double>(c.node.attrFloat("alpha")) / static_cast<double>(size)),
                  EmitCtx::doubleLit(static_cast<double>(c.node.attrFloat("bias"))),
                  EmitCtx::doubleLit(static_cast<double>(beta)), beta == 0.75f ? 1 : 0);
  const std::string t = EmitCtx::suffix(x->dtype);
  if (c.inPlace(0, 0)) {  // channels-last, over its own input (inPlaceScratchLrn): a row of scratch
    c.line(fmt::format("tinyc_lrn_inplace_{}({}, ({} *){}, {}, {}, {});", t, c.out(0), EmitCtx::ctype(x->dtype), c.scratch(),
                       g->n * g->inner, ch, params));
    return;
  }
  c.line(fmt::format("tinyc_lrn_{}({}, {}, {}, {}, {}, {}, {});", t, c.in(0), c.out(0), g->n, ch, g->inner,
                     g->last ? 1 : 0, params));
}

// Channels-last LRN may compute over its input when that is dead after it: one pixel's outputs
// (a row of C values) are the only scratch (CKernel::inPlaceScratch).
int64_t inPlaceScratchLrn(const Node& n) {
  const Value* x = n.input(0);
  if (!isChannelsLast(n) || !x || !checkLrn(n).empty() || numElements(x->shape) == 0) return -1;
  return tinyc_lrn_inplace_scratch(x->shape.back(), static_cast<int64_t>(dtypeSize(x->dtype)));
}

}  // namespace

void registerNormKernels(KernelTable& t) {
  t.add({"BatchNormalization", checkBatchNorm, emitBatchNorm});
  t.add({"LayerNormalization", checkLayerNorm, emitLayerNorm});
  t.add({"RMSNormalization", checkLayerNorm, emitLayerNorm});
  t.add({"GroupNormalization", checkGroupNorm, emitGroupNorm});
  t.add({"InstanceNormalization", checkInstanceNorm, emitInstanceNorm});
  t.add({"LpNormalization", checkLpNorm, emitLpNorm});
  CKernel lrn{"LRN", checkLrn, emitLrn};
  lrn.inPlaceScratch = inPlaceScratchLrn;
  t.add(lrn);
}

}  // namespace tinyc::c
