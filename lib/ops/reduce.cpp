#include "ops/util.h"

namespace tinyc {

void registerReduceOps(OpRegistry& r) { (void)r; }

}  // namespace tinyc
