#include "backends/backend.h"

#include "support/error.h"

namespace tinyc {

const Backend& cBackend();  // backends/c/c_backend.cpp

const std::vector<TargetDesc>& allTargets() {
  auto target = [](const char* name, const char* desc, int64_t align, bool fpu, bool dsp, bool mve,
                   const char* cflags, const char* layout) {
    TargetDesc t;
    t.name = name;
    t.backend = "c";
    t.description = desc;
    t.align = align;
    t.fpu = fpu;
    t.dsp = dsp;
    t.mve = mve;
    t.crossCflags = cflags;
    t.layout = layout;
    t.doubleAcc = std::string(name) == "generic";  // the MCU targets are single-precision only
    t.mcu = std::string(name) != "generic";
    t.mac64 = std::string(name).rfind("cortex-m", 0) == 0 && std::string(name) != "cortex-m0plus";  // Armv6-M: none
    return t;
  };
  // Cortex-M targets run channels-last spatial kernels (small, bounded scratch; the layout of the
  // int8 CMSIS-style kernels to come). Same portable C99 for now; per-target kernels later.
  static const std::vector<TargetDesc> targets = {
      target("generic", "portable C99 for any host or microcontroller with a C compiler", 16, true, false, false, "",
             "NCHW"),
      target("cortex-m0plus", "Arm Cortex-M0+ (no FPU: software float)", 8, false, false, false,
             "-mcpu=cortex-m0plus -mthumb -mfloat-abi=soft", "NHWC"),
      target("cortex-m3", "Arm Cortex-M3 (no FPU, no DSP: software float, integer models run integer code)", 8,
             false, false, false, "-mcpu=cortex-m3 -mthumb -mfloat-abi=soft", "NHWC"),
      target("cortex-m4", "Arm Cortex-M4F (FPv4-SP, DSP)", 8, true, true, false,
             "-mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16", "NHWC"),
      target("cortex-m7", "Arm Cortex-M7 (FPv5, DSP)", 8, true, true, false,
             "-mcpu=cortex-m7 -mthumb -mfloat-abi=hard -mfpu=fpv5-d16", "NHWC"),
      target("cortex-m33", "Arm Cortex-M33 (FPv5-SP, DSP)", 8, true, true, false,
             "-mcpu=cortex-m33 -mthumb -mfloat-abi=hard -mfpu=fpv5-sp-d16", "NHWC"),
      target("cortex-m55", "Arm Cortex-M55 (Helium/MVE, FPv5)", 16, true, true, true,
             "-mcpu=cortex-m55 -mthumb -mfloat-abi=hard", "NHWC"),
      // Any other microcontroller (RISC-V, Xtensa, ...): the Cortex-M targets' portable kernels.
      target("mcu", "portable C99 for any microcontroller: channels-last kernels, a few KB of scratch", 8, true,
             false, false, "", "NHWC"),
  };
  return targets;
}

const TargetDesc& findTarget(const std::string& name, bool smallCode) {
  std::string names;
  for (const auto& t : allTargets()) {
    if (t.name == name) {
      if (!smallCode) return t;
      static const std::vector<TargetDesc> small = [] {
        std::vector<TargetDesc> v = allTargets();
        for (auto& d : v) d.smallCode = true;
        return v;
      }();
      return small[static_cast<size_t>(&t - allTargets().data())];
    }
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
