#pragma once
#include <string>
#include <vector>

#include "passes/memory/plan.h"

namespace tinyc {
// Draws a plan: x = schedule step, y = arena offset, one labelled box per buffer, the peak step
// marked. Labels are escaped for XML.
std::string planSvg(const std::vector<LiveBuffer>& buffers, const MemoryPlan& plan, const std::string& title);
}  // namespace tinyc
