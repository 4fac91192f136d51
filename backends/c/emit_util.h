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

}  // namespace tinyc::c
