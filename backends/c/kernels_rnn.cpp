#include "backends/c/c_emit.h"

namespace tinyc::c {

void registerRnnKernels(KernelTable& t) { (void)t; }

}  // namespace tinyc::c
