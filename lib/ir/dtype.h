// Element types of the IR. Integer types exist from day one for quantized models.
#pragma once
#include <cstdint>
#include <string>

namespace tinyc {

enum class DType : uint8_t {
  Undefined,
  F32,
  F64,
  F16,
  I8,
  U8,
  I16,
  U16,
  I32,
  U32,
  I64,
  U64,
  Bool,
};

size_t dtypeSize(DType t);
const char* dtypeName(DType t);  // "f32", "i8", ...
bool dtypeFromName(const std::string& s, DType* out);
bool isFloat(DType t);
bool isInteger(DType t);  // includes bool

// Half-precision conversion (IEEE 754 binary16), round to nearest even.
float halfToFloat(uint16_t h);
uint16_t floatToHalf(float f);

}  // namespace tinyc
