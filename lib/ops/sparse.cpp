#include "ops/sparse.h"

#include <algorithm>
#include <map>
#include <string>

#include "ops/layout.h"

namespace tinyc::sparse {

namespace {

bool constOf(const Value* v, DType t) { return v && v->constant && v->dtype == t; }
bool floatWeights(const Value* w) { return constOf(w, DType::F32) && !w->quant; }
bool int8Weights(const Value* w) {
  if (!constOf(w, DType::I8) || !w->quant || w->quant->bits != 8) return false;
  return std::all_of(w->quant->zeroPoint.begin(), w->quant->zeroPoint.end(), [](int64_t z) { return z == 0; });
}
bool outputIs(const Node& n, DType t) {
  if (n.outputs.empty() || !n.outputs[0] || n.outputs[0]->dtype != t) return false;
  for (size_t i = 1; i < n.outputs.size(); ++i)
    if (n.outputs[i]) return false;
  return true;
}
float attrFloatOr(const Node& n, const char* a, float d) { return n.hasAttr(a) ? n.attrFloat(a) : d; }
int64_t attrIntOr(const Node& n, const char* a, int64_t d) { return n.hasAttr(a) ? n.attrInt(a) : d; }

// rows x cols read row-major from the constant (Conv; Gemm with transB) or transposed (k-major B).
Matrix matrix(int64_t rows, int64_t cols, DType t, bool transposed) {
  Matrix m;
  m.rows = rows, m.cols = cols, m.dtype = t;
  m.index.resize(static_cast<size_t>(rows * cols));
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < cols; ++c) m.index[static_cast<size_t>(r * cols + c)] = transposed ? c * rows + r : r * cols + c;
  return m;
}

std::optional<Matrix> conv(const Node& n) {
  const Value* x = n.input(0);
  const Value* w = n.input(1);
  const Value* b = n.input(2);
  if (!x || !w || readsChannelsFirst(n) || (x->shape.size() != 3 && x->shape.size() != 4)) return std::nullopt;
  if (w->shape.size() != x->shape.size() || w->shape[0] <= 0) return std::nullopt;
  DType t;
  if (x->dtype == DType::F32 && floatWeights(w) && outputIs(n, DType::F32) && (!b || (constOf(b, DType::F32) && !b->quant))) {
    t = DType::F32;
  } else if (x->dtype == DType::I8 && int8Weights(w) && outputIs(n, DType::I8) && (!b || b->constant) && x->shape[0] == 1) {
    t = DType::I8;
  } else {
    return std::nullopt;
  }
  return matrix(w->shape[0], w->constant->numel() / w->shape[0], t, false);
}

std::optional<Matrix> gemm(const Node& n) {
  const Value* a = n.input(0);
  const Value* w = n.input(1);
  const Value* b = n.input(2);
  if (!a || !w || a->shape.size() != 2 || w->shape.size() != 2 || attrIntOr(n, "transA", 0) != 0) return std::nullopt;
  const bool transB = attrIntOr(n, "transB", 0) != 0;
  const int64_t cols = transB ? w->shape[1] : w->shape[0], rows = transB ? w->shape[0] : w->shape[1];
  if (a->dtype == DType::F32 && floatWeights(w) && outputIs(n, DType::F32) && attrFloatOr(n, "alpha", 1.0f) == 1.0f) {
    if (b && (!constOf(b, DType::F32) || b->quant || attrFloatOr(n, "beta", 1.0f) != 1.0f ||
              (b->constant->numel() != 1 && (b->constant->numel() != rows || b->shape.back() != rows))))
      return std::nullopt;
    return matrix(rows, cols, DType::F32, !transB);
  }
  if (a->dtype == DType::I8 && int8Weights(w) && outputIs(n, DType::I8) && transB && (!b || b->constant))
    return matrix(rows, cols, DType::I8, false);
  return std::nullopt;
}

std::optional<Matrix> matmul(const Node& n) {
  const Value* a = n.input(0);
  const Value* w = n.input(1);
  if (!a || !w || a->dtype != DType::F32 || !floatWeights(w) || w->shape.size() != 2 || a->shape.empty() ||
      !outputIs(n, DType::F32) || a->shape.back() != w->shape[0])
    return std::nullopt;
  return matrix(w->shape[1], w->shape[0], DType::F32, true);
}

// The ops whose weights the sparse kernels take, each with its reading of them.
const std::map<std::string, std::optional<Matrix> (*)(const Node&)>& readers() {
  static const std::map<std::string, std::optional<Matrix> (*)(const Node&)> r = {
      {"Conv", conv}, {"Gemm", gemm}, {"MatMul", matmul}};
  return r;
}

}  // namespace

bool opTakesSparse(const std::string& opType) { return readers().count(opType) != 0; }

std::optional<Matrix> weightMatrix(const Node& n) {
  const auto it = readers().find(n.opType);
  return it == readers().end() ? std::nullopt : it->second(n);
}

int64_t nonZeros(const Tensor& w, const Matrix& m) {
  int64_t nz = 0;
  for (int64_t i : m.index) nz += w.getF(i) != 0.0;
  return nz;
}

int64_t denseBytes(const Matrix& m) { return m.rows * m.cols * static_cast<int64_t>(dtypeSize(m.dtype)); }

int64_t bitmapBytes(const Matrix& m, int64_t nz) {
  return m.rows * rowBytes(m.cols) + std::max<int64_t>(nz, 1) * static_cast<int64_t>(dtypeSize(m.dtype));
}

Bitmap encode(const Tensor& w, const Matrix& m) {
  Bitmap b;
  b.rows = m.rows, b.cols = m.cols;
  const int64_t rb = rowBytes(m.cols);
  b.bits.assign(static_cast<size_t>(m.rows * rb), 0);
  std::vector<double> vals;
  for (int64_t r = 0; r < m.rows; ++r)
    for (int64_t c = 0; c < m.cols; ++c) {
      const double v = w.getF(m.index[static_cast<size_t>(r * m.cols + c)]);
      if (v == 0.0) continue;  // (-0.0 too: the product it stood for is a zero either way)
      b.bits[static_cast<size_t>(r * rb + c / 8)] |= static_cast<uint8_t>(1u << (c % 8));
      vals.push_back(v);
    }
  b.values = Tensor(m.dtype, {std::max<int64_t>(1, static_cast<int64_t>(vals.size()))});
  for (size_t i = 0; i < vals.size(); ++i) b.values.setF(static_cast<int64_t>(i), vals[i]);
  return b;
}

Tensor decode(const Bitmap& b, DType dtype) {
  Tensor out(dtype, {b.rows, b.cols});
  const int64_t rb = rowBytes(b.cols);
  int64_t k = 0;
  for (int64_t r = 0; r < b.rows; ++r)
    for (int64_t c = 0; c < b.cols; ++c)
      if (b.bits[static_cast<size_t>(r * rb + c / 8)] >> (c % 8) & 1u) out.setF(r * b.cols + c, b.values.getF(k++));
  return out;
}

bool marked(const Node& n) {
  auto it = n.attrs.find(kAttr);
  return it != n.attrs.end() && it->second.kind == Attr::Kind::Int && it->second.i == 1;
}

}  // namespace tinyc::sparse
