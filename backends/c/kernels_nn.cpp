#include "backends/c/c_emit.h"

namespace tinyc::c {

void registerNnKernels(KernelTable& t) { (void)t; }

}  // namespace tinyc::c
