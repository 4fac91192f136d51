// libFuzzer target: any byte string given to the importer must end in a graph or a tinyc::Error,
// never a crash, hang, leak or any other exception.
#include <cstdint>
#include <string>

#include "onnx/importer.h"
#include "support/error.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  try {
    tinyc::ImportOptions opts;
    std::vector<std::string> notes;
    opts.notes = &notes;
    auto g = tinyc::importModelBytes(bytes, "", opts);
  } catch (const tinyc::Error&) {
    // expected for bad input
  }
  return 0;
}
