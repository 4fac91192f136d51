#include "ir/dtype.h"

#include <cstring>

namespace tinyc {

namespace {
struct Info {
  DType t;
  const char* name;
  size_t size;
};
constexpr Info kInfo[] = {
    {DType::Undefined, "undef", 0}, {DType::F32, "f32", 4}, {DType::F64, "f64", 8},
    {DType::F16, "f16", 2},         {DType::I8, "i8", 1},   {DType::U8, "u8", 1},
    {DType::I16, "i16", 2},         {DType::U16, "u16", 2}, {DType::I32, "i32", 4},
    {DType::U32, "u32", 4},         {DType::I64, "i64", 8}, {DType::U64, "u64", 8},
    {DType::Bool, "bool", 1},
};
}  // namespace

size_t dtypeSize(DType t) { return kInfo[static_cast<int>(t)].size; }
const char* dtypeName(DType t) { return kInfo[static_cast<int>(t)].name; }

bool dtypeFromName(const std::string& s, DType* out) {
  for (const auto& i : kInfo)
    if (s == i.name) {
      *out = i.t;
      return true;
    }
  return false;
}

bool isFloat(DType t) { return t == DType::F32 || t == DType::F64 || t == DType::F16; }
bool isInteger(DType t) { return !isFloat(t) && t != DType::Undefined; }

float halfToFloat(uint16_t h) {
  uint32_t sign = (h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal
      exp = 127 - 15 + 1;
      while ((mant & 0x400u) == 0) {
        mant <<= 1;
        exp--;
      }
      mant &= 0x3ffu;
      bits = sign | (exp << 23) | (mant << 13);
    }
  } else if (exp == 31) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp - 15 + 127) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t floatToHalf(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  uint32_t sign = (x >> 16) & 0x8000u;
  uint32_t absx = x & 0x7fffffffu;
  if (absx >= 0x7f800000u) return static_cast<uint16_t>(sign | 0x7c00u | (absx > 0x7f800000u ? 0x200u : 0));
  if (absx >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // overflow -> inf
  if (absx < 0x38800000u) {  // subnormal or zero in half
    if (absx < 0x33000000u) return static_cast<uint16_t>(sign);
    uint32_t e = absx >> 23;
    uint32_t m = (absx & 0x7fffffu) | 0x800000u;
    uint32_t shift = 126 - e;  // 113 - e + 13
    uint32_t halfm = m >> shift;
    uint32_t rem = m & ((1u << shift) - 1);
    uint32_t halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (halfm & 1))) halfm++;
    return static_cast<uint16_t>(sign | halfm);
  }
  uint32_t e = (absx >> 23) - 127 + 15;
  uint32_t m = absx & 0x7fffffu;
  uint32_t h = (e << 10) | (m >> 13);
  uint32_t rem = m & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) h++;
  return static_cast<uint16_t>(sign | h);
}

}  // namespace tinyc
