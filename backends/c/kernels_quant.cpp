#include "backends/c/c_emit.h"

namespace tinyc::c {

void registerQuantKernels(KernelTable& t) { (void)t; }

}  // namespace tinyc::c
