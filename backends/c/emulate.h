// Emulated Cortex-M runs for `validate --emulate`: the generated C and the host harness are
// cross-compiled with arm-none-eabi-gcc (the target's crossCflags, newlib with semihosting), linked
// with a generated startup file and linker script for a QEMU machine, and run in qemu-system-arm.
// The harness reads inK.bin and writes outK.bin through semihosting in the run folder.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "ir/graph.h"

namespace tinyc::c {

// A QEMU machine that runs one target's code, with the RAM regions the program is placed in.
struct EmulatedMachine {
  std::string target;       // TargetDesc name, e.g. "cortex-m4"
  std::string qemuMachine;  // qemu-system-arm -machine
  std::string qemuCpu;      // qemu-system-arm -cpu
  uint32_t codeBase, codeSize;    // vector table (boot address) and .text
  uint32_t constBase, constSize;  // .rodata (weights) and the .data load image; may equal code
  uint32_t dataBase, dataSize;    // .data, .bss (arena), heap (inputs/outputs) and stack
};

// The machine for a target, or nullptr when there is none.
const EmulatedMachine* findEmulatedMachine(const std::string& target);
// Comma-separated target names that have a machine (for error messages).
std::string emulatedTargets();

// Startup C (vector table, reset handler: .data/.bss init, FPU on, semihosting, exit(main(...)))
// and GNU ld script for `m`; exposed for tests.
std::string startupSource(const TargetDesc& target, size_t numInputs, size_t numOutputs);
std::string linkerScript(const EmulatedMachine& m);

// Writes files, harness.c, startup.c and link.ld into dir and builds prog.elf; returns its path.
// Model error with the compiler's first lines on failure (e.g. the model does not fit the RAM).
// countRuns > 0: the harness instead runs the model that many times and prints the instructions
// each run executed (for countEmulated).
// profileSteps > 0 (with countRuns): a measurement build of code emitted with EmitOptions::profile;
// the harness also prints the instructions of each of the profileSteps steps (mean over the runs).
std::string buildEmulated(const std::string& dir, const std::string& name, const std::vector<OutputFile>& files,
                          const TargetDesc& target, int countRuns = 0, int profileSteps = 0);

// Runs prog.elf in QEMU with workDir as the semihosting folder; outputs shaped like the graph's.
// A crash, a nonzero exit or a run longer than timeoutSeconds is a one-line model error.
std::vector<Tensor> runEmulated(const std::string& elf, const EmulatedMachine& m, const Graph& g,
                                const std::vector<Tensor>& inputs, const std::string& workDir,
                                int timeoutSeconds = 120);

// Runs a counting build (buildEmulated with countRuns) under QEMU -icount shift=0: the
// instructions each run executed, measured with SysTick against a calibration loop (QEMU is
// not cycle-accurate: these are instruction counts, not cycles).
// steps: the per-step instructions of a profiling build (filled when not null).
// stackBytes: the stack one run used (a counting build without profileSteps paints
// kStackProbeBytes below the harness's frame before a run and finds the deepest word it changed;
// includes the call from the harness; -1 when more than kStackProbeBytes or not measured).
std::vector<double> countEmulated(const std::string& elf, const EmulatedMachine& m, const Graph& g,
                                  const std::vector<Tensor>& inputs, const std::string& workDir,
                                  int timeoutSeconds = 300, std::vector<double>* steps = nullptr,
                                  int64_t* stackBytes = nullptr);
inline constexpr int kStackProbeBytes = 65536;

// Flash and RAM of the model's own objects in a buildEmulated folder (the harness, the startup
// code and the C library are not counted): section sizes (arm-none-eabi-size) and the kernels'
// functions (arm-none-eabi-nm: tinyc_*, and all of --runtime shared's tinyc_runtime.c).
struct Footprint {
  int64_t kernelsText = 0;  // code of the kernels (the functions gcc kept out of line)
  int64_t modelText = 0;    // the rest of the model's code (NAME_run, its steps, inlined kernels)
  int64_t constData = 0;    // weights, parameter tables and other constants; .data's load image
  int64_t ramData = 0;      // the model's own .data and .bss (the arena and the I/O are the caller's)
  int64_t flash() const { return kernelsText + modelText + constData; }
};
Footprint measureFootprint(const std::string& dir, const std::string& name, const std::vector<OutputFile>& files);

}  // namespace tinyc::c
