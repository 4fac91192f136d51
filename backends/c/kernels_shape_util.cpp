// Helpers shared by the C data-movement kernels (see kernels_shape_util.h).
#include "backends/c/kernels_shape_util.h"

#include <algorithm>

#include "ops/util.h"

namespace tinyc::c::shape_kernels {

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

void emitConstBytes(EmitCtx& c, const Tensor& t) {
  if (t.numel() == 0) return;
  std::string items;
  for (int64_t i = 0; i < t.numel(); ++i) items += (i ? (i % 8 == 0 ? ",\n      " : ", ") : "") + elemLit(t, i);
  c.line("{");
  c.line(fmt::format("  static const {} k[{}] = {{{}}};", EmitCtx::ctype(t.dtype()), t.numel(), items));
  c.line(fmt::format("  memcpy({}, k, {});", c.out(0), t.byteSize()));
  c.line("}");
}

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

std::string checkConstInputs(const Node& n, size_t from, size_t to) {
  for (size_t i = from; i < to && i < n.inputs.size(); ++i)
    if (n.inputs[i] && !n.inputs[i]->constData()) return fmt::format("input {} must be a compile-time constant", i);
  return "";
}

}  // namespace tinyc::c::shape_kernels
