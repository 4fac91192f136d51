#include "support/error.h"

#include <filesystem>
#include <ios>
#include <limits>
#include <new>

namespace tinyc {

std::string xmlEscape(const std::string& s) {
  std::string o;
  for (unsigned char c : s) {
    if (c == '<') o += "&lt;";
    else if (c == '>') o += "&gt;";
    else if (c == '&') o += "&amp;";
    else if (c == '"') o += "&quot;";
    else if (c == '\'') o += "&#39;";
    else if (c < 0x20 || c >= 0x7f) o += '?';
    else o += static_cast<char>(c);
  }
  return o;
}

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

namespace {

constexpr const char* kReportAt = "the tinyc issue tracker, with the model and the command line";

Failure internal(const std::string& what) {
  return {static_cast<int>(ErrorKind::Internal),
          fmt::format("tinyc: internal error: {} (please report this at {})", printable(what, 400), kReportAt)};
}

}  // namespace

Failure describeFailure(const std::exception_ptr& e) {
  try {
    std::rethrow_exception(e);
  } catch (const Error& err) {
    if (err.kind() == ErrorKind::Internal) return internal(err.what());
    return {static_cast<int>(err.kind()), fmt::format("tinyc: error: {}", err.what())};
  } catch (const std::bad_alloc&) {
    return {1, "tinyc: error: out of memory"};
  } catch (const std::filesystem::filesystem_error& err) {
    return {1, fmt::format("tinyc: error: {}", err.what())};
  } catch (const std::ios_base::failure& err) {
    return {1, fmt::format("tinyc: error: {}", err.what())};
  } catch (const std::exception& err) {
    return internal(err.what());
  } catch (...) {
    return internal("unknown exception");
  }
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
