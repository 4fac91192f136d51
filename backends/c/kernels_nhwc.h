// Channels-last (tinyc.layout = NHWC, ops/layout.h) forms of the spatial kernels
// (runtime/nhwc.c). The per-op entries in kernels_nn.cpp and kernels_pool.cpp dispatch here for
// nodes the layout pass made channels-last.
#pragma once
#include <string>

#include "backends/c/c_emit.h"

namespace tinyc::c {

std::string checkNhwc(const Node& n);  // "" when the channels-last node can be generated
void emitConvNhwc(EmitCtx& c);
int64_t scratchConvNhwc(const Node& n);
int64_t inPlaceScratchConvNhwc(const Node& n);  // CKernel::inPlaceScratch
void emitPoolNhwc(EmitCtx& c, bool isMax);
void emitGlobalPoolNhwc(EmitCtx& c, bool isMax);

}  // namespace tinyc::c
