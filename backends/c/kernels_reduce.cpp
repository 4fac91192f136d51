#include "backends/c/c_emit.h"

namespace tinyc::c {

void registerReduceKernels(KernelTable& t) { (void)t; }

}  // namespace tinyc::c
