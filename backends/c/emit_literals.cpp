// EmitCtx's C literals and type names (backends/c/c_emit.h), shared by every emitter.
#include <fmt/format.h>

#include <climits>
#include <cmath>

#include "backends/backend.h"
#include "backends/c/c_emit.h"

namespace tinyc::c {

// ---- literals -----------------------------------------------------------------------------

std::string EmitCtx::ctype(DType t) {
  switch (t) {
    case DType::F32: return "float";
    case DType::F64: return "double";
    case DType::F16: return "uint16_t";
    case DType::I8: return "int8_t";
    case DType::U8: return "uint8_t";
    case DType::I16: return "int16_t";
    case DType::U16: return "uint16_t";
    case DType::I32: return "int32_t";
    case DType::U32: return "uint32_t";
    case DType::I64: return "int64_t";
    case DType::U64: return "uint64_t";
    case DType::Bool: return "uint8_t";
    default: return "void";
  }
}

std::string EmitCtx::suffix(DType t) { return dtypeName(t); }

std::string EmitCtx::floatLit(float v) {
  if (std::isnan(v)) return "NAN";
  if (std::isinf(v)) return v > 0 ? "INFINITY" : "(-INFINITY)";
  std::string s = fmt::format("{}", v);  // shortest round-trip representation
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s + "f";
}

std::string EmitCtx::accLit(double v) const {
  return target().doubleAcc ? doubleLit(v) : floatLit(static_cast<float>(v));
}

std::string EmitCtx::doubleLit(double v) {
  if (std::isnan(v)) return "((double)NAN)";
  if (std::isinf(v)) return v > 0 ? "((double)INFINITY)" : "(-(double)INFINITY)";
  std::string s = fmt::format("{}", v);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string EmitCtx::intLit(int64_t v) {
  if (v == INT64_MIN) return "(-INT64_C(9223372036854775807) - 1)";
  if (v >= -2147483647 && v <= 2147483647) return std::to_string(v);
  return fmt::format("INT64_C({})", v);
}

}  // namespace tinyc::c
