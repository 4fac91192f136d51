// Diagnostics: every user-visible failure is a tinyc::Error with a kind that maps to an exit code.
#pragma once
#include <fmt/format.h>
#include <stdexcept>
#include <string>

namespace tinyc {

enum class ErrorKind {
  Model = 1,  // bad model or data: exit code 1
  Usage = 2,  // bad command line: exit code 2
};

class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& msg) : std::runtime_error(msg), kind_(kind) {}
  ErrorKind kind() const { return kind_; }

 private:
  ErrorKind kind_;
};

template <typename... Args>
[[noreturn]] void modelError(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(ErrorKind::Model, fmt::format(f, std::forward<Args>(args)...));
}

template <typename... Args>
[[noreturn]] void usageError(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(ErrorKind::Usage, fmt::format(f, std::forward<Args>(args)...));
}

// Makes a string safe to print on one line of a diagnostic (no control characters, bounded length).
std::string printable(const std::string& s, size_t maxLen = 80);

// Checked arithmetic for sizes that come from untrusted files.
int64_t checkedMul(int64_t a, int64_t b, const char* what);
int64_t checkedAdd(int64_t a, int64_t b, const char* what);

}  // namespace tinyc
