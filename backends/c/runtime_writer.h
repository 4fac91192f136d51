// The runtime kernels in the generated C: copied as static functions into NAME.c (--runtime
// inline, the default), or written once as tinyc_runtime.h / tinyc_runtime.c, shared by every
// model of a firmware (--runtime shared).
#pragma once
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "backends/c/runtime_sources.h"

namespace tinyc::c {

// The runtime files `required` names plus "common" and everything they require, dependencies
// first, otherwise by name.
std::vector<const RuntimeFile*> runtimeClosure(const std::set<std::string>& required);

// --runtime inline: the source text of those files, to paste into NAME.c (static functions).
std::string inlineRuntime(const std::set<std::string>& required);

// --runtime shared: every runtime file, split into declarations (tinyc_runtime.h: types, macros,
// one prototype per kernel, with external linkage) and definitions (tinyc_runtime.c). The text
// depends only on this tinyc and the target's accumulation type (TINYC_FLOAT_ACC), so that every
// model of a build gets the same two files.
struct SharedRuntime {
  std::string header, source;
  uint32_t id = 0;  // TINYC_RUNTIME_ID: a hash of both files, checked by NAME.c
};
const SharedRuntime& sharedRuntime(const TargetDesc& target);
inline constexpr const char* kSharedRuntimeHeader = "tinyc_runtime.h";
inline constexpr const char* kSharedRuntimeSource = "tinyc_runtime.c";
// The lines of NAME.c that include tinyc_runtime.h and check it is the one it was generated with.
std::string sharedRuntimeInclude(const TargetDesc& target);

// One runtime file split into its declarations and definitions (exposed for the unit tests).
struct SplitSource {
  std::string declarations, definitions;
};
// macros: function-like macros defined by the files before this one (their invocations are
// allowed at file scope); this file's are added.
SplitSource splitRuntimeSource(const std::string& fileName, const std::string& text,
                               std::set<std::string>* macros = nullptr);

}  // namespace tinyc::c
