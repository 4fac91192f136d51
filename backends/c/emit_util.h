// Shape helpers for kernel emitters.
#pragma once
#include <cstdint>
#include <vector>

#include "ir/tensor.h"

namespace tinyc::c {

// Strides to read `in` broadcast (right-aligned) into `out`; 0 on broadcast dims.
std::vector<int64_t> bcastStrides(const Shape& in, const Shape& out);
// True if `b` broadcast into `out` is constant except along one contiguous run of dims that
// match `out` (e.g. a [C,1,1] bias on [N,C,H,W]): then b[i] = b[(i / inner) % chans].
bool channelBroadcast(const Shape& b, const Shape& out, int64_t* chans, int64_t* inner);

// int4 values (int8 elements in [-8, 7]) packed two per byte: element i in the low (i even) or
// high (i odd) four bits of byte i / 2, two's complement; an odd count leaves the last high half 0.
// The bytes as an int8 tensor (runtime/qint.c: TINYC_I4LO / TINYC_I4HI read them back).
Tensor packInt4(const Tensor& w);

}  // namespace tinyc::c
