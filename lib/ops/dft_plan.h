// The geometry of a DFT node (lib/ops/signal.cpp), shared by the reference interpreter and the C
// emitter (backends/c/kernels_signal.cpp): the input as [outer, n, inner, cin], the output as
// [outer, outLen, inner, 2] (irfft: [outer, len, inner, 1]), and the twiddle factors both use.
#pragma once

#include <vector>

#include "ir/graph.h"

namespace tinyc {

struct DftPlan {
  int64_t axis = 0, outer = 1, n = 1, inner = 1, cin = 1;
  int64_t len = 1;     // dft_length: the signal zero-padded or truncated to it
  int64_t outLen = 1;  // len, or len / 2 + 1 when onesided
  bool inverse = false;
  bool irfft = false;  // inverse of a one-sided spectrum: a real output [outer, len, inner, 1]
  Shape outShape;
};

// STFT (lib/ops/signal.cpp): x [batch, len, cin]; frame f of batch b reads samples f step + t,
// t < window (zero past len), weighted by the window (ones when absent), transformed with length
// frame (the window's length when both are given: they must match); output [batch, frames, bins, 2],
// bins = frame / 2 + 1 when onesided.
struct StftPlan {
  int64_t batch = 1, len = 1, cin = 1, step = 1, window = 1, frame = 1, frames = 1, bins = 1;
  Shape outShape;
};
StftPlan stftPlan(const Node& n, const Shape& x, const Tensor& step, const Shape* window, const Tensor* frameLength);

// dftLength / axisInput: the constant inputs 1 and 2, or nullptr when absent (axis -2).
DftPlan dftPlan(const Node& n, const Shape& x, const Tensor* dftLength, const Tensor* axisInput);
// cos(2 pi m / len), sin(2 pi m / len) for m = 0..len-1, interleaved.
std::vector<double> dftTwiddles(int64_t len);

}  // namespace tinyc
