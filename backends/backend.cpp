#include "backends/backend.h"

#include "support/error.h"

namespace tinyc {

const Backend& cBackend();  // backends/c/c_backend.cpp

const std::vector<TargetDesc>& allTargets() {
  static const std::vector<TargetDesc> targets = {
      {"generic", "c", "portable C99 for any host or microcontroller with a C compiler", 16, true, false, false, ""},
  };
  return targets;
}

const TargetDesc& findTarget(const std::string& name) {
  std::string names;
  for (const auto& t : allTargets()) {
    if (t.name == name) return t;
    names += (names.empty() ? "" : ", ") + t.name;
  }
  usageError("unknown target '{}' (targets: {})", printable(name), names);
}

const Backend& findBackend(const std::string& name) {
  static const std::vector<const Backend*> backends = {&cBackend()};
  for (const Backend* b : backends)
    if (b->name() == name) return *b;
  usageError("unknown backend '{}'", printable(name));
}

std::string sanitizeIdentifier(const std::string& s) {
  std::string out;
  for (unsigned char c : s) out += (std::isalnum(c) && c < 0x80) || c == '_' ? static_cast<char>(c) : '_';
  if (out.empty() || std::isdigit(static_cast<unsigned char>(out[0]))) out = "m_" + out;
  if (out.size() > 48) out.resize(48);
  return out;
}

std::string sanitizeComment(const std::string& s, size_t maxLen) {
  std::string out;
  for (unsigned char c : s) {
    if (out.size() >= maxLen) {
      out += "...";
      break;
    }
    char ch = (c >= 0x20 && c < 0x7f && c != '\\' && c != '?') ? static_cast<char>(c) : '_';
    // Never let "*/" or "/*" form (and no "?", so no trigraph forms).
    if ((ch == '/' && !out.empty() && out.back() == '*') || (ch == '*' && !out.empty() && out.back() == '/'))
      ch = '_';
    out += ch;
  }
  return out;
}

}  // namespace tinyc
