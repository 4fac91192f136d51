// Helpers shared by the C data-movement kernels (kernels_shape.cpp, kernels_cast.cpp,
// kernels_resize.cpp): size checks, memcpy / strided / table copies and constant bytes.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "backends/c/c_emit.h"

namespace tinyc::c::shape_kernels {

constexpr int kMaxRank = 16;  // TINYC_SHAPE_MAX_RANK / TINYC_RESIZE_MAX_RANK in the runtime

int64_t bytesOf(const Value* v);
bool knownDType(DType t);
// Every kernel here indexes with int32 and iterates over at most kMaxRank dims.
std::string checkSizes(const Node& n);
// Fails unless inputs [from, to) that are present are compile-time constants.
std::string checkConstInputs(const Node& n, size_t from, size_t to);

std::string constPtr(const std::string& name, int64_t byteOff);
std::string mutPtr(const std::string& name, int64_t byteOff);
void emitMemcpy(EmitCtx& c, const std::string& dst, const std::string& src, int64_t bytes);

// C literal of element i of t (in the C type EmitCtx::ctype gives).
std::string elemLit(const Tensor& t, int64_t i);
// Writes the content of t into output 0 from a block-scope constant array.
void emitConstBytes(EmitCtx& c, const Tensor& t);

// dst (contiguous, `shape`) = src[base + sum_k i_k * st[k]] (elements). Size-1 dims are
// dropped and contiguous runs merged; a plain run becomes one memcpy.
void emitStrided(EmitCtx& c, const std::string& src, int64_t base, const std::string& dst, DType t, const Shape& shape,
                 const std::vector<int64_t>& st);
// dst (contiguous, `shape`)[i...] = src[sum_k offs[k][i_k]] or *fill where an entry is negative.
void emitTableCopy(EmitCtx& c, const std::string& src, const std::string& dst, DType t, const Shape& shape,
                   const std::vector<std::vector<int64_t>>& offs, const std::string& fill);

// Empty outputs get no code; mention them so the generated C has no unused variable (graph
// outputs are declared whether used or not).
template <void (*Emit)(EmitCtx&)>
void emitWithEmpty(EmitCtx& c) {
  for (size_t i = 0; i < c.node.outputs.size(); ++i)
    if (c.outValue(i) && numElements(c.outValue(i)->shape) == 0) c.line(fmt::format("(void){};", c.out(i)));
  Emit(c);
}

// Called from registerShapeKernels.
void registerCastKernels(KernelTable& t);    // Shape Constant ConstantOfShape Cast
void registerResizeKernels(KernelTable& t);  // Resize

}  // namespace tinyc::c::shape_kernels
