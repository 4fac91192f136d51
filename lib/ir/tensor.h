// Dense tensors: constants (weights) in the IR and runtime values in the interpreter.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ir/dtype.h"

namespace tinyc {

using Shape = std::vector<int64_t>;

// Number of elements; throws a model error on negative dims or overflow.
int64_t numElements(const Shape& s);
std::string shapeStr(const Shape& s);  // "[1,3,224,224]"

// Quantization parameters: per tensor (axis < 0, one scale) or per axis (one scale per channel).
struct QuantParams {
  std::vector<float> scale;
  std::vector<int64_t> zeroPoint;
  int axis = -1;
  // Significant bits of the stored integers: 8, or 4 for int4 weights (values in [-8, 7], kept as
  // int8 in the IR and packed two per byte by the C backend; docs/quantization.md).
  int bits = 8;
  bool perTensor() const { return axis < 0; }
  bool operator==(const QuantParams& o) const {
    return scale == o.scale && zeroPoint == o.zeroPoint && axis == o.axis && bits == o.bits;
  }
  bool operator!=(const QuantParams& o) const { return !(*this == o); }
};

class Tensor {
 public:
  Tensor() = default;
  Tensor(DType dtype, Shape shape);  // zero-filled

  DType dtype() const { return dtype_; }
  const Shape& shape() const { return shape_; }
  int64_t numel() const { return numel_; }
  size_t byteSize() const { return static_cast<size_t>(numel_) * dtypeSize(dtype_); }
  int rank() const { return static_cast<int>(shape_.size()); }

  void* raw() { return storage_.data(); }
  const void* raw() const { return storage_.data(); }
  template <typename T>
  T* data() {
    return reinterpret_cast<T*>(storage_.data());
  }
  template <typename T>
  const T* data() const {
    return reinterpret_cast<const T*>(storage_.data());
  }

  // Element i converted to double / int64 (any dtype).
  double getF(int64_t i) const;
  int64_t getI(int64_t i) const;
  void setF(int64_t i, double v);
  void setI(int64_t i, int64_t v);
  // Returns the elements as int64 (for shape-like tensors).
  std::vector<int64_t> toInts() const;
  std::vector<double> toDoubles() const;

  // Same data, different shape (element count must match).
  void reshape(Shape s);
  bool sameContent(const Tensor& o) const;

 private:
  DType dtype_ = DType::F32;
  Shape shape_;
  int64_t numel_ = 0;
  std::vector<uint64_t> storage_;  // 8-byte aligned backing store
};

using TensorPtr = std::shared_ptr<const Tensor>;

}  // namespace tinyc
