#include "backends/c/c_emit.h"

namespace tinyc::c {

void registerShapeKernels(KernelTable& t) { (void)t; }

}  // namespace tinyc::c
