// Runtime kernel sources (backends/c/runtime/*.c), embedded into tinyc at build time.
#pragma once
#include <string>
#include <vector>

namespace tinyc::c {
struct RuntimeFile {
  const char* name;      // file name without .c
  const char* requires;  // space-separated names from the "requires:" line of the file's header
  const char* source;
};
const std::vector<RuntimeFile>& runtimeFiles();  // sorted by name
}  // namespace tinyc::c
