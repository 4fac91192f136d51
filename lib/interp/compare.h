// Numeric comparison of a computed tensor with a reference (tests, `tinyc validate`).
#pragma once
#include <string>

#include "ir/graph.h"
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

// The longest floating-point reduction of the graph: the largest MACs per output element of any
// node (K of a Gemm or MatMul, Cin/group * kernel size of a Conv); 1 when there is none.
int64_t longestReduction(const Graph& g);

// Two correct float implementations that sum K products in different orders (the interpreter,
// the generated C's blocked kernels, another runtime) differ by rounding errors that grow about
// like sqrt(K): `tinyc validate` multiplies its atol by max(1, sqrt(K / kReductionUnit)) for the
// graph's longest reduction K.
constexpr int64_t kReductionUnit = 256;
double reductionScale(int64_t k);

}  // namespace tinyc
