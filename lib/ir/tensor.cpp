#include "ir/tensor.h"

#include <cstring>

#include "support/error.h"

namespace tinyc {

int64_t numElements(const Shape& s) {
  int64_t n = 1;
  for (int64_t d : s) {
    if (d < 0) modelError("negative dimension {} in shape {}", d, shapeStr(s));
    n = checkedMul(n, d, "tensor size");
  }
  return n;
}

std::string shapeStr(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) out += (i ? "," : "") + std::to_string(s[i]);
  return out + "]";
}

Tensor::Tensor(DType dtype, Shape shape) : dtype_(dtype), shape_(std::move(shape)) {
  numel_ = numElements(shape_);
  int64_t bytes = checkedMul(numel_, static_cast<int64_t>(dtypeSize(dtype_)), "tensor byte size");
  constexpr int64_t kMaxBytes = int64_t(1) << 32;  // 4 GiB: nothing an MCU model needs
  if (bytes > kMaxBytes) modelError("tensor of shape {} is too large ({} bytes)", shapeStr(shape_), bytes);
  storage_.assign(static_cast<size_t>((bytes + 7) / 8), 0);
}

double Tensor::getF(int64_t i) const {
  switch (dtype_) {
    case DType::F32: return data<float>()[i];
    case DType::F64: return data<double>()[i];
    case DType::F16: return halfToFloat(data<uint16_t>()[i]);
    case DType::I8: return data<int8_t>()[i];
    case DType::U8: return data<uint8_t>()[i];
    case DType::I16: return data<int16_t>()[i];
    case DType::U16: return data<uint16_t>()[i];
    case DType::I32: return data<int32_t>()[i];
    case DType::U32: return data<uint32_t>()[i];
    case DType::I64: return static_cast<double>(data<int64_t>()[i]);
    case DType::U64: return static_cast<double>(data<uint64_t>()[i]);
    case DType::Bool: return data<uint8_t>()[i] ? 1.0 : 0.0;
    default: return 0;
  }
}

int64_t Tensor::getI(int64_t i) const {
  switch (dtype_) {
    case DType::I64: return data<int64_t>()[i];
    case DType::U64: return static_cast<int64_t>(data<uint64_t>()[i]);
    case DType::I32: return data<int32_t>()[i];
    case DType::U32: return data<uint32_t>()[i];
    case DType::I16: return data<int16_t>()[i];
    case DType::U16: return data<uint16_t>()[i];
    case DType::I8: return data<int8_t>()[i];
    case DType::U8: return data<uint8_t>()[i];
    case DType::Bool: return data<uint8_t>()[i] ? 1 : 0;
    default: {
      double v = getF(i);
      if (!(v > -9.2e18 && v < 9.2e18)) return 0;
      return static_cast<int64_t>(v);
    }
  }
}

void Tensor::setF(int64_t i, double v) {
  switch (dtype_) {
    case DType::F32: data<float>()[i] = static_cast<float>(v); break;
    case DType::F64: data<double>()[i] = v; break;
    case DType::F16: data<uint16_t>()[i] = floatToHalf(static_cast<float>(v)); break;
    case DType::Bool: data<uint8_t>()[i] = v != 0; break;
    default: setI(i, static_cast<int64_t>(v)); break;
  }
}

void Tensor::setI(int64_t i, int64_t v) {
  switch (dtype_) {
    case DType::I64: data<int64_t>()[i] = v; break;
    case DType::U64: data<uint64_t>()[i] = static_cast<uint64_t>(v); break;
    case DType::I32: data<int32_t>()[i] = static_cast<int32_t>(v); break;
    case DType::U32: data<uint32_t>()[i] = static_cast<uint32_t>(v); break;
    case DType::I16: data<int16_t>()[i] = static_cast<int16_t>(v); break;
    case DType::U16: data<uint16_t>()[i] = static_cast<uint16_t>(v); break;
    case DType::I8: data<int8_t>()[i] = static_cast<int8_t>(v); break;
    case DType::U8: data<uint8_t>()[i] = static_cast<uint8_t>(v); break;
    case DType::Bool: data<uint8_t>()[i] = v != 0; break;
    default: setF(i, static_cast<double>(v)); break;
  }
}

std::vector<int64_t> Tensor::toInts() const {
  std::vector<int64_t> v(static_cast<size_t>(numel_));
  for (int64_t i = 0; i < numel_; ++i) v[static_cast<size_t>(i)] = getI(i);
  return v;
}

std::vector<double> Tensor::toDoubles() const {
  std::vector<double> v(static_cast<size_t>(numel_));
  for (int64_t i = 0; i < numel_; ++i) v[static_cast<size_t>(i)] = getF(i);
  return v;
}

void Tensor::reshape(Shape s) {
  if (numElements(s) != numel_) modelError("cannot reshape {} to {}", shapeStr(shape_), shapeStr(s));
  shape_ = std::move(s);
}

bool Tensor::sameContent(const Tensor& o) const {
  return dtype_ == o.dtype_ && shape_ == o.shape_ && std::memcmp(raw(), o.raw(), byteSize()) == 0;
}

}  // namespace tinyc
