// Host simulator for the C backend: writes a harness around the generated API, builds it with
// the host C compiler and runs it on tensors (validate, bench, conformance).
#pragma once
#include <string>
#include <vector>

#include "backends/backend.h"
#include "ir/graph.h"

namespace tinyc::c {

// A C99 main() that drives NAME_run: `harness [-n ITERS] in0.bin ... out0.bin ...`. Inputs and
// outputs are raw little-endian bytes; with -n it prints one run time in ns per line (unless
// compiled with -DTINYC_HARNESS_NO_CLOCK, for targets without clock_gettime).
std::string harnessSource(const std::string& name);

// Writes files + harness.c (harnessSource with the I/O size lists filled in) into dir; returns
// the number of graph inputs and outputs read from NAME.h. Shared by the host and emulated builds.
struct HarnessIo {
  size_t inputs = 0, outputs = 0;
};
HarnessIo writeHarness(const std::string& dir, const std::string& name, const std::vector<OutputFile>& files);

// Small helpers shared with emulate.cpp.
std::string shellQuote(const std::string& s);
void writeFile(const std::string& path, const std::string& content);
std::string firstLines(const std::string& text, int n);  // the first n lines joined with " | "
// A compiler's failure in its build log: the first line with "error:" and the source line it
// quotes (gcc's "In function" context lines before it say nothing), else the first 3 lines.
std::string compilerErrors(const std::string& log);

// The generated C files to compile, space-separated: NAME.c NAME_weights.c, and tinyc_runtime.c
// when the files hold the shared runtime (--runtime shared).
std::string generatedSources(const std::string& name, const std::vector<OutputFile>& files);

// Shell commands (joined with &&, run in the build folder) that compile each source (space-
// separated) to its own object with `cc flags -c`, appending the compiler's messages to log, then
// link them into out with `cc flags linkTail`. Compiles go through $TINYC_CC_LAUNCHER when set (a
// compiler cache such as ccache: one source per command is what it can cache; the differential
// tests build the same shared runtime thousands of times).
std::string compileAndLink(const std::string& cc, const std::string& flags, const std::string& sources,
                           const std::string& log, const std::string& out, const std::string& linkTail);

struct HostBuildOptions {
  std::string cc;      // default: $CC or "cc"
  std::string cflags;  // default: $CFLAGS or "-O2"; warnings-as-errors flags are always added
};

// Writes files + harness.c into dir and compiles them; returns the executable's path. Model
// error with the compiler's first lines of output on failure.
std::string buildHost(const std::string& dir, const std::string& name, const std::vector<OutputFile>& files,
                      const HostBuildOptions& opts);

// Runs the harness on inputs (graph-input order); returns outputs shaped like the graph's.
std::vector<Tensor> runHost(const std::string& exe, const Graph& g, const std::vector<Tensor>& inputs,
                            const std::string& workDir);
// Reads the harness's outK.bin files from workDir, shaped like the graph's outputs.
std::vector<Tensor> readOutputs(const Graph& g, const std::string& workDir);
// Runs `iters` timed iterations; returns per-run nanoseconds.
std::vector<double> benchHost(const std::string& exe, const Graph& g, const std::vector<Tensor>& inputs,
                              const std::string& workDir, int iters);

}  // namespace tinyc::c
