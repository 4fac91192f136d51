// Sparse weights (issue 12): the one storage format of tinyc's zero-skipping kernels, and which
// nodes may use it. Shared by the sparse-weights pass (passes/sparse_weights.cpp: it marks a node
// whose weights are smaller this way) and the C backend (backends/c/kernels_sparse.cpp, runtime/sparse.c).
//
// Format "row bitmap": the weights as a matrix of `rows` output channels by `cols` reduction
// indices (in the order the kernel gathers its inputs: Conv c,kh,kw channels-first and kh,kw,c
// channels-last, Gemm/MatMul k), each row as ceil(cols / 8) bytes of bits (bit j of byte b: column
// 8b + j is non-zero), then the non-zero values row after row in column order. Bytes:
// rows * ceil(cols / 8) + nonzeros * element size, smaller than dense once about one weight in
// eight (float) or in seven (int8) is zero. Chosen over run-length indices by size: a uint8 gap
// per non-zero costs more than the bitmap at every density above 1/8.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ir/graph.h"

namespace tinyc::sparse {

inline const char* kAttr = "tinyc.sparse";  // set (1) by the sparse-weights pass

// The weights of n seen as rows x cols (per group for a grouped Conv: rows are all output
// channels, cols the reduction length of one group), when n is an op and form the sparse kernels
// take: Conv 1-D/2-D (float, or int8 quantized form with 8-bit weights), Gemm (float: transA = 0,
// alpha = beta = 1, bias per column or scalar; int8: transB = 1), MatMul (float, constant 2-D B).
struct Matrix {
  int64_t rows = 0, cols = 0;
  DType dtype = DType::F32;  // F32 or I8
  std::vector<int64_t> index;  // index[r * cols + c]: the element of the weight constant
};
std::optional<Matrix> weightMatrix(const Node& n);
// The op types weightMatrix reads (the sparse-weights mark is valid on them only).
bool opTakesSparse(const std::string& opType);

struct Bitmap {
  int64_t rows = 0, cols = 0;
  std::vector<uint8_t> bits;  // rows * rowBytes(cols)
  Tensor values;              // 1-D, the non-zeros (at least one element: a zero when none)
};
inline int64_t rowBytes(int64_t cols) { return (cols + 7) / 8; }
Bitmap encode(const Tensor& w, const Matrix& m);
// The dense rows x cols matrix back (the round trip of encode).
Tensor decode(const Bitmap& b, DType dtype);

int64_t nonZeros(const Tensor& w, const Matrix& m);
int64_t denseBytes(const Matrix& m);
int64_t bitmapBytes(const Matrix& m, int64_t nonZeros);

// True when n carries the sparse-weights mark.
bool marked(const Node& n);

}  // namespace tinyc::sparse
