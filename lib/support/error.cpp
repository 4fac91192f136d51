#include "support/error.h"

#include <limits>

namespace tinyc {

std::string printable(const std::string& s, size_t maxLen) {
  std::string out;
  for (unsigned char c : s) {
    if (out.size() >= maxLen) {
      out += "...";
      break;
    }
    if (c < 0x20 || c == 0x7f || c >= 0x80)
      out += fmt::format("\\x{:02x}", c);
    else
      out += static_cast<char>(c);
  }
  return out;
}

int64_t checkedMul(int64_t a, int64_t b, const char* what) {
  if (a < 0 || b < 0) modelError("negative {}", what);
  if (a != 0 && b > std::numeric_limits<int64_t>::max() / a) modelError("{} overflows", what);
  return a * b;
}

int64_t checkedAdd(int64_t a, int64_t b, const char* what) {
  if (a < 0 || b < 0) modelError("negative {}", what);
  if (a > std::numeric_limits<int64_t>::max() - b) modelError("{} overflows", what);
  return a + b;
}

}  // namespace tinyc
