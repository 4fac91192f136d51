// Helpers shared by op implementations: broadcasting, axes, dtype dispatch.
#pragma once
#include <cstdint>
#include <type_traits>
#include <vector>

#include "ops/op.h"

namespace tinyc {

template <typename T>
struct TypeTag {
  using type = T;
};

// Calls f(TypeTag<T>{}) for the C++ type of dtype t. Bool maps to uint8_t, F16 to uint16_t
// (callers that compute in F16 convert explicitly).
template <typename F>
decltype(auto) dispatchAll(DType t, F&& f) {
  switch (t) {
    case DType::F32: return f(TypeTag<float>{});
    case DType::F64: return f(TypeTag<double>{});
    case DType::I8: return f(TypeTag<int8_t>{});
    case DType::U8: return f(TypeTag<uint8_t>{});
    case DType::I16: return f(TypeTag<int16_t>{});
    case DType::U16: return f(TypeTag<uint16_t>{});
    case DType::I32: return f(TypeTag<int32_t>{});
    case DType::U32: return f(TypeTag<uint32_t>{});
    case DType::I64: return f(TypeTag<int64_t>{});
    case DType::U64: return f(TypeTag<uint64_t>{});
    case DType::Bool: return f(TypeTag<uint8_t>{});
    case DType::F16: return f(TypeTag<uint16_t>{});
    default: modelError("unsupported dtype {}", dtypeName(t));
  }
}

// Multidirectional (numpy) broadcasting of two shapes; fails naming the node.
Shape broadcastShapes(const InferCtx& ctx, const Shape& a, const Shape& b);
// Broadcast of all present inputs.
Shape broadcastInputs(const InferCtx& ctx);
// Strides to read `in` (right-aligned) while iterating over `out` (0 where broadcast).
std::vector<int64_t> broadcastStrides(const Shape& in, const Shape& out);
// Row-major strides of a shape.
std::vector<int64_t> stridesOf(const Shape& s);

// Normalizes a possibly negative axis into [0, rank); fails naming the node.
int normAxis(const Node& n, int64_t axis, int rank);

// Iterates over every index of `out`, calling f(outIndex, offA, offB) with broadcast offsets.
template <typename F>
void forEachBroadcast2(const Shape& out, const Shape& a, const Shape& b, F&& f) {
  const int r = static_cast<int>(out.size());
  auto sa = broadcastStrides(a, out), sb = broadcastStrides(b, out);
  int64_t total = numElements(out);
  if (total == 0) return;
  std::vector<int64_t> idx(static_cast<size_t>(r), 0);
  int64_t oa = 0, ob = 0;
  // Inner dimension loop for speed.
  const int64_t inner = r ? out[static_cast<size_t>(r - 1)] : 1;
  const int64_t ia = r ? sa[static_cast<size_t>(r - 1)] : 0, ib = r ? sb[static_cast<size_t>(r - 1)] : 0;
  for (int64_t o = 0; o < total; o += inner) {
    for (int64_t k = 0; k < inner; ++k) f(o + k, oa + k * ia, ob + k * ib);
    // advance outer index (dims 0..r-2)
    for (int d = r - 2; d >= 0; --d) {
      size_t du = static_cast<size_t>(d);
      idx[du]++;
      oa += sa[du];
      ob += sb[du];
      if (idx[du] < out[du]) break;
      oa -= sa[du] * idx[du];
      ob -= sb[du] * idx[du];
      idx[du] = 0;
    }
  }
}

// ONNX TensorProto.DataType code -> DType (false when tinyc has no such type), and its name
// ("float8", "int4", ... for the ones tinyc lacks). lib/ops/shape_cast.cpp.
bool dtypeFromOnnx(int64_t code, DType* out);
const char* onnxTypeName(int64_t code);

// Offset into a tensor of shape `in` broadcast to `out`, for output linear index `o`.
int64_t broadcastOffset(int64_t o, const Shape& out, const std::vector<int64_t>& inStrides);

}  // namespace tinyc
