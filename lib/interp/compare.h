// Numeric comparison of a computed tensor with a reference (tests, `tinyc validate`).
#pragma once
#include <string>

#include "ir/tensor.h"

namespace tinyc {

struct Tolerance {
  double rtol = 1e-4;
  double atol = 1e-5;
  bool atolRelativeToMax = false;  // atol is multiplied by max|ref| (for outputs with large range)
};

struct Comparison {
  bool ok = true;
  std::string why;         // first problem, for messages
  int64_t mismatches = 0;  // elements outside tolerance
  double maxAbsErr = 0;
  double maxRelErr = 0;
  double cosine = 1;       // cosine similarity (1 = same direction)
  double sqnrDb = 0;       // signal-to-quantization-noise ratio, +inf when exact
  int64_t worstIndex = -1;
};

// Integers and bools must match exactly; floats within |got-ref| <= atol + rtol*|ref|;
// NaN matches NaN, infinities must match.
Comparison compareTensors(const Tensor& got, const Tensor& ref, const Tolerance& tol);

}  // namespace tinyc
