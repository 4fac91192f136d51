// C kernels for data movement and conversion: Reshape Flatten Squeeze Unsqueeze Identity Dropout
// (plain copies), Transpose, Slice (strided copies, runtime/shape.c), Pad, Resize nearest (per-axis
// offset tables, runtime/shape.c), Concat, Split, Gather, Shape, Constant, ConstantOfShape, Cast
// (runtime/cast.c) and Resize linear/cubic (runtime/resize.c).
//
// Index maps are worked out here at compile time from the same rules as the reference
// interpreter (lib/ops/shape*.cpp; the plan functions there are file-local, so the parts needed
// are repeated below and must be kept in sync). Tables are per axis (sum of the dims), never per
// element.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "backends/c/c_emit.h"
#include "backends/c/emit_util.h"
#include "ops/util.h"

namespace tinyc::c {

namespace {

constexpr int kMaxRank = 16;  // TINYC_SHAPE_MAX_RANK / TINYC_RESIZE_MAX_RANK in the runtime

int64_t bytesOf(const Value* v) { return numElements(v->shape) * static_cast<int64_t>(dtypeSize(v->dtype)); }

bool knownDType(DType t) {
  switch (t) {
    case DType::F32: case DType::F64: case DType::F16: case DType::I8: case DType::U8: case DType::I16:
    case DType::U16: case DType::I32: case DType::U32: case DType::I64: case DType::U64: case DType::Bool:
      return true;
    default:
      return false;
  }
}

// Every kernel here indexes with int32 and iterates over at most kMaxRank dims.
std::string checkSizes(const Node& n) {
  auto one = [&](const Value* v, const char* kind, size_t i) -> std::string {
    if (!v) return "";
    if (!knownDType(v->dtype)) return fmt::format("{} {} has dtype {}, not supported by the C kernels", kind, i, dtypeName(v->dtype));
    if (v->shape.size() > static_cast<size_t>(kMaxRank))
      return fmt::format("{} {} has rank {}; the C kernels support up to {}", kind, i, v->shape.size(), kMaxRank);
    if (bytesOf(v) > INT32_MAX) return fmt::format("{} {} is larger than 2 GiB", kind, i);
    return "";
  };
  for (size_t i = 0; i < n.inputs.size(); ++i)
    if (auto s = one(n.inputs[i], "input", i); !s.empty()) return s;
  for (size_t i = 0; i < n.outputs.size(); ++i)
    if (auto s = one(n.outputs[i], "output", i); !s.empty()) return s;
  return "";
}

std::string constPtr(const std::string& name, int64_t byteOff) {
  return byteOff == 0 ? name : fmt::format("((const unsigned char *){} + {})", name, byteOff);
}
std::string mutPtr(const std::string& name, int64_t byteOff) {
  return byteOff == 0 ? name : fmt::format("((unsigned char *){} + {})", name, byteOff);
}

void emitMemcpy(EmitCtx& c, const std::string& dst, const std::string& src, int64_t bytes) {
  if (bytes <= 0 || dst == src) return;  // same buffer (in-place): nothing to move
  c.line(fmt::format("memcpy({}, {}, {});", dst, src, bytes));
}

// C literal of element i of t (in the C type EmitCtx::ctype gives).
std::string elemLit(const Tensor& t, int64_t i) {
  switch (t.dtype()) {
    case DType::F32: return EmitCtx::floatLit(t.data<float>()[i]);
    case DType::F64: return EmitCtx::doubleLit(t.data<double>()[i]);
    case DType::F16: return fmt::format("0x{:04x}u", t.data<uint16_t>()[i]);
    case DType::U64: return fmt::format("UINT64_C({})", t.data<uint64_t>()[i]);
    case DType::U32: return fmt::format("{}u", t.data<uint32_t>()[i]);
    default: return EmitCtx::intLit(t.getI(i));
  }
}

// Writes the content of t into output 0 from a block-scope constant array.
void emitConstBytes(EmitCtx& c, const Tensor& t) {
  if (t.numel() == 0) return;
  std::string items;
  for (int64_t i = 0; i < t.numel(); ++i) items += (i ? (i % 8 == 0 ? ",\n      " : ", ") : "") + elemLit(t, i);
  c.line("{");
  c.line(fmt::format("  static const {} k[{}] = {{{}}};", EmitCtx::ctype(t.dtype()), t.numel(), items));
  c.line(fmt::format("  memcpy({}, k, {});", c.out(0), t.byteSize()));
  c.line("}");
}

// dst (contiguous, `shape`) = src[base + sum_k i_k * st[k]] (elements). Size-1 dims are
// dropped and contiguous runs merged; a plain run becomes one memcpy.
void emitStrided(EmitCtx& c, const std::string& src, int64_t base, const std::string& dst, DType t, const Shape& shape,
                 const std::vector<int64_t>& st) {
  const int64_t es = static_cast<int64_t>(dtypeSize(t));
  const int64_t n = numElements(shape);
  if (n == 0) return;
  Shape s2;
  std::vector<int64_t> t2;
  for (size_t k = 0; k < shape.size(); ++k) {
    if (shape[k] == 1) continue;
    if (!s2.empty() && t2.back() == st[k] * shape[k]) {
      s2.back() *= shape[k];
      t2.back() = st[k];
    } else {
      s2.push_back(shape[k]);
      t2.push_back(st[k]);
    }
  }
  const std::string from = constPtr(src, base * es);
  if (s2.empty() || (s2.size() == 1 && t2[0] == 1)) {
    emitMemcpy(c, dst, from, n * es);
    return;
  }
  c.require("shape");
  c.line(fmt::format("tinyc_strided_copy{}({}, {}, {}, {}, {});", es, from, dst, s2.size(), c.intArray(s2),
                     c.intArray(t2)));
}

// dst (contiguous, `shape`)[i...] = src[sum_k offs[k][i_k]] or *fill where an entry is negative.
void emitTableCopy(EmitCtx& c, const std::string& src, const std::string& dst, DType t, const Shape& shape,
                   const std::vector<std::vector<int64_t>>& offs, const std::string& fill) {
  const int64_t es = static_cast<int64_t>(dtypeSize(t));
  const int64_t n = numElements(shape);
  if (n == 0) return;
  // Axes that are plain ranges 0, s, 2s, ... with no fill can use the strided copy.
  bool affine = true;
  std::vector<int64_t> st(shape.size(), 0);
  int64_t base = 0;
  for (size_t k = 0; k < shape.size() && affine; ++k) {
    const auto& o = offs[k];
    if (std::any_of(o.begin(), o.end(), [](int64_t v) { return v < 0; })) {
      affine = false;
      break;
    }
    base += o[0];
    st[k] = o.size() > 1 ? o[1] - o[0] : 0;
    for (size_t i = 0; i < o.size(); ++i)
      if (o[i] != o[0] + static_cast<int64_t>(i) * st[k]) { affine = false; break; }
  }
  if (affine) return emitStrided(c, src, base, dst, t, shape, st);
  std::vector<int64_t> tab;
  for (const auto& o : offs) tab.insert(tab.end(), o.begin(), o.end());
  c.require("shape");
  c.line(fmt::format("tinyc_table_copy{}({}, {}, {}, {}, {}, {});", es, src, dst, shape.size(), c.intArray(shape),
                     c.intArray(tab), fill));
}

std::string checkCopy(const Node& n) { return checkSizes(n); }

// Reshape Flatten Squeeze Unsqueeze Identity: the bytes do not change.
void emitCopy(EmitCtx& c) { emitMemcpy(c, c.out(0), c.in(0), bytesOf(c.outValue(0))); }

// ---- Dropout (inference: copy, mask all true) ----------------------------------------------

void emitDropout(EmitCtx& c) {
  emitMemcpy(c, c.out(0), c.in(0), bytesOf(c.outValue(0)));
  const Value* mask = c.outValue(1);
  if (mask && numElements(mask->shape) > 0) c.line(fmt::format("memset({}, 1, {});", c.out(1), bytesOf(mask)));
}

// ---- Transpose ----------------------------------------------------------------------------

std::vector<int64_t> transposePerm(const Node& n, int rank) {
  std::vector<int64_t> perm = n.attrInts("perm");
  if (perm.empty()) {
    for (int i = rank - 1; i >= 0; --i) perm.push_back(i);
    return perm;
  }
  for (int64_t& p : perm)
    if (p < 0) p += rank;
  return perm;
}

void emitTranspose(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const Value* y = c.outValue(0);
  auto perm = transposePerm(c.node, static_cast<int>(x->shape.size()));
  auto st = stridesOf(x->shape);
  std::vector<int64_t> ost;
  for (int64_t p : perm) ost.push_back(st[static_cast<size_t>(p)]);
  emitStrided(c, c.in(0), 0, c.out(0), y->dtype, y->shape, ost);
}

// ---- Slice --------------------------------------------------------------------------------

std::string checkConstInputs(const Node& n, size_t from, size_t to) {
  for (size_t i = from; i < to && i < n.inputs.size(); ++i)
    if (n.inputs[i] && !n.inputs[i]->constData()) return fmt::format("input {} must be a compile-time constant", i);
  return "";
}

std::string checkSlice(const Node& n) {
  if (auto s = checkConstInputs(n, 1, 5); !s.empty()) return s;
  return checkSizes(n);
}

// Normalized axes (default 0..count-1), as in shape_slice.cpp (already validated there).
std::vector<size_t> axesOf(const Node& n, const Value* axesV, size_t count, int rank) {
  std::vector<size_t> axes;
  if (!axesV) {
    for (size_t i = 0; i < count; ++i) axes.push_back(i);
    return axes;
  }
  for (int64_t a : axesV->constData()->toInts()) axes.push_back(static_cast<size_t>(normAxis(n, a, rank)));
  return axes;
}

void emitSlice(EmitCtx& c) {
  const Node& n = c.node;
  const Value* x = c.inValue(0);
  const Value* y = c.outValue(0);
  const Shape& shape = x->shape;
  const int rank = static_cast<int>(shape.size());
  std::vector<int64_t> start(shape.size(), 0), step(shape.size(), 1);
  auto starts = n.input(1)->constData()->toInts();
  auto ends = n.input(2)->constData()->toInts();
  auto axes = axesOf(n, n.input(3), starts.size(), rank);
  std::vector<int64_t> steps(starts.size(), 1);
  if (n.input(4)) steps = n.input(4)->constData()->toInts();
  for (size_t i = 0; i < starts.size(); ++i) {  // as slicePlan in shape_slice.cpp
    const int64_t dim = shape[axes[i]];
    int64_t s = starts[i], e = ends[i], st = steps[i];
    if (s < 0) s += dim;
    if (e < 0) e += dim;
    int64_t count = 0;
    if (st > 0) {
      s = std::clamp<int64_t>(s, 0, dim);
      e = std::clamp<int64_t>(e, 0, dim);
      st = std::min(st, dim + 1);
      count = e > s ? (e - s - 1) / st + 1 : 0;
    } else if (dim > 0) {
      s = std::clamp<int64_t>(s, 0, dim - 1);
      e = std::clamp<int64_t>(e, -1, dim - 1);
      st = std::max(st, -(dim + 1));
      count = s > e ? (s - e - 1) / -st + 1 : 0;
    }
    if (count != y->shape[axes[i]]) modelError("{}: internal: slice shape mismatch", n.where());
    start[axes[i]] = count ? s : 0;
    step[axes[i]] = st;
  }
  auto xs = stridesOf(shape);
  int64_t base = 0;
  std::vector<int64_t> ost(shape.size());
  for (size_t d = 0; d < shape.size(); ++d) {
    base += start[d] * xs[d];
    ost[d] = step[d] * xs[d];
  }
  emitStrided(c, c.in(0), base, c.out(0), y->dtype, y->shape, ost);
}

// ---- Pad ----------------------------------------------------------------------------------

enum class PadMode { Constant, Reflect, Edge, Wrap };

std::string checkPad(const Node& n) {
  const std::string& m = n.attrStr("mode");
  if (m != "constant" && m != "reflect" && m != "edge" && m != "wrap") return fmt::format("unsupported pad mode '{}'", printable(m));
  if (!n.input(1)->constData()) return "pads must be a compile-time constant";
  if (n.input(3) && !n.input(3)->constData()) return "axes must be a compile-time constant";
  return checkSizes(n);
}

int64_t posMod(int64_t a, int64_t m) {
  int64_t r = a % m;
  return r < 0 ? r + m : r;
}

void emitPad(EmitCtx& c) {
  const Node& n = c.node;
  const Value* x = c.inValue(0);
  const Value* y = c.outValue(0);
  const std::string& m = n.attrStr("mode");
  PadMode mode = m == "reflect" ? PadMode::Reflect : m == "edge" ? PadMode::Edge : m == "wrap" ? PadMode::Wrap : PadMode::Constant;
  const Shape& shape = x->shape;
  auto pads = n.input(1)->constData()->toInts();
  const size_t count = pads.size() / 2;
  auto axes = axesOf(n, n.input(3), count, static_cast<int>(shape.size()));
  std::vector<std::pair<int64_t, int64_t>> plan(shape.size(), {0, 0});
  for (size_t i = 0; i < count; ++i) plan[axes[i]] = {pads[i], pads[i + count]};
  if (numElements(y->shape) == 0) return;
  if (shape.empty()) return emitMemcpy(c, c.out(0), c.in(0), bytesOf(y));
  auto st = stridesOf(shape);
  std::vector<std::vector<int64_t>> offs(shape.size());
  for (size_t d = 0; d < shape.size(); ++d) {  // as evalPad in shape_slice.cpp
    const int64_t dim = shape[d];
    const int64_t len = y->shape[d];
    const int64_t skip = std::max<int64_t>(0, -plan[d].first);
    const int64_t kept = dim - skip - std::max<int64_t>(0, -plan[d].second);
    const int64_t before = std::max<int64_t>(0, plan[d].first);
    offs[d].resize(static_cast<size_t>(len));
    for (int64_t o = 0; o < len; ++o) {
      int64_t j = o - before;
      if (j < 0 || j >= kept) {
        switch (mode) {
          case PadMode::Constant: j = -1; break;
          case PadMode::Edge: j = std::clamp<int64_t>(j, 0, kept - 1); break;
          case PadMode::Wrap: j = posMod(j, kept); break;
          case PadMode::Reflect:
            if (kept == 1) {
              j = 0;
            } else {
              j = posMod(j, 2 * (kept - 1));
              if (j >= kept) j = 2 * (kept - 1) - j;
            }
            break;
        }
      }
      offs[d][static_cast<size_t>(o)] = j < 0 ? -1 : (skip + j) * st[d];
    }
  }
  std::string fill = "NULL";  // zero bytes
  if (mode == PadMode::Constant && n.input(2) && numElements(n.input(2)->shape) > 0) fill = c.in(2);
  emitTableCopy(c, c.in(0), c.out(0), y->dtype, y->shape, offs, fill);
}

// ---- Concat / Split -----------------------------------------------------------------------

int64_t prodRange(const Shape& s, size_t from, size_t to) {
  int64_t p = 1;
  for (size_t i = from; i < to; ++i) p *= s[i];
  return p;
}

void emitConcat(EmitCtx& c) {
  const Value* y = c.outValue(0);
  const size_t axis = static_cast<size_t>(normAxis(c.node, c.node.attrInt("axis"), static_cast<int>(y->shape.size())));
  const int64_t outer = prodRange(y->shape, 0, axis);
  const int64_t innerBytes = prodRange(y->shape, axis + 1, y->shape.size()) * static_cast<int64_t>(dtypeSize(y->dtype));
  const int64_t rowBytes = y->shape[axis] * innerBytes;
  if (outer == 0 || rowBytes == 0) return;
  int64_t off = 0;
  for (size_t i = 0; i < c.node.inputs.size(); ++i) {
    const Value* x = c.inValue(i);
    const int64_t chunk = x->shape[axis] * innerBytes;
    if (chunk == 0) continue;
    if (outer == 1 || chunk == rowBytes) {
      emitMemcpy(c, mutPtr(c.out(0), off), c.in(i), outer * chunk);
    } else {
      c.require("shape");
      c.line(fmt::format("tinyc_copy_rows({}, {}, {}, {}, {}, {});", mutPtr(c.out(0), off), rowBytes, c.in(i), chunk,
                         outer, chunk));
    }
    off += chunk;
  }
}

// Sizes of the parts along the axis (as splitSizes in shape.cpp; already validated there).
std::vector<int64_t> splitSizes(const Node& n, int64_t dim) {
  const int numOutputs = static_cast<int>(n.outputs.size());
  std::vector<int64_t> sizes;
  const Value* split = n.input(1);
  if (split && split->constData() && split->constData()->numel() > 0) return split->constData()->toInts();
  if (n.hasAttr("num_outputs")) {
    int64_t parts = n.attrInt("num_outputs");
    int64_t chunk = (dim + parts - 1) / parts;
    sizes.assign(static_cast<size_t>(parts), chunk);
    sizes.back() = dim - chunk * (parts - 1);
    return sizes;
  }
  sizes.assign(static_cast<size_t>(numOutputs), dim / numOutputs);
  return sizes;
}

std::string checkSplit(const Node& n) {
  if (auto s = checkConstInputs(n, 1, 2); !s.empty()) return s;
  return checkSizes(n);
}

void emitSplit(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const size_t axis = static_cast<size_t>(normAxis(c.node, c.node.attrInt("axis"), static_cast<int>(x->shape.size())));
  auto sizes = splitSizes(c.node, x->shape[axis]);
  if (sizes.size() != c.node.outputs.size()) modelError("{}: internal: split size mismatch", c.node.where());
  const int64_t outer = prodRange(x->shape, 0, axis);
  const int64_t innerBytes = prodRange(x->shape, axis + 1, x->shape.size()) * static_cast<int64_t>(dtypeSize(x->dtype));
  const int64_t rowBytes = x->shape[axis] * innerBytes;
  int64_t off = 0;
  for (size_t i = 0; i < sizes.size(); ++i) {
    const int64_t chunk = sizes[i] * innerBytes;
    if (c.outValue(i) && chunk > 0 && outer > 0) {
      if (outer == 1 || chunk == rowBytes) {
        emitMemcpy(c, c.out(i), constPtr(c.in(0), off), outer * chunk);
      } else {
        c.require("shape");
        c.line(fmt::format("tinyc_copy_rows({}, {}, {}, {}, {}, {});", c.out(i), chunk, constPtr(c.in(0), off),
                           rowBytes, outer, chunk));
      }
    }
    off += chunk;
  }
}

// ---- Gather -------------------------------------------------------------------------------

std::string checkGather(const Node& n) {
  DType t = n.input(1)->dtype;
  if (t == DType::U64) return "u64 indices are not supported";
  if (!isInteger(t) || t == DType::Bool) return fmt::format("indices of dtype {} are not supported", dtypeName(t));
  return checkSizes(n);
}

// Out-of-range runtime indices make the inference function return 1 (the interpreter fails).
void emitGather(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const Value* ind = c.inValue(1);
  const Value* y = c.outValue(0);
  const size_t axis = static_cast<size_t>(normAxis(c.node, c.node.attrInt("axis"), static_cast<int>(x->shape.size())));
  const int64_t outer = prodRange(x->shape, 0, axis);
  const int64_t chunk = prodRange(x->shape, axis + 1, x->shape.size()) * static_cast<int64_t>(dtypeSize(x->dtype));
  const int64_t n = numElements(ind->shape);
  if (numElements(y->shape) == 0 || chunk == 0) return;
  c.require("shape");
  c.line(fmt::format("if (tinyc_gather_{}({}, {}, {}, {}, {}, {}, {}) != 0) return 1;", EmitCtx::suffix(ind->dtype), c.in(0),
                     c.in(1), c.out(0), outer, x->shape[axis], n, chunk));
}

// ---- Shape / Constant / ConstantOfShape (normally folded at compile time) ----------------

void emitShape(EmitCtx& c) {
  const Shape& s = c.inValue(0)->shape;
  const Value* y = c.outValue(0);
  const int64_t rank = static_cast<int64_t>(s.size());
  auto clampEnd = [&](int64_t v) {
    if (v < 0) v += rank;
    return std::clamp<int64_t>(v, 0, rank);
  };
  int64_t start = clampEnd(c.node.attrInt("start"));
  int64_t end = c.node.hasAttr("end") ? clampEnd(c.node.attrInt("end")) : rank;
  end = std::max(start, end);
  Tensor t(DType::I64, {end - start});
  for (int64_t i = start; i < end; ++i) t.data<int64_t>()[i - start] = s[static_cast<size_t>(i)];
  if (t.byteSize() != static_cast<size_t>(bytesOf(y))) modelError("{}: internal: shape size mismatch", c.node.where());
  emitConstBytes(c, t);
}

// The tensor of a Constant node (as constantValue in shape_cast.cpp).
bool constantValue(const Node& n, Tensor* out, std::string* why) {
  if (n.hasAttr("value") && n.attr("value").t) {
    *out = *n.attr("value").t;
  } else if (n.hasAttr("value_float")) {
    Tensor t(DType::F32, {});
    t.data<float>()[0] = n.attrFloat("value_float");
    *out = t;
  } else if (n.hasAttr("value_floats")) {
    const auto& v = n.attrFloats("value_floats");
    Tensor t(DType::F32, {static_cast<int64_t>(v.size())});
    if (!v.empty()) std::memcpy(t.raw(), v.data(), v.size() * sizeof(float));
    *out = t;
  } else if (n.hasAttr("value_int")) {
    Tensor t(DType::I64, {});
    t.data<int64_t>()[0] = n.attrInt("value_int");
    *out = t;
  } else if (n.hasAttr("value_ints")) {
    const auto& v = n.attrInts("value_ints");
    Tensor t(DType::I64, {static_cast<int64_t>(v.size())});
    if (!v.empty()) std::memcpy(t.raw(), v.data(), v.size() * sizeof(int64_t));
    *out = t;
  } else {
    *why = "only value, value_float(s) and value_int(s) constants are supported";
    return false;
  }
  return true;
}

std::string checkConstant(const Node& n) {
  Tensor t;
  std::string why;
  if (!constantValue(n, &t, &why)) return why;
  if (!knownDType(t.dtype())) return fmt::format("constant of dtype {} is not supported", dtypeName(t.dtype()));
  return checkSizes(n);
}

void emitConstant(EmitCtx& c) {
  Tensor t;
  std::string why;
  constantValue(c.node, &t, &why);
  if (t.byteSize() != static_cast<size_t>(bytesOf(c.outValue(0))))
    modelError("{}: internal: constant size mismatch", c.node.where());
  emitConstBytes(c, t);
}

std::string checkConstantOfShape(const Node& n) {
  const Attr& a = n.attr("value");
  if (!a.t || a.t->numel() != 1) return "attribute 'value' must hold one element";
  return checkSizes(n);
}

void emitConstantOfShape(EmitCtx& c) {
  const Tensor& v = *c.node.attr("value").t;
  const Value* y = c.outValue(0);
  const int64_t n = numElements(y->shape);
  if (n == 0) return;
  bool zero = true;
  for (size_t i = 0; i < v.byteSize(); ++i)
    if (static_cast<const uint8_t*>(v.raw())[i] != 0) zero = false;
  if (zero) {
    c.line(fmt::format("memset({}, 0, {});", c.out(0), bytesOf(y)));
    return;
  }
  c.require("shape");
  c.line("{");
  c.line(fmt::format("  static const {} v = {};", EmitCtx::ctype(v.dtype()), elemLit(v, 0)));
  c.line(fmt::format("  tinyc_fill({}, &v, {}, {});", c.out(0), dtypeSize(v.dtype()), n));
  c.line("}");
}

// ---- Cast ---------------------------------------------------------------------------------

void emitCast(EmitCtx& c) {
  const Value* x = c.inValue(0);
  const Value* y = c.outValue(0);
  if (x->dtype == y->dtype) return emitMemcpy(c, c.out(0), c.in(0), bytesOf(y));
  const int64_t n = numElements(y->shape);
  if (n == 0) return;
  c.require("cast");
  c.line(fmt::format("tinyc_cast_{}_{}({}, {}, {});", EmitCtx::suffix(x->dtype), EmitCtx::suffix(y->dtype), c.in(0),
                     c.out(0), n));
}

// ---- Resize -------------------------------------------------------------------------------
// resizePlan / sourceCoord / axisTaps repeat lib/ops/shape_resize.cpp (validation already done
// by shape inference is left out).

enum class Mode { Nearest, Linear, Cubic };
enum class Ctm { HalfPixel, HalfPixelSymmetric, PytorchHalfPixel, AlignCorners, Asymmetric, TfCropAndResize, TfHalfPixelForNn };
enum class NearestMode { RoundPreferFloor, RoundPreferCeil, Floor, Ceil };

struct Axis {
  int64_t in = 0, out = 0;
  double scale = 1;
  double outWidth = 0;
  double roiStart = 0, roiEnd = 1;
};

struct Plan {
  Mode mode = Mode::Nearest;
  Ctm ctm = Ctm::HalfPixel;
  NearestMode nearest = NearestMode::RoundPreferFloor;
  double cubicA = -0.75;
  bool excludeOutside = false, antialias = false;
  double extrapolation = 0;
  std::vector<Axis> axes;
};

constexpr int64_t kMaxDim = int64_t(1) << 53;

const Tensor* nonEmptyConst(const Node& n, size_t i) {
  const Value* v = n.input(i);
  if (!v || numElements(v->shape) == 0) return nullptr;
  return v->constData();
}

std::string checkResize(const Node& n) {
  const std::string& ctm = n.attrStr("coordinate_transformation_mode");
  if (ctm == "tf_crop_and_resize" && n.input(1) && numElements(n.input(1)->shape) > 0 && !n.input(1)->constData())
    return "roi must be a compile-time constant";
  for (size_t i = 2; i <= 3; ++i)
    if (n.input(i) && numElements(n.input(i)->shape) > 0 && !n.input(i)->constData())
      return fmt::format("input {} must be a compile-time constant", i);
  return checkSizes(n);
}

Plan resizePlan(const Node& n, const Shape& in, const Tensor* roi, const Tensor* scales, const Tensor* sizes) {
  Plan p;
  const std::string& mode = n.attrStr("mode");
  if (mode == "nearest") p.mode = Mode::Nearest;
  else if (mode == "linear") p.mode = Mode::Linear;
  else if (mode == "cubic") p.mode = Mode::Cubic;
  else modelError("{}: unsupported mode '{}'", n.where(), printable(mode));
  const std::string& ctm = n.attrStr("coordinate_transformation_mode");
  if (ctm == "half_pixel") p.ctm = Ctm::HalfPixel;
  else if (ctm == "half_pixel_symmetric") p.ctm = Ctm::HalfPixelSymmetric;
  else if (ctm == "pytorch_half_pixel") p.ctm = Ctm::PytorchHalfPixel;
  else if (ctm == "align_corners") p.ctm = Ctm::AlignCorners;
  else if (ctm == "asymmetric") p.ctm = Ctm::Asymmetric;
  else if (ctm == "tf_crop_and_resize") p.ctm = Ctm::TfCropAndResize;
  else if (ctm == "tf_half_pixel_for_nn") p.ctm = Ctm::TfHalfPixelForNn;
  else modelError("{}: unsupported coordinate_transformation_mode '{}'", n.where(), printable(ctm));
  const std::string& nm = n.attrStr("nearest_mode");
  if (nm == "round_prefer_floor") p.nearest = NearestMode::RoundPreferFloor;
  else if (nm == "round_prefer_ceil") p.nearest = NearestMode::RoundPreferCeil;
  else if (nm == "floor") p.nearest = NearestMode::Floor;
  else if (nm == "ceil") p.nearest = NearestMode::Ceil;
  else modelError("{}: unsupported nearest_mode '{}'", n.where(), printable(nm));
  const std::string& policy = n.attrStr("keep_aspect_ratio_policy");
  p.cubicA = n.attrFloat("cubic_coeff_a");
  p.excludeOutside = n.attrInt("exclude_outside") != 0;
  p.extrapolation = n.attrFloat("extrapolation_value");
  p.antialias = n.attrInt("antialias") != 0;

  const int rank = static_cast<int>(in.size());
  std::vector<size_t> axes;
  if (n.hasAttr("axes")) {
    for (int64_t a : n.attrInts("axes")) axes.push_back(static_cast<size_t>(normAxis(n, a, rank)));
  } else {
    for (size_t i = 0; i < in.size(); ++i) axes.push_back(i);
  }
  p.axes.resize(in.size());
  for (size_t d = 0; d < in.size(); ++d) p.axes[d] = {in[d], in[d], 1.0, static_cast<double>(in[d]), 0, 1};
  if (p.ctm == Ctm::TfCropAndResize && roi) {
    auto v = roi->toDoubles();
    for (size_t i = 0; i < axes.size() && i + axes.size() < v.size(); ++i) {
      p.axes[axes[i]].roiStart = v[i];
      p.axes[axes[i]].roiEnd = v[i + axes.size()];
    }
  }
  if (scales) {
    auto v = scales->toDoubles();
    for (size_t i = 0; i < axes.size(); ++i) {
      Axis& a = p.axes[axes[i]];
      a.scale = v[i];
      a.outWidth = v[i] * static_cast<double>(a.in);
      a.out = static_cast<int64_t>(std::floor(a.outWidth));
    }
  } else if (sizes) {
    auto v = sizes->toInts();
    if (policy == "stretch") {
      for (size_t i = 0; i < axes.size(); ++i) {
        Axis& a = p.axes[axes[i]];
        a.out = v[i];
        a.outWidth = static_cast<double>(v[i]);
        if (a.in > 0) a.scale = static_cast<double>(v[i]) / static_cast<double>(a.in);
      }
    } else {
      double s = policy == "not_larger" ? std::numeric_limits<double>::infinity() : 0;
      for (size_t i = 0; i < axes.size(); ++i) {
        const Axis& a = p.axes[axes[i]];
        double r = static_cast<double>(v[i]) / static_cast<double>(a.in);
        s = policy == "not_larger" ? std::min(s, r) : std::max(s, r);
      }
      for (size_t i = 0; i < axes.size(); ++i) {
        Axis& a = p.axes[axes[i]];
        a.scale = s;
        a.outWidth = s * static_cast<double>(a.in);
        a.out = static_cast<int64_t>(std::floor(a.outWidth + 0.5));
      }
    }
  }
  return p;
}

double sourceCoord(const Plan& p, const Axis& a, int64_t xi, bool* outside) {
  const double x = static_cast<double>(xi), in = static_cast<double>(a.in), ow = a.outWidth;
  *outside = false;
  switch (p.ctm) {
    case Ctm::AlignCorners: return ow == 1 ? 0.0 : x * (in - 1) / (ow - 1);
    case Ctm::Asymmetric: return x / a.scale;
    case Ctm::TfHalfPixelForNn: return (x + 0.5) / a.scale;
    case Ctm::PytorchHalfPixel: return ow == 1 ? 0.0 : (x + 0.5) / a.scale - 0.5;
    case Ctm::HalfPixel: return (x + 0.5) / a.scale - 0.5;
    case Ctm::HalfPixelSymmetric: {
      double adjustment = static_cast<double>(a.out) / ow;
      double center = in / 2;
      double offset = center * (1 - adjustment);
      return offset + (x + 0.5) / a.scale - 0.5;
    }
    case Ctm::TfCropAndResize: {
      double xo = ow == 1 ? (a.roiEnd - a.roiStart) * (in - 1) / 2 : x * (a.roiEnd - a.roiStart) * (in - 1) / (ow - 1);
      xo += a.roiStart * (in - 1);
      if (xo < 0 || xo > in - 1) *outside = true;
      return xo;
    }
  }
  return 0;
}

struct Taps {
  int n = 1;
  std::vector<int64_t> idx;
  std::vector<double> w;
  std::vector<uint8_t> outside;
  bool identity = true;
};

Taps axisTaps(const Node& node, const Plan& p, const Axis& a) {
  Taps t;
  const double s = p.antialias ? std::min(a.scale, 1.0) : 1.0;
  int64_t jstart = 0;
  if (p.mode == Mode::Linear) {
    jstart = p.antialias ? static_cast<int64_t>(std::floor(-1 / s) + 1) : 0;
  } else if (p.mode == Mode::Cubic) {
    jstart = p.antialias ? static_cast<int64_t>(std::floor(-2 / s) + 1) : -1;
  }
  if (p.mode != Mode::Nearest) {
    if (jstart < -(int64_t(1) << 12)) modelError("{}: antialias filter is too wide for scale {}", node.where(), a.scale);
    t.n = static_cast<int>(2 - 2 * jstart);
  }
  const size_t n = static_cast<size_t>(t.n);
  const size_t total = static_cast<size_t>(a.out) * n;
  if (total > (size_t(1) << 24)) modelError("{}: resize needs too many interpolation taps", node.where());
  t.idx.assign(total, 0);
  t.w.assign(total, 0.0);
  t.outside.assign(static_cast<size_t>(a.out), 0);
  if (a.out != a.in) t.identity = false;
  std::vector<double> w(n);
  for (int64_t x = 0; x < a.out; ++x) {
    const size_t base = static_cast<size_t>(x) * n;
    bool outside = false;
    double xo = sourceCoord(p, a, x, &outside);
    if (outside || !std::isfinite(xo)) {
      t.outside[static_cast<size_t>(x)] = 1;
      t.identity = false;
      continue;
    }
    double fl = std::floor(xo);
    double ratio = xo == fl ? 1.0 : xo - fl;
    fl = std::clamp(fl, -2.0 * static_cast<double>(kMaxDim), 2.0 * static_cast<double>(kMaxDim));
    const int64_t left = static_cast<int64_t>(fl) - (xo == std::floor(xo) ? 1 : 0);
    if (p.mode == Mode::Nearest) {
      bool right;
      if (ratio == 1.0) right = true;
      else if (p.nearest == NearestMode::RoundPreferFloor) right = ratio > 0.5;
      else if (p.nearest == NearestMode::RoundPreferCeil) right = ratio >= 0.5;
      else right = p.nearest == NearestMode::Ceil;
      t.idx[base] = std::clamp<int64_t>(left + (right ? 1 : 0), 0, a.in - 1);
      t.w[base] = 1;
      if (t.idx[base] != x) t.identity = false;
      continue;
    }
    const double A = p.cubicA;
    if (!p.antialias) {
      if (p.mode == Mode::Linear) {
        w[0] = 1 - ratio;
        w[1] = ratio;
      } else {
        const double r = ratio;
        w[0] = ((A * (r + 1) - 5 * A) * (r + 1) + 8 * A) * (r + 1) - 4 * A;
        w[1] = ((A + 2) * r - (A + 3)) * r * r + 1;
        w[2] = ((A + 2) * (1 - r) - (A + 3)) * (1 - r) * (1 - r) + 1;
        w[3] = ((A * ((1 - r) + 1) - 5 * A) * ((1 - r) + 1) + 8 * A) * ((1 - r) + 1) - 4 * A;
      }
    } else {
      double sum = 0;
      for (size_t k = 0; k < n; ++k) {
        double arg = (static_cast<double>(jstart + static_cast<int64_t>(k)) - ratio) * s;
        double v;
        if (p.mode == Mode::Linear) {
          v = std::clamp(1 - std::fabs(arg), 0.0, 1.0);
        } else {
          double ax = std::fabs(arg), x2 = ax * ax, x3 = ax * x2;
          v = ax <= 1 ? (A + 2) * x3 - (A + 3) * x2 + 1 : ax < 2 ? A * x3 - 5 * A * x2 + 8 * A * ax - 4 * A : 0.0;
        }
        w[k] = v;
        sum += v;
      }
      for (double& v : w) v /= sum;
    }
    if (p.excludeOutside) {
      double sum = 0;
      for (size_t k = 0; k < n; ++k) {
        int64_t i = left + jstart + static_cast<int64_t>(k);
        if (i < 0 || i >= a.in) w[k] = 0;
        sum += w[k];
      }
      if (sum != 0)
        for (double& v : w) v /= sum;
    }
    for (size_t k = 0; k < n; ++k) {
      t.idx[base + k] = std::clamp<int64_t>(left + jstart + static_cast<int64_t>(k), 0, a.in - 1);
      t.w[base + k] = w[k];
      if (w[k] != 0 && (w[k] != 1 || t.idx[base + k] != x)) t.identity = false;
    }
  }
  return t;
}

// The extrapolation value stored in dtype t (as storeValue in shape_resize.cpp).
Tensor storedValue(DType t, double v) {
  Tensor out(t, {});
  if (isFloat(t) || t == DType::Bool) {
    out.setF(0, v);
    return out;
  }
  dispatchAll(t, [&](auto tag) {
    using T = typename decltype(tag)::type;
    T r;
    if (std::isnan(v)) r = 0;
    else if (v >= std::ldexp(1.0, std::numeric_limits<T>::digits)) r = std::numeric_limits<T>::max();
    else if (v <= static_cast<double>(std::numeric_limits<T>::lowest())) r = std::numeric_limits<T>::lowest();
    else r = static_cast<T>(v);
    out.data<T>()[0] = r;
  });
  return out;
}

void emitResize(EmitCtx& c) {
  const Node& n = c.node;
  const Value* x = c.inValue(0);
  const Value* y = c.outValue(0);
  Plan p = resizePlan(n, x->shape, nonEmptyConst(n, 1), nonEmptyConst(n, 2), nonEmptyConst(n, 3));
  for (size_t d = 0; d < p.axes.size(); ++d)
    if (p.axes[d].out != y->shape[d]) modelError("{}: internal: resize shape mismatch", n.where());
  if (numElements(y->shape) == 0) return;
  if (x->shape.empty()) return emitMemcpy(c, c.out(0), c.in(0), bytesOf(y));
  std::vector<Taps> taps;
  for (const Axis& a : p.axes) taps.push_back(axisTaps(n, p, a));

  if (p.mode == Mode::Nearest) {
    auto st = stridesOf(x->shape);
    std::vector<std::vector<int64_t>> offs(taps.size());
    bool anyOutside = false;
    for (size_t d = 0; d < taps.size(); ++d) {
      offs[d].resize(static_cast<size_t>(p.axes[d].out));
      for (size_t o = 0; o < offs[d].size(); ++o) {
        offs[d][o] = taps[d].outside[o] ? -1 : taps[d].idx[o] * st[d];
        if (taps[d].outside[o]) anyOutside = true;
      }
    }
    if (!anyOutside) return emitTableCopy(c, c.in(0), c.out(0), y->dtype, y->shape, offs, "NULL");
    Tensor fill = storedValue(y->dtype, p.extrapolation);
    c.line("{");
    c.line(fmt::format("  static const {} fill = {};", EmitCtx::ctype(y->dtype), elemLit(fill, 0)));
    emitTableCopy(c, c.in(0), c.out(0), y->dtype, y->shape, offs, "&fill");
    c.line("}");
    return;
  }

  std::vector<int64_t> ntaps, idx;
  std::vector<double> w;
  for (size_t d = 0; d < taps.size(); ++d) {
    const Taps& t = taps[d];
    if (t.identity) {
      ntaps.push_back(0);
      continue;
    }
    ntaps.push_back(t.n);
    for (int64_t o = 0; o < p.axes[d].out; ++o) {
      const size_t b = static_cast<size_t>(o) * static_cast<size_t>(t.n);
      for (size_t k = 0; k < static_cast<size_t>(t.n); ++k) {
        idx.push_back(t.outside[static_cast<size_t>(o)] ? (k == 0 ? -1 : 0) : t.idx[b + k]);
        w.push_back(t.w[b + k]);
      }
    }
  }
  if (w.empty()) return emitMemcpy(c, c.out(0), c.in(0), bytesOf(y));  // every axis unchanged
  std::string items;
  for (size_t i = 0; i < w.size(); ++i) items += (i ? (i % 6 == 0 ? ",\n      " : ", ") : "") + EmitCtx::doubleLit(w[i]);
  c.require("resize");
  c.line("{");
  c.line(fmt::format("  static const double w[{}] = {{{}}};", w.size(), items));
  c.line(fmt::format("  tinyc_resize_{}({}, {}, {}, {}, {}, {}, {}, w, {});", EmitCtx::suffix(y->dtype), c.in(0), c.out(0),
                     x->shape.size(), c.intArray(x->shape), c.intArray(y->shape), c.intArray(ntaps), c.intArray(idx),
                     EmitCtx::doubleLit(p.extrapolation)));
  c.line("}");
}

// Empty outputs get no code; mention them so the generated C has no unused variable (graph
// outputs are declared whether used or not).
template <void (*Emit)(EmitCtx&)>
void emitWithEmpty(EmitCtx& c) {
  for (size_t i = 0; i < c.node.outputs.size(); ++i)
    if (c.outValue(i) && numElements(c.outValue(i)->shape) == 0) c.line(fmt::format("(void){};", c.out(i)));
  Emit(c);
}

}  // namespace

void registerShapeKernels(KernelTable& t) {
  t.add({"Reshape", checkCopy, emitWithEmpty<emitCopy>, nullptr, true});
  t.add({"Flatten", checkCopy, emitWithEmpty<emitCopy>, nullptr, true});
  t.add({"Squeeze", checkCopy, emitWithEmpty<emitCopy>, nullptr, true});
  t.add({"Unsqueeze", checkCopy, emitWithEmpty<emitCopy>, nullptr, true});
  t.add({"Identity", checkCopy, emitWithEmpty<emitCopy>, nullptr, true});
  t.add({"Dropout", checkCopy, emitWithEmpty<emitDropout>, nullptr, true});
  t.add({"Transpose", checkCopy, emitWithEmpty<emitTranspose>});
  t.add({"Slice", checkSlice, emitWithEmpty<emitSlice>});
  t.add({"Pad", checkPad, emitWithEmpty<emitPad>});
  t.add({"Concat", checkCopy, emitWithEmpty<emitConcat>});
  t.add({"Split", checkSplit, emitWithEmpty<emitSplit>});
  t.add({"Gather", checkGather, emitWithEmpty<emitGather>});
  t.add({"Shape", checkCopy, emitWithEmpty<emitShape>});
  t.add({"Constant", checkConstant, emitWithEmpty<emitConstant>});
  t.add({"ConstantOfShape", checkConstantOfShape, emitWithEmpty<emitConstantOfShape>});
  t.add({"Cast", checkCopy, emitWithEmpty<emitCast>});
  t.add({"Resize", checkResize, emitWithEmpty<emitResize>});
}

}  // namespace tinyc::c
