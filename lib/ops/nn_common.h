// Helpers shared by the sliding-window ops (Conv, ConvTranspose, pools) and the matrix ops:
// spatial attribute parsing, window geometry, F16-through-F32 evaluation.
#pragma once
#include <cstdint>
#include <vector>

#include "ops/util.h"

namespace tinyc {

void registerGemmOps(OpRegistry& r);  // Gemm, MatMul (nn_gemm.cpp), called by registerNnOps

namespace nn {

constexpr int kMaxSpatial = 3;

enum class AutoPad { NotSet, SameUpper, SameLower, Valid };

// Parses the auto_pad attribute (NOTSET when absent); fails on an unknown value.
AutoPad autoPad(const Node& n);

// Optional per-spatial-axis ints attribute: `nd` values, each >= minValue; `def` when absent.
std::vector<int64_t> spatialInts(const Node& n, const char* name, int nd, int64_t def, int64_t minValue);
// The pads attribute: 2*nd values >= 0 ([x1_begin, x2_begin, ..., x1_end, x2_end, ...]), zeros when absent.
std::vector<int64_t> padsAttr(const Node& n, int nd);
// Number of spatial dims of an [N, C, spatial...] input; fails unless 1..3.
int spatialDims(const Node& n, const Shape& x, const char* what);

// Geometry of a sliding window with up to 3 spatial dims. 1D and 2D are stored as 3D with unit
// leading dims (in = out = k = s = d = 1, pads 0), so one loop nest handles every case.
struct Window {
  int nd = 0;  // real spatial dims
  int64_t in[kMaxSpatial] = {1, 1, 1}, out[kMaxSpatial] = {1, 1, 1}, k[kMaxSpatial] = {1, 1, 1};
  int64_t s[kMaxSpatial] = {1, 1, 1}, d[kMaxSpatial] = {1, 1, 1};
  int64_t pb[kMaxSpatial] = {0, 0, 0}, pe[kMaxSpatial] = {0, 0, 0};
  int64_t inSize() const { return in[0] * in[1] * in[2]; }
  int64_t outSize() const { return out[0] * out[1] * out[2]; }
  int64_t kSize() const { return k[0] * k[1] * k[2]; }
  bool noPadding() const;
  Shape outSpatial() const;  // the nd real output dims
};

// Window of a forward sliding op (Conv, MaxPool, AveragePool) over x = [N, C, spatial...] with
// the given kernel, reading auto_pad, pads, strides and dilations from the node. Fails when
// the window does not fit (kernel larger than the padded input).
Window forwardWindow(const Node& n, const Shape& x, const std::vector<int64_t>& kernel, bool ceilMode);

// Window of a transposed convolution (ConvTranspose) over x = [N, C, spatial...] with the given
// kernel: in = X's spatial dims, out = Y's, pb/pe = the padding cropped from the full result
// (from pads, auto_pad or output_shape; output_padding). Fails naming the node when invalid.
Window transposedWindow(const Node& n, const Shape& x, const std::vector<int64_t>& kernel);

// Evaluates `f` with every F16 input and output replaced by an F32 copy.
void evalViaF32(EvalCtx& c, EvalFn f);
// True when any present input is F16.
bool anyF16(const EvalCtx& c);

inline int64_t floorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}
inline int64_t ceilDiv(int64_t a, int64_t b) { return -floorDiv(-a, b); }

// Elements of a value's shape divided by its leading (batch) dim: the size at batch 1.
int64_t perBatch(const Value* v);

// Einsum (lib/ops/nn_gemm.cpp): the equation as a loop over every label's range. Labels are the
// letters and, for "...", one label per broadcast dim (right-aligned over the inputs; a dim of 1
// broadcasts). in[i][l] / out[l]: element strides of label l in input i / the output (0 where it
// is absent; a label repeated in one term, a diagonal, adds its strides). Implicit output (no
// "->"): the "..." labels, then the letters used once, in ASCII order.
struct EinsumPlan {
  std::vector<int64_t> dims;                 // per label
  std::vector<std::vector<int64_t>> in;      // per input, per label
  std::vector<int64_t> out;                  // per label
  Shape outShape;
};
EinsumPlan einsumPlan(const Node& n, const std::vector<Shape>& inputs);

// MaxUnpool's output shape (lib/ops/pool.cpp): N, C and (in - 1) * stride + kernel - pads, or the
// constant output_shape when given (nullptr: the unpooled shape MaxPool's indices refer to).
Shape maxUnpoolShape(const Node& n, const Shape& x, const Tensor* outputShape);

}  // namespace nn
}  // namespace tinyc
