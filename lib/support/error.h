// Diagnostics: every user-visible failure is a tinyc::Error with a kind that maps to an exit code.
#pragma once
#include <fmt/format.h>
#include <exception>
#include <stdexcept>
#include <string>

namespace tinyc {

enum class ErrorKind {
  Model = 1,     // bad model or data: exit code 1
  Usage = 2,     // bad command line: exit code 2
  Internal = 3,  // a failed invariant of tinyc itself (a bug, not the user's fault): exit code 3
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

// A check of tinyc's own invariants failed (a pass or the backend broke what it promised).
template <typename... Args>
[[noreturn]] void internalError(fmt::format_string<Args...> f, Args&&... args) {
  throw Error(ErrorKind::Internal, fmt::format(f, std::forward<Args>(args)...));
}

// What main() prints and returns for an exception that ends the program: tinyc::Error by its
// kind ("tinyc: error: ..." with exit code 1 or 2, or the internal-error line with 3); out of
// memory and file-system or stream failures are 1; any other exception is a bug, so internal (3):
// "tinyc: internal error: ... (please report this at ...)".
struct Failure {
  int exitCode;
  std::string message;  // one line, without the newline
};
Failure describeFailure(const std::exception_ptr& e);

// Makes a string safe to print on one line of a diagnostic (no control characters, bounded length).
std::string printable(const std::string& s, size_t maxLen = 80);
// s as XML/HTML text or attribute value: < > & " ' escaped, bytes outside printable ASCII as '?'
// (a name from a model may hold any bytes; the SVG plan and the HTML report show it with this).
std::string xmlEscape(const std::string& s);

// Checked arithmetic for sizes that come from untrusted files.
int64_t checkedMul(int64_t a, int64_t b, const char* what);
int64_t checkedAdd(int64_t a, int64_t b, const char* what);

}  // namespace tinyc
