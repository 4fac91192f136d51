// NumPy .npy files (format versions 1-3, little-endian, C order).
#pragma once
#include <string>

#include "ir/tensor.h"

namespace tinyc {
Tensor readNpy(const std::string& path);
Tensor parseNpy(const std::string& bytes, const std::string& what);
void writeNpy(const std::string& path, const Tensor& t);
// Whole file into memory with a size cap; model error naming the path on failure.
std::string readFileBytes(const std::string& path, size_t maxBytes = size_t(1) << 32);
}  // namespace tinyc
