#include "backends/c/c_emit.h"

namespace tinyc::c {

void registerNormKernels(KernelTable& t) { (void)t; }

}  // namespace tinyc::c
