#include "backends/c/c_emit.h"

namespace tinyc::c {

void registerPoolKernels(KernelTable& t) { (void)t; }

}  // namespace tinyc::c
