#include "backends/c/c_emit.h"

namespace tinyc::c {

void registerActivationKernels(KernelTable& t) { (void)t; }

}  // namespace tinyc::c
