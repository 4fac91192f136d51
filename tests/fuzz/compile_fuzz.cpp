// libFuzzer target for the whole compile path of `tinyc convert`: bytes -> importer -> the -O2
// passes -> the C backend (emitted in memory; memory planning and its verifier included). The
// last byte picks the target (generic, or cortex-m4: channels-last layout pass). Any input must
// end in generated code or a tinyc::Error, never a crash, hang, leak or other exception.
#include <cstdint>
#include <string>
#include <vector>

#include "backends/backend.h"
#include "onnx/importer.h"
#include "passes/pass.h"
#include "support/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const tinyc::TargetDesc& target = tinyc::findTarget((data[size - 1] & 1) ? "cortex-m4" : "generic");
  std::string bytes(reinterpret_cast<const char*>(data), size - 1);
  try {
    tinyc::ImportOptions opts;
    std::vector<std::string> notes;
    opts.notes = &notes;
    auto g = tinyc::importModelBytes(bytes, "", opts);
    tinyc::PassManagerOptions pmo;
    pmo.pass.layout = target.layout;
    tinyc::PassManager pm(pmo);
    pm.addPipeline(tinyc::pipelineForLevel(2));
    pm.run(*g);
    tinyc::EmitOptions eo;
    eo.name = "model";
    eo.target = &target;
    tinyc::findBackend(target.backend).emit(*g, eo);
  } catch (const tinyc::Error&) {
    // expected for bad or unsupported input
  }
  return 0;
}
