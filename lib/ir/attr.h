// Node attributes. Stored in a sorted map so printing and hashing are deterministic.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ir/tensor.h"

namespace tinyc {

struct Attr {
  enum class Kind { Int, Float, String, Ints, Floats, Strings, Tensor };
  Kind kind = Kind::Int;
  int64_t i = 0;
  float f = 0;
  std::string s;
  std::vector<int64_t> ints;
  std::vector<float> floats;
  std::vector<std::string> strings;
  TensorPtr t;

  static Attr Int(int64_t v) { Attr a; a.kind = Kind::Int; a.i = v; return a; }
  static Attr Float(float v) { Attr a; a.kind = Kind::Float; a.f = v; return a; }
  static Attr Str(std::string v) { Attr a; a.kind = Kind::String; a.s = std::move(v); return a; }
  static Attr Ints(std::vector<int64_t> v) { Attr a; a.kind = Kind::Ints; a.ints = std::move(v); return a; }
  static Attr Floats(std::vector<float> v) { Attr a; a.kind = Kind::Floats; a.floats = std::move(v); return a; }
  static Attr Strings(std::vector<std::string> v) { Attr a; a.kind = Kind::Strings; a.strings = std::move(v); return a; }
  static Attr TensorV(TensorPtr v) { Attr a; a.kind = Kind::Tensor; a.t = std::move(v); return a; }
};

const char* attrKindName(Attr::Kind k);
using AttrMap = std::map<std::string, Attr>;

}  // namespace tinyc
