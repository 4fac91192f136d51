// Helpers shared by the matrix kernels (kernels_nn.cpp) and the Conv kernels (kernels_conv.cpp).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "backends/c/c_emit.h"
#include "ops/nn_common.h"

namespace tinyc::c {

// Scratch sizes come from runtime/scratch.h, called on the parameter arrays the kernels receive.
std::vector<int32_t> int32s(const std::vector<int64_t>& v);
// "" when no input or output of n has more than 2^31 elements, else why.
std::string fitsInt32(const Node& n);
// The scratch pointer, or "NULL" when the kernel needs none.
std::string scratchOrNull(EmitCtx& c, int64_t bytes);
// The scratch pointer and the bytes the planner gave (at least `bytes`; the blocked GEMM's kernels
// size their blocks by them), or "NULL, 0".
std::string scratchAndBytes(EmitCtx& c, int64_t bytes);
// The window's six per-axis arrays (in, out, k, s, d, pb), as runtime/scratch.h lays them out.
void appendWindow(std::vector<int64_t>& p, const nn::Window& w);
// "" when the Conv (either layout) can be generated (ConvTranspose shares its limits).
std::string checkConv(const Node& n);

}  // namespace tinyc::c
