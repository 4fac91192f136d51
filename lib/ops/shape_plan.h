// Plan computations of the data-movement ops, shared by the reference interpreter
// (lib/ops/shape*.cpp) and the C backend's emitters (backends/c/kernels_shape*.cpp), so that both
// map indices by the same rules. Every function validates its inputs and fails naming the node.
#pragma once
#include <cstdint>
#include <utility>
#include <vector>

#include "ops/op.h"

namespace tinyc::shape_plan {

// An OpDef with the given name, input count range, functions, doc and attributes.
OpDef makeOp(const char* name, int minIn, int maxIn, InferFn infer, EvalFn eval, const char* doc,
             std::vector<AttrSpec> attrs = {});

// An op the importer rewrites into others (lib/onnx/upgrade.cpp), so that it never reaches the
// graph: listed for `tinyc ops` and the node tests; its infer/eval fail as an internal error.
OpDef importedOp(const char* name, int minIn, int maxIn, const char* doc, std::vector<AttrSpec> attrs = {});

// Transpose: the permutation (default: reversed axes), normalized to [0, rank).
std::vector<int64_t> transposePerm(const Node& n, int rank);

// Shape: the [start, end) range of dims to output.
std::pair<int64_t, int64_t> shapeRange(const Node& n, int64_t rank);

// Split: sizes of the parts along the axis, from the `split` input (may be null or empty),
// else num_outputs, else equal parts.
std::vector<int64_t> splitSizes(const Node& n, int64_t dim, int numOutputs, const Tensor* split);

// Constant: the tensor the node produces (built from whichever value attribute is set).
Tensor constantValue(const Node& n);

// DepthToSpace (DCR or CRD) / SpaceToDepth on [N, C, H, W]: the output read as a 6-D array
// `dims` (contiguous) whose element i_0..i_5 is input[sum i_k * strides[k]]; `out` the 4-D shape.
struct DepthSpacePlan {
  Shape out;
  std::vector<int64_t> dims, strides;
};
DepthSpacePlan depthSpacePlan(const Node& n, const Shape& in, bool toSpace);

// Compress with a constant condition: the input as [outer, dim, inner] around the axis (no axis:
// [1, numel, 1]), the selected indices along dim and the output shape.
struct CompressPlan {
  int64_t outer = 1, dim = 1, inner = 1, axis = -1;
  std::vector<int64_t> indices;
  Shape out;
};
CompressPlan compressPlan(const Node& n, const Shape& x, const Tensor& condition);

// ---- Slice --------------------------------------------------------------------------------

struct SliceDim {
  int64_t start = 0, step = 1, count = 0;
};

// One entry per input dim: first element, step and number of elements taken.
std::vector<SliceDim> slicePlan(const Node& n, const Shape& shape, const Tensor& startsT, const Tensor& endsT,
                                const Tensor* axesT, const Tensor* stepsT);

// ---- Pad ----------------------------------------------------------------------------------

enum class PadMode { Constant, Reflect, Edge, Wrap };

PadMode padMode(const Node& n);

// Per axis: (pad before, pad after).
std::vector<std::pair<int64_t, int64_t>> padPlan(const Node& n, const Shape& shape, const Tensor& padsT,
                                                 const Tensor* axesT);

// Output extent of one padded axis, checked.
int64_t paddedDim(const Node& n, int64_t dim, std::pair<int64_t, int64_t> p, PadMode mode);

// Per output axis d: element offset into the input (shape `in`, row-major) of each output
// index, or -1 where the fill value goes. `out` is the padded shape (checked against the plan).
std::vector<std::vector<int64_t>> padOffsets(const Node& n, const Shape& in, const Shape& out,
                                             const std::vector<std::pair<int64_t, int64_t>>& plan, PadMode mode);

// CenterCropPad: per axis the (pad before, pad after) that center-crops (negative) or pads (with
// zeros) input `shape` to the target of `shapeT` along the `axes` attribute (all axes when absent).
std::vector<std::pair<int64_t, int64_t>> centerCropPadPlan(const Node& n, const Shape& shape, const Tensor& shapeT);

}  // namespace tinyc::shape_plan
