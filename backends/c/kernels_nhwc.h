// Channels-last (tinyc.layout = NHWC, ops/layout.h) forms of the spatial kernels
// (runtime/nhwc.c). The per-op entries in kernels_conv.cpp and kernels_pool.cpp dispatch here for
// nodes the layout pass made channels-last.
#pragma once
#include <string>
#include <vector>

#include "backends/c/c_emit.h"

namespace tinyc::c {

std::string checkNhwc(const Node& n);  // "" when the channels-last node can be generated
std::vector<int64_t> convNhwcParams(const Node& n);  // a channels-last Conv's TINYC_NHWC_CONV_PARAMS
void emitConvNhwc(EmitCtx& c);
int64_t scratchConvNhwc(const Node& n);
int64_t inPlaceScratchConvNhwc(const Node& n);  // CKernel::inPlaceScratch
void emitPoolNhwc(EmitCtx& c, bool isMax);
void emitGlobalPoolNhwc(EmitCtx& c, bool isMax);
// The channels-last Conv whose int8 weights sit behind a DequantizeLinear (a dynamic-range
// model, --quantize weights-int8): the kernel reads the int8 weights and scales itself (the
// DequantizeLinear is absorbed: CKernel::absorbsInput), so no float copy of the weights takes
// arena memory. A variant of the Conv kernel (match / priority).
// The DequantizeLinear of constant int8 weights (per tensor or per output channel) that Conv n's
// input 1 is, or nullptr (any layout; shared with the channels-first variant, kernels_conv.cpp).
const Node* int8WeightDequant(const Node& n);
bool matchConvNhwcW8(const Node& n, const TargetDesc& t);
void emitConvNhwcW8(EmitCtx& c);
int64_t scratchConvNhwcW8(const Node& n);
int64_t scratchConvNhwcW8Max(const Node& n);
// The channels-last Conv of one group over runs of input values (tinyc_conv_nhwc_rows_f32): a
// window wider than 1x1 on channels-last input, or few input channels (first layers), with
// constant float weights, which the emitter stores tap-major. A variant of the Conv kernel.
bool matchConvNhwcRows(const Node& n, const TargetDesc& t);
void emitConvNhwcRows(EmitCtx& c);

}  // namespace tinyc::c
